"""Words people type as command arguments that name something in their language."""

from __future__ import annotations

import messages
from bot.domain.models import Role


def role(text: str) -> Role | None:
    """A role by its identifier (liaison) or its name in either language (联络员)."""
    for candidate in Role:
        if text.lower() == candidate.value or any(text == messages.label(locale, f"role.{candidate.value}")
                                                  for locale in messages.LOCALES):
            return candidate
    return None

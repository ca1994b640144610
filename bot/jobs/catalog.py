"""Importing this registers every job."""

from bot.jobs import bulletins, clocks, digest, flags, reminders, weekly_digest  # noqa: F401
from bot.jobs.registry import JOBS

__all__ = ["JOBS"]

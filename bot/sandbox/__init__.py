"""A local server shaped like Telegram's Bot API, for tests and `liaisonbot demo`.

It keeps every chat's transcript, validates like Telegram (HTML entities, length limits, callback
data size, unknown or blocking chats) and can inject 429s, 5xx errors and held responses.
"""

from bot.sandbox.server import Sandbox, SandboxUser

__all__ = ["Sandbox", "SandboxUser"]

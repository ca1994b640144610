"""aiosqlite storage: the only SQL in the project. Repositories return pydantic models."""

from storage.db import Database

__all__ = ["Database"]

"""Errors the CLI turns into one line and exit code 2 instead of a traceback."""


class ConfigError(Exception):
    """A setting or policy value is unusable; the message names it and says why."""

    def __init__(self, setting: str, problem: str) -> None:
        super().__init__(f"{setting}: {problem}")
        self.setting = setting
        self.problem = problem


class Refused(Exception):
    """A service says no to an action: `key` is the message that tells the person why."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values

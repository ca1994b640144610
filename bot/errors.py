"""Errors the CLI turns into one line and exit code 2 instead of a traceback."""


class ConfigError(Exception):
    """A setting or policy value is unusable; the message names it and says why."""

    def __init__(self, setting: str, problem: str) -> None:
        super().__init__(f"{setting}: {problem}")
        self.setting = setting
        self.problem = problem

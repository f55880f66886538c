"""Errors that dlnotes raises on purpose, each with a message that says what to do."""


class DataError(RuntimeError):
    """A dataset is missing, truncated or corrupted; the message names the file and the fix."""

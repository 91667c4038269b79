"""The one exception tree of mcpforge.

Every error a user can cause is a `UserError`: one line saying what happened, one line
saying what to do. The CLI prints both and exits with `exit_code`; `--debug` adds the
traceback. Anything else that escapes is a bug and is reported as such.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_USER_ERROR = 1
EXIT_CHECK_FAILED = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: the reader closed stdout, as shells report it


class McpforgeError(Exception):
    """Base of every error mcpforge raises on purpose."""

    exit_code = EXIT_USER_ERROR


class UserError(McpforgeError):
    """Something the user can fix: a message and a hint."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class InvalidAnswerError(UserError):
    """An answer (flag, --data value, data file entry) failed validation."""


class DestinationError(UserError):
    """The destination of a new project cannot be used."""


class NoTerminalError(UserError):
    """Something would have to be asked, but there is no terminal to ask at."""


class Declined(UserError):
    """The user did not confirm the answers; nothing was written."""


class UpdateRefused(UserError):
    """`mcpforge update` cannot run on this project; nothing was changed."""


class GitError(UserError):
    """A git command mcpforge relies on failed (git's own last line is the message)."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(
            message,
            hint
            or "run that git command in the folder to see what git says, fix what it names "
            "(a broken or locked repository), then run mcpforge again",
        )


class HistoryError(UserError):
    """The template history (the released template versions) cannot be read or built."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(
            message,
            hint
            or "reinstall mcpforge (`pip install --force-reinstall mcpforge`); in a source "
            "checkout, check that `git log` works there",
        )


class TemplateError(McpforgeError):
    """The template itself failed to render: a bug in mcpforge, not in the answers."""


class Aborted(McpforgeError):
    """The user declined or interrupted; nothing was written."""

    exit_code = EXIT_INTERRUPTED

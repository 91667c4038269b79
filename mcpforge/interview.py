"""The interview at a terminal: when to ask, and the summary with its confirmation.

The questions themselves are asked by copier from copier.yml (the one source of truth:
help text, defaults derived from earlier answers, validation as typed); mcpforge decides
whether asking is allowed, then shows what was chosen and asks for a confirmation.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from mcpforge.answers import Question
from mcpforge.copier_calls import NO_TERMINAL_HINT
from mcpforge.errors import NoTerminalError


def has_terminal() -> bool:
    """Whether a person can answer: stdin and stdout are both terminals."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def require_answers_without_terminal(
    questions: Mapping[str, Question], given: Mapping[str, Any]
) -> None:
    """Without a terminal, refuse unless the given answers leave nothing to ask."""
    missing = [name for name in questions if name not in given]
    if missing:
        shown = ", ".join(missing[:4]) + (", ..." if len(missing) > 4 else "")
        raise NoTerminalError(
            f"no terminal to ask {len(missing)} unanswered questions ({shown})", NO_TERMINAL_HINT
        )


def confirm_answers(answers: Mapping[str, Any], questions: Mapping[str, Question]) -> bool:
    """Show the chosen answers as a table and ask whether to generate the project."""
    import questionary  # noqa: PLC0415 - slow to import, only needed at a terminal
    from rich.table import Table  # noqa: PLC0415

    from mcpforge.console import out  # noqa: PLC0415

    table = Table(title="Your answers", show_header=False, title_justify="left")
    table.add_column("question", style="cyan")
    table.add_column("answer")
    for name in questions:
        if name in answers:
            table.add_row(name, _shown(answers[name]))
    out().print(table)
    answer = questionary.confirm(f"Generate {answers['project_name']}?", default=True).ask()
    return bool(answer)


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value == "":
        return "(none)"
    return str(value)

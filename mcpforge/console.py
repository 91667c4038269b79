"""The Rich consoles: stdout for results, stderr for errors and progress.

Rich honours NO_COLOR and TERM=dumb by itself; this module is the one place that decides
how mcpforge prints, so the core never imports rich.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING

from rich.console import Console
from rich.text import Text

if TYPE_CHECKING:
    from mcpforge.add import AddResult
    from mcpforge.create import NewProject
    from mcpforge.lock import LockOutcome


class _Console(Console):
    """Rich's console, except that a closed pipe is an error the CLI handles.

    Rich exits with status 1 and no message when the reader of stdout goes away
    (`mcpforge new ... | head -1`); the CLI's error boundary decides instead.
    """

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError(errno.EPIPE, "the reader closed the output")


@cache
def out() -> Console:
    """The console for results (summaries, reports)."""
    return _Console(highlight=False)


@cache
def err() -> Console:
    """The console for errors, warnings and progress: keeps stdout clean for pipes."""
    return _Console(stderr=True, highlight=False)


def print_error(message: str, hint: str = "") -> None:
    """Print a user error as one line, and its hint as a second line."""
    err().print(Text.assemble(("error: ", "bold red"), message), soft_wrap=True)
    if hint:
        err().print(Text.assemble(("hint: ", "yellow"), hint), soft_wrap=True)


@contextmanager
def progress(message: str, *, enabled: bool = True) -> Iterator[None]:
    """A spinner on stderr while a long step runs (nothing when stderr is not a terminal)."""
    if not enabled:
        yield
        return
    with err().status(f"{message} ..."):
        yield


def print_new_project(project: NewProject, *, lock: LockOutcome | None = None) -> None:
    """The summary after `mcpforge new`: what was generated, where, and what to do next."""
    from mcpforge.next_steps import client_configs, next_steps  # noqa: PLC0415

    console = out()
    repository = ", a git repository with one commit" if project.git else ""
    console.print(
        Text.assemble(
            ("Created ", "bold green"),
            (str(project.answers["project_name"]), "bold"),
            f" in {project.path}: {len(project.files)} files{repository}.",
        ),
        soft_wrap=True,
    )
    if lock is not None:
        style = "green" if lock.locked else "yellow"
        console.print(Text(lock.message, style=style), soft_wrap=True)
    # Plain lines, never wrapped or cut: commands must survive copy and paste.
    steps = next_steps(project.path, project.answers)
    width = min(max(len(command) for _, command in steps), 40)
    console.print(Text("\nNext steps", style="bold"))
    for what, command in steps:
        line = Text.assemble("  ", (command.ljust(width), "cyan"), ("  # " + what, "dim"))
        console.print(line, soft_wrap=True)
    console.print(Text("\nConnect a client", style="bold"))
    for config in client_configs(project.path, project.answers):
        console.print(Text.assemble(("  " + config.client, "bold"), f" ({config.where}):"))
        console.print(Text("    " + config.text), soft_wrap=True)


def print_added(result: AddResult) -> None:
    """What `mcpforge add` wrote (or, with --pretend, the diff it would write)."""
    console = out()
    if result.pretend:
        console.print(Text(result.diff()), soft_wrap=True, end="")
        console.print(Text("Nothing was written (--pretend).", style="yellow"))
        return
    addition = result.addition
    console.print(
        Text.assemble(
            ("Added ", "bold green"),
            f"the {addition.kind} ",
            (addition.uri if addition.kind == "resource" else addition.name, "bold"),
            f" to {result.project}:",
        ),
        soft_wrap=True,
    )
    for change in result.changes:
        verb = "created" if change.old is None else "updated"
        console.print(Text(f"  {verb} {change.path}"), soft_wrap=True)
    for note in result.notes:
        console.print(Text(f"  note: {note}", style="yellow"), soft_wrap=True)
    console.print(Text("\nNext: run its test, then make it do its job", style="bold"))
    console.print(Text(f"  uv run pytest {result.test_path}", style="cyan"), soft_wrap=True)

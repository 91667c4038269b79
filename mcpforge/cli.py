"""The command line: thin commands, one error boundary, documented exit codes."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from mcpforge import __version__
from mcpforge.errors import (
    EXIT_INTERRUPTED,
    EXIT_USER_ERROR,
    InvalidAnswerError,
    McpforgeError,
    UserError,
)

EXIT_CODES_HELP = (
    "Exit codes: 0 success; 1 user error (bad input, refused operation); "
    "2 check failed or update available; 130 interrupted."
)

app = typer.Typer(
    name="mcpforge",
    help=f"Create, update and check production-ready MCP servers in Python.\n\n{EXIT_CODES_HELP}",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class _State:
    debug = False


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"mcpforge {__version__}")
        raise typer.Exit


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks of errors.")] = False,
) -> None:
    """Create, update and check production-ready MCP servers in Python."""
    _State.debug = debug


@contextmanager
def error_boundary() -> Iterator[None]:
    """Turn mcpforge's errors and Ctrl-C into one-line messages and exit codes."""
    from mcpforge.console import print_error  # noqa: PLC0415

    try:
        yield
    except UserError as error:
        if _State.debug:
            raise
        print_error(error.message, error.hint)
        raise typer.Exit(error.exit_code) from None
    except McpforgeError as error:
        if _State.debug:
            raise
        print_error(str(error), "run again with --debug and report the traceback")
        raise typer.Exit(error.exit_code) from None
    except KeyboardInterrupt:
        print_error("interrupted; nothing was changed")
        raise typer.Exit(EXIT_INTERRUPTED) from None


@app.command()
def new(
    name: Annotated[
        str,
        typer.Argument(
            help="Directory to create; its name is the project name (e.g. weather-server)."
        ),
    ],
    preset: Annotated[
        list[str] | None,
        typer.Option(
            "--preset",
            "-p",
            metavar="NAME",
            help="Answer every question from a preset: production (the default), minimal, scale.",
        ),
    ] = None,
    data: Annotated[
        list[str] | None,
        typer.Option("--data", "-d", metavar="KEY=VALUE", help="Answer one question (repeatable)."),
    ] = None,
    data_file: Annotated[
        Path | None,
        typer.Option("--data-file", metavar="FILE", help="Answer questions from a YAML file."),
    ] = None,
    defaults: Annotated[
        bool,
        typer.Option("--defaults", help="Take the default of every question not answered."),
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="Do not ask for a confirmation at the end.")
    ] = False,
    git: Annotated[
        bool,
        typer.Option("--git/--no-git", help="Make the project a git repository with one commit."),
    ] = True,
) -> None:
    """Generate a new MCP server project in NAME.

    At a terminal, an interview asks every question not answered by flags. Without one,
    answers come from --defaults, --preset, --data and --data-file, and nothing is asked.
    Nothing is written unless the whole project renders.
    """
    with error_boundary():
        from mcpforge import answers as answers_module  # noqa: PLC0415
        from mcpforge import interview  # noqa: PLC0415
        from mcpforge.render import copier_yml  # noqa: PLC0415

        questions = answers_module.load_questions(copier_yml())
        if preset is not None and len(preset) > 1:
            raise InvalidAnswerError(
                f"--preset is given {len(preset)} times ({', '.join(preset)})", "give one preset"
            )
        given = answers_module.combine_answers(
            questions,
            project_name=Path(name).name,
            preset=preset[0] if preset else None,
            file_data=answers_module.read_data_file(data_file) if data_file else None,
            flag_data=answers_module.parse_data_pairs(data or []),
        )
        ask = not (defaults or preset)
        if ask and not interview.has_terminal():
            interview.require_answers_without_terminal(questions, given)
            ask = False
        confirm = None
        if ask and not yes:

            def confirm(chosen: Mapping[str, Any]) -> bool:
                return interview.confirm_answers(chosen, questions)

        from mcpforge.console import print_new_project, progress  # noqa: PLC0415
        from mcpforge.create import new_project  # noqa: PLC0415

        # No spinner while copier asks questions: it would draw over the prompts.
        with progress(f"Generating {Path(name).name}", enabled=not ask):
            project = new_project(Path(name), given, ask=ask, confirm=confirm, git=git)
        print_new_project(project)


def main() -> None:
    """Entry point of the console script."""
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - Ctrl-C outside a command
        sys.exit(EXIT_INTERRUPTED)


__all__ = ["EXIT_USER_ERROR", "app", "main"]

"""The command line: thin commands, one error boundary, documented exit codes."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.exceptions import TyperException

from mcpforge._version import __version__
from mcpforge.errors import (
    EXIT_BROKEN_PIPE,
    EXIT_INTERRUPTED,
    EXIT_USER_ERROR,
    Aborted,
    InvalidAnswerError,
    McpforgeError,
    UserError,
)

EXIT_CODES_HELP = (
    "Exit codes: 0 success; 1 user error (bad input, refused operation); "
    "2 check failed or update available; 130 interrupted; 141 stdout closed by the reader."
)

app = typer.Typer(
    name="mcpforge",
    help=f"Create, update and check production-ready MCP servers in Python.\n\n{EXIT_CODES_HELP}",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


NOTHING_CHANGED = "interrupted; nothing was changed"


class _State:
    debug = False
    # What Ctrl-C means at this point of the command (commands update it as they go).
    interrupted = NOTHING_CHANGED


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


def _complete_preset(incomplete: str) -> list[str]:
    """Shell completion of --preset: the presets copier.yml offers."""
    from mcpforge.answers import load_questions  # noqa: PLC0415
    from mcpforge.copier_calls import copier_yml  # noqa: PLC0415

    presets = load_questions(copier_yml())["preset"].choices
    return [name for name in presets if name.startswith(incomplete)]


def _complete_check_format(incomplete: str) -> list[str]:
    from mcpforge.checks.formats import FORMATS  # noqa: PLC0415

    return [name for name in FORMATS if name.startswith(incomplete)]


def _complete_update_format(incomplete: str) -> list[str]:
    return [name for name in ("text", "json") if name.startswith(incomplete)]


def _complete_check(incomplete: str) -> list[str]:
    """Shell completion of --only/--skip: check IDs and families."""
    from mcpforge.checks import FAMILIES, registry  # noqa: PLC0415

    names = [*FAMILIES, *registry()]
    return [name for name in names if name.lower().startswith(incomplete.lower())]


@contextmanager
def error_boundary() -> Iterator[None]:
    """Turn mcpforge's errors and Ctrl-C into one-line messages and exit codes."""
    from mcpforge.console import print_error  # noqa: PLC0415

    # Each command starts with nothing done (several run in one process under tests or the API).
    _State.interrupted = NOTHING_CHANGED
    try:
        yield
    except UserError as error:
        if _State.debug:
            raise
        print_error(error.message, error.hint)
        raise typer.Exit(error.exit_code) from None
    except Aborted as error:  # Ctrl-C seen by copier: not a bug, no traceback to report
        print_error(str(error) if _State.interrupted.endswith("changed") else _State.interrupted)
        raise typer.Exit(error.exit_code) from None
    except McpforgeError as error:
        if _State.debug:
            raise
        print_error(str(error), "run again with --debug and report the traceback")
        raise typer.Exit(error.exit_code) from None
    except KeyboardInterrupt:
        print_error(_State.interrupted)
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except BrokenPipeError:
        # The reader closed stdout (`| head -1`): stop writing, quietly, as a tool killed
        # by SIGPIPE would; what was done before stays done.
        _silence_stdout()
        raise typer.Exit(EXIT_BROKEN_PIPE) from None
    except (typer.Exit, typer.Abort, TyperException):
        raise
    except Exception as error:  # a bug: one line and a way to report it, not a traceback
        if _State.debug:
            raise
        first_line = (str(error).strip().splitlines() or [""])[0]
        print_error(
            f"internal error: {type(error).__name__}: {first_line}",
            "run again with --debug and report the traceback",
        )
        raise typer.Exit(EXIT_USER_ERROR) from None


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
            autocompletion=_complete_preset,
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
    lock: Annotated[
        bool,
        typer.Option(
            "--lock/--no-lock",
            help="Pin the dependencies in uv.lock with `uv lock` (needs uv and the package index).",
        ),
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
        from mcpforge.copier_calls import copier_yml  # noqa: PLC0415

        questions = answers_module.load_questions(copier_yml())
        # `new .` and `new ''` name the project after the current folder.
        folder_name = Path(os.path.abspath(name)).name  # noqa: PTH100 - normalizes `.`, `..`
        if preset is not None and len(preset) > 1:
            raise InvalidAnswerError(
                f"--preset is given {len(preset)} times ({', '.join(preset)})", "give one preset"
            )
        given = answers_module.combine_answers(
            questions,
            project_name=folder_name,
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
        with progress(f"Generating {folder_name}", enabled=not ask):
            _State.interrupted = "interrupted; nothing was written"
            project = new_project(Path(name), given, ask=ask, confirm=confirm, git=git)
        _State.interrupted = f"interrupted; {project.path} was created"
        outcome = None
        if lock:
            from mcpforge.create import lock_new_project  # noqa: PLC0415

            with progress("Pinning dependencies (uv lock)"):
                outcome = lock_new_project(project)
        print_new_project(project, lock=outcome)


@app.command()
def update(
    path: Annotated[
        Path, typer.Argument(help="The project to update (default: the current directory).")
    ] = Path(),
    check: Annotated[
        bool,
        typer.Option("--check", help="Only tell whether an update is available (exit 2 if so)."),
    ] = False,
    pretend: Annotated[
        bool,
        typer.Option("--pretend", "--diff", help="Print the diff of the update; change nothing."),
    ] = False,
    data: Annotated[
        list[str] | None,
        typer.Option("--data", "-d", metavar="KEY=VALUE", help="Change an answer (repeatable)."),
    ] = None,
    defaults: Annotated[
        bool, typer.Option("--defaults", help="Answer new questions with their defaults.")
    ] = False,
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            metavar="text|json",
            help="Output for people or for scripts.",
            autocompletion=_complete_update_format,
        ),
    ] = "text",
    lock: Annotated[
        bool,
        typer.Option(
            "--lock/--no-lock",
            help="Refresh uv.lock with `uv lock` after updating (needs uv and the package index).",
        ),
    ] = True,
) -> None:
    """Bring a generated project up to the template of this mcpforge, offline.

    Your edits are kept; where the template changed the same lines, the file gets inline
    conflict markers and is listed. New questions are asked at a terminal (or take their
    defaults with --defaults). Refused, with nothing changed: no .copier-answers.yml (not
    an mcpforge project), not a git repository, uncommitted changes (even when up to
    date), a project of a newer mcpforge.

    Exit codes: 0 updated or already current; 1 refused or bad input (nothing changed);
    2 conflicts left to resolve, or (--check) an update is available; 130 interrupted
    (nothing changed, unless the message says the update was written and how to undo it).
    """
    with error_boundary():
        from mcpforge import update as core  # noqa: PLC0415
        from mcpforge.answers import parse_data_pairs  # noqa: PLC0415
        from mcpforge.console import progress  # noqa: PLC0415
        from mcpforge.interview import has_terminal  # noqa: PLC0415

        if output_format not in {"text", "json"}:
            raise InvalidAnswerError(f"unknown --format {output_format!r}", "use text or json")
        if check:
            result = core.check_update(path)
        else:
            given = parse_data_pairs(data or [])
            # No spinner while copier may ask new questions: it would draw over them.
            with progress("Updating", enabled=defaults or not has_terminal()):
                result = core.update_project(
                    path, data=given, defaults=defaults, pretend=pretend, lock=lock
                )
            if result.status in {"updated", "conflicts"}:
                _State.interrupted = core.written_message(result.project, result.changed)
        if output_format == "json":
            import json  # noqa: PLC0415

            typer.echo(json.dumps(result.as_dict(), indent=2))
        else:
            if result.diff:
                typer.echo(result.diff, nl=False)
            typer.echo("\n".join(core.report_lines(result)))
    raise typer.Exit(result.exit_code)


@app.command()
def check(
    path: Annotated[
        Path, typer.Argument(help="The project to check (default: the current folder).")
    ] = Path(),
    fast: Annotated[
        bool, typer.Option("--fast", help="Only the project and static checks (a second or two).")
    ] = False,
    container: Annotated[
        bool, typer.Option("--container", help="Also build the image and wait for it healthy.")
    ] = False,
    conformance: Annotated[
        bool,
        typer.Option(
            "--conformance",
            help="Also run the official MCP conformance suite (Node.js >= 22) against the server.",
        ),
    ] = False,
    only: Annotated[
        list[str] | None,
        typer.Option(
            "--only",
            metavar="ID|FAMILY",
            help="Run only these checks (repeatable).",
            autocompletion=_complete_check,
        ),
    ] = None,
    skip: Annotated[
        list[str] | None,
        typer.Option(
            "--skip",
            metavar="ID|FAMILY",
            help="Skip these checks (repeatable).",
            autocompletion=_complete_check,
        ),
    ] = None,
    strict: Annotated[
        bool, typer.Option("--strict", help="Fail on warnings (a newer template).")
    ] = False,
    output_format: Annotated[
        str,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help="text, json, junit or github.",
            autocompletion=_complete_check_format,
        ),
    ] = "text",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", metavar="FILE", help="Write the json/junit report here."),
    ] = None,
    matrix: Annotated[
        bool,
        typer.Option("--matrix", help="Generate every preset and odd names; check each."),
    ] = False,
    keep: Annotated[
        Path | None,
        typer.Option(
            "--keep",
            metavar="DIR",
            help="With --matrix: generate the projects into DIR and keep them.",
        ),
    ] = None,
    list_checks: Annotated[
        bool, typer.Option("--list", help="Print the table of checks (Markdown) and exit.")
    ] = False,
) -> None:
    """Check that a generated project builds, passes its tests, boots, speaks MCP and
    meets the production checklist.

    Families: project, static (--fast runs these), build, tests, runtime, drift (the
    default adds these), container (--container), conformance (--conformance: the official
    MCP conformance suite against the server). --only/--skip take IDs or families;
    a project can skip checks with `[tool.mcpforge.check] skip = [...]` in pyproject.toml.
    A check whose tool is not installed is "not verified", never passed: the report names
    it and the command that installs the tool here.
    Exit codes: 0 every check that applies passed (a missing system tool, such as nginx,
    is named but fails only with --strict); 2 a check failed, or was not verified for want
    of mcpforge's `check` extra or uv; 1 usage error.
    """
    with error_boundary():
        from mcpforge.checks.formats import FORMATS, checks_markdown  # noqa: PLC0415

        if list_checks:
            typer.echo(checks_markdown(), nl=False)
            return
        if output_format not in FORMATS:
            raise UserError(
                f"unknown format {output_format!r}", f"use one of: {', '.join(FORMATS)}"
            )
        if output is not None and output_format == "text":
            raise UserError("--output needs --format json, junit or github", "add --format json")
        if keep is not None and not matrix:
            raise UserError("--keep needs --matrix", "add --matrix, or leave out --keep")
        from mcpforge.checks.matrix import rendered  # noqa: PLC0415
        from mcpforge.checks.report import run_checks  # noqa: PLC0415
        from mcpforge.checks.runner import plan  # noqa: PLC0415

        planned = plan(
            only or (),
            skip or (),
            fast=fast,
            container=container,
            conformance=conformance,
            strict=strict,
        )
        if matrix:
            with rendered(keep=keep) as paths:
                code = run_checks(paths, planned, output_format=output_format, output=output)
        else:
            code = run_checks([path], planned, output_format=output_format, output=output)
    raise typer.Exit(code)  # outside the boundary: an exit code is not an error


@app.command()
def connect(
    client: Annotated[
        str,
        typer.Argument(metavar="CLIENT", help="claude-desktop, claude-code, cursor or vscode."),
    ],
    path: Annotated[
        Path, typer.Argument(help="The project (default: the current folder).")
    ] = Path(),
    http: Annotated[
        bool | None,
        typer.Option(
            "--http/--stdio",
            help="Connect over streamable HTTP or stdio (default: stdio when served).",
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", metavar="FILE", help="Write this file instead of the client's."),
    ] = None,
    pretend: Annotated[
        bool, typer.Option("--pretend", "--diff", help="Show the diff; change nothing.")
    ] = False,
) -> None:
    """Add or update this server in an MCP client's configuration.

    Claude Desktop: its per-user config file (stdio only). Claude Code: .mcp.json,
    Cursor: .cursor/mcp.json, VS Code: .vscode/mcp.json, in the project. Other entries
    are kept and the diff is printed; API keys are referenced (MCP_API_KEY), never
    written. A file that is not valid JSON is refused untouched.
    Exit codes: 0 written or already current; 1 bad input or a file it cannot parse.
    """
    with error_boundary():
        from mcpforge.connect import connect as write_entry  # noqa: PLC0415

        result = write_entry(client, path, http=http, config=config, pretend=pretend)
        if result.diff:
            typer.echo(result.diff, nl=False)
        if not result.changed:
            typer.echo(f"{result.path} already has this server ({result.transport})")
        elif pretend:
            typer.echo(f"would update {result.path} ({result.transport}); nothing was changed")
        else:
            typer.echo(f"updated {result.path} ({result.transport}); restart {client} to load it")
        if result.note:
            typer.echo(result.note)


ADD_EXAMPLES = (
    "\b\nExamples:\n"
    "  mcpforge add tool get_forecast --description 'Forecast the weather of a city'"
    " --arg 'city:str:min_length=1,max_length=100:The city' --arg 'days:int:ge=1,le=14,default=3'\n"
    "  mcpforge add resource 'weather://{city}/current' --description 'Current weather of a city'\n"
    "  mcpforge add prompt plan_trip --description 'Plan a trip' --arg 'city:str'"
    " --text 'Plan a day in {city}'"
)
ARG_HELP = (
    "An argument, NAME:TYPE[:CONSTRAINTS[:DESCRIPTION]] (repeatable); TYPE is str, int, float"
    " or bool; CONSTRAINTS are KEY=VALUE, comma-separated: min_length, max_length,"
    ' pattern="...", choices=a|b, ge, gt, le, lt, multiple_of, example, default.'
)
add_app = typer.Typer(
    name="add",
    help="Add a tool, resource or prompt, with its test, to a generated project.\n\n"
    "The handler goes into its own module in src/PKG/tools/, its test into tests/tools/,"
    " and a row into the README's table (and manifest.json's tools). At a terminal, what"
    " the flags leave out is asked; without one, --description is needed. Nothing is"
    " written when a name clashes or an argument is invalid.\n\n"
    + ADD_EXAMPLES
    + "\n\nExit codes: 0 added (or, with --pretend, shown); 1 refused or bad input, nothing"
    " written; 130 interrupted, nothing written.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(add_app)

PathArgument = Annotated[Path, typer.Argument(help="The project (default: the current folder).")]
DescriptionOption = Annotated[
    str | None,
    typer.Option("--description", metavar="TEXT", help="What it does (one line)."),
]
ArgOption = Annotated[
    list[str] | None, typer.Option("--arg", metavar="NAME:TYPE[:...]", help=ARG_HELP)
]
SyncOption = Annotated[
    bool, typer.Option("--sync", help="A plain function instead of an async one.")
]
UsesOption = Annotated[
    list[str] | None,
    typer.Option(
        "--uses",
        metavar="upstream|database",
        help="Calls the project's upstream HTTP client or its database (repeatable).",
    ),
]
DefaultsOption = Annotated[
    bool, typer.Option("--defaults", help="Ask nothing: defaults for what flags leave out.")
]
YesOption = Annotated[
    bool, typer.Option("--yes", "-y", help="Do not ask for a confirmation at the end.")
]
PretendOption = Annotated[
    bool, typer.Option("--pretend", "--diff", help="Show the files as a diff; write nothing.")
]


def _add(given: Any, path: Path, *, defaults: bool, yes: bool, pretend: bool) -> None:
    """The body of every `mcpforge add` command: collect, check, write, report."""
    from mcpforge.add import add_to_project, open_project  # noqa: PLC0415
    from mcpforge.add_interview import collect, confirm_changes  # noqa: PLC0415
    from mcpforge.console import print_added  # noqa: PLC0415
    from mcpforge.interview import has_terminal  # noqa: PLC0415

    target = open_project(path)
    ask = not defaults and has_terminal()
    addition = collect(given, target, ask=ask)
    result = add_to_project(target.root, addition, pretend=True)
    confirm = ask and not yes and not pretend
    if confirm and not confirm_changes([change.path for change in result.changes]):
        raise UserError("nothing was written: the files were not confirmed", "run it again")
    if not pretend:
        _State.interrupted = "interrupted; nothing was written"
        result = add_to_project(target.root, addition)
    print_added(result)


@add_app.command("tool")
def add_tool(
    name: Annotated[str, typer.Argument(help="The tool's name (snake_case), e.g. get_forecast.")],
    path: PathArgument = Path(),
    description: DescriptionOption = None,
    arg: ArgOption = None,
    sync: SyncOption = False,
    scope: Annotated[
        list[str] | None,
        typer.Option(
            "--scope",
            metavar="SCOPE",
            help="A scope an HTTP caller's token or API key needs to call it (repeatable).",
        ),
    ] = None,
    cost: Annotated[
        int | None,
        typer.Option(
            "--cost", metavar="N", help="A call counts N requests of RATE_LIMIT (default 1)."
        ),
    ] = None,
    limit: Annotated[
        str | None,
        typer.Option(
            "--limit", metavar="RATE", help="A rate limit of its own, per client: e.g. 10/minute."
        ),
    ] = None,
    uses: UsesOption = None,
    defaults: DefaultsOption = False,
    yes: YesOption = False,
    pretend: PretendOption = False,
) -> None:
    """Add a tool: src/PKG/tools/NAME.py and tests/tools/test_NAME.py."""
    with error_boundary():
        from mcpforge.add_interview import Given  # noqa: PLC0415

        given = Given(
            kind="tool",
            name=name,
            description=description,
            arguments=arg or (),
            is_async=False if sync else None,
            scopes=scope or (),
            uses=uses or (),
            cost=cost,
            limit=limit,
        )
        _add(given, path, defaults=defaults, yes=yes, pretend=pretend)


@add_app.command("resource")
def add_resource(
    uri: Annotated[
        str,
        typer.Argument(
            metavar="URI", help="The resource's URI, with {name} variables: weather://{city}/now."
        ),
    ],
    path: PathArgument = Path(),
    name: Annotated[
        str | None,
        typer.Option("--name", metavar="NAME", help="Its function's name (default: from the URI)."),
    ] = None,
    description: DescriptionOption = None,
    arg: ArgOption = None,
    mime_type: Annotated[
        str | None,
        typer.Option(
            "--mime-type", metavar="TYPE", help="application/json (the default) or e.g. text/plain."
        ),
    ] = None,
    sync: SyncOption = False,
    uses: UsesOption = None,
    defaults: DefaultsOption = False,
    yes: YesOption = False,
    pretend: PretendOption = False,
) -> None:
    """Add a resource (its URI's variables are its arguments: type them with --arg)."""
    with error_boundary():
        from mcpforge.add_interview import Given  # noqa: PLC0415

        given = Given(
            kind="resource",
            name=name,
            uri=uri,
            description=description,
            arguments=arg or (),
            is_async=False if sync else None,
            uses=uses or (),
            mime_type=mime_type,
        )
        _add(given, path, defaults=defaults, yes=yes, pretend=pretend)


@add_app.command("prompt")
def add_prompt(
    name: Annotated[str, typer.Argument(help="The prompt's name (snake_case), e.g. plan_trip.")],
    path: PathArgument = Path(),
    description: DescriptionOption = None,
    arg: ArgOption = None,
    text: Annotated[
        str | None,
        typer.Option(
            "--text",
            metavar="TEXT",
            help="The message, {argument} for an argument's value (default: from the description).",
        ),
    ] = None,
    sync: SyncOption = False,
    defaults: DefaultsOption = False,
    yes: YesOption = False,
    pretend: PretendOption = False,
) -> None:
    """Add a prompt: a message template filled in with its arguments."""
    with error_boundary():
        from mcpforge.add_interview import Given  # noqa: PLC0415

        given = Given(
            kind="prompt",
            name=name,
            description=description,
            arguments=arg or (),
            is_async=False if sync else None,
            text=text,
        )
        _add(given, path, defaults=defaults, yes=yes, pretend=pretend)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that flushing at exit cannot fail again."""
    import os  # noqa: PLC0415

    with suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


def main(argv: list[str] | None = None) -> None:
    """Entry point of the console script: every path ends with a documented exit code.

    Click exits 2 on a usage error (unknown option, missing argument, no command); 2
    means "check failed / update available" here, so usage errors exit 1, printed as one
    error line and a hint like every other user error.
    """
    from typer._click.exceptions import (  # noqa: PLC0415
        ClickException,
        NoArgsIsHelpError,
        UsageError,
    )

    from mcpforge.console import print_error  # noqa: PLC0415

    try:
        code = app(args=argv, prog_name="mcpforge", standalone_mode=False)
    except NoArgsIsHelpError as error:  # bare `mcpforge`: the help, and a usage error
        typer.echo(error.ctx.get_help() if error.ctx else "", err=True)
        code = EXIT_USER_ERROR
    except UsageError as error:
        command = error.ctx.command_path if error.ctx else "mcpforge"
        print_error(error.format_message(), f"see `{command} --help`")
        code = EXIT_USER_ERROR
    except ClickException as error:
        print_error(error.format_message())
        code = EXIT_USER_ERROR
    except (KeyboardInterrupt, typer.Abort):  # Ctrl-C outside a command
        print_error(_State.interrupted)
        code = EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        code = EXIT_BROKEN_PIPE
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        code = EXIT_BROKEN_PIPE
    sys.exit(code if isinstance(code, int) else 0)


__all__ = ["EXIT_USER_ERROR", "app", "main"]

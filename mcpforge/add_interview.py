"""What to add: from flags, and at a terminal from a short interview for what they left out.

Without a terminal nothing is asked: the description is the one answer without a default,
so it must come as a flag (the error lists the flags). Every answer typed at the terminal
goes through the same checks as the flags (add_spec.py), as it is typed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from mcpforge.add import Target
from mcpforge.add_spec import (
    TYPES,
    Addition,
    Argument,
    Kind,
    check_name,
    check_rate_limit,
    check_scopes,
    check_text,
    check_uri,
    fail,
    parse_argument,
    resource_name,
)
from mcpforge.add_values import default_prompt_text, prompt_parts
from mcpforge.errors import InvalidAnswerError, NoTerminalError

USES = ("upstream", "database")


@dataclass(frozen=True)
class Given:
    """The flags of `mcpforge add KIND`: None (or empty) where a flag was not given."""

    kind: Kind
    name: str | None = None
    uri: str = ""
    description: str | None = None
    arguments: Sequence[str] = ()
    is_async: bool | None = None
    scopes: Sequence[str] = ()
    uses: Sequence[str] = ()
    text: str | None = None
    mime_type: str | None = None
    cost: int | None = None
    limit: str | None = None


def flags_hint(kind: Kind) -> str:
    """The flags that answer without a terminal."""
    extra = {
        "tool": " [--scope SCOPE] [--cost N] [--limit RATE] [--uses upstream|database] [--sync]",
        "resource": " [--name NAME] [--mime-type TYPE] [--uses upstream|database] [--sync]",
        "prompt": " [--text TEXT] [--sync]",
    }[kind]
    return (
        f"pass --description TEXT (and --arg NAME:TYPE[:CONSTRAINTS[:DESCRIPTION]] per argument"
        f"{extra}), or --defaults, to add without a terminal"
    )


def collect(given: Given, target: Target, *, ask: bool) -> Addition:
    """The addition the flags describe, with what they leave out asked at a terminal."""
    kind = given.kind
    uses = tuple(dict.fromkeys(given.uses))
    for use in uses:
        if use not in USES:
            raise fail(
                f"--uses {use!r} is not one of {', '.join(USES)}",
                "write --uses upstream or --uses database",
            )
    uri = given.uri
    if kind == "resource":
        check_uri(uri)
    name = (
        given.name if given.name is not None else (resource_name(uri) if kind == "resource" else "")
    )
    if kind == "resource" and given.name is None and ask:
        name = _ask_text(
            "Name of the resource's function", default=name, check=_name_check("resource name")
        )
    check_name(
        name, f"{kind} name", hint="give --name NAME (snake_case)" if kind == "resource" else ""
    )
    description = given.description
    if description is None:
        if not ask:
            raise NoTerminalError(
                f"no terminal to ask for the {kind}'s description", flags_hint(kind)
            )
        description = _ask_text(
            f"What does the {kind} do? (one line: its description)", check=_text_check
        )
    description = check_text(description, f"the {kind}'s description")
    arguments = [parse_argument(text) for text in given.arguments]
    if ask and not given.arguments:
        arguments = _ask_arguments(kind, uri)
    is_async = given.is_async
    if is_async is None:
        is_async = (
            _confirm("Async? (recommended: no thread per call)", default=True) if ask else True
        )
    if ask and not given.uses and kind != "prompt":
        uses = _ask_uses(target)
    scopes = check_scopes(given.scopes)
    if ask and not given.scopes and kind == "tool" and target.auth != "none":
        scopes = check_scopes(
            [
                _ask_text(
                    "Scopes an HTTP caller needs to call it (space-separated; empty for none)",
                    check=lambda answer: check_scopes([answer]),
                )
            ]
        )
    cost, limit = _rate_limit_share(given, target, ask=ask)
    text = given.text
    if kind == "prompt" and text is None and ask:
        draft = Addition(kind=kind, name=name, description=description, arguments=tuple(arguments))
        text = _ask_text(
            "The prompt's message ({argument} stands for an argument's value)",
            default=default_prompt_text(draft),
            check=lambda answer: prompt_parts(replace(draft, text=check_text(answer, "message"))),
        )
    return Addition(
        kind=kind,
        name=name,
        description=description,
        arguments=tuple(arguments),
        uri=uri,
        mime_type=given.mime_type or "application/json",
        text=check_text(text or "", "the prompt's message", required=False),
        is_async=is_async,
        scopes=scopes,
        uses_upstream="upstream" in uses,
        uses_database="database" in uses,
        cost=cost,
        limit=limit,
    )


def _rate_limit_share(given: Given, target: Target, *, ask: bool) -> tuple[int, str]:
    """A tool's cost and own limit: from the flags, else asked where the project has limits."""
    cost, limit = given.cost, given.limit
    if ask and given.kind == "tool" and target.rate_limited:
        if cost is None:
            answer = _ask_text(
                "Rate-limit cost of one call (the requests of RATE_LIMIT it counts)",
                default="1",
                check=lambda text: check_rate_limit(_whole(text), ""),
            )
            cost = _whole(answer)
        if limit is None:
            limit = _ask_text(
                "A rate limit of its own, per client (e.g. 10/minute; empty for none)",
                check=lambda text: check_rate_limit(1, text),
            )
    return check_rate_limit(1 if cost is None else cost, limit or "")


def _whole(text: str) -> int:
    if not text.strip().isdigit():
        raise fail(f"the cost {text.strip()!r} is not a whole number", "e.g. 1, or 5")
    return int(text)


# --- the questions -----------------------------------------------------------------------


def _validator(check: Callable[[str], object]) -> Callable[[str], bool | str]:
    def validate(answer: str) -> bool | str:
        try:
            check(answer)
        except InvalidAnswerError as error:
            return f"{error.message} ({error.hint})" if error.hint else error.message
        return True

    return validate


def _text_check(answer: str) -> None:
    check_text(answer, "the answer")


def _name_check(what: str) -> Callable[[str], None]:
    def check(answer: str) -> None:
        check_name(answer.strip(), what)

    return check


def _answered(answer: object) -> object:
    if answer is None:  # questionary returns None on Ctrl-C
        raise KeyboardInterrupt
    return answer


def _ask_text(message: str, *, default: str = "", check: Callable[[str], object]) -> str:
    import questionary  # noqa: PLC0415 - slow to import, only needed at a terminal

    answer = questionary.text(message, default=default, validate=_validator(check)).ask()
    return str(_answered(answer)).strip()


def _confirm(message: str, *, default: bool) -> bool:
    import questionary  # noqa: PLC0415

    return bool(_answered(questionary.confirm(message, default=default).ask()))


def _select(message: str, choices: Sequence[str]) -> str:
    import questionary  # noqa: PLC0415

    return str(_answered(questionary.select(message, choices=list(choices)).ask()))


def _ask_arguments(kind: Kind, uri: str) -> list[Argument]:
    """One argument after another: name, type, constraints, description."""
    if kind == "resource":
        return [_ask_argument(kind, name) for name in check_uri(uri)]
    arguments: list[Argument] = []
    question = f"Does the {kind} take an argument?"
    while _confirm(question, default=not arguments and kind != "prompt"):
        taken = {argument.name for argument in arguments}

        def new_name(answer: str, taken: set[str] = taken) -> None:
            check_name(answer.strip(), "argument name")
            if answer.strip() in taken:
                raise fail(f"argument {answer.strip()} is there already", "choose another name")

        name = _ask_text("Argument name", check=new_name)
        arguments.append(_ask_argument(kind, name))
        question = "Another argument?"
    return arguments


def _ask_argument(kind: Kind, name: str) -> Argument:
    del kind
    type_name = _select(f"Type of {name}", TYPES)
    constraints = _ask_text(
        f"Constraints of {name} (KEY=VALUE, comma-separated; empty for none), e.g."
        f" {_example(type_name)}",
        check=lambda answer: parse_argument(f"{name}:{type_name}:{answer}"),
    )
    description = _ask_text(
        f"Description of {name} (one line)",
        check=lambda answer: parse_argument(f"{name}:{type_name}:{constraints}:{answer}"),
    )
    return parse_argument(f"{name}:{type_name}:{constraints}:{description}")


def _example(type_name: str) -> str:
    return {
        "str": 'min_length=1,max_length=100 or pattern="^[a-z]+$",example=abc or choices=a|b',
        "int": "ge=1,le=14,default=3",
        "float": "ge=0,lt=1",
        "bool": "default=false",
    }[type_name]


def _ask_uses(target: Target) -> tuple[str, ...]:
    uses: list[str] = []
    if target.has_upstream and _confirm(
        f"Does it call the upstream HTTP API (src/{target.package}/upstream.py)?", default=False
    ):
        uses.append("upstream")
    if target.has_database and _confirm(
        f"Does it use the database (src/{target.package}/db.py)?", default=False
    ):
        uses.append("database")
    return tuple(uses)


def confirm_changes(paths: Sequence[str]) -> bool:
    """Show the files to write and ask whether to write them."""
    from mcpforge.console import out  # noqa: PLC0415

    for path in paths:
        out().print(f"  {path}", soft_wrap=True, highlight=False)
    return _confirm("Write these files?", default=True)

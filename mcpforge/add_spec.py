"""What `mcpforge add` writes, as data: a tool, resource or prompt and its arguments.

The `--arg` syntax, its parsing and every check of names, constraints and scopes live
here, so the flags and the interview refuse the same things with the same words: one
InvalidAnswerError, whose message says what is wrong and whose hint shows what to write.
"""

from __future__ import annotations

import builtins
import keyword
import math
import operator
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from mcpforge.errors import InvalidAnswerError

Kind = Literal["tool", "resource", "prompt"]
KINDS: tuple[Kind, ...] = ("tool", "resource", "prompt")
TYPES = ("str", "int", "float", "bool")
Scalar = str | int | float | bool

ARG_SYNTAX = "NAME:TYPE[:CONSTRAINTS[:DESCRIPTION]]"
ARG_EXAMPLE = "city:str:min_length=1,max_length=100:The city to look up"
ARG_HINT = (
    f"write --arg '{ARG_SYNTAX}', e.g. --arg '{ARG_EXAMPLE}' or --arg 'days:int:ge=1,le=14,"
    "default=3:Days ahead'; TYPE is str, int, float or bool"
)

# Field keywords each type takes, in the order they are written; `choices` becomes a
# Literal type, `example` the Field's `examples` (and the value the written test sends).
_NUMBER_BOUNDS = ("ge", "gt", "le", "lt")
CONSTRAINTS: dict[str, tuple[str, ...]] = {
    "str": ("min_length", "max_length", "pattern", "choices", "example", "default"),
    "int": (*_NUMBER_BOUNDS, "multiple_of", "example", "default"),
    "float": (*_NUMBER_BOUNDS, "example", "default"),
    "bool": ("example", "default"),
}

NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]*\Z")
NAME_MAX = 64
# A scope token (RFC 6749 3.3: printable ASCII but space, `"` and `\`), without `,` and `+`,
# which separate keys and scopes in MCP_API_KEYS.
SCOPE_PATTERN = re.compile(r"[\x21\x23-\x2a\x2d-\x5b\x5d-\x5f\x61-\x7e]+\Z")
# URI templates `add resource` writes: a scheme, then literal text and {name} variables.
URI_TEMPLATE = re.compile(r"[a-z][a-z0-9+.-]*://[^\s{}]*(\{[a-z][a-z0-9_]*\}[^\s{}]*)*\Z")
URI_VARIABLE = re.compile(r"\{([a-z][a-z0-9_]*)\}")
# RFC 6838 type/subtype, e.g. application/json or text/plain.
# A rate limit as the `limits` library reads it: "10/minute", "100 per hour", "5/30 seconds",
# several separated by `;`.
_LIMIT_ITEM = r"\s*\d+\s*(?:/|\s+per\s+)\s*(?:\d+\s*)?(?:second|minute|hour|day|month|year)s?\s*"
RATE_LIMIT = re.compile(rf"{_LIMIT_ITEM}(?:[;,|]{_LIMIT_ITEM})*\Z", re.IGNORECASE)
MIME_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*\Z")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


@dataclass(frozen=True)
class Argument:
    """One argument of a tool, resource or prompt, with its pydantic Field constraints."""

    name: str
    type: str
    # Field keyword arguments besides description and examples, e.g. (("min_length", 1),).
    constraints: tuple[tuple[str, Scalar], ...] = ()
    choices: tuple[str, ...] = ()  # a Literal type instead of `str`
    default: Scalar | None = None  # None: the argument is required
    example: Scalar | None = None
    description: str = ""

    @property
    def required(self) -> bool:
        return self.default is None

    def constraint(self, key: str) -> Scalar | None:
        return dict(self.constraints).get(key)


@dataclass(frozen=True)
class Addition:
    """A tool, resource or prompt to add to a project."""

    kind: Kind
    name: str  # the Python function (and module) name; the tool's or prompt's name
    description: str
    arguments: tuple[Argument, ...] = ()
    uri: str = ""  # resources only: the URI (template) it answers
    mime_type: str = "application/json"  # resources only
    text: str = ""  # prompts only: the message, with {argument} placeholders
    is_async: bool = True
    scopes: tuple[str, ...] = ()
    uses_upstream: bool = False
    uses_database: bool = False
    cost: int = 1  # tools: requests of RATE_LIMIT a call counts
    limit: str = ""  # tools: a rate limit of its own, e.g. "10/minute"

    @property
    def rate_limited(self) -> bool:
        return self.cost != 1 or bool(self.limit)

    @property
    def module(self) -> str:
        return self.name


def fail(message: str, hint: str) -> InvalidAnswerError:
    return InvalidAnswerError(message, hint)


def check_name(name: str, what: str = "name", *, hint: str = "") -> str:
    """A snake_case Python identifier that is neither a keyword nor a builtin."""
    hint = hint or f"use snake_case letters, digits and underscores, e.g. get_forecast ({what})"
    if not NAME_PATTERN.match(name):
        raise fail(
            f"{what} {name!r} must start with a lowercase letter and hold only lowercase"
            " letters, digits and underscores",
            hint,
        )
    if len(name) > NAME_MAX:
        raise fail(f"{what} {name!r} is longer than {NAME_MAX} characters", hint)
    if keyword.iskeyword(name) or keyword.issoftkeyword(name) or name in {"true", "false", "none"}:
        raise fail(f"{what} {name!r} is a Python keyword", hint)
    if name in dir(builtins):
        raise fail(f"{what} {name!r} would shadow the Python builtin {name}()", hint)
    if name == "l":  # ruff's E741-E743 (pycodestyle): it reads as 1 or I
        raise fail(f"{what} 'l' is too easily read as 1 or I", hint)
    return name


def check_text(text: str, what: str, *, required: bool = True) -> str:
    """One line of free text: trimmed, without control characters."""
    text = text.strip()
    if required and not text:
        raise fail(f"{what} must not be empty", f"give one line saying what it is ({what})")
    if _CONTROL.search(text):
        raise fail(f"{what} must be one line of text, without control characters", "drop them")
    return text


def check_scopes(scopes: Iterable[str]) -> tuple[str, ...]:
    """OAuth scope tokens, each once, in the order given (`a b`, `a,b` and repeats all work)."""
    found: list[str] = []
    for item in scopes:
        for scope in re.split(r"[\s,]+", item.strip()):
            if not scope:
                continue
            if not SCOPE_PATTERN.match(scope):
                raise fail(
                    f"scope {scope!r} is not an OAuth scope token",
                    "use printable ASCII without spaces, quotes, backslashes, ',' or '+'"
                    " (e.g. notes:write)",
                )
            if scope not in found:
                found.append(scope)
    return tuple(found)


def check_rate_limit(cost: int, limit: str) -> tuple[int, str]:
    """A tool's rate-limit cost (1 or more) and own limit (`limits` syntax, or '')."""
    if cost < 1:
        raise fail(f"the cost {cost} must be 1 or more", "--cost 5 counts a call as 5 requests")
    limit = limit.strip()
    if limit and not RATE_LIMIT.match(limit):
        raise fail(
            f"the limit {limit!r} is not a rate limit",
            "write e.g. --limit 10/minute (or 100/hour; several separated by ;)",
        )
    return cost, limit


def check_uri(uri: str) -> tuple[str, ...]:
    """A URI template `add resource` can write; its variables, in order."""
    hint = "write scheme://path with {name} variables, e.g. weather://{city}/current"
    if not URI_TEMPLATE.match(uri):
        raise fail(f"resource URI {uri!r} is not a URI template mcpforge can write", hint)
    variables = tuple(URI_VARIABLE.findall(uri))
    if len(set(variables)) != len(variables):
        raise fail(f"resource URI {uri!r} names a variable twice", hint)
    for variable in variables:
        check_name(variable, "URI variable", hint=hint)
    return variables


def uri_shape(uri: str) -> str:
    """What a URI template matches, whatever its variables are called."""
    return URI_VARIABLE.sub("{}", uri)


def resource_name(uri: str) -> str:
    """A function name for a resource, from its URI's words (weather://{city}/now: weather_now)."""
    literal = URI_VARIABLE.sub(" ", uri).lower()
    words = [word for word in re.split(r"[^a-z0-9]+", literal) if word]
    name = "_".join(words)
    if name and not name[0].isalpha():
        name = "resource_" + name
    return name[:NAME_MAX].rstrip("_")


# --- the --arg syntax --------------------------------------------------------------------


def parse_argument(text: str) -> Argument:
    """An `--arg NAME:TYPE[:CONSTRAINTS[:DESCRIPTION]]` value, checked.

    CONSTRAINTS are KEY=VALUE pairs separated by commas; a VALUE holding `,` or `:` (a
    pattern, say) is written in double quotes, with `\\"` and `\\\\` inside. The
    description is everything after the third colon, colons included.
    """
    name, sep, rest = text.strip().partition(":")
    name = name.strip()
    if not sep:
        raise fail(f"--arg {text!r} has no type", ARG_HINT)
    check_name(name, "argument name", hint=ARG_HINT)
    type_name, _, rest = rest.partition(":")
    type_name = type_name.strip()
    if type_name not in TYPES:
        raise fail(
            f"argument {name}: type {type_name!r} is not one of {', '.join(TYPES)}", ARG_HINT
        )
    pairs, description = _split_constraints(name, rest)
    return build_argument(name, type_name, pairs, description)


def _split_constraints(name: str, text: str) -> tuple[list[tuple[str, str]], str]:
    """The KEY=VALUE pairs before the next top-level colon, and the description after it."""
    pairs: list[tuple[str, str]] = []
    index = 0
    while index < len(text):
        if text[index] == ":":
            return pairs, text[index + 1 :]
        equals = text.find("=", index)
        stop = min(
            (i for i in (text.find(",", index), text.find(":", index)) if i >= 0), default=-1
        )
        if equals < 0 or (0 <= stop < equals):
            shown = text[index : stop if stop >= 0 else len(text)].strip()
            raise fail(
                f"argument {name}: constraint {shown!r} is not KEY=VALUE",
                f"a description without constraints takes an empty constraints field:"
                f" {name}:TYPE::{shown}",
            )
        key = text[index:equals].strip()
        quoted = text[equals + 1 : equals + 2] == '"'
        value, index = _read_value(name, key, text, equals + 1)
        if key == "pattern" and not quoted:
            # A regular expression so often holds `,` or `:` that it is always quoted.
            raise fail(
                f"argument {name}: the pattern must be in double quotes",
                f'write pattern="{value}" (a `"` inside as \\", a backslash as \\\\)',
            )
        pairs.append((key, value))
        if index < len(text) and text[index] == ",":
            index += 1
    return pairs, ""


def _read_value(name: str, key: str, text: str, start: int) -> tuple[str, int]:
    """A constraint's value from `start`: quoted ("...") or up to the next `,` or `:`."""
    if start < len(text) and text[start] == '"':
        chars: list[str] = []
        index = start + 1
        while index < len(text):
            char = text[index]
            if char == "\\" and index + 1 < len(text) and text[index + 1] in '"\\':
                chars.append(text[index + 1])
                index += 2
                continue
            if char == '"':
                end = index + 1
                if end < len(text) and text[end] not in ",:":
                    raise fail(
                        f"argument {name}: {key}'s quoted value is followed by {text[end]!r}",
                        "end a quoted value with a comma, a colon or the end of --arg",
                    )
                return "".join(chars), end
            chars.append(char)
            index += 1
        raise fail(f"argument {name}: {key}'s value has no closing quote", 'write key="value"')
    end = len(text)
    for separator in ",:":
        found = text.find(separator, start)
        if found >= 0:
            end = min(end, found)
    return text[start:end].strip(), end


def build_argument(
    name: str, type_name: str, pairs: Sequence[tuple[str, str]], description: str = ""
) -> Argument:
    """An Argument from constraint pairs as written (strings), every value converted and checked."""
    allowed = CONSTRAINTS[type_name]
    seen: dict[str, str] = {}
    for key, value in pairs:
        if key not in allowed:
            raise fail(
                f"argument {name}: {key!r} is not a constraint of {type_name}",
                f"{type_name} takes {', '.join(allowed) or 'no constraints'}",
            )
        if key in seen:
            raise fail(f"argument {name}: {key} is given twice", "give each constraint once")
        seen[key] = value
    constraints: list[tuple[str, Scalar]] = []
    choices: tuple[str, ...] = ()
    for key in allowed:
        if key not in seen or key in ("default", "example"):
            continue
        raw = seen[key]
        if key == "choices":
            choices = _choices(name, raw)
        elif key == "pattern":
            constraints.append((key, _pattern(name, raw)))
        elif key in ("min_length", "max_length"):
            constraints.append((key, _count(name, key, raw)))
        else:
            constraints.append((key, _number(name, key, raw, type_name)))
    argument = Argument(
        name=name,
        type=type_name,
        constraints=tuple(constraints),
        choices=choices,
        description=check_text(description, f"argument {name}'s description", required=False),
    )
    _check_consistent(argument)
    default = _value(argument, "default", seen["default"]) if "default" in seen else None
    example = _value(argument, "example", seen["example"]) if "example" in seen else None
    return Argument(
        name=argument.name,
        type=argument.type,
        constraints=argument.constraints,
        choices=argument.choices,
        default=default,
        example=example,
        description=argument.description,
    )


def _choices(name: str, raw: str) -> tuple[str, ...]:
    values = tuple(value.strip() for value in raw.split("|"))
    if not all(values) or len(set(values)) != len(values):
        raise fail(
            f"argument {name}: choices {raw!r} must be distinct, non-empty values",
            "separate the values with |, e.g. choices=metric|imperial",
        )
    for value in values:
        check_text(value, f"argument {name}'s choice")
    return values


def _pattern(name: str, raw: str) -> str:
    try:
        re.compile(raw)
    except re.error as error:
        raise fail(
            f"argument {name}: pattern {raw!r} is not a regular expression ({error})",
            'fix the pattern; quote it when it holds , or : (pattern="^[a-z]+$")',
        ) from None
    check_text(raw, f"argument {name}'s pattern")
    return raw


def _count(name: str, key: str, raw: str) -> int:
    if not re.fullmatch(r"\d{1,9}", raw):
        raise fail(
            f"argument {name}: {key} {raw!r} is not a whole number of 0 or more", f"e.g. {key}=1"
        )
    return int(raw)


def _number(name: str, key: str, raw: str, type_name: str) -> int | float:
    try:
        value: int | float = int(raw) if type_name == "int" else float(raw)
    except ValueError:
        kind = "a whole number" if type_name == "int" else "a number"
        raise fail(f"argument {name}: {key} {raw!r} is not {kind}", f"e.g. {key}=1") from None
    if not math.isfinite(value):
        raise fail(f"argument {name}: {key} must be a finite number", f"e.g. {key}=1.5")
    if key == "multiple_of" and value <= 0:
        raise fail(f"argument {name}: multiple_of must be above 0", "e.g. multiple_of=5")
    return value


def _check_consistent(argument: Argument) -> None:
    """Refuse constraints no value can satisfy, or that contradict each other."""
    name, get = argument.name, argument.constraint
    for first, second in (("ge", "gt"), ("le", "lt")):
        if get(first) is not None and get(second) is not None:
            raise fail(f"argument {name}: give {first} or {second}, not both", f"drop {second}")
    if argument.choices and any(
        get(key) is not None for key in ("min_length", "max_length", "pattern")
    ):
        raise fail(
            f"argument {name}: choices cannot be combined with min_length, max_length or pattern",
            "the choices alone say which values are accepted",
        )
    low, high = get("min_length"), get("max_length")
    if isinstance(low, int) and isinstance(high, int) and low > high:
        raise fail(f"argument {name}: min_length {low} is above max_length {high}", "swap them")
    lower = get("ge") if get("ge") is not None else get("gt")
    upper = get("le") if get("le") is not None else get("lt")
    if isinstance(lower, int | float) and isinstance(upper, int | float):
        strict = get("gt") is not None or get("lt") is not None
        if lower > upper or (strict and lower >= upper):
            raise fail(
                f"argument {name}: no number is within {lower} and {upper}", "fix the bounds"
            )


def _value(argument: Argument, key: str, raw: str) -> Scalar:
    """A default or example, converted to the argument's type and checked like input."""
    name = argument.name
    value: Scalar
    if argument.type == "bool":
        if raw.lower() not in ("true", "false"):
            raise fail(f"argument {name}: {key} {raw!r} is not true or false", f"{key}=true")
        value = raw.lower() == "true"
    elif argument.type in ("int", "float"):
        value = _number(name, key, raw, argument.type)
    else:
        value = check_text(raw, f"argument {name}'s {key}", required=False)
    problem = violation(argument, value)
    if problem:
        raise fail(
            f"argument {name}: {key} {raw!r} {problem}", f"give a {key} the constraints accept"
        )
    return value


def violation(argument: Argument, value: Scalar) -> str:
    """Why `value` is refused by the argument's type and constraints ('' when it is accepted).

    The rules pydantic applies in the server (bar its regex engine: mcpforge also has
    pydantic compile each pattern when it checks an addition).
    """
    if argument.choices:
        return "" if value in argument.choices else f"is not one of {', '.join(argument.choices)}"
    if isinstance(value, str):
        return _string_violation(argument, value)
    if isinstance(value, bool):
        return ""
    return _number_violation(argument, value)


def _string_violation(argument: Argument, value: str) -> str:
    low, high = argument.constraint("min_length"), argument.constraint("max_length")
    pattern = argument.constraint("pattern")
    if isinstance(low, int) and len(value) < low:
        return f"is shorter than min_length {low}"
    if isinstance(high, int) and len(value) > high:
        return f"is longer than max_length {high}"
    if isinstance(pattern, str) and not re.search(pattern, value):
        return f"does not match the pattern {pattern!r}"
    return ""


_BOUNDS = {
    "ge": (operator.ge, "is below"),
    "gt": (operator.gt, "is not above"),
    "le": (operator.le, "is above"),
    "lt": (operator.lt, "is not below"),
}


def _number_violation(argument: Argument, value: float) -> str:
    for key, (holds, words) in _BOUNDS.items():
        bound = argument.constraint(key)
        if isinstance(bound, int | float) and not holds(value, bound):
            return f"{words} {key} {bound}"
    step = argument.constraint("multiple_of")
    if isinstance(step, int) and isinstance(value, int) and value % step:
        return f"is not a multiple of {step}"
    return ""

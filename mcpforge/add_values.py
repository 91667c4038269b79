"""The values a written test sends, and what the written placeholder handler answers.

The test of an added handler calls it with valid input (an argument's example, its
default, or a value made up inside its constraints) and with one value its constraints
refuse; it expects exactly what the placeholder body returns for the valid input.
"""

from __future__ import annotations

import math
import string
from urllib.parse import quote

from mcpforge.add_spec import Addition, Argument, Scalar, fail, violation

_STRING_CANDIDATES = ("example", "a", "abc", "A", "Abc", "1", "a1", "test", "x-1", "a_b", "a.b")
_BAD_STRINGS = ("", "!", "not a match 123", "\u00fc", " ", "A" * 300)
# Wrong types by argument type (pydantic converts no number to a string, nor "maybe" to a bool).
_WRONG_TYPE: dict[str, Scalar] = {
    "str": 12345,
    "int": "not a number",
    "float": "not a number",
    "bool": "maybe",
}


def valid_value(argument: Argument) -> Scalar:
    """A value the argument accepts: its example, its default, or one made up."""
    if argument.example is not None:
        return argument.example
    if argument.default is not None:
        return argument.default
    if argument.choices:
        return argument.choices[0]
    if argument.type == "bool":
        return True
    candidates: list[Scalar]
    if argument.type == "str":
        low = argument.constraint("min_length")
        wanted = low if isinstance(low, int) and low > 1 else 1
        candidates = [*_STRING_CANDIDATES, "example" + "x" * wanted, "a" * wanted]
    else:
        candidates = _numbers_inside(argument)
    for candidate in candidates:
        if not violation(argument, candidate):
            return candidate
    raise fail(
        f"argument {argument.name}: mcpforge found no value its constraints accept for the"
        " written test",
        f"give one: add example=VALUE to its constraints (e.g. --arg '{argument.name}:"
        f"{argument.type}:...,example=VALUE')",
    )


def _numbers_inside(argument: Argument) -> list[Scalar]:
    """Numbers near the middle and the edges of the argument's bounds."""
    get = argument.constraint
    is_int = argument.type == "int"
    lower = get("ge") if get("ge") is not None else get("gt")
    upper = get("le") if get("le") is not None else get("lt")
    low = float(lower) if isinstance(lower, int | float) else None
    high = float(upper) if isinstance(upper, int | float) else None
    guesses: list[float] = [1.0, 1.5, 0.5, 0.0]
    if low is not None and high is not None:
        guesses = [(low + high) / 2, low, high, low + 1, high - 1]
    elif low is not None:
        guesses = [low + 1, low, low + 0.5]
    elif high is not None:
        guesses = [high - 1, high, high - 0.5]
    step = get("multiple_of")
    values: list[Scalar] = []
    for guess in guesses:
        if not is_int:
            values.append(guess)
            continue
        whole = math.ceil(guess)
        if isinstance(step, int):
            whole = math.ceil(whole / step) * step
        values += [whole, whole - (step if isinstance(step, int) else 1)]
    return values


def invalid_input(addition: Addition) -> tuple[Argument, Scalar] | None:
    """An argument and a value it refuses (for the written test); None when nothing can be.

    A value out of the argument's constraints where it has some, else one of a wrong type;
    resources and prompts receive strings only, so any string is valid for a str there.
    """
    for argument in addition.arguments:
        for value in _breaking_values(argument):
            if violation(argument, value):
                return argument, value
    for argument in addition.arguments:
        if argument.type == "str" and addition.kind != "tool":
            continue
        return argument, _WRONG_TYPE[argument.type]
    return None


def _breaking_values(argument: Argument) -> list[Scalar]:
    get = argument.constraint
    if argument.choices:
        return ["not-" + "-".join(argument.choices)]
    values: list[Scalar] = []
    if argument.type == "str":
        low, high = get("min_length"), get("max_length")
        if isinstance(low, int) and low >= 1:
            values.append("a" * (low - 1))
        if isinstance(high, int):
            values.append("a" * (high + 1))
        if get("pattern") is not None:
            values += _BAD_STRINGS
        return values
    for key, shift in (("ge", -1), ("gt", 0), ("le", 1), ("lt", 0)):
        bound = get(key)
        if isinstance(bound, int | float) and not isinstance(bound, bool):
            moved = bound + shift
            values.append(int(moved) if argument.type == "int" else float(moved))
    step = get("multiple_of")
    valid = valid_value(argument)
    if isinstance(step, int) and step > 1 and isinstance(valid, int):
        values.append(valid + 1)
    return values


def uri_for(uri: str, values: dict[str, Scalar]) -> str:
    """The URI template with each variable replaced by its value, percent-encoded."""
    result = uri
    for name, value in values.items():
        result = result.replace(f"{{{name}}}", quote(as_text(value), safe=""))
    return result


def as_text(value: Scalar) -> str:
    """A value as a URI or a prompt argument carries it (booleans as JSON writes them)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --- what the placeholder handler answers -------------------------------------------------


def summary_parts(addition: Addition) -> list[tuple[str, str]]:
    """The placeholder result as f-string parts: `name: a='x', b=2` (the arguments as received)."""
    if not addition.arguments:
        return [(f"{addition.name}: done", "")]
    parts: list[tuple[str, str]] = []
    for index, argument in enumerate(addition.arguments):
        lead = f"{addition.name}: " if index == 0 else ", "
        parts.append((f"{lead}{argument.name}=", f"{argument.name}!r"))
    return parts


def summary_value(addition: Addition, values: dict[str, Scalar]) -> str:
    """What summary_parts() evaluates to with these argument values."""
    if not addition.arguments:
        return f"{addition.name}: done"
    shown = ", ".join(f"{item.name}={values[item.name]!r}" for item in addition.arguments)
    return f"{addition.name}: {shown}"


def prompt_parts(addition: Addition) -> list[tuple[str, str]]:
    """The prompt's text as literal runs and `{argument}` fields, checked against the arguments."""
    text = addition.text or default_prompt_text(addition)
    names = {argument.name for argument in addition.arguments}
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as error:
        raise fail(
            f"prompt text {text!r} is not a valid template ({error})",
            "write {argument} for an argument's value and {{ or }} for a brace",
        ) from None
    parts: list[tuple[str, str]] = []
    for literal, field_name, spec, conversion in parsed:
        if field_name is None:
            parts.append((literal, ""))
            continue
        if field_name not in names or spec or conversion:
            shown = (
                field_name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            )
            choices = ", ".join(sorted(names)) or "none yet: add --arg"
            raise fail(
                f"prompt text names {{{shown}}}, which is not an argument of the prompt",
                f"write {{NAME}} for one of its arguments ({choices}), {{{{ or }}}} for a brace",
            )
        parts.append((literal, field_name))
    return parts


def default_prompt_text(addition: Addition) -> str:
    """The description, then each argument as `name: {name}`."""
    fields = ", ".join(f"{argument.name}: {{{argument.name}}}" for argument in addition.arguments)
    escaped = addition.description.replace("{", "{{").replace("}", "}}")
    return f"{escaped} ({fields})" if fields else escaped


def prompt_value(addition: Addition, values: dict[str, Scalar]) -> str:
    """The prompt's text with these argument values (as the handler's f-string formats them)."""
    return "".join(
        literal + (str(values[name]) if name else "") for literal, name in prompt_parts(addition)
    )

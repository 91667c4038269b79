"""`mcpforge add`'s --arg syntax and name checks: what they accept, the one line they refuse."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mcpforge.add_spec import (
    Addition,
    Argument,
    check_name,
    check_scopes,
    check_uri,
    parse_argument,
    resource_name,
    uri_shape,
    violation,
)
from mcpforge.add_values import invalid_input, valid_value
from mcpforge.errors import InvalidAnswerError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("city:str", Argument("city", "str")),
        (
            "city:str:min_length=1,max_length=100:The city: any",
            Argument(
                "city", "str", (("min_length", 1), ("max_length", 100)), description="The city: any"
            ),
        ),
        (
            "days:int:ge=1,le=14,default=3:Days ahead",
            Argument("days", "int", (("ge", 1), ("le", 14)), default=3, description="Days ahead"),
        ),
        ("ratio:float:gt=0,lt=1", Argument("ratio", "float", (("gt", 0.0), ("lt", 1.0)))),
        ("verbose:bool::Say more", Argument("verbose", "bool", description="Say more")),
        ("loud:bool:default=TRUE", Argument("loud", "bool", default=True)),
        (
            "units:str:choices=metric|imperial,default=imperial",
            Argument("units", "str", choices=("metric", "imperial"), default="imperial"),
        ),
        (
            'code:str:pattern="^[A-Z]{3}$",example=NYC:IATA code',
            Argument(
                "code", "str", (("pattern", "^[A-Z]{3}$"),), example="NYC", description="IATA code"
            ),
        ),
        ("n:int:multiple_of=5,example=10", Argument("n", "int", (("multiple_of", 5),), example=10)),
    ],
)
def test_parse_argument_reads_the_syntax(text: str, expected: Argument) -> None:
    assert parse_argument(text) == expected


def test_a_quoted_pattern_keeps_commas_colons_and_escapes() -> None:
    argument = parse_argument(
        r'quote:str:pattern="^\"[a-z,:\\\\]+\d\"$",example="\"a,b\\1\"":Quoted'
    )
    assert argument.constraint("pattern") == r'^"[a-z,:\\]+\d"$'
    assert argument.example == '"a,b\\1"'
    assert argument.description == "Quoted"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("city", "--arg 'city' has no type"),
        ("City:str", "argument name 'City' must start with a lowercase letter"),
        ("class:str", "argument name 'class' is a Python keyword"),
        ("id:int", "argument name 'id' would shadow the Python builtin id()"),
        ("city:text", "argument city: type 'text' is not one of str, int, float, bool"),
        ("city:str:The city", "argument city: constraint 'The city' is not KEY=VALUE"),
        ("city:str:ge=1", "argument city: 'ge' is not a constraint of str"),
        ("city:str:min_length=1,min_length=2", "argument city: min_length is given twice"),
        ("city:str:min_length=-1", "argument city: min_length '-1' is not a whole number"),
        ("city:str:min_length=5,max_length=2", "min_length 5 is above max_length 2"),
        ("days:int:ge=5,le=2", "argument days: no number is within 5 and 2"),
        ("days:float:gt=2,lt=2", "argument days: no number is within 2.0 and 2.0"),
        ("days:int:ge=1,gt=2", "argument days: give ge or gt, not both"),
        ("days:int:ge=one", "argument days: ge 'one' is not a whole number"),
        ("ratio:float:lt=inf", "argument ratio: lt must be a finite number"),
        ("n:int:multiple_of=0", "argument n: multiple_of must be above 0"),
        ("days:int:ge=1,default=0", "argument days: default '0' is below ge 1"),
        ("flag:bool:default=yes", "argument flag: default 'yes' is not true or false"),
        ("city:str:pattern=^[a-z]+$", "argument city: the pattern must be in double quotes"),
        ('city:str:pattern="^[a-z', "argument city: pattern's value has no closing quote"),
        ('city:str:pattern="^[a-z"x', "argument city: pattern's quoted value is followed by 'x'"),
        (
            'city:str:pattern="([a-z]"',
            "argument city: pattern '([a-z]' is not a regular expression",
        ),
        ("units:str:choices=a||b", "argument units: choices 'a||b' must be distinct"),
        ("units:str:choices=a|b,min_length=1", "choices cannot be combined with min_length"),
        ("units:str:choices=a|b,default=c", "argument units: default 'c' is not one of a, b"),
        ("city:str::two\nlines", "argument city's description must be one line of text"),
    ],
)
def test_parse_argument_refuses_with_one_line(text: str, message: str) -> None:
    with pytest.raises(InvalidAnswerError) as raised:
        parse_argument(text)
    assert message in raised.value.message
    assert "\n" not in raised.value.message
    assert raised.value.hint


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("get_forecast", ""),
        ("Forecast", "must start with a lowercase letter"),
        ("2fast", "must start with a lowercase letter"),
        ("get-forecast", "must start with a lowercase letter"),
        ("import", "is a Python keyword"),
        ("match", "is a Python keyword"),
        ("list", "would shadow the Python builtin list()"),
        ("a" * 65, "is longer than 64 characters"),
    ],
)
def test_names_are_snake_case_identifiers(name: str, message: str) -> None:
    if not message:
        assert check_name(name) == name
        return
    with pytest.raises(InvalidAnswerError, match=message):
        check_name(name)


def test_scopes_are_scope_tokens_each_once() -> None:
    assert check_scopes(["notes:write notes:read", "notes:write,admin"]) == (
        "notes:write",
        "notes:read",
        "admin",
    )
    for bad in ('"quoted"', "a+b", "back\\slash", "tick`"):
        with pytest.raises(InvalidAnswerError, match="is not an OAuth scope token"):
            check_scopes([bad])


def test_uri_templates_and_their_names() -> None:
    assert check_uri("weather://{city}/current") == ("city",)
    assert check_uri("weather://today") == ()
    assert resource_name("weather://{city}/current") == "weather_current"
    assert resource_name("Docs://{id}") == "docs"
    assert resource_name("x1://{a}") == "x1"
    assert uri_shape("w://{city}/{day}") == uri_shape("w://{town}/{date}")
    for bad in ("no-scheme/{x}", "w://{City}", "w://{a}/{a}", "w://{x y}", "w:// space"):
        with pytest.raises(InvalidAnswerError):
            check_uri(bad)


# --- the values the written tests send ---------------------------------------------------

_KEYS = {
    "str": st.sampled_from(["min_length", "max_length", "pattern", "choices", "example"]),
    "int": st.sampled_from(["ge", "gt", "le", "lt", "multiple_of", "default"]),
    "float": st.sampled_from(["ge", "gt", "le", "lt", "default", "example"]),
    "bool": st.sampled_from(["default", "example"]),
}
_VALUES = {
    "min_length": st.integers(0, 20).map(str),
    "max_length": st.integers(0, 40).map(str),
    "pattern": st.sampled_from(['"^[a-z]+$"', '"[0-9]"', '"^x"', '"^(ab|cd)*$"', '"\\\\d{2,}"']),
    "choices": st.sampled_from(["a|b", "metric|imperial", "x"]),
    "example": st.sampled_from(["abc", "1", "2.5", "true", "x"]),
    "default": st.sampled_from(["3", "0", "-1", "1.5", "false", "10"]),
    "ge": st.integers(-5, 5).map(str),
    "gt": st.integers(-5, 5).map(str),
    "le": st.integers(-5, 20).map(str),
    "lt": st.integers(-5, 20).map(str),
    "multiple_of": st.integers(1, 7).map(str),
}


@st.composite
def argument_specs(draw: st.DrawFn) -> str:
    type_name = draw(st.sampled_from(["str", "int", "float", "bool"]))
    keys = draw(st.lists(_KEYS[type_name], max_size=3, unique=True))
    pairs = [f"{key}={draw(_VALUES[key])}" for key in keys]
    return f"value:{type_name}:{','.join(pairs)}:A value"


@settings(max_examples=300, deadline=None)
@given(argument_specs())
def test_every_accepted_argument_gets_a_valid_and_an_invalid_value(spec: str) -> None:
    try:
        argument = parse_argument(spec)
    except InvalidAnswerError as error:
        assert "\n" not in error.message
        return
    try:
        value = valid_value(argument)
    except InvalidAnswerError as error:  # a pattern no candidate matches: asks for an example
        assert "example=VALUE" in error.hint
        return
    assert violation(argument, value) == ""
    refused = invalid_input(Addition(kind="tool", name="t", description="d", arguments=(argument,)))
    assert refused is not None
    _, bad = refused
    if isinstance(bad, str) == isinstance(value, str):  # else a value of the wrong type
        assert violation(argument, bad) != ""


def test_constraints_no_test_value_meets_ask_for_an_example() -> None:
    for spec in ("days:int:gt=2,lt=3", 'code:str:pattern="^[A-Z]{3}$"'):
        with pytest.raises(InvalidAnswerError) as raised:
            valid_value(parse_argument(spec))
        assert "found no value its constraints accept" in raised.value.message
        assert "example=VALUE" in raised.value.hint
    assert valid_value(parse_argument('code:str:pattern="^[A-Z]{3}$",example=NYC')) == "NYC"

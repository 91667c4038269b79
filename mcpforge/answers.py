"""Answers for the template: gathered from flags, data files and presets, checked early.

The questions themselves live in copier.yml (the one source of truth); this module only
reads their names and choices from it, so an unknown key or a repeated one is refused
before anything is rendered. Values are validated by copier's own validators at render
time (see copier_calls.py), which is where the rules are written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from mcpforge.errors import InvalidAnswerError

ANSWER_HINT = "see the questions with `mcpforge new --help` or copier.yml"


@dataclass(frozen=True)
class Question:
    """What mcpforge needs to know of a copier.yml question."""

    name: str
    help: str
    type: str
    choices: tuple[str, ...]

    @property
    def label(self) -> str:
        """The question as people read it: its help up to the first detail ("HTTP port"
        of "HTTP port (1-65535)"), else its key."""
        shown = re.split(r" \(|: |; ", self.help, maxsplit=1)[0].strip()
        return shown or self.name

    @property
    def named(self) -> str:
        """The label with the key that --data and --data-file take: `HTTP port (http_port)`."""
        same = self.label.lower().replace(" ", "_") == self.name
        return self.label if same else f"{self.label} ({self.name})"


def load_questions(copier_yml: Path) -> dict[str, Question]:
    """Read the questions from copier.yml, in order.

    A question is every key not starting with `_`, except the computed flags (`when:
    false`): copier derives those from the answers, never asks and never records them, so
    they are not answers anyone gives (an unknown question to --data and --data-file).
    """
    config = yaml.safe_load(copier_yml.read_text(encoding="utf-8"))
    questions: dict[str, Question] = {}
    for name, raw_spec in config.items():
        if not is_question(name, raw_spec):
            continue
        spec = raw_spec if isinstance(raw_spec, dict) else {"default": raw_spec}
        raw_choices = spec.get("choices") or ()
        choices = tuple(
            str(value)
            for value in (raw_choices.values() if isinstance(raw_choices, dict) else raw_choices)
        )
        questions[name] = Question(
            name=name,
            help=str(spec.get("help", "")),
            type=str(spec.get("type", "str")),
            choices=choices,
        )
    return questions


def is_question(name: str, spec: Any) -> bool:
    """Whether a key of copier.yml is a question: not a setting, not a computed flag."""
    computed = isinstance(spec, dict) and spec.get("when") is False
    return not name.startswith("_") and not computed


def parse_data_pairs(pairs: Iterable[str]) -> dict[str, str]:
    """Turn repeated `--data KEY=VALUE` options into a dict, refusing repeats."""
    data: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise InvalidAnswerError(
                f"--data {pair!r} is not of the form KEY=VALUE",
                "write it as --data http_port=8080",
            )
        if key in data:
            raise InvalidAnswerError(
                f"--data {key} is given twice ({data[key]!r} and {value!r})",
                "give each answer once",
            )
        data[key] = value
    return data


def read_data_file(path: Path) -> dict[str, Any]:
    """Read answers from a YAML (or JSON) file holding one mapping."""
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidAnswerError(
            f"data file {path} does not exist", "pass the path of a YAML file of answers"
        ) from None
    except (OSError, yaml.YAMLError) as error:
        first_line = str(error).splitlines()[0] if str(error) else type(error).__name__
        raise InvalidAnswerError(
            f"data file {path} cannot be read: {first_line}",
            "it must be a YAML mapping of question names to answers",
        ) from None
    if content is None:
        return {}
    if not isinstance(content, dict):
        raise InvalidAnswerError(
            f"data file {path} does not hold a mapping of answers",
            "write one `question_name: answer` per line",
        )
    # Answers files written by copier carry metadata keys (_src_path, _commit): skip them.
    return {str(key): value for key, value in content.items() if not str(key).startswith("_")}


def combine_answers(
    questions: Mapping[str, Question],
    *,
    project_name: str | None = None,
    preset: str | None = None,
    file_data: Mapping[str, Any] | None = None,
    flag_data: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Merge answers from every source; a key two sources give different values is refused.

    Refuses unknown question names and presets that copier.yml does not offer.
    """
    sources: list[tuple[str, Mapping[str, Any]]] = [
        ("the project name argument", {"project_name": project_name} if project_name else {}),
        ("--preset", {"preset": preset} if preset is not None else {}),
        ("--data-file", file_data or {}),
        ("--data", flag_data or {}),
    ]
    combined: dict[str, Any] = {}
    given_by: dict[str, str] = {}
    for source, data in sources:
        for key, value in data.items():
            if key not in questions:
                raise InvalidAnswerError(
                    f"unknown question {key!r} in {source}",
                    _suggest_question(key, questions),
                )
            coerced = coerce(questions[key], value)
            if key in combined:
                if combined[key] == coerced:  # say, an answers file naming this project
                    continue
                raise InvalidAnswerError(
                    f"{key} is given twice: {combined[key]!r} by {given_by[key]}"
                    f" and {coerced!r} by {source}",
                    "give each answer once",
                )
            combined[key] = coerced
            given_by[key] = source
    for key, value in combined.items():
        check_choice(questions[key], value)
    return combined


_TRUE = {"true", "yes", "y", "on", "1"}
_FALSE = {"false", "no", "n", "off", "0"}


def coerce(question: Question, value: Any) -> Any:
    """Turn a text answer into the question's type, with a clear error if it does not fit.

    Copier would cast too, but its errors do not name the question.
    """
    if not isinstance(value, str):
        return _check_type(question, value)
    text = value.strip()
    if question.type == "bool":
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise InvalidAnswerError(
            f"{question.named}: {value!r} is not true or false",
            f"write {question.name}=true or false",
        )
    if question.type in {"int", "float"}:
        try:
            return int(text) if question.type == "int" else float(text)
        except ValueError:
            if question.type == "int" and _is_number(text):
                raise InvalidAnswerError(
                    f"{question.named}: {value!r} is not a whole number",
                    f"{question.help}; give it with --data {question.name}=VALUE",
                ) from None
            kind = "a whole number" if question.type == "int" else "a number"
            raise InvalidAnswerError(
                f"{question.named}: {value!r} is not {kind}",
                f"{question.help}; give it with --data {question.name}=VALUE",
            ) from None
    return value


def _check_type(question: Question, value: Any) -> Any:
    """Refuse a YAML value of the wrong type (null, a list, `true` for a port, 8000.5)."""
    kind: dict[str, tuple[type, ...]] = {
        "bool": (bool,),
        "int": (int,),
        "float": (int, float),
        "str": (str, int, float),
    }
    expected = kind.get(question.type)
    wrong = (
        value is None
        or isinstance(value, (list, dict))
        or (question.type != "bool" and isinstance(value, bool))
        or (expected is not None and not isinstance(value, expected))
    )
    if wrong:
        described = "null" if value is None else type(value).__name__
        raise InvalidAnswerError(
            f"{question.named}: cannot be {described} ({value!r})",
            f"give {question.name} a value of type {question.type}: {question.help}",
        )
    if question.type == "str" and not isinstance(value, str):
        return str(value)
    return value


def check_choice(question: Question, value: Any) -> None:
    """Refuse a value that is not one of the question's choices."""
    if question.choices and str(value) not in question.choices:
        raise InvalidAnswerError(
            f"{question.named}: unknown choice {value!r}",
            f"choose one of: {', '.join(question.choices)}",
        )


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _suggest_question(key: str, questions: Mapping[str, Question]) -> str:
    import difflib  # noqa: PLC0415 - only on the error path

    close = difflib.get_close_matches(key, list(questions), n=1)
    if close:
        return f"did you mean {close[0]!r}? Known questions: {', '.join(questions)}"
    return f"known questions: {', '.join(questions)}"

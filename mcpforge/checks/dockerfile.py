"""A small Dockerfile reader for the structural checks (hadolint does the linting)."""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

SECRET_NAME = re.compile(
    r"(SECRET|PASSWORD|PASSWD|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIAL|ACCESS_?KEY)", re.I
)
_ROOT_USERS = {"root", "0"}
# A step that installs the project itself (not only its dependencies): hatchling then
# reads README.md, so it must be in the image by then.
_INSTALLS_PROJECT = re.compile(
    r"\buv\s+sync\b|\bpip\s+install\b[^&;|]*?\s(?:-e\s+)?\.(?:\[[\w,]*\])?(?:\s|$)"
)


@dataclass(frozen=True)
class Instruction:
    line: int
    keyword: str
    arguments: str


def parse(text: str) -> list[Instruction]:
    """Instructions with their first line number; continuation lines and comments folded."""
    instructions: list[Instruction] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if pending and stripped.startswith("#"):
            continue
        if not pending:
            start = number
        if stripped.endswith("\\"):
            pending.append(stripped[:-1].strip())
            continue
        pending.append(stripped)
        joined = " ".join(part for part in pending if part)
        pending = []
        keyword, _, arguments = joined.partition(" ")
        instructions.append(Instruction(start, keyword.upper(), arguments.strip()))
    return instructions


def final_stage(instructions: list[Instruction]) -> list[Instruction]:
    """The instructions of the last stage (the image that runs)."""
    starts = [index for index, item in enumerate(instructions) if item.keyword == "FROM"]
    return instructions[starts[-1] :] if starts else instructions


def stages(instructions: list[Instruction]) -> list[list[Instruction]]:
    result: list[list[Instruction]] = []
    for item in instructions:
        if item.keyword == "FROM" or not result:
            result.append([])
        result[-1].append(item)
    return result


def runs_as_root(stage: list[Instruction]) -> tuple[bool, int | None]:
    """Whether the stage ends as root, and the line of the deciding USER (if any)."""
    users = [item for item in stage if item.keyword == "USER"]
    if not users:
        return True, None
    name = users[-1].arguments.split(":")[0].strip()
    return name in _ROOT_USERS, users[-1].line


def healthcheck(stage: list[Instruction]) -> Instruction | None:
    checks = [item for item in stage if item.keyword == "HEALTHCHECK"]
    if not checks or checks[-1].arguments.upper().startswith("NONE"):
        return None
    return checks[-1]


def secret_assignments(
    instructions: list[Instruction], names: set[str]
) -> list[tuple[Instruction, str]]:
    """ENV with a secret-looking name and a value; any ARG with one (ARGs stay in history)."""
    found: list[tuple[Instruction, str]] = []
    for item in instructions:
        if item.keyword not in {"ENV", "ARG"}:
            continue
        for name, value in _assignments(item):
            secret = name.upper() in names or SECRET_NAME.search(name) is not None
            if secret and (item.keyword == "ARG" or value.strip()):
                found.append((item, name))
    return found


def _assignments(item: Instruction) -> list[tuple[str, str]]:
    try:
        words = shlex.split(item.arguments)
    except ValueError:
        words = item.arguments.split()
    if item.keyword == "ENV" and words and "=" not in words[0]:
        return [(words[0], " ".join(words[1:]))]  # legacy `ENV NAME value`
    pairs = []
    for word in words:
        name, _, value = word.partition("=")
        pairs.append((name, value))
    return pairs


def install_before_readme(stage: list[Instruction]) -> Instruction | None:
    """The first step installing the project before README.md was copied in, if any."""
    readme = False
    for item in stage:
        if item.keyword in {"COPY", "ADD"}:
            sources = [word for word in item.arguments.split() if not word.startswith("--")][:-1]
            if any(_brings_readme(source) for source in sources):
                readme = True
        elif item.keyword == "RUN":
            if "README" in item.arguments and "--mount" in item.arguments:
                readme = True
            installs = _INSTALLS_PROJECT.search(item.arguments)
            if installs and "--no-install-project" not in item.arguments and not readme:
                return item
    return None


def _brings_readme(source: str) -> bool:
    name = source.strip("\"'[],")
    return name in {".", "./", "*"} or name.rstrip("/").endswith("README.md") or name == "README*"

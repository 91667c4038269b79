"""Project checks: the answers file, and the template version it records."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from mcpforge.checks.base import Context, Outcome, check, failed, passed, skipped

ANSWERS_FILE = ".copier-answers.yml"

# What copier records as `_commit`: a tag (v1.2.0), `git describe` past a tag
# (v1.2.0-3-gabc1234), or a bare commit hash when the template had no tag.
_DESCRIBE = re.compile(
    r"^v?(?P<version>\d+(?:\.\d+)*)(?:[-.]?(?P<pre>(?:a|b|rc)\d+))?"
    r"(?:-(?P<distance>\d+)-g(?P<sha>[0-9a-f]+))?(?:-dirty)?$"
)
_HASH = re.compile(r"^[0-9a-f]{7,40}$")


@dataclass(frozen=True)
class TemplateVersion:
    """The template version a project was generated from or last updated to."""

    raw: str
    release: tuple[int, ...] | None  # None for a bare commit hash: no release to compare

    def __str__(self) -> str:
        return self.raw


def read_answers(root: Path) -> tuple[dict[str, Any] | None, str]:
    """The answers file as a mapping, or None and why it cannot be used."""
    import yaml  # noqa: PLC0415 - only checks read YAML

    path = root / ANSWERS_FILE
    if not path.is_file():
        return None, f"{ANSWERS_FILE} is missing"
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        first = str(error).splitlines()[0] if str(error) else type(error).__name__
        return None, f"{ANSWERS_FILE} cannot be read: {first}"
    if not isinstance(content, dict):
        return None, f"{ANSWERS_FILE} does not hold a mapping of answers"
    return {str(key): value for key, value in content.items()}, ""


def parse_version(raw: str) -> TemplateVersion | None:
    """Parse a recorded `_commit`; None when it is neither a version nor a commit hash."""
    text = raw.strip()
    match = _DESCRIBE.match(text)
    if match:
        return TemplateVersion(text, tuple(int(part) for part in match["version"].split(".")))
    if _HASH.match(text):
        return TemplateVersion(text, None)
    return None


def recorded_version(answers: Mapping[str, Any]) -> TemplateVersion | None:
    commit = answers.get("_commit")
    return parse_version(str(commit)) if commit not in (None, "") else None


@check(
    "MF101",
    "project",
    "The answers file (.copier-answers.yml) is present and readable",
    "restore .copier-answers.yml from git (`git checkout -- .copier-answers.yml`): "
    "`mcpforge update` and these checks read it",
)
def answers_file(context: Context) -> Outcome:
    answers, problem = read_answers(context.root)
    if answers is None:
        return failed(problem, file=ANSWERS_FILE)
    missing = [key for key in ("_src_path", "project_name", "package_name") if key not in answers]
    if missing:
        return failed(f"{ANSWERS_FILE} lacks {', '.join(missing)}", file=ANSWERS_FILE)
    return passed(f"{len(answers)} answers")


@check(
    "MF102",
    "project",
    "The answers file records a known template version (_commit)",
    "restore `_commit` in .copier-answers.yml from git history; a project without it "
    "cannot be updated: regenerate it with `mcpforge new` and move your code over",
)
def template_version(context: Context) -> Outcome:
    if not context.answers:
        return skipped(f"no readable {ANSWERS_FILE} (see MF101)")
    commit = context.answers.get("_commit")
    if commit in (None, ""):
        return failed(f"{ANSWERS_FILE} records no template version (_commit)", file=ANSWERS_FILE)
    version = parse_version(str(commit))
    if version is None:
        return failed(f"_commit {commit!r} is not a template version", file=ANSWERS_FILE)
    if version.release is None:
        return passed(f"generated from template commit {version} (a development build)")
    known = known_versions()
    if str(commit) != str(commit).strip() or (known and str(commit) not in known):
        return failed(
            f"_commit {commit} is a template version this mcpforge does not know"
            f" (it knows {', '.join(known)})",
            file=ANSWERS_FILE,
        )
    return passed(f"template {version}")


@cache
def known_versions() -> tuple[str, ...]:
    """The template versions (tags) of the installed mcpforge; empty if unreadable."""
    import tempfile  # noqa: PLC0415

    from mcpforge.history import HistoryError, list_tags  # noqa: PLC0415
    from mcpforge.update import installed_history  # noqa: PLC0415

    history = installed_history()
    try:
        with tempfile.TemporaryDirectory(prefix="mcpforge-versions-") as work:
            return tuple(list_tags(history.materialize(Path(work) / "history.git")))
    except (HistoryError, OSError):
        return ()

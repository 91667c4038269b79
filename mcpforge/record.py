"""A project's record of its template: reading and interpreting `.copier-answers.yml`.

Copier writes the answers file; it records the template (`_src_path`, mcpforge's public
repository) and its version (`_commit`, a `v<version>` tag) beside the user's answers.
`mcpforge update`, `mcpforge connect` and the checks all read it through this module.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mcpforge.errors import TemplateError, UpdateRefused
from mcpforge.history import PUBLIC_URL

ANSWERS_FILE = ".copier-answers.yml"

# Spellings of the public repository a project may record; all are served from the history.
SOURCE_URLS = (
    PUBLIC_URL,
    PUBLIC_URL.removesuffix(".git"),
    "git@github.com:mcpforge/mcpforge.git",
)
_ACCEPTED_SOURCES = frozenset({*SOURCE_URLS, "gh:mcpforge/mcpforge", "gh:mcpforge/mcpforge.git"})

ADOPT_HINT = (
    "to adopt a project, render a twin with its answers (`mcpforge new /tmp/twin "
    "--data-file answers.yml`), copy /tmp/twin/.copier-answers.yml into it and commit"
)

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
    import yaml  # noqa: PLC0415 - `mcpforge --help` stays fast

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


def project_answers(project: Path) -> dict[str, Any]:
    """The recorded answers of a project of mcpforge's template; UpdateRefused otherwise."""
    answers_file = project / ANSWERS_FILE
    if not answers_file.is_file():
        raise UpdateRefused(
            f"{project} is not an mcpforge project: it has no {ANSWERS_FILE}",
            "run it in a folder made by `mcpforge new` (or pass that folder's path); " + ADOPT_HINT,
        )
    answers, _ = read_answers(project)
    if answers is None:
        raise UpdateRefused(
            f"{answers_file} cannot be read as a mapping of answers",
            f"restore it from git (`git checkout -- {ANSWERS_FILE}`)",
        )
    source = answers.get("_src_path")
    if not is_mcpforge_source(source):
        raise UpdateRefused(
            f"{project} was generated from another template ({source})",
            "update it with `copier update`; mcpforge updates projects of its own template",
        )
    return answers


def is_mcpforge_source(src_path: object) -> bool:
    """Whether a recorded `_src_path` names mcpforge's public repository."""
    return isinstance(src_path, str) and src_path.rstrip("/") in _ACCEPTED_SOURCES


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
    """The `_commit` of a project's answers, parsed; None when it records none."""
    commit = answers.get("_commit")
    return parse_version(str(commit)) if commit not in (None, "") else None


def record_source(answers_file: Path, *, url: str, tag: str) -> None:
    """Make the answers file record `url` as the template and `tag` as its version.

    Copier writes `_commit` and `_src_path` first, one line each; only those two lines
    change, so the file reads exactly as if copier had rendered from `url` at `tag`.
    """
    text = answers_file.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if not line.startswith("_commit:")]
    metadata = [f"_commit: {tag}", f"_src_path: {url}"]
    index = next((i for i, line in enumerate(lines) if line.startswith("_src_path:")), None)
    if index is None:
        index = next((i for i, line in enumerate(lines) if line and not line.startswith("#")), 0)
        lines[index:index] = metadata
    else:
        lines[index : index + 1] = metadata
    updated = "\n".join(lines) + "\n"
    import yaml  # noqa: PLC0415 - `mcpforge --help` stays fast

    parsed = yaml.safe_load(updated)
    if not (isinstance(parsed, dict) and parsed.get("_commit") == tag):
        raise TemplateError(f"cannot record the template version in {answers_file}")
    answers_file.write_text(updated, encoding="utf-8")

"""`mcpforge check --matrix`: render every preset, and odd names, and check each project.

This is what mcpforge's own CI runs, so a template change that breaks any preset fails.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mcpforge.checks.runner import Report, check_project

LONG_NAME = ("long-name-" * 6)[:59] + "z"  # 60 characters, valid as a project name
ODD_DESCRIPTION = 'Wetter "Dienst" für l\'été ☀ — 100% {{ not jinja }} \\ back\\slash'


@dataclass(frozen=True)
class Variant:
    """One project of the matrix: a folder name and the answers it is generated with."""

    name: str
    answers: dict[str, Any] = field(default_factory=dict)


def presets() -> list[str]:
    """The presets of copier.yml, in its order: the matrix and the test suite both use them."""
    from mcpforge.answers import load_questions  # noqa: PLC0415
    from mcpforge.copier_calls import copier_yml  # noqa: PLC0415

    return [str(preset) for preset in load_questions(copier_yml())["preset"].choices]


def variants() -> list[Variant]:
    """Every preset of copier.yml, plus a 60-character name, digits, and an odd description."""
    return [
        *(Variant(f"matrix-{preset}", {"preset": preset}) for preset in presets()),
        Variant(LONG_NAME),
        Variant("server2-v3", {"transport": "http"}),
        Variant("odd-description", {"description": ODD_DESCRIPTION, "transport": "stdio"}),
    ]


@contextmanager
def rendered(
    chosen: list[Variant] | None = None, *, keep: Path | None = None
) -> Iterator[list[Path]]:
    """Generate the matrix projects into a temporary folder, removed afterwards, or into
    `keep`, where they stay (to look into a failing one). A project folder already in
    `keep` is refused before anything is generated."""
    from mcpforge.create import check_destination, lock_new_project, new_project  # noqa: PLC0415

    matrix = chosen or variants()
    if keep is not None:
        for variant in matrix:
            check_destination(keep.absolute() / variant.name)
    folder = keep or Path(tempfile.mkdtemp(prefix="mcpforge-matrix-"))
    try:
        projects = [new_project(folder / item.name, item.answers, git=True) for item in matrix]
        for project in projects:  # as `mcpforge new` does: uv.lock in the first commit
            lock_new_project(project)
        yield [project.path for project in projects]
    finally:
        if keep is None:
            shutil.rmtree(folder, ignore_errors=True)


def check_matrix(**options: Any) -> list[Report]:
    """Check every matrix project with the same keyword options as `check_project`."""
    with rendered() as paths:
        return [check_project(path, **options) for path in paths]

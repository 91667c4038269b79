"""Fixtures for `mcpforge check`: a project generated once per session, copied per test."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from mcpforge import new_project
from mcpforge.checks import Report, Status, check_project

DATA = Path(__file__).parent / "data"
# Read before the isolation fixture points HOME elsewhere: a cold uv cache per test
# would make every build and sync download again.
UV_CACHE = os.environ.get("UV_CACHE_DIR") or str(Path.home() / ".cache" / "uv")


@pytest.fixture(autouse=True)
def _warm_uv_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("UV_CACHE_DIR", UV_CACHE)


def _git(root: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def _generate(folder: Path, name: str, answers: dict[str, object]) -> Path:
    project = new_project(folder / name, answers, git=True).path
    # Kubernetes manifests and nginx come with the `scale` preset; until every preset
    # ships them, the tests add reference files so MF212/MF213 have something to check.
    for source in DATA.rglob("*"):
        target = project / source.relative_to(DATA)
        if source.is_file() and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(source, target)
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "--allow-empty", "--no-verify", "-m", "reference files")
    return project


def render_cases(folder: Path, cases: dict[str, dict[str, object]]) -> dict[str, Path]:
    """Each case rendered without git into FOLDER/<case>-server."""
    return {
        case: new_project(folder / f"{case}-server", answers, git=False).path
        for case, answers in cases.items()
    }


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A production-preset project (HTTP + stdio, Docker, compose, GitHub CI)."""
    return _generate(tmp_path_factory.mktemp("generated"), "demo-server", {})


@pytest.fixture
def project(generated: Path, tmp_path: Path) -> Path:
    """A private copy of the generated project, git history included."""
    return Path(shutil.copytree(generated, tmp_path / generated.name, symlinks=True))


@pytest.fixture(scope="session")
def pristine_report(generated: Path, tmp_path_factory: pytest.TempPathFactory) -> Report:
    """The default tier on an untouched project: every check's passing case."""
    copy = tmp_path_factory.mktemp("pristine") / generated.name
    shutil.copytree(generated, copy, symlinks=True)
    return check_project(copy)


def failed_ids(report: Report) -> set[str]:
    return {result.check.id for result in report.results if result.status is Status.FAILED}


def result_of(report: Report, check_id: str) -> tuple[Status, str, str]:
    found = next(result for result in report.results if result.check.id == check_id)
    return found.status, found.message, found.hint


Edit = Callable[[Path], None]


def replace_in(relative: str, old: str, new: str, *, regex: bool = False) -> Edit:
    """An edit replacing text in one file; fails loudly if the text is not there."""
    import re

    def edit(root: Path) -> None:
        path = root / relative
        text = path.read_text(encoding="utf-8")
        changed = re.sub(old, new, text, flags=re.M) if regex else text.replace(old, new)
        assert changed != text, f"{old!r} not found in {relative}"
        path.write_text(changed, encoding="utf-8")

    return edit

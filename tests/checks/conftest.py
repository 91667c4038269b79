"""Fixtures for `mcpforge check`: a project generated once per session, copied per test,
and the matrix run once per session through the console script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

from mcpforge import new_project
from mcpforge.checks import Report, Result, Status, registry
from mcpforge.create import lock_new_project
from tests.conftest import isolate

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
    made = new_project(folder / name, answers, git=True)
    # uv.lock in the first commit, as `mcpforge new` leaves it (MF217 checks it).
    assert lock_new_project(made).locked, "uv lock failed: is the package index reachable?"
    project = made.path
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


# Every preset's own suite runs in the matrix (the scale one starts multi-worker servers):
# well over the suite's default 600 s on a 2-core machine.
MATRIX_SECONDS = 1800
Test = TypeVar("Test", bound=Callable[..., None])


def on_the_matrix_run(test: Test) -> Test:
    """Marks a test that reads `matrix_run`: slow, with time for the whole matrix (the first
    such test in a session waits for it)."""
    return pytest.mark.slow(pytest.mark.timeout(MATRIX_SECONDS)(test))  # type: ignore[no-any-return]


@dataclass(frozen=True)
class MatrixRun:
    """`mcpforge check --matrix --keep DIR --format json`: the process and its reports."""

    result: subprocess.CompletedProcess[str]
    reports: list[dict[str, Any]]

    def report(self, name: str) -> dict[str, Any]:
        """The report of the project in folder `name` (matrix-production, ...)."""
        return next(item for item in self.reports if Path(item["project"]).name == name)


@pytest.fixture(scope="session")
def matrix_run(tmp_path_factory: pytest.TempPathFactory) -> MatrixRun:
    """The default tier on every matrix project, as mcpforge's CI runs it: the real console
    script, once a session (it runs every preset's own suite). test_matrix.py asserts on
    all of it, the other tests on its production project (`pristine_report`), kept in
    place by `--keep` to be looked at after the run."""
    mcpforge = shutil.which("mcpforge", path=str(Path(sys.executable).parent))
    assert mcpforge, "the mcpforge console script is installed beside this Python"
    work = tmp_path_factory.mktemp("matrix")
    with pytest.MonkeyPatch.context() as patch:
        isolate(patch, tmp_path_factory.mktemp("matrix-home"))
        patch.setenv("UV_CACHE_DIR", UV_CACHE)
        result = subprocess.run(
            [mcpforge, "check", "--matrix", "--keep", str(work / "projects"), "--format", "json"],
            cwd=work,
            capture_output=True,
            text=True,
            timeout=MATRIX_SECONDS - 100,
            check=False,
        )
    try:
        reports = json.loads(result.stdout)
    except ValueError:
        pytest.fail(
            f"`mcpforge check --matrix` printed no JSON report (exit {result.returncode}):\n"
            + result.stderr[-3000:]
        )
    return MatrixRun(result, reports)


def report_from_json(document: Mapping[str, Any]) -> Report:
    """A Report read back from one project's object of `mcpforge check --format json`."""
    checks = registry()
    results = [
        Result(
            check=checks[item["id"]],
            status=Status(item["status"]),
            message=item["message"],
            hint=item["hint"],
            duration=item["duration"],
            file=item["file"],
            line=item["line"],
            install=item["install"],
            optional=item["optional"],
        )
        for item in document["results"]
    ]
    return Report(root=Path(document["project"]), results=results, strict=document["strict"])


@pytest.fixture(scope="session")
def pristine_report(matrix_run: MatrixRun) -> Report:
    """The default tier on an untouched production project: every check's passing case.
    The matrix's production project, its report read back from the console script's JSON
    (its own suite runs once a session, for both)."""
    return report_from_json(matrix_run.report("matrix-production"))


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

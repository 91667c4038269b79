"""Tools added with `mcpforge add` survive `mcpforge update`: no conflict, still listed and called.

A template history of three versions, built here from this repository's own history:
v1.0.0 is the template just before the tools/ package came (the parent of the commit that
added it), v2.0.0 the template of this checkout, v3.0.0 the same with changes next to
every place `add` writes into (an example tool's docstring and its manifest.json entry,
the README's table of examples, test_server.py, tools/__init__.py).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner
from typer.testing import Result as CliResult

from mcpforge import update as core
from mcpforge.checks import Status, check_project
from mcpforge.cli import app
from mcpforge.copier_calls import copy_template
from mcpforge.history import PUBLIC_URL, TEMPLATE_PATHS, TemplateHistory
from tests.conftest import REPO_ROOT, require_tool, skip_or_fail
from tests.update.conftest import commit_all, git, set_version, snapshot

# Renders a project at three template versions and runs its own tests: not the fast lane.
pytestmark = pytest.mark.slow

TOOLS_PACKAGE = "template/src/{{ package_name }}/tools/__init__.py.jinja"
ECHO_DOC = "Return the text unchanged: a quick way to check the connection."
ECHO_DOC_V3 = "Return the text as it came: a quick way to check the connection."
ANSWERS = {"project_name": "demo-server", "preset": "production"}


def _pre_layout_commit() -> str:
    """The commit before the one that added the template's tools/ package."""
    added = subprocess.run(
        ["git", "log", "--diff-filter=A", "--format=%H", "--", TOOLS_PACKAGE],
        cwd=REPO_ROOT, capture_output=True, text=True, check=False,
    ).stdout.split()  # fmt: skip
    if not added:
        skip_or_fail("this checkout has no git history: the pre-layout template is unknown")
    return f"{added[-1]}^"


def _put_template(repo: Path, files: dict[str, bytes]) -> None:
    for name in TEMPLATE_PATHS:
        target = repo / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    for path, content in files.items():
        target = repo / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)


def _files_at(commit: str) -> dict[str, bytes]:
    """copier.yml and template/ of this repository at `commit`."""
    names = git("ls-tree", "-r", "--name-only", commit, "--", *TEMPLATE_PATHS, cwd=REPO_ROOT)
    return {
        name: subprocess.run(
            ["git", "show", f"{commit}:{name}"], cwd=REPO_ROOT, capture_output=True, check=True
        ).stdout
        for name in names.splitlines()
    }


def _files_here() -> dict[str, bytes]:
    files = {"copier.yml": (REPO_ROOT / "copier.yml").read_bytes()}
    for path in sorted((REPO_ROOT / "template").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            files[path.relative_to(REPO_ROOT).as_posix()] = path.read_bytes()
    return files


def _v3(files: dict[str, bytes]) -> dict[str, bytes]:
    """The current template, changed right next to what `add` writes."""
    changed = dict(files)

    def edit(name: str, old: str, new: str) -> None:
        text = changed[name].decode()
        assert old in text, (name, old)
        changed[name] = text.replace(old, new, 1).encode()

    package = "template/src/{{ package_name }}"
    edit(f"{package}/server.py.jinja", ECHO_DOC, ECHO_DOC_V3)
    edit("template/{% if stdio %}manifest.json{% endif %}.jinja", ECHO_DOC, ECHO_DOC_V3)
    edit(
        "template/README.md.jinja",
        "| tool | `echo` | Returns its text (1 to 10,000 characters): a connection check |",
        "| tool | `echo` | Returns its text as it came (1 to 10,000 characters) |",
    )
    edit(
        "template/README.md.jinja",
        "\n<!-- mcpforge:added:end -->\n\n",
        "\n<!-- mcpforge:added:end -->\n\nEvery tool answers within `REQUEST_TIMEOUT`.\n",
    )
    edit(
        "template/tests/test_server.py.jinja",
        "async def test_echo_returns_the_text(",
        "async def test_echo_returns_the_text_as_it_came(",
    )
    edit(f"{package}/tools/__init__.py.jinja", "in name order.", "in name order (v3).")
    return changed


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The template repository (v1.0.0, v2.0.0, v3.0.0) and a project rendered at v1.0.0."""
    root = tmp_path_factory.mktemp("add-update")
    repo = root / "template-repo"
    repo.mkdir()
    git("init", "-q", "-b", "main", cwd=repo)
    current = _files_here()
    versions = [("1.0.0", _files_at(_pre_layout_commit())), ("2.0.0", current)]
    versions.append(("3.0.0", _v3(current)))
    project = root / "demo-server"
    for version, files in versions:
        _put_template(repo, files)
        set_version(repo, version)
        commit_all(repo, f"v{version}")
        git("tag", f"v{version}", cwd=repo)
        if version == "1.0.0":
            copy_template(project, ANSWERS, ask=False, source=repo, record=(PUBLIC_URL, "v1.0.0"))
            git("init", "-q", "-b", "main", cwd=project)
            commit_all(project, "Generate demo-server")
    return repo, project


def update_to(project: Path, repo: Path, version: str) -> core.UpdateResult:
    history = TemplateHistory(current=version, source=repo)
    result = core.update_project(project, defaults=True, history=history)
    assert result.status == "updated", result
    assert result.conflicts == (), result
    assert not list(project.rglob("*.rej"))
    return result


def add(project: Path, *argv: str) -> CliResult:
    """`mcpforge add KIND NAME PROJECT OPTIONS...`."""
    return CliRunner().invoke(app, ["add", argv[0], argv[1], str(project), *argv[2:]])


FORECAST = (
    "tool", "get_forecast", "--description", "Forecast the weather of a city",
    "--arg", "city:str:min_length=1,max_length=100:The city",
)  # fmt: skip
ALERTS = (
    "tool", "get_alerts", "--description", "Weather alerts of a region",
    "--arg", "region:str:choices=north|south:The region",
    "--arg", "limit:int:ge=1,le=50,default=10",
)  # fmt: skip


def test_added_tools_survive_the_layout_update_and_the_next(
    history: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo, rendered = history
    project = tmp_path / "demo-server"
    shutil.copytree(rendered, project, symlinks=True)
    monkeypatch.setenv("GIT_ALLOW_PROTOCOL", "file")
    package = project / "src" / "demo_server"
    assert not (package / "tools").exists()

    # Before the layout: refused, nothing written, pointed at `mcpforge update`.
    before = snapshot(project)
    result = add(project, *FORECAST)
    assert result.exit_code == 1
    assert "its template predates mcpforge add" in result.stderr
    assert "run `mcpforge update` first" in result.stderr
    assert snapshot(project) == before

    # The update brings the package and the README's region, with no conflict.
    update_to(project, repo, "2.0.0")
    assert (package / "tools" / "__init__.py").is_file()
    assert "<!-- mcpforge:added:start -->" in (project / "README.md").read_text()
    commit_all(project, "Update the template to v2.0.0")

    for addition in (FORECAST, ALERTS):
        result = add(project, *addition)
        assert result.exit_code == 0, result.stdout + result.stderr
    commit_all(project, "Add get_forecast and get_alerts")
    written = {
        path: (project / path).read_bytes()
        for path in (
            "src/demo_server/tools/get_forecast.py",
            "src/demo_server/tools/get_alerts.py",
            "tests/tools/test_get_forecast.py",
            "tests/tools/test_get_alerts.py",
        )
    }

    # The next template changes the lines next to every place `add` wrote into.
    update_to(project, repo, "3.0.0")
    assert {path: (project / path).read_bytes() for path in written} == written
    readme = (project / "README.md").read_text()
    assert "| tool | `get_forecast` | Forecast the weather of a city |" in readme
    assert "| tool | `get_alerts` | Weather alerts of a region |" in readme
    assert "| tool | `echo` | Returns its text as it came (1 to 10,000 characters) |" in readme
    assert "Every tool answers within `REQUEST_TIMEOUT`." in readme
    manifest = (project / "manifest.json").read_text()
    assert '{"description": "Weather alerts of a region", "name": "get_alerts"},' in manifest
    assert ECHO_DOC_V3 in manifest
    assert ECHO_DOC_V3 in (package / "server.py").read_text()
    assert "in name order (v3)." in (package / "tools" / "__init__.py").read_text()
    assert git("status", "--porcelain", cwd=project).strip()  # the update is left to commit

    # Still registered, listed and callable: their own tests, the example tests, and the
    # manifest against tools/list (MF508).
    uv = require_tool("uv")
    pytest = ("pytest", "-q", "-p", "no:cacheprovider", "tests/tools", "tests/test_server.py")
    tests = subprocess.run(
        [uv, "run", *pytest], cwd=project, capture_output=True, text=True, check=False, timeout=900
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert " passed" in tests.stdout
    report = check_project(project, only=["MF508"])
    outcome = {result.check.id: result for result in report.results}["MF508"]
    assert outcome.status == Status.PASSED, outcome.message

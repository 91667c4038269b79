"""The whole release story, as a maintainer and a user live it, with real git and wheels.

Release 0.1.0 (a commit carrying it; its wheel), generate a project with that wheel,
commit a user edit; then change the template and bump to 0.2.0 with docs/releasing.md's
own commands, without creating any tag; build the 0.2.0 wheel, install it into a fresh
venv: `update --check` says an update is available (exit 2), `update` applies it offline,
keeps the edit and moves the CI's `mcpforge[check]==` pin to 0.2.0. On the way: the
wheel's history bundle is exactly what a development checkout derives.
"""

from __future__ import annotations

import os
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from mcpforge.history import build_history, release_problems
from tests.conftest import REPO_ROOT, require_tool
from tests.update.conftest import answers_of, commit_all, git, run, set_version

USER_EDIT = "\n\n# My own note: mcpforge update keeps it.\n"
TEMPLATE_CHANGE = "\nThis line came with mcpforge 0.2.0's template.\n"


def docs_block(marker: str) -> str:
    """The shell block that follows `<!-- marker -->` in docs/releasing.md."""
    text = (REPO_ROOT / "docs" / "releasing.md").read_text()
    match = re.search(rf"<!-- {marker} -->\n```sh\n(.*?)```", text, re.S)
    assert match, f"docs/releasing.md has no block marked {marker}"
    return match[1]


def build_wheel(uv: str, source: Path, out: Path) -> Path:
    run(uv, "build", "-q", "--wheel", "-o", out, source, cwd=source)
    return next(out.glob("*.whl"))


def install(uv: str, wheel: Path, venv: Path) -> Path:
    run(uv, "venv", "-q", "-p", "python3", venv, cwd=venv.parent)
    run(uv, "pip", "install", "-q", "-p", venv, wheel, cwd=venv.parent)
    return venv / "bin" / "mcpforge"


def tree_ids(repo: Path) -> dict[str, str]:
    tags = git("tag", "--list", "v*", cwd=repo).split()
    return {tag: git("rev-parse", f"{tag}^{{tree}}", cwd=repo).strip() for tag in tags}


@pytest.mark.slow
def test_release_0_2_0_without_a_tag_updates_a_0_1_0_project(tmp_path: Path) -> None:
    uv = require_tool("uv")
    offline = {
        **os.environ,
        "GIT_CONFIG_COUNT": "2",
        "GIT_CONFIG_KEY_0": "url./nonexistent/network/.insteadOf",
        "GIT_CONFIG_VALUE_0": "https://",
        "GIT_CONFIG_KEY_1": "url./nonexistent/network/.insteadOf",
        "GIT_CONFIG_VALUE_1": "git@",
    }

    # The maintainer's repository, at 0.1.0: "release 0.1.0" is a commit carrying it.
    source = tmp_path / "mcpforge"
    ignore = shutil.ignore_patterns(
        ".git", ".venv", "dist", "build", "*_cache", "__pycache__", "results", "node_modules"
    )
    shutil.copytree(REPO_ROOT, source, ignore=ignore)
    set_version(source, "0.1.0")
    git("init", "-q", "-b", "main", cwd=source)
    commit_all(source, "mcpforge 0.1.0")
    old_mcpforge = install(uv, build_wheel(uv, source, tmp_path / "dist-0.1.0"), tmp_path / "v1")

    # A user generates a project with 0.1.0 and commits an edit of their own.
    work = tmp_path / "work"
    work.mkdir()
    run(old_mcpforge, "new", "demo-server", "--defaults", cwd=work, env=offline)
    project = work / "demo-server"
    ci = project / ".github" / "workflows" / "ci.yml"
    assert "uvx --from 'mcpforge[check]==0.1.0' mcpforge check" in ci.read_text()
    own_code = project / "src" / "demo_server" / "server.py"
    own_code.write_text(own_code.read_text() + USER_EDIT)
    commit_all(project, "my own note")

    # The maintainer changes the template and releases 0.2.0: docs/releasing.md's bump
    # block, one commit, no tag.
    readme = source / "template" / "README.md.jinja"
    readme.write_text(readme.read_text() + TEMPLATE_CHANGE)
    run(
        "bash",
        "-euc",
        docs_block("release:bump"),
        cwd=source,
        env={**os.environ, "VERSION": "0.2.0"},
    )
    assert 'version__ = "0.2.0"' in (source / "mcpforge" / "_version.py").read_text()
    assert re.search(
        r"^## \[0\.2\.0\] - \d{4}-\d\d-\d\d$", (source / "CHANGELOG.md").read_text(), re.M
    )
    assert release_problems(source, current="0.2.0") == []
    commit_all(source, "Release 0.2.0")
    assert git("tag", cwd=source) == ""

    wheel = build_wheel(uv, source, tmp_path / "dist-0.2.0")
    # The wheel's bundle holds exactly what a development checkout derives on the fly.
    bundle = tmp_path / "history.bundle"
    with zipfile.ZipFile(wheel) as archive:
        bundle.write_bytes(archive.read("mcpforge/_template/history.bundle"))
    shipped = tmp_path / "shipped.git"
    git("clone", "-q", "--mirror", str(bundle), str(shipped), cwd=tmp_path)
    derived = tmp_path / "derived.git"
    assert build_history(derived, checkout=source, current="0.2.0") == ["v0.1.0", "v0.2.0"]
    assert tree_ids(shipped) == tree_ids(derived)
    assert list(tree_ids(shipped)) == ["v0.1.0", "v0.2.0"]

    # The user installs 0.2.0 into a fresh venv and updates, offline.
    mcpforge = install(uv, wheel, tmp_path / "v2")
    out = run(mcpforge, "update", "--check", project, cwd=work, env=offline, code=2)
    assert "template update available for demo-server: v0.1.0 -> v0.2.0" in out
    out = run(mcpforge, "update", project, cwd=work, env=offline)
    assert "updated demo-server: v0.1.0 -> v0.2.0" in out
    assert answers_of(project)["_commit"] == "v0.2.0"
    assert own_code.read_text().endswith(USER_EDIT)
    assert (project / "README.md").read_text().endswith(TEMPLATE_CHANGE)
    text = ci.read_text()
    assert "uvx --from 'mcpforge[check]==0.2.0' mcpforge check" in text
    assert "==0.1.0" not in text
    weekly = (project / ".github" / "workflows" / "template-update.yml").read_text()
    assert "ci.yml pins mcpforge[check]==0.2.0, the" in weekly
    assert "mcpforge[check]==0.2.0" in (project / "README.md").read_text()
    assert "up to date" in run(mcpforge, "update", "--check", project, cwd=work, env=offline)

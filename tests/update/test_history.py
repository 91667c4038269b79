"""The template history (bundle, checkout), offline proof, copier interop, migrations."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from packaging.version import Version

from mcpforge import update as core
from mcpforge.copier_calls import copy_template
from mcpforge.history import (
    PUBLIC_URL,
    HistoryError,
    TemplateHistory,
    build_bundle,
    build_history,
    derive_releases,
    list_tags,
    read_file,
    release_problems,
)
from mcpforge.migrations import migrated_answers
from tests.conftest import REPO_ROOT
from tests.update.conftest import (
    V1,
    V2,
    Templates,
    answers_of,
    commit_all,
    git,
    set_version,
)


def test_the_network_is_really_cut(project: Path) -> None:
    result = subprocess.run(
        ["git", "ls-remote", PUBLIC_URL], capture_output=True, text=True, check=False
    )
    assert result.returncode != 0


@pytest.mark.renders
def test_update_from_a_bundle_file_offline(project: Path, templates: Templates, tmp_path: Path):
    bundle = tmp_path / "history.bundle"
    git("bundle", "create", "-q", str(bundle), "--tags=v*", cwd=templates.repo)
    result = core.update_project(
        project, defaults=True, history=TemplateHistory(current="2.0.0", source=bundle)
    )
    assert result.status == "updated"
    assert answers_of(project)["_commit"] == V2


def test_history_of_a_checkout(templates: Templates, tmp_path: Path) -> None:
    """Older versions come from the commits carrying them, the current one from the disk."""
    checkout = tmp_path / "checkout"
    shutil.copytree(templates.repo, checkout)
    git("tag", "-d", V1, V2, cwd=checkout)  # tags are not needed
    (checkout / "template" / "CLASH.md").write_text("uncommitted work\n")
    (checkout / "template" / "__pycache__").mkdir()
    (checkout / "template" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    (checkout / "unrelated.txt").write_text("not part of the template\n")

    repo = tmp_path / "history.git"
    assert build_history(repo, checkout=checkout, current="3.0.0") == [V1, V2, "v3.0.0"]
    assert list_tags(repo) == [V1, V2, "v3.0.0"]
    assert read_file(repo, "v3.0.0", "template/CLASH.md") == "uncommitted work\n"
    assert read_file(repo, V2, "template/CLASH.md") == "first\nsecond, from the template\nthird\n"
    files = git("ls-tree", "-r", "--name-only", "v3.0.0", cwd=repo).split("\n")
    assert "unrelated.txt" not in files
    assert not any("__pycache__" in name for name in files)
    assert git("ls-tree", "--name-only", V1, cwd=repo).split() == ["copier.yml", "template"]

    # The current version is what is on disk, not its last commit.
    repo2 = tmp_path / "history2.git"
    assert build_history(repo2, checkout=checkout, current="2.0.0") == [V1, V2]
    assert read_file(repo2, V2, "template/CLASH.md") == "uncommitted work\n"


def test_each_version_is_released_at_the_last_commit_carrying_it(tmp_path: Path) -> None:
    """No tags: 1.0.0 is its last commit (after a template change), 1.1.0 its only one."""
    checkout = tmp_path / "checkout"
    (checkout / "template").mkdir(parents=True)
    (checkout / "copier.yml").write_text("_subdirectory: template\n")
    notes = checkout / "template" / "NOTES.md"
    git("init", "-q", "-b", "main", cwd=checkout)
    for version, text in (("1.0.0", "one\n"), ("1.0.0", "one, final\n"), ("1.1.0", "two\n")):
        set_version(checkout, version)
        notes.write_text(text)
        commit_all(checkout, f"{version}: {text.strip()}")
    (checkout / "README.md").write_text("not part of the template\n")
    commit_all(checkout, "docs, still 1.1.0")
    notes.write_text("work in progress\n")
    set_version(checkout, "1.2.0")

    releases = derive_releases(checkout)
    assert [(str(r.version), r.commit) for r in releases] == [
        ("1.0.0", git("rev-parse", "HEAD~2", cwd=checkout).strip()),
        ("1.1.0", git("rev-parse", "HEAD", cwd=checkout).strip()),
    ]
    repo = tmp_path / "history.git"
    assert build_history(repo, checkout=checkout, current="1.2.0") == ["v1.0.0", "v1.1.0", "v1.2.0"]
    assert read_file(repo, "v1.0.0", "template/NOTES.md") == "one, final\n"
    assert read_file(repo, "v1.1.0", "template/NOTES.md") == "two\n"
    assert read_file(repo, "v1.2.0", "template/NOTES.md") == "work in progress\n"

    # A tag is only a cross-check: one that disagrees is reported, never used.
    git("tag", "v1.0.0", "HEAD~3", cwd=checkout)
    git("tag", "v0.9.0", "HEAD~3", cwd=checkout)
    assert build_history(tmp_path / "again.git", checkout=checkout, current="1.2.0") == [
        "v1.0.0",
        "v1.1.0",
        "v1.2.0",
    ]
    problems = release_problems(checkout, current="1.2.0")
    assert any(p.startswith("tag v1.0.0 disagrees with its release") for p in problems)
    assert any(p.startswith("tag v0.9.0 names a version") for p in problems)


def test_versions_carried_before_and_after_the_move_to_version_py(tmp_path: Path) -> None:
    """Old commits carry `__version__` in mcpforge/__init__.py, new ones in _version.py."""
    checkout = tmp_path / "checkout"
    (checkout / "template").mkdir(parents=True)
    (checkout / "copier.yml").write_text("_subdirectory: template\n")
    git("init", "-q", "-b", "main", cwd=checkout)
    steps = [("1.0.0", True), ("1.1.0", True), ("1.1.0", False), ("1.2.0", False)]
    for version, legacy in steps:
        set_version(checkout, version, legacy=legacy)
        (checkout / "template" / "NOTES.md").write_text(f"{version} {legacy}\n")
        commit_all(checkout, f"{version} ({'__init__.py' if legacy else '_version.py'})")
    assert "_version" in (checkout / "mcpforge" / "__init__.py").read_text()

    releases = derive_releases(checkout)
    assert [(str(r.version), r.commit) for r in releases] == [
        ("1.0.0", git("rev-parse", "HEAD~3", cwd=checkout).strip()),
        ("1.1.0", git("rev-parse", "HEAD~1", cwd=checkout).strip()),  # the move's commit
        ("1.2.0", git("rev-parse", "HEAD", cwd=checkout).strip()),
    ]


def test_a_wheel_from_a_shallow_clone_is_refused(templates: Templates, tmp_path: Path) -> None:
    clone = tmp_path / "shallow"
    git("clone", "-q", "--depth", "1", f"file://{templates.repo}", str(clone), cwd=tmp_path)
    with pytest.raises(HistoryError, match=r"shallow clone.*fetch-depth: 0"):
        build_bundle(clone, tmp_path / "history.bundle", current="2.0.0")
    # A development checkout makes do with the commits it has.
    assert build_history(tmp_path / "h.git", checkout=clone, current="2.0.0") == [V2]


def test_bundle_is_self_contained_and_reproducible(templates: Templates, tmp_path: Path) -> None:
    first, second = tmp_path / "a.bundle", tmp_path / "b.bundle"
    assert build_bundle(templates.repo, first, current="2.0.0") == [V1, V2]
    build_bundle(templates.repo, second, current="2.0.0")
    assert first.read_bytes() == second.read_bytes()
    clone = tmp_path / "clone"
    git("clone", "-q", "--mirror", str(first), str(clone), cwd=tmp_path)
    assert list_tags(clone) == [V1, V2]


@pytest.mark.renders
def test_development_checkout_without_tags_updates_its_own_version(tmp_path: Path) -> None:
    """This repository, untagged or not, knows the version it is."""
    history = core.installed_history()
    assert history.checkout == REPO_ROOT or history.source is not None
    project = tmp_path / "p"
    copy_template(project, {"project_name": "p"}, ask=False)
    git("init", "-q", "-b", "main", cwd=project)
    commit_all(project, "generate")
    result = core.check_update(project)
    assert result.status == "up-to-date"
    assert result.recorded == history.current_tag


@pytest.mark.renders
def test_new_records_the_public_url_and_version_tag(tmp_path: Path) -> None:
    from mcpforge import __version__

    project = tmp_path / "p"
    copy_template(project, {"project_name": "p"}, ask=False)
    text = (project / ".copier-answers.yml").read_text()
    assert text.startswith("# Changes here will be overwritten by Copier")
    assert f"\n_commit: v{__version__}\n_src_path: {PUBLIC_URL}\n" in text
    assert text.count("_src_path") == 1


@pytest.mark.renders
def test_new_from_a_checkout_prints_no_copier_warning(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "mcpforge", "new", "quiet-server", "--defaults", "--no-git"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "No git tags" not in result.stderr
    assert "Dirty" not in result.stderr


def test_plain_copier_updates_an_mcpforge_project(
    project: Path, templates: Templates, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the network is, `copier update` works: the public URL is served locally here."""
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", f"url.{templates.repo}.insteadOf")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", PUBLIC_URL)
    monkeypatch.setenv("COPIER_CACHE_DIR", str(tmp_path / "copier-cache"))
    monkeypatch.delenv("GIT_ALLOW_PROTOCOL")
    copier = Path(sys.executable).parent / "copier"
    result = subprocess.run(
        [str(copier), "update", "--defaults", "--conflict", "inline", str(project)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    answers = answers_of(project)
    assert answers["_commit"] == V2
    assert answers["_src_path"] == PUBLIC_URL
    assert (project / "ADDED.md").read_text() == "motto: ship it\n"
    # Plain copier does not know mcpforge's answer migrations: the default comes back.
    assert answers["salutation"] == "hello"


MIGRATIONS = """
_mcpforge_migrations:
  - version: "2.0.0"
    rename: {greeting: salutation}
  - version: "3.0.0"
    values: {transport: {sse: http}}
    rename: {salutation: hello_text}
"""


@pytest.mark.parametrize(
    ("recorded", "target", "expected"),
    [
        ("1.0.0", "2.0.0", {"salutation": "ahoy"}),
        ("1.0.0", "3.0.0", {"hello_text": "ahoy", "transport": "http"}),
        ("2.0.0", "3.0.0", {"transport": "http"}),
        ("3.0.0", "3.1.0", {}),
    ],
)
def test_migrations_apply_between_versions(recorded: str, target: str, expected: dict) -> None:
    answers = {"greeting": "ahoy", "transport": "sse"}
    if recorded == "2.0.0":
        answers = {"hello_text": "hi", "transport": "sse"}
    migrated = migrated_answers(
        MIGRATIONS, answers, recorded=Version(recorded), target=Version(target)
    )
    assert migrated == expected


def test_migrations_never_overwrite_an_existing_answer() -> None:
    migrated = migrated_answers(
        MIGRATIONS,
        {"greeting": "old", "salutation": "kept"},
        recorded=Version("1.0.0"),
        target=Version("2.0.0"),
    )
    assert migrated == {}

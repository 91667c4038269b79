"""`mcpforge update` from v1.0.0 to v2.0.0: what survives, what conflicts, exit codes."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mcpforge import update as core
from mcpforge.cli import app
from tests.update.conftest import (
    CLASH_V1,
    V1,
    V2,
    Templates,
    answers_of,
    commit_all,
    git,
    snapshot,
)


@pytest.fixture(autouse=True)
def _history(templates: Templates, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI updates to the test's v2.0.0 instead of the installed template."""
    monkeypatch.setattr(core, "installed_history", templates.history)


def run(*args: str) -> tuple[int, str, str]:
    # The toy template's pyproject is not worth locking: tests/test_lock.py covers uv.lock.
    result = CliRunner().invoke(app, ["update", "--no-lock", *args])
    return result.exit_code, result.stdout, result.stderr


def edit_every_kind(project: Path) -> None:
    """User edits of every kind, committed."""
    notes = project / "NOTES.md"
    notes.write_text(notes.read_text().replace("line five", "line five, mine"))
    (project / "CLASH.md").write_text(CLASH_V1.replace("second", "second, mine"))
    (project / "GUIDE.md").unlink()  # deleted by the user; v2 changes it
    (project / "DROPPED.md").write_text("dropped in v2\nbut I edited it\n")  # v2 removes it
    pyproject = project / "pyproject.toml"
    pyproject.write_text("# my own header\n" + pyproject.read_text())
    own_tool = project / "src" / "demo_server" / "my_tools.py"
    own_tool.write_text("def mine() -> int:\n    return 1\n")
    with (project / ".gitignore").open("a") as gitignore:
        gitignore.write("\n.env\n")
    commit_all(project, "my edits")
    (project / ".env").write_text("DEMO_API_KEY=secret-value\n")  # ignored, never committed


def test_update_keeps_edits_and_reports_the_conflict(project: Path) -> None:
    edit_every_kind(project)
    pyproject_before = (project / "pyproject.toml").read_text()

    code, out, err = run(str(project), "--defaults")

    assert code == 2, err
    # A line only the user changed is kept, next to the template's own change.
    assert (project / "NOTES.md").read_text() == (
        "# Notes for demo-server\ngreeting: ahoy\nline three, revised by the template\n"
        "line four\nline five, mine\n"
    )
    # A line both changed is an inline conflict, never a .rej.
    assert (project / "CLASH.md").read_text() == (
        "first\n<<<<<<< before updating\nsecond, mine\n=======\nsecond, from the template\n"
        ">>>>>>> after updating\nthird\n"
    )
    assert not list(project.rglob("*.rej"))
    assert git("diff", "--name-only", "--diff-filter=U", cwd=project).split() == ["CLASH.md"]
    # Deleted by the user: stays deleted although the template changed it.
    assert not (project / "GUIDE.md").exists()
    # Removed by the template: gone when untouched, kept when the user edited it.
    assert not (project / "OLD.md").exists()
    assert (project / "DROPPED.md").read_text() == "dropped in v2\nbut I edited it\n"
    # The user's header and the template's new last line are both there.
    assert (project / "pyproject.toml").read_text() == pyproject_before + "# template v2\n"
    # Files the user owns are untouched.
    assert (project / ".env").read_text() == "DEMO_API_KEY=secret-value\n"
    assert (project / "src" / "demo_server" / "my_tools.py").is_file()
    # New file, new question (default), renamed question carried over by the migration.
    assert (project / "ADDED.md").read_text() == "motto: ship it\n"
    answers = answers_of(project)
    assert answers["_commit"] == V2
    assert answers["_src_path"] == "https://github.com/mcpforge/mcpforge.git"
    assert answers["salutation"] == "ahoy"
    assert "greeting" not in answers
    assert answers["motto"] == "ship it"
    assert answers["author_name"] == "Ada Lovelace"
    # The report lists the conflict with a hint, and the kept file.
    assert f"updated demo-server: {V1} -> {V2}, with conflicts" in out
    assert "1 files with conflicts:\n  CLASH.md\n" in out
    assert "hint: resolve the <<<<<<< / >>>>>>> blocks" in out
    assert "kept your edited DROPPED.md (the template dropped it)" in out
    # Nothing was committed for the user.
    assert git("log", "--format=%s", cwd=project).split("\n")[0] == "my edits"

    # Until resolved, a second run is a no-op that still points at the conflict.
    code, out, _ = run(str(project), "--defaults")
    assert code == 2
    assert "up to date" in out
    assert "CLASH.md" in out

    (project / "CLASH.md").write_text("first\nsecond, merged\nthird\n")
    commit_all(project, "Update the template to v2")
    before = snapshot(project)
    code, out, _ = run(str(project), "--defaults")
    assert code == 0
    assert out == f"demo-server is up to date with template {V2}\n"
    assert snapshot(project) == before


def test_update_without_user_edits_is_clean(project: Path) -> None:
    code, out, err = run(str(project), "--defaults", "--format", "json")
    assert code == 0, err
    result = json.loads(out)
    assert result["status"] == "updated"
    assert result["recorded"] == V1
    assert result["template"] == V2
    assert result["conflicts"] == []
    assert sorted(result["changed"]) == sorted(
        [".copier-answers.yml", "ADDED.md", "CLASH.md", "DROPPED.md", "GUIDE.md", "NOTES.md",
         "OLD.md", "pyproject.toml",
         # The pinned `mcpforge[check]==` moves from 1.0.0 to 2.0.0 with the template.
         ".github/workflows/ci.yml", ".github/workflows/template-update.yml", "README.md"]
    )  # fmt: skip
    ci = (project / ".github" / "workflows" / "ci.yml").read_text()
    assert "uvx --from 'mcpforge[check]==2.0.0' mcpforge check" in ci
    assert (project / "CLASH.md").read_text() == "first\nsecond, from the template\nthird\n"
    assert not (project / "DROPPED.md").exists()
    status = git("status", "--porcelain", cwd=project)
    assert "U" not in "".join(line[:2] for line in status.splitlines())


def test_data_changes_an_answer_during_the_update(project: Path) -> None:
    code, _, err = run(str(project), "--defaults", "--data", "motto=sail away")
    assert code == 0, err
    assert (project / "ADDED.md").read_text() == "motto: sail away\n"
    assert answers_of(project)["motto"] == "sail away"


def test_data_on_a_current_project_rerenders_with_the_new_answer(project: Path) -> None:
    assert run(str(project), "--defaults")[0] == 0
    commit_all(project, "v2")
    code, out, err = run(str(project), "--data", "salutation=hej")
    assert code == 0, err
    assert "greeting: hej" in (project / "NOTES.md").read_text()
    assert f"{V2} -> {V2}" in out


def test_unknown_data_key_is_refused_before_anything(project: Path) -> None:
    before = snapshot(project)
    code, _, err = run(str(project), "--defaults", "--data", "motot=x")
    assert code == 1
    assert "unknown question 'motot' in --data" in err
    assert "did you mean 'motto'" in err
    assert snapshot(project) == before


def test_new_question_without_terminal_or_defaults_is_refused(project: Path) -> None:
    before = snapshot(project)
    code, _, err = run(str(project))
    assert code == 1
    assert "no terminal" in err
    assert "--defaults" in err
    assert snapshot(project) == before


@pytest.mark.parametrize("flag", ["--pretend", "--diff"])
def test_pretend_prints_the_diff_and_changes_nothing(project: Path, flag: str) -> None:
    before = snapshot(project)
    code, out, err = run(str(project), "--defaults", flag)
    assert code == 0, err
    assert "+second, from the template" in out
    assert "+motto: ship it" in out
    assert "-_commit: v1.0.0" in out
    assert f"would update demo-server: {V1} -> {V2} (nothing was changed)" in out
    assert snapshot(project) == before


def test_check_exit_codes_and_json(project: Path) -> None:
    code, out, _ = run(str(project), "--check")
    assert code == 2
    assert out == f"template update available for demo-server: {V1} -> {V2}\n"
    code, out, _ = run(str(project), "--check", "--format", "json")
    assert code == 2
    assert json.loads(out)["update_available"] is True

    assert run(str(project), "--defaults")[0] == 0
    commit_all(project, "v2")
    code, out, _ = run(str(project), "--check", "--format", "json")
    assert code == 0
    result = json.loads(out)
    assert (result["status"], result["recorded"], result["update_available"]) == (
        "up-to-date", V2, False,
    )  # fmt: skip


def test_check_does_not_need_a_clean_tree(project: Path) -> None:
    (project / "CLASH.md").write_text("dirty\n")
    assert run(str(project), "--check")[0] == 2


def test_update_of_a_project_in_a_subfolder_of_a_repository(project: Path, tmp_path: Path) -> None:
    mono = tmp_path / "mono"
    mono.mkdir()
    subprocess.run(["cp", "-r", str(project), str(mono / "demo-server")], check=True)
    subprocess.run(["rm", "-rf", str(mono / "demo-server" / ".git")], check=True)
    (mono / "README.md").write_text("monorepo\n")
    git("init", "-q", "-b", "main", cwd=mono)
    commit_all(mono, "monorepo")
    code, _, err = run(str(mono / "demo-server"), "--defaults")
    assert code == 0, err
    assert (mono / "demo-server" / "ADDED.md").is_file()
    assert not (mono / "ADDED.md").exists()
    assert answers_of(mono / "demo-server")["_commit"] == V2


@pytest.mark.parametrize(
    "content",
    [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR mine", b"my own notes\nnot the template's\n"],
    ids=["binary", "text"],
)
def test_a_committed_file_the_template_now_adds_is_kept_and_reported(
    project: Path, content: bytes
) -> None:
    """v2 adds ADDED.md; the user already committed one: never overwritten, a conflict."""
    (project / "ADDED.md").write_bytes(content)
    commit_all(project, "my own ADDED.md")
    code, out, err = run(str(project), "--defaults", "--format", "json")
    assert code == 2, err
    result = json.loads(out)
    assert "ADDED.md" in result["conflicts"]
    kept = (project / "ADDED.md").read_bytes()
    if b"\x00" in content:
        assert kept == content  # a binary file cannot be merged: theirs, untouched
        assert result["clashes"] == ["ADDED.md"]
    else:
        assert content.decode() in kept.decode()  # text: an inline conflict with theirs in it
        assert b"<<<<<<<" in kept


def test_an_answer_edited_by_hand_is_refused_with_the_way_to_change_it(project: Path) -> None:
    """The files follow the answers they were rendered with: a value edited in the answers
    file alone would be recorded while every file kept the old one."""
    answers_file = project / ".copier-answers.yml"
    answers_file.write_text(
        answers_file.read_text().replace("author_name: Ada Lovelace", "author_name: Grace")
    )
    commit_all(project, "rename the author by hand")
    before = snapshot(project)
    result = CliRunner().invoke(app, ["update", str(project), "--defaults"])
    assert result.exit_code == 1, result.stdout
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("error: .copier-answers.yml was edited by hand (author_name)")
    assert lines[1].startswith("hint: revert that edit (`git revert ")
    assert "mcpforge update --data author_name=Grace" in lines[1]
    assert snapshot(project) == before


def _hand_edit_author(project: Path) -> None:
    answers_file = project / ".copier-answers.yml"
    answers_file.write_text(
        answers_file.read_text().replace("author_name: Ada Lovelace", "author_name: Grace")
    )


def test_an_answer_edited_by_hand_with_other_files_in_one_commit_is_refused(
    project: Path,
) -> None:
    """The commit also holds an edit of the user's own: the answer is still a hand edit,
    since none of the files the new author renders differently (pyproject.toml, LICENSE,
    ...) changed with it."""
    _hand_edit_author(project)
    (project / "CLASH.md").write_text(CLASH_V1 + "my own line\n")
    (project / "MINE.md").write_text("my notes\n")
    commit_all(project, "rename the author by hand, and some notes")
    before = snapshot(project)
    code, out, err = run(str(project), "--defaults")
    assert code == 1, out
    lines = err.strip().splitlines()
    assert len(lines) == 2, err
    assert lines[0].startswith("error: .copier-answers.yml was edited by hand (author_name)")
    assert lines[0].endswith(": the files still follow the old answers")
    assert lines[1].startswith("hint: revert that edit (`git revert ")
    assert "mcpforge update --data author_name=Grace" in lines[1]
    assert snapshot(project) == before


def test_an_answer_changed_with_update_data_then_edits_of_the_user_are_not_refused(
    project: Path, templates: Templates, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`mcpforge update --data` at the recorded version changes the answer and the files
    in one commit (not `_commit`): the next update accepts it, and so do later commits
    of the user's own that touch other files."""
    monkeypatch.setattr(core, "installed_history", lambda: templates.history("1.0.0"))
    code, out, err = run(str(project), "--defaults", "--data", "author_name=Grace")
    assert code == 0, out + err
    assert answers_of(project)["_commit"] == V1
    assert "Grace" in (project / "pyproject.toml").read_text()
    commit_all(project, "author: Grace")
    (project / "CLASH.md").write_text(CLASH_V1 + "my own line\n")
    commit_all(project, "my edit")
    monkeypatch.setattr(core, "installed_history", templates.history)
    code, out, err = run(str(project), "--defaults")
    assert code in {0, 2}, out + err  # updated (CLASH.md may conflict)
    assert "by hand" not in err
    assert answers_of(project)["_commit"] == V2
    assert answers_of(project)["author_name"] == "Grace"

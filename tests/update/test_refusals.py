"""Every refusal of `mcpforge update`: one-line error, hint, exit code 1, tree unchanged.

And the safety net: Ctrl-C or a crash at any point leaves the project exactly as before.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from mcpforge import update as core
from mcpforge import update_clone
from mcpforge.cli import app
from mcpforge.errors import UpdateRefused
from tests.update.conftest import Templates, commit_all, snapshot


@pytest.fixture(autouse=True)
def _history(templates: Templates, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(core, "installed_history", templates.history)


def refused(project: Path, *args: str) -> str:
    """Run the update, assert a clean refusal, and return the error output."""
    before = snapshot(project)
    result = CliRunner().invoke(app, ["update", str(project), "--defaults", *args])
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    assert lines[0].startswith("error: ")
    assert lines[1].startswith("hint: ")
    assert snapshot(project) == before
    return result.stderr


def interrupted_update(project: Path) -> str:
    """Run an update that Ctrl-C stops: exit 130, the tree unchanged; its stderr."""
    before = snapshot(project)
    result = CliRunner().invoke(app, ["update", str(project), "--defaults"])
    assert result.exit_code == 130, result.output
    assert snapshot(project) == before
    return result.stderr


def set_answer(project: Path, key: str, value: str) -> None:
    answers = project / ".copier-answers.yml"
    lines = [
        f"{key}: {value}" if line.startswith(f"{key}:") else line
        for line in answers.read_text().splitlines()
    ]
    answers.write_text("\n".join(lines) + "\n")
    commit_all(project, f"set {key}")


def test_not_a_git_repository(project: Path) -> None:
    shutil.rmtree(project / ".git")
    err = refused(project)
    assert f"error: {project} is not in a git repository" in err
    assert "git init" in err


def test_uncommitted_changes(project: Path) -> None:
    (project / "CLASH.md").write_text("changed\n")
    err = refused(project)
    assert f"error: {project} has uncommitted changes (CLASH.md)" in err
    assert "git stash -u" in err


def test_uncommitted_changes_are_refused_even_when_up_to_date(project: Path) -> None:
    """The README's promise, whatever the versions: a dirty tree is refused (exit 1), not
    told "up to date" (exit 0), so a script learns of it the first time."""
    result = CliRunner().invoke(app, ["update", str(project), "--defaults"])
    assert result.exit_code in {0, 2}, result.output
    (project / "CLASH.md").write_text("first\nsecond, merged\nthird\n")
    commit_all(project, "Update the template to v2")
    up_to_date = CliRunner().invoke(app, ["update", str(project), "--defaults"])
    assert up_to_date.exit_code == 0
    assert up_to_date.stdout == "demo-server is up to date with template v2.0.0\n"
    (project / "notes.txt").write_text("mine\n")
    err = refused(project)
    assert err == (
        f"error: {project} has uncommitted changes (notes.txt)\n"
        "hint: commit or stash them first (`git stash -u`), then update\n"
    )
    # `--check` only reads the answers file: it answers on a dirty tree.
    checked = CliRunner().invoke(app, ["update", str(project), "--check"])
    assert (checked.exit_code, checked.stdout) == (0, checked.stdout)
    assert "up to date" in checked.stdout


def test_a_folder_that_is_no_project_is_named_so(tmp_path: Path) -> None:
    """No answers file and no git: not an mcpforge project (it needs no `git init`)."""
    folder = tmp_path / "somewhere"
    folder.mkdir()
    (folder / "notes.txt").write_text("x\n")
    err = refused(folder)
    assert err.startswith(f"error: {folder} is not an mcpforge project: it has no ")
    assert "hint: run it in a folder made by `mcpforge new` (or pass that folder's path)" in err
    assert "git init" not in err


def test_untracked_files_count_as_uncommitted(project: Path) -> None:
    (project / "new_tool.py").write_text("x = 1\n")
    assert "uncommitted changes (new_tool.py)" in refused(project)


def test_no_answers_file(project: Path) -> None:
    (project / ".copier-answers.yml").unlink()
    commit_all(project, "lose the answers")
    err = refused(project)
    assert f"error: {project} is not an mcpforge project: it has no .copier-answers.yml" in err
    assert "to adopt a project" in err
    assert refused(project, "--check") == err


def test_newer_mcpforge(project: Path) -> None:
    set_answer(project, "_commit", "v9.0.0")
    err = refused(project)
    assert "was made by mcpforge 9.0.0, newer than this mcpforge 2.0.0" in err
    assert "upgrade mcpforge" in err


def test_unknown_recorded_version(project: Path) -> None:
    set_answer(project, "_commit", "v1.5.0")
    err = refused(project)
    assert "records template version v1.5.0, which mcpforge 2.0.0 does not know" in err
    assert "it knows v1.0.0, v2.0.0): it was likely generated by an unreleased build" in err
    assert "hint: use the mcpforge build that generated it, or rebase the project" in err
    assert "put `_commit: v1.0.0` in .copier-answers.yml, commit" in err
    assert "by hand" not in err


@pytest.mark.parametrize(
    ("recorded", "start"),
    [
        ("v2.0.0-3-gabc1234", "`_commit: v2.0.0`"),  # plain copier copy between releases
        ("v0.5.0", "the release it started from (v1.0.0, v2.0.0) as _commit"),
        ("abc1234", "the release it started from (v1.0.0, v2.0.0) as _commit"),
    ],
)
def test_unreleased_recorded_versions_name_a_release(
    project: Path, recorded: str, start: str
) -> None:
    set_answer(project, "_commit", recorded)
    err = refused(project, "--check")
    assert "likely generated by an unreleased build of mcpforge" in err
    assert start in err


def test_no_recorded_version(project: Path) -> None:
    set_answer(project, "_commit", "''")
    assert "records no template version (_commit)" in refused(project)


def test_another_template(project: Path) -> None:
    set_answer(project, "_src_path", "/somewhere/else")
    err = refused(project)
    assert "was generated from another template (/somewhere/else)" in err
    assert "copier update" in err


def test_not_a_directory(project: Path) -> None:
    result = CliRunner().invoke(app, ["update", str(project / "CLASH.md")])
    assert result.exit_code == 1
    assert "is not a directory" in result.stderr


def test_core_raises_update_refused(project: Path, templates: Templates) -> None:
    shutil.rmtree(project / ".git")
    with pytest.raises(UpdateRefused):
        core.update_project(project, defaults=True, history=templates.history())


def test_ctrl_c_during_the_copier_run_changes_nothing(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*_args: object, **_kwargs: object) -> list[update_clone.Change]:
        raise KeyboardInterrupt

    monkeypatch.setattr(update_clone, "changes", interrupted)
    assert "interrupted" in interrupted_update(project)


def test_ctrl_c_inside_copier_changes_nothing(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import copier

    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(copier, "run_update", interrupted)
    assert "interrupted; the project was not changed" in interrupted_update(project)


def test_crash_while_writing_back_restores_the_project(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure after some files were written back undoes them all."""
    (project / "CLASH.md").write_text("first\nsecond, mine\nthird\n")
    commit_all(project, "clash")
    before = snapshot(project)

    def crash(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(update_clone, "_mark_unmerged", crash)
    with pytest.raises(OSError, match="disk full"):
        core.update_project(project, defaults=True, history=core.installed_history())
    assert snapshot(project) == before


def test_ctrl_c_while_writing_back_restores_the_project(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(project)
    real_write = update_clone._write
    calls = []

    def write_then_interrupt(source: Path, target: Path, *, stop: Path) -> None:
        real_write(source, target, stop=stop)
        calls.append(target)
        if len(calls) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(update_clone, "_write", write_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        core.update_project(project, defaults=True, history=core.installed_history())
    assert len(calls) == 2
    assert snapshot(project) == before


def _undo_command(message: str) -> str:
    """The undo command the interrupt message names (between the last backticks)."""
    return message.rsplit("`", 2)[1]


@pytest.mark.parametrize("where", ["after writing back", "after the update returned"])
def test_ctrl_c_once_the_update_is_written_says_what_and_how_to_undo(
    project: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """A Ctrl-C after the files were written (the temporary clone being removed, the
    report being printed) must not claim that nothing changed: it names what was written
    and the command that undoes it, which is run here as written."""
    before = snapshot(project)
    if where == "after writing back":
        real_apply = update_clone.apply_changes

        def apply_then_interrupt(*args: Any) -> list[str]:
            real_apply(*args)
            raise KeyboardInterrupt

        monkeypatch.setattr(update_clone, "apply_changes", apply_then_interrupt)
    else:

        def interrupted(*_args: object) -> list[str]:
            raise KeyboardInterrupt

        monkeypatch.setattr(core, "report_lines", interrupted)
    result = CliRunner().invoke(app, ["update", str(project), "--defaults", "--no-lock"])
    assert result.exit_code == 130, result.output
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: interrupted; the update was written (")
    assert "files changed in demo-server: " in lines[0]
    assert "review it with `git status`, or undo it with `cd " in lines[0]
    assert snapshot(project) != before
    undo = _undo_command(lines[0])
    assert undo.endswith("git checkout HEAD -- . && git clean -fd -- .")
    subprocess.run(["bash", "-c", undo], check=True, capture_output=True)
    assert snapshot(project) == before


def test_a_git_failure_is_a_user_error_with_a_hint(project: Path) -> None:
    """A real git failure (a corrupt index) prints git's line and a hint, not 'report a bug'."""
    (project / ".git" / "index").write_bytes(b"not an index")
    result = CliRunner().invoke(app, ["update", str(project), "--defaults"])
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    assert lines[0].startswith("error: git "), lines[0]
    assert f"failed in {project}: " in lines[0] and "index" in lines[0], lines[0]
    assert lines[1] == (
        "hint: run that git command in the folder to see what git says, fix what it names "
        "(a broken or locked repository), then run mcpforge again"
    )

"""`mcpforge new`: render the template into a new project, all or nothing."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mcpforge._version import __version__
from mcpforge.copier_calls import copy_template
from mcpforge.errors import Declined, DestinationError

if TYPE_CHECKING:
    from mcpforge.lock import LockOutcome

ConfirmAnswers = Callable[[Mapping[str, Any]], bool]


@dataclass(frozen=True)
class NewProject:
    """A freshly generated project."""

    path: Path
    answers: dict[str, Any]
    files: tuple[str, ...]
    git: bool


def new_project(
    destination: Path | str,
    answers: Mapping[str, Any] | None = None,
    *,
    ask: bool = False,
    confirm: ConfirmAnswers | None = None,
    git: bool = True,
) -> NewProject:
    """Create a new MCP server project at DESTINATION from the mcpforge template.

    The project name defaults to the destination's folder name. The project is rendered
    in a temporary folder beside the destination and moved into place only when complete,
    so a failure, a refusal at the confirmation or Ctrl-C leaves nothing behind. With
    `git`, the project becomes a git repository with one commit, ready for
    `mcpforge update`.
    """
    target = Path(os.path.abspath(destination))  # noqa: PTH100 - normalizes `.` and `..`
    check_destination(target)
    data = dict(answers or {})
    data.setdefault("project_name", target.name)

    # An existing empty folder (say `mcpforge new .`) is filled in place, so a shell
    # inside it stays there: staging happens inside it and the entries move up.
    in_place = target.is_dir()
    anchor = target if in_place else _nearest_existing(target.parent)
    staging = Path(tempfile.mkdtemp(prefix=".mcpforge-new-", dir=anchor))
    moved: list[Path] = []
    try:
        rendered = staging / target.name
        used = copy_template(rendered, data, ask=ask)
        if confirm is not None and not confirm(used):
            raise Declined(
                f"{target.name} was not generated: the answers were not confirmed",
                "run mcpforge new again, or pass --yes to skip the confirmation",
            )
        made_repo = git and _init_repository(rendered, used)
        files = _list_files(rendered)
        if in_place:
            for entry in sorted(rendered.iterdir()):
                entry.rename(target / entry.name)
                moved.append(target / entry.name)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            rendered.rename(target)
    except BaseException:
        for path in moved:  # exit 1 means nothing was written: take back what moved
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return NewProject(path=target, answers=used, files=files, git=made_repo)


def check_destination(target: Path) -> None:
    """Refuse a destination that is a file or a folder with something in it."""
    if target.is_file():
        raise DestinationError(f"{target} is a file", "choose another project name or directory")
    if target.is_dir() and any(target.iterdir()):
        raise DestinationError(
            f"{target} already exists and is not empty",
            "choose another name, or remove the folder first",
        )
    anchor = _nearest_existing(target.parent)
    if not anchor.is_dir() or not os.access(anchor, os.W_OK | os.X_OK):
        raise DestinationError(
            f"cannot create {target}: {anchor} is not a writable folder",
            "choose a destination in a folder you can write to",
        )


def _nearest_existing(path: Path) -> Path:
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def _list_files(root: Path) -> tuple[str, ...]:
    return tuple(
        sorted(
            path.relative_to(root).as_posix()
            for path in root.rglob("*")
            if path.is_file() and ".git" not in path.relative_to(root).parts
        )
    )


def _init_repository(root: Path, answers: Mapping[str, Any]) -> bool:
    """Make the project a git repository with one commit; False when git is missing."""
    git = shutil.which("git")
    if git is None:
        return False

    def run(*args: str, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [git, *args], cwd=root, env=env, check=False, capture_output=True, text=True
        )

    run("init", "-q", "-b", "main")
    run("add", "-A")
    _commit(root, answers, "-m", f"Generate {answers['project_name']} with mcpforge {__version__}")
    return True


def lock_new_project(project: NewProject) -> LockOutcome:
    """Pin the new project's dependencies in uv.lock, after it is in place.

    Runs after the move, so a slow or unreachable index never delays or undoes the
    project itself. With a repository, uv.lock joins the first commit (amended): the
    project stays one clean commit, ready for `mcpforge update`.
    """
    from mcpforge.lock import LOCK_FILE, lock_project  # noqa: PLC0415

    outcome = lock_project(project.path)
    if outcome.locked and project.git:
        git = shutil.which("git")
        if git is not None:
            subprocess.run(
                [git, "add", LOCK_FILE], cwd=project.path, check=False, capture_output=True
            )
            try:
                _commit(project.path, project.answers, "--amend", "--no-edit")
            except DestinationError:
                note = "; git could not commit it: commit it yourself"
                return replace(outcome, message=outcome.message + note)
    return outcome


def _commit(root: Path, answers: Mapping[str, Any], *args: str) -> None:
    """`git commit ARGS`, as the project's author when this machine has no git identity."""
    git = shutil.which("git") or "git"

    def run(*argv: str, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [git, *argv], cwd=root, env=env, check=False, capture_output=True, text=True
        )

    commit = ("commit", "-q", "--no-verify", "--no-gpg-sign", *args)
    if run(*commit).returncode != 0:
        # No git identity on this machine: commit as the project's author.
        name, email = str(answers["author_name"]), str(answers["author_email"])
        identity = {
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": email,
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": email,
        }
        result = run(*commit, env={**os.environ, **identity})
        if result.returncode != 0:
            raise DestinationError(
                f"git could not commit the new project: {result.stderr.strip().splitlines()[-1]}",
                "pass --no-git to skip creating a repository",
            )

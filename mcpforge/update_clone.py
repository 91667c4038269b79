"""A throwaway copy of a project's repository, and applying its changes back at the end.

`mcpforge update` lets copier work on a clone of the project, so a failure, a refusal or
Ctrl-C at any point leaves the real project untouched. Only when copier is done are the
changed files written back: a step of milliseconds, undone if it fails or is interrupted.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from mcpforge.errors import GitError

GIT_INSTALL_HINT = "install git (`apt install git`, `brew install git`), then run mcpforge again"
_UNMERGED = frozenset({"DD", "AU", "UD", "UA", "DU", "AA", "UU"})


def git(
    *args: str, cwd: Path, stdin: bytes | None = None, env: Mapping[str, str] | None = None
) -> bytes:
    """Run git in `cwd` and return its output; GitError when it fails."""
    try:
        result = subprocess.run(
            ["git", "-c", "core.hooksPath=/dev/null", *args],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            check=False,
            env={**os.environ, **env} if env else None,
        )
    except FileNotFoundError:
        raise GitError(
            "git is not installed: mcpforge needs it to update projects", GIT_INSTALL_HINT
        ) from None
    if result.returncode != 0:
        detail = (result.stderr.decode(errors="replace").strip().splitlines() or ["?"])[-1]
        raise GitError(f"git {args[0]} failed in {cwd}: {detail}")
    return result.stdout


def git_text(*args: str, cwd: Path) -> str:
    return git(*args, cwd=cwd).decode("utf-8", errors="surrogateescape")


def repository_top(path: Path) -> Path | None:
    """The top of the git work tree holding `path`, or None when it is not in one."""
    try:
        return Path(git_text("rev-parse", "--show-toplevel", cwd=path).strip()).resolve()
    except GitError:
        return None


def uncommitted(path: Path) -> list[str]:
    """Paths under `path` with uncommitted changes, untracked files included."""
    out = git_text("status", "--porcelain=v1", "-z", "--untracked-files=all", "--", ".", cwd=path)
    return [entry[3:] for entry in out.split("\0") if len(entry) > 3 and entry[2] == " "]


def unmerged(path: Path) -> list[str]:
    """Paths under `path` (relative to it) that git records as unmerged (conflicts)."""
    out = git_text("diff", "--name-only", "--diff-filter=U", "--relative", "-z", cwd=path)
    return sorted({name for name in out.split("\0") if name})


@dataclass(frozen=True)
class Change:
    """One path a copier run changed in the copy, relative to the repository top."""

    path: str
    status: str  # two letters of `git status --porcelain`; "!!" ignored, "??" new

    @property
    def conflicted(self) -> bool:
        return self.status in _UNMERGED


def clone_for_update(top: Path, into: Path) -> Path:
    """A clone of the repository at `top` checked out at its HEAD, sharing its objects."""
    head = git_text("rev-parse", "HEAD", cwd=top).strip()
    git("clone", "-q", "--shared", "--no-checkout", str(top), str(into), cwd=top)
    git("-c", "advice.detachedHead=false", "checkout", "-q", "--detach", head, cwd=into)
    return into


def changes(copy_top: Path, subdir: str) -> list[Change]:
    """What the update changed in the copy, below `subdir` (relative to its top)."""
    out = git_text(
        "status", "--porcelain=v1", "-z", "--untracked-files=all", "--ignored=matching",
        "--no-renames", "--", subdir or ".", cwd=copy_top,
    )  # fmt: skip
    return [
        Change(path=entry[3:], status=entry[:2])
        for entry in out.split("\0")
        if len(entry) > 3 and not entry.endswith("/")
    ]


def diff(copy_top: Path, subdir: str) -> str:
    """The update as a unified diff, paths relative to the project."""
    project = copy_top / subdir
    git("add", "-A", "--", ".", cwd=project)
    return git_text("diff", "--cached", "--relative", "--no-color", "HEAD", cwd=project)


@contextmanager
def _deferred_interrupt() -> Iterator[list[int]]:
    """Hold Ctrl-C back while files are written; the caller decides what it means."""
    received: list[int] = []
    try:
        previous = signal.getsignal(signal.SIGINT)

        def hold(signum: int, _frame: FrameType | None) -> None:
            received.append(signum)

        signal.signal(signal.SIGINT, hold)
    except ValueError:  # not the main thread: signals cannot arrive here anyway
        yield received
        return
    try:
        yield received
    finally:
        signal.signal(signal.SIGINT, previous)


def keep_committed(copy_top: Path, changes: Sequence[Change]) -> list[str]:
    """Restore, in the copy, each path's committed content; return the paths restored."""
    paths = [change.path for change in changes]
    if paths:
        git("checkout", "-q", "HEAD", "--", *paths, cwd=copy_top)
    return paths


def apply_changes(copy_top: Path, top: Path, project: Path, found: Sequence[Change]) -> list[str]:
    """Write the copy's changes into the real repository; return the paths left alone.

    A path the real project holds as an ignored or untracked file is the user's: it is
    never overwritten. Conflicted paths get their unmerged index entries, as copier
    leaves them. On an error or Ctrl-C, every path written is restored from HEAD.
    """
    written: list[tuple[str, bool]] = []
    left_alone: list[str] = []
    with _deferred_interrupt() as interrupted:
        try:
            for change in found:
                target = top / change.path
                tracked = change.status not in {"??", "!!"}
                if not tracked and (target.exists() or target.is_symlink()):
                    left_alone.append(_relative(top / change.path, project))
                    continue
                written.append((change.path, tracked))
                _write(copy_top / change.path, target, stop=project)
            conflicts = [change.path for change in found if change.conflicted]
            if conflicts:
                _mark_unmerged(copy_top, top, conflicts)
        except BaseException:
            _restore(top, project, written)
            raise
        if interrupted:
            _restore(top, project, written)
            raise KeyboardInterrupt
    return left_alone


def _write(source: Path, target: Path, *, stop: Path) -> None:
    if source.is_symlink() or source.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_symlink() or target.is_file():
            target.unlink()
        if source.is_symlink():
            target.symlink_to(source.readlink())
        else:
            shutil.copy2(source, target)
        return
    if target.is_symlink() or target.is_file():
        target.unlink()
    _remove_empty_parents(target.parent, stop=stop)


def _remove_empty_parents(folder: Path, *, stop: Path) -> None:
    while folder != stop and stop in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def _mark_unmerged(copy_top: Path, top: Path, paths: Sequence[str]) -> None:
    """Give the real index the conflict stages copier recorded in the copy's index."""
    listing = git_text("ls-files", "-u", "-z", "--", *paths, cwd=copy_top)
    lines = [f"0 {'0' * 40}\t{path}" for path in paths]
    for entry in filter(None, listing.split("\0")):
        info, path = entry.split("\t", 1)
        mode, sha, stage = info.split()
        blob = git("cat-file", "blob", sha, cwd=copy_top)
        real_sha = git("hash-object", "-w", "--stdin", cwd=top, stdin=blob).decode().strip()
        lines.append(f"{mode} {real_sha} {stage}\t{path}")
    git("update-index", "--index-info", cwd=top, stdin="\n".join(lines).encode() + b"\n")


def _restore(top: Path, project: Path, written: Sequence[tuple[str, bool]]) -> None:
    tracked = [path for path, was_tracked in written if was_tracked]
    if tracked:
        git("reset", "-q", "HEAD", "--", *tracked, cwd=top)
        git("checkout", "-q", "HEAD", "--", *tracked, cwd=top)
    for path, was_tracked in written:
        if not was_tracked:
            target = top / path
            if target.is_symlink() or target.is_file():
                target.unlink()
            _remove_empty_parents(target.parent, stop=project)


def _relative(path: Path, project: Path) -> str:
    return path.relative_to(project).as_posix()

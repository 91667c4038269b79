"""`mcpforge update`: bring a generated project to the installed template, offline.

A project records its template (`_src_path`, mcpforge's public repository) and version
(`_commit`, a `v<version>` tag) in .copier-answers.yml. The installed mcpforge carries
every released template version (see history.py), so copier's three-way update runs
without a network: the user's edits are kept, clashing edits become inline conflicts,
and the project is only written once the whole update has succeeded in a copy.
"""

from __future__ import annotations

import shlex
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from packaging.version import Version

from mcpforge import update_clone
from mcpforge._version import __version__
from mcpforge.errors import Aborted, GitError, McpforgeError, UpdateRefused
from mcpforge.history import (
    BUNDLE_NAME,
    TemplateHistory,
    list_tags,
    read_file,
    tag_version,
)
from mcpforge.record import ANSWERS_FILE, project_answers

Status = Literal["up-to-date", "update-available", "updated", "conflicts", "would-update"]

EXIT_OK = 0
EXIT_NEEDS_ATTENTION = 2  # an update is available (--check), or conflicts remain

CONFLICT_HINT = (
    "resolve the <<<<<<< / >>>>>>> blocks in these files (files kept as yours have none:"
    " take what you want of the template's), `git add` them, then commit"
)


@dataclass(frozen=True)
class UpdateResult:
    """What `mcpforge update` found or did; `exit_code` is what the CLI exits with."""

    project: Path
    status: Status
    recorded: str
    template: str
    changed: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()  # edited by the user, dropped by the template: kept
    untouched: tuple[str, ...] = ()  # the user's own (ignored) files the template now has
    diff: str = ""
    clashes: tuple[str, ...] = ()  # the user's committed files the template now adds: kept
    lock: str = ""  # what happened to uv.lock (empty when locking was not asked for)

    @property
    def exit_code(self) -> int:
        needs_attention = self.status == "update-available" or bool(self.conflicts)
        return EXIT_NEEDS_ATTENTION if needs_attention else EXIT_OK

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["project"] = str(self.project)
        data["update_available"] = self.status in {"update-available", "would-update"}
        data["exit_code"] = self.exit_code
        for name in ("changed", "conflicts", "kept", "untouched", "clashes"):
            data[name] = list(data[name])
        return data


def installed_history() -> TemplateHistory:
    """The template history of this mcpforge: the wheel's bundle, or the checkout's tags."""
    from mcpforge.copier_calls import template_root  # noqa: PLC0415

    root = template_root()
    bundle = root / BUNDLE_NAME
    if bundle.is_file():
        return TemplateHistory(current=__version__, source=bundle)
    return TemplateHistory(current=__version__, checkout=root)


def check_update(path: Path | str = ".", *, history: TemplateHistory | None = None) -> UpdateResult:
    """Tell whether a newer template version is available for the project at PATH.

    Reads only the project's answers file: a dirty tree or a missing git repository do
    not matter. Status "update-available" (exit 2) or "up-to-date" (exit 0).
    """
    project = _project_dir(path)
    answers = project_answers(project)
    history = history or installed_history()
    with tempfile.TemporaryDirectory(prefix="mcpforge-check-") as work:
        recorded, _ = _versions(project, answers, history, Path(work))
    status: Status = "up-to-date" if recorded == history.current_tag else "update-available"
    return UpdateResult(project, status, recorded=recorded, template=history.current_tag)


def update_project(
    path: Path | str = ".",
    *,
    data: Mapping[str, Any] | None = None,
    defaults: bool = False,
    pretend: bool = False,
    lock: bool = False,
    history: TemplateHistory | None = None,
) -> UpdateResult:
    """Update the project at PATH to the template of this mcpforge, without a network.

    Edits to lines the template did not change are kept; edits to lines it changed
    become inline conflicts (listed, exit 2); files the user deleted stay deleted; files
    the user owns are never touched. `data` changes answers; `defaults` answers new
    questions with their defaults (otherwise copier asks at a terminal). With `pretend`,
    the diff is returned and nothing is written. Refused (UpdateRefused, nothing
    changed): not a git repository, uncommitted changes, no answers file, a project made
    by a newer mcpforge, an unknown recorded version. With `lock` (not with `pretend`),
    uv.lock is refreshed in the updated copy and written back with the other changes;
    when that cannot be done, `lock` of the result says why in one line. A Ctrl-C once
    the project is written raises Aborted saying what was written and how to undo it.
    """
    writing: list[Path] = []  # the project, once its files are being written
    try:
        return _update_project(
            path, data=data, defaults=defaults, pretend=pretend, lock=lock, history=history,
            writing=writing,
        )  # fmt: skip
    except KeyboardInterrupt:
        # The write-back restores the project when interrupted; once it is done, the
        # update stays written (the tree was clean before it): say what and how to undo.
        written = update_clone.uncommitted(writing[0]) if writing else []
        if written:
            raise Aborted(written_message(writing[0], written)) from None
        raise


def written_message(project: Path, paths: Sequence[str]) -> str:
    """The one line to show when an update that was written is interrupted."""
    shown = ", ".join(paths[:3]) + (", ..." if len(paths) > 3 else "")
    where = "" if project == Path.cwd() else f"cd {shlex.quote(str(project))} && "
    return (
        f"interrupted; the update was written ({len(paths)} files changed in {project.name}:"
        f" {shown}): review it with `git status`, or undo it with"
        f" `{where}git checkout HEAD -- . && git clean -fd -- .`"
    )


def _update_project(
    path: Path | str,
    *,
    data: Mapping[str, Any] | None,
    defaults: bool,
    pretend: bool,
    lock: bool,
    history: TemplateHistory | None,
    writing: list[Path],
) -> UpdateResult:
    project = _project_dir(path)
    # What the folder is comes first: a folder that is no project needs no `git init`.
    answers = project_answers(project)
    top = update_clone.repository_top(project)
    if top is None:
        raise UpdateRefused(
            f"{project} is not in a git repository",
            "mcpforge update merges with git: run `git init && git add -A && git commit "
            "-m 'Initial commit'` first",
        )
    # Uncommitted changes are refused before anything is compared, "up to date" included:
    # the same tree always gets the same answer. The conflicts a previous update left are
    # the exception: listed as what is left to do (exit 2).
    left = tuple(update_clone.unmerged(project))
    if not left:
        _refuse_uncommitted(project)
    history = history or installed_history()
    with tempfile.TemporaryDirectory(prefix="mcpforge-update-") as work_dir:
        work = Path(work_dir)
        recorded, repo = _versions(project, answers, history, work)
        _refuse_hand_edited_answers(project, answers, repo, work)
        target = history.current_tag
        if recorded == target and not data:
            return UpdateResult(project, "up-to-date", recorded, target, conflicts=left)
        _refuse_uncommitted(project)
        overrides = _answers_for(repo, target, answers, recorded, data or {}, work)
        subdir = project.relative_to(top).as_posix()
        subdir = "" if subdir == "." else subdir
        copy_top = update_clone.clone_for_update(top, work / "project")
        from mcpforge.copier_calls import update_template  # noqa: PLC0415 - imports copier

        old_files: set[str] = set()
        kept = update_template(
            copy_top / subdir, history=repo, tag=target, data=overrides, defaults=defaults,
            work=work, old_files=old_files,
        )  # fmt: skip
        lock_message = ""
        if lock and not pretend:
            lock_message = _relock(copy_top / subdir, project.name)
        found = update_clone.changes(copy_top, subdir)
        # A committed file of the user's that the new template adds too (the old one did
        # not have it) is theirs: copier replaces it when it cannot merge (a binary file);
        # keep it and report the clash as a conflict.
        theirs = update_clone.keep_committed(
            copy_top,
            [
                change
                for change in found
                if not change.conflicted
                and change.status not in {"??", "!!"}
                and change.path not in old_files  # both relative to the repository top
                and _below(change.path, subdir) != ANSWERS_FILE
                and _below(change.path, subdir) != "uv.lock"  # refreshed by _relock
            ],
        )
        found = [change for change in found if change.path not in theirs]
        changed = tuple(_below(change.path, subdir) for change in found)
        conflicts = tuple(_below(change.path, subdir) for change in found if change.conflicted)
        clashes = tuple(_below(path, subdir) for path in theirs)
        conflicts += clashes
        if pretend:
            patch = update_clone.diff(copy_top, subdir)
            return UpdateResult(
                project, "would-update", recorded, target, changed, conflicts, tuple(kept),
                diff=patch,
            )  # fmt: skip
        writing.append(project)
        left_alone = update_clone.apply_changes(copy_top, top, project, found)
    status: Status = "conflicts" if conflicts else "updated"
    return UpdateResult(
        project, status, recorded, target, changed, conflicts, tuple(kept), tuple(left_alone),
        clashes=clashes, lock=lock_message,
    )  # fmt: skip


def _relock(copy: Path, name: str) -> str:
    """Refresh uv.lock in the updated copy; the one line to show the user."""
    from mcpforge.lock import LOCK_FILE, REFRESH_COMMAND, lock_project  # noqa: PLC0415

    pyproject = copy / "pyproject.toml"
    if not pyproject.is_file():
        return ""  # not a Python project any more: nothing to lock
    if "<<<<<<<" in pyproject.read_text(encoding="utf-8", errors="replace"):
        return (
            f"{LOCK_FILE} not refreshed: pyproject.toml has conflicts; "
            f"run `{REFRESH_COMMAND}` once they are resolved"
        )
    outcome = lock_project(copy)
    # The copy has a temporary folder's name: speak of the project.
    return outcome.message.replace(f" in {copy.name} ", f" in {name} ")


def _project_dir(path: Path | str) -> Path:
    project = Path(path).resolve()
    if not project.is_dir():
        raise UpdateRefused(f"{project} is not a directory", "pass the project's directory")
    return project


def _versions(
    project: Path, answers: Mapping[str, Any], history: TemplateHistory, work: Path
) -> tuple[str, Path]:
    """The recorded version tag (known, not newer) and the materialized history."""
    recorded = str(answers.get("_commit") or "")
    known_hint = "restore _commit in .copier-answers.yml from git if it was edited by hand"
    if not recorded:
        raise UpdateRefused(
            f"{project} records no template version (_commit) in .copier-answers.yml",
            known_hint,
        )
    version = tag_version(recorded)
    if version is not None and version > Version(history.current):
        raise UpdateRefused(
            f"{project} was made by mcpforge {version}, newer than this mcpforge {history.current}",
            "upgrade mcpforge (`uv tool upgrade mcpforge` or `pip install -U mcpforge`)",
        )
    repo = history.materialize(work / "history.git")
    tags = list_tags(repo)
    if recorded not in tags:
        raise UpdateRefused(
            f"{project} records template version {recorded}, which mcpforge "
            f"{history.current} does not know (it knows {', '.join(tags)}): it was likely "
            "generated by an unreleased build of mcpforge (a source checkout, or a commit "
            "between two releases)",
            _unknown_version_hint(recorded, tags),
        )
    return recorded, repo


def _unknown_version_hint(recorded: str, tags: list[str]) -> str:
    """What to do with a project whose template version no release carries."""
    base = recorded.split("-", maxsplit=1)[0]  # `git describe` form: v0.1.0-3-gabc1234
    version = tag_version(base)
    older = [
        tag for tag in tags if version is not None and (v := tag_version(tag)) and v <= version
    ]
    start = older[-1] if older else None
    target = (
        f"`_commit: {start}`"
        if start
        else f"the release it started from ({', '.join(tags)}) as _commit"
    )
    return (
        "use the mcpforge build that generated it, or rebase the project on a release: "
        f"put {target} in .copier-answers.yml, commit, then run `mcpforge update` "
        "(what that build changed shows up as your own edits)"
    )


def _refuse_uncommitted(project: Path) -> None:
    dirty = update_clone.uncommitted(project)
    if dirty:
        shown = ", ".join(dirty[:3]) + (", ..." if len(dirty) > 3 else "")
        raise UpdateRefused(
            f"{project} has uncommitted changes ({shown})",
            "commit or stash them first (`git stash -u`), then update",
        )


def _refuse_hand_edited_answers(
    project: Path, answers: Mapping[str, Any], repo: Path, work: Path
) -> None:
    """Refuse when the last commit touching the answers file changed answers by hand.

    The files follow the answers they were rendered with; copier's update re-renders the
    old version with the answers file as it is now, so a value edited by hand there would
    stay in the answers file while every file kept the old value. `--data` changes an
    answer and the files together. The rule (docs/update.md): take the last commit that
    changed .copier-answers.yml; when it changed answers but not `_commit` (not an update
    to another version), it must also have changed at least one of the files that those
    answers render differently, at the recorded version (two renders, only then). A
    commit of the answers file alone changed none, by definition.
    """
    last = update_clone.git_text(
        "log", "-1", "--format=%H", "--", ANSWERS_FILE, cwd=project
    ).strip()
    if not last:
        return
    touched = update_clone.git_text(
        "diff-tree", "--no-commit-id", "--name-only", "-r", "--root", "--relative", last,
        cwd=project,
    ).split()  # fmt: skip
    try:
        before = yaml.safe_load(
            update_clone.git_text("show", f"{last}~1:./{ANSWERS_FILE}", cwd=project)
        )
    except (GitError, yaml.YAMLError):
        return
    if not isinstance(before, dict):
        return
    edited = sorted(
        key
        for key in set(before) | set(answers)
        if not str(key).startswith("_") and before.get(key) != answers.get(key)
    )
    if not edited:
        return
    if touched != [ANSWERS_FILE]:
        if before.get("_commit") != answers.get("_commit"):
            return  # an update to another version: copier wrote these answers
        stale = _rendered_differently(repo, str(answers.get("_commit")), before, answers, work)
        if stale is None or not stale or set(stale) & set(touched):
            return
    first = edited[0]
    raise UpdateRefused(
        f"{ANSWERS_FILE} was edited by hand ({', '.join(edited)}) in commit {last[:12]}:"
        " the files still follow the old answers",
        f"revert that edit (`git revert {last[:12]}`), then change the answer with"
        f" `mcpforge update --data {first}={answers.get(first)}`",
    )


def _rendered_differently(
    repo: Path, tag: str, before: Mapping[str, Any], after: Mapping[str, Any], work: Path
) -> list[str] | None:
    """Files that template version `tag` renders differently with `after` than `before`.

    None when the old answers do not render (nothing can be said); every file when the
    new ones do not (no mcpforge or copier operation recorded them).
    """
    from mcpforge.copier_calls import copy_template  # noqa: PLC0415

    source = work / "recorded-template"
    try:
        update_clone.git_text("clone", "-q", "--branch", tag, str(repo), str(source), cwd=work)
    except GitError:
        return None
    trees: list[dict[str, bytes]] = []
    for name, answers in (("before", before), ("after", after)):
        target = work / f"render-{name}"
        data = {key: value for key, value in answers.items() if not str(key).startswith("_")}
        try:
            copy_template(target, data, ask=False, source=source)
        except McpforgeError:
            # Old answers that do not render: nothing to say; new ones: no operation
            # of mcpforge or copier recorded them (a name no file is called: stale).
            return None if name == "before" else ["(the new answers do not render)"]
        trees.append(
            {
                path.relative_to(target).as_posix(): path.read_bytes()
                for path in target.rglob("*")
                if path.is_file()
            }
        )
    old, new = trees
    return sorted(
        path
        for path in set(old) | set(new)
        if path != ANSWERS_FILE and old.get(path) != new.get(path)
    )


def _answers_for(
    repo: Path,
    target: str,
    answers: Mapping[str, Any],
    recorded: str,
    data: Mapping[str, Any],
    work: Path,
) -> dict[str, Any]:
    """Migrated answers plus the user's --data, checked against the target's questions."""
    from mcpforge.answers import combine_answers, load_questions  # noqa: PLC0415
    from mcpforge.migrations import migrated_answers  # noqa: PLC0415

    copier_yml = read_file(repo, target, "copier.yml")
    recorded_version, target_version = tag_version(recorded), tag_version(target)
    assert recorded_version is not None and target_version is not None  # noqa: S101 - known tags
    overrides = migrated_answers(
        copier_yml, answers, recorded=recorded_version, target=target_version
    )
    if data:
        questions_file = work / "copier.yml"
        questions_file.write_text(copier_yml, encoding="utf-8")
        overrides.update(combine_answers(load_questions(questions_file), flag_data=data))
    return overrides


def _below(path: str, subdir: str) -> str:
    return path[len(subdir) + 1 :] if subdir else path


def report_lines(result: UpdateResult) -> list[str]:
    """The human summary of a result, one line each."""
    step = f"{result.recorded} -> {result.template}"
    lines = {
        "up-to-date": [f"{result.project.name} is up to date with template {result.template}"],
        "update-available": [f"template update available for {result.project.name}: {step}"],
        "would-update": [f"would update {result.project.name}: {step} (nothing was changed)"],
        "updated": [f"updated {result.project.name}: {step}"],
        "conflicts": [f"updated {result.project.name}: {step}, with conflicts"],
    }[result.status]
    if result.status in {"updated", "conflicts", "would-update"}:
        lines.append(f"{len(result.changed)} files changed; review with `git diff`")
    lines += [f"kept your edited {path} (the template dropped it)" for path in result.kept]
    lines += [f"left your own {path} alone (the template now has one)" for path in result.untouched]
    lines += [
        f"kept your own {path}: the template now adds a different one (not merged)"
        for path in result.clashes
    ]
    if result.lock:
        lines.append(result.lock)
    if result.conflicts:
        lines.append(f"{len(result.conflicts)} files with conflicts:")
        lines += [f"  {path}" for path in result.conflicts]
        lines.append(f"hint: {CONFLICT_HINT}")
    return lines

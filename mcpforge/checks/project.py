"""Project checks: the answers file, and the template version it records."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from mcpforge.checks.base import Context, Outcome, check, failed, passed, skipped
from mcpforge.errors import HistoryError
from mcpforge.record import ANSWERS_FILE, parse_version, read_answers


@check(
    "MF101",
    "project",
    "The answers file (.copier-answers.yml) is present and readable",
    "restore .copier-answers.yml from git (`git checkout -- .copier-answers.yml`): "
    "`mcpforge update` and these checks read it",
)
def answers_file(context: Context) -> Outcome:
    answers, problem = read_answers(context.root)
    if answers is None:
        return failed(problem, file=ANSWERS_FILE)
    missing = [key for key in ("_src_path", "project_name", "package_name") if key not in answers]
    if missing:
        return failed(f"{ANSWERS_FILE} lacks {', '.join(missing)}", file=ANSWERS_FILE)
    return passed(f"{len(answers)} answers")


@check(
    "MF102",
    "project",
    "The answers file records a known template version (_commit)",
    "restore `_commit` in .copier-answers.yml from git history; a project without it "
    "cannot be updated: regenerate it with `mcpforge new` and move your code over",
)
def template_version(context: Context) -> Outcome:
    if not context.answers:
        return skipped(f"no readable {ANSWERS_FILE} (see MF101)")
    commit = context.answers.get("_commit")
    if commit in (None, ""):
        return failed(f"{ANSWERS_FILE} records no template version (_commit)", file=ANSWERS_FILE)
    version = parse_version(str(commit))
    if version is None:
        return failed(f"_commit {commit!r} is not a template version", file=ANSWERS_FILE)
    if version.release is None:
        return passed(f"generated from template commit {version} (a development build)")
    known = known_versions()
    if str(commit) != str(commit).strip() or (known and str(commit) not in known):
        return failed(
            f"_commit {commit} is a template version this mcpforge does not know"
            f" (it knows {', '.join(known)})",
            file=ANSWERS_FILE,
        )
    return passed(f"template {version}")


@cache
def known_versions() -> tuple[str, ...]:
    """The template versions (tags) of the installed mcpforge; empty if unreadable."""
    import tempfile  # noqa: PLC0415

    from mcpforge.history import list_tags  # noqa: PLC0415
    from mcpforge.update import installed_history  # noqa: PLC0415

    history = installed_history()
    try:
        with tempfile.TemporaryDirectory(prefix="mcpforge-versions-") as work:
            return tuple(list_tags(history.materialize(Path(work) / "history.git")))
    except (HistoryError, OSError):
        return ()

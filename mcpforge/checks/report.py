"""The Rich side of `mcpforge check`: a live view while checks run, a summary table after."""

from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from rich import box
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table
from rich.text import Text

from mcpforge.checks.base import Result, Status
from mcpforge.checks.formats import unverified_lines
from mcpforge.checks.runner import Plan, Report, check_project
from mcpforge.console import err, out

_STYLE = {
    Status.PASSED: "green",
    Status.FAILED: "bold red",
    Status.WARNING: "yellow",
    Status.SKIPPED: "dim",
    Status.NOT_VERIFIED: "bold magenta",
}
_SHOWN = {Status.NOT_VERIFIED: "not verified"}
# Checks left out by the tier or by choice: listed by reason under the table, not in it.
_NOT_RUN = ("not in ", "not selected by --only", "skipped by ")
# Projects of `--matrix` checked at the same time; their reports keep the given order.
PROJECTS_AT_ONCE = 2


class LiveView:
    """Progress on stderr for one project: how many of its checks are done, and what the
    running ones are doing. A row of a shared `Progress`, removed when the project is done."""

    def __init__(self, progress: Progress, total: int, *, title: str = "") -> None:
        self._progress = progress
        self._task = progress.add_task("checking", total=total, title=escape(title))
        self._prefix = f"{title}: " if title else ""
        self._running: dict[str, str] = {}

    def listener(self, check_id: str, result: Result | None) -> None:
        if result is None:
            self._running[check_id] = ""
        else:
            self._running.pop(check_id, None)
            self._progress.advance(self._task)
            if result.status is Status.FAILED and not self._progress.disable:
                self._progress.console.print(
                    Text.assemble(
                        ("✗ ", "bold red"), f"{self._prefix}{check_id} {result.check.title}"
                    )
                )
        self._refresh()

    def note(self, check_id: str, note: str) -> None:
        self._running[check_id] = note
        self._refresh()

    def close(self) -> None:
        self._progress.remove_task(self._task)

    def _refresh(self) -> None:
        running = ", ".join(
            f"{check_id} {note}".strip() for check_id, note in list(self._running.items())[-3:]
        )
        self._progress.update(self._task, description=escape(running or "checking"))


@contextmanager
def live_progress(*, enabled: bool = True) -> Iterator[Progress]:
    """The live view's rows, one per project being checked; draws nothing when stderr is
    not a terminal."""
    console = err()
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.fields[title]}"),
        BarColumn(bar_width=20),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        console=console,
        transient=True,
        disable=not enabled or not console.is_terminal,
    )
    with progress:
        yield progress


def print_report(report: Report, *, title: str | None = None) -> None:
    """The summary table of one project, then one closing line with the counts."""
    console = out()
    shown = [r for r in report.results if not r.message.startswith(_NOT_RUN)]
    not_run = [r for r in report.results if r.message.startswith(_NOT_RUN)]
    table = Table(
        title=title or f"mcpforge check {report.root}", title_justify="left", box=box.SIMPLE
    )
    table.add_column("ID", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("check")
    for result in shown:
        details = Text(result.check.title)
        if result.message:
            details.append(f"\n{result.message}", style="dim" if result.ok_like else "")
        if result.hint:
            details.append(f"\nhint: {result.hint}", style="yellow")
        status = _SHOWN.get(result.status, result.status.value)
        table.add_row(result.check.id, Text(status, style=_STYLE[result.status]), details)
    console.print(table)
    reasons: dict[str, list[str]] = {}
    for result in not_run:
        reasons.setdefault(result.message, []).append(result.check.id)
    for reason, ids in reasons.items():
        console.print(Text(f"Not run ({reason}): {', '.join(ids)}", style="dim"), soft_wrap=True)
    for line in unverified_lines(report):
        console.print(Text(line, style="magenta"), soft_wrap=True)
    console.print(summary_line(report), soft_wrap=True)


_VERDICT = {
    "ok": ("ok: ", "bold green"),
    "passed": ("passed, not all verified: ", "bold yellow"),
    "not verified": ("NOT VERIFIED: ", "bold red"),
    "failed": ("FAILED: ", "bold red"),
}


def summary_line(report: Report) -> Text:
    """`ok:` only when every check that applies ran and passed."""
    counts = [
        f"{report.count(Status.PASSED)} passed",
        f"{report.count(Status.FAILED)} failed",
        f"{report.count(Status.WARNING)} warnings",
        f"{report.count(Status.SKIPPED)} skipped",
        f"{report.count(Status.NOT_VERIFIED)} not verified",
    ]
    word, style = _VERDICT[report.verdict]
    return Text.assemble((word, style), ", ".join(counts))


def print_matrix(reports: Sequence[Report]) -> None:
    for report in reports:
        print_report(report, title=f"mcpforge check {report.root.name}")
    failed = [report.root.name for report in reports if not report.ok]
    verdict = f"{len(reports) - len(failed)} of {len(reports)} projects pass"
    if failed:
        verdict += f"; failing: {', '.join(failed)}"
    out().print(Text(verdict, style="bold red" if failed else "bold green"), soft_wrap=True)


def run_checks(
    paths: Sequence[Path], planned: Plan, *, output_format: str, output: Path | None
) -> int:
    """Check each project with a live view, print the report in `output_format`, and
    return the exit code (2 when any project fails)."""
    from mcpforge.checks import formats  # noqa: PLC0415

    total = len(planned.chosen)

    def check(path: Path, progress: Progress) -> Report:
        view = LiveView(progress, total, title=path.name if len(paths) > 1 else "")
        try:
            return check_project(
                path, planned=planned, listener=view.listener, on_progress=view.note
            )
        finally:
            view.close()

    # Most of a project's checks wait on one single-core subprocess (uv, pytest, a server):
    # two projects at a time use both cores of a small CI machine.
    with (
        live_progress(enabled=output_format == "text") as progress,
        ThreadPoolExecutor(max_workers=PROJECTS_AT_ONCE) as pool,
    ):
        reports = list(pool.map(lambda path: check(path, progress), paths))
    if output_format == "text":
        if len(reports) > 1:
            print_matrix(reports)
        else:
            print_report(reports[0])
    else:
        render = {"json": formats.to_json, "junit": formats.to_junit, "github": formats.to_github}
        text = render[output_format](reports)
        if output is not None:
            output.write_text(text + "\n", encoding="utf-8")
        else:
            sys.stdout.write(text + "\n")
        # What was not verified, and how to install it, also where people read: stderr.
        for report in reports:
            prefix = f"{report.root.name}: " if len(reports) > 1 else ""
            for line in unverified_lines(report):
                err().print(Text(prefix + line), soft_wrap=True)
    return max(report.exit_code for report in reports)

"""Machine-readable reports (JSON, JUnit XML, GitHub annotations) and the docs table.

Plain text only: the Rich view lives in report.py.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from xml.etree import ElementTree as ET

from mcpforge.checks.base import FAMILIES, Check, Result, Status
from mcpforge.checks.runner import Report, registry

FORMATS = ("text", "json", "junit", "github")


def to_json(reports: Sequence[Report]) -> str:
    """One object per project checked; a list only for --matrix."""
    documents = [_report_dict(report) for report in reports]
    return json.dumps(documents[0] if len(documents) == 1 else documents, indent=2)


def unverified_lines(report: Report) -> list[str]:
    """One line per way to install what is missing: the checks not verified, the tools
    they lack, and what to do (a system tool's line says it fails only with --strict)."""
    groups: dict[tuple[str, bool], list[Result]] = {}
    for result in report.unverified:
        groups.setdefault((result.install, result.optional), []).append(result)
    lines = []
    for (install, optional), results in groups.items():
        ids = " ".join(result.check.id for result in results)
        families = ", ".join(dict.fromkeys(result.check.family for result in results))
        tools = ", ".join(dict.fromkeys(_tool(result.message) for result in results))
        system = optional and not report.strict
        note = " (a system tool: fails only with --strict)" if system else ""
        what = f"{families}: {tools} not installed" if tools else families
        lines.append(f"not verified{note}: {ids} ({what}); {_do(install, optional=optional)}")
    return lines


def _tool(message: str) -> str:
    suffix = " is not installed"
    return message.split(suffix, 1)[0] if suffix in message else ""


def _do(install: str, *, optional: bool) -> str:
    """A system tool's install instruction is a sentence; mcpforge's own, a command."""
    return install if optional else f"run: {install}"


def _report_dict(report: Report) -> dict[str, object]:
    return {
        "project": str(report.root),
        "ok": report.ok,
        "verdict": report.verdict,
        "exit_code": report.exit_code,
        "strict": report.strict,
        "summary": {status.value: report.count(status) for status in Status},
        "not_verified": unverified_lines(report),
        "results": [
            {
                "id": result.check.id,
                "family": result.check.family,
                "title": result.check.title,
                "status": result.status.value,
                "message": result.message,
                "hint": result.hint,
                "duration": round(result.duration, 3),
                "file": result.file,
                "line": result.line,
                "install": result.install,
                "optional": result.optional,
            }
            for result in report.results
        ],
    }


def to_junit(reports: Sequence[Report]) -> str:
    """JUnit XML: a testsuite per project, a testcase per check."""
    suites = ET.Element("testsuites", name="mcpforge check")
    for report in reports:
        suite = ET.SubElement(
            suites,
            "testsuite",
            name=report.root.name,
            tests=str(len(report.results)),
            failures=str(report.count(Status.FAILED)),
            skipped=str(report.count(Status.SKIPPED) + report.count(Status.NOT_VERIFIED)),
            time=f"{sum(result.duration for result in report.results):.3f}",
        )
        properties = ET.SubElement(suite, "properties")
        ET.SubElement(properties, "property", name="verdict", value=report.verdict)
        ET.SubElement(
            properties, "property", name="not-verified", value=str(len(report.unverified))
        )
        for result in report.results:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=f"mcpforge.{result.check.family}",
                name=f"{result.check.id} {result.check.title}",
                time=f"{result.duration:.3f}",
            )
            if result.status is Status.FAILED:
                failure = ET.SubElement(case, "failure", message=_first(result.message))
                failure.text = f"{result.message}\nhint: {result.hint}"
            elif result.status is Status.NOT_VERIFIED:
                # JUnit has no such status: a skip typed "not-verified"; the suite's
                # `verdict` property and the exit code say the report did not pass.
                do = _do(result.install, optional=result.optional)
                text = f"not verified: {result.message}; {do}"
                ET.SubElement(case, "skipped", message=text, type="not-verified")
            elif result.status is Status.SKIPPED:
                ET.SubElement(case, "skipped", message=result.message)
            elif result.status is Status.WARNING:
                ET.SubElement(case, "system-out").text = f"warning: {result.message}"
    ET.indent(suites)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(suites, encoding="unicode")


def to_github(reports: Sequence[Report]) -> str:
    """GitHub workflow commands: an ::error per failure, a ::warning per warning."""
    lines = []
    for report in reports:
        prefix = report.root.name + ": " if len(reports) > 1 else ""
        for result in report.results:
            if result.status is Status.NOT_VERIFIED:
                level = "warning" if result.optional and not report.strict else "error"
                title = f"{result.check.id} not verified: {result.check.title}"
                text = f"{prefix}{result.message}\n{_do(result.install, optional=result.optional)}"
                lines.append(f"::{level} title={_escape_property(title)}::{_escape_data(text)}")
                continue
            if result.status not in {Status.FAILED, Status.WARNING}:
                continue
            level = "error" if result.status is Status.FAILED else "warning"
            properties = [f"title={_escape_property(result.check.id + ' ' + result.check.title)}"]
            if result.file:
                properties.insert(0, f"file={_escape_property(result.file)}")
                if result.line:
                    properties.insert(1, f"line={result.line}")
            text = f"{prefix}{result.message}\nhint: {result.hint}"
            lines.append(f"::{level} {','.join(properties)}::{_escape_data(text)}")
        counts = ", ".join(f"{report.count(status)} {status.value}" for status in Status)
        lines.append(f"mcpforge check {report.root.name}: {report.verdict}: {counts}")
    return "\n".join(lines)


def _first(message: str) -> str:
    return message.strip().splitlines()[0] if message.strip() else ""


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def checks_markdown(checks: Sequence[Check] | None = None) -> str:
    """The table of every check, for README and docs/checks.md (`mcpforge check --list`)."""
    listed = list(checks if checks is not None else registry().values())
    lines = ["| ID | family | checks that | on failure |", "| --- | --- | --- | --- |"]
    for family in FAMILIES:
        for item in (check for check in listed if check.family == family):
            hint = item.hint.replace("|", "\\|")
            lines.append(f"| {item.id} | {item.family} | {item.title} | {hint} |")
    return "\n".join(lines) + "\n"

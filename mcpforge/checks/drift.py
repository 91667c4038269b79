"""Drift check: is a newer template available than the one the project records?"""

from __future__ import annotations

from mcpforge.checks.base import Context, Outcome, check, passed, skipped, warning
from mcpforge.errors import McpforgeError
from mcpforge.record import ANSWERS_FILE, recorded_version


@check(
    "MF601",
    "drift",
    "The project is on the newest template of the installed mcpforge",
    "run `mcpforge update` (a warning; it fails only with --strict)",
)
def template_drift(context: Context) -> Outcome:
    """Asks `mcpforge update`'s own logic, so both speak of versions as tags (v0.1.0)."""
    from mcpforge.update import check_update  # noqa: PLC0415 - imports the history

    recorded = recorded_version(context.answers)
    if recorded is None:
        return skipped(f"{ANSWERS_FILE} records no template version (see MF102)")
    if recorded.release is None:
        return skipped(f"generated from development commit {recorded}: nothing to compare")
    try:
        result = check_update(context.root)
    except McpforgeError as error:
        return skipped(f"cannot tell: {error}")
    if result.status == "update-available":
        return warning(f"template {result.recorded} is behind {result.template}", file=ANSWERS_FILE)
    return passed(f"template {result.recorded} is the newest")

"""Drift check: is a newer template available than the one the project records?"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mcpforge.checks.base import Context, Outcome, check, passed, skipped, warning
from mcpforge.checks.project import ANSWERS_FILE, parse_version, recorded_version
from mcpforge.errors import McpforgeError


def available_template(answers: Mapping[str, Any]) -> str:
    """The template version `mcpforge update` would move the project to.

    The template ships inside mcpforge, so its version is mcpforge's own.
    """
    del answers  # one template per mcpforge release, whatever the project
    from mcpforge import __version__  # noqa: PLC0415 - avoid an import cycle

    return __version__


def _from_update(root: Path) -> Outcome | None:
    """Ask `mcpforge update`'s own logic, when it is available; None to fall back."""
    try:
        from mcpforge.update import check_update  # noqa: PLC0415
    except ImportError:
        return None
    try:
        result = check_update(root)
    except McpforgeError as error:
        return skipped(f"cannot tell: {error}")
    if result.status == "update-available":
        return warning(f"template {result.recorded} is behind {result.template}", file=ANSWERS_FILE)
    return passed(f"template {result.recorded} is the newest")


@check(
    "MF601",
    "drift",
    "The project is on the newest template of the installed mcpforge",
    "run `mcpforge update` (a warning; it fails only with --strict)",
)
def template_drift(context: Context) -> Outcome:  # noqa: PLR0911 - one return per case
    recorded = recorded_version(context.answers)
    if recorded is not None and recorded.release is not None:
        asked = _from_update(context.root)
        if asked is not None:
            return asked
    if recorded is None:
        return skipped(f"{ANSWERS_FILE} records no template version (see MF102)")
    if recorded.release is None:
        return skipped(f"generated from development commit {recorded}: nothing to compare")
    newest = parse_version(available_template(context.answers))
    if newest is None or newest.release is None:
        return skipped("the installed template has no release version")
    if recorded.release < newest.release:
        return warning(f"template {recorded} is behind {newest}", file=ANSWERS_FILE)
    if recorded.release > newest.release:
        return warning(
            f"the project records template {recorded}, newer than this mcpforge ({newest}): "
            "upgrade mcpforge"
        )
    return passed(f"template {recorded} is the newest")

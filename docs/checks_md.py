"""Regenerate docs/checks.md from the check registry: `python docs/checks_md.py`."""

from __future__ import annotations

from pathlib import Path

from mcpforge.checks.formats import checks_markdown

HEADER = """# The checks of `mcpforge check`

Generated from the registry by `python docs/checks_md.py` (the same table as
`mcpforge check --list`); a test fails when it is stale. IDs are stable: use them in
`--only`, `--skip` and `[tool.mcpforge.check] skip` in the project's pyproject.toml.

Tiers: `--fast` runs the project and static families; the default adds build, tests,
runtime and drift; `--container` adds container. A check whose validator is not
installed is skipped with an install hint, never passed.

<!-- checks -->
"""


def main() -> None:
    target = Path(__file__).with_name("checks.md")
    target.write_text(HEADER + checks_markdown(), encoding="utf-8")


if __name__ == "__main__":
    main()

"""Regenerate the table of checks in README.md from the registry: `python docs/readme_checks.py`.

The table sits between the two markers below; `mcpforge check --list` prints the same
table, and a test fails when the README is stale.
"""

from __future__ import annotations

from pathlib import Path

from mcpforge.checks.formats import checks_markdown

README = Path(__file__).resolve().parent.parent / "README.md"
START = "<!-- checks:start -->\n"
END = "<!-- checks:end -->\n"


def readme_table(text: str) -> str:
    """The table as it stands in the README."""
    return text.split(START, 1)[1].split(END, 1)[0]


def main() -> None:
    text = README.read_text(encoding="utf-8")
    before, rest = text.split(START, 1)
    after = rest.split(END, 1)[1]
    README.write_text(before + START + checks_markdown() + END + after, encoding="utf-8")


if __name__ == "__main__":
    main()

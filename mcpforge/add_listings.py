"""The listings `mcpforge add` keeps in step with the code: the README's table, manifest.json.

The README holds added entries between two markers the template renders empty and never
changes, so `mcpforge update` merges them like any edit of the user's. The MCP bundle
manifest's `tools` list (where the project has one) gets each added tool at its top: an
insertion of one line, which merges cleanly with template changes to the entries below.
"""

from __future__ import annotations

import json
import re

from mcpforge.add_spec import Addition

README_START = "<!-- mcpforge:added:start -->"
README_END = "<!-- mcpforge:added:end -->"
_TABLE_HEAD = ["| Kind | Name | What it does |", "| --- | --- | --- |"]
_LEAD = re.compile(r"^([0-9]{1,9}[.)]|[-+=#>])")


def markdown_text(text: str) -> str:
    """Text that Markdown renders literally (template/_shared/markdown.jinja, in Python)."""
    text = text.strip()
    match = _LEAD.match(text)
    lead = len(match.group(0)) if match else 0
    out: list[str] = []
    for index, char in enumerate(text):
        previous = text[index - 1] if index else " "
        following = text[index + 1] if index + 1 < len(text) else " "
        between_words = previous.isalnum() and following.isalnum()
        if char in "\\`*[]<>&|~$" or index + 1 == lead or (char == "_" and not between_words):
            out.append("\\")
        out.append(char)
    return "".join(out)


def readme_row(addition: Addition) -> str:
    shown = addition.uri if addition.kind == "resource" else addition.name
    what = markdown_text(addition.description)
    if addition.scopes:
        scopes = ", ".join(f"`{scope}`" for scope in addition.scopes)
        what += f" (needs the scope{'s' if len(addition.scopes) > 1 else ''} {scopes})"
    if addition.rate_limited:
        shares = [f"counts {addition.cost} requests"] if addition.cost != 1 else []
        shares += [f"at most `{addition.limit}` per client"] if addition.limit else []
        what += f" (rate limits: {', '.join(shares)})"
    return f"| {addition.kind} | `{shown}` | {what} |"


def add_to_readme(text: str, addition: Addition, package: str) -> str | None:
    """The README with the addition's row in the added region; None without the markers."""
    lines = text.split("\n")
    try:
        start = lines.index(README_START)
        end = lines.index(README_END, start)
    except ValueError:
        return None
    region = lines[start + 1 : end]
    row = readme_row(addition)
    table_rows = [line for line in region if line.startswith("|")]
    if table_rows:
        last = max(index for index, line in enumerate(region) if line.startswith("|"))
        region = [*region[: last + 1], row, *region[last + 1 :]]
    else:
        region = [
            "",
            f"Added with `mcpforge add`, one module each in `src/{package}/tools/` (tested in"
            " `tests/tools/`):",
            "",
            *_TABLE_HEAD,
            row,
            "",
        ]
    return "\n".join([*lines[: start + 1], *region, *lines[end:]])


def add_to_manifest(text: str, addition: Addition) -> str | None:
    """manifest.json with the tool first in its `tools` list; None when it has no such list.

    The entry is one line, inserted right after `"tools": [`: no line of the file changes,
    and no line of the entry equals the `{` of the entry after it (a diff could slide a
    multi-line entry past it, into the lines a template update changes).
    """
    if addition.kind != "tool":
        return None
    try:
        manifest = json.loads(text)
    except ValueError:
        return None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("tools"), list):
        return None
    entry = {"description": addition.description, "name": addition.name}
    expected = {**manifest, "tools": [entry, *manifest["tools"]]}
    match = re.search(r'^([ \t]*)"tools":[ \t]*\[[ \t]*(\r?\n)([ \t]*)(?=\S)', text, re.M)
    if match and manifest["tools"]:
        indent, newline = match.group(3), match.group(2)
        line = indent + json.dumps(entry, sort_keys=True) + "," + newline
        at = match.end(0) - len(indent)
        updated = text[:at] + line + text[at:]
        if _same(updated, expected):
            return updated
    # An empty list, or a layout of the user's own: written again, two-space indented.
    return json.dumps(expected, indent=2, sort_keys=True) + "\n"


def _same(text: str, expected: object) -> bool:
    try:
        return bool(json.loads(text) == expected)
    except ValueError:
        return False

"""Property test: free text in the generated README renders as that text, not as Markdown.

The description (and the MCP endpoint's URL, which carries the `http_path` answer) go
through template/_shared/markdown.jinja; the README is parsed with markdown-it-py
(CommonMark with GitHub's tables and strikethrough) and the description must come out
as one plain text run equal to the answer, with no HTML, emphasis, link or heading made
of it. Real renders of `mcpforge new` (copier), a bounded number in CI:
`MCPFORGE_FUZZ_EXAMPLES=200 uv run --extra check pytest tests/test_readme_markdown.py`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from mcpforge.create import new_project

PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
PLAIN = {"text", "text_special"}

MARKDOWN_CHARS = "#*_`[]()<>|\\&~$!-+=.:;'\"{}1 "
HOSTILE = [
    "# Not a heading",
    "<script>alert(1)</script>",
    "*bold* and _em_ and __strong__",
    "[x](https://example.com) and ![i](y.png)",
    "`code` and ``more``",
    "a | b | c",
    "1. not a list",
    "2) nor this",
    "- nor this",
    "+ nor this",
    "> no quote",
    "---",
    "***",
    "___",
    "    four spaces, no code block",
    "~~struck~~ and ~one~",
    "&amp; &copy; &#35;",
    "<https://example.com> <a@b.co>",
    "trailing backslash \\",
    "\\*escaped already\\*",
    "$x^2$ math",
    "snake_case_name stays",
    "[ref]: https://example.com",
    "<!-- comment -->",
    "Weather: 100% <b>bold</b> & co.",
]


def _description() -> st.SearchStrategy[str]:
    one_line = st.characters(codec="utf-8", exclude_categories=["Cc", "Cs", "Zl", "Zp"])
    return st.one_of(
        st.sampled_from(HOSTILE),
        st.text(st.sampled_from(MARKDOWN_CHARS + "ab"), min_size=1, max_size=24),
        st.text(one_line, min_size=1, max_size=24),
    ).filter(lambda text: bool(text.strip()))


def _render(description: str, http_path: str) -> str:
    with tempfile.TemporaryDirectory(prefix="mcpforge-md-") as work:
        project = new_project(
            Path(work) / "md-server",
            {
                "preset": "minimal",
                "transport": "both",
                "description": description,
                "http_path": http_path,
            },
            git=False,
        ).path
        return (project / "README.md").read_text(encoding="utf-8")


def _inline_after_title(tokens: list[Token]) -> Token:
    """The inline content of the first paragraph: the description's."""
    opened = next(i for i, token in enumerate(tokens) if token.type == "paragraph_open")
    return tokens[opened + 1]


def _assert_plain(inline: Token, expected: str) -> None:
    children = inline.children or []
    kinds = sorted({child.type for child in children} - PLAIN)
    assert kinds == [], f"{expected!r} rendered as Markdown: {kinds}"
    assert "".join(child.content for child in children) == expected


@pytest.mark.renders
@settings(
    max_examples=int(os.environ.get("MCPFORGE_FUZZ_EXAMPLES", "12")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    database=None,
)
@given(description=_description(), http_path=st.sampled_from(["/mcp", "/_a_/x", "/~~s~~"]))
@example(description="# <script>x</script> *a* _b_ [x](y) `c` | d", http_path="/_mcp_")
@example(description="1. snake_case & <b> ~~s~~ $m$ \\", http_path="/~~s~~")
def test_free_text_renders_as_plain_text_in_the_readme(description: str, http_path: str) -> None:
    readme = _render(description, http_path)
    tokens = PARSER.parse(readme)
    assert tokens[0].type == "heading_open"
    assert tokens[1].content == "md-server"
    _assert_plain(_inline_after_title(tokens), description.strip())
    # Nothing in the README is raw inline HTML (a `<key>` in a table cell was hidden).
    inline_html = [
        child.content
        for token in tokens
        if token.type == "inline"
        for child in token.children or []
        if child.type == "html_inline"
    ]
    assert inline_html == []
    # Every table row keeps its header's cells (a `|` in a description stays in its cell).
    tables: list[list[int]] = []
    for token in tokens:
        if token.type == "table_open":
            tables.append([])
        elif token.type == "tr_open":
            tables[-1].append(0)
        elif token.type in {"td_open", "th_open"}:
            tables[-1][-1] += 1
    assert tables
    assert [set(rows) for rows in tables] == [{rows[0]} for rows in tables]
    assert any(rows[0] == 3 for rows in tables)
    url = f"http://127.0.0.1:8000{http_path}"
    sentence = next(
        token
        for token in tokens
        if token.type == "inline" and token.content.startswith("Over streamable HTTP, on ")
    )
    shown = "".join(child.content for child in sentence.children or [] if child.type in PLAIN)
    assert shown.startswith(f"Over streamable HTTP, on {url}:")
    assert {child.type for child in sentence.children or []} <= PLAIN | {"softbreak"}

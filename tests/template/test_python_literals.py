"""Free-text answers written into Python (server.py, card.py) as ruff formats them.

The description holds quotes and a backslash: each module gets the literal `ruff format`
would write (card.py wrote JSON's escaped double quotes, which ruff rewrote), and both hold
the same text. Descriptions of every length keep ruff's layout (ruff format parenthesised
a `DESCRIPTION = "..."` past 100 columns: the literal now sits in parentheses under a
comment, which ruff keeps), wide and combining characters included.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from mcpforge import new_project

pytestmark = pytest.mark.renders

RUFF = shutil.which("ruff", path=str(Path(sys.executable).parent)) or "ruff"


@pytest.mark.parametrize(
    "description",
    [
        'Forecasts for "everyone", every day',
        "It's a back\\slash",
        "Plain words",
        "w" * 84,  # DESCRIPTION = "..." is exactly 100 columns: one line
        "w" * 85,  # 101 columns: parenthesised
        "w" * 94,  # the literal alone is 100 columns: parenthesised
        "w" * 95,  # 101 columns even alone: one line (and card.py's 100-character cut)
        "天气预报" * 11,  # 44 wide characters: 88 columns, parenthesised
        "Cafe\u0301 " * 16 + "ok",  # combining accents take no column: one line
        "Weather for all \U0001f324\u2615 " * 5,  # a narrow and a wide emoji
    ],
)
def test_the_description_is_written_as_ruff_formats_it(tmp_path: Path, description: str) -> None:
    project = new_project(tmp_path / "quote-server", {"description": description}, git=False).path
    package = project / "src" / "quote_server"
    modules = [str(package / "server.py"), str(package / "card.py")]
    formatted = subprocess.run(
        [RUFF, "format", "--check", "--diff", *modules],
        cwd=project, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert formatted.returncode == 0, formatted.stdout + formatted.stderr
    for module, expected in zip(modules, (description, description[:100]), strict=True):
        tree = ast.parse(Path(module).read_text(encoding="utf-8"))
        values = [
            node.value
            for node in tree.body
            if isinstance(node, ast.Assign)
            and [getattr(target, "id", None) for target in node.targets] == ["DESCRIPTION"]
        ]
        assert len(values) == 1
        assert isinstance(values[0], ast.Constant)
        assert values[0].value == expected

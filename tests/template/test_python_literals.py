"""Free-text answers written into Python (server.py, card.py) as ruff formats them.

The description holds quotes and a backslash: each module gets the literal `ruff format`
would write (card.py wrote JSON's escaped double quotes, which ruff rewrote), and both hold
the same text.
"""

from __future__ import annotations

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
    ['Forecasts for "everyone", every day', "It's a back\\slash", "Plain words"],
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
    for module in modules:
        namespace: dict[str, object] = {}
        source = Path(module).read_text(encoding="utf-8")
        line = next(line for line in source.splitlines() if line.startswith("DESCRIPTION = "))
        exec(line, namespace)  # noqa: S102  # one assignment of a string literal
        assert namespace["DESCRIPTION"] == description

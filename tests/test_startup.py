"""`mcpforge --help` stays fast: it must not import the heavy libraries."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("copier", "questionary", "jinja2", "mcp", "prompt_toolkit", "plumbum")

PROBE = """
import json, sys
from mcpforge.cli import app
try:
    app(["{command}", "--help"] if "{command}" else ["--help"])
except SystemExit:
    pass
print(json.dumps(sorted(name for name in sys.modules if name.split(".")[0] in {heavy!r})))
"""


def loaded_heavy_modules(command: str) -> list[str]:
    code = PROBE.format(command=command, heavy=set(HEAVY))
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    return list(json.loads(result.stdout.strip().splitlines()[-1]))


def test_help_imports_no_heavy_module() -> None:
    assert loaded_heavy_modules("") == []


def test_command_help_imports_no_heavy_module() -> None:
    for command in ("new",):
        assert loaded_heavy_modules(command) == [], command

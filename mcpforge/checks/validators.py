"""Finding the validators a check runs, and the hint shown when one is missing.

Python validators run as `python -m module` with mcpforge's own interpreter: installed
with `uvx --from 'mcpforge[check]'`, their scripts are not on PATH, but their modules are
importable. Binaries shipped in wheels (hadolint) live beside that interpreter.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import sysconfig
from pathlib import Path


def python_tool(module: str) -> list[str] | None:
    """The argv prefix that runs a validator module, or None when it is not installed."""
    try:
        found = importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        found = False
    return [sys.executable, "-m", module] if found else None


# Debian installs nginx in sbin, which is not on every user's PATH.
_SBIN = (Path("/usr/sbin"), Path("/usr/local/sbin"))


def binary(name: str) -> str | None:
    """A program beside mcpforge's interpreter (shipped in a wheel), on PATH, or in sbin."""
    for folder in (Path(sys.executable).parent, Path(sysconfig.get_path("scripts"))):
        candidate = folder / name
        if candidate.is_file():
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        found = next((str(d / name) for d in _SBIN if (d / name).is_file()), None)
    return found


def has_module(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is not None
    except (ImportError, ValueError):
        return False

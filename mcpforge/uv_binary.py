"""Finding the uv binary: the one mcpforge depends on, else whichever is on PATH.

mcpforge depends on the `uv` package (as hatch does), so `pip install mcpforge` brings the
binary beside mcpforge's interpreter; `uv.find_uv_bin()` (its public API) finds it there
even where that folder is not on PATH (pipx, uv tool, a virtualenv not activated).
"""

from __future__ import annotations

import shutil
from pathlib import Path


def find_uv() -> str | None:
    """The uv binary mcpforge runs: its own dependency's, else uv on PATH, else None."""
    try:
        from uv import find_uv_bin  # noqa: PLC0415 - only where uv is needed

        return find_uv_bin()
    except (ImportError, FileNotFoundError):  # UvNotFound is a FileNotFoundError
        return shutil.which("uv")


def uv_on_path() -> bool:
    """Whether a shell finds `uv` by name (the next steps and README commands use it so)."""
    return shutil.which("uv") is not None


def uv_folder() -> Path | None:
    """The folder holding the uv binary mcpforge found, or None."""
    found = find_uv()
    return Path(found).parent if found else None

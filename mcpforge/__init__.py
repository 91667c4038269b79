"""mcpforge: create, update and check production-ready MCP servers in Python.

The public API is the core behind the commands; it never imports typer, rich or
questionary, and imports copier only when a function needs it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mcpforge._version import __version__

if TYPE_CHECKING:
    from mcpforge.create import NewProject


def new_project(
    destination: Path | str, answers: Mapping[str, Any] | None = None, *, git: bool = True
) -> NewProject:
    """Generate a project at `destination` without asking (defaults fill the gaps)."""
    from mcpforge.create import new_project as create  # noqa: PLC0415

    return create(destination, answers, ask=False, git=git)


__all__ = ["__version__", "new_project"]

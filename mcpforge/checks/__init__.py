"""`mcpforge check`: a registry of checks with stable IDs, and the function that runs them.

Families, one module each: project, static, build, testsuite (the `tests` family),
runtime, drift, container. Nothing in this package imports rich or typer; the MCP SDK and
PyYAML are imported inside the checks that use them.
"""

from __future__ import annotations

from mcpforge.checks.base import FAMILIES, Check, Result, Status
from mcpforge.checks.runner import Report, check_project, registry, select

__all__ = ["FAMILIES", "Check", "Report", "Result", "Status", "check_project", "registry", "select"]

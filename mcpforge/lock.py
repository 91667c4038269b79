"""Pin a generated project's dependencies in uv.lock, when uv and the index are reachable.

Locking is a convenience, never a reason to fail: `mcpforge new` and `update` have done
their work before it runs, and when uv is missing or the package index cannot be reached
the project is left without a (new) uv.lock and the user gets one line saying so and how
to lock later. uv writes uv.lock only once it has resolved: nothing is left half-written.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from mcpforge.uv_binary import find_uv

LOCK_FILE = "uv.lock"
LOCK_TIMEOUT = 180.0  # seconds; a stalled index must not hang `mcpforge new`
REFRESH_COMMAND = "uv lock"


@dataclass(frozen=True)
class LockOutcome:
    """Whether uv.lock was written, and the one line that tells the user."""

    locked: bool
    message: str


def lock_project(project: Path, *, timeout: float = LOCK_TIMEOUT) -> LockOutcome:
    """Run `uv lock` in PROJECT; never raises for a missing uv or an unreachable index."""
    later = f"run `{REFRESH_COMMAND}` in {project.name} when the package index is reachable"
    uv = find_uv()
    if uv is None:  # mcpforge depends on uv: only a broken installation gets here
        return LockOutcome(
            False,
            f"{LOCK_FILE} not written: uv is not installed; install uv "
            f"(`python3 -m pip install uv`), then run `{REFRESH_COMMAND}` in {project.name}",
        )
    # The user's shell, not mcpforge's own virtualenv (uv would warn that it differs).
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    lock_file = project / LOCK_FILE
    before = lock_file.read_bytes() if lock_file.is_file() else None
    try:
        result = subprocess.run(
            [uv, "lock", "--quiet", "--no-progress"],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        _restore(lock_file, before)  # uv was killed: never keep what it may have started
        return LockOutcome(
            False,
            f"{LOCK_FILE} not written: `uv lock` took longer than {timeout:.0f} s "
            f"(is the package index reachable?); {later}",
        )
    except OSError as error:
        return LockOutcome(False, f"{LOCK_FILE} not written: cannot run uv ({error}); {later}")
    if result.returncode != 0:
        _restore(lock_file, before)
        reason = uv_error_reason(result.stderr or result.stdout)
        return LockOutcome(
            False,
            f"{LOCK_FILE} not written: `uv lock` failed ({reason}); {later}",
        )
    return LockOutcome(True, f"dependencies pinned in {LOCK_FILE} (refresh with `uv lock -U`)")


def uv_error_reason(output: str) -> str:
    """The most telling line of uv's error output, short enough for one line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    causes = [line for line in lines if line.startswith(("Caused by:", "╰─▶", "error:"))]
    line = (causes or lines or ["no output"])[-1]
    for prefix in ("Caused by:", "╰─▶", "error:"):
        line = line.removeprefix(prefix).strip()
    return line[:160]


def _restore(lock_file: Path, before: bytes | None) -> None:
    if before is None:
        lock_file.unlink(missing_ok=True)
    elif not lock_file.is_file() or lock_file.read_bytes() != before:
        lock_file.write_bytes(before)

"""The vocabulary of checks: families, statuses, outcomes, the registry and the context.

A check is a function taking a `Context` and returning an `Outcome`, registered with
`@check(ID, family, title, hint)`. IDs are stable: documentation, CI configuration and
`[tool.mcpforge.check] skip` lists refer to them. Nothing here imports rich or typer.

A check declares what it needs by naming parameters after the context, as sp-repo-review's
checks name their fixtures: `def dockerfile_user(context, dockerfile_instructions)`. Each
name is a provider registered with `@provides(name)`; the runner resolves it once per run
and passes the value in, or, when the provider raises `Unmet` (no Dockerfile, a stdio-only
server), gives the check that outcome without running it.
"""

from __future__ import annotations

import contextlib
import enum
import inspect
import os
import subprocess
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

FAMILIES: tuple[str, ...] = (
    "project",
    "static",
    "build",
    "tests",
    "runtime",
    "drift",
    "container",
    "conformance",
)
FAST_FAMILIES = frozenset({"project", "static"})
DEFAULT_FAMILIES = FAST_FAMILIES | {"build", "tests", "runtime", "drift"}
ALL_FAMILIES = frozenset(FAMILIES) - {"conformance"}
"""--container's tier; --conformance adds its family to any tier."""

FAMILY_SUMMARY: dict[str, str] = {
    "project": "the answers file and the template version it records",
    "static": "files validated without running anything: pyproject, Dockerfile, compose, "
    "CI, Kubernetes, nginx, YAML, settings, secrets",
    "build": "the package builds, installs into a fresh venv and its command runs",
    "tests": "the project's own test suite",
    "runtime": "the server boots and speaks MCP over stdio and HTTP",
    "drift": "whether a newer template is available",
    "container": "the image builds and its HEALTHCHECK turns healthy",
    "conformance": "the official MCP conformance suite's scenarios that apply to every server",
}


class Status(str, enum.Enum):
    """What became of a check.

    SKIPPED: not run because the user chose so (--skip, --only, the tier, the project's
    `[tool.mcpforge.check] skip`) or because it does not apply (no Dockerfile, a stdio-only
    server). NOT_VERIFIED: it applies, but a tool it needs is not installed: never ok.
    """

    PASSED = "passed"
    FAILED = "failed"
    WARNING = "warning"
    SKIPPED = "skipped"
    NOT_VERIFIED = "not-verified"


@dataclass(frozen=True)
class Outcome:
    """What a check function returns: a status and one line (or a few) saying why.

    A NOT_VERIFIED outcome carries the command that installs what is missing, and whether
    that is a system tool mcpforge cannot bring (`optional`: it fails only with --strict)
    rather than part of mcpforge's own installation (its `check` extra, uv: exit 2).
    """

    status: Status
    message: str = ""
    file: str | None = None
    line: int | None = None
    install: str = ""
    optional: bool = False


def passed(message: str = "") -> Outcome:
    return Outcome(Status.PASSED, message)


def failed(message: str, *, file: str | None = None, line: int | None = None) -> Outcome:
    return Outcome(Status.FAILED, message, file, line)


def warning(message: str, *, file: str | None = None) -> Outcome:
    return Outcome(Status.WARNING, message, file)


def skipped(reason: str) -> Outcome:
    """Not run, for a reason that is not a missing tool (it does not apply)."""
    return Outcome(Status.SKIPPED, reason)


def not_verified(tool: str) -> Outcome:
    """Not run: `tool`, which mcpforge's `check` extra (or mcpforge itself) brings, is
    missing; the outcome names the command that installs it where mcpforge runs."""
    from mcpforge.installation import check_extra_command  # noqa: PLC0415

    return Outcome(Status.NOT_VERIFIED, f"{tool} is not installed", install=check_extra_command())


def not_verified_system(tool: str, install: str) -> Outcome:
    """Not run: `tool`, a program of the system that mcpforge cannot bring, is missing."""
    return Outcome(Status.NOT_VERIFIED, f"{tool} is not installed", install=install, optional=True)


CheckFunction = Callable[..., Outcome]
"""`(context, *needs) -> Outcome`: the parameters after the context name providers."""


@dataclass(frozen=True)
class Check:
    """A registered check: a stable ID, a one-line title, a hint for when it fails, and
    the names of what it needs (its parameters after the context)."""

    id: str
    family: str
    title: str
    hint: str
    run: CheckFunction = field(compare=False, repr=False)
    needs: tuple[str, ...] = ()

    def evaluate(self, context: Context) -> Outcome:
        """Run the check with what it needs resolved from `context`; a need that is not
        there gives its provider's outcome (a skip or a failure with the reason)."""
        try:
            return self.run(context, *(context.need(name) for name in self.needs))
        except Unmet as unmet:
            return unmet.outcome


REGISTRY: dict[str, Check] = {}

Provider = Callable[["Context"], Any]
PROVIDERS: dict[str, Provider] = {}


class Unmet(Exception):
    """Raised by a provider: what a check needs is not there; `outcome` says why."""

    def __init__(self, outcome: Outcome) -> None:
        super().__init__(outcome.message)
        self.outcome = outcome


def provides(name: str) -> Callable[[Provider], Provider]:
    """Register a provider: checks naming a parameter `name` get what it returns."""

    def register(function: Provider) -> Provider:
        if name in PROVIDERS:
            raise ValueError(f"{name!r} is provided twice")
        PROVIDERS[name] = function
        return function

    return register


def check(check_id: str, family: str, title: str, hint: str) -> Callable[[CheckFunction], Check]:
    """Register a check function under a stable ID."""
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}")

    def register(function: CheckFunction) -> Check:
        if check_id in REGISTRY:
            raise ValueError(f"check ID {check_id} is registered twice")
        needs = tuple(list(inspect.signature(function).parameters)[1:])
        registered = Check(check_id, family, title, hint, function, needs)
        REGISTRY[check_id] = registered
        return registered

    return register


@dataclass
class Result:
    """A check's outcome in a report; `hint` is set when it failed or warned."""

    check: Check
    status: Status
    message: str = ""
    hint: str = ""
    duration: float = 0.0
    file: str | None = None
    line: int | None = None
    install: str = ""  # NOT_VERIFIED: the command that installs what is missing
    optional: bool = False  # NOT_VERIFIED for want of a system tool: fails only with --strict

    @property
    def ok_like(self) -> bool:
        """Passed or skipped: its message is a detail, not a finding."""
        return self.status in {Status.PASSED, Status.SKIPPED}

    @property
    def blocks(self) -> bool:
        """Not verified for want of what mcpforge's installation should hold: exit 2."""
        return self.status is Status.NOT_VERIFIED and not self.optional


ProgressCallback = Callable[[str, str], None]
"""Called with (check ID, note) while a long check runs: 'uv build', 'starting server'."""


@dataclass
class Context:
    """What checks share: the project, its answers, options and lazily built resources.

    `shared(key, factory)` builds a resource once per run (a working copy, a virtualenv,
    a running server); resources that need cleaning up register it on `cleanup`.
    """

    root: Path
    answers: Mapping[str, Any]
    strict: bool = False
    on_progress: ProgressCallback | None = None
    cleanup: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    current: threading.local = field(default_factory=threading.local)
    _shared: dict[str, Any] = field(default_factory=dict)
    _locks: dict[str, threading.Lock] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def shared(self, key: str, factory: Callable[[], T]) -> T:
        """Build a resource once per run, even when checks run in parallel."""
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._shared:
                try:
                    self._shared[key] = factory()
                except Exception as error:  # noqa: BLE001 - remembered, re-raised to every user
                    self._shared[key] = _Failure(error)
            value = self._shared[key]
        if isinstance(value, _Failure):
            raise value.error
        return value  # type: ignore[no-any-return]

    def need(self, name: str) -> Any:
        """What provider `name` gives for this run (resolved once); Unmet when it is not
        there."""
        return self.shared(f"need:{name}", lambda: PROVIDERS[name](self))

    def progress(self, note: str) -> None:
        """Tell the user what a long check is doing right now."""
        check_id = getattr(self.current, "check_id", "")
        if self.on_progress is not None and check_id:
            self.on_progress(check_id, note)

    def path(self, relative: str) -> Path:
        return self.root / relative

    def run(
        self,
        argv: Sequence[str],
        *,
        cwd: Path | None = None,
        timeout: float = 120,
        env: Mapping[str, str] | None = None,
        extra_env: Mapping[str, str] | None = None,
        stdin: str | None = None,
    ) -> subprocess.CompletedProcess[str]:
        """Run a command, capturing its output; a timeout comes back as exit code 124.

        `env` replaces the environment (default: this process's); `extra_env` adds to it.
        """
        try:
            return subprocess.run(
                list(argv),
                cwd=cwd or self.root,
                env={**(os.environ if env is None else env), **(extra_env or {})},
                input=stdin,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired as error:
            output = error.stdout.decode() if isinstance(error.stdout, bytes) else error.stdout
            return subprocess.CompletedProcess(
                list(argv), 124, output or "", f"timed out after {timeout:g} seconds"
            )


class _Failure:
    def __init__(self, error: Exception) -> None:
        self.error = error


class CheckFailedError(Exception):
    """Raised by shared resources (a build, a server start) so each user reports it."""


def tail(text: str, lines: int = 12) -> str:
    """The last lines of a tool's output: what a failure message shows."""
    kept = [line.rstrip() for line in text.strip().splitlines() if line.strip()]
    return "\n".join(kept[-lines:])


@contextlib.contextmanager
def current_check(context: Context, check_id: str) -> Iterator[None]:
    context.current.check_id = check_id
    try:
        yield
    finally:
        context.current.check_id = ""

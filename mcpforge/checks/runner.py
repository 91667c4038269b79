"""Choosing which checks run, running them, and the report they make."""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from mcpforge import tomlcompat as tomllib
from mcpforge.checks.base import (
    ALL_FAMILIES,
    DEFAULT_FAMILIES,
    FAMILIES,
    FAST_FAMILIES,
    REGISTRY,
    Check,
    Context,
    Outcome,
    ProgressCallback,
    Result,
    Status,
    current_check,
)
from mcpforge.errors import EXIT_CHECK_FAILED, EXIT_OK, UserError

# Families whose checks only read files and run validators: safe to run in parallel.
_PARALLEL_FAMILIES = frozenset({"project", "static"})
_MODULES = (
    "project",
    "static",
    "publish",
    "build",
    "testsuite",
    "runtime",
    "drift",
    "container",
    "conformance",
)


def registry() -> dict[str, Check]:
    """Every check, by ID, in ID order (importing the family modules registers them)."""
    for module in _MODULES:
        importlib.import_module(f"mcpforge.checks.{module}")
    return dict(sorted(REGISTRY.items()))


@dataclass
class Report:
    """The results of one `check_project` run, in registry order."""

    root: Path
    results: list[Result] = field(default_factory=list)
    strict: bool = False

    def count(self, status: Status) -> int:
        return sum(1 for result in self.results if result.status is status)

    @property
    def unverified(self) -> list[Result]:
        """The checks that apply but were not run for want of a tool."""
        return [result for result in self.results if result.status is Status.NOT_VERIFIED]

    @property
    def verdict(self) -> str:
        """failed; not verified (a tool of mcpforge's installation is missing, or with
        --strict any tool); passed (a system tool is missing: said, not failed); ok."""
        if self.count(Status.FAILED):
            return "failed"
        if any(result.blocks or self.strict for result in self.unverified):
            return "not verified"
        return "passed" if self.unverified else "ok"

    @property
    def ok(self) -> bool:
        return self.verdict in {"ok", "passed"}

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.ok else EXIT_CHECK_FAILED


Listener = Callable[[str, Result | None], None]
"""Called with (check ID, None) when a check starts and (check ID, result) when it ends."""


@dataclass(frozen=True)
class Plan:
    """What a `mcpforge check` call runs, made once from its options (see `plan`).

    `chosen` are the checks to run, in ID order; `reasons` says why each other check does
    not run. A project's own `[tool.mcpforge.check] skip` list is applied on top.
    """

    chosen: tuple[Check, ...]
    reasons: Mapping[str, str]
    strict: bool = False


def plan(
    only: Sequence[str] = (),
    skip: Sequence[str] = (),
    *,
    fast: bool = False,
    container: bool = False,
    conformance: bool = False,
    strict: bool = False,
) -> Plan:
    """The plan of the given options; UserError for an unknown ID or conflicting tiers."""
    chosen, reasons = select(only, skip, fast=fast, container=container, conformance=conformance)
    return Plan(tuple(chosen), MappingProxyType(reasons), strict)


def select(
    only: Sequence[str] = (),
    skip: Sequence[str] = (),
    *,
    fast: bool = False,
    container: bool = False,
    conformance: bool = False,
) -> tuple[list[Check], dict[str, str]]:
    """The checks to run, and the reason each other check is skipped.

    `only` and `skip` take IDs or family names; `only` overrides the tier. `conformance`
    adds the conformance family to the tier.
    """
    checks = registry()
    if fast and container:
        raise UserError("--fast and --container exclude each other", "choose one tier")
    wanted_only = _expand(only, checks, "--only")
    wanted_skip = _expand(skip, checks, "--skip")
    families = FAST_FAMILIES if fast else ALL_FAMILIES if container else DEFAULT_FAMILIES
    if conformance:
        families = families | {"conformance"}
    tier = "--fast" if fast else "the default tier"
    chosen: list[Check] = []
    reasons: dict[str, str] = {}
    for check_id, item in checks.items():
        if check_id in wanted_skip:
            reasons[check_id] = "skipped by --skip"
        elif only and check_id not in wanted_only:
            reasons[check_id] = "not selected by --only"
        elif not only and item.family not in families:
            needs = {"container": "--container", "conformance": "--conformance"}.get(
                item.family, "the default tier"
            )
            reasons[check_id] = f"not in {tier}: run with {needs}"
        else:
            chosen.append(item)
    return chosen, reasons


def _expand(names: Iterable[str], checks: dict[str, Check], option: str) -> set[str]:
    selected: set[str] = set()
    for raw in names:
        for name in (part.strip() for part in raw.split(",")):
            if not name:
                continue
            if name.upper() in checks:
                selected.add(name.upper())
            elif name.lower() in FAMILIES:
                selected |= {key for key, item in checks.items() if item.family == name.lower()}
            else:
                raise UserError(
                    f"{option} {name!r} is neither a check ID nor a family",
                    f"families: {', '.join(FAMILIES)}; IDs: `mcpforge check --list`",
                )
    return selected


def project_skips(root: Path) -> list[str]:
    """`[tool.mcpforge.check] skip = [...]` from the project's pyproject.toml."""
    path = root / "pyproject.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return []  # MF201 reports a broken pyproject
    config = data.get("tool", {}).get("mcpforge", {}).get("check", {})
    skip = config.get("skip", []) if isinstance(config, dict) else []
    if not isinstance(skip, list) or not all(isinstance(item, str) for item in skip):
        raise UserError(
            "[tool.mcpforge.check] skip in pyproject.toml is not a list of strings",
            'write it as skip = ["MF211", "container"]',
        )
    return skip


def check_project(
    path: Path | str = ".",
    *,
    fast: bool = False,
    container: bool = False,
    conformance: bool = False,
    only: Sequence[str] = (),
    skip: Sequence[str] = (),
    strict: bool = False,
    listener: Listener | None = None,
    on_progress: ProgressCallback | None = None,
    planned: Plan | None = None,
) -> Report:
    """Check that a generated project builds, passes its tests, boots, speaks MCP and
    meets the production checklist.

    Runs the project and static checks with --fast; adds build, tests, runtime and drift
    by default; adds the container build with --container and the official MCP conformance
    suite's generic scenarios with --conformance. A check whose tool is not
    installed is "not verified", never passed: the report fails (exit 2) unless that tool
    is a system program mcpforge cannot bring (then only with --strict). With --strict,
    warnings (a newer template) fail too. `planned` (from `plan`) replaces the five
    options, made once for several projects.
    """
    from mcpforge.record import ANSWERS_FILE, read_answers  # noqa: PLC0415

    root = Path(path).resolve()
    if not root.is_dir():
        raise UserError(f"{root} is not a folder", "pass the folder of a generated project")
    if not (root / "pyproject.toml").is_file() and not (root / ANSWERS_FILE).is_file():
        raise UserError(
            f"{root} is not an mcpforge project (no pyproject.toml, no .copier-answers.yml)",
            "run `mcpforge check` in a project made by `mcpforge new`, or pass its path",
        )
    configured = project_skips(root)
    if planned is None:
        planned = plan(
            only, skip, fast=fast, container=container, conformance=conformance, strict=strict
        )
    chosen, reasons = list(planned.chosen), dict(planned.reasons)
    strict = planned.strict
    for check_id, item in registry().items():
        if check_id in _expand(configured, registry(), "[tool.mcpforge.check] skip") and (
            item in chosen
        ):
            chosen.remove(item)
            reasons[check_id] = "skipped by [tool.mcpforge.check] in pyproject.toml"
    answers, _ = read_answers(root)
    context = Context(root=root, answers=answers or {}, strict=strict, on_progress=on_progress)
    results: dict[str, Result] = {}
    with context.cleanup:
        parallel = [item for item in chosen if item.family in _PARALLEL_FAMILIES]
        serial = [item for item in chosen if item.family not in _PARALLEL_FAMILIES]
        with ThreadPoolExecutor(max_workers=4) as pool:
            for result in pool.map(lambda item: _run(item, context, listener), parallel):
                results[result.check.id] = result
        for item in serial:
            results[item.id] = _run(item, context, listener)
    for check_id, reason in reasons.items():
        results[check_id] = Result(registry()[check_id], Status.SKIPPED, reason)
    ordered = [results[check_id] for check_id in registry() if check_id in results]
    return Report(root=root, results=ordered, strict=strict)


def _run(item: Check, context: Context, listener: Listener | None) -> Result:
    if listener is not None:
        listener(item.id, None)
    start = time.perf_counter()
    with current_check(context, item.id):
        try:
            outcome = item.evaluate(context)
        except Exception as error:  # noqa: BLE001 - a check that crashes fails, never passes
            outcome = Outcome(Status.FAILED, f"{type(error).__name__}: {error}")
    status = outcome.status
    if status is Status.WARNING and context.strict:
        status = Status.FAILED
    result = Result(
        check=item,
        status=status,
        message=outcome.message,
        hint=item.hint if status in {Status.FAILED, Status.WARNING} else "",
        duration=time.perf_counter() - start,
        file=outcome.file,
        line=outcome.line,
        install=outcome.install,
        optional=outcome.optional,
    )
    if listener is not None:
        listener(item.id, result)
    return result

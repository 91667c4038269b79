"""The README's by-hand engine commands (Development section), run as written.

`pytest -m container` is not run again here: the full run (`--full`) already holds every
container test. `engine.py prune` runs as written when the engine fixture's session ends
(`PRUNE` in tests/container/fixtures.py), after every test that needs the images.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT, run_bash
from tests.container import engine
from tests.container.fixtures import PRUNE

pytestmark = [pytest.mark.container, pytest.mark.timeout(1800)]

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")


def by_hand_commands() -> list[str]:
    """The commands of the console block after "By hand, as root:", comments dropped."""
    block = re.search(r"By hand, as root:\n\n```console\n(.*?)\n```", README, re.S)
    assert block, "README.md has no 'By hand, as root:' console block"
    return [line.split("  #", 1)[0].strip() for line in block.group(1).splitlines()]


def run(command: str) -> subprocess.CompletedProcess[str]:
    """`command` with bash at the clone's root, as a user would type it; must succeed."""
    result = run_bash(command, REPO_ROOT, timeout=1500)
    assert result.returncode == 0, f"`{command}` exited {result.returncode}:\n{result.stderr}"
    return result


def test_the_by_hand_commands_are_the_ones_tested() -> None:
    assert by_hand_commands() == [
        "python3 tests/container/engine.py install",
        "uv run --extra check pytest -m container",
        "uv run python tests/container/engine.py standins PROJECT_DIR",
        'eval "$(uv run python tests/container/engine.py env)"',
        PRUNE,
    ]


def test_the_by_hand_commands_run_as_written(
    generated_for_engine: Callable[..., Path],
) -> None:
    install, _, standins, env, _ = by_hand_commands()
    run(install)  # the engine is there already: nothing to install, exit 0
    assert engine.missing_packages() == []

    project = generated_for_engine("production")
    # Built here first (waiting for the fixture's background build of the services), so
    # that the command finds them all and no two processes build one image at once.
    engine.ensure_standins(project)
    named = run(standins.replace("PROJECT_DIR", str(project))).stdout.split()
    expected = {engine.canonical(image.reference) for image in engine.images_named(project)}
    assert expected <= set(named), f"standins printed {named}, the project names {expected}"

    # Then plain podman uses our engine: it lists the stand-ins just built.
    listed = run(f"{env}\npodman images --format '{{{{.Repository}}}}:{{{{.Tag}}}}'").stdout
    for image in expected:
        assert image in listed.split(), f"podman after `{env}` does not list {image}:\n{listed}"

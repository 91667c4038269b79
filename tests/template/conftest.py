"""Expensive work on generated projects, done once per session and shared by the tests."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mcpforge import new_project
from tests.conftest import require_tool
from tests.template.projects import PYTEST, run


@dataclass(frozen=True)
class SuiteRun:
    """A preset rendered by `mcpforge new` and its own test suite, run once."""

    project: Path
    tests: subprocess.CompletedProcess[str]


GeneratedSuite = Callable[[dict[str, Any]], SuiteRun]


@pytest.fixture(scope="session")
def generated_suite(tmp_path_factory: pytest.TempPathFactory) -> GeneratedSuite:
    """`generated_suite(answers)`: the project `mcpforge new` makes of these answers, and
    its own `uv run pytest`, once a session (the production preset's suite is the most
    expensive thing several modules assert on).

    The project is `<preset>-server` (`custom-server` without a preset). Tests read it,
    never write it: copy it first to change anything.
    """
    done: dict[str, SuiteRun] = {}

    def get(answers: dict[str, Any]) -> SuiteRun:
        key = json.dumps(answers, sort_keys=True)
        if key not in done:
            uv = require_tool("uv")
            name = f"{answers.get('preset', 'custom')}-server"
            folder = tmp_path_factory.mktemp(name)
            project = new_project(folder / name, answers).path
            tests = run(project, uv, "run", *PYTEST)
            done[key] = SuiteRun(project, tests)
        return done[key]

    return get

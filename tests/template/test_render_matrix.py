"""Render every preset and odd-but-valid answers; check the tree and every file in it."""

from __future__ import annotations

import json
import py_compile
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomllib
import yaml

from mcpforge import new_project
from tests.fuzz import DEPENDENCY_NAMES, requirement_names
from tests.template.manifest import expected_files
from tests.template.projects import PRESETS

Render = Callable[[str], tuple[Path, dict[str, Any]]]

REPO_ROOT = Path(__file__).resolve().parents[2]
COPIER_YML = yaml.safe_load((REPO_ROOT / "copier.yml").read_text(encoding="utf-8"))
# copier.yml's computed flags (`when: false`): the names conditional files and blocks test.
COMPUTED = {
    name: spec["default"]
    for name, spec in COPIER_YML.items()
    if isinstance(spec, dict) and spec.get("when") is False
}

CASES: dict[str, dict[str, Any]] = {
    **{preset: {"preset": preset} for preset in PRESETS},
    "long-name": {"project_name": "a" + "-b2" * 21},  # 64 characters, the longest allowed
    "digits": {"project_name": "server2go-v3", "http_port": 65535},
    "odd-description": {
        "description": "Says \"hi\" to 'everyone' — naïve café ☕ 100% \\ {{ not jinja }}",
        "author_name": "Zoë O'Brien-Łukasz",
    },
    "http-gitlab-proprietary": {
        "transport": "http",
        "ci": "gitlab",
        "license": "Proprietary",
        "feature_flags": "",
        "secret_env_vars": "",
        "stateless_http": False,
        "json_response": False,
        "http_path": "/api/v1/mcp",
    },
    "stdio-apache-many-settings": {
        "transport": "stdio",
        "license": "Apache-2.0",
        "ci": "none",
        "secret_env_vars": "WEATHER_API_KEY, GEO_TOKEN,DB_PASSWORD",
        "feature_flags": "enable_admin_tools,beta_search , x1",
        "python_version": "3.13",
    },
    # Sessions: the scale preset's load balancer and Kubernetes (replicas) are left out.
    "scale-sessions": {"preset": "scale", "stateless_http": False},
    "no-docker": {"docker": False},
    "docker-no-compose": {"compose": False},
}


@pytest.fixture(scope="module")
def renders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, dict[str, Any]]]:
    """Each case rendered once for the module: the tests only read the trees."""
    return {}


@pytest.fixture
def render(
    renders: dict[str, tuple[Path, dict[str, Any]]], tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str], tuple[Path, dict[str, Any]]]:
    def render_case(case: str) -> tuple[Path, dict[str, Any]]:
        if case not in renders:
            answers = dict(CASES[case])
            name = answers.pop("project_name", f"{case}-server")
            project = new_project(tmp_path_factory.mktemp(case) / name, answers, git=False)
            renders[case] = (project.path, project.answers)
        return renders[case]

    return render_case


def rendered_files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize("case", CASES)
def test_tree_is_exactly_what_the_answers_ask_for(render: Render, case: str) -> None:
    root, answers = render(case)
    assert rendered_files(root) == expected_files(answers)


@pytest.mark.parametrize("case", CASES)
def test_every_file_parses(render: Render, case: str) -> None:
    root, _ = render(case)
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        assert "{%" not in text, f"unrendered Jinja in {path}"
        if path.suffix == ".toml":
            tomllib.loads(text)
        elif path.suffix in {".yml", ".yaml"}:
            assert list(yaml.safe_load_all(text)), path
        elif path.suffix == ".json":
            json.loads(text)
        elif path.suffix == ".py":
            py_compile.compile(str(path), doraise=True)


@pytest.mark.parametrize("case", CASES)
def test_answers_are_recorded_for_updates(render: Render, case: str) -> None:
    root, answers = render(case)
    recorded = yaml.safe_load((root / ".copier-answers.yml").read_text())
    assert recorded["_src_path"] == "https://github.com/mcpforge/mcpforge.git"
    assert re.fullmatch(r"v\d+\.\d+\.\d+.*", recorded["_commit"])
    for key, value in CASES[case].items():
        assert recorded[key] == answers[key] == value, key
    # The computed flags are derived again at every update: never recorded, never returned.
    assert not COMPUTED.keys() & (set(recorded) | set(answers))


@pytest.mark.parametrize("case", CASES)
def test_readme_documents_every_setting(render: Render, case: str) -> None:
    root, _ = render(case)
    example = (root / ".env.example").read_text()
    settings = re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", example, re.M)
    readme = (root / "README.md").read_text()
    documented = re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", readme, re.M)
    assert settings, "the .env.example lists no setting"
    assert documented == settings


def test_odd_description_survives_verbatim(render: Render) -> None:
    root, answers = render("odd-description")
    pyproject = tomllib.loads((root / "pyproject.toml").read_text())
    assert pyproject["project"]["description"] == answers["description"]
    assert pyproject["project"]["authors"][0]["name"] == "Zoë O'Brien-Łukasz"


def test_every_conditional_name_tests_one_flag() -> None:
    """`{% if use_k8s %}k8s{% endif %}`: one computed flag (or a yes/no question) per name."""
    booleans = {
        name for name, spec in COPIER_YML.items() if isinstance(spec, dict) and spec.get("type") == "bool"
    }
    template = REPO_ROOT / "template"
    conditions = [
        (path.relative_to(template).as_posix(), condition)
        for path in template.rglob("*")
        for condition in re.findall(r"\{%-? *if (.*?) *-?%\}", path.name)
    ]
    assert len(conditions) > 30
    for name, condition in conditions:
        assert condition in booleans, f"{name}: {condition!r} is not one flag"


def test_no_template_file_repeats_the_condition_of_a_flag() -> None:
    """A flag's condition is written once, in copier.yml: files test the flag instead."""
    assert len(COMPUTED) > 10
    template = REPO_ROOT / "template"
    texts = {
        path.relative_to(template).as_posix(): path.read_text(encoding="utf-8")
        for path in template.rglob("*.jinja")
        if path.name != "names.jinja"  # sets every flag for the reserved-name list
    }
    for flag, default in COMPUTED.items():
        condition = default.removeprefix("{{").removesuffix("}}").strip()
        for name, text in texts.items():
            assert condition not in text, f"{name} repeats {condition!r}: test {flag} instead"


@pytest.mark.parametrize("case", ["production", "minimal", "http-gitlab-proprietary"])
def test_ci_and_the_hooks_run_strict_mypy(render: Render, case: str) -> None:
    """mypy is a dev dependency, strict over src/ and tests/, a pre-commit hook over the whole
    project, and CI's lint job runs every hook after installing the locked dev group."""
    root, _ = render(case)
    pyproject = tomllib.loads((root / "pyproject.toml").read_text())
    assert any(req.startswith("mypy>=") for req in pyproject["dependency-groups"]["dev"])
    assert pyproject["tool"]["mypy"]["strict"] is True
    assert pyproject["tool"]["mypy"]["files"] == ["src", "tests"]
    hooks = yaml.safe_load((root / ".pre-commit-config.yaml").read_text())
    [mypy] = [hook for repo in hooks["repos"] for hook in repo["hooks"] if hook["id"] == "mypy"]
    assert mypy["entry"] == "uv run --quiet mypy"
    assert (mypy["language"], mypy["pass_filenames"]) == ("system", False)
    every_hook = "uv run pre-commit run --all-files --show-diff-on-failure"
    if (root / ".github").is_dir():
        steps = yaml.safe_load((root / ".github/workflows/ci.yml").read_text())["jobs"]["lint"]
        runs = [step["run"] for step in steps["steps"] if "run" in step]
        assert runs == ["uv sync --locked", every_hook]
    else:
        gitlab = yaml.safe_load((root / ".gitlab-ci.yml").read_text())
        assert gitlab[".uv"]["before_script"] == ["uv sync --locked"]
        assert gitlab["lint"]["extends"] == ".uv"
        assert gitlab["lint"]["script"] == [every_hook]


@pytest.mark.parametrize("case", CASES)
def test_every_dependency_is_a_name_projects_cannot_take(render: Render, case: str) -> None:
    """What a rendered pyproject depends on is in the list the project name is checked
    against (copier.yml, from names.jinja): no requirement the raw-text reading missed."""
    root, _ = render(case)
    depends_on = requirement_names(tomllib.loads((root / "pyproject.toml").read_text()))
    assert len(depends_on) > 5
    assert depends_on <= set(DEPENDENCY_NAMES), sorted(depends_on - set(DEPENDENCY_NAMES))

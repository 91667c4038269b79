"""Answers that used to pass and break the project are refused: one line, a hint, exit 1,
nothing written. And answers that are fine (an answers file of a project) are accepted."""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest
import yaml
from jinja2 import FileSystemLoader
from jinja2.sandbox import SandboxedEnvironment
from typer.testing import CliRunner

from mcpforge.checks.matrix import presets
from mcpforge.cli import app
from tests.fuzz import DEPENDENCY_NAMES

REPO_ROOT = Path(__file__).resolve().parent.parent
SETTINGS = (REPO_ROOT / "template" / "_shared" / "settings.jinja").read_text("utf-8")


def names_module() -> object:
    env = SandboxedEnvironment(loader=FileSystemLoader(str(REPO_ROOT)))
    return env.get_template("template/_shared/names.jinja").module


def new(
    workdir: Path, *args: str, data: dict[str, object] | None = None, name: str = "p"
) -> tuple[int, str]:
    argv = ["new", name, "--defaults", "--no-git", *args]
    if data is not None:
        (workdir / "answers.yml").write_text(yaml.safe_dump(data), encoding="utf-8")
        argv += ["--data-file", str(workdir / "answers.yml")]
    result = CliRunner().invoke(app, argv)
    return result.exit_code, result.stderr


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def assert_refused(
    workdir: Path, code: int, err: str, expected: str, hint: str = "", name: str = "p"
) -> None:
    lines = err.strip().splitlines()
    assert code == 1, err
    assert len(lines) == 2, err
    assert lines[0].startswith("error: ") and expected in lines[0], err
    assert lines[1].startswith("hint: ") and hint in lines[1], err
    assert not (workdir / name).exists()
    assert [p.name for p in workdir.iterdir() if p.name != "answers.yml"] == []


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # Built-in settings the hand-copied lists missed, and pydantic names.
        ({"feature_flags": "rate_limit"}, "feature flag 'rate_limit' is taken"),
        ({"feature_flags": "max_request_body_bytes"}, "is taken by a built-in setting"),
        ({"feature_flags": "cors_allow_origins"}, "is taken by a built-in setting"),
        ({"feature_flags": "metrics_auth"}, "is taken by a built-in setting"),
        ({"feature_flags": "readiness_timeout"}, "is taken by a built-in setting"),
        ({"feature_flags": "mcp_allowed_origins"}, "is taken by a built-in setting"),
        ({"feature_flags": "field_validator"}, "or a pydantic attribute"),
        ({"feature_flags": "model_anything"}, "or a pydantic attribute"),
        ({"feature_flags": "str"}, "or a pydantic attribute"),
        ({"secret_env_vars": "MCP_API_KEYS"}, "secret env var name 'MCP_API_KEYS' is taken"),
        ({"secret_env_vars": "OAUTH_LEEWAY"}, "is taken by a built-in setting"),
        ({"secret_env_vars": "SCHEMA_JSON"}, "or a pydantic attribute"),
        # Non-finite and huge floats.
        ({"request_timeout": "nan"}, "request timeout nan must be"),
        ({"request_timeout": "inf"}, "request timeout inf must be"),
        ({"request_timeout": "1e400"}, "request timeout inf must be"),
        ({"request_timeout": float("nan")}, "request timeout nan must be"),
        # Package names shadowing the standard library or a dependency.
        ({"package_name": "json"}, "package name 'json' would shadow the module json"),
        ({"package_name": "typing"}, "would shadow the module typing"),
        ({"package_name": "logging"}, "would shadow the module logging"),
        ({"package_name": "calendar"}, "would shadow the module calendar"),
        ({"package_name": "limits"}, "would shadow the module limits"),
        ({"package_name": "prometheus_client"}, "would shadow the module prometheus_client"),
        ({"package_name": "httpx"}, "would shadow the module httpx"),
        ({"package_name": "false"}, "is a Python keyword"),
        # Free text that broke TOML or Python, and trailing newlines that passed `$`.
        ({"author_email": 'a"b@x.com'}, 'author email "a\\"b@x.com" is not an email'),
        ({"author_email": "a@b.co\n"}, "is not an email address"),
        ({"description": "one\x07bell"}, "description must be one line of text"),
        ({"description": "line\n"}, "description must be one line of text"),
        ({"author_name": "tab\there"}, "author name must be one line of text"),
        ({"author_name": "del\x7f"}, "author name must be one line of text"),
        ({"package_name": "nl\n"}, 'package name "nl\\n" must start'),
        ({"http_host": "localhost\n"}, "is not a host name"),
        ({"http_path": "/mcp\n"}, "must start with '/'"),
        ({"mcp_name": "io.github.a/b\n"}, 'MCP registry name "io.github.a/b\\n" must be'),
        ({"feature_flags": "fl\nag"}, "must be snake_case"),
        ({"secret_env_vars": "K\nEY"}, "must be UPPER_SNAKE_CASE"),
        # Wrong YAML types.
        ({"description": None}, "One-line description (description): cannot be null"),
        ({"http_port": True}, "HTTP port: cannot be bool"),
        ({"http_port": 8000.5}, "HTTP port: cannot be float"),
        ({"http_port": "8000.5"}, "HTTP port: '8000.5' is not a whole number"),
        ({"max_results": [1]}, "(max_results): cannot be list"),
        ({"docker": None}, "Dockerfile (docker): cannot be null"),
        # Computed flags of copier.yml are derived from the answers, never given.
        ({"http": False}, "unknown question 'http'"),
        ({"use_k8s": True}, "unknown question 'use_k8s'"),
        # What only an HTTP server has, asked of a stdio one: one message shape for all.
        ({"transport": "stdio", "auth": "apikey"}, "auth needs the HTTP transport"),
        ({"transport": "stdio", "rate_limit": True}, "rate limits need the HTTP transport"),
        ({"transport": "stdio", "metrics": True}, "metrics need the HTTP transport"),
        ({"transport": "stdio", "opentelemetry": True}, "OpenTelemetry needs the HTTP"),
        ({"transport": "stdio", "redis": True}, "Redis needs the HTTP transport"),
        ({"transport": "stdio", "docker": True}, "the Docker image needs the HTTP transport"),
        # Replicas do not share sessions: scaling out needs a stateless server.
        ({"stateless_http": False, "load_balancer": True}, "which do not share sessions"),
        ({"stateless_http": False, "kubernetes": True}, "which do not share sessions"),
    ],
    ids=lambda value: repr(value)[:40] if isinstance(value, dict) else None,
)
def test_answer_is_refused(workdir: Path, data: dict[str, object], expected: str) -> None:
    code, err = new(workdir, data=data)
    assert_refused(workdir, code, err, expected)


DEPENDS_ON_ITSELF = "is the name of a package generated projects depend on"
FOLDER_HINT = "choose another name for the project folder (mcpforge new NAME)"


@pytest.mark.parametrize(
    ("name", "preset"),
    [("pydantic", "minimal"), ("pyjwt", "production"), ("types-pyyaml", "scale")],
)
def test_a_project_named_after_a_dependency_is_refused(
    workdir: Path, name: str, preset: str
) -> None:
    """uv refuses a project that depends on itself (`mcpforge new pydantic` rendered one)."""
    code, err = new(workdir, "--preset", preset, name=name)
    assert_refused(
        workdir, code, err, f"project name '{name}' {DEPENDS_ON_ITSELF}", FOLDER_HINT, name
    )


@pytest.mark.renders
@pytest.mark.parametrize("preset", presets())
@pytest.mark.parametrize("name", DEPENDENCY_NAMES)
def test_every_dependency_name_is_refused_under_every_preset(
    workdir: Path, name: str, preset: str
) -> None:
    """Whatever the answers: `update --data` can turn on the feature that needs it later."""
    code, err = new(workdir, "--preset", preset, name=name)
    assert_refused(
        workdir, code, err, f"project name '{name}' {DEPENDS_ON_ITSELF}", FOLDER_HINT, name
    )


def test_the_refused_names_are_every_dependency_of_the_pyproject_template() -> None:
    """names.jinja renders the pyproject with every feature on; the template's raw text,
    every branch at once, names the same distributions (none missed behind a condition)."""
    assert len(DEPENDENCY_NAMES) > 20
    assert sorted(names_module().dependencies) == DEPENDENCY_NAMES  # type: ignore[attr-defined]


@pytest.mark.renders
def test_trailing_newline_in_the_folder_name_is_refused(workdir: Path) -> None:
    result = CliRunner().invoke(app, ["new", "nl\n", "--defaults", "--no-git"])
    assert_refused(workdir, result.exit_code, result.stderr, 'project name "nl\\n" must start')


def test_every_setting_of_the_settings_list_is_reserved() -> None:
    """The reserved names come from settings.jinja: every env name it can declare is in."""
    declared = {name.lower() for name in re.findall(r"env='([A-Z0-9_]+)'", SETTINGS)}
    assert len(declared) > 30
    reserved = set(names_module().reserved_settings)  # type: ignore[attr-defined]
    assert declared <= reserved, sorted(declared - reserved)


def test_the_standard_library_is_in_the_module_list() -> None:
    modules = set(names_module().modules)  # type: ignore[attr-defined]
    stdlib = {name for name in sys.stdlib_module_names if not name.startswith("_")}
    assert stdlib <= modules, sorted(stdlib - modules)


@pytest.mark.renders
def test_quotes_and_backslashes_in_free_text_render_valid_files(workdir: Path) -> None:
    """TOML, Python and the answers file keep free text exactly, whatever it holds."""
    from tests.fuzz import tomllib

    text = 'say "hi" \\ it\'s ünï ✓ 😀 """ \'\'\''
    code, err = new(workdir, data={"description": text, "author_name": text})
    assert code == 0, err
    project = workdir / "p"
    pyproject = tomllib.loads((project / "pyproject.toml").read_text("utf-8"))
    assert pyproject["project"]["description"] == text
    assert pyproject["project"]["authors"][0]["name"] == text
    server = ast.parse((project / "src" / "p" / "server.py").read_text("utf-8"))
    assigned = next(
        node.value
        for node in server.body
        if isinstance(node, ast.Assign)
        and [getattr(target, "id", None) for target in node.targets] == ["DESCRIPTION"]
    )
    assert ast.literal_eval(assigned) == text
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text("utf-8"))
    assert answers["description"] == text


@pytest.mark.renders
def test_a_projects_own_answers_file_is_accepted_as_data_file(workdir: Path) -> None:
    """README: an answers file works as --data-file, also for a project of the same name."""
    code, err = new(workdir, "--preset", "minimal")
    assert code == 0, err
    answers = workdir / "p" / ".copier-answers.yml"
    again = workdir / "again"
    again.mkdir()
    result = CliRunner().invoke(
        app,
        ["new", str(again / "p"), "--data-file", str(answers), "--defaults", "--no-git"],
    )
    assert result.exit_code == 0, result.stderr
    first = (workdir / "p" / "pyproject.toml").read_text("utf-8")
    assert (again / "p" / "pyproject.toml").read_text("utf-8") == first
    # A different name still conflicts with the file, and says with what.
    result = CliRunner().invoke(
        app, ["new", "other", "--data-file", str(answers), "--defaults", "--no-git"]
    )
    assert result.exit_code == 1
    assert "project_name is given twice: 'other' by the project name argument and 'p'" in (
        result.stderr
    )

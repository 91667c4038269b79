"""Publishing drift, caught offline by `mcpforge check` before a release fails on it: the
registry's schema (shipped in mcpforge), the description's length, the README marker, the
versions repeated in server.json and manifest.json, the MCP bundle's keys and tools."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mcpforge.checks import Status, check_project, registry
from mcpforge.checks.publish import (
    MCPB_SCHEMAS,
    SERVER_SCHEMA,
    SERVER_SCHEMA_URL,
    schema_date_problem,
    schema_errors,
)
from tests.conftest import REPO_ROOT, npm_tool

from .conftest import failed_ids, replace_in, result_of

PUBLISH = ["MF224", "MF226", "MF227", "MF228"]


def test_the_shipped_schema_is_the_pinned_one() -> None:
    """The shipped copy, the URL the check names and the URL the template renders agree:
    moving to a newer registry schema means replacing all three."""
    schema = json.loads(SERVER_SCHEMA.read_text(encoding="utf-8"))
    assert schema["$id"] == SERVER_SCHEMA_URL
    example = schema["definitions"]["ServerDetail"]["properties"]["$schema"]["example"]
    assert example == SERVER_SCHEMA_URL
    shared = (REPO_ROOT / "template" / "_shared" / "registry.jinja").read_text(encoding="utf-8")
    assert re.findall(r"server_schema = '([^']+)'", shared) == [SERVER_SCHEMA_URL]
    assert SERVER_SCHEMA_URL in registry()["MF224"].hint


def test_the_shipped_bundle_schemas_reject_unknown_keys() -> None:
    for version, path in MCPB_SCHEMAS.items():
        schema = json.loads(path.read_text(encoding="utf-8"))
        assert schema["properties"]["manifest_version"]["const"] == version
        assert schema["additionalProperties"] is False


@given(st.text(min_size=1, max_size=160))
def test_a_description_fails_the_schema_exactly_when_over_100_characters(text: str) -> None:
    document = {"$schema": SERVER_SCHEMA_URL, "name": "io.github.a/b", "version": "1.0.0"}
    errors = schema_errors({**document, "description": text}, SERVER_SCHEMA)
    too_long = len(text) > 100  # the registry's limit
    assert bool(errors) == too_long, errors
    if too_long:
        assert errors == [f"description: {len(text)} characters, at most 100 allowed"]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (SERVER_SCHEMA_URL, None),
        (
            "https://static.modelcontextprotocol.io/schemas/2025-09-29/server.schema.json",
            "deprecated 2025-09-29 schema",
        ),
        (
            "https://static.modelcontextprotocol.io/schemas/2099-01-01/server.schema.json",
            "newer than the 2025-12-11 one mcpforge ships",
        ),
        ("https://example.com/server.schema.json", "not the MCP registry's server.json schema"),
    ],
)
def test_schema_urls(url: str, expected: str | None) -> None:
    problem = schema_date_problem(url)
    assert (problem is None) if expected is None else (expected in str(problem))


def _failure(project: Path, check_id: str) -> tuple[str, str]:
    report = check_project(project, only=PUBLISH)
    assert failed_ids(report) == {check_id}, [
        (r.check.id, r.message) for r in report.results if r.status is Status.FAILED
    ]
    _, message, hint = result_of(report, check_id)
    assert hint == registry()[check_id].hint
    return message, hint


def test_a_deprecated_schema_url_is_refused_with_the_current_one(project: Path) -> None:
    replace_in("server.json", "schemas/2025-12-11/", "schemas/2025-09-29/")(project)
    message, hint = _failure(project, "MF224")
    assert message.startswith(
        "$schema is the deprecated 2025-09-29 schema: the registry accepts only the current "
        "one (2025-12-11) at publish time"
    )
    assert SERVER_SCHEMA_URL in hint


def test_a_long_description_is_named_with_its_length(project: Path) -> None:
    replace_in("server.json", '"description": "', '"description": "' + "x" * 80)(project)
    message, hint = _failure(project, "MF224")
    assert message == "description: 113 characters, at most 100 allowed"
    assert "1 to 100 characters" in hint


def test_a_missing_marker_is_named(project: Path) -> None:
    replace_in("README.md", "<!-- mcp-name: io.github.your-name/demo-server -->\n", "")(project)
    message, hint = _failure(project, "MF226")
    assert message == (
        "README.md: no `mcp-name:` marker; server.json's name is io.github.your-name/demo-server"
    )
    assert "<!-- mcp-name: NAME -->" in hint


def test_a_label_that_disagrees_is_named(project: Path) -> None:
    replace_in("Dockerfile", "io.github.your-name/", "io.github.someone-else/")(project)
    message, _ = _failure(project, "MF226")
    assert "label io.modelcontextprotocol.server.name is io.github.someone-else/demo-server" in (
        message
    )


def test_a_version_bumped_in_pyproject_only_names_every_copy(project: Path) -> None:
    replace_in("pyproject.toml", 'version = "0.1.0"', 'version = "0.2.0"')(project)
    message, hint = _failure(project, "MF227")
    assert message.splitlines() == [
        "server.json: version is 0.1.0, not 0.2.0",
        "server.json packages[0] (pypi): version is 0.1.0, not 0.2.0",
        "server.json packages[1] (oci): the image ghcr.io/your-name/demo-server:0.1.0 is not "
        "tagged 0.2.0",
        "server.json packages[2] (mcpb): version is 0.1.0, not 0.2.0",
        "server.json packages[2] (mcpb): https://github.com/your-name/demo-server/releases/"
        "download/v0.1.0/demo-server-0.1.0.mcpb does not end with "
        "/v0.2.0/demo-server-0.2.0.mcpb",
        "manifest.json: version is 0.1.0, not 0.2.0",
    ]
    assert "manifest.json's `version`" in hint


def test_an_unknown_bundle_key_is_named(project: Path) -> None:
    replace_in("manifest.json", '"display_name"', '"homepage_url": "x", "display_name"')(project)
    message, hint = _failure(project, "MF228")
    assert message == (
        "(top level): Additional properties are not allowed ('homepage_url' was unexpected)"
    )
    assert "remove or rename the key" in hint


def test_check_prints_the_id_and_the_hint_and_exits_2(project: Path) -> None:
    """What a user sees: the console script, its exit code, the ID, the message, the hint."""
    replace_in("server.json", "schemas/2025-12-11/", "schemas/2025-10-17/")(project)
    result = subprocess.run(
        [sys.executable, "-m", "mcpforge", "check", "--only", "MF224", "--format", "github"],
        cwd=project, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 2, result.stdout + result.stderr
    assert "MF224" in result.stdout
    assert "deprecated 2025-10-17 schema" in result.stdout
    assert "must be https://static.modelcontextprotocol.io/schemas/2025-12-11/" in result.stdout


def test_mcpb_validate_without_node_is_not_passed(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MF225 needs mcpb and Node: without them it is not verified and says how to install
    (system tools mcpforge cannot bring: the report fails only with --strict)."""
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent))
    report = check_project(project, only=["MF225"])
    result = next(item for item in report.results if item.check.id == "MF225")
    assert result.status is Status.NOT_VERIFIED
    assert result.install == "install Node.js, then: npm install -g @anthropic-ai/mcpb"
    assert result.optional and report.verdict == "passed"


def test_mcpb_validate_runs_where_node_is(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    mcpb = npm_tool("mcpb")
    monkeypatch.setenv("PATH", str(Path(mcpb).parent) + os.pathsep + os.environ["PATH"])
    status, message, _ = result_of(check_project(project, only=["MF225"]), "MF225")
    assert (status, message) == (Status.PASSED, "mcpb validate")


@pytest.mark.slow
def test_the_bundle_tools_are_the_served_ones(project: Path) -> None:
    """MF508 speaks to the server over stdio: a tool added to server.py but not to
    manifest.json fails, with the name."""
    report = check_project(project, only=["MF508"])
    assert result_of(report, "MF508")[:2] == (Status.PASSED, "4 tools")
    replace_in(
        "src/demo_server/server.py",
        "@mcp.tool()\nasync def add(",
        '@mcp.tool()\nasync def ping_me() -> str:\n    """Answer pong."""\n    return "pong"'
        "\n\n\n@mcp.tool()\nasync def add(",
    )(project)
    replace_in("manifest.json", '"description": "Add two numbers."', '"description": "Sum."')(
        project
    )
    status, message, hint = result_of(check_project(project, only=["MF508"]), "MF508")
    assert status is Status.FAILED
    assert message.splitlines() == [
        "not in manifest.json: ping_me",
        "add: manifest.json says 'Sum.', the server 'Add two numbers.'",
    ]
    assert hint == registry()["MF508"].hint

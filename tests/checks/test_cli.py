"""The `check` command: exit codes, formats, selection, the docs table."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import pytest
from typer.testing import CliRunner

from mcpforge.checks import registry
from mcpforge.checks.formats import checks_markdown
from mcpforge.cli import app

from .conftest import replace_in
from .test_static import BREAKS

README = Path(__file__).resolve().parents[2] / "README.md"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["check", *args])
    return result.exit_code, result.output


def test_fast_tier_passes_with_exit_0(project: Path) -> None:
    code, output = run(str(project), "--fast", "--skip", "MF102")
    assert code == 0, output
    # "ok" only where every tool is installed; else the system tools missing (docker
    # compose, actionlint, mcpb) are named, and the report passes without --strict.
    verdict = r"(ok|passed, not all verified): "
    counts = r"\d+ passed, 0 failed, 0 warnings, \d+ skipped, \d+ not verified"
    assert re.search(verdict + counts, output)
    assert "Not run (skipped by --skip): MF102" in output
    assert "Not run (not in --fast: run with the default tier): MF301" in output


def test_options_become_one_plan_selected_once(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mcpforge.checks import runner

    calls: list[tuple[object, ...]] = []
    real = runner.select

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(runner, "select", counted)
    code, output = run(str(project), "--only", "MF203,MF204", "--format", "json")
    assert code == 0, output
    assert len(calls) == 1
    results = json.loads(output)["results"]
    ran = {item["id"] for item in results if item["status"] == "passed"}
    assert ran == {"MF203", "MF204"}


def test_failure_exits_2_with_hint(project: Path) -> None:
    replace_in("Dockerfile", r"^USER .*\n", "", regex=True)(project)
    code, output = run(str(project), "--only", "MF203")
    assert code == 2
    assert "FAILED: 0 passed, 1 failed" in output
    assert registry()["MF203"].hint.split(" (")[0][:40] in " ".join(output.split())


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--only", "MF999"], "--only 'MF999' is neither a check ID nor a family"),
        (["--fast", "--container"], "--fast and --container exclude each other"),
        (["--format", "xml"], "unknown format 'xml'"),
        (["--output", "x.json"], "--output needs --format json, junit or github"),
    ],
)
def test_usage_errors_exit_1(project: Path, args: list[str], message: str) -> None:
    code, output = run(str(project), *args)
    assert code == 1
    assert message in output


def test_not_a_project_exits_1(tmp_path: Path) -> None:
    code, output = run(str(tmp_path))
    assert code == 1
    assert "is not an mcpforge project" in output


def test_project_can_skip_checks_in_pyproject(project: Path) -> None:
    with (project / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[tool.mcpforge.check]\nskip = ["MF203", "drift"]\n')
    replace_in("Dockerfile", r"^USER .*\n", "", regex=True)(project)
    code, output = run(str(project), "--only", "MF203", "--format", "json")
    assert code == 0
    result = json.loads(output)["results"]
    mf203 = next(item for item in result if item["id"] == "MF203")
    assert mf203["status"] == "skipped"
    assert mf203["message"] == "skipped by [tool.mcpforge.check] in pyproject.toml"


def test_json_junit_and_github_formats(project: Path, tmp_path: Path) -> None:
    BREAKS["MF204"](project)
    code, output = run(str(project), "--only", "MF203,MF204", "--format", "json")
    document = json.loads(output)
    assert code == 2 and document["exit_code"] == 2 and not document["ok"]
    statuses = {item["id"]: item["status"] for item in document["results"]}
    assert (statuses["MF203"], statuses["MF204"]) == ("passed", "failed")

    junit = tmp_path / "report.xml"
    code, _ = run(str(project), "--only", "MF204", "--format", "junit", "--output", str(junit))
    suite = ET.parse(junit).getroot().find("testsuite")  # noqa: S314 - our own report
    assert code == 2 and suite is not None and suite.get("failures") == "1"
    assert suite.find("testcase/failure") is not None

    code, output = run(str(project), "--only", "MF204", "--format", "github")
    first = output.splitlines()[0]
    assert first.startswith("::error file=Dockerfile,title=MF204 Dockerfile%3A the image declares")
    assert "%0Ahint: " in first


def test_list_prints_the_table_and_the_docs_are_up_to_date() -> None:
    code, output = run("--list")
    assert code == 0
    assert output == checks_markdown()
    for check_id in registry():
        assert f"| {check_id} |" in output
    readme = README.read_text(encoding="utf-8")
    table = readme.split("<!-- checks:start -->\n", 1)[1].split("<!-- checks:end -->\n", 1)[0]
    assert table == output, (
        "README.md's table of checks is stale: run `python docs/readme_checks.py`"
    )


def test_matrix_covers_every_preset_and_odd_names() -> None:
    from mcpforge.checks.matrix import LONG_NAME, ODD_DESCRIPTION, variants

    chosen = variants()
    presets = {variant.answers.get("preset") for variant in chosen} - {None}
    assert presets == {"production", "minimal", "scale"}
    assert len(LONG_NAME) == 60
    assert LONG_NAME in {variant.name for variant in chosen}
    assert any(variant.answers.get("description") == ODD_DESCRIPTION for variant in chosen)
    assert any(any(c.isdigit() for c in variant.name) for variant in chosen)


def test_keep_needs_the_matrix(tmp_path: Path) -> None:
    code, output = run(str(tmp_path), "--keep", str(tmp_path / "kept"))
    assert code == 1, output
    assert "--keep needs --matrix" in output
    assert not (tmp_path / "kept").exists()


@pytest.mark.renders
def test_matrix_projects_stay_in_the_keep_folder_only(tmp_path: Path) -> None:
    from mcpforge.checks.matrix import Variant, rendered
    from mcpforge.errors import DestinationError

    chosen = [Variant("kept-minimal", {"preset": "minimal"}), Variant("kept-too")]
    with rendered(chosen[:1]) as paths:
        temporary = paths[0].parent
        assert (paths[0] / "pyproject.toml").is_file()
    assert not temporary.exists()

    keep = tmp_path / "kept"
    with rendered(chosen[:1], keep=keep) as paths:
        assert paths == [keep.absolute() / "kept-minimal"]
    assert (keep / "kept-minimal" / "pyproject.toml").is_file()
    # A project already there is refused before anything else is generated.
    with (
        pytest.raises(DestinationError, match="kept-minimal already exists"),
        rendered(chosen[::-1], keep=keep),
    ):
        pass
    assert not (keep / "kept-too").exists()


def test_not_verified_is_distinct_in_every_format(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A validator of the `check` extra missing: exit 2 in every format, and each shows the
    check as not verified (never passed, never a plain skip) with the install command."""
    from mcpforge.checks import static as static_checks
    from mcpforge.installation import check_extra_command

    monkeypatch.setattr(static_checks, "python_tool", lambda module: None)
    selection = ["--only", "MF203,MF207"]
    code, output = run(str(project), *selection)
    assert code == 2, output
    assert re.search(r"MF207\s+not verified\s+compose file", output), output
    line = next(line for line in output.splitlines() if line.startswith("not verified: "))
    assert line == (
        "not verified: MF207 (static: check-jsonschema not installed); "
        f"run: {check_extra_command()}"
    )
    summary = output.splitlines()[-1]
    assert summary.startswith("NOT VERIFIED: 1 passed, 0 failed, 0 warnings, "), summary
    assert summary.endswith(" skipped, 1 not verified"), summary

    result = CliRunner().invoke(app, ["check", str(project), *selection, "--format", "json"])
    document = json.loads(result.stdout)
    assert result.stderr.splitlines() == [line]  # where people read, beside the JSON
    assert result.exit_code == 2 and document["exit_code"] == 2 and not document["ok"]
    assert document["verdict"] == "not verified"
    assert document["summary"]["not-verified"] == 1
    mf207 = next(item for item in document["results"] if item["id"] == "MF207")
    assert (mf207["status"], mf207["install"]) == ("not-verified", check_extra_command())
    assert document["not_verified"] == [line]

    junit = tmp_path / "report.xml"
    code, _ = run(str(project), *selection, "--format", "junit", "--output", str(junit))
    suite = ET.parse(junit).getroot().find("testsuite")  # noqa: S314 - our own report
    assert code == 2 and suite is not None
    verdict = suite.find("properties/property[@name='verdict']")
    assert verdict is not None and verdict.get("value") == "not verified"
    skipped = suite.find("testcase[@name='MF207 " + registry()["MF207"].title + "']/skipped")
    assert skipped is not None and skipped.get("type") == "not-verified"
    assert (skipped.get("message") or "").startswith("not verified: check-jsonschema")

    code, output = run(str(project), *selection, "--format", "github")
    assert code == 2
    assert "::error title=MF207 not verified%3A compose file" in output
    assert f"check-jsonschema is not installed%0Arun: {check_extra_command()}" in output
    assert "mcpforge check demo-server: not verified: 1 passed" in output

"""The interview, driven for real through a pseudo-terminal."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pexpect
import pytest
import yaml

from mcpforge.answers import load_questions
from tests.conftest import REPO_ROOT

# Every test here renders a project (or runs `mcpforge new`): not in the fast lane.
pytestmark = pytest.mark.renders

# The questions asked: not copier's settings, nor the computed flags (never asked).
QUESTIONS = load_questions(REPO_ROOT / "copier.yml")
BACKSPACE = "\x7f"


def spawn(tmp_path: Path, *args: str, columns: int = 200) -> pexpect.spawn:
    script = shutil.which("mcpforge", path=str(Path(sys.executable).parent))
    assert script, "the mcpforge console script is not installed beside this Python"
    env = {
        **os.environ,
        "TERM": "xterm",
        "PROMPT_TOOLKIT_NO_CPR": "1",  # a pexpect pty never answers cursor-position requests
    }
    return pexpect.spawn(
        script,
        list(args),
        cwd=str(tmp_path),
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(60, columns),
    )


def ask(child: pexpect.spawn, name: str) -> None:
    child.expect_exact(QUESTIONS[name].help[:40])


def test_interview_asks_validates_summarises_and_generates(tmp_path: Path) -> None:
    child = spawn(tmp_path, "new", "weather-server")
    answered = {"project_name"}
    ask(child, "preset")
    child.send("\r")  # production, the default
    answered.add("preset")
    ask(child, "package_name")
    child.send("\r")
    answered.add("package_name")
    ask(child, "description")
    child.send(BACKSPACE * 40 + 'Forecasts for "everyone" ☀\r')
    answered.add("description")
    for name in QUESTIONS:
        if name in answered:
            continue
        ask(child, name)
        if name == "transport":
            # The default follows the preset: both transports, the first choice.
            child.send("\r")
        elif name == "http_port":
            child.send(BACKSPACE * 4 + "70000\r")
            child.expect_exact("port 70000 is outside 1-65535")  # validated as typed
            child.send(BACKSPACE * 5 + "8123\r")
        elif name == "secret_env_vars":
            child.send(BACKSPACE * 60 + "WEATHER_API_KEY,bad-name\r")
            child.expect_exact('secret env var name "bad-name" must be UPPER_SNAKE_CASE')
            child.send(BACKSPACE * 8 + "GEO_TOKEN\r")
        else:
            child.send("\r")
    child.expect_exact("Your answers")
    child.expect_exact("Generate weather-server?")
    child.send("y")
    child.expect(r"Created.{0,20}weather-server")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    answers = yaml.safe_load((tmp_path / "weather-server" / ".copier-answers.yml").read_text())
    assert answers["http_port"] == 8123
    assert answers["secret_env_vars"] == "WEATHER_API_KEY,GEO_TOKEN"
    assert answers["description"] == 'Forecasts for "everyone" ☀'
    assert answers["transport"] == "both"


def test_declining_the_summary_writes_nothing(tmp_path: Path) -> None:
    child = spawn(tmp_path, "new", "declined-server", "--data-file", str(_all_but_one(tmp_path)))
    ask(child, "description")
    child.send("\r")
    child.expect_exact("Generate declined-server?")
    child.send("n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert "declined-server was not generated: the answers were not confirmed" in child.before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["answers.yml"]


def test_ctrl_c_during_the_interview_writes_nothing(tmp_path: Path) -> None:
    child = spawn(tmp_path, "new", "stopped-server")
    ask(child, "preset")
    child.send("\r")
    ask(child, "package_name")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert list(tmp_path.iterdir()) == []


def test_yes_skips_the_confirmation(tmp_path: Path) -> None:
    child = spawn(
        tmp_path, "new", "quick-server", "--yes", "--data-file", str(_all_but_one(tmp_path))
    )
    ask(child, "description")
    child.send("\r")
    child.expect(r"Created.{0,20}quick-server")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def _all_but_one(tmp_path: Path) -> Path:
    """A data file answering every question a minimal project asks, except the description."""
    from mcpforge import new_project

    reference = new_project(tmp_path / "reference" / "reference-server", {"preset": "minimal"})
    answers = yaml.safe_load((reference.path / ".copier-answers.yml").read_text())
    shutil.rmtree(tmp_path / "reference")
    data = {
        key: value
        for key, value in answers.items()
        if not key.startswith("_") and key not in {"project_name", "description"}
    }
    path = tmp_path / "answers.yml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_validation_messages_are_whole_at_80_columns(tmp_path: Path) -> None:
    """Help and the package-name rule are not cut at the terminal's edge; a port that is
    not a number says so (copier alone says only "Invalid input")."""
    from mcpforge import new_project

    reference = new_project(tmp_path / "reference" / "reference-server", {}, git=False)
    answers = yaml.safe_load((reference.path / ".copier-answers.yml").read_text())
    shutil.rmtree(tmp_path / "reference")
    data = {
        key: value
        for key, value in answers.items()
        if not key.startswith("_")
        and key not in {"project_name", "package_name", "http_port", "cache"}
    }
    (tmp_path / "answers.yml").write_text(yaml.safe_dump(data))
    child = spawn(
        tmp_path, "new", "narrow-server", "--yes", "--data-file", "answers.yml", columns=80
    )
    ask(child, "package_name")
    child.send(BACKSPACE * 20 + "Bad-Name\r")
    child.expect_exact("package name")
    child.expect_exact("underscores")  # the end of the rule, past column 80
    child.send(BACKSPACE * 8 + "narrow_server\r")
    ask(child, "http_port")
    child.send(BACKSPACE * 4 + "abc\r")
    # The question as asked, never its internal key (http_port).
    child.expect_exact("HTTP port: 'abc' is not a whole number")
    child.send(BACKSPACE * 3 + "8080\r")
    ask(child, "cache")
    child.expect_exact("calling an HTTP API")  # the end of a help line longer than 80
    child.send("\r")
    child.expect(r"Created.{0,20}narrow-server")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    written = yaml.safe_load((tmp_path / "narrow-server" / ".copier-answers.yml").read_text())
    assert written["http_port"] == 8080

"""Project and static checks: each passes on a fresh project and catches its one break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mcpforge.checks import Report, Status, check_project, registry, validators
from mcpforge.checks import static as static_checks
from tests.conftest import skip_or_fail

from .conftest import Edit, failed_ids, replace_in, result_of

FAST = ["project", "static"]


def _append(relative: str, text: str) -> Edit:
    def edit(root: Path) -> None:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(text)

    return edit


def _delete(relative: str) -> Edit:
    return lambda root: (root / relative).unlink()


def _track_env(root: Path) -> None:
    import subprocess

    (root / ".env").write_text("DEMO_SERVER_API_KEY=sk-live-123\n", encoding="utf-8")
    subprocess.run(["git", "add", "-f", ".env"], cwd=root, check=True)


BREAKS: dict[str, Edit] = {
    "MF101": _delete(".copier-answers.yml"),
    "MF102": replace_in(".copier-answers.yml", r"^_commit:.*\n", "", regex=True),
    "MF201": replace_in("pyproject.toml", "[project]\n", '[project]\nnot-a-field = "x"\n'),
    "MF202": replace_in(
        "Dockerfile",
        "WORKDIR /app\nCOPY --from",
        "WORKDIR /app\nRUN apt-get install curl\nCOPY --from",
    ),
    "MF203": replace_in("Dockerfile", r"^USER .*\n", "", regex=True),
    "MF204": replace_in("Dockerfile", r"^HEALTHCHECK (.*\\\n)*.*\n", "", regex=True),
    "MF205": replace_in("Dockerfile", "EXPOSE", "ENV DATABASE_PASSWORD=hunter2\nEXPOSE"),
    "MF206": replace_in(
        "Dockerfile", "COPY pyproject.toml uv.lock* README.md", "COPY pyproject.toml uv.lock*"
    ),
    "MF207": replace_in("compose.yaml", "    restart:", "    restrat: always\n    restart:"),
    "MF208": replace_in("compose.yaml", "    restart:", "    depends_on: [database]\n    restart:"),
    "MF210": replace_in(".github/workflows/ci.yml", "jobs:\n", "jobz: {}\njobs:\n"),
    "MF212": replace_in("deploy/k8s/deployment.yaml", "apps/v1\n", "apps/v1beta9\n"),
    "MF213": replace_in("deploy/nginx/nginx.conf", "proxy_buffering off;", "proxy_bufering off;"),
    "MF214": _append("config/extra.yaml", "key: 1\nkey: 2\n"),
    "MF215": replace_in(
        "src/demo_server/config.py",
        "    log_level: LogLevel",
        "    new_knob: int = 3\n    log_level: LogLevel",
    ),
    "MF216": _track_env,
    "MF217": _delete("uv.lock"),
    # The publishing drift cases (tests/checks/test_publish.py has more of each).
    "MF224": replace_in(
        "server.json", '"description": "', '"description": "' + "A very long sentence. " * 5
    ),
    "MF226": replace_in("README.md", "<!-- mcp-name: io.github.your-name/demo-server -->", ""),
    # The version repeated, not pyproject's own: that one is in uv.lock too (MF217).
    "MF227": replace_in("manifest.json", '"version": "0.1.0"', '"version": "0.2.0"'),
    "MF228": replace_in("manifest.json", '"display_name"', '"homepage_url": "x", "display_name"'),
    "MF223": replace_in(".pre-commit-config.yaml", "language: system", "language: sytsem"),
    "MF221": replace_in("renovate.json", '"prConcurrentLimit": 5', '"prConcurrentLimit": "five"'),
}


def test_every_static_check_has_a_break() -> None:
    fast_ids = {i for i, c in registry().items() if c.family in FAST}
    # MF209 (docker compose) and MF211 (actionlint) need tools this machine lacks: see below.
    # MF217's stale lock and unreachable index: test_uv_lock_* below.
    # MF222 checks .github/dependabot.yml, which this (Renovate) project has not: see
    # tests/checks/test_update_bots.py. MF225 needs mcpb from npm: tests/checks/test_bundle.py.
    assert fast_ids - set(BREAKS) <= {"MF209", "MF211", "MF222", "MF225"}


@pytest.fixture(scope="module")
def fast_report(generated: Path, tmp_path_factory: pytest.TempPathFactory) -> Report:
    """The project and static checks on an untouched copy of the project (with the
    reference Kubernetes and nginx files): each static check's passing case, in seconds.
    The other families' passing cases come from the matrix run (see test_heavy.py)."""
    copy = tmp_path_factory.mktemp("fast") / generated.name
    shutil.copytree(generated, copy, symlinks=True)
    return check_project(copy, only=FAST)


def expect_passed(report: Report, check_id: str) -> None:
    """The check passed; a check not verified for a missing tool (nginx, docker, ...) skips
    the test, or fails it where CI sets MCPFORGE_REQUIRE_ALL=1."""
    status, message, _ = result_of(report, check_id)
    if status is Status.NOT_VERIFIED:
        skip_or_fail(f"{check_id}: {message}")
    assert status is Status.PASSED, message


@pytest.mark.parametrize("check_id", sorted(BREAKS))
def test_passes_on_a_fresh_project(fast_report: Report, check_id: str) -> None:
    expect_passed(fast_report, check_id)


def test_a_missing_tool_skips_the_passing_case(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where nginx is missing, MF213 is not verified: its passing case here is skipped (a
    failure in CI only)."""
    monkeypatch.setattr(static_checks, "binary", lambda name: None)
    report = check_project(project, only=["MF213"])
    monkeypatch.delenv("MCPFORGE_REQUIRE_ALL", raising=False)
    with pytest.raises(pytest.skip.Exception, match="nginx"):
        expect_passed(report, "MF213")
    monkeypatch.setenv("MCPFORGE_REQUIRE_ALL", "1")
    with pytest.raises(pytest.fail.Exception, match="MCPFORGE_REQUIRE_ALL=1"):
        expect_passed(report, "MF213")


def test_mf102_fails_for_a_version_this_mcpforge_does_not_know(project: Path) -> None:
    replace_in(".copier-answers.yml", r"^_commit:.*$", "_commit: v9.9.9", regex=True)(project)
    report = check_project(project, only=["MF102"])
    status, message, _ = result_of(report, "MF102")
    assert status is Status.FAILED, message
    assert "v9.9.9" in message
    assert "does not know" in message


@pytest.mark.parametrize("check_id", sorted(BREAKS))
def test_catches_its_break(project: Path, check_id: str) -> None:
    BREAKS[check_id](project)
    report = check_project(project, only=FAST)
    status, message, _ = result_of(report, check_id)
    if status is Status.NOT_VERIFIED:
        skip_or_fail(f"{check_id}: {message}")
    assert failed_ids(report) == {check_id}, [
        (r.check.id, r.message) for r in report.results if r.status is Status.FAILED
    ]
    _, message, hint = result_of(report, check_id)
    assert hint == registry()[check_id].hint
    assert message


def test_messages_name_the_problem(project: Path) -> None:
    BREAKS["MF215"](project)
    BREAKS["MF205"](project)
    report = check_project(project, only=["MF215", "MF205"])
    assert result_of(report, "MF215")[1] == ".env.example lacks NEW_KNOB"
    assert "ENV DATABASE_PASSWORD" in result_of(report, "MF205")[1]


def test_missing_validators_are_not_verified_never_passed(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The validators of the `check` extra missing (tests/checks/test_not_verified.py
    removes them for real): not verified, the report fails (exit 2), and each result names
    the command that installs them where this mcpforge runs; a system tool's names its own."""
    from mcpforge.installation import check_extra_command

    monkeypatch.setattr(static_checks, "python_tool", lambda module: None)
    monkeypatch.setattr(static_checks, "binary", lambda name: None)
    report = check_project(project, only=FAST)
    results = {result.check.id: result for result in report.results}
    for check_id in ("MF201", "MF202", "MF207", "MF210", "MF212", "MF213", "MF214"):
        result = results[check_id]
        assert result.status is Status.NOT_VERIFIED, check_id
        assert result.message.endswith(" is not installed"), result.message
    assert results["MF207"].install == check_extra_command()
    command = check_extra_command()
    assert "[check]" in command or command.endswith(" --extra check"), command
    assert not results["MF207"].optional
    assert results["MF213"].optional
    assert "nginx-light" in results["MF213"].install
    assert (report.verdict, report.exit_code) == ("not verified", 2)


def test_tools_are_found_beside_the_interpreter() -> None:
    assert validators.binary("hadolint") is not None
    assert validators.python_tool("check_jsonschema") is not None
    assert validators.python_tool("no_such_module_here") is None


def test_system_tools_missing_are_not_verified_and_fail_with_strict(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """docker compose and actionlint are programs of the system that mcpforge cannot
    install: not verified, said as such, the report passes (not "ok") unless --strict."""
    monkeypatch.setenv("PATH", "/nonexistent")
    report = check_project(project, only=["MF209", "MF211"])
    assert {result_of(report, i)[0] for i in ("MF209", "MF211")} == {Status.NOT_VERIFIED}
    assert "docker is not installed" in result_of(report, "MF209")[1]
    assert "actionlint is not installed" in result_of(report, "MF211")[1]
    assert (report.verdict, report.exit_code) == ("passed", 0)
    strict = check_project(project, only=["MF209", "MF211"], strict=True)
    assert (strict.verdict, strict.exit_code) == ("not verified", 2)


def test_nginx_config_with_compose_service_upstreams_is_tested_on_loopback() -> None:
    from mcpforge.checks.files import nginx_testable, upstream_names

    text = (
        "upstream mcp { server app:8000; server app-2:8000; }\n"
        "location / { proxy_pass http://api:9000/; }"
    )
    assert upstream_names(text) == {"app", "app-2", "api"}
    assert "app" not in nginx_testable(text).replace("upstream mcp", "")


@pytest.mark.renders
def test_minimal_project_skips_what_it_does_not_have(tmp_path: Path) -> None:
    from mcpforge import new_project
    from mcpforge.create import lock_new_project

    made = new_project(tmp_path / "tiny", {"preset": "minimal"})
    assert lock_new_project(made).locked
    report = check_project(made.path, only=FAST)
    assert failed_ids(report) == set()
    for check_id in ("MF202", "MF203", "MF207", "MF208"):
        assert result_of(report, check_id)[0] is Status.SKIPPED


def test_every_need_a_check_declares_has_a_provider() -> None:
    from mcpforge.checks.base import PROVIDERS

    checks = registry()
    assert {name for item in checks.values() for name in item.needs} <= set(PROVIDERS)
    assert checks["MF203"].needs == ("dockerfile_instructions",)
    assert checks["MF505"].needs == ("auth_on", "http_server")


def test_the_dockerfile_is_read_once_for_its_four_checks(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mcpforge.checks import dockerfile

    parsed: list[str] = []
    real = dockerfile.parse

    def counted(text: str) -> list[dockerfile.Instruction]:
        parsed.append(text)
        return real(text)

    monkeypatch.setattr(dockerfile, "parse", counted)
    report = check_project(project, only=["MF203", "MF204", "MF205", "MF206"])
    assert report.ok and report.count(Status.PASSED) == 4
    assert len(parsed) == 1


def _add_requirement(root: Path) -> None:
    """A dependency the lock does not pin: uv.lock is stale."""
    replace_in("pyproject.toml", "dependencies = [\n", 'dependencies = [\n  "six>=1.16",\n')(root)


def test_uv_lock_that_does_not_match_pyproject_fails(project: Path) -> None:
    _add_requirement(project)
    report = check_project(project, only=["MF217"])
    status, message, hint = result_of(report, "MF217")
    assert status is Status.FAILED, message
    assert message.startswith("uv.lock does not match pyproject.toml (`uv lock --check`)")
    assert hint.startswith("run `uv lock` in the project and commit uv.lock")
    assert report.exit_code == 2


def test_uv_lock_is_not_verified_when_the_index_cannot_answer(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A current lock is validated offline, from uv.lock alone (an empty cache here); a
    stale one needs the index: unreachable, MF217 is not verified (exit 2), never passed."""
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "empty-cache"))
    # The index the lock names, reached through a closed loopback port.
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    monkeypatch.setenv("UV_HTTP_RETRIES", "0")
    current = check_project(project, only=["MF217"])
    assert result_of(current, "MF217")[:2] == (Status.PASSED, "uv.lock matches pyproject.toml")
    _add_requirement(project)
    report = check_project(project, only=["MF217"])
    status, message, _ = result_of(report, "MF217")
    assert status is Status.NOT_VERIFIED, message
    assert "asking the package index failed" in message
    assert (report.verdict, report.exit_code) == ("not verified", 2)

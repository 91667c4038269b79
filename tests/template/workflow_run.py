"""Running a generated GitHub workflow's jobs on this machine, as a runner would.

Every `run:` step runs as written, with bash as GitHub runs it (`-eo pipefail`), in a
fresh clone of the project at the tag (what `actions/checkout` gives). The `uses:` steps
are done here by what they amount to: checkout clones, setup-uv and setup-node find the
machine's uv and node, upload/download-artifact copy folders. Only the network edge is
stubbed, by programs put first on PATH (see `write_stubs`): `npm install -g` links the
npm tool the suite installed, `curl` hands out a stub `mcp-publisher`, `gh` stands in for
the GitHub releases API, and the PyPI upload action only records what it would send.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tarfile
from dataclasses import dataclass, field
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

import yaml

GITHUB_ENV = {
    "GITHUB_SERVER_URL": "https://github.com",
    "CI": "true",
}
# Jobs that need what this machine cannot reach: an image registry and a build service.
NOT_RUN = {"image": "builds and pushes the image with docker/build-push-action"}


@dataclass
class StepResult:
    job: str
    name: str
    returncode: int
    output: str


@dataclass
class Run:
    """What a workflow run did: each step's result, and what reached the network edge."""

    steps: list[StepResult] = field(default_factory=list)
    edge: Path = Path()

    def failed(self) -> list[StepResult]:
        return [step for step in self.steps if step.returncode != 0]

    def calls(self, program: str) -> list[list[str]]:
        log = self.edge / f"{program}.log"
        lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
        return [line.split("\t") for line in lines]


_PUBLISHER = '''#!{python}
"""Stub mcp-publisher: records its arguments; `publish` validates ./server.json as the
registry would (the schema, the current $schema URL) and keeps the copy it would send."""
import json, shutil, sys
from pathlib import Path
sys.path.insert(0, {repo!r})
from mcpforge.checks.publish import SERVER_SCHEMA, schema_date_problem, schema_errors
edge = Path({edge!r})
with (edge / "mcp-publisher.log").open("a") as log:
    log.write("\\t".join(sys.argv[1:]) + "\\n")
if sys.argv[1:2] == ["publish"]:
    document = json.loads(Path("server.json").read_text())
    problems = schema_errors(document, SERVER_SCHEMA)
    problem = schema_date_problem(document.get("$schema"))
    problems += [problem] if problem else []
    for package in document.get("packages", []):
        if package["registryType"] == "mcpb" and "fileSha256" not in package:
            problems.append("mcpb package without fileSha256")
    if problems:
        sys.exit("publish refused: " + "; ".join(problems))
    shutil.copy("server.json", edge / "published-server.json")
    print("published", document["name"], document["version"])
'''

_RECORDER = '''#!{python}
"""Stub {program}: records its arguments, and does what its network call would leave."""
import os, shutil, sys
from pathlib import Path
edge = Path({edge!r})
args = sys.argv[1:]
with (edge / "{program}.log").open("a") as log:
    log.write("\\t".join(args) + "\\n")
{body}
'''

_GH = """
if args[:2] == ["release", "view"]:
    sys.exit(0 if (edge / "release-created").exists() else 1)
if args[:2] == ["release", "create"]:
    (edge / "release-created").touch()
if args[:2] == ["release", "upload"]:
    (edge / "uploads").mkdir(exist_ok=True)
    shutil.copy(args[3], edge / "uploads")
"""

_CURL = """
sys.stdout.buffer.write((edge / "mcp-publisher.tar.gz").read_bytes())
"""

_NPM = """
if args[:2] != ["install", "-g"]:
    sys.exit("stub npm: only `npm install -g` is expected here")
for spec in args[2:]:
    name = spec.rpartition("@")[0] if spec.rfind("@") > 0 else spec
    program = {"@anthropic-ai/mcpb": "mcpb"}[name]
    os.symlink(os.environ["STUB_TOOL_" + program.upper()], edge / "bin" / program)
"""


def write_stubs(edge: Path, mcpb: str) -> dict[str, str]:
    """The stub programs in EDGE/bin; the environment the steps run with."""
    repo = str(Path(__file__).resolve().parents[2])
    bin_dir = edge / "bin"
    bin_dir.mkdir(parents=True)
    python = sys.executable
    publisher = edge / "mcp-publisher"
    publisher.write_text(_PUBLISHER.format(python=python, repo=repo, edge=str(edge)))
    publisher.chmod(0o755)
    with tarfile.open(edge / "mcp-publisher.tar.gz", "w:gz") as archive:
        archive.add(publisher, arcname="mcp-publisher")
    for program, body in {"gh": _GH, "curl": _CURL, "npm": _NPM}.items():
        path = bin_dir / program
        path.write_text(_RECORDER.format(python=python, program=program, edge=str(edge), body=body))
        path.chmod(0o755)
    return {
        **os.environ,
        **GITHUB_ENV,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "STUB_TOOL_MCPB": mcpb,
    }


def _ordered_jobs(workflow: dict[str, Any]) -> list[str]:
    jobs = workflow["jobs"]
    graph = {}
    for name, job in jobs.items():
        needs = job.get("needs", [])
        graph[name] = {needs} if isinstance(needs, str) else set(needs)
    return list(TopologicalSorter(graph).static_order())


def run_workflow(project: Path, workflow_file: str, tag: str, work: Path, mcpb: str) -> Run:
    """Run every job of the workflow (but those in NOT_RUN) on `tag` of the project."""
    edge = work / "edge"
    env = write_stubs(edge, mcpb)
    env["GITHUB_REF_NAME"] = tag
    env["GITHUB_REPOSITORY"] = f"your-name/{project.name}"
    artifacts = work / "artifacts"
    workflow = yaml.safe_load((project / workflow_file).read_text(encoding="utf-8"))
    run = Run(edge=edge)
    for job_name in _ordered_jobs(workflow):
        if job_name in NOT_RUN:
            continue
        folder = work / "jobs" / job_name
        for step in workflow["jobs"][job_name]["steps"]:
            result = _step(step, job_name, project, folder, artifacts, env, tag, edge)
            run.steps.append(result)
            if result.returncode != 0:
                return run  # a failed step fails the job, and the run
    return run


def _step(  # noqa: PLR0911  # one return per kind of step, as a runner dispatches them
    step: dict[str, Any],
    job: str,
    project: Path,
    folder: Path,
    artifacts: Path,
    env: dict[str, str],
    tag: str,
    edge: Path,
) -> StepResult:
    name = step.get("name") or step.get("uses") or step["run"].splitlines()[0]
    uses = str(step.get("uses", "")).split("@")[0]
    inputs = step.get("with", {})
    if uses == "actions/checkout":
        clone = ["git", "clone", "-q", "--branch", tag, str(project), str(folder)]
        done = subprocess.run(clone, capture_output=True, text=True, check=False)
        return StepResult(job, name, done.returncode, done.stderr)
    if uses in {"astral-sh/setup-uv", "actions/setup-node"}:
        return StepResult(job, name, 0, "the machine's own")
    if uses == "actions/upload-artifact":
        # A folder uploads its contents; a pattern, the files it matches; hidden files
        # stay behind (upload-artifact's default since v4.4).
        target = artifacts / inputs["name"]
        target.mkdir(parents=True, exist_ok=True)
        hidden = shutil.ignore_patterns(".*")
        for path in folder.glob(str(inputs["path"]).rstrip("/")):
            if path.is_dir():
                shutil.copytree(path, target, ignore=hidden, dirs_exist_ok=True)
            elif not path.name.startswith("."):
                shutil.copy(path, target)
        return StepResult(job, name, 0, "")
    if uses == "actions/download-artifact":
        target = folder / str(inputs.get("path", "."))
        shutil.copytree(artifacts / inputs["name"], target, dirs_exist_ok=True)
        return StepResult(job, name, 0, "")
    if uses == "pypa/gh-action-pypi-publish":
        # The upload to PyPI is the network edge: what it would send is recorded.
        sent = sorted(path.name for path in (folder / "dist").iterdir())
        (edge / "pypi.log").write_text("\n".join(sent) + "\n", encoding="utf-8")
        return StepResult(job, name, 0, "")
    if uses:
        return StepResult(job, name, 1, f"no local stand-in for {uses}")
    step_env = {**env, **{key: str(value) for key, value in step.get("env", {}).items()}}
    step_env = {key: value.replace("${{ github.token }}", "t") for key, value in step_env.items()}
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
        cwd=folder, env=step_env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    return StepResult(job, name, done.returncode, done.stdout + done.stderr)

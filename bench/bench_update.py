"""`mcpforge update` of one template version step against raw `copier update` of the same step.

Both update the same project (generated at v1.0.0, committed) to v2.0.0 of a template
built here from this repository's copier.yml and template/. Raw copier reads the template
from a local git repository; mcpforge reads its bundled history (a git bundle, as in the
wheel) with the network cut. Each round updates a fresh copy of the project.

Run from the repository: `uv run python bench/bench_update.py [--runs 7]`. Prints medians
and the ratio (target: mcpforge within 1.15x of copier) and writes bench/results/update.json.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import interleaved, report, time_once

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_URL = "https://github.com/mcpforge/mcpforge.git"
# mcpforge's CLI with its template history pointed at the benchmark's bundle.
RUNNER = """
import sys
from pathlib import Path
from mcpforge import update
from mcpforge.history import TemplateHistory
bundle = Path(sys.argv.pop(1))
update.installed_history = lambda: TemplateHistory(current="2.0.0", source=bundle)
from mcpforge.cli import main
main()
"""


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def commit(repo: Path, message: str) -> None:
    git("add", "-A", cwd=repo)
    git("-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-q",
        "--no-verify", "-m", message, cwd=repo)  # fmt: skip


def build(work: Path, copier: str) -> tuple[Path, Path, Path]:
    """The template repository (v1.0.0, v2.0.0), its bundle, and the two v1 projects."""
    repo = work / "template-repo"
    repo.mkdir()
    shutil.copy2(ROOT / "copier.yml", repo / "copier.yml")
    shutil.copytree(
        ROOT / "template", repo / "template", ignore=shutil.ignore_patterns("__pycache__")
    )
    git("init", "-q", "-b", "main", cwd=repo)
    commit(repo, "v1")
    git("tag", "v1.0.0", cwd=repo)
    pyproject = repo / "template" / "pyproject.toml.jinja"
    pyproject.write_text(pyproject.read_text() + "# v2\n")
    (repo / "template" / "CHANGES.md").write_text("new in v2\n")
    commit(repo, "v2")
    git("tag", "v2.0.0", cwd=repo)
    bundle = work / "history.bundle"
    git("bundle", "create", "-q", str(bundle), "--tags=v*", cwd=repo)

    project = work / "project-copier"
    subprocess.run(
        [copier, "copy", "-q", "--defaults", "--vcs-ref", "v1.0.0", "--data",
         "project_name=bench-server", str(repo), str(project)],
        check=True, capture_output=True,
    )  # fmt: skip
    git("init", "-q", "-b", "main", cwd=project)
    commit(project, "generate")
    ours = work / "project-mcpforge"
    shutil.copytree(project, ours, symlinks=True)
    answers = ours / ".copier-answers.yml"
    answers.write_text(
        answers.read_text().replace(f"_src_path: {repo}", f"_src_path: {PUBLIC_URL}")
    )
    commit(ours, "record the public URL")
    return bundle, project, ours


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    copier = shutil.which("copier", path=str(Path(sys.executable).parent))
    if not copier:
        sys.exit("run inside the project's environment: uv run python bench/bench_update.py")
    work = Path(tempfile.mkdtemp(prefix="bench-update-"))
    offline = {
        **os.environ,
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": "url./nonexistent/network/.insteadOf",
        "GIT_CONFIG_VALUE_0": "https://",
        "COPIER_CACHE_DIR": str(work / "copier-cache"),
        "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.com",
        "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.com",
    }  # fmt: skip

    def fresh(project: Path, round_number: int, name: str) -> Path:
        copy = work / f"{name}-{round_number}"
        shutil.copytree(project, copy, symlinks=True)
        return copy

    try:
        bundle, project, ours = build(work, copier)

        def copier_update(round_number: int) -> float:
            copy = fresh(project, round_number, "copier")
            argv = [copier, "update", "-q", "--defaults", "--conflict", "inline", str(copy)]
            return time_once(argv, cwd=work, env=offline)

        def mcpforge_update(round_number: int) -> float:
            copy = fresh(ours, round_number, "mcpforge")
            argv = [sys.executable, "-c", RUNNER, str(bundle), "update", "--defaults", str(copy)]
            return time_once(argv, cwd=work, env=offline)

        copier_update(99)  # warm the file cache and bytecode for both
        mcpforge_update(99)
        times = interleaved(
            args.runs,
            {
                "copier update --defaults": copier_update,
                "mcpforge update --defaults": mcpforge_update,
            },
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(
        "update",
        times,
        {
            "mcpforge update / copier update": (
                "mcpforge update --defaults",
                "copier update --defaults",
            )
        },
    )


if __name__ == "__main__":
    main()

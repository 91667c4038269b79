"""`mcpforge new NAME --defaults` against raw `copier copy` of the same template and answers.

Run from the repository: `uv run python bench/bench_new.py [--runs 9]`. Prints medians and
the ratios (target: mcpforge within 1.15x of copier) and writes bench/results/new.json.
`mcpforge new` also makes the project a git repository with one commit, which copier does
not: the equal-work comparisons are `--no-git` against copier, and mcpforge against copier
followed by the same three git commands.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import interleaved, report, time_once

from mcpforge.copier_calls import template_root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()

    bin_dir = Path(sys.executable).parent
    mcpforge = shutil.which("mcpforge", path=str(bin_dir))
    copier = shutil.which("copier", path=str(bin_dir))
    if not (mcpforge and copier):
        sys.exit("run inside the project's environment: uv run python bench/bench_new.py")
    work = Path(tempfile.mkdtemp(prefix="bench-new-"))
    # A plain folder, as in an installed wheel: from a git checkout copier would clone.
    source = str(work / "template-source")
    shutil.copytree(
        template_root(), source, ignore=shutil.ignore_patterns(".git", ".venv", "*.pyc")
    )

    def mcpforge_new(round_number: int, *extra: str) -> float:
        name = f"bench-server-{round_number}{'-nogit' if extra else ''}"
        return time_once([mcpforge, "new", name, "--defaults", *extra], cwd=work)

    def copier_copy(round_number: int) -> float:
        name = f"copier-server-{round_number}"
        argv = [copier, "copy", "--quiet", "--defaults", "--data", f"project_name={name}"]
        return time_once([*argv, source, str(work / name)], cwd=work)

    def copier_copy_and_commit(round_number: int) -> float:
        """The same work as `mcpforge new`: render, then a repository with one commit."""
        name = f"copier-git-server-{round_number}"
        argv = [copier, "copy", "--quiet", "--defaults", "--data", f"project_name={name}"]
        git = ["git", "-C", str(work / name)]
        return (
            time_once([*argv, source, str(work / name)], cwd=work)
            + time_once([*git, "init", "-q", "-b", "main"])
            + time_once([*git, "add", "-A"])
            + time_once([*git, "commit", "-q", "--no-verify", "-m", "Generate"])
        )

    try:
        mcpforge_new(99)  # warm the file cache and bytecode for both
        copier_copy(99)
        times = interleaved(
            args.runs,
            {
                "copier copy --defaults": copier_copy,
                "copier copy --defaults + git commit": copier_copy_and_commit,
                "mcpforge new --defaults": mcpforge_new,
                "mcpforge new --defaults --no-git": lambda n: mcpforge_new(n, "--no-git"),
            },
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(
        "new",
        times,
        {
            "mcpforge new / copier copy": ("mcpforge new --defaults", "copier copy --defaults"),
            "mcpforge new / copier copy + git commit": (
                "mcpforge new --defaults",
                "copier copy --defaults + git commit",
            ),
            "mcpforge new --no-git / copier copy": (
                "mcpforge new --defaults --no-git",
                "copier copy --defaults",
            ),
        },
    )


if __name__ == "__main__":
    main()

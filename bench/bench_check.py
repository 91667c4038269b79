"""`mcpforge check --fast` and the default tier on a freshly generated default project.

Run from the repository: `uv run python bench/bench_check.py [--runs 5]`. The uv cache is
warmed by one untimed default-tier run first. Prints medians (targets: --fast < 2 s,
default < 30 s) and writes bench/results/check.json. Timings count whatever the checks
find: a failing check still ran.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import interleaved, report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    mcpforge = shutil.which("mcpforge", path=str(Path(sys.executable).parent))
    if mcpforge is None:
        sys.exit("run inside the project's environment: uv run python bench/bench_check.py")
    work = Path(tempfile.mkdtemp(prefix="bench-check-"))
    try:
        subprocess.run([mcpforge, "new", "bench-server", "--defaults"], cwd=work, check=True,
                       capture_output=True)  # fmt: skip
        project = work / "bench-server"
        codes: dict[str, set[int]] = {"check --fast": set(), "check (default tier)": set()}

        def timed(name: str, *extra: str) -> float:
            start = time.perf_counter()
            done = subprocess.run([mcpforge, "check", str(project), "--format", "json", *extra],
                                  capture_output=True, check=False)  # fmt: skip
            codes[name].add(done.returncode)
            return time.perf_counter() - start

        timed("check (default tier)")  # warm the uv cache and the bytecode
        codes["check (default tier)"].clear()
        times = interleaved(
            args.runs,
            {
                "check --fast": lambda _: timed("check --fast", "--fast"),
                "check (default tier)": lambda _: timed("check (default tier)"),
            },
        )
        report("check", times, {})
        for name, seen in codes.items():
            print(f"{name:<40} exit codes {sorted(seen)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

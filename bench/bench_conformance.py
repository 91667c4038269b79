"""What `--conformance` adds to `mcpforge check`: the default tier with and without it.

Run from the repository, with the suite and a Node.js >= 22 first on PATH:
`PATH=.cache/conformance/node_modules/.bin:$PATH uv run python bench/bench_conformance.py
[--runs 3]`. Generates a production project once, then times, interleaved,
`mcpforge check` and `mcpforge check --conformance` on it (their tests skipped: the same
in both), prints the medians, their difference and ratio, and writes
bench/results/conformance.json.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import interleaved, report, time_once


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    mcpforge = shutil.which("mcpforge", path=str(Path(sys.executable).parent))
    if mcpforge is None or shutil.which("conformance") is None:
        sys.exit("run in the project's environment with the conformance suite on PATH")
    work = Path(tempfile.mkdtemp(prefix="bench-conformance-"))
    time_once([mcpforge, "new", "bench-server", "--defaults"], cwd=work)
    project = work / "bench-server"
    base = [mcpforge, "check", "--skip", "tests", "--format", "json"]

    times = interleaved(
        args.runs,
        {
            "check (default tier)": lambda _: time_once(base, cwd=project),
            "check --conformance": lambda _: time_once([*base, "--conformance"], cwd=project),
        },
    )
    result = report(
        "conformance",
        times,
        {"--conformance / default": ("check --conformance", "check (default tier)")},
    )
    added = statistics.median(times["check --conformance"]) - statistics.median(
        times["check (default tier)"]
    )
    print(f"{'--conformance adds':<40} median {added:.3f} s")
    print(f"(results: {result['benchmark']}.json)")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

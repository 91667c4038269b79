"""`mcpforge --help` wall time against a bare `python -c pass` (target: median under 0.2 s).

Run: `uv run python bench/bench_help.py [--runs 21]`. Writes bench/results/help.json.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import interleaved, report, time_once


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    mcpforge = shutil.which("mcpforge", path=str(Path(sys.executable).parent))
    if not mcpforge:
        sys.exit("run inside the project's environment: uv run python bench/bench_help.py")
    times = interleaved(
        args.runs,
        {
            "python -c pass": lambda _: time_once([sys.executable, "-c", "pass"]),
            "mcpforge --help": lambda _: time_once([mcpforge, "--help"]),
            "mcpforge new --help": lambda _: time_once([mcpforge, "new", "--help"]),
        },
    )
    result = report(
        "help",
        times,
        {"mcpforge --help / python -c pass": ("mcpforge --help", "python -c pass")},
    )
    medians = result["medians_s"]
    assert isinstance(medians, dict)
    verdict = "meets" if medians["mcpforge --help"] < 0.2 else "MISSES"
    print(f"mcpforge --help median {medians['mcpforge --help']:.3f} s {verdict} the 0.2 s target")


if __name__ == "__main__":
    main()

"""Helpers shared by the benchmarks: interleaved timing of commands, medians, JSON output."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path

RESULTS = Path(__file__).parent / "results"


def time_once(
    argv: Sequence[str], *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> float:
    """Wall time of one run of a command that must succeed."""
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=env, check=True, capture_output=True)
    return time.perf_counter() - start


def interleaved(runs: int, contenders: dict[str, Callable[[int], float]]) -> dict[str, list[float]]:
    """Run each contender once per round, in turn, so machine noise hits them alike."""
    times: dict[str, list[float]] = {name: [] for name in contenders}
    for round_number in range(runs):
        for name, contender in contenders.items():
            times[name].append(contender(round_number))
    return times


def report(
    benchmark: str, times: dict[str, list[float]], ratios: dict[str, tuple[str, str]]
) -> dict[str, object]:
    """Print medians and ratios, and save them as JSON under bench/results/."""
    medians = {name: statistics.median(values) for name, values in times.items()}
    for name, median in medians.items():
        spread = f"min {min(times[name]):.3f}  max {max(times[name]):.3f}"
        print(f"{name:<40} median {median:.3f} s   ({spread}, n={len(times[name])})")
    computed = {}
    for label, (numerator, denominator) in ratios.items():
        computed[label] = medians[numerator] / medians[denominator]
        print(f"{label:<40} ratio  {computed[label]:.3f}x")
    result = {
        "benchmark": benchmark,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "medians_s": medians,
        "ratios": computed,
        "samples_s": times,
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{benchmark}.json").write_text(json.dumps(result, indent=2) + "\n")
    return result

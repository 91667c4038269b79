"""Count the outcomes of `mcpforge new` over random answer sets: accepted / refused / broken.

    uv run --extra check python bench/fuzz_answers.py [N] [PYTHON]

PYTHON is an interpreter that can import the generated projects' dependencies (the
import and app-build check is skipped without it). Prints the counts and each broken case.
"""

from __future__ import annotations

import collections
import sys
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.fuzz import answer_sets, classify

COUNTS: collections.Counter[str] = collections.Counter()
BROKEN: list[str] = []
REASONS: collections.Counter[str] = collections.Counter()


def main() -> None:
    examples = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    python = sys.argv[2] if len(sys.argv) > 2 else None

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(answer_sets())
    def run(case: tuple[str, dict]) -> None:
        name, answers = case
        with tempfile.TemporaryDirectory(prefix="mcpforge-fuzz-") as work:
            outcome = classify(Path(work), name, answers, python)
        COUNTS[outcome.kind] += 1
        if outcome.kind == "refused":
            REASONS[outcome.detail.split("'")[0][:60]] += 1
        if outcome.kind == "broken":
            BROKEN.append(f"{name!r} {answers!r}\n    {outcome.detail[:300]}")

    run()
    for line in BROKEN:
        print(line)
    for reason, count in REASONS.most_common(12):
        print(f"  refused {count}: {reason}")
    total = sum(COUNTS.values())
    print(
        f"{total} answer sets: "
        + ", ".join(f"{k} {COUNTS[k]}" for k in ("accepted", "refused", "broken"))
    )


if __name__ == "__main__":
    main()

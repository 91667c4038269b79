"""Where a generated server's per-request time goes: pyinstrument in the server under wrk load.

Starts the server of a generated project (its console script, `--http`, 1 worker) under
pyinstrument, drives it with wrk (-t2 -c16, protocol 2026-07-28 `tools/call` of `add`,
every reply checked as in bench_overhead.py), stops it with SIGINT, and saves the
profile as a flat list of functions by own time and as a call tree:
bench/results/profile-LABEL-flat.txt and profile-LABEL-tree.txt.

    python bench/profile_server.py PROJECT_DIR [--label on] [--duration 15] [--auth]

pyinstrument is installed into the project's environment when missing (uv pip).
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_overhead import (  # the same servers, requests and checks
    API_KEY,
    RESULTS,
    clean_env,
    free_port,
    run_wrk,
    wait_until_up,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--label", default="on")
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--path", choices=["2026", "legacy"], default="2026")
    parser.add_argument("--auth", action="store_true", help="send the bench API key")
    args = parser.parse_args()
    project = args.project.resolve()
    python = project / ".venv" / "bin" / "python"
    check = subprocess.run([python, "-c", "import pyinstrument"], check=False)
    if check.returncode:
        subprocess.run(
            ["uv", "pip", "install", "-q", "--python", str(python), "pyinstrument>=5"], check=True
        )
    script = next(p for p in (project / ".venv" / "bin").iterdir() if p.name == project.name)
    port = free_port()
    session = project / "profile.pyisession"
    variables = clean_env(MCP_API_KEYS=API_KEY, RATE_LIMIT="1000000000/minute")
    process = subprocess.Popen(
        [
            python,
            "-m",
            "pyinstrument",
            "-o",
            str(session),
            "-r",
            "pyisession",
            "-i",
            "0.0005",
            str(script),
            "--http",
            "--port",
            str(port),
        ],
        cwd=project,
        env=variables,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(port, process)
        time.sleep(1)
        lua = project / "profile.lua"
        run_wrk(port, args.path, args.auth, 2, lua, process.pid)
        result = run_wrk(port, args.path, args.auth, args.duration, lua, process.pid)
        print(f"{result['requests_per_s']:.0f} req/s under the profiler")
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=60)
    RESULTS.mkdir(exist_ok=True)
    for kind, options in (("flat", ["-p", "flat=true"]), ("tree", ["-p", "show_all=false"])):
        out = RESULTS / f"profile-{args.label}-{kind}.txt"
        subprocess.run(
            [
                python,
                "-m",
                "pyinstrument",
                "--load",
                str(session),
                "-r",
                "text",
                *options,
                "-p",
                "unicode=false",
                "-p",
                "color=false",
                "-o",
                str(out),
            ],
            check=True,
        )
        print(f"wrote {out}")


if __name__ == "__main__":
    main()

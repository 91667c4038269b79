"""stdio cold start: the generated production server against a bare MCPServer, same tool.

Run from the repository: `uv run python bench/bench_cold_start.py [--runs 15] [--preset P]`.
Renders the preset (production by default) into a temporary folder, installs it with uv
with bytecode compiled (as the Dockerfile does), and times, in interleaved rounds, from
spawn to the initialize reply on stdout:

- the generated server's console script (stdio, every production feature rendered), and
- a single-file `MCPServer` with the same `echo` tool, in the same virtual environment.

Prints medians and the ratio (target: at most 1.10x) and writes bench/results/cold_start.json.
Optional features (database, cache clients, Redis, metrics, auth) must not be imported at
start-up for the ratio to hold.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import interleaved, report

from mcpforge import new_project

BARE_SERVER = '''
from typing import Annotated

from mcp.server import MCPServer
from pydantic import Field

mcp = MCPServer("bare")


@mcp.tool()
async def echo(
    text: Annotated[str, Field(min_length=1, max_length=10_000, description="Text to send back")],
) -> str:
    """Return the text unchanged: a quick way to check the connection."""
    return text


if __name__ == "__main__":
    mcp.run("stdio")
'''

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "bench", "version": "0"},
    },
}


def cold_start(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    """Seconds from spawn to the initialize reply."""
    start = time.perf_counter()
    process = subprocess.Popen(  # our own interpreter and scripts
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write((json.dumps(INITIALIZE) + "\n").encode())
    process.stdin.flush()
    while True:
        line = process.stdout.readline()
        if not line:
            process.kill()
            raise RuntimeError(f"{argv[0]} exited before answering initialize")
        if json.loads(line).get("id") == 1:
            break
    elapsed = time.perf_counter() - start
    process.stdin.close()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    return elapsed


def deployed_env(drop: frozenset[str] = frozenset()) -> dict[str, str]:
    """This environment as a server is deployed, bytecode compiled (the generated Dockerfile
    sets UV_COMPILE_BYTECODE=1), without the variables in `drop`. With PYTHONDONTWRITEBYTECODE
    set, as on some machines, each cold start would compile every module it imports again."""
    left_out = drop | {"PYTHONDONTWRITEBYTECODE"}
    env = {key: value for key, value in os.environ.items() if key not in left_out}
    env["UV_COMPILE_BYTECODE"] = "1"
    return env


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--preset", default="production")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="bench-cold-"))
    try:
        project = new_project(work / "bench-server", {"preset": args.preset}, git=False).path
        env = deployed_env()
        subprocess.run(["uv", "sync", "-q", "--no-dev"], cwd=project, env=env, check=True)
        python = project / ".venv" / "bin" / "python"
        bare = work / "bare_server.py"
        bare.write_text(BARE_SERVER, encoding="utf-8")
        subprocess.run([str(python), "-m", "compileall", "-q", str(bare)], check=True)
        script = project / ".venv" / "bin" / "bench-server"
        run_dir = work / "run"  # no .env here
        run_dir.mkdir()

        def bare_server(_round: int) -> float:
            return cold_start([str(python), str(bare)], run_dir, env)

        def generated_server(_round: int) -> float:
            return cold_start([str(script)], run_dir, env)

        contenders: dict[str, Callable[[int], float]] = {
            "bare MCPServer (stdio)": bare_server,
            f"generated {args.preset} server (stdio)": generated_server,
        }
        for contender in contenders.values():  # warm the file cache
            contender(0)
            contender(0)
        times = interleaved(args.runs, contenders)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    name = "cold_start" if args.preset == "production" else f"cold_start_{args.preset}"
    report(
        name,
        times,
        {
            "generated / bare (target <= 1.10)": (
                f"generated {args.preset} server (stdio)",
                "bare MCPServer (stdio)",
            )
        },
    )


if __name__ == "__main__":
    main()

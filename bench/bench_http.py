"""HTTP throughput of a generated server: stateless JSON `tools/call`, one worker, wrk on loopback.

Three servers, the same `add` tool, interleaved rounds so machine noise hits them alike:
- `production`: `mcpforge new --preset production` with its features ON (API-key auth, rate
  limits, metrics, request ids, JSON logs), served by its own entry point (uvicorn with
  uvloop and httptools);
- `features-off`: the same template with auth, rate limits and metrics off;
- `tutorial`: the SDK tutorial's single-file server in an environment holding only `mcp`,
  `mcp.run(transport="streamable-http", json_response=True, stateless_http=True)`.

Every response is checked by the wrk Lua script (status 200 and `"isError":false`); a run
with any other answer fails. Needs `wrk` (Debian: apt-get install -y wrk) and uv.

    python bench/bench_http.py [--rounds 3] [--duration 8] [--connections 16]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results"
API_KEY = "bench-key-0123456789abcdef0123456789"
BODY = json.dumps(
    {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {
            "name": "add",
            "arguments": {"a": 1, "b": 2},
            # Protocol 2026-07-28 (sessionless), what the SDK's Client sends by default.
            "_meta": {
                "io.modelcontextprotocol/protocolVersion": "2026-07-28",
                "io.modelcontextprotocol/clientCapabilities": {},
            },
        },
    }
)
TUTORIAL = '''
import sys
from mcp.server import MCPServer

mcp = MCPServer("tutorial")


@mcp.tool()
def add(a: float, b: float) -> float:
    """Add two numbers"""
    return a + b


mcp.run(transport="streamable-http", json_response=True, stateless_http=True, port=int(sys.argv[1]))
'''
LUA = """
wrk.method = "POST"
wrk.body = [[%(body)s]]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
wrk.headers["MCP-Protocol-Version"] = "2026-07-28"
wrk.headers["Mcp-Method"] = "tools/call"
wrk.headers["Mcp-Name"] = "add"
%(auth)s
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0; sample = "" end
function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"isError":false', 1, true) then
    bad = bad + 1
    if sample == "" then sample = status .. " " .. body end
  end
end
function done(summary, latency, requests)
  local total_bad = 0
  local first = ""
  for _, thread in ipairs(threads) do
    total_bad = total_bad + thread:get("bad")
    local s = thread:get("sample")
    if first == "" and s ~= "" then first = s end
  end
  io.write(string.format("BENCH requests=%%d bad=%%d errors=%%d p50_us=%%d p99_us=%%d\\n",
    summary.requests, total_bad,
    summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.status + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
  if first ~= "" then io.write("BENCH sample=" .. first .. "\\n") end
end
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    base["UV_PYTHON_DOWNLOADS"] = "never"
    base.update(extra)
    return base


def render(root: Path, name: str, data: dict[str, str]) -> Path:
    argv = [sys.executable, "-m", "mcpforge", "new", str(root / name), "--defaults"]
    for key, value in data.items():
        argv += ["--data", f"{key}={value}"]
    subprocess.run(argv, check=True, capture_output=True)
    project = root / name
    subprocess.run(["uv", "sync", "-q", "--no-dev"], cwd=project, env=env(), check=True)
    return project


def wait_until_up(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server on port {port} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"server on port {port} did not start")


def run_wrk(
    port: int, path: str, auth: bool, duration: int, connections: int, script: Path
) -> dict[str, float]:
    script.write_text(
        LUA
        % {
            "body": BODY,
            "auth": f'wrk.headers["Authorization"] = "Bearer {API_KEY}"' if auth else "",
        }
    )
    # One wrk thread: on a 2-core machine the server keeps the other core.
    out = subprocess.run(
        [
            "wrk",
            "-t1",
            f"-c{connections}",
            f"-d{duration}s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}{path}",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    numbers = dict(re.findall(r"(\w+)=(\d+)", out.split("BENCH ", 1)[1].splitlines()[0]))
    if int(numbers["bad"]) or int(numbers["errors"]):
        sample = re.search(r"BENCH sample=(.*)", out)
        raise SystemExit(f"unsuccessful responses on port {port}: {numbers} {sample and sample[1]}")
    return {
        "requests_per_s": int(numbers["requests"]) / duration,
        "p50_ms": int(numbers["p50_us"]) / 1000,
        "p99_ms": int(numbers["p99_us"]) / 1000,
        "requests": int(numbers["requests"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not on PATH: apt-get install -y wrk")

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        production = render(root, "bench-prod", {})
        bare = render(
            root,
            "bench-off",
            {"auth": "none", "rate_limit": "false", "metrics": "false", "cache": "false"},
        )
        tutorial = root / "tutorial.py"
        tutorial.write_text(TUTORIAL)
        servers: dict[str, tuple[list[str], Path, dict[str, str], bool]] = {
            "production": (
                ["uv", "run", "--no-sync", "bench-prod", "--http", "--port", "{port}"],
                production,
                env(MCP_API_KEYS=API_KEY, RATE_LIMIT="100000000/minute"),
                True,
            ),
            "features-off": (
                ["uv", "run", "--no-sync", "bench-off", "--http", "--port", "{port}"],
                bare,
                env(),
                False,
            ),
            "tutorial": (
                [
                    "uv",
                    "run",
                    "--isolated",
                    "--no-project",
                    "--with",
                    "mcp>=2.3,<3",
                    "python",
                    str(tutorial),
                    "{port}",
                ],
                root,
                env(),
                False,
            ),
        }
        runs: dict[str, list[dict[str, float]]] = {name: [] for name in servers}
        for round_number in range(args.rounds):
            for name, (argv, cwd, variables, auth) in servers.items():
                port = free_port()
                command = [part.replace("{port}", str(port)) for part in argv]
                process = subprocess.Popen(
                    command,
                    cwd=cwd,
                    env=variables,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
                try:
                    wait_until_up(port, process)
                    # Warm up (imports, first-call caches), then measure.
                    run_wrk(port, "/mcp", auth, 2, args.connections, root / "bench.lua")
                    result = run_wrk(
                        port, "/mcp", auth, args.duration, args.connections, root / "bench.lua"
                    )
                finally:
                    process.terminate()
                    process.wait(timeout=20)
                runs[name].append(result)
                print(
                    f"round {round_number + 1} {name:<13} {result['requests_per_s']:8.0f} req/s"
                    f"  p50 {result['p50_ms']:6.2f} ms  p99 {result['p99_ms']:6.2f} ms",
                    flush=True,
                )

    medians = {
        name: {
            key: statistics.median(r[key] for r in results)
            for key in ("requests_per_s", "p50_ms", "p99_ms")
        }
        for name, results in runs.items()
    }
    ratios = {
        "production / tutorial (target >= 1.5)": medians["production"]["requests_per_s"]
        / medians["tutorial"]["requests_per_s"],
        "production / features-off (target >= 0.9)": medians["production"]["requests_per_s"]
        / medians["features-off"]["requests_per_s"],
    }
    print()
    for name, median in medians.items():
        rate, p50, p99 = median["requests_per_s"], median["p50_ms"], median["p99_ms"]
        print(f"{name:<13} median {rate:8.0f} req/s  p50 {p50:6.2f} ms  p99 {p99:6.2f} ms")
    for label, ratio in ratios.items():
        print(f"{label:<44} {ratio:.2f}x")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "http.json").write_text(
        json.dumps(
            {
                "benchmark": "http stateless JSON tools/call, 1 worker, wrk -t1",
                "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
                "connections": args.connections,
                "duration_s": args.duration,
                "rounds": args.rounds,
                "medians": medians,
                "ratios": ratios,
                "runs": runs,
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()

"""What the production features cost: generated servers against a bare SDK server, interleaved.

Contenders, each serving the same `add` tool (stateless JSON `tools/call`, 1 worker):
- `starlette`: a bare Starlette JSON endpoint (the ceiling), uvicorn as below;
- `bare`: a bare `MCPServer` with one async tool, `log_level="WARNING"`, its
  `streamable_http_app(stateless_http=True, json_response=True)` served by uvicorn with
  the generated server's options (uvloop, httptools, no access log, the same keep-alive
  and concurrency limits), in the generated project's own environment (same packages);
- `off`: `mcpforge new --preset production` with auth, rate limits, metrics and cache off;
- `on`: the production preset with every feature on (API-key auth, rate limits with a
  limit never reached, metrics, request ids, one JSON log line per tool call);
- `tutorial`: the SDK tutorial's single-file server in an environment holding only `mcp`
  (asyncio + h11, sync tool), legacy path only.

Two protocol paths: `2026` (protocol 2026-07-28: `_meta` version, `MCP-Protocol-Version`,
`Mcp-Method` and `Mcp-Name` headers, what the SDK's client sends) and `legacy` (a body
without any version). wrk -t2 -c16; its Lua script checks every reply (status 200 and
`"isError":false`) and a run with any other answer or socket error is invalid (exit 1).
Servers start fresh each round; rounds interleave the contenders so machine noise hits
them alike; only the ratios of medians are meant to be compared.

Also measured: `WORKERS=2` (supervisor RSS, throughput beside 1 worker, `on`, 2026 path)
and stdio cold start (spawn to the initialize response) of `on` against a bare MCPServer.

    python bench/bench_overhead.py [--rounds 5] [--duration 8] [--cold-starts 20]
        [--label after] [--before REF]

`--before REF` also serves `on` and `off` rendered by mcpforge at git REF (2026 path, same
rounds): a change's before and after compared within one interleaved run.

Writes bench/results/overhead[-LABEL].json and .md. Needs wrk (apt-get install -y wrk), uv.
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
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench_cold_start import cold_start, deployed_env  # the same timing and environment

RESULTS = Path(__file__).parent / "results"
ROOT = Path(__file__).parent.parent
API_KEY = "bench-key-0123456789abcdef0123456789"
PROTOCOL = "2026-07-28"
HTTP = ["--http", "--port", "{port}"]
Run = dict[str, float]  # one wrk run: rate, latencies, CPU per request
# Issue 22: CPU per request of a bare MCPServer over the generated server's, at least.
CPU_TARGETS = {
    "off 2026: bare CPU/req / off CPU/req": 0.85,
    "on 2026: bare CPU/req / on CPU/req": 0.75,
}


def body(modern: bool) -> str:
    params: dict[str, Any] = {"name": "add", "arguments": {"a": 1, "b": 2}}
    if modern:
        params["_meta"] = {
            "io.modelcontextprotocol/protocolVersion": PROTOCOL,
            "io.modelcontextprotocol/clientCapabilities": {},
        }
    return json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params})


# A bare MCPServer with one async tool, served over HTTP (same uvicorn options as the
# generated server) or over stdio.
BARE_SERVER = """
from mcp.server import MCPServer

mcp = MCPServer("bare", log_level="WARNING")


@mcp.tool()
async def add(a: float, b: float) -> float:
    \"\"\"Add two numbers.\"\"\"
    return a + b
"""
BARE = (
    "import sys\n\nimport uvicorn\n"
    + BARE_SERVER
    + """

app = mcp.streamable_http_app(stateless_http=True, json_response=True)
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_config=None, access_log=False,
            timeout_keep_alive=5, limit_concurrency=1000)
"""
)
BARE_STDIO = (
    BARE_SERVER
    + """

mcp.run("stdio")
"""
)
STARLETTE = """
import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route


async def endpoint(request: Request) -> JSONResponse:
    data = await request.json()
    a, b = data["params"]["arguments"]["a"], data["params"]["arguments"]["b"]
    return JSONResponse({"jsonrpc": "2.0", "id": data["id"], "result": {
        "content": [{"type": "text", "text": str(a + b)}], "isError": False}})


app = Starlette(routes=[Route("/mcp", endpoint, methods=["POST"])])
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_config=None, access_log=False,
            timeout_keep_alive=5, limit_concurrency=1000)
"""
TUTORIAL = """
import sys
from mcp.server import MCPServer

mcp = MCPServer("tutorial")


@mcp.tool()
def add(a: float, b: float) -> float:
    \"\"\"Add two numbers\"\"\"
    return a + b


mcp.run(transport="streamable-http", json_response=True, stateless_http=True, port=int(sys.argv[1]))
"""
LUA = """
wrk.method = "POST"
wrk.body = [[%(body)s]]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json, text/event-stream"
%(headers)s
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


def lua(path: str, auth: bool) -> str:
    headers = []
    if path == "2026":
        headers += [
            f'wrk.headers["MCP-Protocol-Version"] = "{PROTOCOL}"',
            'wrk.headers["Mcp-Method"] = "tools/call"',
            'wrk.headers["Mcp-Name"] = "add"',
        ]
    if auth:
        headers.append(f'wrk.headers["Authorization"] = "Bearer {API_KEY}"')
    return LUA % {"body": body(path == "2026"), "headers": "\n".join(headers)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def clean_env(**extra: str) -> dict[str, str]:
    """The environment of every install and server: as deployed (`deployed_env`), outside
    any virtual environment, with `extra` set."""
    base = deployed_env(frozenset({"VIRTUAL_ENV", "PYTHONPATH"}))
    base["UV_PYTHON_DOWNLOADS"] = "never"
    base.update(extra)
    return base


def render(root: Path, name: str, data: dict[str, str], source: Path = ROOT) -> Path:
    project = root / name
    argv = ["uv", "run", "--project", str(source), "mcpforge", "new", str(project)]
    argv += ["--preset", "production", "--yes", "--no-git"]
    for key, value in data.items():
        argv += ["--data", f"{key}={value}"]
    subprocess.run(argv, check=True, capture_output=True, env=clean_env())
    subprocess.run(["uv", "sync", "-q", "--no-dev"], cwd=project, env=clean_env(), check=True)
    return project


def checkout(root: Path, ref: str) -> Path:
    """The mcpforge tree at git `ref` (git archive: no worktree left behind)."""
    tree = root / f"mcpforge-{ref.replace('/', '-')}"
    tree.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def tutorial_python(root: Path) -> Path:
    venv = root / "tutorial-venv"
    subprocess.run(["uv", "venv", "-q", str(venv)], check=True, env=clean_env())
    python = venv / "bin" / "python"
    subprocess.run(
        ["uv", "pip", "install", "-q", "--python", str(python), "mcp>=2.3,<3"],
        check=True,
        env=clean_env(),
    )
    return python


def wait_until_up(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server on port {port} exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"server on port {port} did not start")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its (waited-for or live) children, from /proc."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    pids = [pid, *children(pid)]
    for one in pids:
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        direct = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return found
    for child in map(int, direct):
        found += [child, *children(child)]
    return found


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run_wrk(port: int, path: str, auth: bool, duration: int, script: Path, pid: int) -> Run:
    script.write_text(lua(path, auth))
    cpu_before = cpu_seconds(pid)
    out = subprocess.run(
        ["wrk", "-t2", "-c16", f"-d{duration}s", "-s", str(script), f"http://127.0.0.1:{port}/mcp"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    cpu = cpu_seconds(pid) - cpu_before
    numbers = dict(re.findall(r"(\w+)=(\d+)", out.split("BENCH ", 1)[1].splitlines()[0]))
    requests = int(numbers["requests"])
    if int(numbers["bad"]) or int(numbers["errors"]) or not requests:
        sample = re.search(r"BENCH sample=(.*)", out)
        raise SystemExit(f"invalid run on port {port} ({path}): {numbers} {sample and sample[1]}")
    return {
        "requests_per_s": requests / duration,
        "p50_ms": int(numbers["p50_us"]) / 1000,
        "p99_ms": int(numbers["p99_us"]) / 1000,
        "cpu_ms_per_request": cpu * 1000 / requests,
        "requests": requests,
    }


class Server:
    def __init__(self, argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
        self.argv, self.cwd, self.env = argv, cwd, env or clean_env()

    def start(self, port: int) -> subprocess.Popen[bytes]:
        command = [part.replace("{port}", str(port)) for part in self.argv]
        return subprocess.Popen(
            command,
            cwd=self.cwd,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def median_of(runs: list[Run], key: str) -> float:
    return float(statistics.median(run[key] for run in runs))


def main() -> None:  # noqa: PLR0912, PLR0915  # one linear script
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--cold-starts", type=int, default=20)
    parser.add_argument("--label", default="", help="suffix of the result files")
    parser.add_argument("--skip-workers", action="store_true")
    parser.add_argument(
        "--before",
        metavar="REF",
        help="also serve `on` and `off` rendered by mcpforge at git REF (2026 path), interleaved",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not on PATH: apt-get install -y wrk")

    with tempfile.TemporaryDirectory(prefix="bench-overhead-") as tmp:
        root = Path(tmp)
        on = render(root, "bench-on", {})
        off_data = {"auth": "none", "rate_limit": "false", "metrics": "false", "cache": "false"}
        off = render(root, "bench-off", off_data)
        python = str(off / ".venv" / "bin" / "python")
        (root / "bare.py").write_text(BARE)
        (root / "bare_stdio.py").write_text(BARE_STDIO)
        (root / "starlette_app.py").write_text(STARLETTE)
        (root / "tutorial.py").write_text(TUTORIAL)
        tutorial = str(tutorial_python(root))
        on_env = clean_env(MCP_API_KEYS=API_KEY, RATE_LIMIT="1000000000/minute")
        both = ["2026", "legacy"]
        servers: dict[str, tuple[Server, list[str], bool]] = {
            "starlette": (Server([python, "starlette_app.py", "{port}"], root), ["2026"], False),
            "bare": (Server([python, "bare.py", "{port}"], root), both, False),
            "off": (Server([str(off / ".venv/bin/bench-off"), *HTTP], off), both, False),
            "on": (Server([str(on / ".venv/bin/bench-on"), *HTTP], on, on_env), both, True),
            "tutorial": (Server([tutorial, "tutorial.py", "{port}"], root), ["legacy"], False),
        }
        if args.before:
            source = checkout(root, args.before)
            for name, data in (("on", {}), ("off", off_data)):
                project = render(root, f"bench-{name}-before", data, source)
                command = [str(project / f".venv/bin/bench-{name}-before"), *HTTP]
                variables = on_env if name == "on" else {}
                servers[f"{name}-before"] = (
                    Server(command, project, variables),
                    ["2026"],
                    name == "on",
                )
        if not args.skip_workers:
            servers["on-workers2"] = (
                Server([str(on / ".venv/bin/bench-on"), *HTTP], on, {**on_env, "WORKERS": "2"}),
                ["2026"],
                True,
            )
        runs: dict[str, list[Run]] = {}
        supervisor_rss: list[float] = []
        script = root / "bench.lua"
        for round_number in range(args.rounds):
            for name, (server, paths, auth) in servers.items():
                port = free_port()
                process = server.start(port)
                try:
                    wait_until_up(port, process)
                    if name == "on-workers2":
                        time.sleep(3)  # every worker up and listening
                        supervisor_rss.append(rss_mib(process.pid))
                    for path in paths:
                        run_wrk(port, path, auth, 2, script, process.pid)  # warm up
                        run = run_wrk(port, path, auth, args.duration, script, process.pid)
                        runs.setdefault(f"{name} {path}", []).append(run)
                        print(
                            f"round {round_number + 1} {name + ' ' + path:<20}"
                            f" {run['requests_per_s']:8.0f} req/s"
                            f"  p99 {run['p99_ms']:6.2f} ms"
                            f"  cpu {run['cpu_ms_per_request']:.3f} ms/req",
                            flush=True,
                        )
                finally:
                    stop(process)

        cold: dict[str, list[float]] = {"bare": [], "on": []}
        stdio: dict[str, tuple[list[str], Path, dict[str, str]]] = {
            "bare": ([str(on / ".venv/bin/python"), "bare_stdio.py"], root, clean_env()),
            "on": ([str(on / ".venv/bin/bench-on")], on, clean_env()),
        }
        for argv, cwd, variables in stdio.values():
            cold_start(argv, cwd, variables)  # bytecode compiled, files cached
        for _ in range(args.cold_starts):
            for name, (argv, cwd, variables) in stdio.items():
                cold[name].append(cold_start(argv, cwd, variables))

    keys = ("requests_per_s", "p50_ms", "p99_ms", "cpu_ms_per_request")
    medians = {
        name: {key: median_of(results, key) for key in keys} for name, results in runs.items()
    }

    def rate(name: str) -> float:
        return medians[name]["requests_per_s"]

    targets: dict[str, tuple[float, float]] = {
        "on 2026 / bare 2026": (rate("on 2026") / rate("bare 2026"), 0.0),
        "off 2026 / bare 2026": (rate("off 2026") / rate("bare 2026"), 0.0),
        # Issue 22's targets: this one, the two CPU ratios below (CPU_TARGETS), cold start, RSS.
        "on legacy / tutorial legacy": (rate("on legacy") / rate("tutorial legacy"), 1.2),
        "off legacy / tutorial legacy": (rate("off legacy") / rate("tutorial legacy"), 0.0),
        "on legacy / bare legacy": (rate("on legacy") / rate("bare legacy"), 0.0),
        "off legacy / bare legacy": (rate("off legacy") / rate("bare legacy"), 0.0),
        "bare 2026 / starlette 2026": (rate("bare 2026") / rate("starlette 2026"), 0.0),
    }
    # CPU per request of the server process: less disturbed by other load than req/s.
    cpu_ratios = {
        f"{name} {path}: bare CPU/req / {name} CPU/req": round(
            medians[f"bare {path}"]["cpu_ms_per_request"]
            / medians[f"{name} {path}"]["cpu_ms_per_request"],
            3,
        )
        for name in ("on", "off")
        for path in ("2026", "legacy")
    }
    for name in ("on", "off"):  # the same contender rendered by mcpforge at --before
        if f"{name}-before 2026" in medians:
            before = medians[f"{name}-before 2026"]["cpu_ms_per_request"]
            cpu_ratios[f"{name}-before 2026: bare CPU/req / {name}-before CPU/req"] = round(
                medians["bare 2026"]["cpu_ms_per_request"] / before, 3
            )
            targets[f"{name}-before 2026 / bare 2026"] = (
                rate(f"{name}-before 2026") / rate("bare 2026"),
                0.0,
            )
    p99 = {
        f"{name} p99 / bare p99 ({path})": (
            medians[f"{name} {path}"]["p99_ms"] / medians[f"bare {path}"]["p99_ms"],
            path,
        )
        for name in ("on", "off")
        for path in ("2026", "legacy")
    }
    cold_medians = {name: statistics.median(values) for name, values in cold.items()}
    result: dict[str, Any] = {
        "benchmark": "overhead: stateless JSON tools/call, 1 worker, wrk -t2 -c16, interleaved",
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "before": args.before,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "duration_s": args.duration,
        "rounds": args.rounds,
        "medians": medians,
        "ratios": {label: round(value, 3) for label, (value, _) in targets.items()},
        "targets": {
            **{label: target for label, (_, target) in targets.items() if target},
            **CPU_TARGETS,
        },
        "p99_ratios": {label: round(value, 3) for label, (value, _) in p99.items()},
        "cpu_ratios": cpu_ratios,
        "stdio_cold_start_s": cold_medians,
        "stdio_cold_start_ratio": round(cold_medians["on"] / cold_medians["bare"], 3),
        "runs": runs,
        "cold_start_samples_s": cold,
    }
    if supervisor_rss:
        result["workers2"] = {
            "supervisor_rss_mib": statistics.median(supervisor_rss),
            "requests_per_s": rate("on-workers2 2026"),
            "ratio_to_1_worker": round(rate("on-workers2 2026") / rate("on 2026"), 3),
        }

    lines = [
        f"# Overhead ({args.label or 'run'}): stateless JSON tools/call, wrk -t2 -c16,"
        f" {args.rounds} rounds x {args.duration} s, medians; {args.cold_starts} stdio cold"
        " starts each, bytecode compiled (as deployed)",
        "",
        f"Run {result['date']}"
        + (f"; `*-before`: rendered by mcpforge at `{args.before}`" if args.before else "")
        + ".",
        "",
        "| server | path | req/s | p50 ms | p99 ms | CPU ms/req |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for name, median in medians.items():
        contender, path = name.split(" ")
        lines.append(
            f"| {contender} | {path} | {median['requests_per_s']:.0f} | {median['p50_ms']:.2f}"
            f" | {median['p99_ms']:.2f} | {median['cpu_ms_per_request']:.3f} |"
        )
    lines += ["", "| ratio | value | target |", "| --- | ---: | ---: |"]
    for label, (value, target) in targets.items():
        verdict = f">= {target} " + ("met" if value >= target else "NOT met") if target else ""
        lines.append(f"| {label} | {value:.2f} | {verdict} |")
    lines += [f"| {label} | {value:.2f} | |" for label, (value, _path) in p99.items()]
    for label, value in cpu_ratios.items():
        target = CPU_TARGETS.get(label)
        verdict = f">= {target} " + ("met" if value >= target else "NOT met") if target else ""
        lines.append(f"| {label} | {value:.2f} | {verdict} |")
    ratio = result["stdio_cold_start_ratio"]
    lines.append(
        f"| stdio cold start on / bare ({cold_medians['on'] * 1000:.0f} /"
        f" {cold_medians['bare'] * 1000:.0f} ms) | {ratio:.2f} | <= 1.10"
        f" {'met' if ratio <= 1.10 else 'NOT met'} |"
    )
    if supervisor_rss:
        workers = result["workers2"]
        lines.append(
            f"| WORKERS=2 supervisor RSS (MiB) | {workers['supervisor_rss_mib']:.1f} | < 30"
            f" {'met' if workers['supervisor_rss_mib'] < 30 else 'NOT met'} |"
        )
        two = workers["ratio_to_1_worker"]
        lines.append(f"| WORKERS=2 / 1 worker, on 2026 (2 shared cores) | {two:.2f} | report |")
    text = "\n".join(lines) + "\n"
    print()
    print(text)
    RESULTS.mkdir(exist_ok=True)
    suffix = f"-{args.label}" if args.label else ""
    (RESULTS / f"overhead{suffix}.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / f"overhead{suffix}.md").write_text(text)


if __name__ == "__main__":
    main()

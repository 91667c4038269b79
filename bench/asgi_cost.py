"""CPU per request of an ASGI app called in-process (no sockets): isolates the app's own layers.

Run with the Python of a generated project's environment:

    .venv/bin/python bench/asgi_cost.py PKG.app:create_app [--legacy] [--auth] [-n 5000]
    .venv/bin/python bench/asgi_cost.py bare  # a bare MCPServer with one async tool

Prints microseconds of CPU per `tools/call` of `add` (median of 5 batches); every reply
is checked (status 200, `"isError":false`). Instructions a call, which machine noise does
not move (about +-4K of ~1.4M from run to run):

    valgrind --tool=callgrind --collect-atstart=no .venv/bin/python bench/asgi_cost.py \
        PKG.app:create_app --auth --callgrind -n 400   # then Collected / 400
"""

from __future__ import annotations

import argparse
import asyncio
import ctypes
import importlib
import json
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

API_KEY = "bench-key-0123456789abcdef0123456789"


def bare_app() -> Any:
    from mcp.server import MCPServer  # noqa: PLC0415

    mcp = MCPServer("bare", log_level="WARNING")

    @mcp.tool()
    async def add(a: float, b: float) -> float:
        """Add two numbers."""
        return a + b

    return mcp.streamable_http_app(stateless_http=True, json_response=True)


def callgrind_toggle() -> Callable[[], None]:
    """callgrind's CALLGRIND_TOGGLE_COLLECT as a function: a C helper built with gcc, so
    start-up (imports, create_app), which varies by millions of instructions from run to
    run, is left out of the count. Outside valgrind it does nothing."""
    folder = Path(tempfile.mkdtemp(prefix="asgi-cost-"))
    source, library = folder / "toggle.c", folder / "toggle.so"
    source.write_text(
        "#include <valgrind/callgrind.h>\nvoid toggle(void) { CALLGRIND_TOGGLE_COLLECT; }\n"
    )
    subprocess.run(["gcc", "-O1", "-shared", "-fPIC", "-o", library, source], check=True)
    toggle: Callable[[], None] = ctypes.CDLL(str(library)).toggle
    return toggle


async def main() -> None:  # noqa: PLR0915  # one linear script
    parser = argparse.ArgumentParser()
    parser.add_argument("target")
    parser.add_argument("--legacy", action="store_true")
    parser.add_argument("--auth", action="store_true")
    parser.add_argument("-n", type=int, default=3000)
    parser.add_argument(
        "--profile", action="store_true", help="cProfile: top functions by own time"
    )
    parser.add_argument(
        "--callgrind",
        action="store_true",
        help="run under `valgrind --tool=callgrind --collect-atstart=no`: only the -n calls"
        " are counted (instructions a call: Collected / n); needs gcc and valgrind's headers",
    )
    args = parser.parse_args()
    if args.target == "bare":
        app = bare_app()
    elif args.target.endswith(":mcp"):  # a generated server's MCPServer, served as is
        server = importlib.import_module(args.target.partition(":")[0]).mcp
        app = server.streamable_http_app(stateless_http=True, json_response=True)
    else:
        os.environ.setdefault("MCP_API_KEYS", API_KEY)
        os.environ.setdefault("RATE_LIMIT", "1000000000/minute")
        module, _, name = args.target.partition(":")
        app = getattr(importlib.import_module(module), name)()
    params: dict[str, Any] = {"name": "add", "arguments": {"a": 1, "b": 2}}
    headers = [
        (b"host", b"127.0.0.1:8000"),
        (b"content-type", b"application/json"),
        (b"accept", b"application/json, text/event-stream"),
    ]
    if not args.legacy:
        params["_meta"] = {
            "io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {},
        }
        headers += [
            (b"mcp-protocol-version", b"2026-07-28"),
            (b"mcp-method", b"tools/call"),
            (b"mcp-name", b"add"),
        ]
    if args.auth:
        headers.append((b"authorization", f"Bearer {API_KEY}".encode()))
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": params})
    headers.append((b"content-length", str(len(body)).encode()))
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/mcp",
        "raw_path": b"/mcp",
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }

    async def one() -> None:
        sent = False
        status = 0
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if sent:
                await asyncio.sleep(3600)
            sent = True
            return {"type": "http.request", "body": body.encode(), "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await app({**scope, "state": {}}, receive, send)
        reply = b"".join(chunks)
        if status != 200 or b'"isError":false' not in reply:
            raise SystemExit(f"bad reply {status} {reply[:300]!r}")

    lifespan_queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    started = asyncio.Event()

    async def lifespan_send(message: dict[str, Any]) -> None:
        if message["type"] == "lifespan.startup.complete":
            started.set()
        elif message["type"] == "lifespan.startup.failed":
            raise SystemExit(message)

    await lifespan_queue.put({"type": "lifespan.startup"})
    task = asyncio.create_task(
        app(
            {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}},
            lifespan_queue.get,
            lifespan_send,
        )
    )
    await started.wait()
    for _ in range(300):
        await one()
    if args.callgrind:
        toggle = callgrind_toggle()
        toggle()
        for _ in range(args.n):
            await one()
        toggle()
        print(f"{args.n} calls counted: instructions a call = callgrind's Collected / {args.n}")
        task.cancel()
        return
    if args.profile:
        import cProfile  # noqa: PLC0415
        import pstats  # noqa: PLC0415

        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.n):
            await one()
        profiler.disable()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(400)
    samples = []
    for _ in range(5):
        start = time.process_time()
        for _ in range(args.n):
            await one()
        samples.append((time.process_time() - start) / args.n * 1e6)
    print(
        f"{args.target} {'legacy' if args.legacy else '2026'}:"
        f" {statistics.median(samples):.1f} us/request"
        f" (batches {', '.join(f'{s:.1f}' for s in samples)})"
    )
    task.cancel()


if __name__ == "__main__":
    import logging

    asyncio.run(main())
    logging.shutdown()

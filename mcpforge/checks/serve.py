"""Running the server over HTTP on a free loopback port, and talking plain HTTP to it."""

from __future__ import annotations

import http.client
import socket
import subprocess
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from mcpforge.checks.base import CheckFailedError, Context, tail

INITIALIZE = (
    b'{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18",'
    b'"capabilities":{},"clientInfo":{"name":"mcpforge-check","version":"1"}}}'
)


@dataclass
class HttpServer:
    """A server process listening on 127.0.0.1:port."""

    process: subprocess.Popen[bytes]
    port: int
    path: str
    log: IO[str]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"

    def logs(self, lines: int = 10) -> str:
        self.log.flush()
        self.log.seek(0)
        return tail(self.log.read(), lines)

    def request(
        self,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> tuple[int, bytes]:
        """One request; Host defaults to 127.0.0.1:port unless `headers` sets it."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            sent = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
            connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
            for name, value in sent.items():
                connection.putheader(name, value)
            if body is not None:
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def post_mcp(self, headers: Mapping[str, str] | None = None) -> int:
        """POST an initialize request to the MCP endpoint; the status code."""
        base = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
        status, _ = self.request(
            "POST", self.path, body=INITIALIZE, headers={**base, **(headers or {})}
        )
        return status


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(
    context: Context, command: list[str], cwd: Path, env: Mapping[str, str], path: str
) -> HttpServer:
    """Start the server and wait until its port accepts connections."""
    port = free_port()
    log = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115 - closed by cleanup
    context.cleanup.callback(log.close)
    environment = {**env, "MCP_TRANSPORT": "http", "MCP_HOST": "127.0.0.1", "MCP_PORT": str(port)}
    process = subprocess.Popen(
        command, cwd=cwd, env=environment, stdin=subprocess.DEVNULL, stdout=log, stderr=log
    )
    context.cleanup.callback(_stop, process)
    server = HttpServer(process, port, path, log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise CheckFailedError(
                f"the server exited with code {process.returncode} on start:\n{server.logs()}"
            )
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.1)
    raise CheckFailedError(
        f"the server did not listen on port {port} within 30 s:\n{server.logs()}"
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

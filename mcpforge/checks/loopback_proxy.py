"""A loopback HTTP proxy that adds the server's bearer token to every request.

The official conformance suite connects to a URL and sends no headers of ours; a server
with API keys answers it 401. This proxy sits on another 127.0.0.1 port, forwards each
request unchanged (Host and Origin included, so DNS-rebinding protection is tested on the
server itself), adds `Authorization: Bearer TOKEN`, and streams the answer back (SSE too).
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Headers that belong to one connection (RFC 9110, 7.6.1): never forwarded as they are.
_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding",
     "upgrade", "content-length"}
)  # fmt: skip
_TIMEOUT = 120.0


class _Proxy(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream_port: int, token: str | None) -> None:
        super().__init__(("127.0.0.1", 0), _Forward)
        self.upstream_port = upstream_port
        self.token = token


class _Forward(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Proxy

    def do_GET(self) -> None:
        self._forward()

    def do_POST(self) -> None:
        self._forward()

    def do_DELETE(self) -> None:
        self._forward()

    def do_OPTIONS(self) -> None:
        self._forward()

    def log_message(self, format: str, *args: object) -> None:  # the base's name
        """Quiet: the server's own log tells what happened."""

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else None
        upstream = http.client.HTTPConnection("127.0.0.1", self.server.upstream_port, _TIMEOUT)
        try:
            upstream.putrequest(self.command, self.path, skip_host=True, skip_accept_encoding=True)
            for name, value in self.headers.items():
                if name.lower() not in _HOP_BY_HOP and name.lower() != "authorization":
                    upstream.putheader(name, value)
            if self.server.token is not None:
                upstream.putheader("Authorization", f"Bearer {self.server.token}")
            if body is not None:
                upstream.putheader("Content-Length", str(len(body)))
            upstream.endheaders(body)
            answer = upstream.getresponse()
            self._relay(answer)
        except OSError:
            self.close_connection = True  # the client or the server went away
        finally:
            upstream.close()

    def _relay(self, answer: http.client.HTTPResponse) -> None:
        self.send_response_only(answer.status, answer.reason)
        for name, value in answer.getheaders():
            if name.lower() not in _HOP_BY_HOP:
                self.send_header(name, value)
        known = answer.getheader("Content-Length")
        if known is not None:
            self.send_header("Content-Length", known)
        else:
            self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        while chunk := answer.read1(65536):
            self.wfile.write(chunk if known is not None else b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.flush()
        if known is None:
            self.wfile.write(b"0\r\n\r\n")
        self.close_connection = answer.will_close


@contextmanager
def bearer_proxy(upstream_port: int, token: str | None) -> Iterator[int]:
    """Run the proxy in front of 127.0.0.1:upstream_port; yields its own port."""
    proxy = _Proxy(upstream_port, token)
    thread = threading.Thread(target=proxy.serve_forever, name="mcpforge-proxy", daemon=True)
    thread.start()
    try:
        yield int(proxy.server_address[1])
    finally:
        proxy.shutdown()
        proxy.server_close()

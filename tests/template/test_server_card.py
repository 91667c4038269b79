"""The server card (SEP-2127, `seps/2127-mcp-server-cards.md` of the MCP specification
repository): a generated HTTP server answers GET /.well-known/mcp/server-card without a
token, with CORS and cache headers, and the card agrees with server.json (name, version,
description, repository) and with what the server answers an MCP client (capabilities,
tools, resources, prompts)."""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mcpforge import new_project
from tests.conftest import require_tool

pytestmark = [pytest.mark.renders, pytest.mark.slow]
KEY = "card-test-key"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, int]]:
    uv = require_tool("uv")
    project = new_project(tmp_path_factory.mktemp("card") / "card-server", {}, git=False).path
    subprocess.run([uv, "sync", "-q"], cwd=project, check=True, capture_output=True)
    port = _free_port()
    env = {**os.environ, "MCP_TRANSPORT": "http", "MCP_PORT": str(port), "MCP_API_KEYS": KEY}
    env.pop("VIRTUAL_ENV", None)
    process = subprocess.Popen(
        [str(project / ".venv" / "bin" / "card-server")], cwd=project, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        yield project, port
    finally:
        process.terminate()
        process.wait(timeout=30)


def _get_card(port: int) -> tuple[int, dict[str, str], dict[str, Any]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/.well-known/mcp/server-card")
    response = connection.getresponse()
    body = json.loads(response.read())
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def _mcp_view(port: int) -> tuple[dict[str, Any], list[str], list[str], list[str]]:
    import anyio
    import httpx2
    from mcp import Client
    from mcp.client.streamable_http import streamable_http_client

    async def session() -> tuple[dict[str, Any], list[str], list[str], list[str]]:
        headers = {"Authorization": f"Bearer {KEY}"}
        async with httpx2.AsyncClient(headers=headers) as http:
            url = f"http://127.0.0.1:{port}/mcp"
            async with Client(streamable_http_client(url, http_client=http), mode="legacy") as c:
                capabilities = c.server_capabilities.model_dump(by_alias=True, exclude_none=True)
                tools = [tool.name for tool in (await c.list_tools()).tools]
                resources = [str(item.uri) for item in (await c.list_resources()).resources]
                prompts = [prompt.name for prompt in (await c.list_prompts()).prompts]
                return capabilities, tools, resources, prompts

    return anyio.run(session)


def test_the_card_is_served_without_a_token(served: tuple[Path, int]) -> None:
    _, port = served
    status, headers, card = _get_card(port)
    assert status == 200
    assert headers["content-type"] == "application/json"
    assert headers["access-control-allow-origin"] == "*"
    assert headers["access-control-allow-methods"] == "GET"
    assert headers["cache-control"] == "public, max-age=3600"
    assert (
        card["$schema"]
        == "https://static.modelcontextprotocol.io/schemas/v1/server-card.schema.json"
    )
    [remote] = card["remotes"]
    assert remote["url"] == f"http://127.0.0.1:{port}/mcp"
    assert remote["authentication"] == {"required": True, "schemes": ["bearer"]}
    assert "2025-11-25" in remote["supportedProtocolVersions"]


def test_the_card_agrees_with_server_json(served: tuple[Path, int]) -> None:
    project, port = served
    _, _, card = _get_card(port)
    server = json.loads((project / "server.json").read_text())
    for field in ("name", "version", "description", "repository"):
        assert card[field] == server[field], field


def test_the_card_agrees_with_what_the_server_answers(served: tuple[Path, int]) -> None:
    _, port = served
    _, _, card = _get_card(port)
    capabilities, tools, resources, prompts = _mcp_view(port)
    assert card["capabilities"] == capabilities
    assert [tool["name"] for tool in card["tools"]] == tools
    assert [resource["uri"] for resource in card["resources"]] == resources
    assert [prompt["name"] for prompt in card["prompts"]] == prompts
    assert all("inputSchema" in tool and tool.get("description") for tool in card["tools"])

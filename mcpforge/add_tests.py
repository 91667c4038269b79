"""The test `mcpforge add` writes beside the handler: `tests/tools/test_NAME.py`.

Through the SDK's in-memory client (`client`, the project's conftest fixture): the handler
is listed, answers valid input with what its placeholder body returns, and refuses a value
out of its constraints. A tool with scopes is also called over HTTP with credentials that
have them and credentials that do not (403); one with a rate-limit share publishes it.
What a test names (the tool, the URIs it reads) are module constants: no line grows past
the line length with a long name, and the names read once at the top.
"""

from __future__ import annotations

from collections.abc import Mapping

from mcpforge.add_code import (
    INDENT,
    Group,
    Imports,
    Project,
    call,
    docstring,
    f_string,
    layout,
    module_text,
    py_string,
    py_value,
    statement,
)
from mcpforge.add_modules import handler_result, json_resource
from mcpforge.add_spec import Addition, Scalar
from mcpforge.add_values import as_text, invalid_input, uri_for, valid_value


def test_module(addition: Addition, project: Project) -> str:
    """The test module of an addition."""
    imports = Imports()
    imports.module(imports.third_party, "pytest")
    imports.add(imports.third_party, "mcp", "Client")
    values = {argument.name: valid_value(argument) for argument in addition.arguments}
    constants = _constants(addition, values, project)
    fixtures: list[str] = []
    uses: list[str] = []  # fixtures the valid call needs besides the client
    if addition.uses_database:
        imports.add(imports.stdlib, "collections.abc", "AsyncIterator")
        imports.add(imports.stdlib, "pathlib", "Path")
        imports.add(imports.first_party, project.package, "db")
        imports.add(imports.first_party, f"{project.package}.config", "get_settings")
        fixtures += _DATABASE_FIXTURE
    if addition.uses_upstream:
        imports.module(imports.stdlib, "http.server")
        imports.module(imports.stdlib, "threading")
        imports.add(imports.stdlib, "collections.abc", "Iterator")
        imports.add(imports.first_party, f"{project.package}.config", "get_settings")
        fixtures += _UPSTREAM_FIXTURE
        uses.append("upstream: list[str]")
    if addition.kind == "tool":
        tests = _tool_tests(addition, values, uses)
        if addition.scopes:
            tests += _scopes_test(addition, project, imports, uses)
        if addition.rate_limited:
            tests += _rate_limit_test(addition)
    elif addition.kind == "resource":
        imports.add(imports.third_party, "mcp.types", "TextResourceContents")
        if json_resource(addition):
            imports.module(imports.stdlib, "json")
        tests = _resource_tests(addition, values, uses)
    else:
        imports.add(imports.third_party, "mcp.types", "TextContent")
        tests = _prompt_tests(addition)
    if addition.kind != "tool" and invalid_input(addition) is not None:
        imports.add(imports.third_party, "mcp.shared.exceptions", "MCPError")
    body = ["pytestmark = pytest.mark.anyio", "", *constants, "", "", *fixtures, *tests]
    shown = addition.uri if addition.kind == "resource" else addition.name
    what = addition.kind
    doc = f"The `{shown}` {what} (added with `mcpforge add {what}`), through an in-memory client."
    return module_text(docstring(doc), imports, body)


def _constants(addition: Addition, values: dict[str, Scalar], project: Project) -> list[str]:
    """What the tests name: the handler (its URIs for a resource), and the scopes test's."""
    lines: list[str] = []
    if addition.kind == "resource":
        lines += statement("URI = ", py_string(addition.uri), 0)
        lines += statement("VALID_URI = ", py_string(uri_for(addition.uri, values)), 0)
        refused = invalid_input(addition)
        if refused is not None:
            bad = uri_for(addition.uri, {**values, refused[0].name: refused[1]})
            lines += statement("INVALID_URI = ", py_string(bad), 0)
    else:
        lines += statement(f"{addition.kind.upper()} = ", py_string(addition.name), 0)
    if addition.scopes:
        needed = ", ".join(py_string(scope) for scope in addition.scopes)
        trailing = "," if len(addition.scopes) == 1 else ""
        lines.append(f"NEEDED = ({needed}{trailing})  # the tool's scopes")
        if project.auth == "apikey":
            lines += [
                "# API keys of the scopes test (MCP_API_KEYS entries: KEY or KEY:SCOPE+SCOPE).",
                'SCOPED_KEY = "scoped-key-0123456789abcdef"',
                'UNSCOPED_KEY = "unscoped-key-0123456789abcdef"',
            ]
    return lines


def _arguments(values: Mapping[str, Scalar]) -> Group:
    items = tuple(f"{py_string(key)}: {py_value(value)}" for key, value in values.items())
    return Group("{", items, "}")


def _test(name: str, fixtures: list[str], lines: list[str]) -> list[str]:
    """An async test function; its parameters split one a line when they do not fit."""
    head = f"async def {name}({', '.join(fixtures)}) -> None:"
    if len(head) > 100:  # the line length
        opening = [f"async def {name}(", *(f"{INDENT}{fixture}," for fixture in fixtures)]
        head_lines = [*opening, ") -> None:"]
    else:
        head_lines = [head]
    return [*head_lines, *lines, "", ""]


def _result_is(expected: object, prefix: str) -> list[str]:
    return layout(Group("{", (f'"result": {py_value(str(expected))}',), "}"), 1, prefix=prefix)


def _tool_tests(addition: Addition, values: dict[str, Scalar], uses: list[str]) -> list[str]:
    name = addition.name
    listed = [
        f"{INDENT}listed = await client.list_tools()",
        f"{INDENT}assert TOOL in {{tool.name for tool in listed.tools}}",
    ]
    answers = [
        *layout(call("await client.call_tool", "TOOL", _arguments(values)), 1, "result = "),
        f"{INDENT}assert not result.is_error, result.content",
        *_result_is(handler_result(addition, values), "assert result.structured_content == "),
    ]
    if addition.uses_upstream:
        answers.append(f'{INDENT}assert [path.split("?")[0] for path in upstream] == ["/api"]')
    tests = _test(f"test_{name}_is_listed", ["client: Client"], listed)
    tests += _test(f"test_{name}_answers_valid_input", ["client: Client", *uses], answers)
    refused = invalid_input(addition)
    if refused is not None:
        argument, value = refused
        bad = _arguments({**values, argument.name: value})
        lines = [
            *layout(call("await client.call_tool", "TOOL", bad), 1, "result = "),
            f"{INDENT}assert result.is_error",
            f"{INDENT}error = result.content[0].model_dump_json()",
            f"{INDENT}assert {py_string(argument.name)} in error",
        ]
        tests += _test(f"test_{name}_refuses_an_invalid_{argument.name}", ["client: Client"], lines)
    return tests


def _scopes_test(
    addition: Addition, project: Project, imports: Imports, uses: list[str]
) -> list[str]:
    """Over HTTP: a caller with the tool's scopes calls it, one without gets 403 naming them."""
    values = {argument.name: valid_value(argument) for argument in addition.arguments}
    imports.module(imports.stdlib, "json")
    imports.module(imports.stdlib, "re")
    imports.add(imports.stdlib, "collections.abc", "Callable")
    imports.add(imports.third_party, "starlette.applications", "Starlette")
    imports.add(imports.first_party, f"{project.package}.app", "create_app")
    imports.add(imports.first_party, f"{project.package}.config", "Settings")
    fixtures = [
        "serve: Callable[[Starlette], LiveServer]",
        "make_settings: Callable[..., Settings]",
    ]
    if project.auth == "apikey":
        imports.add(imports.third_party, "conftest", "LiveServer")
        scopes = "+".join(addition.scopes)
        keys = f_string([("", "SCOPED_KEY"), (f":{scopes},", "UNSCOPED_KEY"), (":", "")])
        body = [
            f"{INDENT}# One API key with the tool's scopes, one with none.",
            *statement("keys = ", keys),
            f"{INDENT}server = serve(create_app(make_settings(mcp_api_keys=keys)))",
            f'{INDENT}allowed = {{"Authorization": f"Bearer {{SCOPED_KEY}}"}}',
            f'{INDENT}refused = {{"Authorization": f"Bearer {{UNSCOPED_KEY}}"}}',
        ]
    else:
        imports.add(imports.third_party, "conftest", "Issuer", "LiveServer")
        fixtures.append("issuer: Issuer")
        body = [
            f"{INDENT}settings = make_settings()",
            f"{INDENT}server = serve(create_app(settings))",
            f"{INDENT}# Both tokens carry what every call needs (OAUTH_REQUIRED_SCOPES), one the"
            " tool's scopes too.",
            f"{INDENT}endpoint = settings.oauth_required_scopes",
            f"{INDENT}granted = issuer.mint(" + '" ".join([*endpoint, *NEEDED]))',
            f'{INDENT}allowed = {{"Authorization": f"Bearer {{granted}}"}}',
            f'{INDENT}refused = {{"Authorization": "Bearer " + issuer.mint(" ".join(endpoint))}}',
        ]
    body += [
        *layout(_arguments(values), 1, prefix="arguments = "),
        f"{INDENT}status, _, answer = server.call_tool(TOOL, arguments, allowed)",
        f"{INDENT}assert status == 200, answer",
        *_result_is(
            handler_result(addition, values),
            'assert json.loads(answer)["result"]["structuredContent"] == ',
        ),
        f"{INDENT}status, headers, _ = server.call_tool(TOOL, arguments, refused)",
        f"{INDENT}assert status == 403",
        f'{INDENT}challenge = headers["www-authenticate"]',
        f"{INDENT}assert 'error=\"insufficient_scope\"' in challenge",
        f'{INDENT}asked = re.search(r\'scope="([^"]*)"\', challenge)',
        f"{INDENT}assert asked is not None",
        f"{INDENT}assert set(NEEDED) <= set(asked.group(1).split())",
    ]
    if uses:
        body.append(f"{INDENT}del upstream  # the allowed call asked it")
    return _test(f"test_{addition.name}_needs_its_scopes_over_http", fixtures + uses, body)


def _rate_limit_test(addition: Addition) -> list[str]:
    """The tool publishes its share of the rate limits (the HTTP app counts it: ratelimit.py)."""
    declared = {"cost": str(addition.cost)}
    if addition.limit:
        declared["limit"] = py_string(addition.limit)
    expected = Group("{", tuple(f'"{key}": {value}' for key, value in declared.items()), "}")
    lines = [
        f"{INDENT}listed = await client.list_tools()",
        f"{INDENT}meta = {{tool.name: tool.meta for tool in listed.tools}}[TOOL]",
        f"{INDENT}assert meta is not None",
        *layout(expected, 1, prefix='assert meta["mcpforge/rateLimit"] == '),
    ]
    return _test(f"test_{addition.name}_declares_its_rate_limit", ["client: Client"], lines)


def _resource_tests(addition: Addition, values: dict[str, Scalar], uses: list[str]) -> list[str]:
    name = addition.name
    if addition.arguments:
        listed = [
            f"{INDENT}listed = await client.list_resource_templates()",
            f"{INDENT}assert URI in {{item.uri_template for item in listed.resource_templates}}",
        ]
    else:
        listed = [
            f"{INDENT}listed = await client.list_resources()",
            f"{INDENT}assert URI in {{str(resource.uri) for resource in listed.resources}}",
        ]
    expected = handler_result(addition, values)
    reads = [
        f"{INDENT}result = await client.read_resource(VALID_URI)",
        f"{INDENT}content = result.contents[0]",
        f"{INDENT}assert isinstance(content, TextResourceContents)",
    ]
    if isinstance(expected, dict):
        items = tuple(f"{py_string(key)}: {py_value(value)}" for key, value in expected.items())
        reads += layout(Group("{", items, "}"), 1, prefix="assert json.loads(content.text) == ")
    else:
        reads += statement("expected = ", py_value(str(expected)))
        reads.append(f"{INDENT}assert content.text == expected")
    tests = _test(f"test_{name}_is_listed", ["client: Client"], listed)
    tests += _test(f"test_{name}_reads", ["client: Client", *uses], reads)
    refused = invalid_input(addition)
    if refused is not None:
        lines = [
            f"{INDENT}with pytest.raises(MCPError):",
            f"{INDENT * 2}await client.read_resource(INVALID_URI)",
        ]
        tests += _test(
            f"test_{name}_refuses_an_invalid_{refused[0].name}", ["client: Client"], lines
        )
    return tests


def _prompt_tests(addition: Addition) -> list[str]:
    name = addition.name
    values = {argument.name: valid_value(argument) for argument in addition.arguments}
    # Prompt arguments travel as strings; the server converts them to their types.
    sent = {key: as_text(value) for key, value in values.items()}
    listed = [
        f"{INDENT}listed = await client.list_prompts()",
        f"{INDENT}assert PROMPT in {{prompt.name for prompt in listed.prompts}}",
    ]
    gets = [
        *layout(call("await client.get_prompt", "PROMPT", _arguments(sent)), 1, "result = "),
        f"{INDENT}message = result.messages[0]",
        f"{INDENT}assert isinstance(message.content, TextContent)",
        *statement("expected = ", py_value(str(handler_result(addition, values)))),
        f"{INDENT}assert message.content.text == expected",
    ]
    tests = _test(f"test_{name}_is_listed", ["client: Client"], listed)
    tests += _test(f"test_{name}_renders_its_arguments", ["client: Client"], gets)
    refused = invalid_input(addition)
    if refused is not None:
        argument, value = refused
        bad = {**sent, argument.name: as_text(value)}
        lines = [
            f"{INDENT}with pytest.raises(MCPError):",
            *layout(call("await client.get_prompt", "PROMPT", _arguments(bad)), 2),
        ]
        tests += _test(f"test_{name}_refuses_an_invalid_{argument.name}", ["client: Client"], lines)
    return tests


_DATABASE_FIXTURE = [
    "@pytest.fixture(autouse=True)",
    "async def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[None]:",
    '    """A new SQLite database for each test (DATABASE_URL), its connections closed after."""',
    '    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / \'test.db\'}")',
    "    get_settings.cache_clear()",
    "    yield",
    "    await db.close_engine()",
    "",
    "",
]

_UPSTREAM_FIXTURE = [
    "@pytest.fixture",
    "def upstream(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:",
    '    """A local upstream API on a loopback port (UPSTREAM_URL): the paths it was asked for."""',
    "    asked: list[str] = []",
    "",
    "    class Handler(http.server.BaseHTTPRequestHandler):",
    "        def do_GET(self) -> None:",
    "            asked.append(self.path)",
    '            body = b"{}"',
    "            self.send_response(200)",
    '            self.send_header("Content-Type", "application/json")',
    '            self.send_header("Content-Length", str(len(body)))',
    "            self.end_headers()",
    "            self.wfile.write(body)",
    "",
    "        def log_message(self, format: str, *args: object) -> None:  # noqa: A002"
    "  # as the base class",
    "            del format, args  # quiet",
    "",
    '    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)',
    "    thread = threading.Thread(target=server.serve_forever, daemon=True)",
    "    thread.start()",
    '    monkeypatch.setenv("UPSTREAM_URL", f"http://127.0.0.1:{server.server_address[1]}/api")',
    "    get_settings.cache_clear()",
    "    yield asked",
    "    server.shutdown()",
    "    server.server_close()",
    "",
    "",
]

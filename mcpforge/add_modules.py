"""The two files `mcpforge add` writes: the handler's module and its test module.

Both are what a person would write by hand in the project: type hints, `Field`
constraints, a docstring, imports sorted the way ruff sorts them, and a test through the
SDK's in-memory client (`client`, the project's conftest fixture) that lists the handler,
calls it with valid input and sees invalid input refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mcpforge.add_code import (
    Group,
    annotation,
    call,
    docstring,
    f_string,
    layout,
    py_string,
    py_value,
    signature,
)
from mcpforge.add_spec import Addition, Scalar
from mcpforge.add_values import (
    as_text,
    invalid_input,
    prompt_parts,
    prompt_value,
    summary_parts,
    summary_value,
    uri_for,
    valid_value,
)


@dataclass(frozen=True)
class Project:
    """What the written code depends on in the project."""

    package: str


@dataclass
class Imports:
    """Module-level imports by section, printed as ruff's isort sorts them."""

    stdlib: dict[str, set[str]] = field(default_factory=dict)
    third_party: dict[str, set[str]] = field(default_factory=dict)
    first_party: dict[str, set[str]] = field(default_factory=dict)
    # `import x` lines, by the section of x.
    plain: dict[str, set[str]] = field(default_factory=dict)

    def add(self, section: dict[str, set[str]], module: str, *names: str) -> None:
        section.setdefault(module, set()).update(names)

    def module(self, section: dict[str, set[str]], name: str) -> None:
        self.plain.setdefault(_section_name(self, section), set()).add(name)

    def lines(self) -> list[str]:
        out: list[str] = []
        for label, section in (
            ("stdlib", self.stdlib),
            ("third_party", self.third_party),
            ("first_party", self.first_party),
        ):
            # isort puts `import x` before `from x import y` within a section.
            block = [f"import {name}" for name in sorted(self.plain.get(label, ()))]
            block += _froms(section)
            if block:
                out += ["", *block] if out else block
        return out


def _section_name(imports: Imports, section: dict[str, set[str]]) -> str:
    if section is imports.stdlib:
        return "stdlib"
    return "third_party" if section is imports.third_party else "first_party"


def _froms(section: dict[str, set[str]]) -> list[str]:
    def order(name: str) -> tuple[int, str]:
        # isort's order by type: CONSTANTS, then Classes, then functions and variables.
        kind = 0 if name.isupper() else 1 if name[:1].isupper() else 2
        return kind, name

    return [
        f"from {module} import {', '.join(sorted(names, key=order))}"
        for module, names in sorted(section.items())
    ]


def _module(doc: str, imports: Imports, body: list[str]) -> str:
    # As ruff's isort: two blank lines before a definition after the imports, else one.
    definition = body[0].startswith(("@", "def ", "async def ", "class "))
    lines = [doc, "", *imports.lines(), *([""] * (2 if definition else 1)), *body]
    return "\n".join(lines).rstrip("\n") + "\n"


# --- handlers ----------------------------------------------------------------------------

_TOOL_HINT = (
    "# What the tool does goes here; raise ToolError(...) for a failure the caller should read."
)
_RESOURCE_HINT = "# What the resource holds goes here; a dict is sent as JSON."
_TEXT_RESOURCE_HINT = "# What the resource holds goes here, as text."
_RETURNS_JSON = "dict[str, Any]"


def handler_module(addition: Addition, project: Project) -> str:
    """The module of a tool, resource or prompt: imports, the decorated function."""
    imports = Imports()
    if any(isinstance(annotation(argument), Group) for argument in addition.arguments):
        imports.add(imports.stdlib, "typing", "Annotated")
        imports.add(imports.third_party, "pydantic", "Field")
    if any(argument.choices for argument in addition.arguments):
        imports.add(imports.stdlib, "typing", "Literal")
    imports.add(imports.first_party, f"{project.package}.server", "mcp")
    if addition.kind == "resource" and _json_resource(addition):
        imports.add(imports.stdlib, "typing", "Any")
    if addition.uses_upstream:
        imports.add(imports.third_party, "mcp.server.mcpserver.exceptions", "ToolError")
        imports.add(imports.first_party, f"{project.package}.config", "get_settings")
        imports.add(imports.first_party, f"{project.package}.upstream", "get_client")
    decorators = _decorators(addition)
    returns = _JSON if addition.kind == "resource" and _json_resource(addition) else "str"
    body = [
        *decorators,
        *signature(addition, returns),
        INDENT + docstring(addition.description),
        *_body(addition, project),
    ]
    what = {"tool": "tool", "resource": "resource", "prompt": "prompt"}[addition.kind]
    shown = addition.uri if addition.kind == "resource" else addition.name
    doc = docstring(f"The `{shown}` {what}, added with `mcpforge add {what}`: yours to change.")
    return _module(doc, imports, body)


INDENT = "    "
_JSON = _RETURNS_JSON


def _json_resource(addition: Addition) -> bool:
    return addition.mime_type == "application/json"


def _decorators(addition: Addition) -> list[str]:
    if addition.kind == "tool":
        return ["@mcp.tool()"]
    if addition.kind == "prompt":
        return ["@mcp.prompt()"]
    items = [py_string(addition.uri)]
    if addition.mime_type:
        items.append(f"mime_type={py_string(addition.mime_type)}")
    return layout(call("@mcp.resource", *items), 0)


def _body(addition: Addition, project: Project) -> list[str]:
    if addition.kind == "prompt":
        return [INDENT + "return " + f_string(prompt_parts(addition))]
    lines: list[str] = []
    heavy: list[str] = []
    if addition.uses_upstream:
        heavy.append(
            "import httpx  # noqa: PLC0415  # loaded on the first call: start-up stays fast"
        )
    if addition.uses_database:
        heavy.append(
            "from sqlalchemy import text"
            "  # noqa: PLC0415  # SQLAlchemy loads on first use: fast start-up"
        )
    if heavy:
        lines += [INDENT + line for line in heavy]
    if addition.uses_database:
        if heavy:
            lines.append("")
        lines.append(f"{INDENT}from {project.package} import db  # noqa: PLC0415")
    if lines:
        lines.append("")
    extra: list[tuple[str, str]] = []
    if addition.uses_database:
        lines += [
            f"{INDENT}async with db.get_engine().connect() as connection:",
            f"{INDENT * 2}# Your queries here: db.py holds the engine and the tables.",
            f'{INDENT * 2}answer = await connection.scalar(text("SELECT 1"))',
        ]
        extra.append((", database answered ", "answer!r"))
    if addition.uses_upstream:
        params = [f"{py_string(argument.name)}: {argument.name}" for argument in addition.arguments]
        get_items: list[str | Group] = ["get_settings().upstream_url"]
        if params:
            get_items.append(Group("params={", tuple(params), "}"))
        lines += [
            f"{INDENT}try:",
            *layout(call("await get_client().get", *get_items), 2, prefix="response = "),
            f"{INDENT}except httpx.HTTPError as exc:",
            f"{INDENT * 2}raise ToolError("
            'f"the upstream API did not answer ({type(exc).__name__})") from exc',
            f"{INDENT}if response.is_error:",
            f'{INDENT * 2}raise ToolError(f"the upstream API answered {{response.status_code}}")',
        ]
        extra.append((", upstream answered ", "response.status_code"))
    if addition.kind == "resource" and _json_resource(addition):
        items = [f"{py_string(argument.name)}: {argument.name}" for argument in addition.arguments]
        if not items:
            items = [f'"resource": {py_string(addition.name)}']
        items += [
            f'"{label.strip(", ").split()[0]}": {expression.removesuffix("!r")}'
            for label, expression in extra
        ]
        return [
            *lines,
            INDENT + _RESOURCE_HINT,
            *layout(Group("{", tuple(items), "}"), 1, prefix="return "),
        ]
    hint = _TOOL_HINT if addition.kind == "tool" else _TEXT_RESOURCE_HINT
    return [*lines, INDENT + hint, INDENT + "return " + f_string(summary_parts(addition) + extra)]


def handler_result(addition: Addition, values: dict[str, Scalar]) -> object:
    """What the placeholder handler answers for these values (the written test expects it)."""
    if addition.kind == "prompt":
        return prompt_value(addition, values)
    extra = {}
    if addition.uses_database:
        extra["database"] = 1
    if addition.uses_upstream:
        extra["upstream"] = 200
    if addition.kind == "resource" and _json_resource(addition):
        data: dict[str, object] = {a.name: values[a.name] for a in addition.arguments}
        if not data:
            data = {"resource": addition.name}
        return {**data, **extra}
    text = summary_value(addition, values)
    if addition.uses_database:
        text += ", database answered 1"
    if addition.uses_upstream:
        text += ", upstream answered 200"
    return text


# --- tests -------------------------------------------------------------------------------


def test_module(addition: Addition, project: Project) -> str:
    """The test of a handler: listed, answers valid input, refuses invalid input."""
    imports = Imports()
    imports.add(imports.third_party, "mcp", "Client")
    imports.module(imports.third_party, "pytest")
    name = addition.name
    values = {argument.name: valid_value(argument) for argument in addition.arguments}
    fixtures = ["client: Client"]
    body: list[str] = ["pytestmark = pytest.mark.anyio", "", ""]
    if addition.uses_database:
        imports.add(imports.stdlib, "collections.abc", "AsyncIterator")
        imports.add(imports.stdlib, "pathlib", "Path")
        imports.add(imports.first_party, project.package, "db")
        imports.add(imports.first_party, f"{project.package}.config", "get_settings")
        body += _DATABASE_FIXTURE
    if addition.uses_upstream:
        imports.module(imports.stdlib, "http.server")
        imports.module(imports.stdlib, "threading")
        imports.add(imports.stdlib, "collections.abc", "Iterator")
        imports.add(imports.first_party, f"{project.package}.config", "get_settings")
        body += _UPSTREAM_FIXTURE
        fixtures.append("upstream: list[str]")
    if addition.kind == "tool":
        body += _tool_tests(addition, values, fixtures)
    elif addition.kind == "resource":
        imports.add(imports.third_party, "mcp.types", "TextResourceContents")
        if _json_resource(addition):
            imports.module(imports.stdlib, "json")
        if invalid_input(addition) is not None:
            imports.add(imports.third_party, "mcp.shared.exceptions", "MCPError")
        body += _resource_tests(addition, values, fixtures)
    else:
        imports.add(imports.third_party, "mcp.types", "TextContent")
        if invalid_input(addition) is not None:
            imports.add(imports.third_party, "mcp.shared.exceptions", "MCPError")
        body += _prompt_tests(addition, values)
    what = addition.kind
    shown = addition.uri if what == "resource" else name
    doc = docstring(
        f"The `{shown}` {what} (added with `mcpforge add {what}`), through an in-memory client."
    )
    return _module(doc, imports, body)


def _arguments_dict(values: dict[str, Scalar]) -> Group:
    return Group(
        "{", tuple(f"{py_string(key)}: {py_value(value)}" for key, value in values.items()), "}"
    )


def _test(name: str, fixtures: list[str], lines: list[str]) -> list[str]:
    head = f"async def {name}({', '.join(fixtures)}) -> None:"
    if len(head) > 100:
        head_lines = [
            f"async def {name}(",
            *(f"{INDENT}{fixture}," for fixture in fixtures),
            ") -> None:",
        ]
    else:
        head_lines = [head]
    return [*head_lines, *lines, "", ""]


def _tool_tests(addition: Addition, values: dict[str, Scalar], fixtures: list[str]) -> list[str]:
    name = addition.name
    listed = [
        f"{INDENT}listed = await client.list_tools()",
        f"{INDENT}assert {py_string(name)} in {{tool.name for tool in listed.tools}}",
    ]
    expected = handler_result(addition, values)
    answers = [
        *layout(
            call("await client.call_tool", py_string(name), _arguments_dict(values)),
            1,
            prefix="result = ",
        ),
        f"{INDENT}assert not result.is_error, result.content",
        *layout(
            Group("{", (f'"result": {py_value(str(expected))}',), "}"),
            1,
            prefix="assert result.structured_content == ",
        ),
    ]
    if addition.uses_upstream:
        answers.append(f'{INDENT}assert [path.split("?")[0] for path in upstream] == ["/api"]')
    tests = _test(f"test_{name}_is_listed", ["client: Client"], listed)
    tests += _test(f"test_{name}_answers_valid_input", fixtures, answers)
    refused = invalid_input(addition)
    if refused is not None:
        argument, value = refused
        bad = {**values, argument.name: value}
        lines = [
            *layout(
                call("await client.call_tool", py_string(name), _arguments_dict(bad)),
                1,
                prefix="result = ",
            ),
            f"{INDENT}assert result.is_error",
            f"{INDENT}assert {py_string(argument.name)} in result.content[0].model_dump_json()",
        ]
        tests += _test(f"test_{name}_refuses_an_invalid_{argument.name}", ["client: Client"], lines)
    return tests


def _resource_tests(
    addition: Addition, values: dict[str, Scalar], fixtures: list[str]
) -> list[str]:
    name = addition.name
    variables = bool(addition.arguments)
    if variables:
        listed = [
            f"{INDENT}listed = await client.list_resource_templates()",
            f"{INDENT}templates = {{item.uri_template for item in listed.resource_templates}}",
            f"{INDENT}assert {py_string(addition.uri)} in templates",
        ]
    else:
        listed = [
            f"{INDENT}listed = await client.list_resources()",
            f"{INDENT}uris = {{str(resource.uri) for resource in listed.resources}}",
            f"{INDENT}assert {py_string(addition.uri)} in uris",
        ]
    expected = handler_result(addition, values)
    reads = [
        f"{INDENT}result = await client.read_resource({py_string(uri_for(addition.uri, values))})",
        f"{INDENT}content = result.contents[0]",
        f"{INDENT}assert isinstance(content, TextResourceContents)",
    ]
    if isinstance(expected, dict):
        items = tuple(f"{py_string(key)}: {py_value(value)}" for key, value in expected.items())
        reads += layout(Group("{", items, "}"), 1, prefix="assert json.loads(content.text) == ")
    else:
        reads.append(f"{INDENT}assert content.text == {py_value(str(expected))}")
    tests = _test(f"test_{name}_is_listed", ["client: Client"], listed)
    tests += _test(f"test_{name}_reads", fixtures, reads)
    refused = invalid_input(addition)
    if refused is not None:
        argument, value = refused
        uri = uri_for(addition.uri, {**values, argument.name: value})
        lines = [
            f"{INDENT}with pytest.raises(MCPError):",
            f"{INDENT * 2}await client.read_resource({py_string(uri)})",
        ]
        tests += _test(f"test_{name}_refuses_an_invalid_{argument.name}", ["client: Client"], lines)
    return tests


def _prompt_arguments(values: dict[str, Scalar]) -> dict[str, Scalar]:
    """Prompt arguments travel as strings; the server converts them to their types."""
    return {key: as_text(value) for key, value in values.items()}


def _prompt_tests(addition: Addition, values: dict[str, Scalar]) -> list[str]:
    name = addition.name
    listed = [
        f"{INDENT}listed = await client.list_prompts()",
        f"{INDENT}assert {py_string(name)} in {{prompt.name for prompt in listed.prompts}}",
    ]
    text = handler_result(addition, values)
    gets = [
        *layout(
            call(
                "await client.get_prompt",
                py_string(name),
                _arguments_dict(_prompt_arguments(values)),
            ),
            1,
            prefix="result = ",
        ),
        f"{INDENT}message = result.messages[0]",
        f"{INDENT}assert isinstance(message.content, TextContent)",
        *layout(str(py_value(str(text))), 1, prefix="assert message.content.text == "),
    ]
    tests = _test(f"test_{name}_is_listed", ["client: Client"], listed)
    tests += _test(f"test_{name}_renders_its_arguments", ["client: Client"], gets)
    refused = invalid_input(addition)
    if refused is not None:
        argument, value = refused
        bad = _prompt_arguments({**values, argument.name: value})
        lines = [
            f"{INDENT}with pytest.raises(MCPError):",
            *layout(call("await client.get_prompt", py_string(name), _arguments_dict(bad)), 2),
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

"""The handler `mcpforge add` writes: a module of its own in the project's tools/ package.

What a person would write by hand there: type hints, `Field` constraints, a docstring, the
registration (and the tool's scopes and rate-limit share), imports sorted the way ruff sorts
them, and a placeholder body that answers with its arguments (the written test expects it).
"""

from __future__ import annotations

from mcpforge.add_code import (
    INDENT,
    Group,
    Imports,
    Project,
    annotation,
    call,
    docstring,
    f_string,
    layout,
    module_text,
    py_string,
    signature,
    statement,
)
from mcpforge.add_spec import Addition, Scalar
from mcpforge.add_values import prompt_parts, prompt_value, summary_parts, summary_value

_TOOL_HINT = (
    "# What the tool does goes here; raise ToolError(...) for a failure the caller should read."
)
_RESOURCE_HINT = "# What the resource holds goes here; a dict is sent as JSON."
_TEXT_RESOURCE_HINT = "# What the resource holds goes here, as text."
_RETURNS_JSON = "dict[str, Any]"


def written_names(addition: Addition) -> frozenset[str]:
    """The names the handler's module uses itself: neither the handler nor an argument may
    take one (it would shadow it)."""
    names = {"mcp", "Annotated", "Field", "Literal", "Any", "requires_scopes", "rate_limit"}
    if addition.uses_upstream:
        names |= {"ToolError", "get_settings", "get_client", "httpx", "response", "exc"}
    if addition.uses_database:
        names |= {"db", "text", "connection", "answer"}
    return frozenset(names)


def handler_module(addition: Addition, project: Project) -> str:
    """The module of a tool, resource or prompt: imports, the decorated function."""
    imports = Imports()
    annotations = [annotation(argument) for argument in addition.arguments]
    if any(isinstance(node, Group) and node.head == "Annotated[" for node in annotations):
        imports.add(imports.stdlib, "typing", "Annotated")
        imports.add(imports.third_party, "pydantic", "Field")
    if any(argument.choices for argument in addition.arguments):
        imports.add(imports.stdlib, "typing", "Literal")
    imports.add(imports.first_party, f"{project.package}.server", "mcp")
    if addition.kind == "resource" and json_resource(addition):
        imports.add(imports.stdlib, "typing", "Any")
    if addition.scopes:
        imports.add(imports.first_party, f"{project.package}.policies", "requires_scopes")
    if addition.rate_limited:
        imports.add(imports.first_party, f"{project.package}.policies", "rate_limit")
    if addition.uses_upstream:
        imports.add(imports.third_party, "mcp.server.mcpserver.exceptions", "ToolError")
        imports.add(imports.first_party, f"{project.package}.config", "get_settings")
        imports.add(imports.first_party, f"{project.package}.upstream", "get_client")
    decorators = _decorators(addition)
    returns = _JSON if addition.kind == "resource" and json_resource(addition) else "str"
    body = [
        *decorators,
        *signature(addition, returns),
        INDENT + docstring(addition.description),
        *_body(addition, project),
    ]
    what = {"tool": "tool", "resource": "resource", "prompt": "prompt"}[addition.kind]
    shown = addition.uri if addition.kind == "resource" else addition.name
    doc = docstring(f"The `{shown}` {what}, added with `mcpforge add {what}`: yours to change.")
    return module_text(doc, imports, body)


_JSON = _RETURNS_JSON


def json_resource(addition: Addition) -> bool:
    return addition.mime_type == "application/json"


def _decorators(addition: Addition) -> list[str]:
    if addition.kind == "tool":
        lines = ["@mcp.tool()"]
        if addition.scopes:
            lines += layout(call("@requires_scopes", *map(py_string, addition.scopes)), 0)
        if addition.rate_limited:
            options = [py_string(addition.limit)] if addition.limit else []
            options += [f"cost={addition.cost}"] if addition.cost != 1 else []
            lines += layout(call("@rate_limit", *options), 0)
        return lines
    if addition.kind == "prompt":
        return ["@mcp.prompt()"]
    items = [py_string(addition.uri)]
    if addition.mime_type:
        items.append(f"mime_type={py_string(addition.mime_type)}")
    return layout(call("@mcp.resource", *items), 0)


def _body(addition: Addition, project: Project) -> list[str]:
    if addition.kind == "prompt":
        return statement("return ", f_string(prompt_parts(addition)))
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
    if addition.kind == "resource" and json_resource(addition):
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
    result = f_string(summary_parts(addition) + extra)
    return [*lines, INDENT + hint, *statement("return ", result)]


def handler_result(addition: Addition, values: dict[str, Scalar]) -> object:
    """What the placeholder handler answers for these values (the written test expects it)."""
    if addition.kind == "prompt":
        return prompt_value(addition, values)
    extra = {}
    if addition.uses_database:
        extra["database"] = 1
    if addition.uses_upstream:
        extra["upstream"] = 200
    if addition.kind == "resource" and json_resource(addition):
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

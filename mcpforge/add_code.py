"""Python source for `mcpforge add`: the handler module and its test, formatted as ruff would.

The code is printed the way `ruff format` leaves it (line length 100): a bracket that fits
stays on one line, one that does not is split one item per line with a trailing comma,
which ruff keeps as it is. Strings are written with the quotes ruff prefers, and every
character outside printable ASCII as an escape (ruff's RUF001 flags look-alike letters).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mcpforge.add_spec import Addition, Argument, Scalar

LINE_LENGTH = 100
INDENT = "    "


# --- literals ----------------------------------------------------------------------------


def _escaped(text: str, quote_char: str) -> str:
    out: list[str] = []
    for char in text:
        code = ord(char)
        if char == "\\":
            out.append("\\\\")
        elif char == quote_char:
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif code > 0x7E:
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(char)
    return "".join(out)


def py_string(text: str, prefix: str = "") -> str:
    """A string literal: double quotes, unless the text holds more of them than single ones."""
    quote_char = "'" if text.count('"') > text.count("'") else '"'
    return f"{prefix}{quote_char}{_escaped(text, quote_char)}{quote_char}"


def py_pattern(pattern: str) -> str:
    """A regular expression as a raw string where one can hold it, else a plain one."""
    plain_ascii = all(0x20 <= ord(char) <= 0x7E for char in pattern)
    trailing = len(pattern) - len(pattern.rstrip("\\"))
    if plain_ascii and trailing % 2 == 0:
        # ruff's choice of quotes: double, unless the text holds double quotes only.
        if '"' not in pattern:
            return f'r"{pattern}"'
        if "'" not in pattern:
            return f"r'{pattern}'"
    return py_string(pattern)


def py_value(value: Scalar) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, str):
        return py_string(value)
    return repr(value)


def docstring(text: str) -> str:
    """A one-line docstring; a quote at either end escaped (ruff would pad it with a space)."""
    body = _escaped(text, '"').replace('\\"', '"').replace('"""', '\\"""')
    if body.endswith('"'):
        body = body[:-1] + '\\"'
    if body.startswith('"'):
        body = "\\" + body
    return f'"""{body}"""'


def f_string(parts: list[tuple[str, str]]) -> str:
    """An f-string of literal text and `{name}` fields: [(literal, field), ...]."""
    text = "".join(literal + (f"{{{name}}}" if name else "") for literal, name in parts)
    quote_char = "'" if text.count('"') > text.count("'") else '"'
    body = "".join(
        _escaped(literal, quote_char).replace("{", "{{").replace("}", "}}")
        + (f"{{{name}}}" if name else "")
        for literal, name in parts
    )
    return (
        f"f{quote_char}{body}{quote_char}"
        if any(name for _, name in parts)
        else f"{quote_char}{body}{quote_char}"
    )


# --- layout ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Group:
    """A bracketed expression: `head` (ending in its opening bracket), items, `close`."""

    head: str
    items: tuple[Node, ...]
    close: str


Node = str | Group


def flat(node: Node) -> str:
    if isinstance(node, str):
        return node
    return node.head + ", ".join(flat(item) for item in node.items) + node.close


def layout(node: Node, depth: int, prefix: str = "", suffix: str = "") -> list[str]:
    """`prefix + node + suffix` at `depth` indents: one line if it fits, else split."""
    indent = INDENT * depth
    line = indent + prefix + flat(node) + suffix
    if isinstance(node, str) or len(line) <= LINE_LENGTH or not node.items:
        return [line]
    lines = [indent + prefix + node.head]
    for item in node.items:
        lines += layout(item, depth + 1, suffix=",")
    lines.append(indent + node.close + suffix)
    return lines


def statement(prefix: str, atom: str, depth: int = 1) -> list[str]:
    """`prefix` (`return `, `name = `) and one expression that cannot split (a string): as
    ruff writes it, in parentheses on lines of their own when that is what makes it fit."""
    line = INDENT * depth + prefix + atom
    if len(line) <= LINE_LENGTH or len(INDENT * (depth + 1) + atom) > LINE_LENGTH:
        return [line]
    return [INDENT * depth + prefix + "(", INDENT * (depth + 1) + atom, INDENT * depth + ")"]


def call(head: str, *items: Node) -> Group:
    return Group(head + "(", tuple(items), ")")


# --- arguments ---------------------------------------------------------------------------


def annotation(argument: Argument) -> Node:
    """`Annotated[type, Field(...)]` of an argument."""
    if argument.choices:
        kind: Node = Group("Literal[", tuple(py_string(choice) for choice in argument.choices), "]")
    else:
        kind = argument.type
    keywords: list[Node] = [
        f"{key}={_constraint_value(key, value)}" for key, value in argument.constraints
    ]
    if argument.type == "float":
        keywords.append("allow_inf_nan=False")  # JSON has no inf nor nan
    if argument.example is not None:
        keywords.append(Group("examples=[", (py_value(argument.example),), "]"))
    if argument.description:
        keywords.append(f"description={py_string(argument.description)}")
    return Group("Annotated[", (kind, call("Field", *keywords)), "]") if keywords else kind


def _constraint_value(key: str, value: Scalar) -> str:
    return py_pattern(value) if key == "pattern" and isinstance(value, str) else py_value(value)


def parameters(arguments: tuple[Argument, ...]) -> list[str]:
    """The parameter lines of a signature (required arguments first, as Python needs)."""
    ordered = [a for a in arguments if a.required] + [a for a in arguments if not a.required]
    lines: list[str] = []
    for argument in ordered:
        suffix = "," if argument.default is None else f" = {py_value(argument.default)},"
        lines += layout(annotation(argument), 1, prefix=f"{argument.name}: ", suffix=suffix)
    return lines


# ruff's defaults for PLR0913 and PLR0917: more arguments get a noqa saying why.
MAX_ARGUMENTS = 5


def signature(addition: Addition, returns: str) -> list[str]:
    keyword = "async def" if addition.is_async else "def"
    if not addition.arguments:
        return [f"{keyword} {addition.name}() -> {returns}:"]
    opening = f"{keyword} {addition.name}("
    if len(addition.arguments) > MAX_ARGUMENTS:
        opening += f"  # noqa: PLR0913, PLR0917  # the {addition.kind}'s input, as callers send it"
    return [opening, *parameters(addition.arguments), f") -> {returns}:"]


# --- modules ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Project:
    """What the written code depends on in the project."""

    package: str
    auth: str = "none"  # apikey, oauth or none: how the scopes test authenticates


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


def module_text(doc: str, imports: Imports, body: list[str]) -> str:
    # As ruff's isort: two blank lines before a definition after the imports, else one.
    definition = body[0].startswith(("@", "def ", "async def ", "class "))
    lines = [doc, "", *imports.lines(), *([""] * (2 if definition else 1)), *body]
    return "\n".join(lines).rstrip("\n") + "\n"

"""Publishing metadata, checked offline before a release fails on it.

The MCP registry refuses a `server.json` on a schema other than its current one, a
description over 100 characters, a PyPI package whose README lacks `mcp-name: NAME`, an
image without the name label; an MCP bundle whose manifest has unknown keys does not
install, and one whose version or tools differ from the server misleads its users. These
checks read the shipped schemas (mcpforge/schemas), never the network.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from mcpforge import tomlcompat as tomllib
from mcpforge.checks.base import Context, Outcome, check, failed, not_verified, passed, skipped
from mcpforge.checks.validators import has_module

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
SERVER_SCHEMA = SCHEMAS / "server.schema.json"
SERVER_SCHEMA_URL = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"
_SCHEMA_DATE = re.compile(
    r"^https://static\.modelcontextprotocol\.io/schemas/(\d{4}-\d{2}-\d{2})/server\.schema\.json$"
)
MCPB_SCHEMAS = {
    version: SCHEMAS / f"mcpb-manifest-v{version}.schema.json" for version in ("0.3", "0.4")
}
MCPB_INSTALL = "install Node.js, then: npm install -g @anthropic-ai/mcpb"
# The registry's ownership checks: `mcp-name: NAME` must end at a boundary.
_MCP_NAME = re.compile(r"mcp-name:\s*([a-zA-Z0-9.-]+/[a-zA-Z0-9._-]+)(?=\s|-->|<|$)", re.M)
_NAME_LABEL = re.compile(r'io\.modelcontextprotocol\.server\.name="?([^"\s]+)"?')
_JSONSCHEMA = "jsonschema (comes with check-jsonschema)"


def load_json(path: Path) -> tuple[Any, str | None]:
    """The JSON document in `path`, or None and one line saying why it cannot be read."""
    try:
        return json.loads(path.read_text(encoding="utf-8")), None
    except (OSError, UnicodeDecodeError) as error:
        return None, f"{path.name} cannot be read: {error}"
    except ValueError as error:
        return None, f"{path.name} is not valid JSON: {error}"


def schema_errors(document: Any, schema_path: Path) -> list[str]:  # any JSON
    """Every way `document` breaks the JSON schema in `schema_path`, one line each."""
    # Only these checks need it; it comes untyped (no stubs in the check extra).
    import jsonschema  # type: ignore[import-untyped]  # noqa: PLC0415

    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    validator = jsonschema.Draft7Validator(schema)
    errors = sorted(validator.iter_errors(document), key=lambda error: list(error.absolute_path))
    return [f"{_where(error.absolute_path)}: {_brief(error)}" for error in errors]


def _where(path: Any) -> str:  # jsonschema's deque of keys and indexes
    parts = [f"[{part}]" if isinstance(part, int) else f".{part}" for part in path]
    return "".join(parts).lstrip(".") or "(top level)"


def _brief(error: Any) -> str:  # a jsonschema ValidationError
    message = str(error.message)
    if error.validator == "maxLength":
        return f"{len(error.instance)} characters, at most {error.validator_value} allowed"
    return message if len(message) <= 200 else message[:197] + "..."


def schema_date_problem(url: object) -> str | None:
    """Why the registry would refuse this `$schema` URL, or None when it is the current one."""
    if url == SERVER_SCHEMA_URL:
        return None
    current = _date(SERVER_SCHEMA_URL)
    match = _SCHEMA_DATE.match(url) if isinstance(url, str) else None
    if match is None:
        return f"$schema is {url!r}, not the MCP registry's server.json schema"
    if match[1] < current:
        return (
            f"$schema is the deprecated {match[1]} schema: the registry accepts only the "
            f"current one ({current}) at publish time"
        )
    return f"$schema is the {match[1]} schema, newer than the {current} one mcpforge ships"


def _date(url: str) -> str:
    match = _SCHEMA_DATE.match(url)
    assert match is not None  # noqa: S101  # SERVER_SCHEMA_URL has the registry's form
    return match[1]


def project_metadata(root: Path) -> tuple[str | None, str | None]:
    """[project] name and version from pyproject.toml (None where absent or dynamic)."""
    try:
        data = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None, None  # MF201 reports a broken pyproject
    project = data.get("project", {})
    name, version = project.get("name"), project.get("version")
    return (name if isinstance(name, str) else None, version if isinstance(version, str) else None)


# --- server.json --------------------------------------------------------------------------


@check(
    "MF224",
    "static",
    "server.json matches the MCP registry's current schema (offline, shipped copy)",
    f"fix the field named above; `$schema` must be {SERVER_SCHEMA_URL} (the registry "
    "refuses older ones at publish time) and `description` holds 1 to 100 characters",
)
def server_json_schema(context: Context, server_json: Path) -> Outcome:
    if not has_module("jsonschema"):
        return not_verified(_JSONSCHEMA)
    document, unreadable = load_json(server_json)
    if unreadable is not None:
        return failed(unreadable, file="server.json")
    problems = []
    url = document.get("$schema") if isinstance(document, dict) else None
    date_problem = schema_date_problem(url)
    if date_problem is not None and url is not None:
        problems.append(date_problem)
    elif url is None:
        problems.append(f"$schema is missing: set it to {SERVER_SCHEMA_URL}")
    problems += schema_errors(document, SERVER_SCHEMA)
    if problems:
        return failed("\n".join(problems), file="server.json")
    return passed(f"schema {_date(SERVER_SCHEMA_URL)}")


@check(
    "MF226",
    "static",
    "server.json's name is README.md's `mcp-name:` marker and the image's name label",
    "the registry checks ownership: README.md (the PyPI description) needs a line "
    "`<!-- mcp-name: NAME -->` and the Dockerfile `LABEL io.modelcontextprotocol.server.name="
    '"NAME"`, NAME being server.json\'s name',
)
def registry_ownership(context: Context, server_json: Path) -> Outcome:
    document, unreadable = load_json(server_json)
    if unreadable is not None or not isinstance(document, dict):
        return failed(unreadable or "server.json does not hold an object", file="server.json")
    name = document.get("name")
    kinds = {package.get("registryType") for package in _packages(document)}
    problems = []
    readme = context.path("README.md")
    text = readme.read_text(encoding="utf-8") if readme.is_file() else ""
    markers = _MCP_NAME.findall(text)
    if "pypi" in kinds and name not in markers:
        found = ", ".join(markers) if markers else "no `mcp-name:` marker"
        problems.append(f"README.md: {found}; server.json's name is {name}")
    dockerfile = context.path("Dockerfile")
    if "oci" in kinds or dockerfile.is_file():
        text = dockerfile.read_text(encoding="utf-8") if dockerfile.is_file() else ""
        label = _NAME_LABEL.search(text)
        if label is None or label[1] != name:
            found = label[1] if label else "missing"
            problems.append(
                f"Dockerfile: label io.modelcontextprotocol.server.name is {found}; "
                f"server.json's name is {name}"
            )
    if problems:
        return failed("\n".join(problems), file="server.json")
    return passed(str(name))


def _packages(document: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    packages = document.get("packages")
    for package in packages if isinstance(packages, list) else []:
        if isinstance(package, dict):
            yield package


@check(
    "MF227",
    "static",
    "server.json, its packages and manifest.json carry pyproject.toml's name and version",
    "set the version of pyproject.toml everywhere it is repeated: server.json's `version`, "
    "each package's `version`, the image tag and bundle URL in `identifier`, and "
    "manifest.json's `version` (the release workflow checks the tag against them)",
)
def versions_agree(context: Context) -> Outcome:
    name, version = project_metadata(context.root)
    if version is None:
        return skipped("pyproject.toml declares no static [project] version to compare with")
    problems: list[str] = []
    found = []
    server_json = context.path("server.json")
    if server_json.is_file():
        found.append("server.json")
        document, unreadable = load_json(server_json)
        if unreadable is not None or not isinstance(document, dict):
            return failed(unreadable or "server.json does not hold an object", file="server.json")
        problems += _server_json_drift(document, name, version)
    manifest = context.path("manifest.json")
    if manifest.is_file():
        found.append("manifest.json")
        bundle, unreadable = load_json(manifest)
        if unreadable is not None or not isinstance(bundle, dict):
            return failed(unreadable or "manifest.json does not hold an object")
        if bundle.get("version") != version:
            problems.append(f"manifest.json: version is {bundle.get('version')}, not {version}")
    if not found:
        return skipped("no server.json or manifest.json in this project")
    if problems:
        return failed("\n".join(problems))
    return passed(f"{version} in {', '.join(found)}")


def _server_json_drift(document: Mapping[str, Any], name: str | None, version: str) -> list[str]:
    problems = []
    if document.get("version") != version:
        problems.append(f"server.json: version is {document.get('version')}, not {version}")
    for index, package in enumerate(_packages(document)):
        kind, identifier = package.get("registryType"), str(package.get("identifier", ""))
        where = f"server.json packages[{index}] ({kind})"
        if "version" in package and package["version"] != version:
            problems.append(f"{where}: version is {package['version']}, not {version}")
        if kind == "pypi" and name is not None and identifier != name:
            problems.append(f"{where}: identifier is {identifier}, the package is {name}")
        if kind == "oci" and not identifier.endswith(f":{version}"):
            problems.append(f"{where}: the image {identifier} is not tagged {version}")
        bundle = f"/v{version}/{name}-{version}.mcpb"
        if kind == "mcpb" and not identifier.endswith(bundle):
            problems.append(f"{where}: {identifier} does not end with {bundle}")
    return problems


# --- the MCP bundle ------------------------------------------------------------------------


@check(
    "MF228",
    "static",
    "manifest.json matches the MCP bundle schema of its manifest_version (offline, no Node)",
    "remove or rename the key named above (the bundle schema allows no other keys); "
    "https://github.com/modelcontextprotocol/mcpb/blob/main/MANIFEST.md lists every field",
)
def bundle_schema(context: Context, bundle_manifest: Path) -> Outcome:
    if not has_module("jsonschema"):
        return not_verified(_JSONSCHEMA)
    document, unreadable = load_json(bundle_manifest)
    if unreadable is not None or not isinstance(document, dict):
        return failed(unreadable or "manifest.json does not hold an object", file="manifest.json")
    version = document.get("manifest_version", document.get("dxt_version"))
    schema = MCPB_SCHEMAS.get(str(version))
    if schema is None:
        known = ", ".join(MCPB_SCHEMAS)
        message = f"manifest_version is {version!r}; mcpforge knows {known}"
        return failed(message, file="manifest.json")
    problems = schema_errors(document, schema)
    if problems:
        return failed("\n".join(problems), file="manifest.json")
    return passed(f"manifest_version {version}")


@check(
    "MF225",
    "static",
    "manifest.json is a valid MCP bundle manifest (mcpb validate, needs Node)",
    "fix the field named above (https://github.com/modelcontextprotocol/mcpb); "
    "`npx @anthropic-ai/mcpb validate manifest.json` checks it",
)
def mcp_bundle(context: Context, bundle_manifest: Path, mcpb_program: str) -> Outcome:
    del bundle_manifest  # mcpb validates it by name, from the project's folder
    result = context.run([mcpb_program, "validate", "manifest.json"], timeout=120)
    if result.returncode != 0:
        output = result.stdout + result.stderr
        return failed("\n".join(output.strip().splitlines()[-8:]), file="manifest.json")
    return passed("mcpb validate")

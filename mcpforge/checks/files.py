"""Reading a project's files for the static checks: no imports of its code, ever."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

SKIPPED_DIRS = frozenset(
    {
        ".git",
        ".venv",
        "venv",
        "node_modules",
        "dist",
        "build",
        "__pycache__",
        ".pytest_cache",
        ".ruff_cache",
        ".mypy_cache",
        ".tox",
        ".nox",
    }
)
COMPOSE_FILES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
ENV_EXAMPLES = (".env.example", ".env.sample", ".env.template")
_ENV_LINE = re.compile(r"^\s*(?:#\s*)?(?:export\s+)?(?P<name>[A-Z][A-Z0-9_]*)\s*=(?P<value>.*)$")


def project_files(root: Path, *suffixes: str) -> Iterator[Path]:
    """Files of the project (not its caches or virtualenvs), optionally by suffix."""
    for path in sorted(root.iterdir()):
        if path.is_dir():
            if path.name not in SKIPPED_DIRS and not path.name.endswith(".egg-info"):
                yield from project_files(path, *suffixes)
        elif not suffixes or path.name.endswith(suffixes):
            yield path


def load_yaml_documents(path: Path) -> list[Any]:
    """Every document of a YAML file (raises yaml.YAMLError or OSError)."""
    import yaml  # noqa: PLC0415

    return list(yaml.safe_load_all(path.read_text(encoding="utf-8")))


def compose_file(root: Path) -> Path | None:
    return next((root / name for name in COMPOSE_FILES if (root / name).is_file()), None)


# --- settings ---------------------------------------------------------------------------


def settings_env_names(source: str) -> set[str]:
    """Environment variables read by every `BaseSettings` subclass in a module's source.

    Field names are upper-cased (pydantic-settings is case-insensitive) and prefixed with
    a literal `env_prefix`; a literal `alias` / `validation_alias` replaces the name.
    """
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ClassDef) or not any(
            _name_of(base) == "BaseSettings" for base in node.bases
        ):
            continue
        prefix = _env_prefix(node)
        for statement in node.body:
            if not (
                isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)
            ):
                continue
            field = statement.target.id
            if field == "model_config" or _name_of(statement.annotation) == "ClassVar":
                continue
            alias = _alias(statement.value)
            names.add((alias or prefix + field).upper())
    return names


def _name_of(node: ast.expr) -> str:
    if isinstance(node, ast.Subscript):
        return _name_of(node.value)
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _env_prefix(node: ast.ClassDef) -> str:
    for statement in node.body:
        if (
            isinstance(statement, (ast.Assign, ast.AnnAssign))
            and isinstance(statement.value, ast.Call)
            and _name_of(statement.value.func) in {"SettingsConfigDict", "dict"}
        ):
            for keyword in statement.value.keywords:
                if keyword.arg == "env_prefix" and isinstance(keyword.value, ast.Constant):
                    return str(keyword.value.value)
    return ""


def _alias(value: ast.expr | None) -> str:
    if isinstance(value, ast.Call) and _name_of(value.func) == "Field":
        for keyword in value.keywords:
            if keyword.arg in {"alias", "validation_alias"} and isinstance(
                keyword.value, ast.Constant
            ):
                return str(keyword.value.value)
    return ""


def settings_modules(root: Path) -> list[Path]:
    """Python modules under src/ that define a pydantic-settings class."""
    source_root = root / "src" if (root / "src").is_dir() else root
    return [
        path
        for path in project_files(source_root, ".py")
        if "BaseSettings" in path.read_text(encoding="utf-8", errors="replace")
    ]


def env_file_entries(path: Path) -> dict[str, str]:
    """NAME -> value of a .env-style file; commented-out entries count as documented."""
    entries: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _ENV_LINE.match(line)
        if match:
            value = match["value"].strip()
            commented = line.lstrip().startswith("#")
            entries.setdefault(match["name"], "" if commented else value.strip("\"'"))
    return entries


# --- compose ----------------------------------------------------------------------------


def compose_problems(compose: dict[str, Any], root: Path) -> list[str]:
    """Cross-references a schema cannot see: services, volumes, networks, files."""
    problems: list[str] = []
    services = compose.get("services") or {}
    if not isinstance(services, dict):
        return ["`services` is not a mapping"]
    volumes = set((compose.get("volumes") or {}).keys())
    networks = set((compose.get("networks") or {}).keys()) | {"default"}
    for name, service in services.items():
        if not isinstance(service, dict):
            continue
        problems += _depends_on(name, service, services)
        for volume in service.get("volumes") or []:
            problems += _volume(name, volume, volumes, root)
        service_networks = service.get("networks") or []
        for network in service_networks:
            if network not in networks:
                problems.append(f"service {name} joins network {network!r}, not declared")
        problems += _env_files(name, service, root)
        build = service.get("build")
        context = build if isinstance(build, str) else (build or {}).get("context")
        if context and not (root / str(context)).is_dir():
            problems.append(f"service {name} builds from {context}, which does not exist")
    return problems


def _volume(name: str, volume: Any, declared: set[str], root: Path) -> list[str]:
    if isinstance(volume, dict):
        source, kind = str(volume.get("source") or ""), volume.get("type", "volume")
    else:
        parts = str(volume).split(":")
        if len(parts) < 2:
            return []  # an anonymous volume: nothing to declare
        source = parts[0]
        kind = "bind" if source.startswith((".", "/", "~", "$")) else "volume"
    if kind == "bind" and source.startswith(".") and not (root / source).exists():
        return [f"service {name} mounts {source}, which does not exist"]
    if kind == "volume" and source and source not in declared:
        return [f"service {name} uses volume {source!r}, not declared in `volumes`"]
    return []


def _depends_on(name: str, service: dict[str, Any], services: dict[str, Any]) -> list[str]:
    problems = []
    depends = service.get("depends_on") or {}
    items = depends.items() if isinstance(depends, dict) else ((item, {}) for item in depends)
    profiles = set(service.get("profiles") or [])
    for target, spec in items:
        if target not in services:
            problems.append(f"service {name} depends on {target!r}, which is not a service")
            continue
        target_profiles = set((services[target] or {}).get("profiles") or [])
        required = not isinstance(spec, dict) or spec.get("required", True)
        if target_profiles and not target_profiles & profiles and required:
            problems.append(
                f"service {name} depends on {target!r}, which only runs with profile "
                f"{'/'.join(sorted(target_profiles))}: add `required: false`"
            )
    return problems


def _env_files(name: str, service: dict[str, Any], root: Path) -> list[str]:
    entries = service.get("env_file") or []
    entries = [entries] if isinstance(entries, (str, dict)) else entries
    problems = []
    for entry in entries:
        path, required = (
            (entry.get("path"), entry.get("required", True))
            if isinstance(entry, dict)
            else (entry, True)
        )
        if required and path and not (root / str(path)).is_file():
            problems.append(
                f"service {name} reads env_file {path}, which does not exist "
                "(mark it `required: false`)"
            )
    return problems


# --- Kubernetes -------------------------------------------------------------------------


def kubernetes_manifests(root: Path) -> list[Path]:
    """YAML files holding Kubernetes objects; kustomizations and their patches excluded."""
    import yaml  # noqa: PLC0415

    manifests: list[Path] = []
    patches: set[Path] = set()
    for path in project_files(root, ".yaml", ".yml"):
        if path.relative_to(root).parts[0] in {".github", ".gitlab"} or path.name.startswith(
            (".copier", ".gitlab-ci", "compose", "docker-compose", ".pre-commit", ".yamllint")
        ):
            continue
        try:
            documents = [doc for doc in load_yaml_documents(path) if isinstance(doc, dict)]
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            continue  # MF2xx yamllint reports it
        if any(doc.get("kind") == "Kustomization" for doc in documents):
            for doc in documents:
                patches |= _patch_files(path.parent, doc)
            continue
        if any("apiVersion" in doc and "kind" in doc for doc in documents):
            manifests.append(path)
    return [path for path in manifests if path.resolve() not in patches]


def _patch_files(folder: Path, kustomization: dict[str, Any]) -> set[Path]:
    files: set[Path] = set()
    for key in ("patches", "patchesStrategicMerge", "patchesJson6902"):
        for entry in kustomization.get(key) or []:
            name = entry.get("path") if isinstance(entry, dict) else entry
            if isinstance(name, str) and "\n" not in name:
                files.add((folder / name).resolve())
    return files


# --- nginx ------------------------------------------------------------------------------

_UPSTREAM_SERVER = re.compile(r"(?m)(?:^|[{;])(\s*server\s+)([A-Za-z_][\w.-]*)(:\d+)?")
_PROXY_HOST = re.compile(r"(proxy_pass\s+https?://)([A-Za-z_][\w.-]*)(?=[:/;])")
_USER = re.compile(r"(?m)^\s*user\s+[^;]+;")
_PID = re.compile(r"(?m)^\s*pid\s+[^;]+;")


def nginx_configs(root: Path) -> list[Path]:
    """nginx configuration files: *.conf (or nginx templates) with server/upstream blocks."""
    found = []
    for path in project_files(root, ".conf", ".conf.template"):
        text = path.read_text(encoding="utf-8", errors="replace")
        if re.search(r"\b(server|upstream|http)\s*\{", text):
            found.append(path)
    return found


def upstream_names(text: str) -> set[str]:
    """Host names in `upstream` blocks and `proxy_pass` URLs (compose service names)."""
    names = set()
    for block in re.finditer(r"upstream\s+[\w.-]+\s*\{(?P<body>[^}]*)\}", text):
        names |= {match[2] for match in _UPSTREAM_SERVER.finditer(block["body"])}
    names |= {match[2] for match in _PROXY_HOST.finditer(text)}
    upstreams = set(re.findall(r"upstream\s+([\w.-]+)\s*\{", text))
    return {name for name in names - upstreams if name not in {"localhost", "unix"}}


def nginx_testable(text: str) -> str:
    """The config with upstream hosts pointed at 127.0.0.1, and no `user`/`pid` lines.

    `nginx -t` resolves every upstream host; compose service names only resolve inside
    compose, so the copy under test points them at the loopback address instead.
    """
    hosts = upstream_names(text)
    for host in sorted(hosts, key=len, reverse=True):
        text = re.sub(rf"(?<![\w.-]){re.escape(host)}(?=[:;/\s])", "127.0.0.1", text)
    return _PID.sub("", _USER.sub("", text))


def is_main_config(text: str) -> bool:
    """A full nginx.conf (with `events`/`http`), not a conf.d snippet."""
    return re.search(r"(?m)^\s*(events|http)\s*\{", text) is not None

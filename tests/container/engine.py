"""A real container engine for mcpforge's tests: rootful podman, offline, with local stand-ins.

No registry is reachable here, so every image a generated Dockerfile or compose.yaml names
(`python:3.11-slim-bookworm`, `ghcr.io/astral-sh/uv:0.13.9`, `postgres:17-alpine`, ...) is
built locally under the same name: a Debian bookworm root made by debootstrap (from the
Debian mirror), the machine's own CPython copied into /usr/local for the Python images,
the uv binary of PyPI's wheel for the uv image, Debian's nginx, PostgreSQL and Redis with
the official images' entry points, environment variables, ports and health commands.

The engine is Debian's podman 4.3 set up through `CONTAINERS_CONF` and
`CONTAINERS_STORAGE_CONF` (never the machine's own /etc/containers): vfs storage, runc,
cgroupfs, file events and locks, lowered ulimits, netavark networks, all in folders of
ours. Builds get their Python packages offline from a uv cache filled on the host and
mounted at /uvhost (the Python stand-in's /etc/uv/uv.toml points uv there): the
Dockerfile's own `--mount=type=cache,target=/root/.cache/uv` would hide it at uv's usual
path.

Stand-ins are built once per machine: the debootstrap roots are cached as tarballs under
$MCPFORGE_STANDIN_CACHE (/var/cache/mcpforge-standins) and the images stay in the storage,
each labelled with the hash of its recipe, so a changed recipe rebuilds only what changed.

For people (as root), from the repository root:

    python3 tests/container/engine.py install              # Debian packages (as .ci/run)
    uv run python tests/container/engine.py standins DIR   # stand-ins for DIR's images
    eval "$(uv run python tests/container/engine.py env)"  # then podman uses this engine
    uv run python tests/container/engine.py prune          # containers, projects' images
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(os.environ.get("MCPFORGE_PODMAN_ROOT", "/var/lib/mcpforge-podman"))
RUN_ROOT = Path(os.environ.get("MCPFORGE_PODMAN_RUNROOT", "/run/mcpforge-podman"))
CACHE = Path(os.environ.get("MCPFORGE_STANDIN_CACHE", "/var/cache/mcpforge-standins"))
MIRROR = os.environ.get("MCPFORGE_DEBIAN_MIRROR", "http://deb.debian.org/debian")
SUITE = "bookworm"
LABEL = "mcpforge.standin"
# Bump when a recipe changes in a way its inputs below do not show.
RECIPE_VERSION = "1"

# Debian packages of the engine, and a file each installs (how .ci/run knows it is there).
APT_PACKAGES = {
    "podman": "/usr/bin/podman",
    "runc": "/usr/sbin/runc",
    "debootstrap": "/usr/sbin/debootstrap",
    "uidmap": "/usr/bin/newuidmap",
    "netavark": "/usr/lib/podman/netavark",
    "aardvark-dns": "/usr/lib/podman/aardvark-dns",
    "iptables": "/usr/sbin/iptables",
}
PODMAN_COMPOSE = "podman-compose==1.6.0"

# What python:X.Y-slim carries besides CPython (FACTS.md, "Containers").
PYTHON_LIBS = (
    "ca-certificates",
    "libssl3",
    "libsqlite3-0",
    "libffi8",
    "zlib1g",
    "libbz2-1.0",
    "liblzma5",
    "libreadline8",
    "libncursesw6",
    "tzdata",
    "netbase",
)
SERVICE_PACKAGES = ("nginx", "wget", "postgresql", "redis-server", "redis-tools", "gosu")
PATH_VALUE = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

POSTGRES_ENTRYPOINT = r"""#!/bin/sh
# Stand-in for the official postgres image's entry point: the first start initialises
# $PGDATA from POSTGRES_PASSWORD / POSTGRES_USER / POSTGRES_DB, every start runs postgres
# as the postgres user, listening on every address.
set -eu
if [ "${1#-}" != "$1" ]; then set -- postgres "$@"; fi
if [ "$1" = postgres ] && [ "$(id -u)" = 0 ]; then
    mkdir -p "$PGDATA" /var/run/postgresql
    chown -R postgres:postgres "$PGDATA" /var/run/postgresql
    chmod 700 "$PGDATA"
    exec gosu postgres "$0" "$@"
fi
if [ "$1" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
    : "${POSTGRES_PASSWORD:?Database is uninitialized and superuser password is not specified.}"
    user="${POSTGRES_USER:-postgres}"
    db="${POSTGRES_DB:-$user}"
    pwfile="$(mktemp)"
    printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
    initdb --username="$user" --pwfile="$pwfile" --auth-local=trust \
        --auth-host=scram-sha-256 -D "$PGDATA" >/dev/null
    rm -f "$pwfile"
    echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
    echo "listen_addresses = '*'" >> "$PGDATA/postgresql.conf"
    if [ "$db" != postgres ]; then
        echo "CREATE DATABASE \"$db\" OWNER \"$user\";" \
            | postgres --single -j -D "$PGDATA" postgres >/dev/null
    fi
    echo "PostgreSQL init process complete; ready for start up."
fi
exec "$@"
"""

REDIS_ENTRYPOINT = r"""#!/bin/sh
# Stand-in for the official redis image's entry point: protected mode off (the official
# build's default), run as the redis user in /data.
set -eu
if [ "${1#-}" != "$1" ] || [ "${1%.conf}" != "$1" ]; then set -- redis-server "$@"; fi
if [ "$1" = redis-server ]; then
    shift
    case "${1:-}" in
        *.conf) conf="$1"; shift; set -- redis-server "$conf" --protected-mode no "$@" ;;
        *) set -- redis-server --protected-mode no "$@" ;;
    esac
    if [ "$(id -u)" = 0 ]; then
        mkdir -p /data && chown redis:redis /data
        exec gosu redis "$@"
    fi
fi
exec "$@"
"""

NGINX_ENTRYPOINT = r"""#!/bin/sh
# Stand-in for the official nginx image's entry point.
set -eu
exec "$@"
"""


class EngineError(RuntimeError):
    """The engine cannot be set up or used here; the message says why."""


# ---------------------------------------------------------------------------------------
# Configuration and commands


def uv_cache() -> Path:
    """The host's uv cache: filled on the host, mounted at /uvhost in every container."""
    return Path(os.environ.get("UV_CACHE_DIR") or Path.home() / ".cache" / "uv")


def configure() -> dict[str, str]:
    """Write our containers.conf and storage.conf; the environment variables that select them.

    Every container, build steps included, gets the host's uv cache at /uvhost, so a plain
    `podman build .` (the README's, compose's, `mcpforge check --container`'s) installs
    offline. BUILDAH_FORMAT=docker keeps HEALTHCHECK (podman's default OCI format drops it).
    """
    conf = ROOT / "conf"
    conf.mkdir(parents=True, exist_ok=True)
    (ROOT / "networks").mkdir(exist_ok=True)
    storage = conf / "storage.conf"
    containers = conf / "containers.conf"
    _write_if_changed(
        storage,
        "[storage]\n"
        'driver = "vfs"\n'
        f'graphroot = "{ROOT / "storage"}"\n'
        f'runroot = "{RUN_ROOT / "storage"}"\n',
    )
    _write_if_changed(
        containers,
        "[containers]\n"
        f'volumes = ["{uv_cache()}:/uvhost"]\n'
        'default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]\n'
        "[network]\n"
        'network_backend = "netavark"\n'
        f'network_config_dir = "{ROOT / "networks"}"\n'
        "[engine]\n"
        'runtime = "runc"\n'
        'cgroup_manager = "cgroupfs"\n'
        'events_logger = "file"\n'
        f'events_logfile_path = "{ROOT / "events.log"}"\n'
        f'tmp_dir = "{RUN_ROOT / "libpod"}"\n'
        f'volume_path = "{ROOT / "volumes"}"\n'
        # Our own lock files: another podman on this machine keeps the shared-memory locks.
        'lock_type = "file"\n',
    )
    return {
        "CONTAINERS_CONF": str(containers),
        "CONTAINERS_STORAGE_CONF": str(storage),
        "BUILDAH_FORMAT": "docker",
    }


def _write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text(encoding="utf-8") != text:
        path.write_text(text, encoding="utf-8")


def environment(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The process environment with our engine selected (podman, podman-compose, mcpforge)."""
    return {**(os.environ if base is None else base), **configure()}


def podman(
    *args: str,
    check: bool = True,
    timeout: float = 600,
    stdin: bytes | None = None,
    capture: bool = True,
) -> subprocess.CompletedProcess[str]:
    """Run podman with our configuration; a failure raises with its output."""
    result = subprocess.run(
        ["podman", *args],
        env=environment(),
        input=stdin.decode() if stdin is not None else None,
        capture_output=capture,
        text=True,
        timeout=timeout,
        check=False,
    )
    if check and result.returncode != 0:
        raise EngineError(
            f"podman {' '.join(args[:3])} exited {result.returncode}: "
            f"{(result.stderr or result.stdout or '').strip()[-2000:]}"
        )
    return result


def unavailable() -> str | None:
    """Why the engine cannot run here, or None when podman answers with our configuration."""
    if sys.platform != "linux":
        return "the container tests need Linux (rootful podman)"
    if os.geteuid() != 0:
        return "the container tests run rootful podman: run them as root (CI does)"
    missing = missing_packages()
    if missing:
        return (
            f"not installed: {' '.join(missing)} (as root: "
            "`python3 tests/container/engine.py install`)"
        )
    try:
        podman("info", "--format", "{{.Version.Version}}", timeout=60)
    except (EngineError, subprocess.TimeoutExpired) as error:
        return f"podman does not answer: {str(error)[:300]}"
    return None


def missing_packages() -> list[str]:
    """The engine's Debian packages that are not installed."""
    return [package for package, path in APT_PACKAGES.items() if not Path(path).exists()]


def install() -> None:
    """Install the engine on Debian as root (.ci/run installs `missing-packages` itself)."""
    missing = missing_packages()
    if missing:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
            check=True,
            env=env,
        )


# ---------------------------------------------------------------------------------------
# Which images a project names


@dataclass(frozen=True)
class Named:
    """An image a project's files name and the stand-in kind that replaces it."""

    reference: str
    kind: str  # python, uv, nginx, postgres, redis
    version: str = ""


def canonical(reference: str) -> str:
    """docker.io/library/python:3.11-slim for python:3.11-slim, as the engine names it."""
    name = reference if ":" in reference.rsplit("/", 1)[-1] else reference + ":latest"
    first = name.split("/", 1)[0]
    if "/" not in name:
        return f"docker.io/library/{name}"
    if "." not in first and ":" not in first and first != "localhost":
        return f"docker.io/{name}"
    return name


def _dockerfile_images(dockerfile: Path) -> list[str]:
    """Images a Dockerfile's FROM and COPY --from lines name (not its own stages)."""
    references: list[str] = []
    stages: set[str] = set()
    for line in dockerfile.read_text(encoding="utf-8").splitlines():
        match = re.match(r"\s*FROM\s+(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?", line, re.I)
        if match:
            if match.group(1).lower() not in stages:
                references.append(match.group(1))
            if match.group(2):
                stages.add(match.group(2).lower())
        if line.lstrip().upper().startswith("COPY"):
            references += [
                ref for ref in re.findall(r"--from=(\S+)", line) if ref.lower() not in stages
            ]
    return references


def _compose_images(compose: Path) -> list[str]:
    """Images compose.yaml runs without building them."""
    import yaml

    services = (yaml.safe_load(compose.read_text(encoding="utf-8")) or {}).get("services", {})
    return [
        str(service["image"])
        for service in services.values()
        if isinstance(service, dict) and "image" in service and "build" not in service
    ]


def images_named(project: Path) -> list[Named]:
    """Every external image the project's Dockerfile and compose.yaml name."""
    references: list[str] = []
    if (project / "Dockerfile").is_file():
        references += _dockerfile_images(project / "Dockerfile")
    if (project / "compose.yaml").is_file():
        references += _compose_images(project / "compose.yaml")
    named: list[Named] = []
    for reference in dict.fromkeys(references):
        repository, _, tag = canonical(reference).rpartition(":")
        base = repository.rsplit("/", 1)[-1]
        if base == "python":
            match = re.match(r"(\d+\.\d+)", tag)
            if not match:
                raise EngineError(f"no stand-in for {reference}: the tag names no Python X.Y")
            named.append(Named(reference, "python", match.group(1)))
        elif repository.endswith("astral-sh/uv"):
            named.append(Named(reference, "uv", tag.split("-")[0]))
        elif base in {"nginx", "postgres", "redis"}:
            named.append(Named(reference, base, tag))
        else:
            raise EngineError(f"no stand-in recipe for {reference}")
    return named


# ---------------------------------------------------------------------------------------
# Stand-ins


SERVICES = frozenset({"nginx", "postgres", "redis"})
_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _lock(key: str) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(key, threading.Lock())


def ensure_standins(project: Path, kinds: frozenset[str] | None = None) -> list[str]:
    """Build (or find cached) a stand-in for every image the project names; their names.

    `kinds` limits it to some (python, uv, nginx, postgres, redis). Thread-safe: each
    image and each debootstrap root is built once even when asked from two threads.
    """
    configure()
    made: list[str] = []
    for item in images_named(project):
        if kinds is not None and item.kind not in kinds:
            continue
        with _lock(canonical(item.reference)):
            recipe = _recipe(item)
            digest = hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:16]
            if _label(item.reference) != digest:
                _build_standin(item, recipe, digest)
        made.append(canonical(item.reference))
    return made


def prepare_services(project: Path) -> threading.Thread:
    """Start building the compose services' stand-ins in a thread (a fresh machine: minutes).

    Whoever needs them later calls `ensure_standins`, which waits for this build or, if it
    failed, builds again and reports the error.
    """

    def build() -> None:
        with contextlib.suppress(Exception):
            ensure_standins(project, SERVICES)

    thread = threading.Thread(target=build, name="standins", daemon=True)
    thread.start()
    return thread


def _label(reference: str) -> str:
    result = podman(
        "image",
        "inspect",
        "--format",
        '{{index .Config.Labels "' + LABEL + '"}}',
        reference,
        check=False,
    )
    return result.stdout.strip() if result.returncode == 0 else ""


def _python_prefix(version: str) -> Path:
    """The machine's CPython X.Y installation (pyenv's, or any uv can find)."""
    found = subprocess.run(
        ["uv", "python", "find", "--no-python-downloads", version],
        capture_output=True,
        text=True,
        check=False,
    )
    if found.returncode != 0:
        raise EngineError(f"no CPython {version} on this machine for python:{version}-slim")
    executable = Path(found.stdout.strip())
    prefix = subprocess.run(
        [str(executable), "-c", "import sys; print(sys.base_prefix)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return Path(prefix)


def _full_version(prefix: Path, version: str) -> str:
    return subprocess.run(
        [
            str(prefix / "bin" / f"python{version}"),
            "-c",
            "import platform; print(platform.python_version())",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def _recipe(item: Named) -> dict[str, object]:
    common: dict[str, object] = {"v": RECIPE_VERSION, "kind": item.kind, "suite": SUITE}
    if item.kind == "python":
        prefix = _python_prefix(item.version)
        return {
            **common,
            "base": _base_recipe(PYTHON_LIBS),
            "python": str(prefix),
            "full": _full_version(prefix, item.version),
            "uv_toml": _UV_TOML,
        }
    if item.kind == "uv":
        return {**common, "uv": item.version}
    return {
        **common,
        "base": _base_recipe(PYTHON_LIBS + SERVICE_PACKAGES),
        "entrypoint": _ENTRYPOINTS[item.kind],
        "changes": _SERVICE_CHANGES[item.kind],
    }


_UV_TOML = 'offline = true\ncache-dir = "/uvhost"\n'

_ENTRYPOINTS = {
    "postgres": POSTGRES_ENTRYPOINT,
    "redis": REDIS_ENTRYPOINT,
    "nginx": NGINX_ENTRYPOINT,
}

_SERVICE_CHANGES: dict[str, list[str]] = {
    "postgres": [
        "ENV PATH=/usr/lib/postgresql/15/bin:" + PATH_VALUE,
        "ENV PGDATA=/var/lib/postgresql/data",
        "ENV LANG=C.UTF-8",
        "VOLUME /var/lib/postgresql/data",
        "EXPOSE 5432",
        "STOPSIGNAL SIGINT",
        'ENTRYPOINT ["docker-entrypoint.sh"]',
        'CMD ["postgres"]',
    ],
    "redis": [
        "ENV PATH=" + PATH_VALUE,
        "VOLUME /data",
        "WORKDIR /data",
        "EXPOSE 6379",
        'ENTRYPOINT ["docker-entrypoint.sh"]',
        'CMD ["redis-server"]',
    ],
    "nginx": [
        "ENV PATH=" + PATH_VALUE,
        "EXPOSE 80",
        "STOPSIGNAL SIGQUIT",
        'ENTRYPOINT ["/docker-entrypoint.sh"]',
        'CMD ["nginx", "-g", "daemon off;"]',
    ],
}


def _base_recipe(packages: Sequence[str]) -> dict[str, object]:
    return {"suite": SUITE, "variant": "minbase", "include": sorted(packages), "mirror": MIRROR}


def _base_root(packages: Sequence[str]) -> Path:
    """A tarball of a debootstrap root with these packages, built once per machine."""
    recipe = _base_recipe(packages)
    digest = hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:16]
    tarball = CACHE / f"debootstrap-{SUITE}-{digest}.tar"
    with _lock(str(tarball)):
        if tarball.is_file():
            return tarball
        CACHE.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=CACHE, prefix="root-") as work:
            root = Path(work) / "root"
            started = time.monotonic()
            _run(
                [
                    "debootstrap",
                    "--variant=minbase",
                    "--include=" + ",".join(sorted(packages)),
                    SUITE,
                    str(root),
                    MIRROR,
                ],
                "debootstrap",
            )
            # apt lists, caches and docs: not part of a slim image.
            for junk in (
                "var/cache/apt/archives",
                "var/lib/apt/lists",
                "usr/share/doc",
                "usr/share/man",
            ):
                shutil.rmtree(root / junk, ignore_errors=True)
                (root / junk).mkdir(parents=True, exist_ok=True)
            partial = tarball.with_suffix(".partial")
            _run(["tar", "-C", str(root), "-cf", str(partial), "."], "tar")
            partial.rename(tarball)
            print(
                f"debootstrap root {tarball.name}: {time.monotonic() - started:.0f} s",
                file=sys.stderr,
            )
    return tarball


def _run(argv: Sequence[str], what: str, **kwargs: object) -> None:
    result = subprocess.run(list(argv), capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload]
    if result.returncode != 0:
        raise EngineError(
            f"{what} exited {result.returncode}: {(result.stderr or result.stdout)[-2000:]}"
        )


@contextlib.contextmanager
def _unpacked(tarball: Path) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(dir=CACHE, prefix="image-") as work:
        root = Path(work) / "root"
        root.mkdir()
        _run(["tar", "-C", str(root), "-xf", str(tarball)], "tar")
        yield root


def _import(root: Path, reference: str, changes: Sequence[str], digest: str) -> None:
    argv = ["import"]
    for change in [*changes, f"LABEL {LABEL}={digest}"]:
        argv += ["--change", change]
    tar = subprocess.Popen(["tar", "-C", str(root), "-c", "."], stdout=subprocess.PIPE)
    result = subprocess.run(
        ["podman", *argv, "-", canonical(reference)],
        stdin=tar.stdout,
        env=environment(),
        capture_output=True,
        text=True,
        check=False,
    )
    tar.wait()
    if result.returncode != 0 or tar.returncode != 0:
        raise EngineError(f"podman import of {reference} failed: {result.stderr.strip()[-1000:]}")


def _build_standin(item: Named, recipe: Mapping[str, object], digest: str) -> None:
    started = time.monotonic()
    if item.kind == "python":
        _build_python(item, recipe, digest)
    elif item.kind == "uv":
        _build_uv(item, digest)
    else:
        _build_service(item, digest)
    print(f"stand-in {item.reference}: {time.monotonic() - started:.0f} s", file=sys.stderr)


def _build_python(item: Named, recipe: Mapping[str, object], digest: str) -> None:
    prefix = Path(str(recipe["python"]))
    version = item.version
    with _unpacked(_base_root(PYTHON_LIBS)) as root:
        local = root / "usr" / "local"
        stdlib = f"lib/python{version}"
        excludes = [
            f"./{stdlib}/site-packages",
            f"./{stdlib}/test",
            f"./{stdlib}/idlelib",
            f"./{stdlib}/tkinter",
            f"./{stdlib}/turtledemo",
            f"./{stdlib}/lib2to3/tests",
            f"./{stdlib}/config-{version}-*/*.a",
            "./lib/*.a",
            "./bin",
            "./share",
        ]
        tar = ["tar", "-C", str(prefix), "-c"] + [f"--exclude={e}" for e in excludes] + ["."]
        producer = subprocess.Popen(tar, stdout=subprocess.PIPE)
        _run(["tar", "-C", str(local), "-x"], "tar", stdin=producer.stdout)
        producer.wait()
        site = local / stdlib / "site-packages"
        site.mkdir(parents=True, exist_ok=True)
        for entry in (prefix / stdlib / "site-packages").iterdir():
            if re.match(r"(pip|setuptools)(-[\d.]+\.dist-info)?$", entry.name):
                shutil.copytree(entry, site / entry.name, symlinks=True)
        bin_dir = local / "bin"
        bin_dir.mkdir(exist_ok=True)
        shutil.copy2(prefix / "bin" / f"python{version}", bin_dir / f"python{version}")
        for alias in ("python3", "python"):
            (bin_dir / alias).symlink_to(f"python{version}")
        (bin_dir / "pip").write_text(
            "#!/usr/local/bin/python3\nimport sys\nfrom pip._internal.cli.main import main\n"
            "sys.exit(main())\n",
            encoding="utf-8",
        )
        (bin_dir / "pip").chmod(0o755)
        (root / "etc" / "uv").mkdir(parents=True, exist_ok=True)
        (root / "etc" / "uv" / "uv.toml").write_text(_UV_TOML, encoding="utf-8")
        (root / "etc" / "ld.so.conf.d" / "usr-local.conf").write_text(
            "/usr/local/lib\n", encoding="utf-8"
        )
        _run(["chroot", str(root), "/sbin/ldconfig"], "ldconfig")
        _run(
            [
                "chroot",
                str(root),
                "/usr/local/bin/python3",
                "-c",
                "import ssl, sqlite3, ctypes, zlib, bz2, lzma",
            ],
            "python check",
        )
        changes = [
            "ENV PATH=" + PATH_VALUE,
            "ENV LANG=C.UTF-8",
            f"ENV PYTHON_VERSION={recipe['full']}",
            'CMD ["python3"]',
        ]
        _import(root, item.reference, changes, digest)


def _build_uv(item: Named, digest: str) -> None:
    with tempfile.TemporaryDirectory(dir=_cache_dir(), prefix="uv-") as work:
        folder = Path(work)
        # The wheel of PyPI's uv (its scripts hold the uv and uvx binaries).
        _run(
            [
                "uv",
                "pip",
                "install",
                "--quiet",
                "--no-deps",
                "--only-binary=:all:",
                "--python-platform",
                "x86_64-manylinux_2_17",
                "--target",
                str(folder / "wheel"),
                f"uv=={item.version}",
            ],
            f"uv pip install uv=={item.version}",
        )
        root = folder / "root"
        root.mkdir()
        for name in ("uv", "uvx"):
            found = next((folder / "wheel").rglob(f"bin/{name}"), None)
            if found is None:
                raise EngineError(f"no {name} binary in the uv=={item.version} wheel")
            shutil.copy2(found, root / name)
            (root / name).chmod(0o755)
        _import(root, item.reference, ['ENTRYPOINT ["/uv"]'], digest)


def _cache_dir() -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    return CACHE


def _build_service(item: Named, digest: str) -> None:
    with _unpacked(_base_root(PYTHON_LIBS + SERVICE_PACKAGES)) as root:
        if item.kind == "nginx":
            script = root / "docker-entrypoint.sh"
        else:
            script = root / "usr" / "local" / "bin" / "docker-entrypoint.sh"
        script.write_text(_ENTRYPOINTS[item.kind], encoding="utf-8")
        script.chmod(0o755)
        # Debian's packages made a cluster and a default site of their own: not in the images.
        shutil.rmtree(root / "var/lib/postgresql/15", ignore_errors=True)
        shutil.rmtree(root / "etc/postgresql/15", ignore_errors=True)
        for folder in ("var/lib/postgresql/data", "data"):
            (root / folder).mkdir(parents=True, exist_ok=True)
        _import(root, item.reference, _SERVICE_CHANGES[item.kind], digest)


# ---------------------------------------------------------------------------------------
# Builds, health, clean-up


def fill_uv_cache(project: Path, cache: Path) -> None:
    """Put every package the image's `uv sync` needs into a host uv cache (with the network)."""
    with tempfile.TemporaryDirectory(prefix="uvfill-") as work:
        copy = Path(shutil.copytree(project, Path(work) / project.name, symlinks=True))
        shutil.rmtree(copy / ".venv", ignore_errors=True)
        env = {**os.environ, "UV_CACHE_DIR": str(cache), "UV_PYTHON_DOWNLOADS": "never"}
        env.pop("VIRTUAL_ENV", None)
        _run(
            ["uv", "sync", "--no-dev", "--no-editable"],
            "uv sync (filling the cache)",
            cwd=copy,
            env=env,
        )


def health(container: str) -> str:
    """Run the container's HEALTHCHECK once (no systemd timers here) and return its status."""
    podman("healthcheck", "run", container, check=False, timeout=60)
    result = podman("inspect", "--format", "{{.State.Health.Status}}", container, check=False)
    return result.stdout.strip()


def wait_healthy(containers: Sequence[str], timeout: float = 180, interval: float = 1.0) -> float:
    """Seconds until every container reports healthy; raises with their logs on timeout."""
    started = time.monotonic()
    pending = list(containers)
    while pending:
        pending = [name for name in pending if health(name) != "healthy"]
        if not pending:
            break
        if time.monotonic() - started > timeout:
            logs = {name: podman("logs", "--tail", "30", name, check=False) for name in pending}
            raise EngineError(
                f"not healthy after {timeout:.0f} s: {', '.join(pending)}\n"
                + "\n".join(f"--- {n}\n{r.stdout}{r.stderr}" for n, r in logs.items())
            )
        time.sleep(interval)
    return time.monotonic() - started


class HealthDriver:
    """Runs every running container's HEALTHCHECK each `interval` seconds in a thread.

    Podman schedules health checks with systemd timers; without systemd (this machine, most
    CI containers) nothing runs them, so `depends_on: service_healthy` and restart policies
    would never see a status. This plays the timer's part while a test runs.
    """

    def __init__(self, interval: float = 2.0) -> None:
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def __enter__(self) -> HealthDriver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            listed = podman("ps", "--format", "{{.Names}}", check=False, timeout=60)
            for name in listed.stdout.split():
                with contextlib.suppress(Exception):
                    podman("healthcheck", "run", name, check=False, timeout=60)


def standin_images() -> set[str]:
    """IDs of the stand-in images in our storage: the only ones named after a registry.

    (Their label is no mark: images built FROM a stand-in inherit it.)
    """
    listed = podman("images", "--format", "{{.ID}} {{.Repository}}", check=False)
    return {
        fields[0]
        for fields in (line.split() for line in listed.stdout.splitlines())
        if len(fields) == 2 and not fields[1].startswith(("localhost/", "<none>"))
    }


def remove_leftovers() -> None:
    """Remove every container, pod, network and volume: what a run killed half-way leaves
    (a database volume initialised with another run's password fails the next one)."""
    podman("rm", "-a", "-f", "-t", "0", check=False, timeout=300)
    podman("pod", "rm", "-a", "-f", check=False, timeout=300)
    podman("network", "prune", "-f", check=False)
    podman("volume", "prune", "-f", check=False)


def prune() -> None:
    """Remove every container, pod, network, volume and image except the stand-ins."""
    remove_leftovers()
    keep = standin_images()
    listed = podman("images", "-a", "--format", "{{.ID}}", check=False)
    doomed = sorted({image for image in listed.stdout.split() if image not in keep})
    if doomed:
        podman("rmi", "-f", *doomed, check=False, timeout=600)
    podman("image", "prune", "-f", check=False, timeout=600)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("install", help="apt-get the engine (Debian, root)")
    sub.add_parser("missing-packages", help="print the engine's Debian packages not installed")
    sub.add_parser("env", help="print the export lines selecting this engine")
    standins = sub.add_parser("standins", help="build stand-ins for the images a project names")
    standins.add_argument("project", type=Path)
    sub.add_parser("prune", help="remove containers, volumes and all but the stand-in images")
    args = parser.parse_args(argv)
    try:
        if args.command == "install":
            install()
        elif args.command == "missing-packages":
            print(" ".join(missing_packages()))
        elif args.command == "env":
            for key, value in configure().items():
                print(f"export {key}={shlex.quote(value)}")
        elif args.command == "standins":
            for name in ensure_standins(args.project):
                print(name)
        elif args.command == "prune":
            prune()
    except EngineError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

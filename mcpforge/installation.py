"""Where this mcpforge was installed from, and the command that adds its `check` extra there.

`mcpforge check` names that command when a validator is missing. It must work from where
mcpforge actually is: `pip install 'mcpforge[check]'` from the package index cannot work
for an mcpforge installed from a clone (or before a release), and pip cannot add packages
to a pipx or uv tool environment. The installer's own records tell: PEP 610's
`direct_url.json` (a folder, editable or not, a wheel, a VCS URL, or nothing: the index),
uv tool's `uv-receipt.toml`, pipx's `pipx_metadata.json`, uv's key in `pyvenv.cfg`.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import shlex
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlparse

from mcpforge._version import __version__

EXTRA = "check"


@dataclass(frozen=True)
class Source:
    """How the running mcpforge was installed (read from its environment's records)."""

    url: str | None = None  # PEP 610 direct URL; None: from a package index
    editable: bool = False
    archive: bool = False  # a wheel or sdist file, or a VCS URL
    prefix: Path = Path(sys.prefix)
    python: str = sys.executable

    @property
    def folder(self) -> Path | None:
        """The local folder (a clone) it was installed from, if any."""
        if self.url is None or self.archive or not self.url.startswith("file:"):
            return None
        return Path(unquote(urlparse(self.url).path))

    @property
    def installer(self) -> str:
        """uv-tool, pipx, uvx (a throwaway environment of uv's) or pip."""
        if (self.prefix / "uv-receipt.toml").is_file():
            return "uv-tool"
        if (self.prefix / "pipx_metadata.json").is_file():
            return "pipx"
        if "archive-v0" in self.prefix.parts:
            return "uvx"
        return "pip"

    @property
    def uv_venv(self) -> bool:
        """The environment was made by uv (`uv venv`, `uv sync`): it may have no pip."""
        config = self.prefix / "pyvenv.cfg"
        try:
            lines = config.read_text(encoding="utf-8").splitlines()
        except OSError:
            return False
        return any(line.split("=", 1)[0].strip() == "uv" for line in lines)


def current_source() -> Source:
    """The running mcpforge's Source."""
    try:
        distribution = importlib.metadata.distribution("mcpforge")
        recorded = distribution.read_text("direct_url.json")
    except importlib.metadata.PackageNotFoundError:  # run from a source tree, not installed
        return Source(url=Path(__file__).resolve().parent.parent.as_uri(), editable=True)
    if not recorded:
        return Source()
    try:
        data = json.loads(recorded)
    except ValueError:
        return Source()
    url = str(data.get("url", "")) or None
    editable = bool((data.get("dir_info") or {}).get("editable"))
    archive = "archive_info" in data or "vcs_info" in data
    return Source(url=url, editable=editable, archive=archive)


def extra_packages() -> list[str]:
    """The requirements of the `check` extra, as pip and pipx take them."""
    try:
        requires = importlib.metadata.distribution("mcpforge").requires or []
    except importlib.metadata.PackageNotFoundError:
        return []
    marker = f"extra == '{EXTRA}'"
    return [item.split(";", 1)[0].strip() for item in requires if marker in item]


def install_command(source: Source, packages: list[str] | None = None) -> str:
    """The command that adds the `check` extra to the mcpforge described by `source`."""
    spec = _spec(source)
    if source.installer == "uv-tool":
        return f"uv tool install --reinstall {shlex.quote(spec)}"
    if source.installer == "pipx":
        wanted = packages if packages is not None else extra_packages()
        return "pipx inject mcpforge " + " ".join(shlex.quote(item) for item in wanted)
    if source.installer == "uvx":
        return f"uvx --from {shlex.quote(spec)} mcpforge check"
    folder = source.folder
    if source.editable and folder is not None:
        if source.uv_venv and source.prefix == folder / ".venv":
            return f"uv sync --project {shlex.quote(str(folder))} --extra {EXTRA}"
        return f"{_pip(source)} -e {shlex.quote(f'{folder}[{EXTRA}]')}"
    return f"{_pip(source)} {shlex.quote(spec)}"


def _spec(source: Source) -> str:
    """The requirement that installs this mcpforge with the extra, from where it came."""
    folder = source.folder
    if folder is not None:
        return f"{folder}[{EXTRA}]"
    if source.url is not None:
        return f"mcpforge[{EXTRA}] @ {source.url}"
    return f"mcpforge[{EXTRA}]=={__version__}"


def _pip(source: Source) -> str:
    """pip of mcpforge's interpreter; uv's pip where that environment has none."""
    python = shlex.quote(source.python)
    if source.uv_venv and not _has_pip(source):
        return f"uv pip install --python {python}"
    return f"{python} -m pip install"


def _has_pip(source: Source) -> bool:
    if source.python == sys.executable:
        return importlib.util.find_spec("pip") is not None
    return any(source.prefix.glob("lib/python*/site-packages/pip"))


@cache
def check_extra_command() -> str:
    """The command that installs what `mcpforge check` needs, where mcpforge runs."""
    return install_command(current_source())

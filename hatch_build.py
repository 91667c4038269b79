"""Wheel build hook: ship the template's release history as a git bundle.

`mcpforge update` needs every released template version offline. This hook builds one
commit per released version (copier.yml + template/ only, at the last commit whose
mcpforge/__init__.py carried it: mcpforge/history.py, the same derivation a development
checkout uses) plus the current files as the current version, and puts the bundle next
to the template in the wheel (mcpforge/_template/history.bundle). A shallow clone is
refused: its older versions are missing. An sdist carries the bundle it was built with,
so a wheel built from the sdist (no .git) ships the same history.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

ROOT = Path(__file__).parent
SHIPPED = "mcpforge/_template/history.bundle"
IN_SDIST = "history.bundle"


def _history_module() -> Any:
    # history.py imports mcpforge.errors (and mcpforge/__init__.py, standard library only):
    # the build environment finds them in this source tree.
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    spec = importlib.util.spec_from_file_location(
        "_mcpforge_history", ROOT / "mcpforge" / "history.py"
    )
    if spec is None or spec.loader is None:
        raise RuntimeError("mcpforge/history.py is missing: cannot build the template history")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        prebuilt = ROOT / IN_SDIST
        if prebuilt.is_file() and not (ROOT / ".git").exists():
            bundle = prebuilt  # building from an sdist: its history is the one to ship
        else:
            work = Path(tempfile.mkdtemp(prefix="mcpforge-build-"))
            self._work = work  # removed in finalize, once the bundle is in the archive
            bundle = work / "history.bundle"
            _history_module().build_bundle(ROOT, bundle, current=self.metadata.version)
        target = SHIPPED if self.target_name == "wheel" else IN_SDIST
        build_data["force_include"][str(bundle)] = target

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        work = getattr(self, "_work", None)
        if work is not None:
            shutil.rmtree(work, ignore_errors=True)
            self._work = None

"""Answer migrations: carry a project's answers across renamed or reshaped questions.

A template version that renames a question or changes its choices says so in copier.yml:

    _mcpforge_migrations:
      - version: "0.3.0"              # applies when updating from below 0.3.0 to 0.3.0+
        rename: {author_name: author}  # old question name -> new name
        values:                        # question -> {old value: new value}
          transport: {sse: http}

Why not copier's own `_migrations`: they are shell commands, which make the template
"unsafe" (every `copier copy` would then need `--trust`), and they run inside the
project. Here mcpforge computes the migrated answers itself and hands them to copier as
data for the new render only; the old render still gets the answers as recorded, so the
three-way merge compares like with like. Plain `copier update` ignores this key: it asks
for (or defaults) a renamed question instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml
from packaging.version import InvalidVersion, Version

from mcpforge.errors import TemplateError

MIGRATIONS_KEY = "_mcpforge_migrations"


def migrated_answers(
    copier_yml: str, answers: Mapping[str, Any], *, recorded: Version, target: Version
) -> dict[str, Any]:
    """The answers that change when moving from `recorded` to `target`.

    `copier_yml` is the text of the target version's copier.yml; `answers` are the
    recorded ones. Only changed or renamed answers are returned.
    """
    config = yaml.safe_load(copier_yml) or {}
    steps = config.get(MIGRATIONS_KEY) or []
    if not isinstance(steps, list):
        raise TemplateError(f"{MIGRATIONS_KEY} in copier.yml must be a list")
    current = dict(answers)
    changed: dict[str, Any] = {}
    for version, step in sorted(_parsed(steps), key=lambda pair: pair[0]):
        if not recorded < version <= target:
            continue
        for old, new in (step.get("rename") or {}).items():
            if old in current and new not in current:
                current[new] = changed[new] = current.pop(old)
                changed.pop(old, None)
        for question, mapping in (step.get("values") or {}).items():
            value = current.get(question)
            if question in current and isinstance(mapping, dict) and value in mapping:
                current[question] = changed[question] = mapping[value]
    return changed


def _parsed(steps: list[Any]) -> list[tuple[Version, dict[str, Any]]]:
    parsed = []
    for step in steps:
        try:
            parsed.append((Version(str(step["version"])), dict(step)))
        except (KeyError, TypeError, ValueError, InvalidVersion):
            raise TemplateError(f"bad entry in {MIGRATIONS_KEY}: {step!r}") from None
    return parsed

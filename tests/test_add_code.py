"""Property test: whatever `mcpforge add` accepts, the code it writes is code the project's
own ruff accepts unchanged (check and format) and Python compiles.

Additions are drawn with hostile names, descriptions (quotes, backslashes, braces, look-alike
and non-BMP characters), arguments and constraints, and written into a rendered project,
where ruff reads the project's own configuration (its rules, its first-party package).
`MCPFORGE_FUZZ_EXAMPLES=N` runs N examples (CI: the profile's default).
"""

from __future__ import annotations

import os
import py_compile
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from mcpforge import new_project
from mcpforge.add import Target, check_addition, complete, plan
from mcpforge.add_spec import Addition, parse_argument
from mcpforge.errors import InvalidAnswerError

pytestmark = pytest.mark.renders

EXAMPLES = int(os.environ.get("MCPFORGE_FUZZ_EXAMPLES", "60"))
RUFF = shutil.which("ruff", path=str(Path(sys.executable).parent)) or "ruff"

_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cc", "Cs", "Zl", "Zp"]),
    min_size=1,
    max_size=120,
).filter(lambda text: text.strip() != "")
_HOSTILE = st.sampled_from(
    [
        'Say "hi" and it\'s fine',
        'ends with a quote"',
        'triple """ quotes',
        "back\\slash\\",
        "{braces} and {{doubled}}",
        "Forecast \u2013 fast \u00d7 2",
        "emoji \U0001f600 and \u0440\u0443\u0441",
        "tab\tinside",
    ]
)
_NAMES = st.from_regex(r"[a-z][a-z0-9_]{0,63}", fullmatch=True)
_ARGS = st.sampled_from(
    [
        "city:str:min_length=1,max_length=100:The city",
        "days:int:ge=1,le=14,default=3:Days ahead",
        "ratio:float:gt=0,lt=1",
        'code:str:pattern="^[A-Z]{3}$",example=NYC:IATA \u2013 code',
        'quoted:str:pattern="^\\"[a-z]+\\"$",example="\\"ab\\"":Quoted "value"',
        "units:str:choices=metric|imperial|kelvin,default=kelvin",
        'flag:bool::Say "more"',
        "n:int:multiple_of=5,example=10",
        "note:str::A note with {braces}",
    ]
)


@st.composite
def additions(draw: st.DrawFn) -> Addition:
    kind = draw(st.sampled_from(["tool", "resource", "prompt"]))
    description = draw(st.one_of(_TEXT, _HOSTILE))
    specs = draw(st.lists(_ARGS, max_size=4, unique_by=lambda spec: spec.split(":")[0]))
    arguments = tuple(parse_argument(spec) for spec in specs)
    name = draw(_NAMES)
    if kind == "resource":
        path = "/".join(f"{{{argument.name}}}" for argument in arguments) or "static"
        uri = f"fuzz://{name}/{path}"
        mime = draw(st.sampled_from(["application/json", "text/plain"]))
        return Addition(kind, name, description, arguments, uri=uri, mime_type=mime)
    if kind == "prompt":
        text = draw(st.one_of(st.just(""), _HOSTILE))
        return Addition(kind, name, description, arguments, text=text)
    scopes = tuple(draw(st.lists(st.sampled_from(["notes:write", "x:{y}", "a.b/c"]), unique=True)))
    uses = draw(st.sets(st.sampled_from(["upstream", "database"])))
    limit = draw(st.sampled_from(["", "10/minute", "100 per hour;5/second"]))
    return Addition(
        kind,
        name,
        description,
        arguments,
        is_async=bool(uses) or draw(st.booleans()),
        scopes=scopes,
        uses_upstream="upstream" in uses,
        uses_database="database" in uses,
        cost=draw(st.integers(1, 3)),
        limit=limit,
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz-add")
    return new_project(root / "fuzz-server", {"preset": "production"}, git=False).path


def _ruff(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [RUFF, *args], cwd=project, capture_output=True, text=True, check=False, timeout=120
    )


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@example(Addition("tool", "a" * 64, 'ends with "', (parse_argument("b" * 64 + ":int:ge=1"),)))
@given(additions())
def test_written_code_passes_ruff_and_compiles(project: Path, addition: Addition) -> None:
    # The production project, as if it had a database too (its code is only read by ruff).
    target = Target(
        root=project,
        package="fuzz_server",
        has_upstream=True,
        has_database=True,
        auth="apikey",
        rate_limited=True,
    )
    try:
        addition = complete(addition)
        check_addition(target, addition)
    except InvalidAnswerError as error:  # refused: one line, nothing to write
        assert "\n" not in error.message
        return
    changes, _ = plan(target, addition)
    written = [change for change in changes if change.path.endswith(".py")]
    for change in written:
        path = project / change.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(change.new, encoding="utf-8")
    try:
        paths = [change.path for change in written]
        for path in paths:
            py_compile.compile(str(project / path), doraise=True)
        checked = _ruff(project, "check", "--no-cache", *paths)
        assert checked.returncode == 0, checked.stdout + "\n".join(c.new for c in written)
        formatted = _ruff(project, "format", "--no-cache", "--diff", *paths)
        assert formatted.returncode == 0, formatted.stdout + formatted.stderr
    finally:
        for change in written:
            (project / change.path).unlink(missing_ok=True)

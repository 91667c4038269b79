"""Answer sets for the property test of `mcpforge new`, and what to check of each outcome.

Every question in copier.yml gets a strategy from its type and choices (so a new
question is fuzzed the day it is added), mixing plausible answers with hostile ones:
wrong types, non-finite numbers, control characters, quotes, trailing newlines, names
of built-in settings, pydantic attributes, stdlib modules and dependencies.

An answer set is either accepted (the project renders; every TOML/YAML/JSON file parses,
every .py compiles, the package imports and its app builds for stdio and HTTP) or refused
(exit 1, one error line and a hint, nothing written). Anything else is "broken".
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import random
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from mcpforge.answers import Question, load_questions

REPO_ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = load_questions(REPO_ROOT / "copier.yml")
DEFAULT_DESCRIPTION = yaml.safe_load((REPO_ROOT / "copier.yml").read_text("utf-8"))["description"][
    "default"
]

# Names worth trying wherever a name is asked: every setting the template declares (read
# from the settings list), attributes of pydantic's BaseSettings, names config.py imports,
# stdlib modules and the generated project's dependencies.
_SETTINGS_TEXT = (REPO_ROOT / "template" / "_shared" / "settings.jinja").read_text("utf-8")
SETTING_NAMES = sorted({name.lower() for name in re.findall(r"env='([A-Z0-9_]+)'", _SETTINGS_TEXT)})
PYDANTIC_NAMES = [
    "model_config",
    "model_dump",
    "model_fields",
    "field_validator",
    "copy",
    "dict",
    "json",
    "schema",
    "validate",
    "construct",
    "settings_customise_sources",
    "feature_flags",
    "configured_secrets",
]
# Every distribution the pyproject template names with a version (runtime, extras, groups),
# read from its raw text, every Jinja branch at once: names a project must not take.
_REQUIREMENT = re.compile(r'^\s*"([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*[<>=!~]', re.M)


def normalized(name: str) -> str:
    """A distribution name as PEP 503 compares them."""
    return re.sub(r"[-_.]+", "-", name).lower()


DEPENDENCY_NAMES = sorted(
    {
        normalized(name)
        for name in _REQUIREMENT.findall(
            (REPO_ROOT / "template" / "pyproject.toml.jinja").read_text("utf-8")
        )
    }
)
MODULE_NAMES = [
    "json",
    "typing",
    "logging",
    "calendar",
    "asyncio",
    "os",
    "limits",
    "prometheus_client",
    "mcp",
    "httpx",
    "redis",
    "sqlalchemy",
    "structlog",
    "uvicorn",
    "starlette",
    "pydantic",
    "aiosqlite",
    "opentelemetry",
    "tests",
    "weather_server",
]
HOSTILE_TEXT = [
    'a"b',
    "a'b",
    "back\\slash",
    "tab\there",
    "nl\n",
    "two\nlines",
    "bell\x07",
    "nul\x00x",
    "del\x7f",
    "{{ 7 * 7 }}",
    "{% raw %}",
    "# not a comment",
    "key: value",
    "]]",
    "'''",
    '"""',
    "${HOME}",
    "ünïcödé ✓",
    "\u2028sep",
    " ",
    "",
]


def _names(upper: bool) -> st.SearchStrategy[str]:
    pool = SETTING_NAMES + PYDANTIC_NAMES + ["ok_name", "weather_api_key", "model_x", "class"]
    name = st.one_of(
        st.sampled_from(pool),
        st.from_regex(r"[a-z][a-z0-9_]{0,12}", fullmatch=True),
    ).map(lambda text: text.upper() if upper else text)
    lists = st.lists(name, max_size=3).map(",".join)
    return st.one_of(lists, st.sampled_from(HOSTILE_TEXT), lists.map(lambda s: s + "\n"))


def _text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(HOSTILE_TEXT),
        st.text(max_size=20),
        st.text(st.characters(codec="utf-8"), min_size=1, max_size=12),
    )


def _plausible(question: Question) -> st.SearchStrategy[Any]:
    """Answers a user could well give: right type, right shape, sometimes a clashing name."""
    if question.choices:
        return st.sampled_from(question.choices)
    if question.type == "bool":
        return st.booleans()
    if question.type == "int":
        return st.integers(min_value=1, max_value=65535)
    if question.type == "float":
        return st.floats(min_value=0.001, max_value=1e6)
    special: dict[str, st.SearchStrategy[Any]] = {
        "package_name": st.one_of(
            st.sampled_from(MODULE_NAMES), st.from_regex(r"[a-z][a-z0-9_]{0,10}", fullmatch=True)
        ),
        "feature_flags": _names(upper=False),
        "secret_env_vars": _names(upper=True),
        "author_email": st.one_of(
            st.sampled_from(['a"b@x.com', "a\\b@x.com", "a'b@x.com", "o@x.io"]),
            st.emails().map(str),
        ),
        "http_host": st.sampled_from(
            [
                "0.0.0.0",  # noqa: S104 - an answer, not a bind
                "::1",
                "localhost",
                "a:b:c",
                "example.com",
            ]
        ),
        "http_path": st.sampled_from(["/mcp", "/", "/a/b", "/x.y", "//", "/~u"]),
    }
    if question.name in special:
        return special[question.name]
    return st.one_of(
        st.sampled_from(["plain text", "Name O'Brien", 'say "hi"', "back\\slash", "ünï ✓"]),
        st.text(st.characters(codec="utf-8", exclude_categories=["Cc", "Cs"]), max_size=20),
    )


def _hostile(question: Question) -> st.SearchStrategy[Any]:
    """Wrong types, odd numbers, control characters, template syntax."""
    wrong_types = st.sampled_from([None, True, False, 8000.5, "abc", [], {"a": 1}, 0, -1])
    by_type: dict[str, st.SearchStrategy[Any]] = {
        "int": st.one_of(
            st.integers(), st.sampled_from(["8080", " 80 ", "1e3", "0x50", "65536", "8000.5"])
        ),
        "float": st.one_of(
            st.floats(allow_nan=True, allow_infinity=True),
            st.sampled_from(["nan", "inf", "-inf", "1e400", "1e308", "30", " 2.5 ", "0"]),
        ),
        "bool": st.sampled_from(["yes", "2", "maybe"]),
    }
    return st.one_of(wrong_types, by_type.get(question.type, _text()), _text())


PROJECT_NAMES = st.one_of(
    st.sampled_from(["weather-server", "a", "x-1", "json", "typing", "limits", "mcp", "nl\n"]),
    st.sampled_from(DEPENDENCY_NAMES),
    st.from_regex(r"[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,4}){0,2}", fullmatch=True),
    st.from_regex(r"[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,4}){0,2}", fullmatch=True),
    st.text(st.characters(exclude_characters="/\x00"), min_size=1, max_size=10),
).filter(lambda name: name not in {".", ".."})


@st.composite
def answer_sets(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A project folder name and some questions answered; at most one hostile answer."""
    name = draw(PROJECT_NAMES)
    answers: dict[str, Any] = {}
    names = [q for q in QUESTIONS if q != "project_name"]
    # Which questions are answered comes from a seed: hypothesis' own choices favour the
    # first options, which would answer every question and make most sets refused.
    pick = random.Random(draw(st.integers(0, 2**32 - 1)))  # noqa: S311 - not crypto
    for question_name in names:
        if pick.random() < 0.5:
            answers[question_name] = draw(_plausible(QUESTIONS[question_name]))
    if pick.random() < 0.4:
        target = pick.choice(names)
        answers[target] = draw(_hostile(QUESTIONS[target]))
    return name, answers


@dataclass
class Outcome:
    kind: str  # accepted, refused or broken
    detail: str = ""


def generate(workdir: Path, name: str, answers: Mapping[str, Any]) -> tuple[int, str, str, Path]:
    """`mcpforge new NAME --data-file answers.yml --defaults --no-git` in workdir."""
    data_file = workdir / "answers.yml"
    data_file.write_text(yaml.safe_dump(dict(answers), allow_unicode=True), encoding="utf-8")
    from mcpforge.cli import main

    # main(), not the Typer app: the console script's own entry, which maps click's usage
    # errors (a name such as "-x" read as an option) to exit 1 like every user error.
    out, err = io.StringIO(), io.StringIO()
    before = Path.cwd()
    os.chdir(workdir / "out")
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            main(["new", name, "--data-file", str(data_file), "--defaults", "--no-git"])
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        os.chdir(before)
    return code, out.getvalue(), err.getvalue(), workdir / "out"


_IMPORT_PROBE = """
import asyncio, importlib, importlib.util, sys
package = sys.argv[1]
server = importlib.import_module(package + ".server")
settings = importlib.import_module(package + ".config").get_settings()
tools = asyncio.run(server.mcp.list_tools())
assert tools, "no tools"
if importlib.util.find_spec(package + ".app") is not None:  # HTTP projects
    importlib.import_module(package + ".app").create_app(settings)
print("ok", len(tools))
"""


def check_accepted(project: Path, python: str | None) -> str:
    """Empty when every file parses, every .py compiles and the app builds; else why not."""
    problems: list[str] = []
    for path in sorted(project.rglob("*")):
        if not path.is_file():
            continue
        relative = path.relative_to(project).as_posix()
        try:
            if path.suffix == ".toml":
                tomllib.loads(path.read_text("utf-8"))
            elif path.suffix in {".yml", ".yaml"}:
                list(yaml.safe_load_all(path.read_text("utf-8")))
            elif path.suffix == ".json":
                json.loads(path.read_text("utf-8"))
            elif path.suffix == ".py":
                compile(path.read_bytes(), relative, "exec", dont_inherit=True)
        except Exception as error:  # noqa: BLE001 - any parse error is the finding
            problems.append(f"{relative}: {type(error).__name__}: {str(error)[:200]}")
    if problems:
        return "; ".join(problems)
    problem = depends_on_itself(project)
    if problem:
        return problem
    if python is None:
        return ""
    packages = [p.name for p in (project / "src").iterdir() if (p / "server.py").is_file()]
    if len(packages) != 1:
        return f"src holds {packages}"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHONPATH": str(project / "src"),
        "HOME": str(project),
        # Settings the server requires at start-up (it refuses to serve without them).
        "MCP_API_KEYS": "fuzz-key",
        "OAUTH_ISSUER_URL": "https://issuer.example",
    }
    result = subprocess.run(
        [python, "-c", _IMPORT_PROBE, packages[0]],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        lines = result.stderr.strip().splitlines() or [""]
        return f"import/app build failed: {lines[-1]} ({' | '.join(lines[-4:-1])})"
    return ""


def requirement_names(pyproject: Mapping[str, Any]) -> set[str]:
    """The normalized names a parsed pyproject.toml depends on: dependencies, extras, groups."""
    project = pyproject["project"]
    requirements = list(project.get("dependencies", []))
    for group in (
        *project.get("optional-dependencies", {}).values(),
        *pyproject.get("dependency-groups", {}).values(),
    ):
        requirements += [item for item in group if isinstance(item, str)]
    return {normalized(re.split(r"[\[<>=!~;@ ]", item, maxsplit=1)[0]) for item in requirements}


def depends_on_itself(project: Path) -> str:
    """Empty unless the project's name is one of its own dependencies (uv refuses it)."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text("utf-8"))
    name = normalized(pyproject["project"]["name"])
    if name in requirement_names(pyproject):
        return f"pyproject.toml: the project {name!r} depends on itself"
    return ""


def check_readme(project: Path, answers: Mapping[str, Any]) -> str:
    """Empty when the README shows the description as plain text and holds no inline HTML."""
    tokens = (
        MarkdownIt("commonmark")
        .enable(["table", "strikethrough"])
        .parse((project / "README.md").read_text("utf-8"))
    )
    expected = str(answers.get("description", DEFAULT_DESCRIPTION)).strip()
    opened = next(i for i, token in enumerate(tokens) if token.type == "paragraph_open")
    children = tokens[opened + 1].children or []
    markup = sorted({child.type for child in children} - {"text", "text_special"})
    shown = "".join(child.content for child in children)
    if markup or shown != expected:
        return f"README.md: description {expected!r} shows as {shown!r} with {markup}"
    html = [
        child.content
        for token in tokens
        for child in token.children or []
        if child.type == "html_inline"
    ]
    return f"README.md: inline HTML {html}" if html else ""


def classify(  # noqa: PLR0911 - one return per kind of outcome
    workdir: Path, name: str, answers: Mapping[str, Any], python: str | None
) -> Outcome:
    """Run mcpforge new on one answer set and say whether the outcome is acceptable."""
    (workdir / "out").mkdir(parents=True, exist_ok=True)
    code, _out, err, out_dir = generate(workdir, name, answers)
    left = sorted(p.name for p in out_dir.iterdir())
    if code == 0:
        projects = [out_dir / entry for entry in left]
        if len(projects) != 1:
            return Outcome("broken", f"exit 0 but the folder holds {left}")
        problem = check_accepted(projects[0], python) or check_readme(projects[0], answers)
        return Outcome("broken", problem) if problem else Outcome("accepted")
    lines = [line for line in err.splitlines() if line.strip()]
    if code != 1:
        return Outcome("broken", f"exit {code}: {err.strip()[-400:]}")
    if left:
        return Outcome("broken", f"exit 1 but wrote {left}")
    if "internal error" in err or "Traceback" in err:
        return Outcome("broken", f"internal error: {err.strip()[-400:]}")
    if len(lines) != 2 or not lines[0].startswith("error:") or not lines[1].startswith("hint:"):
        return Outcome("broken", f"not one error line and a hint: {err!r}")
    return Outcome("refused", lines[0])


def python_for_imports() -> str | None:
    """sys.executable when it can import every dependency a generated project may have."""
    probe = "import mcp, pydantic_settings, uvicorn, limits, prometheus_client, sqlalchemy, aiosqlite, httpx, redis, opentelemetry.sdk"  # noqa: E501
    ok = subprocess.run([sys.executable, "-c", probe], capture_output=True, check=False)
    return sys.executable if ok.returncode == 0 else None

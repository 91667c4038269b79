"""Two versions of the template, built inside the tests, and a project generated with v1.

The template repository starts as a copy of this repository's copier.yml and template/
(mcpforge/_version.py at 1.0.0, tagged v1.0.0, with a few files and a question of the
test's own), then v2.0.0 (a bump commit, tagged too) edits a file, adds one, removes two,
renames a question (with a migration) and adds a question.
No network: every update below runs with https:// and ssh git URLs made to fail.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from mcpforge.copier_calls import copy_template
from mcpforge.history import PUBLIC_URL, TemplateHistory
from tests.conftest import REPO_ROOT

V1, V2 = "v1.0.0", "v2.0.0"
ANSWERS = {
    "project_name": "demo-server",
    "author_name": "Ada Lovelace",
    "greeting": "ahoy",
    "preset": "minimal",
}
NOTES_V1 = (
    "# Notes for {{ project_name }}\ngreeting: {{ greeting }}\nline three\nline four\nline five\n"
)
NOTES_V2 = (
    "# Notes for {{ project_name }}\ngreeting: {{ salutation }}\n"
    "line three, revised by the template\nline four\nline five\n"
)
CLASH_V1 = "first\nsecond\nthird\n"
CLASH_V2 = "first\nsecond, from the template\nthird\n"
GUIDE_V1 = "# Guide\nstep one\n"
GUIDE_V2 = "# Guide\nstep one\nstep two\n"
QUESTION_V1 = '\ngreeting:\n  type: str\n  help: "A greeting"\n  default: hello\n'
QUESTIONS_V2 = (
    '\nsalutation:\n  type: str\n  help: "A greeting"\n  default: hello\n'
    '\nmotto:\n  type: str\n  help: "The project motto"\n  default: ship it\n'
    '\n_mcpforge_migrations:\n  - version: "2.0.0"\n    rename: {greeting: salutation}\n'
)


def run(*argv: str | Path, cwd: Path, env: dict[str, str] | None = None, code: int = 0) -> str:
    """Run a command; it must exit with `code`. Its stdout."""
    result = subprocess.run(
        [str(arg) for arg in argv], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == code, f"{argv}: {result.stdout}\n{result.stderr}"
    return result.stdout


def git(*args: str, cwd: Path) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout


def commit_all(repo: Path, message: str) -> None:
    git("add", "-A", cwd=repo)
    git("commit", "-q", "--no-verify", "-m", message, cwd=repo)


def set_version(checkout: Path, version: str, *, legacy: bool = False) -> None:
    """Make `checkout` carry `version` (what a release bumps) in mcpforge/_version.py.

    With `legacy`, in mcpforge/__init__.py instead, where versions before the move to
    _version.py live; without it, a legacy line becomes the import the move left there.
    """
    package = checkout / "mcpforge"
    package.mkdir(exist_ok=True)
    line = f'__version__ = "{version}"'
    init = package / "__init__.py"
    if legacy:
        text = init.read_text() if init.is_file() else '"""mcpforge."""\n\n__version__ = ""\n'
        init.write_text(re.sub(r"^__version__ = .*$", line, text, count=1, flags=re.M))
        return
    if init.is_file():
        moved = "from mcpforge._version import __version__"
        init.write_text(re.sub(r"^__version__ = .*$", moved, init.read_text(), flags=re.M))
    (package / "_version.py").write_text(f'"""The version."""\n\n{line}\n')


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file below root with its content, plus git's view: HEAD, index and status.

    The .git folder itself is compared through git, since `git status` may refresh the
    index's stat cache without changing anything a user could see.
    """
    files = {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }
    if (root / ".git").exists():
        for args in (("rev-parse", "HEAD"), ("ls-files", "-s"), ("status", "--porcelain")):
            files[f"git {' '.join(args)}"] = git(*args, cwd=root).encode()
    return files


def offline_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every network fetch git might try fail: https and ssh go to a missing path."""
    monkeypatch.setenv("GIT_CONFIG_COUNT", "2")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "url./nonexistent/network/.insteadOf")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", "https://")
    monkeypatch.setenv("GIT_CONFIG_KEY_1", "url./nonexistent/network/.insteadOf")
    monkeypatch.setenv("GIT_CONFIG_VALUE_1", "git@")
    monkeypatch.setenv("GIT_ALLOW_PROTOCOL", "file")


@dataclass(frozen=True)
class Templates:
    repo: Path  # the template repository with tags v1.0.0 and v2.0.0
    project: Path  # a project generated with v1.0.0 and committed, never modified

    def history(self, current: str = "2.0.0") -> TemplateHistory:
        return TemplateHistory(current=current, source=self.repo)


def _build(root: Path) -> Templates:
    repo = root / "template-repo"
    repo.mkdir()
    shutil.copy2(REPO_ROOT / "copier.yml", repo / "copier.yml")
    shutil.copytree(
        REPO_ROOT / "template",
        repo / "template",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
    )
    copier_yml = repo / "copier.yml"
    original_questions = copier_yml.read_text(encoding="utf-8")
    template = repo / "template"
    (template / "NOTES.md.jinja").write_text(NOTES_V1)
    (template / "CLASH.md").write_text(CLASH_V1)
    (template / "GUIDE.md").write_text(GUIDE_V1)
    (template / "OLD.md").write_text("old and unchanged\n")
    (template / "DROPPED.md").write_text("dropped in v2\n")
    copier_yml.write_text(original_questions + QUESTION_V1)
    set_version(repo, "1.0.0")
    git("init", "-q", "-b", "main", cwd=repo)
    commit_all(repo, "v1")
    git("tag", V1, cwd=repo)

    project = root / "demo-server"
    copy_template(project, ANSWERS, ask=False, source=repo, record=(PUBLIC_URL, V1))
    git("init", "-q", "-b", "main", cwd=project)
    commit_all(project, "Generate demo-server")

    (template / "NOTES.md.jinja").write_text(NOTES_V2)
    (template / "CLASH.md").write_text(CLASH_V2)
    (template / "GUIDE.md").write_text(GUIDE_V2)
    (template / "OLD.md").unlink()
    (template / "DROPPED.md").unlink()
    (template / "ADDED.md.jinja").write_text("motto: {{ motto }}\n")
    pyproject = template / "pyproject.toml.jinja"
    pyproject.write_text(pyproject.read_text() + "# template v2\n")
    copier_yml.write_text(original_questions + QUESTIONS_V2)
    set_version(repo, "2.0.0")
    commit_all(repo, "v2")
    git("tag", V2, cwd=repo)
    return Templates(repo=repo, project=project)


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    root = tmp_path_factory.mktemp("templates")
    home = root / "home"
    home.mkdir()
    gitconfig = home / ".gitconfig"
    gitconfig.write_text("[user]\n\tname = Test User\n\temail = test@example.com\n")
    with pytest.MonkeyPatch.context() as patch:  # session-scoped: no `monkeypatch` here
        patch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
        patch.setenv("GIT_CONFIG_NOSYSTEM", "1")
        yield _build(root)


@pytest.fixture
def project(templates: Templates, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh copy of the v1 project (with its git repository), offline."""
    copy = tmp_path / "demo-server"
    shutil.copytree(templates.project, copy, symlinks=True)
    offline_env(monkeypatch)
    return copy


def answers_of(project: Path) -> dict[str, object]:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())

"""The only module that talks to copier: where the template is, rendering and updating it."""

from __future__ import annotations

import filecmp
import os
import re
import shutil
import tempfile
import textwrap
import warnings
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from mcpforge._version import __version__
from mcpforge.answers import Question as QuestionSpec
from mcpforge.answers import is_question, load_questions
from mcpforge.errors import Aborted, InvalidAnswerError, NoTerminalError, TemplateError
from mcpforge.history import PUBLIC_URL, TEMPLATE_PATHS, tag_version, version_tag
from mcpforge.record import SOURCE_URLS, record_source

if TYPE_CHECKING:
    from filecmp import dircmp

    import jinja2

# Data (not a question, never recorded) naming the mcpforge version of a plain-folder render.
MCPFORGE_VERSION_KEY = "mcpforge_version"
NO_TERMINAL_HINT = (
    "pass --defaults, --preset NAME, --data KEY=VALUE or --data-file FILE"
    " to answer without a terminal"
)
_VALIDATION_ERROR = re.compile(
    r"Validation error for question '(?P<name>\w+)': (?P<message>.*)", re.S
)
_CHOICE_ERROR = re.compile(r"Invalid choice for '(?P<name>\w+)': (?P<message>.*)", re.S)


def template_root() -> Path:
    """The folder holding copier.yml and template/: inside the wheel, or the source checkout."""
    packaged = Path(__file__).parent / "_template"
    if (packaged / "copier.yml").is_file():
        return packaged
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "copier.yml").is_file():
        return checkout
    raise TemplateError(f"the template is missing from this installation ({packaged})")


def copier_yml() -> Path:
    """The questions file of the template."""
    return template_root() / "copier.yml"


_DEPLOYMENT_VARIABLES = (
    "{% from 'template/_shared/settings.jinja' import required, deployed_secrets with context %}"
    "{{ {'required': required, 'secrets': deployed_secrets} | tojson }}"
)
_STOP_GRACE = (
    "{% from 'template/_shared/settings.jinja' import stop_grace with context %}{{ stop_grace }}"
)


def deployment_variables(answers: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """(required, secrets): what a deployment must set, and what it passes from its secrets.

    Read from the template's settings list (template/_shared/settings.jinja), the one source
    that also feeds the generated README, compose.yaml, Kubernetes manifests and .env.example.
    """
    import json  # noqa: PLC0415

    found = json.loads(_render_settings(answers, _DEPLOYMENT_VARIABLES))
    return list(found["required"]), list(found["secrets"])


def stop_grace(answers: Mapping[str, Any]) -> int:
    """Seconds a container engine waits after SIGTERM before it kills the server (the
    README's `docker run --stop-timeout`): SHUTDOWN_TIMEOUT from the settings list, plus 5."""
    return int(_render_settings(answers, _STOP_GRACE))


def _render_settings(answers: Mapping[str, Any], source: str) -> str:
    """`source` rendered with the settings list of a project of these answers."""
    import jinja2  # noqa: PLC0415 - only needed after a render

    environment = jinja2.Environment(  # noqa: S701 - renders names, not HTML
        loader=jinja2.FileSystemLoader(template_root()),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    context = {"feature_flags": "", "secret_env_vars": "", **answers}
    context.update(computed_flags(context, environment))
    return environment.from_string(source).render(context)


def computed_flags(answers: Mapping[str, Any], environment: jinja2.Environment) -> dict[str, Any]:
    """The computed flags of copier.yml (`when: false`), derived from `answers` as copier does.

    Each flag's default is rendered in order, with the answers and the flags before it.
    """
    config = yaml.safe_load(copier_yml().read_text(encoding="utf-8"))
    context = dict(answers)
    flags: dict[str, Any] = {}
    for name, spec in config.items():
        if name.startswith("_") or is_question(name, spec):
            continue
        rendered = environment.from_string(str(spec.get("default", ""))).render(context)
        flags[name] = context[name] = yaml.safe_load(rendered)
    return flags


def copy_template(
    destination: Path,
    data: Mapping[str, Any],
    *,
    ask: bool,
    source: Path | None = None,
    record: tuple[str, str] | None = None,
) -> dict[str, Any]:
    """Render the template into `destination` and return the answers that were used.

    With `ask`, copier asks every question `data` does not answer (a terminal is needed);
    without, the defaults answer them. Validation errors come back as InvalidAnswerError.

    The project records where its template comes from as `record` (URL, version tag):
    by default mcpforge's public repository and the installed version, so that
    `mcpforge update` (offline) and `copier update` (online) can both update it.
    """
    if record is None and source is None:
        record = (PUBLIC_URL, version_tag(__version__))
    recorded = tag_version(record[1]) if record is not None else None
    if recorded is not None:
        # A plain folder has no version tag for the template to read (`_commit`): the
        # CI files pin `mcpforge[check]==` this version (template/_shared/mcpforge.jinja).
        data = {**data, MCPFORGE_VERSION_KEY: str(recorded)}
    with _renderable(source or template_root()) as folder:
        worker = _run_copy(folder, destination, data, ask=ask)
        questions = load_questions(folder / "copier.yml")
    if record is not None:
        record_source(destination / worker.answers_relpath, url=record[0], tag=record[1])
    # The answers to the questions: not the computed flags, nor copier's own variables.
    return {key: value for key, value in worker.answers.combined.items() if key in questions}


def _run_copy(source: Path, destination: Path, data: Mapping[str, Any], *, ask: bool) -> Any:
    from copier import run_copy  # noqa: PLC0415 - copier is slow to import
    from copier.errors import (  # noqa: PLC0415
        CopierAnswersInterrupt,
        InteractiveSessionError,
    )

    try:
        with warnings.catch_warnings(), _readable_prompts(enabled=ask):
            # Copier warns about a dirty or untagged source checkout: noise for users.
            warnings.simplefilter("ignore")
            return run_copy(
                str(source),
                destination,
                data=dict(data),
                defaults=not ask,
                quiet=True,
                unsafe=False,
                overwrite=True,
            )
    except InteractiveSessionError:
        raise NoTerminalError(
            "questions are left to answer, but there is no terminal to ask at", NO_TERMINAL_HINT
        ) from None
    except (CopierAnswersInterrupt, KeyboardInterrupt, EOFError):
        raise Aborted("interrupted; nothing was written") from None
    except ValueError as error:
        raise _answer_error(error) from None


@contextmanager
def _readable_prompts(*, enabled: bool) -> Iterator[None]:
    """Validation messages of the interview that say what is wrong, wrapped, never cut.

    prompt_toolkit draws a validation error on one line, cut at the terminal width (at 80
    columns the package-name rule lost its end), and copier says only "Invalid input"
    when an answer does not parse (a port of `abc`). For the interview, the error line
    wraps over up to six lines and a parse failure names the question, its expected type
    and its help.
    """
    if not enabled:
        yield
        return
    from copier._user_data import Question  # noqa: PLC0415
    from prompt_toolkit.filters import has_validation_error  # noqa: PLC0415
    from prompt_toolkit.layout import ConditionalContainer, Dimension, Window  # noqa: PLC0415
    from prompt_toolkit.widgets import toolbars  # noqa: PLC0415

    original_toolbar = toolbars.ValidationToolbar.__init__
    original_structure = Question.get_questionary_structure
    kinds = {"int": "a whole number", "float": "a number", "bool": "yes or no"}

    def toolbar(self: Any, show_position: bool = False) -> None:
        original_toolbar(self, show_position)
        self.container = ConditionalContainer(
            content=Window(self.control, height=Dimension(min=1, max=6), wrap_lines=True),
            filter=has_validation_error,
        )

    def structure(self: Any) -> Any:
        result = original_structure(self)
        message = result.get("message")
        if isinstance(message, str):  # the help line, wrapped after the question mark
            help_line, newline, rest = message.partition("\n")
            indent = " " * (len(str(result.get("qmark", ""))) + 1)
            wrapped = textwrap.fill(
                help_line, max(_prompt_columns() - 1, 20), initial_indent=indent
            )
            result["message"] = wrapped[len(indent) :] + newline + rest
        validate = result.get("validate")
        if validate is None:
            return result

        def explained(answer: str) -> Any:
            verdict = validate(answer)
            if verdict == "Invalid input":
                kind = kinds.get(self.get_type_name(), f"of type {self.get_type_name()}")
                asked = QuestionSpec(self.var_name, str(self.help or ""), "", ()).label
                verdict = f"{asked}: {answer!r} is not {kind}"
            if isinstance(verdict, str):  # wrapped between words, at the terminal's width
                width = max(_prompt_columns() - 1, 20)
                return textwrap.fill(" ".join(verdict.split()), width)
            return verdict

        result["validate"] = explained
        return result

    toolbars.ValidationToolbar.__init__ = toolbar  # type: ignore[method-assign]
    Question.get_questionary_structure = structure  # type: ignore[method-assign]
    try:
        yield
    finally:
        toolbars.ValidationToolbar.__init__ = original_toolbar  # type: ignore[method-assign]
        Question.get_questionary_structure = original_structure  # type: ignore[method-assign]


def _prompt_columns() -> int:
    """The width of the terminal the prompt draws on (COLUMNS may say otherwise)."""
    from prompt_toolkit.application.current import get_app_or_none  # noqa: PLC0415
    from prompt_toolkit.output.defaults import create_output  # noqa: PLC0415

    try:
        app = get_app_or_none()
        output = app.output if app is not None else create_output()
        return int(output.get_size().columns)
    except Exception:  # noqa: BLE001 - not a terminal prompt_toolkit can measure
        return shutil.get_terminal_size().columns


@contextmanager
def _renderable(root: Path) -> Iterator[Path]:
    """The template as a plain folder copier renders without cloning.

    Copier clones a template folder that is the top of a git work tree (a development
    checkout): slow, and it warns about missing tags. A copy of the template's own files
    renders the same project in a fraction of the time.
    """
    if not (root / ".git").exists():
        yield root
        return
    with tempfile.TemporaryDirectory(prefix="mcpforge-template-") as work:
        folder = Path(work)
        for name in TEMPLATE_PATHS:
            if (root / name).is_dir():
                shutil.copytree(
                    root / name,
                    folder / name,
                    symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__", "*.py[co]"),
                )
            else:
                shutil.copy2(root / name, folder / name)
        yield folder


def update_template(
    project: Path,
    *,
    history: Path,
    tag: str,
    data: Mapping[str, Any],
    defaults: bool,
    work: Path,
    old_files: set[str] | None = None,
) -> list[str]:
    """Run `copier update` of `project` to template version `tag`, offline.

    `history` is a git repository holding every template version as a tag; git fetches
    from it whenever copier asks for the public repository (a url.insteadOf rewrite set
    through the environment), and copier's mirror cache is a private folder under
    `work`. Conflicts are left inline, marked unmerged in git. Returns the files copier
    removed from the template but the user had edited: those are kept, not deleted.
    `old_files` receives the paths (relative to the repository top) of the old version's
    render, which copier compared the project with.
    """
    from copier import run_update  # noqa: PLC0415 - copier is slow to import
    from copier.errors import (  # noqa: PLC0415
        CopierAnswersInterrupt,
        InteractiveSessionError,
        UserMessageError,
    )

    kept: list[str] = []
    try:
        with (
            _offline_git(history, SOURCE_URLS, cache=work / "copier-cache"),
            _keep_edited_files(kept, old_files),
            warnings.catch_warnings(),
        ):
            warnings.simplefilter("ignore")
            run_update(
                project,
                data=dict(data),
                defaults=defaults,
                overwrite=True,
                quiet=True,
                conflict="inline",
                skip_answered=True,
                vcs_ref=tag,
                unsafe=False,
            )
    except InteractiveSessionError:
        raise NoTerminalError(
            "the new template version has questions to answer, but there is no terminal",
            "pass --defaults to take their defaults, or --data KEY=VALUE to answer them",
        ) from None
    except (CopierAnswersInterrupt, KeyboardInterrupt, EOFError):
        raise Aborted("interrupted; the project was not changed") from None
    except UserMessageError as error:
        raise TemplateError(f"copier refused the update: {error}") from None
    except ValueError as error:
        raise _answer_error(error) from None
    return kept


@contextmanager
def _offline_git(history: Path, urls: Iterable[str], *, cache: Path) -> Iterator[None]:
    """Serve `urls` from the local `history` repository to every git copier runs.

    GIT_CONFIG_COUNT/KEY/VALUE add config without touching any file; existing entries
    (say, a user's own rewrite) are kept. The longest matching insteadOf wins in git, so
    these full URLs beat a broader rewrite such as `https://`. Copier runs git through
    plumbum, which copied os.environ when it was imported: both are set, then restored.
    """
    from plumbum import local  # noqa: PLC0415 - comes with copier

    start = int(os.environ.get("GIT_CONFIG_COUNT", "0") or "0")
    extra: dict[str, str] = {"GIT_TERMINAL_PROMPT": "0", "COPIER_CACHE_DIR": str(cache)}
    urls = list(urls)
    for offset, url in enumerate(urls):
        extra[f"GIT_CONFIG_KEY_{start + offset}"] = f"url.{history}.insteadOf"
        extra[f"GIT_CONFIG_VALUE_{start + offset}"] = url
    extra["GIT_CONFIG_COUNT"] = str(start + len(urls))
    saved = {name: os.environ.get(name) for name in extra}
    os.environ.update(extra)
    try:
        with local.env():
            local.env.clear()
            local.env.update(os.environ)
            yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextmanager
def _keep_edited_files(kept: list[str], old_files: set[str] | None = None) -> Iterator[None]:
    """Keep files the new template drops when the user edited them.

    Copier deletes every file the old template version had and the new one has not,
    edited or not. mcpforge never loses an edit: an edited file stays, and is reported.
    """
    import copier._main as copier_main  # noqa: PLC0415

    original = getattr(copier_main, "_remove_old_files", None)
    if original is None:  # a copier without this helper: keep its behaviour
        yield
        return

    def remove_unedited(prefix: Path, cmp: dircmp[str], rm_common: bool = False) -> None:
        if old_files is not None:  # cmp.left is copier's render of the old version
            old_files.update(_first_commit_files(Path(cmp.left)))
        _remove_unedited(prefix, cmp, rm_common=rm_common, kept=kept, top=prefix)

    copier_main._remove_old_files = remove_unedited
    try:
        yield
    finally:
        copier_main._remove_old_files = original


def _first_commit_files(repo: Path) -> list[str]:
    """The files of the first commit of copier's old render (its later commit adds empty
    stand-ins for files the project and the new template both add)."""
    import subprocess  # noqa: PLC0415

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=repo, capture_output=True, text=True, check=True
        ).stdout

    root = git("rev-list", "--max-parents=0", "HEAD").split()[0]
    return git("ls-tree", "-r", "--name-only", "-z", root).split("\0")[:-1]


def _remove_unedited(
    prefix: Path, cmp: dircmp[str], *, rm_common: bool, kept: list[str], top: Path
) -> None:
    """copier's `_remove_old_files`, except that files differing from the old render stay."""
    names: list[str] = []
    subdirs: dict[str, dircmp[str]] = {}
    with suppress(NotADirectoryError, FileNotFoundError):
        names = list(cmp.left_only)
        if rm_common:
            names += cmp.common_files + cmp.common_dirs
        subdirs = cmp.subdirs
    for name in names:
        target = prefix / name
        old = Path(cmp.left, name)
        if target.is_symlink():
            continue
        if target.is_file():
            if old.is_file() and filecmp.cmp(old, target, shallow=False):
                target.unlink()
            else:
                kept.append(target.relative_to(top).as_posix())
        elif target.is_dir():
            _remove_unedited(
                target, filecmp.dircmp(old, target), rm_common=True, kept=kept, top=top
            )
            with suppress(OSError):
                target.rmdir()
    for name, sub in subdirs.items():
        _remove_unedited(prefix / name, sub, rm_common=False, kept=kept, top=top)


def _named(key: str) -> str:
    """A question as people read it, with its key: `HTTP port (http_port)`."""
    question = load_questions(copier_yml()).get(key)
    return question.named if question is not None else key


def _another_value(question: str) -> str:
    """The hint of a refused answer: where another value goes."""
    if question == "project_name":
        # `mcpforge new NAME` names the project after its folder: --data cannot change it.
        return "choose another name for the project folder (mcpforge new NAME), e.g. NAME-server"
    return f"give another value with --data {question}=VALUE"


def _answer_error(error: ValueError) -> InvalidAnswerError:
    text = str(error).strip()
    for pattern in (_VALIDATION_ERROR, _CHOICE_ERROR):
        match = pattern.fullmatch(text)
        if match:
            message = " ".join(match["message"].split())
            return InvalidAnswerError(
                f"{_named(match['name'])}: {message}", _another_value(match["name"])
            )
    return InvalidAnswerError(
        " ".join(text.split()), "check the answers given with --data / --data-file"
    )

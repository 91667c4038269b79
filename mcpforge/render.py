"""The only module that talks to copier: where the template is, and rendering it."""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from mcpforge.errors import Aborted, InvalidAnswerError, NoTerminalError, TemplateError

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


def copy_template(
    destination: Path,
    data: Mapping[str, Any],
    *,
    ask: bool,
    source: Path | None = None,
) -> dict[str, Any]:
    """Render the template into `destination` and return the answers that were used.

    With `ask`, copier asks every question `data` does not answer (a terminal is needed);
    without, the defaults answer them. Validation errors come back as InvalidAnswerError.
    """
    from copier import run_copy  # noqa: PLC0415 - copier is slow to import
    from copier.errors import (  # noqa: PLC0415
        CopierAnswersInterrupt,
        InteractiveSessionError,
    )

    try:
        with warnings.catch_warnings():
            # Copier warns about a dirty or untagged source checkout: noise for users.
            warnings.simplefilter("ignore")
            worker = run_copy(
                str(source or template_root()),
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
    return {key: value for key, value in worker.answers.combined.items() if not key.startswith("_")}


def _answer_error(error: ValueError) -> InvalidAnswerError:
    text = str(error).strip()
    for pattern in (_VALIDATION_ERROR, _CHOICE_ERROR):
        match = pattern.fullmatch(text)
        if match:
            message = " ".join(match["message"].split())
            return InvalidAnswerError(
                message, f"give another value with --data {match['name']}=VALUE"
            )
    return InvalidAnswerError(
        " ".join(text.split()), "check the answers given with --data / --data-file"
    )

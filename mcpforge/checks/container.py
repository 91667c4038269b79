"""Container check: the image builds and its HEALTHCHECK reports healthy.

The family runs only when asked for (`--container`, `--only container`), so an engine that
is missing or does not answer is a failure with a hint, never a silent skip.
"""

from __future__ import annotations

import secrets
import shutil
import time
from dataclasses import dataclass

from mcpforge.checks.base import Context, Outcome, check, failed, passed, skipped, tail
from mcpforge.checks.runtime import _auth_env, features

HEALTHY_TIMEOUT = 180.0
# Seconds a just-started container may report no health status before that counts as none.
NO_STATUS_GRACE = 30.0
# How each engine answers when its daemon/service is reachable; docker's template fails on
# podman (no .ServerVersion there) and the other way round.
_PROBES: tuple[tuple[str, str], ...] = (
    ("docker", "{{.ServerVersion}}"),
    ("podman", "{{.Version.Version}}"),
)
ENGINE_HINT = (
    "install and start Docker (`docker info` must answer) or Podman (`podman info`), "
    "or leave out --container"
)


@dataclass(frozen=True)
class Engine:
    """A container engine that answered: its program, its name and its version."""

    program: str
    name: str
    version: str


def engine(context: Context) -> tuple[Engine | None, str]:
    """The first engine that answers (docker, then podman), or None and why none did."""
    reasons = []
    for name, template in _PROBES:
        program = shutil.which(name)
        if program is None:
            reasons.append(f"{name} is not installed")
            continue
        result = context.run([program, "info", "--format", template], timeout=30)
        if result.returncode == 0 and result.stdout.strip():
            return Engine(program, name, result.stdout.strip()), ""
        first = ((result.stderr or result.stdout).strip().splitlines() or ["no answer"])[0]
        reasons.append(f"{name} does not answer ({first[:160]})")
    return None, "; ".join(reasons)


def run_environment(context: Context) -> dict[str, str]:
    """What the container needs to start: a throwaway API key and throwaway secrets."""
    env = {
        name.strip().upper(): f"mcpforge-check-{secrets.token_hex(8)}"
        for name in str(context.answers.get("secret_env_vars") or "").split(",")
        if name.strip()
    }
    if features(context.root, context.answers).auth:
        env.update(_auth_env(context.root, context.answers, secrets.token_urlsafe(24)))
    return env


@check(
    "MF701",
    "container",
    "The image builds and its HEALTHCHECK reports healthy",
    "run `docker build -t app . && docker run app` and read the logs; the HEALTHCHECK "
    "must succeed within its start period",
)
def image_healthy(context: Context) -> Outcome:
    if not context.path("Dockerfile").is_file():
        return skipped("no Dockerfile in this project")
    found, reason = engine(context)
    if found is None:
        return failed(f"no container engine answers: {reason}\nhint: {ENGINE_HINT}")
    program = found.program
    tag = f"mcpforge-check-{secrets.token_hex(4)}"
    context.progress(f"image build ({found.name} {found.version})")
    # Podman writes OCI images by default, which have no HEALTHCHECK: ask for docker's.
    format_option = ["--format", "docker"] if found.name == "podman" else []
    built = context.run([program, "build", *format_option, "-q", "-t", tag, "."], timeout=1800)
    if built.returncode != 0:
        return failed(
            "image build failed:\n" + tail(built.stdout + built.stderr), file="Dockerfile"
        )
    context.cleanup.callback(context.run, [program, "rmi", "-f", tag], timeout=120)
    env = run_environment(context)
    # `-e NAME` takes the value from our environment: no secret on a command line.
    passed_env = [option for name in sorted(env) for option in ("-e", name)]
    started = context.run(
        [program, "run", "-d", "--name", tag, *passed_env, tag], timeout=120, extra_env=env
    )
    if started.returncode != 0:
        return failed("the container does not start:\n" + tail(started.stderr))
    context.cleanup.callback(context.run, [program, "rm", "-f", "-t", "0", tag], timeout=120)
    context.progress("waiting for healthy")
    began = time.monotonic()
    status = ""
    while time.monotonic() - began < HEALTHY_TIMEOUT:
        if found.name == "podman":
            # Podman runs health checks from systemd timers; where there is no systemd
            # (most CI containers) nothing would: run it ourselves, as the timer would.
            context.run([program, "healthcheck", "run", tag], timeout=60)
        inspect = context.run(
            [program, "inspect", "--format", "{{.State.Health.Status}}", tag], timeout=30
        )
        status = inspect.stdout.strip()
        if status == "healthy":
            return passed(
                f"{found.name} {found.version}: healthy after {time.monotonic() - began:.0f} s"
            )
        if status == "unhealthy":
            break
        if (inspect.returncode != 0 or not status) and time.monotonic() - began > NO_STATUS_GRACE:
            break  # no health status at all: the image has no HEALTHCHECK, or the engine lost it
        time.sleep(1)
    logs = context.run([program, "logs", "--tail", "20", tag], timeout=30)
    return failed(
        f"health status {status or 'unknown (no HEALTHCHECK?)'}:\n"
        + tail(logs.stdout + logs.stderr)
    )

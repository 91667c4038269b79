"""Container check: the image builds and its HEALTHCHECK reports healthy."""

from __future__ import annotations

import secrets
import shutil
import time

from mcpforge.checks.base import Context, Outcome, check, failed, passed, skipped, tail

HEALTHY_TIMEOUT = 120.0


def engine(context: Context) -> tuple[str | None, str]:
    """A reachable container engine (docker or podman), or None and why not."""
    reasons = []
    for name in ("docker", "podman"):
        program = shutil.which(name)
        if program is None:
            reasons.append(f"{name} is not installed")
            continue
        result = context.run([program, "info", "--format", "{{.ServerVersion}}"], timeout=15)
        if result.returncode == 0:
            return program, ""
        first = (result.stderr.strip().splitlines() or ["no answer"])[0]
        reasons.append(f"{name} engine not reachable ({first[:120]})")
    return None, "; ".join(reasons)


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
    program, reason = engine(context)
    if program is None:
        return skipped(f"no container engine: {reason}")
    tag = f"mcpforge-check-{secrets.token_hex(4)}"
    context.progress("image build")
    built = context.run([program, "build", "-q", "-t", tag, "."], timeout=900)
    if built.returncode != 0:
        return failed(
            "image build failed:\n" + tail(built.stdout + built.stderr), file="Dockerfile"
        )
    context.cleanup.callback(context.run, [program, "rmi", "-f", tag], timeout=60)
    started = context.run([program, "run", "-d", "--name", tag, tag], timeout=60)
    if started.returncode != 0:
        return failed("the container does not start:\n" + tail(started.stderr))
    context.cleanup.callback(context.run, [program, "rm", "-f", tag], timeout=60)
    context.progress("waiting for healthy")
    deadline = time.monotonic() + HEALTHY_TIMEOUT
    status = ""
    while time.monotonic() < deadline:
        inspect = context.run(
            [program, "inspect", "--format", "{{.State.Health.Status}}", tag], timeout=30
        )
        status = inspect.stdout.strip()
        if status == "healthy":
            return passed(f"healthy after {HEALTHY_TIMEOUT - (deadline - time.monotonic()):.0f} s")
        if status == "unhealthy" or inspect.returncode != 0:
            break
        time.sleep(1)
    logs = context.run([program, "logs", "--tail", "20", tag], timeout=30)
    return failed(f"health status {status or 'unknown'}:\n" + tail(logs.stdout + logs.stderr))

"""The exact file list a set of answers must render: one rule per conditional file."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# The kustomize base and its overlays, under deploy/k8s.
K8S_FILES = (
    "base/kustomization.yaml",
    "base/configmap.yaml",
    "base/deployment.yaml",
    "base/service.yaml",
    "base/hpa.yaml",
    "base/pdb.yaml",
    "base/networkpolicy.yaml",
    "base/ingress.yaml",
    "overlays/dev/kustomization.yaml",
    "overlays/dev/namespace.yaml",
    "overlays/prod/kustomization.yaml",
    "overlays/prod/namespace.yaml",
)


def expected_files(answers: Mapping[str, Any]) -> set[str]:
    package = answers["package_name"]
    http = answers["transport"] != "stdio"
    stdio = answers["transport"] != "http"
    docker = http and answers.get("docker", False)
    compose = docker and answers.get("compose", False)
    files = {
        ".copier-answers.yml",
        ".env.example",
        ".gitignore",
        ".pre-commit-config.yaml",
        ".python-version",
        "README.md",
        "pyproject.toml",
        f"src/{package}/__init__.py",
        f"src/{package}/__main__.py",
        f"src/{package}/config.py",
        f"src/{package}/logs.py",
        f"src/{package}/redaction.py",
        f"src/{package}/server.py",
        f"src/{package}/plumbing.py",
        f"src/{package}/deadlines.py",
        f"src/{package}/cli.py",
        f"src/{package}/tools/__init__.py",
        "tests/conftest.py",
        "tests/test_server.py",
        "tests/test_config.py",
        "tests/test_protocol.py",
    }
    rules: dict[str, bool] = {
        "tests/test_stdio.py": stdio,
        "tests/test_http.py": http,
        "Dockerfile": docker,
        ".dockerignore": docker,
        "compose.yaml": compose,
        "LICENSE": answers["license"] != "Proprietary",
        ".github/workflows/ci.yml": answers["ci"] == "github",
        ".github/workflows/release.yml": answers["ci"] == "github",
        ".github/workflows/template-update.yml": answers["ci"] == "github",
        ".gitlab-ci.yml": answers["ci"] == "gitlab",
        "server.json": answers["license"] != "Proprietary",
        "manifest.json": stdio,
        ".mcpbignore": stdio,
        "renovate.json": answers.get("update_bot", "renovate") == "renovate",
        ".github/dependabot.yml": answers.get("update_bot") == "dependabot",
    }
    # Data and scale-out.
    database = answers.get("database", "none") != "none"
    cache = answers.get("cache", False)
    kubernetes = docker and answers.get("kubernetes", False)
    rules.update(
        {
            f"src/{package}/db.py": database,
            "tests/test_notes.py": database,
            f"src/{package}/cache.py": cache,
            f"src/{package}/upstream.py": cache,
            "tests/test_lookup.py": cache,
            "tests/test_scale.py": http,
            "tests/test_startup.py": http,
            "deploy/nginx/nginx.conf": compose and answers.get("load_balancer", False),
        }
    )
    # Security and observability (HTTP only).
    auth = http and answers.get("auth", "none") != "none"
    rate_limit = http and answers.get("rate_limit", False)
    metrics = http and answers.get("metrics", False)
    rules.update(
        {
            f"src/{package}/app.py": http,
            f"src/{package}/card.py": http,
            f"src/{package}/middleware.py": http,
            f"src/{package}/readiness.py": http,
            f"src/{package}/connections.py": http,
            f"src/{package}/workers.py": http,
            f"src/{package}/events.py": http and (answers.get("rate_limit", False) or cache),
            "tests/test_security.py": http,
            "tests/test_observability.py": http,
            f"src/{package}/auth.py": auth,
            f"src/{package}/policies.py": auth or rate_limit,
            f"src/{package}/calls.py": auth or rate_limit,
            "tests/test_scopes.py": auth,
            f"src/{package}/challenges.py": auth,
            "tests/test_auth.py": auth,
            f"src/{package}/ratelimit.py": rate_limit,
            "tests/test_ratelimit.py": rate_limit,
            f"src/{package}/metrics.py": metrics,
            "monitoring/alerts.yml": metrics,
            "monitoring/alerts.test.yml": metrics,
            f"src/{package}/telemetry.py": http and answers.get("opentelemetry", False),
        }
    )
    for manifest in K8S_FILES:
        rules[f"deploy/k8s/{manifest}"] = kubernetes
    files.update(name for name, wanted in rules.items() if wanted)
    return files

"""The template's release history as a git repository: one commit and tag per version.

Generated projects record the public repository URL (`_src_path`) and the version tag
(`_commit`) of the template they came from. To update offline, mcpforge carries every
released version of the template: the wheel holds a small git bundle (built by
hatch_build.py with `build_bundle`); a development checkout builds the same history on
the fly (`build_history`), so both always agree.

Releases come from the repository's own history, not from tags: each version older than
the current one is released at the last commit (on the first-parent line of HEAD) at
which mcpforge/_version.py (before it, mcpforge/__init__.py) carried it, so a version-bump
commit is all a release needs.
The current version is the template files on disk. Tags are an optional cross-check:
`release_problems` reports a `v*` tag whose template differs from the derived release,
and a template changed since the current version was released without a new version
and a CHANGELOG section (the test suite runs it; see docs/releasing.md).

Each history commit holds only `copier.yml` and `template/`, so the bundle stays a few KB.
This module uses nothing but the standard library, git, `packaging` and mcpforge.errors
(standard library only), because the wheel's build hook loads it by path, outside
mcpforge's own environment (with the source tree on sys.path).
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from packaging.version import InvalidVersion, Version

from mcpforge.errors import HistoryError

PUBLIC_URL = "https://github.com/mcpforge/mcpforge.git"
BUNDLE_NAME = "history.bundle"
TEMPLATE_PATHS = ("copier.yml", "template")
VERSION_FILE = "mcpforge/_version.py"
# Where `__version__` lived before mcpforge/_version.py: older commits carry it there.
OLD_VERSION_FILE = "mcpforge/__init__.py"
CHANGELOG = "CHANGELOG.md"
_VERSION_LINE = re.compile(r"^__version__\s*=\s*[\"']([^\"']+)[\"']", re.M)
# Never part of a template version; copier would skip them when rendering anyway.
_SKIPPED_NAMES = frozenset({"__pycache__", ".DS_Store", ".git"})
_SKIPPED_SUFFIXES = (".pyc", ".pyo")
_IDENTITY = {
    "GIT_AUTHOR_NAME": "mcpforge",
    "GIT_AUTHOR_EMAIL": "mcpforge@users.noreply.github.com",
    "GIT_COMMITTER_NAME": "mcpforge",
    "GIT_COMMITTER_EMAIL": "mcpforge@users.noreply.github.com",
}
# 1980-01-01, the earliest date a zip (wheel) can hold: reproducible builds by default.
_DEFAULT_EPOCH = "315532800"


def version_tag(version: str) -> str:
    """The tag naming a template version: `v` + the mcpforge version."""
    return f"v{version}"


def tag_version(tag: str) -> Version | None:
    """The version a tag names, or None when it is not a `v<version>` tag."""
    if not tag.startswith("v"):
        return None
    try:
        return Version(tag[1:])
    except InvalidVersion:
        return None


@dataclass(frozen=True)
class TemplateHistory:
    """Where the template versions come from, and which one is current.

    `source` is a git bundle or repository holding one `v<version>` tag per version (the
    wheel's bundle, or a test's own template repository). `checkout` is instead a folder
    holding copier.yml and template/ (a development checkout, with or without git): its
    files are the current version, its `v*` tags the older ones.
    """

    current: str
    source: Path | None = None
    checkout: Path | None = None
    url: str = PUBLIC_URL

    @property
    def current_tag(self) -> str:
        return version_tag(self.current)

    def materialize(self, into: Path) -> Path:
        """Make a bare git repository at `into` holding every version as a tag."""
        if self.source is not None:
            _git("init", "-q", "--bare", str(into))
            _git(
                "fetch", "-q", "--no-tags", str(self.source.absolute()),
                "+refs/tags/v*:refs/tags/v*", cwd=into,
            )  # fmt: skip
        elif self.checkout is not None:
            build_history(into, checkout=self.checkout, current=self.current)
        else:
            raise HistoryError("a template history needs a source or a checkout")
        return into


def list_tags(repo: Path) -> list[str]:
    """The version tags of a history repository, oldest first."""
    output = _git("tag", "--list", "v*", cwd=repo)
    tags = [(version, tag) for tag in output.split() if (version := tag_version(tag))]
    return [tag for _, tag in sorted(tags)]


def read_file(repo: Path, tag: str, path: str) -> str:
    """The text of `path` in the template version `tag`."""
    return _git("show", f"{tag}:{path}", cwd=repo)


@dataclass(frozen=True)
class Release:
    """A released template version: the last commit carrying it, and the first."""

    version: Version
    commit: str  # the last commit at which VERSION_FILE carried `version`: its release
    first: str  # the commit that brought `version` in (a bump, or the first commit)

    @property
    def tag(self) -> str:
        return version_tag(str(self.version))


def version_of(text: str) -> Version | None:
    """The `__version__` a VERSION_FILE (or OLD_VERSION_FILE) text carries, or None."""
    match = _VERSION_LINE.search(text)
    if match is None:
        return None
    try:
        return Version(match[1])
    except InvalidVersion:
        return None


def derive_releases(checkout: Path, *, complete: bool = False) -> list[Release]:
    """Every version VERSION_FILE (before it, OLD_VERSION_FILE) carried on HEAD's
    first-parent line, oldest first.

    A version's release is the last commit carrying it; when a version came back later
    (a reverted bump), its last stretch counts. Empty when the checkout has no git.
    With `complete` (building a wheel), a shallow clone is refused: its older versions
    are missing; a development checkout makes do with the commits it has.
    """
    if _git_dir_of(checkout) is None:
        return []
    shallow = _git("rev-parse", "--is-shallow-repository", cwd=checkout).strip() == "true"
    if complete and shallow:
        raise HistoryError(
            f"{checkout} is a shallow clone: its older template versions are missing "
            "(fetch them with `git fetch --unshallow`, or `fetch-depth: 0` in CI)"
        )
    try:
        commits = _git("rev-list", "--first-parent", "--reverse", "HEAD", cwd=checkout).split()
    except HistoryError:
        return []  # no commit yet
    # One git process for every commit: the blobs of VERSION_FILE and OLD_VERSION_FILE at
    # each (a missing one reads "missing"); VERSION_FILE wins where both carry a version.
    files = (VERSION_FILE, OLD_VERSION_FILE)
    checked = _git(
        "cat-file", "--batch-check=%(objectname) %(objecttype)", cwd=checkout,
        stdin="".join(f"{commit}:{name}\n" for commit in commits for name in files),
    ).splitlines()  # fmt: skip
    versions: dict[str, Version | None] = {}
    runs: dict[Version, Release] = {}
    previous: Version | None = None
    for index, commit in enumerate(commits):
        version = None
        for line in checked[index * len(files) : (index + 1) * len(files)]:
            blob, _, kind = line.partition(" ")
            if kind != "blob":
                continue
            if blob not in versions:
                versions[blob] = version_of(_git("cat-file", "blob", blob, cwd=checkout))
            version = versions[blob]
            if version is not None:
                break
        if version is None:
            previous = None
            continue
        if version != previous:
            runs[version] = Release(version, commit, commit)
        else:
            runs[version] = Release(version, commit, runs[version].first)
        previous = version
    return sorted(runs.values(), key=lambda release: release.version)


def build_history(repo: Path, *, checkout: Path, current: str, complete: bool = False) -> list[str]:
    """Create the bare history repository `repo` from a template checkout.

    Every version older than `current` that the checkout's history released (see
    `derive_releases`) becomes one commit holding only copier.yml and template/ as they
    were at its release; the checkout's files on disk become the commit of `current`,
    so what a development checkout renders is what its history says that version is.
    """
    _git("init", "-q", "--bare", str(repo))
    current_version = Version(current)
    parent: str | None = None
    made: list[str] = []
    common = _git_dir_of(checkout)
    if common is not None:
        # Borrow the checkout's objects instead of copying them.
        alternates = repo / "objects" / "info" / "alternates"
        alternates.write_text(f"{common / 'objects'}\n", encoding="utf-8")
        for release in derive_releases(checkout, complete=complete):
            if release.version >= current_version:
                continue
            tree = _template_tree(checkout, repo, release.commit)
            if tree is None:
                continue
            date = _git("log", "-1", "--format=%ct", release.commit, cwd=checkout).strip()
            parent = _commit(repo, tree, parent, release.tag, date)
            made.append(release.tag)
    tree = _tree_of_files(repo, checkout)
    date = os.environ.get("SOURCE_DATE_EPOCH", _DEFAULT_EPOCH)
    _commit(repo, tree, parent, version_tag(current), date)
    made.append(version_tag(current))
    return made


def release_problems(checkout: Path, *, current: str) -> list[str]:
    """What is wrong with the releases of `checkout`, one sentence each (empty: all good).

    - The template (copier.yml, template/) on disk differs from the one the current
      version was released with (its bump commit) while the version is unchanged. The
      very first version is exempt: before any bump its release is its latest commit,
      as nothing published can disagree with it yet.
    - The current version is not newer than every version released before it.
    - The current version is a bump, but CHANGELOG.md has no `## [X.Y.Z]` section for it.
    - A `v*` tag whose template differs from the release derived for its version, or that
      names a version mcpforge never carried (tags are only a cross-check).
    """
    problems: list[str] = []
    current_version = Version(current)
    releases = derive_releases(checkout)
    if not releases:
        return problems
    by_version = {release.version: release for release in releases}
    older = [release for release in releases if release.version < current_version]
    newer = [release for release in releases if release.version > current_version]
    this = by_version.get(current_version)
    bump = f"bump __version__ in {VERSION_FILE} and add its `## [X.Y.Z]` section to "
    bump += "CHANGELOG.md in the same commit (docs/releasing.md)"
    if newer:
        problems.append(
            f"version {current} is older than {newer[-1].version}, released at "
            f"{newer[-1].commit[:12]}: versions must only go up; {bump}"
        )
    with tempfile.TemporaryDirectory(prefix="mcpforge-guard-") as work:
        repo = Path(work) / "trees.git"
        _git("init", "-q", "--bare", str(repo))
        common = _git_dir_of(checkout)
        assert common is not None  # noqa: S101 - releases came from its git history
        (repo / "objects" / "info" / "alternates").write_text(
            f"{common / 'objects'}\n", encoding="utf-8"
        )
        on_disk = _tree_of_files(repo, checkout)
        if this is not None and older and _template_tree(checkout, repo, this.first) != on_disk:
            problems.append(
                f"copier.yml or template/ changed since {current} was released "
                f"(commit {this.first[:12]}), but the version is still {current}: {bump}"
            )
        if older and not _has_changelog_section(checkout, current):
            problems.append(
                f"CHANGELOG.md has no `## [{current}]` section: move the Unreleased "
                f"entries under `## [{current}] - YYYY-MM-DD` (docs/releasing.md)"
            )
        for tag in _git("tag", "--list", "v*", cwd=checkout).split():
            version = tag_version(tag)
            if version is None:
                continue
            tagged = _template_tree(checkout, repo, tag)
            expected: str | None
            if version == current_version:
                expected = on_disk
                where = "the files on disk"
            elif version in by_version:
                expected = _template_tree(checkout, repo, by_version[version].commit)
                where = f"its release, commit {by_version[version].commit[:12]}"
            else:
                problems.append(
                    f"tag {tag} names a version {VERSION_FILE} never carried: "
                    f"delete it (`git tag -d {tag}`) or ignore it, the history does not use it"
                )
                continue
            if tagged != expected:
                problems.append(
                    f"tag {tag} disagrees with {where}: the template changed after "
                    f"{version} was tagged; {bump}"
                )
    return problems


def _has_changelog_section(checkout: Path, version: str) -> bool:
    path = checkout / CHANGELOG
    if not path.is_file():
        return False
    heading = re.compile(rf"^## \[{re.escape(version)}\]", re.M)
    return heading.search(path.read_text(encoding="utf-8")) is not None


def write_bundle(repo: Path, bundle: Path) -> None:
    """Write every version tag of `repo` into the git bundle file `bundle`."""
    bundle.parent.mkdir(parents=True, exist_ok=True)
    _git("bundle", "create", "-q", str(bundle.absolute()), "--tags=v*", cwd=repo)


def build_bundle(checkout: Path, bundle: Path, *, current: str) -> list[str]:
    """Build the history of `checkout` and write it as `bundle`; return its tags.

    For a wheel: a shallow clone is refused, as its older versions would be missing.
    """
    with tempfile.TemporaryDirectory(prefix="mcpforge-history-") as work:
        repo = Path(work) / "history.git"
        tags = build_history(repo, checkout=checkout, current=current, complete=True)
        write_bundle(repo, bundle)
    return tags


def _git_dir_of(checkout: Path) -> Path | None:
    """The git directory of `checkout` when it is the top of a git work tree."""
    try:
        top = _git("rev-parse", "--show-toplevel", cwd=checkout).strip()
    except HistoryError:
        return None
    if Path(top).resolve() != checkout.resolve():
        return None
    common = _git("rev-parse", "--git-common-dir", cwd=checkout).strip()
    return (checkout / common).resolve()


def _template_tree(checkout: Path, repo: Path, ref: str) -> str | None:
    """A tree of `repo` holding copier.yml and template/ as they are at `ref` (None if absent)."""
    listing = _git("ls-tree", "-z", f"{ref}^{{tree}}", "--", *TEMPLATE_PATHS, cwd=checkout)
    entries = [entry for entry in listing.split("\0") if entry]
    if not any(entry.endswith("\tcopier.yml") for entry in entries):
        return None
    return _git("mktree", "-z", cwd=repo, stdin="\0".join(entries) + "\0").strip()


def _template_files(checkout: Path) -> list[Path]:
    checkout = checkout.absolute()
    files: list[Path] = []
    for top in TEMPLATE_PATHS:
        root = checkout / top
        if root.is_file():
            files.append(root)
            continue
        for folder, dirnames, filenames in os.walk(root):
            dirnames[:] = sorted(name for name in dirnames if name not in _SKIPPED_NAMES)
            files.extend(
                Path(folder, name)
                for name in sorted(filenames)
                if name not in _SKIPPED_NAMES and not name.endswith(_SKIPPED_SUFFIXES)
            )
    if not files or files[0].name != "copier.yml":
        raise HistoryError(f"{checkout} holds no copier.yml: it is not a template checkout")
    return files


def _tree_of_files(repo: Path, checkout: Path) -> str:
    """Write the template files on disk as a tree object of `repo`."""
    checkout = checkout.absolute()
    files = _template_files(checkout)
    regular = [path for path in files if not path.is_symlink()]
    shas = _git(
        "hash-object", "-w", "--no-filters", "--stdin-paths", cwd=repo,
        stdin="".join(f"{path}\n" for path in regular),
    ).split()  # fmt: skip
    entries = dict(zip(regular, shas, strict=True))
    lines = []
    for path in files:
        relative = path.relative_to(checkout).as_posix()
        if path.is_symlink():
            sha = _git("hash-object", "-w", "--stdin", cwd=repo, stdin=str(path.readlink())).strip()
            lines.append(f"120000 {sha}\t{relative}")
        else:
            mode = "100755" if os.access(path, os.X_OK) else "100644"
            lines.append(f"{mode} {entries[path]}\t{relative}")
    with tempfile.TemporaryDirectory(prefix="mcpforge-index-") as work:
        env = {"GIT_INDEX_FILE": str(Path(work) / "index")}
        _git("update-index", "--add", "--index-info", cwd=repo, env=env, stdin="\n".join(lines))
        return _git("write-tree", cwd=repo, env=env).strip()


def _commit(repo: Path, tree: str, parent: str | None, tag: str, date: str) -> str:
    dates = {"GIT_AUTHOR_DATE": f"@{date} +0000", "GIT_COMMITTER_DATE": f"@{date} +0000"}
    parents = ["-p", parent] if parent else []
    commit = _git(
        "commit-tree", tree, *parents, "-m", f"mcpforge template {tag}", cwd=repo,
        env={**_IDENTITY, **dates},
    ).strip()  # fmt: skip
    _git("tag", "-f", tag, commit, cwd=repo)
    return commit


def _git(
    *args: str,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    stdin: str | None = None,
) -> str:
    full_env = {**os.environ, **(env or {})}
    # The history is ours: never let a user's hooks, signing or fsmonitor get involved.
    config: Iterable[str] = ("-c", "core.hooksPath=/dev/null", "-c", "tag.gpgSign=false")
    try:
        result = subprocess.run(
            ["git", *config, *args],
            cwd=cwd,
            env=full_env,
            input=stdin,
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        raise HistoryError(
            "git is not installed: mcpforge needs it to update projects",
            "install git (`apt install git`, `brew install git`), then run mcpforge again",
        ) from None
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise HistoryError(f"git {args[0]} failed: {detail}")
    return result.stdout

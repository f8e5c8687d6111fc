"""``summarizer cassettes check``: find cassettes that are stale or unused.

Stale: an interaction was recorded with a prompt template or draft schema whose hash
differs from the current one.  Unused: no file of the project names the cassette.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from summarizer.cassette import RERECORD_HINT, read_interactions
from summarizer.drafts import EventsDraft, FactsDraft, model_schema_sha256
from summarizer.errors import SummarizerError
from summarizer.prompt import load_template

REFERENCE_SUFFIXES = frozenset({".py", ".md", ".sh", ".yaml", ".yml", ".toml", ".json", ".txt", ""})


@dataclass
class CassetteReport:
    """What is wrong with one cassette, if anything."""

    path: Path
    stale: list[str] = field(default_factory=list)
    unused: bool = False
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Neither stale, unused nor unreadable."""
        return not self.stale and not self.unused and self.error is None


def current_schema_hashes() -> dict[str, str]:
    """Short hashes of the draft schemas, as sent in request headers."""
    return {model.__name__: model_schema_sha256(model)[:16] for model in (FactsDraft, EventsDraft)}


def _template_hash(name: str, prompts_dir: Path | None, cache: dict[str, str | None]) -> str | None:
    if name not in cache:
        try:
            cache[name] = load_template(name, prompts_dir).sha256[:16]
        except SummarizerError:
            cache[name] = None
    return cache[name]


def stale_reasons(path: Path, prompts_dir: Path | None = None) -> list[str]:
    """Why a cassette no longer matches the current templates and schema (empty when it does)."""
    schemas = current_schema_hashes()
    templates: dict[str, str | None] = {}
    reasons: list[str] = []
    for interaction in read_interactions(path):
        for name, digest in interaction.templates.items():
            now = _template_hash(name, prompts_dir, templates)
            if now is None:
                reasons.append(f"prompt template {name} no longer exists")
            elif now != digest:
                reasons.append(f"prompt template {name} changed since recording")
        for name, digest in interaction.schema.items():
            if name in schemas and schemas[name] != digest:
                reasons.append(f"schema {name} changed since recording")
    return list(dict.fromkeys(reasons))


def _referenced_names(roots: Iterable[Path], cassette_paths: set[Path]) -> str:
    chunks: list[str] = []
    for root in roots:
        files = [root] if root.is_file() else sorted(root.rglob("*")) if root.is_dir() else []
        for file in files:
            if file.is_file() and file.suffix in REFERENCE_SUFFIXES and file.resolve() not in cassette_paths:
                try:
                    chunks.append(file.read_text(encoding="utf-8", errors="ignore"))
                except OSError:
                    continue
    return "\n".join(chunks)


def check_cassettes(
    cassettes: list[Path], reference_roots: list[Path], prompts_dir: Path | None = None
) -> list[CassetteReport]:
    """Check each cassette for staleness, and for a reference from the project's files."""
    resolved = {c.resolve() for c in cassettes}
    references = _referenced_names(reference_roots, resolved)
    reports = []
    for cassette in cassettes:
        report = CassetteReport(cassette)
        try:
            report.stale = stale_reasons(cassette, prompts_dir)
        except SummarizerError as exc:
            report.error = str(exc)
        report.unused = cassette.stem not in references
        reports.append(report)
    return reports


def find_cassettes(paths: list[Path]) -> list[Path]:
    """YAML cassettes under the given files and directories."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*.yaml") if p.is_file()))
        elif path.suffix in (".yaml", ".yml") and path.is_file():
            found.append(path)
    return found


def describe(report: CassetteReport) -> str:
    """One line for the terminal."""
    if report.error:
        return f"{report.path}: unreadable: {report.error}"
    parts = [f"stale: {reason}" for reason in report.stale]
    if report.unused:
        parts.append("unused: no project file names it")
    if not parts:
        return f"{report.path}: ok"
    hint = f" (re-record with {RERECORD_HINT})" if report.stale else ""
    return f"{report.path}: " + "; ".join(parts) + hint

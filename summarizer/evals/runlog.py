"""The versioned run log: everything needed to re-score a run without calling the model."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata
import subprocess
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from summarizer.errors import ConfigError
from summarizer.schema import ErrorInfo, TemplateInfo, Usage

RUN_LOG_VERSION = 1
TRACKED_PACKAGES = ("summarizer", "openai", "instructor", "pydantic", "llama_cpp_python", "rapidfuzz", "scipy")


class CaseRef(BaseModel):
    """A case file used by the run."""

    id: str = Field(description="Case id.")
    path: str = Field(description="Path of the case file.")
    sha256: str = Field(description="Hash of the case file when the run was made.")


class RunSpec(BaseModel):
    """What produced the run."""

    created_at: str = Field(description="UTC time of the run.")
    git_revision: str | None = Field(description="HEAD commit, if in a git checkout.")
    git_dirty: bool | None = Field(description="Uncommitted changes were present.")
    model: str | None = Field(description="Model name.")
    endpoint_kind: str | None = Field(description="Endpoint kind.")
    mode: str | None = Field(description="instructor mode.")
    templates: list[TemplateInfo] = Field(description="Prompt templates and hashes.")
    schema_version: str = Field(description="Output schema version.")
    schema_sha256: str = Field(description="Hash of the draft schemas.")
    packages: dict[str, str] = Field(description="Versions of the packages that matter.")
    config: str = Field(description="Eval config path.")
    cases: list[CaseRef] = Field(description="Case files.")
    record_mode: str = Field(description="Cassette record mode used.")
    strategy: str = Field(default="llm", description="Extraction strategy of the run: llm or evidence.")
    cassettes: str = Field(description="Cassette directory.")
    sampling: dict[str, Any] = Field(
        default_factory=dict, description="Sampling and re-ask settings of the run (temperature, seed ...)."
    )
    outputs: list[str] = Field(
        default_factory=list, description="Output files scored by 'eval score' (empty for 'eval run')."
    )


class SampleLog(BaseModel):
    """One document's output, usage, error and scores."""

    id: str = Field(description="Case id.")
    document: str = Field(description="Document path.")
    document_sha256: str | None = Field(description="Hash of the document text, when it was read.")
    output: dict[str, Any] | None = Field(description="The summary record as written.")
    error: ErrorInfo | None = Field(description="Why the sample failed, if it did.")
    usage: Usage = Field(description="Tokens spent.")
    duration_s: float = Field(description="Wall time for this document.")
    scores: dict[str, dict[str, Any]] = Field(default_factory=dict, description="Scores at run time.")
    judge: dict[str, Any] | None = Field(default=None, description="Optional LLM judge result, kept apart.")
    scored_from: str | None = Field(
        default=None, description="For 'eval score': where the output was read and how it matched its case."
    )


class UnmatchedOutput(BaseModel):
    """A scored output whose document is in no case of the config."""

    output: str = Field(description="Where the record was read, e.g. 'out.jsonl line 3'.")
    source: str | None = Field(description="The document path the record names.")
    sha256: str | None = Field(description="Hash of the document text the record names.")

    def describe(self) -> str:
        """One line for people."""
        digest = f" (sha256 {self.sha256[:12]})" if self.sha256 else ""
        return f"{self.output}: {self.source or 'no source'}{digest}"


class RunLog(BaseModel):
    """A run of the eval dataset."""

    format: Literal["summarizer-eval-run"] = "summarizer-eval-run"
    version: int = Field(default=RUN_LOG_VERSION, description="Run log format version.")
    spec: RunSpec = Field(description="What produced the run.")
    samples: list[SampleLog] = Field(description="Per-document results.")
    unmatched: list[UnmatchedOutput] = Field(
        default_factory=list, description="Outputs given to 'eval score' that no case describes (not scored)."
    )


def now_utc() -> str:
    """Current UTC time, ISO 8601."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def file_sha256(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def git_state(directory: Path) -> tuple[str | None, bool | None]:
    """(HEAD revision, dirty flag) of the checkout holding ``directory``, or (None, None)."""
    try:
        revision = subprocess.run(["git", "rev-parse", "HEAD"], cwd=directory, capture_output=True, text=True,
                                  check=True, timeout=10).stdout.strip()  # fmt: skip
        status = subprocess.run(["git", "status", "--porcelain"], cwd=directory, capture_output=True, text=True,
                                check=True, timeout=10).stdout  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None, None
    return revision, bool(status.strip())


def package_versions() -> dict[str, str]:
    """Installed versions of the tracked packages."""
    versions = {}
    for name in TRACKED_PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return versions


def write_run_log(log: RunLog, path: Path) -> None:
    """Write the run log as JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(log.model_dump_json(indent=2) + "\n", encoding="utf-8")


def read_run_log(path: Path) -> RunLog:
    """Read a run log, checking its format and version."""
    try:
        data = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read run log {path}: {exc}") from exc
    try:
        log = RunLog.model_validate_json(data)
    except ValidationError as exc:
        raise ConfigError(f"{path} is not a summarizer run log: {exc.error_count()} errors") from exc
    if log.version != RUN_LOG_VERSION:
        raise ConfigError(f"{path}: run log version {log.version}, this summarizer reads {RUN_LOG_VERSION}")
    return log

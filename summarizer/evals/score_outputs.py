"""``eval score``: score records written by ``summarize`` against the cases of a config, with
no model and no cassette.

Each record is matched to a case by the sha256 of its document's text, as ``summarize`` read
it (``provenance.source.sha256``; the case's document is loaded the same way and hashed), and
only when no case has that hash, by path: the record's source path (a relative one taken from
the current directory, then from the output file's folder) against the case's document path,
both resolved. Error records carry no hash, so they match by path only. The outputs become a
:class:`RunLog`, so ``eval score`` and ``eval report`` share one scoring and rendering path.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from summarizer.errors import ConfigError, InputError
from summarizer.evals.report import Report, build_report
from summarizer.evals.runlog import (
    CaseRef,
    RunLog,
    RunSpec,
    SampleLog,
    UnmatchedOutput,
    file_sha256,
    now_utc,
    package_versions,
)
from summarizer.evals.samples import LoadedCase, load_cases
from summarizer.load import load_document
from summarizer.schema import SCHEMA_VERSION, ErrorInfo, ErrorRecord, TemplateInfo, Usage

OUTPUT_SUFFIXES = (".json", ".jsonl")
RECORD_KINDS = ("summary", "error")


@dataclass(frozen=True)
class OutputRecord:
    """One record as read from an output file (not validated: a schema-invalid summary is scored as invalid)."""

    where: str
    file: Path
    data: dict[str, Any]

    @property
    def is_error(self) -> bool:
        """An error record: the document failed."""
        return self.data.get("kind") == "error"

    @property
    def _source(self) -> dict[str, Any]:
        source = _provenance(self.data).get("source")
        return source if isinstance(source, dict) else {}

    @property
    def source(self) -> str | None:
        """The document path the record names."""
        value = self.data.get("source") if self.is_error else self._source.get("path")
        return value if isinstance(value, str) and value else None

    @property
    def sha256(self) -> str | None:
        """Hash of the document text the record was made from (summaries only)."""
        value = None if self.is_error else self._source.get("sha256")
        return value if isinstance(value, str) and value else None

    def candidate_paths(self) -> list[Path]:
        """Where the source path may point: as given, from here, then from the output's folder."""
        if self.source is None or self.source == "-":
            return []
        path = Path(self.source)
        if path.is_absolute():
            return [path.resolve()]
        return list(dict.fromkeys([path.resolve(), (self.file.parent / path).resolve()]))


def output_files(paths: Sequence[Path]) -> list[Path]:
    """Files to read: each file given, and the *.json and *.jsonl files directly inside each directory."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = [p for p in path.iterdir() if p.suffix.lower() in OUTPUT_SUFFIXES and not p.name.startswith(".")]
            files += sorted(p for p in found if p.is_file())
        elif path.exists():
            files.append(path)
        else:
            raise ConfigError(f"{path}: no such file or directory")
    return list(dict.fromkeys(files))


def _as_record(value: Any, where: str, file: Path) -> OutputRecord:
    if not isinstance(value, dict) or value.get("kind") not in RECORD_KINDS:
        raise ConfigError(f"{where}: not a summarizer record (a JSON object with kind 'summary' or 'error')")
    return OutputRecord(where, file, value)


def read_output_file(path: Path) -> list[OutputRecord]:
    """The records of one file: JSON Lines for *.jsonl, else one JSON record or an array of them."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text, so not a summarizer output") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from None
    if path.suffix.lower() != ".jsonl":
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ConfigError(f"{path}: not JSON ({exc})") from None
        if isinstance(data, list):
            return [_as_record(item, f"{path} item {i}", path) for i, item in enumerate(data, 1)]
        return [_as_record(data, str(path), path)]
    records = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except ValueError:
            raise ConfigError(f"{path} line {number}: not JSON (JSON Lines hold one record per line)") from None
        records.append(_as_record(value, f"{path} line {number}", path))
    return records


def read_outputs(paths: Sequence[Path]) -> tuple[list[Path], list[OutputRecord]]:
    """The files behind ``paths`` and every record in them; raises ConfigError when there is none."""
    files = output_files(paths)
    records = [record for file in files for record in read_output_file(file)]
    if not records:
        where = ", ".join(str(p) for p in paths)
        raise ConfigError(f"no outputs found in {where} (summarize records in *.json or *.jsonl files)")
    return files, records


@dataclass(frozen=True)
class CaseIndex:
    """The cases of a config by their document's text hash and by their document's path."""

    by_hash: dict[str, list[LoadedCase]]
    by_path: dict[Path, list[LoadedCase]]

    @classmethod
    def of(cls, cases: Sequence[LoadedCase]) -> CaseIndex:
        """Hash each case's document exactly as ``summarize`` would read it."""
        by_hash: dict[str, list[LoadedCase]] = {}
        by_path: dict[Path, list[LoadedCase]] = {}
        for loaded in cases:
            by_path.setdefault(loaded.document, []).append(loaded)
            try:
                digest = load_document(loaded.document).sha256
            except InputError:  # absent (an optional case) or unreadable: match by path only
                continue
            by_hash.setdefault(digest, []).append(loaded)
        return cls(by_hash, by_path)

    def match(self, record: OutputRecord) -> tuple[list[LoadedCase], str]:
        """The cases describing the record's document, and how they were found ('sha256', 'path' or '')."""
        if record.sha256 is not None and record.sha256 in self.by_hash:
            return self.by_hash[record.sha256], "sha256"
        for path in record.candidate_paths():
            if path in self.by_path:
                return self.by_path[path], "path"
        return [], ""


def _provenance(data: dict[str, Any]) -> dict[str, Any]:
    value = data.get("provenance")
    return value if isinstance(value, dict) else {}


def _duration(data: dict[str, Any]) -> float:
    provenance = _provenance(data)
    try:
        started = dt.datetime.fromisoformat(provenance["started_at"])
        finished = dt.datetime.fromisoformat(provenance["finished_at"])
    except (KeyError, TypeError, ValueError):
        return 0.0
    return max(0.0, (finished - started).total_seconds())


def _usage(value: Any) -> Usage:
    try:
        return Usage.model_validate(value or {})
    except ValidationError:
        return Usage()


def sample_log(record: OutputRecord, loaded: LoadedCase) -> SampleLog:
    """The run-log entry for one output: an error record is a failed sample."""
    if record.is_error:
        try:
            error = ErrorRecord.model_validate(record.data)
            info, usage = error.error, error.usage
        except ValidationError as exc:
            info = ErrorInfo(type="invalid_record", message=f"{record.where}: error record does not match the "
                             f"schema ({exc.error_count()} errors)")  # fmt: skip
            usage = Usage()
        return SampleLog(id=loaded.case.id, document=str(loaded.document), document_sha256=None, output=None,
                         error=info, usage=usage, duration_s=0.0)  # fmt: skip
    provenance = _provenance(record.data)
    return SampleLog(id=loaded.case.id, document=str(loaded.document), document_sha256=record.sha256,
                     output=record.data, error=None, usage=_usage(provenance.get("usage")),
                     duration_s=_duration(record.data))  # fmt: skip


def _distinct(records: Sequence[OutputRecord], *keys: str) -> str | None:
    """The distinct values of provenance[key] (or the record's own key) over the summaries, joined."""
    values = []
    for record in records:
        value: Any = record.data
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        if isinstance(value, str):
            values.append(value)
    return ", ".join(dict.fromkeys(values)) or None


def _templates(records: Sequence[OutputRecord]) -> list[TemplateInfo]:
    found: dict[tuple[str, str], TemplateInfo] = {}
    for record in records:
        listed = _provenance(record.data).get("templates")
        for item in listed if isinstance(listed, list) else []:
            try:
                info = TemplateInfo.model_validate(item)
            except ValidationError:
                continue
            found[(info.name, info.sha256)] = info
    return list(found.values())


def outputs_run_log(
    config_path: Path, paths: Sequence[Path], records: Sequence[OutputRecord]
) -> tuple[RunLog, list[str]]:
    """A run log of the outputs matched to the config's cases, and warnings about the matching."""
    _, cases = load_cases(config_path)
    index = CaseIndex.of(cases)
    samples: dict[str, SampleLog] = {}
    origin: dict[str, str] = {}
    unmatched: list[UnmatchedOutput] = []
    warnings: list[str] = []
    for record in records:
        matched, how = index.match(record)
        if not matched:
            unmatched.append(UnmatchedOutput(output=record.where, source=record.source, sha256=record.sha256))
            continue
        for loaded in matched:
            case_id = loaded.case.id
            if case_id in samples:
                raise ConfigError(f"{origin[case_id]} and {record.where} are both outputs for case {case_id}; "
                                  "score them separately")  # fmt: skip
            if how == "path" and record.sha256 is not None:
                warnings.append(f"{record.where} matched case {case_id} by path, but its text hash differs from "
                                f"the case's document (changed since it was summarized?)")  # fmt: skip
            samples[case_id], origin[case_id] = sample_log(record, loaded), record.where
            samples[case_id].scored_from = f"{record.where}, matched by {how}"
    if not samples:
        listed = "; ".join(u.describe() for u in unmatched)
        raise ConfigError(f"no output matches a case of {config_path}: {listed}")
    warnings += [f"case {c.case.id} has no output; not scored" for c in cases if c.case.id not in samples]
    used = [c for c in cases if c.case.id in samples]
    summaries = [r for r in records if not r.is_error]
    spec = RunSpec(
        created_at=now_utc(),
        git_revision=None,
        git_dirty=None,
        model=_distinct(summaries, "provenance", "model"),
        endpoint_kind=_distinct(summaries, "provenance", "endpoint_kind"),
        mode=_distinct(summaries, "provenance", "mode"),
        templates=_templates(summaries),
        schema_version=_distinct(records, "schema_version") or SCHEMA_VERSION,
        schema_sha256=_distinct(summaries, "provenance", "schema_sha256") or "n/a",
        packages=package_versions(),
        config=str(config_path.resolve()),
        cases=[CaseRef(id=c.case.id, path=str(c.path.resolve()), sha256=file_sha256(c.path)) for c in used],
        record_mode="none",
        cassettes="none (scored outputs, no model call)",
        outputs=[str(p) for p in paths],
    )
    ordered = [samples[c.case.id] for c in cases if c.case.id in samples]
    return RunLog(spec=spec, samples=ordered, unmatched=unmatched), warnings


def score_outputs(paths: Sequence[Path], config_path: Path) -> Report:
    """Read the outputs, match them to the config's cases, and score them as ``eval report`` would."""
    _, records = read_outputs(paths)
    run, warnings = outputs_run_log(config_path, paths, records)
    report = build_report(run)
    report.warnings += warnings
    return report

"""Stage 5: write records as JSON, JSON Lines or a Markdown report.

JSON Lines are written incrementally and flushed after each document, so nothing
finished is lost if a batch dies.  Whole files are written atomically.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from summarizer.errors import ConfigError
from summarizer.schema import SCHEMA_VERSION, ErrorRecord, EventRecord, Evidence, KeyFact, MatchKind, SummaryRecord

FORMATS = ("json", "jsonl", "md")
SUFFIX = {"json": ".json", "jsonl": ".jsonl", "md": ".md"}
Record = SummaryRecord | ErrorRecord
_RECORD_START = b'{"kind":'  # how every record line begins
MATCH_MARK = {
    MatchKind.exact: "exact",
    MatchKind.fuzzy: "fuzzy",
    MatchKind.altered: "ALTERED",
    MatchKind.unmatched: "NOT FOUND",
}


def record_json(record: Record, indent: int | None = 2) -> str:
    """One record as JSON."""
    return record.model_dump_json(indent=indent)


def render(records: Sequence[Record], fmt: str) -> str:
    """All records in one format: json (object, or array for several), jsonl, or md."""
    if fmt == "jsonl":
        return "".join(record_json(r, indent=None) + "\n" for r in records)
    if fmt == "md":
        return "\n\n---\n\n".join(markdown(r) for r in records) + "\n"
    if len(records) == 1:
        return record_json(records[0]) + "\n"
    return json.dumps([r.model_dump(mode="json") for r in records], indent=2, ensure_ascii=False) + "\n"


def write_atomic(path: Path, content: str) -> None:
    """Write a file so that it is either complete or untouched."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class JsonlWriter:
    """Appends one record per line and flushes after each."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream

    def write(self, record: Record) -> None:
        """Append one record and flush it to disk."""
        self.stream.write(record_json(record, indent=None) + "\n")
        self.stream.flush()
        with contextlib.suppress(OSError, ValueError, AttributeError):  # not every stream has a file
            os.fsync(self.stream.fileno())


def keep_finished(path: Path) -> list[SummaryRecord]:
    """For --resume: the summaries already in a JSONL file.

    Only this program's own lines are removed: its error records (those documents are
    retried) and a last line cut short by a crash. Any other line (pretty-printed JSON,
    records of another schema version, foreign text) raises :class:`ConfigError` and the
    file is left exactly as it was."""
    if not path.exists():
        return []
    data = path.read_bytes()
    lines = data.split(b"\n")
    finished: list[SummaryRecord] = []
    kept: list[str] = []
    for number, raw in enumerate(lines, 1):
        unterminated = number == len(lines)
        if not raw.strip():
            continue
        record = _resume_line(raw, unterminated)
        if record is None:
            continue
        if isinstance(record, SummaryRecord):
            finished.append(record)
            kept.append(raw.decode("utf-8"))
            continue
        raise ConfigError(
            f"{path} line {number}: {record}; "
            "--resume leaves the file as it is: move it away or choose another --output"
        )
    text = "".join(line + "\n" for line in kept)
    if text.encode("utf-8") != data:
        write_atomic(path, text)
    return finished


def _resume_line(raw: bytes, unterminated: bool) -> SummaryRecord | str | None:
    """One JSONL line read for --resume: a summary, None to drop it, or why it cannot be read."""
    try:
        obj = json.loads(raw.decode("utf-8"))
    except ValueError:
        if unterminated and (raw.startswith(_RECORD_START) or _RECORD_START.startswith(raw)):
            return None  # our last line, cut short by a crash
        return "not a JSON Lines record of summarizer (one JSON object per line)"
    kind = obj.get("kind") if isinstance(obj, dict) else None
    try:
        if kind == "error":
            ErrorRecord.model_validate(obj)
            return None  # retried
        return SummaryRecord.model_validate(obj)
    except ValueError:
        version = obj.get("schema_version") if isinstance(obj, dict) else None
        return f"not a record of this summarizer's schema {SCHEMA_VERSION} (found schema_version {version!r})"


def output_name(source: str, fmt: str, taken: set[str]) -> str:
    """File name for one document's output inside an output directory (unique within a run)."""
    stem = "stdin" if source == "-" else Path(source).stem or "document"
    name = stem + SUFFIX[fmt]
    counter = 2
    while name in taken:
        name = f"{stem}-{counter}{SUFFIX[fmt]}"
        counter += 1
    taken.add(name)
    return name


# --------------------------------------------------------------------------- markdown


def _quote_line(evidence: Evidence) -> str:
    where = f" [{evidence.start}:{evidence.end}]" if evidence.start is not None else ""
    score = f" {evidence.score:.0f}" if evidence.match is MatchKind.fuzzy and evidence.score is not None else ""
    changed = f" ({', '.join(evidence.altered)})" if evidence.altered else ""
    return f"> “{evidence.quote.strip()}” — *{MATCH_MARK[evidence.match]}{changed}{score}{where}*"


def _fact_lines(index: int, fact: KeyFact) -> list[str]:
    flag = "" if fact.grounded else " **(ungrounded)**"
    lines = [f"{index}. {fact.statement} — *{fact.attribution}, {fact.status}*{flag}"]
    lines += ["   " + _quote_line(e) for e in fact.evidence]
    return lines


def _event_lines(index: int, event: EventRecord) -> list[str]:
    date = event.date
    when = str(date.start) if date.start == date.end else f"{date.start} to {date.end}"
    loc = event.location
    where = ", ".join(p for p in (loc.place, loc.admin2, loc.admin1, loc.country) if p) or "unknown"
    lines = [
        f"### Event {index}: {event.event_type} / {event.sub_event_type}",
        "",
        f"- **When:** {when} (precision: {date.precision})",
        f"- **Where:** {where} (precision: {loc.precision})",
    ]
    if event.actors:
        lines.append("- **Actors:** " + "; ".join(f"{a.name} ({a.role})" for a in event.actors))
    if event.persons:
        lines.append("- **Persons:** " + "; ".join(f"{p.name}, {p.role}: {p.outcome}" for p in event.persons))
    for claim in event.casualty_claims:
        count = "/".join("?" if v is None else str(v) for v in (claim.low, claim.best, claim.high))
        lines.append(f"- **{claim.outcome.title()}** {claim.group}: {count} (low/best/high) per {claim.claimed_by}")
        lines += ["  " + _quote_line(e) for e in claim.evidence]
    totals = event.totals
    lines.append(
        f"- **Totals** ({totals.rule}): killed {totals.killed}, captured {totals.captured}, injured {totals.injured}"
    )
    if event.sources:
        lines.append("- **Sources:** " + "; ".join(event.sources))
    for note in event.conflicting_reports:
        lines.append(f"- **Conflicting reports:** {note}")
    lines += [""] + [_quote_line(e) for e in event.evidence]
    return lines


def markdown(record: Record) -> str:
    """A readable report of one record."""
    if isinstance(record, ErrorRecord):
        return f"# {record.source}\n\n**Failed** ({record.error.type}): {record.error.message}"
    prov = record.provenance
    g = record.grounding
    lines = [
        f"# {record.headline}",
        "",
        f"*Source:* `{prov.source.path}` · *model:* {prov.model} ({prov.endpoint_kind}, {prov.mode}) · "
        f"*strategy:* {prov.strategy}{' + ' + ', '.join(prov.assists) if prov.assists else ''} · "
        f"*tokens:* {prov.usage.total_tokens} · *attempts:* {prov.attempts}",
    ]
    if record.dateline:
        lines.append(f"*Dateline:* {record.dateline}")
    lines += ["", "## Summary", "", record.summary, "", "## Key facts", ""]
    for i, fact in enumerate(record.key_facts, 1):
        lines += _fact_lines(i, fact)
    if not record.key_facts:
        lines.append("_none_")
    lines += ["", "## Events", ""]
    for i, event in enumerate(record.events, 1):
        lines += [*_event_lines(i, event), ""]
    if not record.events:
        lines.append("_none_")
    lines += [
        "",
        "## Grounding",
        "",
        f"Evidence: {g.exact} exact, {g.fuzzy} fuzzy, {g.altered} altered, {g.unmatched} not found.",
    ]
    for region in record.excluded_regions:
        lines.append(f"- Excluded characters {region.start}–{region.end}: {region.reason}")
    for claim in record.dropped_claims:
        lines.append(f"- Dropped: {claim.statement} ({claim.reason})")
    if record.warnings:
        lines += ["", "## Warnings", ""] + [f"- {warning}" for warning in record.warnings]
    return "\n".join(lines)

"""The JSONL writer and --resume: foreign lines are never removed, a kill loses and duplicates nothing."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hand_built import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.errors import ConfigError
from summarizer.runs import record_resume_key
from summarizer.schema import ErrorInfo, ErrorRecord, SummaryRecord
from summarizer.write import JsonlWriter, keep_finished, record_json

EXPECTED = ROOT / "tests" / "cassettes" / "seeds" / "000_27aace103a48bbe9.expected.json"
BASE = SummaryRecord.model_validate_json(EXPECTED.read_text(encoding="utf-8"))


def summary(i: int) -> SummaryRecord:
    """A distinct finished record (its own source path and text hash)."""
    source = BASE.provenance.source.model_copy(update={"path": f"doc{i}.txt", "sha256": f"{i:064x}"})
    return BASE.model_copy(update={"provenance": BASE.provenance.model_copy(update={"source": source})})


def failed(i: int) -> ErrorRecord:
    return ErrorRecord(source=f"doc{i}.txt", error=ErrorInfo(type="provider_error", message="HTTP 500"))


@pytest.mark.parametrize(
    "content",
    [json.dumps(json.loads(record_json(summary(0))), indent=2) + "\n",  # pretty-printed JSON
     json.dumps({**json.loads(record_json(summary(0))), "schema_version": "0.9", "grounding": None}) + "\n",  # older
     "some notes\n" + record_json(summary(1), indent=None) + "\n"],  # a foreign line
)  # fmt: skip
def test_resume_refuses_unreadable_lines_and_leaves_the_file_untouched(tmp_path: Path, content: str) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError, match=r"out\.jsonl line 1: .*leaves the file as it is"):
        keep_finished(out)
    assert out.read_text(encoding="utf-8") == content


def test_resume_drops_only_its_own_error_records(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("".join(record_json(r, indent=None) + "\n" for r in (summary(0), failed(1), summary(2))))
    assert [r.provenance.source.path for r in keep_finished(out)] == ["doc0.txt", "doc2.txt"]
    assert [json.loads(line)["kind"] for line in out.read_text().splitlines()] == ["summary", "summary"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.booleans(), min_size=1, max_size=5), st.floats(0, 1))
def test_property_a_kill_at_any_byte_then_resume_loses_and_duplicates_nothing(ok: list[bool], cut: float) -> None:
    records = [summary(i) if good else failed(i) for i, good in enumerate(ok)]
    stream = io.StringIO()
    writer = JsonlWriter(stream)
    for record in records:
        writer.write(record)
    data = stream.getvalue().encode("utf-8")
    path = Path(f"/tmp/summarizer-test-resume-{id(records)}.jsonl")
    try:
        path.write_bytes(data[: int(cut * len(data))])  # killed after this many bytes
        done = {record_resume_key(r) for r in keep_finished(path)}
        with path.open("a", encoding="utf-8") as handle:  # the resumed run writes what is not done
            resumed = JsonlWriter(handle)
            for i, _good in enumerate(ok):
                if record_resume_key(summary(i)) not in done:
                    resumed.write(summary(i))  # this time it succeeds
        lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    finally:
        path.unlink(missing_ok=True)
    assert sorted(line["provenance"]["source"]["path"] for line in lines) == [f"doc{i}.txt" for i in range(len(ok))]

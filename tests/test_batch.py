"""The OpenAI Batch path: prepare, submit and status against a Batch API server on 127.0.0.1, and
collect through the pipeline's own validation, grounding and verification.

Answers are REAL recorded completions of the built-in model (the seed cassettes), except in the
re-ask test, which uses the hand-built answers of ``hand_built.py``.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from batch_server import BatchServer, cassette_answers
from hand_built import HAND_BUILT_FACTS_000, ROOT, SEED_000, events, facts
from scripted_server import Answer, ScriptedServer, completion, draft_name, http_error
from typer.testing import CliRunner

from summarizer.cassette import read_interactions, request_key
from summarizer.cli import app

runner = CliRunner()
SEED_CASSETTES = ROOT / "tests" / "cassettes" / "seeds"
SEEDS = ["000_27aace103a48bbe9", "004_dd696f60cd6e8ce5"]
CASSETTES = [SEED_CASSETTES / f"{seed}.yaml" for seed in SEEDS]
#: The built-in model's request shape, sent to a scripted server for a live reference run.
LIVE_BUILTIN = ["--strategy", "llm", "--endpoint-kind", "builtin", "--model", "smollm2-135m-instruct",
                "--max-retries", "0"]  # fmt: skip
#: Hand-built answers: a vLLM-shaped endpoint with free quotes (never contacted by prepare).
HAND = ["--quotes", "free", "--endpoint-kind", "vllm", "--model", "scripted-model"]


def cli(*args: str, env: dict[str, str] | None = None) -> Any:
    return runner.invoke(app, list(args), env=env)


def prepare(tmp_path: Path, *sources: str, extra: tuple[str, ...] = (), name: str = "req.jsonl") -> Path:
    requests = tmp_path / name
    result = cli("batch", "prepare", *sources, "-o", str(requests), *extra)
    assert result.exit_code == 0, result.stderr
    return requests


def jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_jsonl(path: Path, lines: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def by_draft(requests: Path) -> dict[str, dict[str, Any]]:
    """The request lines of a one-document requests file, by draft ('FactsDraft', 'EventsDraft')."""
    return {draft_name(line["body"]): line for line in jsonl(requests)}


def recorded_body(line: dict[str, Any]) -> Any:
    """The recorded completion answering a request line (looked up by request key)."""
    interactions = {i.key: i for path in CASSETTES for i in read_interactions(path)}
    return interactions[request_key(line["method"], line["url"], line["body"])].response


def vllm_line(line: dict[str, Any], body: Any, status: int = 200, error: Any = None) -> dict[str, Any]:
    """A results line as ``vllm run_batch`` writes it."""
    response = {"status_code": status, "request_id": f"vllm-batch-{uuid.uuid4().hex}", "body": body}
    return {"id": f"vllm-{uuid.uuid4().hex}", "custom_id": line["custom_id"], "response": response, "error": error}


def without_timestamps(record: dict[str, Any]) -> dict[str, Any]:
    record = json.loads(json.dumps(record))
    if "provenance" in record:
        record["provenance"].pop("started_at")
        record["provenance"].pop("finished_at")
    return record


def expected(seed: str) -> dict[str, Any]:
    return without_timestamps(json.loads((SEED_CASSETTES / f"{seed}.expected.json").read_text(encoding="utf-8")))


def collect(tmp_path: Path, *results: str, requests: tuple[Path, ...], name: str = "out.jsonl",
            env: dict[str, str] | None = None) -> tuple[Any, Path]:  # fmt: skip
    out = tmp_path / name
    args = [arg for path in requests for arg in ("--requests", str(path))]
    return cli("batch", "collect", *results, *args, "-o", str(out), env=env), out


def test_round_trip_prepare_submit_status_collect_writes_what_summarize_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Prepare needs no server (the built-in model's request shape; nothing is sent); the Batch API
    server answers each line from the real recordings; collect writes the records the live replay
    of the same cassettes wrote (``*.expected.json``), in input order."""
    monkeypatch.chdir(ROOT)  # the documents by the same relative paths summarize was given
    requests = prepare(tmp_path, *(f"seeds/{seed}.txt" for seed in SEEDS))
    lines = jsonl(requests)
    assert len(lines) == 4 and all(line["method"] == "POST" and line["url"] == "/v1/chat/completions" for line in lines)
    manifest = json.loads((tmp_path / "req.manifest.json").read_text(encoding="utf-8"))
    assert manifest["endpoint"]["kind"] == "builtin" and [d["path"] for d in manifest["documents"]] == [
        f"seeds/{seed}.txt" for seed in SEEDS
    ]
    assert {r["schema_tag"].split("@")[0] for r in manifest["requests"]} == {"FactsDraft", "EventsDraft"}
    with BatchServer(cassette_answers(*CASSETTES), polls_before_done=2) as server:
        env = {"OPENAI_BASE_URL": server.base_url}
        submitted = cli("batch", "submit", str(requests), env=env)
        assert submitted.exit_code == 0, submitted.stderr
        batch_id = submitted.stdout.strip()
        assert server.files["file-1"]["content"] == requests.read_bytes()
        assert server.files["file-1"]["purpose"] == "batch"

        first = cli("batch", "status", batch_id, env=env)
        assert first.exit_code == 0 and json.loads(first.stdout)["status"] == "in_progress"
        early, out = collect(tmp_path, batch_id, requests=(requests,), env=env)
        assert early.exit_code == 5 and f"batch {batch_id} is in_progress" in early.stderr and not out.exists()
        done = json.loads(cli("batch", "status", batch_id, env=env).stdout)
        assert done["status"] == "completed" and done["request_counts"] == {"total": 4, "completed": 4, "failed": 0}
        assert done["output_file_id"] and done["error_file_id"] is None

        result, out = collect(tmp_path, batch_id, requests=(requests,), env=env)
        assert result.exit_code == 0, result.stderr
        assert not any(path.endswith("/chat/completions") for _, path, _ in server.seen)
    assert [without_timestamps(r) for r in jsonl(out)] == [expected(seed) for seed in SEEDS]


def test_collect_reads_the_results_vllm_run_batch_writes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    requests = prepare(tmp_path, f"seeds/{SEEDS[1]}.txt")
    results = write_jsonl(tmp_path / "vllm.jsonl", [vllm_line(line, recorded_body(line)) for line in jsonl(requests)])
    result, out = collect(tmp_path, str(results), requests=(requests,))
    assert result.exit_code == 0, result.stderr
    assert [without_timestamps(r) for r in jsonl(out)] == [expected(SEEDS[1])]


def test_a_failed_events_line_gives_the_partial_record_a_live_run_gives(tmp_path: Path) -> None:
    """Live reference: the same recorded facts answer and an HTTP 500 for the events call, from a
    scripted server; the batch results carry the same 500 in the error file's shape."""
    seed_path = str(ROOT / "seeds" / f"{SEEDS[1]}.txt")
    requests = prepare(tmp_path, seed_path)
    lines = by_draft(requests)
    failure = http_error(500, draft="EventsDraft")
    results = write_jsonl(tmp_path / "r.jsonl", [
        vllm_line(lines["FactsDraft"], recorded_body(lines["FactsDraft"])),
        vllm_line(lines["EventsDraft"], json.loads(failure.body), status=500),
    ])  # fmt: skip
    result, out = collect(tmp_path, str(results), requests=(requests,))
    assert result.exit_code == 4, result.stderr
    (record,) = jsonl(out)
    assert record["failed_calls"][0]["part"] == "events" and "HTTP 500" in record["failed_calls"][0]["error"]["message"]

    facts_answer = Answer(body=json.dumps(recorded_body(lines["FactsDraft"])).encode(),
                          headers={"Content-Type": "application/json"}, draft="FactsDraft")  # fmt: skip
    with ScriptedServer() as server:
        server.queue(facts_answer, failure)
        live = cli("summarize", seed_path, *LIVE_BUILTIN, "--base-url", server.base_url)
    assert live.exit_code == 4, live.stderr
    assert without_timestamps(record) == without_timestamps(json.loads(live.stdout))


@pytest.mark.parametrize(
    ("facts_line", "message"),
    [
        ({"response": None, "error": {"code": "batch_expired", "message": "not run before the window ended"}},
         "batch_expired: not run before the window ended"),  # OpenAI's error file, no HTTP answer
        ({"response": {"status_code": 400, "request_id": "vllm-batch-1", "body": None},
          "error": {"object": "error", "message": "prompt too long", "type": "BadRequestError", "code": 400}},
         "HTTP 400: prompt too long"),  # vllm run_batch's error line
    ],
)  # fmt: skip
def test_a_failed_facts_line_gives_an_error_record(tmp_path: Path, facts_line: dict[str, Any], message: str) -> None:
    requests = prepare(tmp_path, str(SEED_000))
    lines = by_draft(requests)
    results = write_jsonl(tmp_path / "r.jsonl", [
        {"id": "batch_req_1", "custom_id": lines["FactsDraft"]["custom_id"], **facts_line},
        vllm_line(lines["EventsDraft"], recorded_body(lines["EventsDraft"])),
    ])  # fmt: skip
    result, out = collect(tmp_path, str(results), requests=(requests,))
    assert result.exit_code == 1
    (record,) = jsonl(out)
    assert record["kind"] == "error" and record["error"]["type"] == "provider_error"
    assert message in record["error"]["message"] and record["source"] == str(SEED_000)


def test_a_missing_answer_goes_to_a_follow_up_file_and_round_two_completes(tmp_path: Path) -> None:
    requests = prepare(tmp_path, str(SEED_000))
    lines = by_draft(requests)
    round1 = write_jsonl(tmp_path / "r1.jsonl", [vllm_line(lines["FactsDraft"], recorded_body(lines["FactsDraft"]))])
    result, out = collect(tmp_path, str(round1), requests=(requests,))
    assert result.exit_code == 5, result.stderr
    assert jsonl(out) == [] and f"pending {SEED_000}" in result.stderr
    followup = tmp_path / "out.followup.jsonl"
    assert jsonl(followup) == [lines["EventsDraft"]]  # the unanswered call, as prepared
    manifest = json.loads((tmp_path / "out.followup.manifest.json").read_text(encoding="utf-8"))
    assert manifest["round"] == 2 and [d["path"] for d in manifest["documents"]] == [str(SEED_000)]

    round2 = write_jsonl(tmp_path / "r2.jsonl", [vllm_line(lines["EventsDraft"], recorded_body(lines["EventsDraft"]))])
    result, out = collect(tmp_path, str(round1), str(round2), requests=(requests, followup), name="final.jsonl")
    assert result.exit_code == 0, result.stderr
    record = without_timestamps(jsonl(out)[0])
    assert record == {**expected(SEEDS[0]), "provenance": {**expected(SEEDS[0])["provenance"],
                                                          "source": record["provenance"]["source"]}}  # fmt: skip


def test_a_re_ask_goes_to_the_follow_up_round_and_ends_as_a_live_run_does(tmp_path: Path) -> None:
    """An answer quoting a sentence the article lacks is re-asked: the re-ask is the next round's
    request. The final record equals a live run given the same answers (hand-built)."""
    bad = facts(key_facts=[{**HAND_BUILT_FACTS_000["key_facts"][0], "quote": "A sentence the article never had."}])
    bodies = [json.loads(completion(answer).body) for answer in (bad, events(), facts())]
    requests = prepare(tmp_path, str(SEED_000), extra=HAND)  # a kind and a model, no server: nothing is asked
    manifest = json.loads((tmp_path / "req.manifest.json").read_text(encoding="utf-8"))
    assert (manifest["endpoint"]["kind"], manifest["endpoint"]["model"]) == ("vllm", "scripted-model")
    lines = by_draft(requests)
    round1 = write_jsonl(tmp_path / "r1.jsonl", [vllm_line(lines["FactsDraft"], bodies[0]),
                                                 vllm_line(lines["EventsDraft"], bodies[1])])  # fmt: skip
    result, _ = collect(tmp_path, str(round1), requests=(requests,))
    assert result.exit_code == 5, result.stderr
    followup = tmp_path / "out.followup.jsonl"
    (reask,) = jsonl(followup)
    assert [m["role"] for m in reask["body"]["messages"]] == ["system", "user", "assistant", "user"]
    assert "A sentence the article never had." in reask["body"]["messages"][3]["content"]

    round2 = write_jsonl(tmp_path / "r2.jsonl", [vllm_line(reask, bodies[2])])
    result, out = collect(tmp_path, str(round1), str(round2), requests=(requests, followup), name="final.jsonl")
    assert result.exit_code == 0, result.stderr
    (record,) = jsonl(out)
    assert record["provenance"]["reasks"] == 1

    with ScriptedServer() as server:
        server.queue(completion(bad), completion(events()), completion(facts()))
        live = cli("summarize", str(SEED_000), *HAND, "--strategy", "llm", "--max-retries", "0",
                   env={"OPENAI_BASE_URL": server.base_url})  # fmt: skip
    assert live.exit_code == 0, live.stderr
    assert without_timestamps(record) == without_timestamps(json.loads(live.stdout))


def test_a_result_with_an_unknown_custom_id_is_a_one_line_error(tmp_path: Path) -> None:
    requests = prepare(tmp_path, str(SEED_000))
    results = write_jsonl(tmp_path / "r.jsonl", [{"id": "x", "custom_id": "sum-unknown", "response": None,
                                                  "error": {"code": "x", "message": "y"}}])  # fmt: skip
    result, out = collect(tmp_path, str(results), requests=(requests,))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "custom_id 'sum-unknown' is in none of the requests files" in result.stderr
    assert not out.exists()


def _bad_inputs(tmp_path: Path, requests: Path) -> dict[str, tuple[list[str], str]]:
    not_json = tmp_path / "not.jsonl"
    not_json.write_text("this is not JSON\n", encoding="utf-8")
    orphan = tmp_path / "orphan.jsonl"
    orphan.write_bytes(requests.read_bytes())  # a requests file with no manifest next to it
    out = ["-o", str(tmp_path / "out.jsonl")]
    return {
        "results not JSON": (["batch", "collect", str(not_json), "--requests", str(requests), *out],
                             f"{not_json} line 1: not a batch result line"),
        "results missing": (["batch", "collect", "gone.jsonl", "--requests", str(requests), *out],
                            "gone.jsonl: no such results file"),
        "no manifest": (["batch", "collect", str(not_json), "--requests", str(orphan), *out],
                        "orphan.manifest.json: no manifest next to"),
        "requests not requests": (["batch", "submit", str(not_json), "--base-url", "http://127.0.0.1:9/v1"],
                                  f"{not_json} line 1: not a batch request line"),
        "no Batch API": (["batch", "submit", str(requests)], "the built-in model has no Batch API"),
        "missing document": (["batch", "prepare", str(tmp_path / "gone.txt"), "-o", str(tmp_path / "x.jsonl")],
                             "gone.txt"),
    }  # fmt: skip


@pytest.mark.parametrize(
    "case", ["results not JSON", "results missing", "no manifest", "requests not requests", "no Batch API",
             "missing document"]
)  # fmt: skip
def test_bad_input_files_are_a_one_line_error_with_exit_2(tmp_path: Path, case: str) -> None:
    requests = prepare(tmp_path, str(SEED_000))
    args, message = _bad_inputs(tmp_path, requests)[case]
    result = cli(*args)
    assert result.exit_code == 2, result.stderr
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2  # the error (a refused document: and "nothing to batch")


def test_secrets_never_reach_the_requests_file(tmp_path: Path) -> None:
    """The API key in use is sent in a header, never written; a key-like string in an article is
    scrubbed from the request body (and the answer is looked up by the scrubbed body)."""
    key = "sk-test-batch-SECRET0123456789abcd"
    article = tmp_path / "leak.txt"
    lead, rest = SEED_000.read_text(encoding="utf-8").split("\n\n", 1)
    leak = f"The agency said its key was {key} and sk-proj-ZyXwVuTsRqPoNmLk9876, officials said."
    article.write_text(f"{lead}\n\n{leak}\n\n{rest}", encoding="utf-8")
    result = cli("batch", "prepare", str(article), "-o", str(tmp_path / "req.jsonl"), *HAND,
                 "--base-url", "http://127.0.0.1:9/v1", env={"OPENAI_API_KEY": key})  # fmt: skip
    assert result.exit_code == 0, result.stderr
    written = (tmp_path / "req.jsonl").read_text(encoding="utf-8")
    written += (tmp_path / "req.manifest.json").read_text(encoding="utf-8")
    assert "<redacted>" in written
    for secret in (key, "sk-proj-ZyXwVuTsRqPoNmLk9876"):
        assert all(secret[i : i + 8] not in written for i in range(len(secret) - 8))


def test_documents_are_read_again_where_prepare_found_them_and_a_changed_one_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "doc.txt").write_text(SEED_000.read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.chdir(work)
    requests = prepare(tmp_path, "doc.txt")
    results = write_jsonl(tmp_path / "r.jsonl", [vllm_line(line, recorded_body(line)) for line in jsonl(requests)])
    monkeypatch.chdir(tmp_path)  # "doc.txt" is not here: read from where prepare found it, named as given
    result, out = collect(tmp_path, str(results), requests=(requests,))
    assert result.exit_code == 0, result.stderr
    assert jsonl(out)[0]["provenance"]["source"]["path"] == "doc.txt"

    (work / "doc.txt").write_text(SEED_000.read_text(encoding="utf-8") + "\nAn added line.\n", encoding="utf-8")
    result, out = collect(tmp_path, str(results), requests=(requests,))
    assert result.exit_code == 2
    (record,) = jsonl(out)
    assert record["error"]["type"] == "input_error"
    assert "doc.txt changed since batch prepare" in record["error"]["message"]


def test_a_long_document_is_prepared_in_one_round_with_every_chunk_and_collected_whole(tmp_path: Path) -> None:
    """Hand-built answers (test_chunking's, from each chunk's own text) for the long test article."""
    from test_chunking import LONG_ARTICLE, HandBuilt, _sent_article

    options = ("--context-tokens", "4000", "--max-tokens", "500", *HAND)
    requests = prepare(tmp_path, str(LONG_ARTICLE), extra=options)
    lines = jsonl(requests)
    chunks = {_sent_article(line["body"]) for line in lines}
    article = LONG_ARTICLE.read_text(encoding="utf-8")
    assert len(chunks) >= 3 and all(chunk in article for chunk in chunks)  # every chunk, in one round
    assert sorted(draft_name(line["body"]) for line in lines) == sorted(["FactsDraft", "EventsDraft"] * len(chunks))

    answer = HandBuilt()
    round1 = write_jsonl(tmp_path / "r1.jsonl", [vllm_line(line, json.loads(answer(line["body"]).body))
                                                  for line in lines])  # fmt: skip
    result, out = collect(tmp_path, str(round1), requests=(requests,))
    # some hand-built facts state nothing their quote supports: their chunks' re-asks are round 2
    assert result.exit_code == 5, result.stderr
    followup = jsonl(tmp_path / "out.followup.jsonl")
    assert followup and all("unsupported by its quote" in line["body"]["messages"][-1]["content"]
                            for line in followup)  # fmt: skip
    round2 = write_jsonl(tmp_path / "r2.jsonl", [vllm_line(line, json.loads(answer(line["body"]).body))
                                                  for line in followup])  # fmt: skip
    result, out = collect(tmp_path, str(round1), str(round2), name="final.jsonl",
                          requests=(requests, tmp_path / "out.followup.jsonl"))  # fmt: skip
    assert result.exit_code == 0, result.stderr
    (record,) = jsonl(out)
    assert record["kind"] == "summary" and record["provenance"]["chunks"] == len(chunks)
    assert record["provenance"]["attempts"] == len(lines) + len(followup) and record["failed_calls"] == []
    assert record["provenance"]["reasks"] == len(followup)
    for fact in record["key_facts"]:  # offsets into the whole document
        (evidence,) = fact["evidence"]
        assert article[evidence["start"] : evidence["end"]] == evidence["quote"]

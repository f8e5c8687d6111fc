"""The response cache, against a scripted server on 127.0.0.1 (hand-built answers, not recordings)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from hand_built import SEED_000, events, facts
from scripted_server import ScriptedServer, completion, http_error
from typer.testing import CliRunner

from summarizer.cache import ResponseCache
from summarizer.cli import app

runner = CliRunner()
FREE = ["--quotes", "free", "--endpoint-kind", "vllm", "--model", "scripted-model", "--max-retries", "0"]


def summarize(server: ScriptedServer, *args: str) -> tuple[int, dict, str]:  # type: ignore[type-arg]
    result = runner.invoke(app, ["summarize", str(SEED_000), *FREE, *args], env={"OPENAI_BASE_URL": server.base_url})
    return result.exit_code, json.loads(result.stdout) if result.stdout else {}, result.stderr


def _chat_requests(server: ScriptedServer) -> int:
    return sum(r["path"].endswith("/chat/completions") for r in server.requests)


def test_a_re_run_sends_no_request_for_a_cached_call(scripted: ScriptedServer, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    scripted.queue(completion(facts()), completion(events()))
    code, first, err = summarize(scripted, "--cache", str(cache))
    assert code == 0, err
    assert _chat_requests(scripted) == 2 and "0 hits, 2 misses" in err
    code, second, err = summarize(scripted, "--cache", str(cache))  # nothing queued: a request would fail
    assert code == 0, err
    assert _chat_requests(scripted) == 2 and "2 hits, 0 misses (100% hit rate)" in err
    for record in (first, second):
        for name in ("started_at", "finished_at"):
            record["provenance"].pop(name)
    assert first == second


def test_the_environment_names_the_cache_and_the_commands_read_it(scripted: ScriptedServer, tmp_path: Path) -> None:
    cache = tmp_path / "env-cache"
    scripted.queue(completion(facts()), completion(events()))
    result = runner.invoke(app, ["summarize", str(SEED_000), *FREE],
                           env={"OPENAI_BASE_URL": scripted.base_url, "SUMMARIZER_CACHE_DIR": str(cache)})  # fmt: skip
    assert result.exit_code == 0, result.stderr
    stats = runner.invoke(app, ["cache", "stats"], env={"SUMMARIZER_CACHE_DIR": str(cache)})
    assert stats.exit_code == 0 and stats.stdout.startswith("2 entries")
    cleared = runner.invoke(app, ["cache", "clear", "--cache", str(cache)])
    assert cleared.exit_code == 0 and "removed 2 entries" in cleared.stdout
    assert runner.invoke(app, ["cache", "stats", "--cache", str(cache)]).stdout.startswith("0 entries")


def test_failed_answers_are_not_cached(scripted: ScriptedServer, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    scripted.queue(http_error(500, draft="FactsDraft"), http_error(500, draft="EventsDraft"))
    code, _, _ = summarize(scripted, "--cache", str(cache))
    assert code == 1
    assert ResponseCache(cache).stats().entries == 0
    scripted.queue(completion(facts()), completion(events()))
    code, _, err = summarize(scripted, "--cache", str(cache))
    assert code == 0, err  # the failed call was sent again, and answered
    assert ResponseCache(cache).stats().entries == 2


def test_no_cache_directory_is_a_usage_error() -> None:
    result = runner.invoke(app, ["cache", "stats"])
    assert result.exit_code == 2 and "SUMMARIZER_CACHE_DIR" in result.stderr


def test_writers_sharing_a_cache_do_not_collide(tmp_path: Path) -> None:
    """Two connections (as two processes would have) writing the same and different keys at once."""
    caches = [ResponseCache(tmp_path), ResponseCache(tmp_path)]
    errors: list[BaseException] = []

    def write(cache: ResponseCache, offset: int) -> None:
        try:
            for i in range(200):
                key = f"k{(i + offset) % 300}"
                cache.put(key, "/v1/chat/completions", "m", json.dumps({"choices": [key]}).encode())
                assert cache.get(key) is not None
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(c, 100 * n)) for n, c in enumerate(caches)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert caches[0].stats().entries == 300  # the 100 shared keys stored once


def test_a_secret_in_an_answer_is_scrubbed_and_ordinary_text_is_not(tmp_path: Path) -> None:
    from summarizer.redact import register_secret

    register_secret("sk-test-cache-secret-0123456789")
    cache = ResponseCache(tmp_path)
    text = json.dumps({"choices": [{"message": {"content": "key sk-test-cache-secret-0123456789 and Taliban"}}]})
    cache.put("k", "/v1/chat/completions", "m", text.encode())
    stored = (cache.get("k") or b"").decode()
    assert "sk-test-cache-secret-0123456789" not in stored and "and Taliban" in stored


def test_a_compressed_answer_is_decoded_once_on_a_miss_and_on_a_hit(scripted: ScriptedServer, tmp_path: Path) -> None:
    """Hand-built gzip answers: the body read for the cache must not be decoded a second time."""
    import gzip

    answers = [completion(facts()), completion(events())]
    for answer in answers:
        answer.body = gzip.compress(answer.body)
        answer.headers = {**answer.headers, "Content-Encoding": "gzip"}
    scripted.queue(*answers)
    cache = tmp_path / "cache"
    code, first, err = summarize(scripted, "--cache", str(cache))
    assert code == 0, err
    code, second, err = summarize(scripted, "--cache", str(cache))
    assert code == 0, err and "2 hits" in err
    assert first["key_facts"] == second["key_facts"]

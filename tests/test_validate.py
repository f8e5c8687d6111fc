"""The re-ask loop, grounding of drafts into records, and the feedback the model sees.

Model answers here are hand-built (tests/hand_built.py) and served by a real scripted
HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from hand_built import SEED_000, events, facts
from scripted_server import ScriptedServer, completion, no_choices, raw

from summarizer.errors import InvalidOutput, ProviderError, RefusalError, TruncatedOutput
from summarizer.load import load_document
from summarizer.pipeline import Pipeline, PipelineSettings
from summarizer.retry import RetryPolicy
from summarizer.schema import CasualtyClaim, MatchKind, SummaryRecord
from summarizer.session import EndpointOptions, open_client
from summarizer.validate import CallSettings
from summarizer.verify import conservative_totals, ordered_counts

FAST = RetryPolicy(max_attempts=2, initial_wait=0.01, max_wait=0.02, jitter=0.0)


def summarize(server: ScriptedServer, **settings: Any) -> SummaryRecord:
    async def run() -> SummaryRecord:
        options = EndpointOptions(base_url=server.base_url, kind="vllm", model="scripted-model", retry=FAST)
        async with open_client(options) as client:
            config = PipelineSettings(quote_choices=False, **settings)
            return await Pipeline(client, config).summarize(load_document(SEED_000))

    return asyncio.run(run())


def user_messages(request: dict[str, Any]) -> list[str]:
    return [m["content"] for m in request["body"]["messages"] if m["role"] == "user"]


def test_grounded_answer_needs_no_reask(scripted: ScriptedServer) -> None:
    scripted.queue(completion(facts()), completion(events()))
    record = summarize(scripted)
    assert record.provenance.attempts == 2 and record.provenance.reasks == 0
    assert record.provenance.first_try_valid
    text = load_document(SEED_000).text
    for fact in record.key_facts:
        for ev in fact.evidence:
            assert ev.match is MatchKind.exact and text[ev.start : ev.end] == ev.quote  # type: ignore[misc]
    assert record.events[0].totals.killed == 6
    assert record.grounding.unmatched == 0


def test_invented_quote_is_sent_back_with_the_quote_named(scripted: ScriptedServer) -> None:
    bad = facts()
    bad["key_facts"][1]["quote"] = "The Pentagon announced the raid in a press release on Monday"
    scripted.queue(completion(bad), completion(facts()), completion(events()))
    record = summarize(scripted)
    feedback = user_messages(scripted.requests_for("FactsDraft")[1])[-1]
    assert "The Pentagon announced the raid in a press release on Monday" in feedback
    assert "not in the article" in feedback
    assert record.provenance.reasks == 1
    assert all(f.grounded for f in record.key_facts)


def test_schema_error_feedback_names_the_field(scripted: ScriptedServer) -> None:
    bad = facts()
    bad["key_facts"][0]["status"] = "rumoured"
    scripted.queue(completion(bad), completion(facts()), completion(events()))
    record = summarize(scripted)
    feedback = user_messages(scripted.requests_for("FactsDraft")[1])[-1]
    assert "key_facts.0.status" in feedback
    assert not record.provenance.first_try_valid
    assert record.provenance.usage.total_tokens == 3 * 150  # failed attempt counted


def test_ungrounded_after_all_reasks_is_moved_to_dropped_claims(scripted: ScriptedServer) -> None:
    bad = facts()
    bad["key_facts"][1]["quote"] = "An entirely invented sentence that is nowhere in the text"
    scripted.queue(completion(bad), completion(bad), completion(bad), completion(events()))
    record = summarize(scripted)
    assert record.provenance.reasks == 2
    assert [f.statement for f in record.key_facts] == [bad["key_facts"][0]["statement"]]
    assert all(f.grounded and f.support and f.support.verdict == "supported" for f in record.key_facts)
    (lost,) = [d for d in record.dropped_claims if d.statement == bad["key_facts"][1]["statement"]]
    assert lost.support is not None and lost.support.verdict == "unsupported"
    assert lost.evidence[0].match is MatchKind.unmatched  # nothing lost: the quote is kept with it
    assert "no quote found in the article" in lost.reason
    assert record.grounding.unmatched == 1


def test_always_invalid_json_fails_with_invalid_output(scripted: ScriptedServer) -> None:
    scripted.queue(
        *[
            raw(
                json.dumps(
                    {
                        "choices": [
                            {
                                "index": 0,
                                "finish_reason": "stop",
                                "message": {"role": "assistant", "content": "{not json"},
                            }
                        ],
                        "id": "x",
                        "object": "chat.completion",
                        "created": 0,
                        "model": "m",
                    }
                ).encode(),
                draft="FactsDraft",
            )
            for _ in range(3)
        ],
        completion(events()),
    )
    with pytest.raises(InvalidOutput, match="after 3 attempts"):
        summarize(scripted)


def test_fenced_json_with_prose_is_repaired_without_reask(scripted: ScriptedServer) -> None:
    fenced = "Here is the JSON you asked for:\n```json\n" + json.dumps(facts()) + "\n```\nHope it helps."
    scripted.queue(completion(fenced, draft="FactsDraft"), completion(events()))
    record = summarize(scripted)
    assert record.provenance.reasks == 0 and len(record.key_facts) == 2
    # a repaired answer is counted apart and is not a valid first answer
    assert record.provenance.repairs == 1 and not record.provenance.first_try_valid


def test_truncation_is_a_typed_error(scripted: ScriptedServer) -> None:
    scripted.queue(completion('{"headline": "Afghan', finish_reason="length", draft="FactsDraft"), completion(events()))
    with pytest.raises(TruncatedOutput, match="max_tokens"):
        summarize(scripted)


def test_refusal_is_a_typed_error(scripted: ScriptedServer) -> None:
    scripted.queue(completion(None, refusal="I cannot help with that.", draft="FactsDraft"), completion(events()))
    with pytest.raises(RefusalError, match="cannot help"):
        summarize(scripted)


def test_empty_choices_is_a_provider_error_not_a_reask(scripted: ScriptedServer) -> None:
    scripted.queue(no_choices(draft="FactsDraft"), completion(facts()), completion(events()))
    with pytest.raises(ProviderError, match="no choices"):
        summarize(scripted)
    assert len(scripted.requests_for("FactsDraft")) == 1


def test_token_budget_stops_reasks(scripted: ScriptedServer) -> None:
    bad = facts()
    bad["key_facts"][0]["status"] = "rumoured"
    scripted.queue(completion(bad), completion(bad), completion(events()))
    with pytest.raises(InvalidOutput, match="token budget"):
        summarize(scripted, token_budget=100)
    assert len(scripted.requests_for("FactsDraft")) == 1


def test_events_failure_keeps_the_facts_with_a_warning(scripted: ScriptedServer) -> None:
    bad_events = events()
    bad_events["events"][0]["sub_event_type"] = "Picnic"
    scripted.queue(completion(facts()), *[completion(bad_events) for _ in range(3)])
    record = summarize(scripted, call=CallSettings(max_reasks=2))
    assert record.events == [] and len(record.key_facts) == 2
    assert record.warnings[0].startswith("events not extracted: invalid_output: output invalid after 3 attempts")
    assert [(c.part, c.error.type) for c in record.failed_calls] == [("events", "invalid_output")]
    assert record.provenance.attempts == 4 and record.provenance.reasks == 2


@pytest.mark.parametrize(
    ("answer", "kind"),
    [
        (completion('{"events": [{"quote": "Af', finish_reason="length", completion_tokens=2048), "truncated_output"),
        (completion(None, refusal="I cannot describe violence."), "refusal"),
    ],
    ids=["truncated", "refused"],
)
def test_any_failure_of_the_events_call_keeps_the_facts(scripted: ScriptedServer, answer: Any, kind: str) -> None:
    scripted.queue(completion(facts()), answer)
    record = summarize(scripted)
    assert len(record.key_facts) == 2 and record.events == []
    assert [(c.part, c.error.type) for c in record.failed_calls] == [("events", kind)]
    assert record.warnings[0].startswith(f"events not extracted: {kind}: ")
    # the failed attempt's tokens are counted, and it counts as an attempt
    completion_tokens = 50 + (2048 if kind == "truncated_output" else 50)
    assert record.provenance.usage.completion_tokens == completion_tokens
    assert record.provenance.attempts == 2 and record.provenance.reasks == 0
    assert not record.provenance.first_try_valid


def test_events_call_over_the_token_budget_keeps_the_facts(scripted: ScriptedServer) -> None:
    bad_events = events()
    bad_events["events"][0]["sub_event_type"] = "Picnic"
    # the events answer alone spends the budget, whichever of the two calls (run at once) ends first
    scripted.queue(completion(facts()), completion(bad_events, prompt_tokens=600))
    record = summarize(scripted, token_budget=600)
    assert len(record.key_facts) == 2
    assert [(c.part, c.error.type) for c in record.failed_calls] == [("events", "budget_exceeded")]
    assert len(scripted.requests) == 2  # no re-ask once the budget is spent


def test_a_failed_first_call_still_fails_the_document(scripted: ScriptedServer) -> None:
    scripted.queue(completion('{"headline": "Afghan', finish_reason="length", draft="FactsDraft"), completion(events()))
    with pytest.raises(TruncatedOutput) as failure:
        summarize(scripted)
    assert failure.value.attempts == 1 and failure.value.usage is not None


def test_quote_from_reader_comment_is_dropped(tmp_path: Any, scripted: ScriptedServer) -> None:
    article = SEED_000.read_text(encoding="utf-8").replace(
        "In Other News",
        "1 Comment\n\nJane Doe says:\nThe raid was a total failure and a waste of money.\n\nIn Other News",
    )
    path = tmp_path / "with_comment.txt"
    path.write_text(article, encoding="utf-8")
    answer = facts()
    answer["key_facts"].append(
        {
            "statement": "The raid was a failure.",
            "attribution": "the article",
            "status": "reported",
            "quote": "The raid was a total failure and a waste of money.",
        }
    )
    scripted.queue(*[completion(answer) for _ in range(3)], completion(events()))

    async def run() -> SummaryRecord:
        options = EndpointOptions(base_url=scripted.base_url, kind="vllm", model="scripted-model", retry=FAST)
        async with open_client(options) as client:
            return await Pipeline(client, PipelineSettings(quote_choices=False)).summarize(load_document(path))

    record = asyncio.run(run())
    assert all("failure" not in f.statement for f in record.key_facts)
    assert record.dropped_claims[0].reason == "quote comes from reader comments"


def test_values_absent_from_the_article_are_removed_with_a_warning(scripted: ScriptedServer) -> None:
    answer = events()
    answer["events"][0]["place"] = "Mumbai"
    answer["events"][0]["persons"].append({"name": "John Invented", "role": "commander", "outcome": "captured"})
    scripted.queue(completion(facts()), completion(answer))
    record = summarize(scripted)
    event = record.events[0]
    assert event.location.place is None and event.location.admin2 == "Musa Qala"
    assert [p.name for p in event.persons] == ["Asim Omar"]
    (removed,) = [w for w in record.warnings if w.startswith("values not found in the article were removed: ")]
    assert "'Mumbai'" in removed and "'John Invented'" in removed


def test_quote_choices_constrain_the_schema_sent(scripted: ScriptedServer) -> None:
    sentence = (
        "A U.S. official confirmed to Military Times the death of the al-Qaida leader, "
        "but provided no other details regarding the operation."
    )
    answer = facts()
    answer["key_facts"][0]["quote"] = sentence
    answer["key_facts"][0]["statement"] = "A U.S. official confirmed the death of the al-Qaida leader."
    answer["key_facts"][1] = dict(answer["key_facts"][0])  # a small model repeating itself
    scripted.queue(completion(answer), completion(events(events=[])))

    async def run() -> SummaryRecord:
        options = EndpointOptions(base_url=scripted.base_url, kind="vllm", model="scripted-model", retry=FAST)
        async with open_client(options) as client:
            return await Pipeline(client, PipelineSettings(quote_choices=True)).summarize(load_document(SEED_000))

    record = asyncio.run(run())
    schema = scripted.requests[0]["body"]["response_format"]["json_schema"]["schema"]
    assert sentence in json.dumps(schema, ensure_ascii=False)
    assert len(record.key_facts) == 1  # the repeated fact was de-duplicated


def test_ordered_counts_and_conservative_totals() -> None:
    assert ordered_counts(30, 10, 20) == {"low": 10, "best": 10, "high": 30}
    assert ordered_counts(30, 99, 20) == {"low": 20, "best": 99, "high": 99}
    assert ordered_counts(None, 5, None) == {"low": 5, "best": 5, "high": 5}
    claims = [
        CasualtyClaim(group="militants", outcome="killed", low=80, best=80, high=80, claimed_by="NDS", evidence=[]),
        CasualtyClaim(group="militants", outcome="killed", low=60, best=70, high=None, claimed_by="RS", evidence=[]),
        CasualtyClaim(group="civilians", outcome="killed", low=40, best=40, high=40, claimed_by="AP", evidence=[]),
        CasualtyClaim(group="militants", outcome="captured", low=27, best=27, high=27, claimed_by="NDS", evidence=[]),
    ]
    totals = conservative_totals(claims)
    assert (totals.killed, totals.captured, totals.injured) == (100, 27, None)


def _claim(count: int, source: str, outcome: str = "killed", group: str = "militants") -> CasualtyClaim:
    return CasualtyClaim(group=group, outcome=outcome, low=count, best=count, high=count,  # type: ignore[arg-type]
                         claimed_by=source, evidence=[])  # fmt: skip


def test_totals_add_one_sources_sub_groups_and_take_the_lowest_source() -> None:
    """The figures of seed 004 (NDS) and seed 000 (NDS, a U.S. official), as hand-built claims."""
    nds_004 = [_claim(80, "NDS"), _claim(3, "NDS"), _claim(2, "NDS"), _claim(27, "NDS", "captured")]
    totals = conservative_totals(nds_004)
    assert (totals.killed, totals.captured) == (85, 27)  # 80 AQIS + 3 Punjabi Taliban + 2 local Taliban
    # seed 000: the NDS says Omar and six others were killed (7); a second source counting 6 wins
    assert conservative_totals([_claim(1, "NDS"), _claim(6, "NDS"), _claim(6, "a U.S. official")]).killed == 6
    # the same source written two ways is one source; civilians are added to militants
    both = [_claim(80, "NDS"), _claim(5, "nds."), _claim(40, "AP", group="civilians")]
    assert conservative_totals(both).killed == 125


def test_a_mention_is_word_bounded_like_the_scorers() -> None:
    """The run-time check and the scorer share one name matcher: 'Ali' is not in 'Taliban', nor
    'Mali' in 'Somalia' (article written for this test)."""
    from summarizer.load import load_bytes
    from summarizer.verify import Grounder

    doc = load_bytes(
        b"The Taliban attacked a post in Somalia, Indian officials said. Asim Omar was killed in Musa Qala.\n", "t.txt"
    )
    grounder = Grounder(doc)
    assert grounder.supported("Ali", "actor") is None
    assert grounder.supported("Mali", "country") is None
    assert grounder.supported("India", "country") is None  # "Indian" is another word
    assert grounder.supported("Taliban", "actor") == "Taliban"
    assert grounder.supported("Musa Qalla", "place") == "Musa Qalla"  # a slip in a long name
    assert grounder.supported("Asim Umar", "person") is None  # a different spelling needs an alias
    assert grounder.removed == ["actor 'Ali'", "country 'Mali'", "country 'India'", "person 'Asim Umar'"]


def test_a_fact_its_quote_contradicts_is_sent_back_once_with_the_reason(scripted: ScriptedServer) -> None:
    wrong = facts()
    wrong["key_facts"][0]["statement"] = "A joint U.S.-Afghan raid on Sept. 23 captured AQIS leader Asim Omar."
    scripted.queue(completion(wrong), completion(facts()), completion(events()))
    record = summarize(scripted)
    assert record.provenance.reasks == 1
    feedback = user_messages(scripted.requests_for("FactsDraft")[1])[-1]
    assert "captured AQIS leader Asim Omar" in feedback and "contradicted" in feedback
    assert "says killed" in feedback  # the exact reason: the quote says killed
    assert [f.support.verdict for f in record.key_facts if f.support] == ["supported", "supported"]


def test_the_support_reask_is_asked_once_then_the_claim_is_dropped(scripted: ScriptedServer) -> None:
    wrong = facts()
    wrong["key_facts"][0]["statement"] = "A joint U.S.-Afghan raid on Sept. 23 captured AQIS leader Asim Omar."
    scripted.queue(completion(wrong), completion(wrong), completion(events()))
    record = summarize(scripted)
    assert record.provenance.reasks == 1  # once: a second unsupported answer is not sent back again
    (lost,) = [d for d in record.dropped_claims if d.statement == wrong["key_facts"][0]["statement"]]
    assert lost.support is not None and lost.support.verdict == "contradicted"


def test_no_support_reask_when_switched_off(scripted: ScriptedServer) -> None:
    wrong = facts()
    wrong["key_facts"][0]["statement"] = "A joint U.S.-Afghan raid on Sept. 23 captured AQIS leader Asim Omar."
    scripted.queue(completion(wrong), completion(events()))
    record = summarize(scripted, support_reask=False)
    assert record.provenance.reasks == 0 and len(record.key_facts) == 1


def test_quote_choices_offer_sentences_with_ascii_quotes_and_map_them_back(scripted: ScriptedServer) -> None:
    """An article written for this test: every sentence holds an ASCII double quote."""
    from summarizer.drafts import quote_choice
    from summarizer.load import load_bytes

    article = (
        b'The governor said "nobody was hurt" in the blast on Monday. '
        b'Police said "three suspects were arrested" after the raid.\n'
    )
    doc = load_bytes(article, "quotes.txt")
    sentence = 'Police said "three suspects were arrested" after the raid.'
    answer = facts()
    answer["key_facts"] = [
        {"statement": "Police arrested three suspects.", "attribution": "police", "status": "claimed",
         "quote": quote_choice(sentence)}
    ]  # fmt: skip
    scripted.queue(completion(answer), completion(events(events=[])))

    async def run() -> SummaryRecord:
        options = EndpointOptions(base_url=scripted.base_url, kind="vllm", model="scripted-model", retry=FAST)
        async with open_client(options) as client:
            return await Pipeline(client, PipelineSettings(quote_choices=True)).summarize(doc)

    record = asyncio.run(run())
    schema = json.dumps(scripted.requests[0]["body"]["response_format"]["json_schema"]["schema"], ensure_ascii=False)
    assert quote_choice(sentence) in schema and sentence not in schema  # offered, with typographic quotes
    (fact,) = record.key_facts
    assert fact.evidence[0].quote == sentence and fact.evidence[0].match is MatchKind.exact  # mapped back


def test_who_says_so_is_read_from_the_quote() -> None:
    """Sources and statuses come from the evidence (seed 000's sentences), not from the model."""
    from summarizer.verify import Grounder

    grounder = Grounder(load_document(SEED_000))
    nds = [grounder.align("The NDS said it killed six other AQIS members")]
    assert grounder.source_of("Resolute Support", nds, "claimed_by") == "NDS"  # the quote names another source
    assert grounder.source_of("NDS", nds, "claimed_by") == "NDS"
    assert grounder.status_of("confirmed", nds) == "reported"  # "said" reports; it does not confirm
    # the quote leaves out its "X says": the sentence around it names the source
    cut = [grounder.align("a joint U.S.-Afghan raid on Sept. 23 killed Asim Omar")]
    assert grounder.source_of("Resolute Support", cut, "attribution") == "National Directorate of Security"
    unattributed = [grounder.align("the country is still a safe haven for al-Qaida and some of its offshoots")]
    assert grounder.source_of("Pentagon", unattributed, "claimed_by") == "the article"  # no one named at all
    official = [grounder.align("A U.S. official confirmed to Military Times the death of the al-Qaida leader")]
    assert grounder.status_of("claimed", official) == "confirmed"
    assert grounder.replaced == [
        "claimed_by 'Resolute Support' -> 'NDS'",
        "attribution 'Resolute Support' -> 'National Directorate of Security'",
        "claimed_by 'Pentagon' -> 'the article'",
    ]

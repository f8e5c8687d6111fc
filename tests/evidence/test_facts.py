"""Key facts of the evidence strategy. Articles and sentences here are written for these tests."""

from __future__ import annotations

from summarizer.claims.support import support
from summarizer.evidence.facts import draft_fact, evidence_facts, is_news_sentence, select_sentences, trim_statement

ARTICLE = [  # written for the tests
    "Nigerian troops repelled an attack on a military base in Borno state on Tuesday, the army said.",
    "The army said 12 insurgents were killed and four soldiers were injured in the fighting.",
    "The base had been attacked twice before.",
    "Residents said they heard gunfire for three hours.",
    "A local official denied that any civilians were killed.",
    "John Doe is a staff reporter for the Daily Example.",
    "*This story was corrected after publication to fix a name.",
    "More news",
]


def test_salient_sentences_are_the_ones_with_outcomes_counts_and_sources() -> None:
    picked = [s.index for s in select_sentences(ARTICLE, limit=3)]
    assert picked == [0, 1, 4]


def test_bios_corrections_and_fragments_are_not_news() -> None:
    assert not is_news_sentence(ARTICLE[5])
    assert not is_news_sentence(ARTICLE[6])
    assert not is_news_sentence(ARTICLE[7])
    assert is_news_sentence(ARTICLE[1])


def test_a_fact_is_its_sentence_with_the_sentences_source_and_status() -> None:
    fact = draft_fact(ARTICLE[1])
    assert fact.statement == ARTICLE[1] and fact.quote == ARTICLE[1]
    assert (fact.attribution, fact.status) == ("army", "reported")
    denied = draft_fact(ARTICLE[4])
    assert denied.status == "denied"
    unattributed = draft_fact(ARTICLE[2])
    assert (unattributed.attribution, unattributed.status) == ("the article", "reported")


def test_trimming_removes_openers_and_never_adds_a_word() -> None:
    sentence = "But the police said 3 people were arrested.*"
    trimmed = trim_statement(sentence)
    assert trimmed == "The police said 3 people were arrested."
    assert set(trimmed.lower().rstrip(".").split()) <= set(sentence.lower().replace("*", "").rstrip(".").split())
    long = "The army said " + ", ".join(f"unit {i} advanced" for i in range(40)) + "."
    assert len(trim_statement(long)) <= 240 and long.startswith(trim_statement(long))


def test_every_fact_is_supported_by_its_own_quote() -> None:
    for fact in evidence_facts(ARTICLE):
        assert support(fact.statement, [fact.quote]).verdict == "supported", fact.statement


def test_a_third_of_the_news_sentences_are_kept_between_4_and_10() -> None:
    from summarizer.evidence.facts import fact_count

    assert [fact_count(n) for n in (3, 12, 15, 21, 30, 60)] == [4, 4, 5, 7, 10, 10]

"""The run-time support verdict: a claim against its own quote (summarizer/claims/support.py).

The quotes are sentences of seed 000; the statements are written for these tests, one faithful
and one per adversarial class (altered number, negation, swapped outcome, wrong person, a name
the quote lacks, nothing checkable)."""

from __future__ import annotations

import pytest

from summarizer.claims.support import count_support, outcome_support, statement_names, support

RAID = (
    "The Afghan intelligence agency said Omar was killed along with six other AQIS members in a joint "
    "U.S.-Afghan raid on Sept. 23 in Musa Qala district."
)
ARRESTS = "Afghan forces arrested 14 and killed 22 foreign fighters during the operation, the Ministry of Defense said."
OFFICIAL = "A U.S. official confirmed the death to the Associated Press."


@pytest.mark.parametrize(
    ("statement", "quote"),
    [
        ("Six other AQIS members were killed in the raid.", RAID),
        ("Omar was killed in a raid on Sept. 23.", RAID),
        ("The raid was in Musa Qala.", RAID),
        ("Afghan forces killed 22 foreign fighters.", ARRESTS),
        ("Afghan forces arrested 14 and killed 22 foreign fighters.", ARRESTS),
    ],
)
def test_a_statement_its_quote_states_is_supported(statement: str, quote: str) -> None:
    assert support(statement, [quote], year=2019).verdict == "supported"


@pytest.mark.parametrize(
    ("statement", "quote", "verdict"),
    [
        ("Seven other AQIS members were killed in the raid.", RAID, "contradicted"),  # altered number
        ("Omar was not killed in the raid.", RAID, "contradicted"),  # negation
        ("Omar was captured in the raid.", RAID, "contradicted"),  # swapped outcome
        ("Afghan forces arrested 22 and killed 14 foreign fighters.", ARRESTS, "contradicted"),  # swapped counts
        ("Omar was killed in a raid on Sept. 22.", RAID, "partial"),  # wrong date
        ("Asim Omar was killed in the raid.", RAID, "unsupported"),  # the quote names only "Omar": no alias at run time
        ("Ayman al-Zawahiri was killed in the raid.", RAID, "unsupported"),  # wrong person
        ("Shawn Snow", OFFICIAL, "unsupported"),  # a byline as a fact
        ("The situation remains tense.", OFFICIAL, "unsupported"),  # nothing checkable
    ],
)
def test_a_statement_its_quote_does_not_state_is_not_supported(statement: str, quote: str, verdict: str) -> None:
    result = support(statement, [quote], year=2019)
    assert result.verdict == verdict, result
    assert result.reasons  # every verdict but 'supported' says why


def test_no_quote_is_no_support() -> None:
    assert support("Omar was killed.", []).verdict == "unsupported"


def test_a_casualty_count_must_be_in_the_quote_and_bound_to_its_outcome() -> None:
    assert count_support(22, 22, "killed", [ARRESTS]).verdict == "supported"
    assert count_support(14, 14, "killed", [ARRESTS]).verdict == "contradicted"  # 14 were arrested
    assert count_support(250, 1000, "injured", [OFFICIAL]).verdict == "unsupported"  # no number at all
    assert count_support(7, 7, "killed", [RAID]).verdict == "contradicted"  # six, not seven
    assert count_support(6, 6, "killed", [RAID]).verdict == "supported"  # "killed along with six"


def test_a_persons_outcome_must_be_in_the_quote() -> None:
    assert outcome_support("Omar", "killed", [RAID]).verdict == "supported"
    assert outcome_support("Omar", "captured", [RAID]).verdict == "contradicted"
    assert outcome_support("Ayman al-Zawahiri", "killed", [RAID]).verdict == "unsupported"


def test_names_are_runs_of_capitalised_words_without_sentence_openers_or_numbers() -> None:
    text = "Seven AQIS members died. The US and al Qaeda met Ayman al-Zawahiri's courier in Musa Qala on Sept. 23."
    assert statement_names(text) == ["AQIS", "US", "al Qaeda", "Ayman al-Zawahiri", "Musa Qala"]


def test_a_vague_count_is_no_number_so_a_sentence_still_supports_itself() -> None:
    """Written for the tests: "multiple" and "some" state an outcome, not a figure."""
    for sentence in ('Khetab and "multiple other operatives" were killed during operations, officials said.',
                     "The army named some of the other fighters killed."):  # fmt: skip
        assert support(sentence, [sentence]).verdict == "supported"
    assert support("Two fighters were killed.", ["Some fighters were killed."]).verdict != "supported"


def test_a_reporting_verb_used_as_a_noun_names_no_source() -> None:
    """Written for the tests: "reports do not indicate" is a noun; the source is the statement."""
    from summarizer.claims import analyse

    sentence = '"Preliminary reports do not indicate enemy fire," the statement said.'
    assert [a.source for a in analyse(sentence).attributions] == ["statement"]
    coordinated = "The mission condemned the attack and said 15 civilians died."
    assert [a.source for a in analyse(coordinated).attributions] == ["mission"]


def test_a_month_and_day_after_the_publication_day_is_last_year() -> None:
    """Written for the tests: "Dec. 28" in a paper of Jan. 5, 2020 is Dec. 28, 2019."""
    import datetime as dt

    from summarizer.claims.dates import find_dates

    (mention,) = find_dates("on dec. 28")
    assert mention.resolve(2020, dt.date(2020, 1, 5)) == (dt.date(2019, 12, 28), dt.date(2019, 12, 28))
    (early,) = find_dates("on jan. 3")
    assert early.resolve(2020, dt.date(2020, 1, 5)) == (dt.date(2020, 1, 3), dt.date(2020, 1, 3))

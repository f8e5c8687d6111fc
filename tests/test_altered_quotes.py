"""Altered quotes (issue "grounded means supported", item 2). The article sentences are from seed
000; each altered quote is written for these tests and changes one word that carries the claim."""

from __future__ import annotations

import pytest

from summarizer.ground import align_quote, altered_words
from summarizer.schema import MatchKind

ARTICLE = (
    "The Afghan intelligence agency said Omar was killed along with six other AQIS members in a joint "
    "U.S.-Afghan raid on Sept. 23 in Musa Qala district. A U.S. official confirmed the death to the "
    "Associated Press. The NDS said Omar was a Pakistani citizen. Afghan forces arrested 14 and killed 22 "
    "foreign fighters during the operation, the Ministry of Defense said."
)


@pytest.mark.parametrize(
    ("quote", "changed"),
    [
        ("Omar was killed along with seven other AQIS members", ["-six", "+seven"]),
        ("Omar was captured along with six other AQIS members", ["-killed", "+captured"]),
        ("A U.S. official denied the death to the Associated Press.", ["-confirmed", "+denied"]),
        ("Afghan forces arrested 22 and killed 14 foreign fighters during the operation", ["-22", "+22"]),
        ("The NDS said Omar was not a Pakistani citizen.", ["+not"]),
        ("The NDS said Umar was a Pakistani citizen.", ["-omar", "+umar"]),
        ("Omar was killed along with 6 other AQIS members", ["-six", "+6"]),
    ],
)
def test_an_altered_quote_is_not_a_fuzzy_match(quote: str, changed: list[str]) -> None:
    evidence = align_quote(quote, ARTICLE)
    assert evidence.match is MatchKind.altered, evidence
    assert set(changed) <= set(evidence.altered), evidence  # the span may take in a word more at its edge


@pytest.mark.parametrize(
    "quote",
    [
        "The NDS said Omar was a Pakistani citizen.",  # exact
        "the nds said omar was a pakistani citizen",  # case
        "A U.S. official confirmed the death to the Associated  Press.",  # whitespace
        "Omar was killed along with six other AQIS membres in a joint",  # a slip in an ordinary word
    ],
)
def test_typography_case_and_slips_in_ordinary_words_are_forgiven(quote: str) -> None:
    evidence = align_quote(quote, ARTICLE)
    assert evidence.match in (MatchKind.exact, MatchKind.fuzzy), evidence
    assert evidence.altered == []


def test_altered_words_compares_counts_not_case() -> None:
    assert altered_words("The raid killed six.", "the raid killed six.") == []
    assert altered_words("killed six, killed six", "killed six, wounded six") == ["-wounded", "+killed"]
    assert altered_words("arrested 22 and killed 14", "arrested 14 and killed 22") != []  # same words, swapped

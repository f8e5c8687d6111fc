"""Tests for summarizer.ground: aligning model quotes to the article text."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from summarizer.ground import SCORE_FLOOR, Aligner, align_quote, aligner_for, ground_quotes, normalise, strip_quote
from summarizer.schema import MatchKind

SEED = Path(__file__).parent.parent / "seeds" / "000_27aace103a48bbe9.txt"

HAND_BUILT_TEXT = (
    "KABUL \u2014 Afghan forces said Tuesday they had cleared the village of insurgents.\n\n"
    "The governor\u2019s spokesman said   twelve militants were killed\n"
    "in the overnight raid, and three soldiers were wounded.\n\n"
    "Officials said the operation lasted nearly six hours before the area was secured.\n"
    "\n"
    "Comments\n"
    "reader99: I heard the drone strike hit a wedding party near the river.\n"
)
ARTICLE_END = HAND_BUILT_TEXT.index("Comments")
REGION = (0, ARTICLE_END)


def _span(text: str, ev_start: int | None, ev_end: int | None) -> str:
    assert ev_start is not None and ev_end is not None
    return text[ev_start:ev_end]


def test_exact_match_invariant() -> None:
    quote = "Afghan forces said Tuesday they had cleared the village of insurgents."
    ev = align_quote(quote, HAND_BUILT_TEXT, region=REGION)
    assert ev.match is MatchKind.exact
    assert ev.score == 100.0
    assert ev.quote == quote
    assert _span(HAND_BUILT_TEXT, ev.start, ev.end) == ev.quote


def test_typographic_apostrophe_is_fuzzy_100_with_original_span() -> None:
    ev = align_quote("The governor's spokesman said", HAND_BUILT_TEXT, region=REGION)
    assert ev.match is MatchKind.fuzzy
    assert ev.score == 100.0
    assert ev.aligned_text == "The governor\u2019s spokesman said"
    assert _span(HAND_BUILT_TEXT, ev.start, ev.end) == ev.aligned_text


def test_collapsed_whitespace_and_newline_inside_span() -> None:
    quote = "said twelve militants were killed in the overnight raid"
    ev = align_quote(quote, HAND_BUILT_TEXT, region=REGION)
    assert ev.match is MatchKind.fuzzy
    assert ev.score == 100.0
    assert ev.aligned_text == "said   twelve militants were killed\nin the overnight raid"
    assert _span(HAND_BUILT_TEXT, ev.start, ev.end) == ev.aligned_text


def test_case_and_dash_normalisation() -> None:
    ev = align_quote("kabul - afghan forces said tuesday", HAND_BUILT_TEXT, region=REGION)
    assert ev.match is MatchKind.fuzzy
    assert ev.score == 100.0
    assert ev.start == 0
    assert ev.aligned_text == "KABUL \u2014 Afghan forces said Tuesday"


def test_paraphrase_with_a_few_words_changed() -> None:
    quote = "Officials said the operation lasted almost six hours before the area was secured."
    ev = align_quote(quote, HAND_BUILT_TEXT, region=REGION)
    assert ev.match is MatchKind.fuzzy
    assert ev.score is not None and 88.0 <= ev.score < 100.0
    expected = "Officials said the operation lasted nearly six hours before the area was secured."
    exp_start = HAND_BUILT_TEXT.index(expected)
    assert ev.start is not None and ev.end is not None
    assert abs(ev.start - exp_start) <= 3
    assert abs(ev.end - (exp_start + len(expected))) <= 3
    assert ev.aligned_text == HAND_BUILT_TEXT[ev.start : ev.end]
    # widened to word boundaries: no partial word at either end
    assert not HAND_BUILT_TEXT[ev.start - 1].isalnum()
    assert not HAND_BUILT_TEXT[ev.end].isalnum()


def test_absent_quote_is_unmatched() -> None:
    ev = align_quote("The president announced new tariffs on steel imports.", HAND_BUILT_TEXT, region=REGION)
    assert ev.match is MatchKind.unmatched
    assert ev.start is None and ev.end is None
    assert ev.score is None  # nothing even near: below SCORE_FLOOR
    assert ev.aligned_text is None


def test_near_miss_reports_best_score() -> None:
    ev = align_quote("Twelve militants died in the overnight raid", HAND_BUILT_TEXT, region=REGION)
    assert ev.match is MatchKind.unmatched
    assert ev.start is None and ev.end is None
    assert ev.score is not None and SCORE_FLOOR <= ev.score < 88.0
    # the same quote passes with a lower threshold
    loose = align_quote(ev.quote, HAND_BUILT_TEXT, region=REGION, min_score=ev.score)
    # ... but it changes the count and the outcome word, so it is altered, not fuzzy
    assert loose.match is MatchKind.altered
    assert loose.aligned_text is not None and "militants" in loose.aligned_text
    assert {"+twelve", "+died", "-killed"} <= set(loose.altered)


def test_quote_only_outside_region_is_unmatched() -> None:
    quote = "the drone strike hit a wedding party near the river"
    assert quote in HAND_BUILT_TEXT
    ev = align_quote(quote, HAND_BUILT_TEXT, region=REGION)
    assert ev.match is MatchKind.unmatched
    assert ev.start is None
    # without the region it is found
    whole = align_quote(quote, HAND_BUILT_TEXT)
    assert whole.match is MatchKind.exact
    assert whole.start is not None and whole.start >= ARTICLE_END


def test_quote_wrapped_in_quotation_marks() -> None:
    for wrapped in (
        "\u201cthree soldiers were wounded.\u201d",
        '"three soldiers were wounded."',
        "  'three soldiers were wounded.'  ",
    ):
        ev = align_quote(wrapped, HAND_BUILT_TEXT, region=REGION)
        assert ev.match is MatchKind.exact, wrapped
        assert ev.quote == "three soldiers were wounded."
        assert _span(HAND_BUILT_TEXT, ev.start, ev.end) == ev.quote


def test_trailing_apostrophe_kept_when_not_wrapping() -> None:
    assert strip_quote("the soldiers'") == "the soldiers'"
    assert strip_quote('  "\u201cnested\u201d"  ') == "nested"


@pytest.mark.parametrize("quote", ["", "   ", "\n\t", '""', "\u201c \u201d"])
def test_empty_quote_is_unmatched(quote: str) -> None:
    ev = align_quote(quote, HAND_BUILT_TEXT, region=REGION)
    assert ev.match is MatchKind.unmatched
    assert ev.start is None and ev.end is None
    assert ev.score is None


def test_short_quote_never_fuzzy() -> None:
    ev = align_quote("six hourz", HAND_BUILT_TEXT, region=REGION)
    assert ev.match is MatchKind.unmatched
    assert ev.score is None


def test_offsets_are_into_original_text_after_multichar_whitespace() -> None:
    text = "Intro.\n\n\n   \u00a0  Second   paragraph\u2019s   start here, then more text."
    ev = align_quote("paragraph's start here", text)
    assert ev.match is MatchKind.fuzzy
    assert ev.start == text.index("paragraph")
    assert ev.aligned_text == "paragraph\u2019s   start here"
    assert _span(text, ev.start, ev.end) == ev.aligned_text
    # an approximate match after the same whitespace is also reported in original offsets
    approx = align_quote("paragraph's start hear, then more text", text)
    assert approx.match is MatchKind.fuzzy
    assert approx.start == text.index("paragraph")
    assert approx.aligned_text == _span(text, approx.start, approx.end)


def test_ellipsis_and_index_map() -> None:
    text = "Wait\u2026  THEN go"
    assert normalise(text) == "wait... then go"
    ev = align_quote("wait... then", text)
    assert ev.match is MatchKind.fuzzy
    assert ev.aligned_text == "Wait\u2026  THEN"


def test_bad_region_raises() -> None:
    with pytest.raises(ValueError):
        Aligner("abc", (2, 10))


def test_ground_quotes_preserves_order() -> None:
    quotes = ["three soldiers were wounded.", "nothing like this is in the article at all", ""]
    evs = ground_quotes(quotes, HAND_BUILT_TEXT, region=REGION)
    assert [e.match for e in evs] == [MatchKind.exact, MatchKind.unmatched, MatchKind.unmatched]


def test_seed_article() -> None:
    text = SEED.read_text(encoding="utf-8")
    exact_quote = "A U.S. official confirmed to Military Times the death of the al-Qaida leader"
    straight = "Afghanistan's intelligence agency says"
    exact, fuzzy = ground_quotes([exact_quote, straight], text)
    assert exact.match is MatchKind.exact
    assert _span(text, exact.start, exact.end) == exact_quote
    assert fuzzy.match is MatchKind.fuzzy
    assert fuzzy.score == 100.0
    assert fuzzy.start == 0
    assert fuzzy.aligned_text == "Afghanistan\u2019s intelligence agency says"


def test_quote_longer_than_region_is_not_matched_inside_it() -> None:
    text = "short text here and then a long tail of comments"
    ev = align_quote("A long quote that is much longer than the short text region", text, region=(0, 10))
    assert ev.match is MatchKind.unmatched
    assert ev.start is None


def test_fuzzy_span_widened_to_word_boundaries() -> None:
    text = "They said twelve militants were killed in the overnight raid, and three soldiers were wounded."
    ev = align_quote("xx overnight raid, and three soldiers were wnded", text)
    assert ev.match is MatchKind.altered  # a slip in an outcome word changes what the quote says
    assert ev.aligned_text == "overnight raid, and three soldiers were wounded"
    assert ev.altered == ["-wounded"]
    ev = align_quote("xx overnight raid, and three soldeirs were wounded", text)
    assert ev.match is MatchKind.fuzzy  # a slip in an ordinary word does not
    assert ev.aligned_text is not None and ev.aligned_text.startswith("overnight raid, and three soldiers were")


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300), st.integers(0, 300), st.integers(0, 80), st.text(max_size=30))
def test_property_exact_is_always_verbatim(text: str, start: int, length: int, noise: str) -> None:
    quotes = [text[start : start + length], noise, text[start : start + length] + noise]
    for evidence in ground_quotes(quotes, text):
        if evidence.match is MatchKind.exact:
            assert evidence.start is not None and evidence.end is not None
            assert text[evidence.start : evidence.end] == evidence.quote


def test_one_aligner_serves_every_check_of_a_text_and_region() -> None:
    text = "The raid killed him. Officials said so."
    assert aligner_for(text) is aligner_for(text)
    assert aligner_for(text, (0, 20)) is not aligner_for(text)
    assert aligner_for(text, (0, 20)).align("Officials said so.").match is MatchKind.unmatched  # outside the region
    assert aligner_for(text).align("Officials said so.").match is MatchKind.exact

"""The publication date relative dates resolve against. Texts are written for these tests."""

from __future__ import annotations

import datetime as dt

from summarizer.evidence.published import byline_date, parse_published, publication


def test_the_option_wins_over_metadata_and_byline() -> None:
    found = publication("2024-03-14", "2020-01-01T10:00:00Z", "Published March 1, 2019\nText.")
    assert (found.date, found.source) == (dt.date(2024, 3, 14), "option")


def test_page_metadata_then_a_byline() -> None:
    assert publication(None, "2020-01-02T10:00:00+00:00", "").date == dt.date(2020, 1, 2)
    text = "Army repels attack\nPublished: Dec. 5, 2017\nThe army said on Tuesday that ..."
    found = publication(None, None, text)
    assert (found.date, found.source) == (dt.date(2017, 12, 5), "byline")


def test_a_bare_year_gives_the_year_and_no_day() -> None:
    found = parse_published("2019", "option")
    assert (found.date, found.year) == (None, 2019)


def test_no_date_means_no_year_is_invented() -> None:
    text = "The raid took place on Sept. 23 and the army said more on Tuesday, in a statement of 40 words."
    found = publication(None, None, text)
    assert not found.known and found.date is None and found.year is None
    sentence = "A long first sentence of the article that happens to say March 3, 2019 in it, far from a byline."
    assert not byline_date(sentence).known


def test_only_iso_dates_and_years_are_read_so_no_day_is_guessed() -> None:
    assert parse_published("2019-11-20T08:00:00Z", "metadata").date == dt.date(2019, 11, 20)
    month = parse_published("2019-09", "option")
    assert (month.date, month.year) == (None, 2019)
    for guess in ("September 2019", "yesterday", "1899", "soon"):
        assert not parse_published(guess, "option").known, guess

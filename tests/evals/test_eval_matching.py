"""Field-aware matching on hand-built claims: paraphrases and aliases earn credit; a wrong
number, a date outside the precision window, the wrong person or a killed/captured swap do not."""

from __future__ import annotations

import datetime as dt

from summarizer.evals.dataset import DateElement, Elements, NumberElement
from summarizer.evals.matching import AliasTable, check_elements, extract_dates, extract_numbers, mentions

ALIASES = AliasTable.of(
    [["Asim Omar", "Asim Umar"], ["al-Qaida", "al Qaeda", "AQ"], ["NDS", "National Directorate of Security"]]
)
RAID = Elements(entities=["Asim Omar"], dates=[DateElement(value=dt.date(2019, 9, 23), precision="day")],
                outcome="killed")  # fmt: skip
SIX = Elements(entities=["NDS"], numbers=[NumberElement(low=6, high=6)], outcome="killed", keywords=["AQIS"])


def ok(elements: Elements, text: str) -> bool:
    return check_elements(elements, text, ALIASES, 2019).ok


def test_paraphrase_with_alias_and_short_date_earns_credit() -> None:
    assert ok(RAID, "Asim Umar died in a raid on Sept. 23, Afghan intelligence said.")
    assert ok(RAID, "A September 23 operation killed AQIS chief Asim Omar.")


def test_number_words_match_digits() -> None:
    assert ok(SIX, "The National Directorate of Security said six other AQIS fighters were killed.")
    assert ok(SIX, "NDS: 6 AQIS members killed.")


def test_wrong_number_loses_credit_and_says_why() -> None:
    check = check_elements(SIX, "The NDS said it killed 60 other AQIS members.", ALIASES, 2019)
    assert not check.ok
    assert check.missing == ["number 6 (stated: 60)"]


def test_date_outside_the_precision_window_loses_credit() -> None:
    check = check_elements(RAID, "Asim Omar was killed on Sept. 22.", ALIASES, 2019)
    assert not check.ok and "date 2019-09-23 (day) (stated: 2019-09-22)" in check.missing
    assert not ok(RAID, "Asim Omar was killed in September.")  # vaguer than the reference


def test_month_precision_accepts_any_day_of_the_month() -> None:
    month = Elements(dates=[DateElement(value=dt.date(2019, 9, 1), precision="month")], keywords=["raid"])
    assert ok(month, "The raid happened on Sept. 23.")
    assert ok(month, "A raid in September.")
    assert not ok(month, "A raid in October.")


def test_wrong_person_loses_credit() -> None:
    assert not ok(RAID, "Ayman al-Zawahiri was killed on Sept. 23.")


def test_killed_captured_swap_loses_credit_and_names_the_swap() -> None:
    check = check_elements(RAID, "Asim Omar was captured on Sept. 23.", ALIASES, 2019)
    assert not check.ok and check.missing == ["outcome killed (says captured)"]


def test_acronyms_are_case_sensitive() -> None:
    aliases = AliasTable.of([["United States", "US"]])
    assert mentions("US forces raided the camp", "United States", aliases)
    assert not mentions("let us go", "United States", aliases)


def test_extractors() -> None:
    assert (6.0, 6.0) in extract_numbers("six other members")
    assert (24.0, 99.0) in extract_numbers("dozens of fighters")
    assert (1200.0, 1200.0) in extract_numbers("1,200 people")
    dates = extract_dates("in may 2011 and on 23 september", 2019)
    assert (dt.date(2011, 5, 1), dt.date(2011, 5, 31)) in dates
    assert (dt.date(2019, 9, 23), dt.date(2019, 9, 23)) in dates
    assert extract_dates("we may go", 2019) == []

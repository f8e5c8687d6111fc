"""Dates stated in a text, with their precision.

Explicit forms ("Sept. 23, 2019", "23 September", "2019-09-23"), numeric ones ("9/23/2019"),
months and years, weekdays ("on Tuesday") and relative phrases ("last week", "yesterday").
A date without a year takes the case's year; a weekday or relative phrase resolves only
against a publication date (through ``dateparser``), never by guessing.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

Precision = Literal["day", "week", "month", "year"]

MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
WEEKDAYS = {name.lower(): i for i, name in enumerate(calendar.day_name)}
_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_NUMERIC_DATE = re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})\b")
_MONTH_DAY = re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}})\b)?")
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH_RE})\b\.?(?:,?\s+(\d{{4}})\b)?")
_MONTH_YEAR = re.compile(rf"\b({_MONTH_RE})\b\.?(?:,?\s+(?:of\s+)?(\d{{4}})\b)?")
_YEAR = re.compile(r"(?<![\d,.])\b(19\d{2}|20\d{2})\b(?![\d,])")
_WEEKDAY = re.compile(r"\b(?:(last|this|next)\s+)?(" + "|".join(WEEKDAYS) + r")\b")
_RELATIVE = re.compile(
    r"\b(yesterday|today|last week|last month|last year|this week|this month|earlier this (?:week|month|year)"
    r"|(?:a|one|two|three|\d+) (?:days?|weeks?) ago)\b"
)
#: What every match of a pattern contains, tested before the pattern is searched: a digit (the numeric
#: forms, day numbers and years), a month name's first three letters, a weekday name, and one of these
#: words for a relative phrase.
_DIGIT = re.compile(r"\d")
_MONTH_STEMS = frozenset(name[:3] for name in MONTHS)
_RELATIVE_WORDS = ("day", "week", "month", "year")


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date as stated; resolve it with the case's year and publication date."""

    start: int
    end: int
    precision: Precision
    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None
    relative: str | None = None

    def resolve(self, default_year: int | None, published: dt.date | None) -> tuple[dt.date, dt.date] | None:
        """(first day, last day), or None when the text alone cannot say which days."""
        if self.weekday is not None and self.relative is None:
            if published is None:
                return None
            # The most recent such day, the publication day itself included ("on Friday" in Friday's paper).
            day = published - dt.timedelta(days=(published.weekday() - self.weekday) % 7)
            return day, day
        if self.relative is not None:
            return _relative(self.relative, published)
        year = self.year or default_year
        if year is None:
            return None
        if (
            self.year is None
            and published is not None
            and self.month is not None
            and ((self.month, self.day or 1) > (published.month, published.day))
        ):
            year = published.year - 1  # "Dec. 28" in a paper of Jan. 5 is last December
        if self.precision == "year":
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        assert self.month is not None
        if self.precision == "month":
            return dt.date(year, self.month, 1), dt.date(year, self.month, calendar.monthrange(year, self.month)[1])
        try:
            day = dt.date(year, self.month, self.day or 1)
        except ValueError:
            return None
        return day, day


@lru_cache(maxsize=1024)
def _relative(phrase: str, published: dt.date | None) -> tuple[dt.date, dt.date] | None:
    """Resolve a weekday or relative phrase against the publication date (the most recent such day)."""
    if published is None:
        return None
    import dateparser  # imported on first use: it is slow to load and rarely needed

    base = dt.datetime.combine(published, dt.time(12))
    settings = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": "past", "RETURN_TIME_AS_PERIOD": True}
    parsed = dateparser.parse(phrase, languages=["en"], settings=settings)  # type: ignore[arg-type]
    if parsed is None:
        return None
    day = parsed.date()
    if "week" in phrase and "ago" not in phrase:
        monday = day - dt.timedelta(days=day.weekday())
        return monday, monday + dt.timedelta(days=6)
    if "month" in phrase:
        return day.replace(day=1), day.replace(day=calendar.monthrange(day.year, day.month)[1])
    if "year" in phrase:
        return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    return day, day


def _inside(taken: list[tuple[int, int]], start: int) -> bool:
    return any(s <= start < e for s, e in taken)


def _year(text: str | None) -> int | None:
    if not text:
        return None
    value = int(text)
    return value + 2000 if value < 100 else value


def find_dates(norm: str) -> list[DateMention]:
    """Every date stated in normalised text."""
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []

    def add(mention: DateMention) -> None:
        found.append(mention)
        taken.append((mention.start, mention.end))

    digits = _DIGIT.search(norm) is not None
    months = any(stem in norm for stem in _MONTH_STEMS)
    for m in _ISO_DATE.finditer(norm) if digits else ():
        add(DateMention(m.start(), m.end(), "day", int(m[1]), int(m[2]), int(m[3])))
    for m in _NUMERIC_DATE.finditer(norm) if digits else ():
        if _inside(taken, m.start()):
            continue
        first, second = int(m[1]), int(m[2])
        month, day = (second, first) if first > 12 else (first, second)  # US order unless impossible
        if 1 <= month <= 12 and 1 <= day <= 31:
            add(DateMention(m.start(), m.end(), "day", _year(m[3]), month, day))
    for pattern, month_group, day_group in ((_MONTH_DAY, 1, 2), (_DAY_MONTH, 2, 1)):
        for m in pattern.finditer(norm) if digits and months else ():
            if _inside(taken, m.start()):
                continue
            if m[month_group] in ("may", "mar") and not m[3] and pattern is _DAY_MONTH:
                continue
            add(DateMention(m.start(), m.end(), "day", _year(m[3]), MONTHS[m[month_group]], int(m[day_group])))
    for m in _MONTH_YEAR.finditer(norm) if months else ():
        if _inside(taken, m.start()) or (m[1] in ("may", "mar", "march", "sat", "sun", "dec") and not m[2]):
            continue  # too often a verb or word on its own
        add(DateMention(m.start(), m.end(), "month", _year(m[2]), MONTHS[m[1]]))
    for m in _YEAR.finditer(norm) if digits else ():
        if not _inside(taken, m.start()):
            add(DateMention(m.start(), m.end(), "year", int(m[1])))
    for m in _WEEKDAY.finditer(norm) if any(day in norm for day in WEEKDAYS) else ():
        if not _inside(taken, m.start()) and not m[1]:
            add(DateMention(m.start(), m.end(), "day", weekday=WEEKDAYS[m[2]]))
    for m in _RELATIVE.finditer(norm) if any(word in norm for word in _RELATIVE_WORDS) else ():
        if not _inside(taken, m.start()):
            precision: Precision = "week" if "week" in m[1] else "month" if "month" in m[1] else "day"
            precision = "year" if "year" in m[1] else precision
            add(DateMention(m.start(), m.end(), precision, relative=m[1]))
    return found

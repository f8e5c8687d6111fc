"""The publication date that relative dates ("Tuesday", "last week") resolve against.

In order: the user's ``--published``; the page's metadata (``article:published_time``,
``datePublished``, ``<time>``, read by trafilatura when the page was loaded); a byline or
dateline near the top of a plain-text article ("Published Dec. 5, 2017", "Dec. 5, 2017 —").
Without one, no year is invented: dates without a year stay unresolved.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from summarizer.claims import normalise
from summarizer.claims.dates import find_dates

#: How far into the text a byline or dateline is looked for.
BYLINE_CHARS = 600
_BYLINE = re.compile(r"^(?:published|updated|posted|last updated|first published|by\b.*?)[:\s]", re.IGNORECASE)
_YEAR_ONLY = re.compile(r"^\s*((?:19|20)\d\d)\s*$")
_YEAR_MONTH = re.compile(r"^\s*((?:19|20)\d\d)-(0[1-9]|1[0-2])\s*$")


@dataclass(frozen=True)
class Publication:
    """When the article was published, as far as the program can tell, and how it knows."""

    date: dt.date | None
    year: int | None
    source: str

    @property
    def known(self) -> bool:
        """A year at least."""
        return self.year is not None


UNKNOWN = Publication(None, None, "unknown")


def parse_published(value: str | None, source: str) -> Publication:
    """A stated publication date: an ISO date or datetime ("2019-11-20", "2019-11-20T08:00:00Z"), an
    ISO month ("2019-09": its year only) or a bare year. Nothing else is read: a guessed day would
    turn "Tuesday" into a wrong date."""
    if not value or not value.strip():
        return UNKNOWN
    text = value.strip()
    if year := _YEAR_ONLY.match(text):
        return Publication(None, int(year.group(1)), source)
    if month := _YEAR_MONTH.match(text):
        return Publication(None, int(month.group(1)), source)
    try:
        day = dt.date.fromisoformat(text[:10])
    except ValueError:
        return UNKNOWN
    return Publication(day, day.year, source)


def byline_date(text: str) -> Publication:
    """A full date on a short line near the top (a byline or dateline), else unknown."""
    for line in text[:BYLINE_CHARS].splitlines():
        stripped = line.strip()
        if not stripped or len(stripped) > 90:
            continue
        for mention in find_dates(normalise(stripped)):
            if mention.precision == "day" and mention.year and mention.month and mention.day:
                rest = len(stripped) - (mention.end - mention.start)
                if _BYLINE.match(stripped) or rest <= 30:
                    try:
                        day = dt.date(mention.year, mention.month, mention.day)
                    except ValueError:
                        continue
                    return Publication(day, day.year, "byline")
    return UNKNOWN


def publication(given: str | None, metadata: str | None, text: str) -> Publication:
    """The publication date: the option, else the page metadata, else a byline (see the module)."""
    for value, source in ((given, "option"), (metadata, "metadata")):
        found = parse_published(value, source)
        if found.known:
            return found
    return byline_date(text)

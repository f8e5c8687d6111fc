"""Field-aware matching of output claims against reference elements.

Deterministic: aliases (Asim Omar = Asim Umar), numbers (six = 6, dozens = a range),
dates within a precision window, outcome words (killed vs captured), keywords.
Every check explains itself, so a report can say why a fact was missed.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import fuzz

from summarizer.evals.dataset import DateElement, Elements, NumberElement
from summarizer.ground import normalise

OUTCOME_WORDS: dict[str, tuple[str, ...]] = {
    "killed": ("kill", "killed", "killing", "death", "dead", "died", "dies", "slain", "eliminated", "fatalit"),
    "captured": ("captur", "arrest", "detain", "detention", "seized", "custody", "apprehend"),
    "injured": ("injur", "wound", "hurt"),
}
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "a dozen": 12, "a hundred": 100,
}  # fmt: skip
VAGUE_QUANTITIES = {"dozens": (24, 99), "scores": (40, 99), "hundreds": (200, 999), "several": (3, 9)}
MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): i for i, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9
_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_MONTH_DAY = re.compile(rf"\b({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?\b")
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})\s+({_MONTH_RE})\.?(?:,?\s+(\d{{4}}))?\b")
_MONTH_YEAR = re.compile(rf"\b({_MONTH_RE})\.?(?:\s+(?:of\s+)?(\d{{4}}))?\b")
_YEAR = re.compile(r"\b(19\d{2}|20\d{2})\b")
_NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w-])")
_WORD_NUMBER = re.compile(r"\b(" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")\b")


@dataclass(frozen=True)
class AliasTable:
    """Groups of names that mean the same thing."""

    groups: tuple[tuple[str, ...], ...] = ()

    @classmethod
    def of(cls, *group_lists: Iterable[Sequence[str]]) -> AliasTable:
        """Merge alias groups from several sources."""
        return cls(tuple(tuple(group) for groups in group_lists for group in groups))

    def variants(self, name: str) -> tuple[str, ...]:
        """Spellings of a name: the name and every alias in its groups.

        Short all-capital acronyms (US, AP, IS) are kept as written and matched
        case-sensitively, so 'US' never matches the pronoun 'us'; the rest are normalised.
        """
        return _variants(self.groups, name)


@lru_cache(maxsize=16384)
def _variants(groups: tuple[tuple[str, ...], ...], name: str) -> tuple[str, ...]:
    key = normalise(name)
    found = {_spelling(name)}
    for group in groups:
        if key in {normalise(n) for n in group}:
            found |= {_spelling(n) for n in group}
    return tuple(sorted(found, key=len, reverse=True))


def is_acronym(name: str) -> bool:
    """A short all-capital name such as 'US' or 'NDS'."""
    letters = name.replace(".", "")
    return letters.isupper() and len(letters) <= 5


def _spelling(name: str) -> str:
    return name.strip() if is_acronym(name.strip()) else normalise(name)


@lru_cache(maxsize=4096)
def _word_pattern(variant: str) -> re.Pattern[str]:
    flags = 0 if is_acronym(variant) else re.IGNORECASE
    return re.compile(r"(?<![\w])" + re.escape(variant) + r"(?![\w])", flags)


def mentions(text: str, name: str, aliases: AliasTable) -> bool:
    """Whether text names ``name`` or one of its aliases (whole words; fuzzy for long names).

    ``text`` is the original text; it is normalised here for everything but acronyms.
    """
    text_norm = normalise(text)
    for variant in aliases.variants(name):
        if _word_pattern(variant).search(text if is_acronym(variant) else text_norm):
            return True
        if len(variant) >= 8 and not is_acronym(variant) and fuzz.partial_ratio(variant, text_norm, score_cutoff=92):
            return True
    return False


def number_spans(text_norm: str) -> list[tuple[float, float, int]]:
    """Numbers stated in normalised text: (low, high, position)."""
    found: list[tuple[float, float, int]] = []
    for match in _NUMBER.finditer(text_norm):
        value = float(match.group(1).replace(",", ""))
        found.append((value, value, match.start()))
    for match in _WORD_NUMBER.finditer(text_norm):
        value = float(NUMBER_WORDS[match.group(1)])
        found.append((value, value, match.start()))
    for word, (low, high) in VAGUE_QUANTITIES.items():
        for match in re.finditer(rf"\b{word}\b", text_norm):
            found.append((float(low), float(high), match.start()))
    return found


def extract_numbers(text_norm: str) -> list[tuple[float, float]]:
    """Numbers stated in normalised text, as (low, high) ranges."""
    return [(low, high) for low, high, _ in number_spans(text_norm)]


def nearest_outcome(text_norm: str, position: int) -> str | None:
    """The outcome (killed / captured / injured) whose word is closest to a position."""
    best: tuple[int, str] | None = None
    for outcome, words in OUTCOME_WORDS.items():
        for word in words:
            for match in re.finditer(rf"\b{word}", text_norm):
                distance = abs(match.start() - position)
                if best is None or distance < best[0]:
                    best = (distance, outcome)
    return best[1] if best else None


def number_matches(element: NumberElement, stated: Sequence[tuple[float, float]]) -> bool:
    """A stated number or range overlaps the element's [low, high]."""
    return any(low <= element.high and element.low <= high for low, high in stated)


def _day(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def extract_dates(text_norm: str, default_year: int) -> list[tuple[dt.date, dt.date]]:
    """Dates stated in normalised text, as (first day, last day) intervals."""
    found: list[tuple[dt.date, dt.date]] = []
    taken: list[tuple[int, int]] = []
    for match in _ISO_DATE.finditer(text_norm):
        day = _day(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if day:
            found.append((day, day))
            taken.append(match.span())
    for pattern, month_group, day_group in ((_MONTH_DAY, 1, 2), (_DAY_MONTH, 2, 1)):
        for match in pattern.finditer(text_norm):
            year = int(match.group(3)) if match.group(3) else default_year
            day = _day(year, MONTHS[match.group(month_group)], int(match.group(day_group)))
            if day:
                found.append((day, day))
                taken.append(match.span())
    for match in _MONTH_YEAR.finditer(text_norm):
        inside = any(start <= match.start() < end for start, end in taken)
        ambiguous = match.group(1) in ("may", "mar") and not match.group(2)  # too often verbs
        if inside or ambiguous:
            continue
        year = int(match.group(2)) if match.group(2) else default_year
        month = MONTHS[match.group(1)]
        found.append((dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])))
        taken.append(match.span())
    for match in _YEAR.finditer(text_norm):
        if not any(start <= match.start() < end for start, end in taken):
            year = int(match.group(1))
            found.append((dt.date(year, 1, 1), dt.date(year, 12, 31)))
    return found


def date_window(element: DateElement) -> tuple[dt.date, dt.date]:
    """The interval a stated date must fall inside to match the element at its precision."""
    value = element.value
    if element.precision == "day":
        return value, value
    if element.precision == "week":
        return value - dt.timedelta(days=3), value + dt.timedelta(days=3)
    if element.precision == "month":
        return value.replace(day=1), value.replace(day=calendar.monthrange(value.year, value.month)[1])
    return dt.date(value.year, 1, 1), dt.date(value.year, 12, 31)


def date_matches(element: DateElement, stated: Sequence[tuple[dt.date, dt.date]]) -> bool:
    """A stated date lies inside the element's window (a vaguer statement does not count)."""
    low, high = date_window(element)
    return any(low <= start and end <= high for start, end in stated)


def outcome_stated(text_norm: str, outcome: str) -> bool:
    """Whether text uses a word for this outcome (killed / captured / injured)."""
    return any(re.search(rf"\b{word}", text_norm) for word in OUTCOME_WORDS[outcome])


def keyword_stated(text_norm: str, keyword: str) -> bool:
    """A keyword (or one of its 'a|b' alternatives) appears as a word prefix."""
    return any(re.search(rf"\b{re.escape(normalise(k.strip()))}", text_norm) for k in keyword.split("|") if k.strip())


@dataclass
class ElementCheck:
    """Which elements of a claim a text satisfies, and what is missing."""

    satisfied: int = 0
    total: int = 0
    missing: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every element satisfied."""
        return self.satisfied == self.total

    def add(self, ok: bool, what: str) -> None:
        """Record one element check."""
        self.total += 1
        if ok:
            self.satisfied += 1
        else:
            self.missing.append(what)


def check_elements(elements: Elements, text: str, aliases: AliasTable, year: int) -> ElementCheck:
    """Check every required element against one output text."""
    text_norm = normalise(text)
    check = ElementCheck()
    for name in elements.entities:
        check.add(mentions(text, name, aliases), f"entity {name!r}")
    for place in elements.places:
        check.add(mentions(text, place, aliases), f"place {place!r}")
    if elements.numbers:
        spans = number_spans(text_norm)
        stated = [(low, high) for low, high, _ in spans]
        for number in elements.numbers:
            shown = "/".join(f"{lo:g}" if lo == hi else f"{lo:g}-{hi:g}" for lo, hi in stated) or "none"
            want = f"{number.low:g}" if number.low == number.high else f"{number.low:g}-{number.high:g}"
            hits = [pos for low, high, pos in spans if number_matches(number, [(low, high)])]
            if hits and elements.outcome:
                # "80 killed and 27 captured": each number binds to its nearest outcome word
                bound = {nearest_outcome(text_norm, pos) for pos in hits}
                ok = elements.outcome in bound
                check.add(
                    ok, f"number {want} {elements.outcome} (stated: {want} {'/'.join(sorted(b or '?' for b in bound))})"
                )
            else:
                check.add(bool(hits), f"number {want} (stated: {shown})")
    if elements.dates:
        dates = extract_dates(text_norm, year)
        for date in elements.dates:
            shown = ", ".join(str(s) if s == e else f"{s}..{e}" for s, e in dates) or "none"
            check.add(date_matches(date, dates), f"date {date.value} ({date.precision}) (stated: {shown})")
    if elements.outcome:
        other = [o for o in OUTCOME_WORDS if o != elements.outcome and outcome_stated(text_norm, o)]
        note = f" (says {', '.join(other)})" if other else ""
        check.add(outcome_stated(text_norm, elements.outcome), f"outcome {elements.outcome}{note}")
    for keyword in elements.keywords:
        check.add(keyword_stated(text_norm, keyword), f"keyword {keyword!r}")
    return check


@dataclass
class BestMatch:
    """The output text that came closest to a reference claim."""

    matched: bool
    text: str | None
    check: ElementCheck

    @property
    def reason(self) -> str:
        """Why it matched or not, in one line."""
        if self.matched:
            return f"matched by: {self.text}"
        if self.text is None:
            return "no output claims"
        return f"missing {'; '.join(self.check.missing)} — closest: {self.text}"


def best_match(elements: Elements, texts: Sequence[str], aliases: AliasTable, year: int) -> BestMatch:
    """The first text that satisfies every element, else the one satisfying most."""
    best: BestMatch | None = None
    for text in texts:
        check = check_elements(elements, text, aliases, year)
        if check.ok:
            return BestMatch(True, text, check)
        if best is None or check.satisfied > best.check.satisfied:
            best = BestMatch(False, text, check)
    return best or BestMatch(False, None, ElementCheck(total=1, missing=["no output claims"]))

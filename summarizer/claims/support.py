"""Does a claim's own evidence say what the claim says? The run-time support verdict.

The statement is read into the elements a reference fact would list (names, counts bound to
their outcomes, the outcome and whom it happens to, its polarity, dates), and those elements
are checked against the evidence quotes with the scorer's rules (:func:`.match.check_claim`):
one implementation for the eval and for the pipeline.

Verdicts: ``supported`` (the quotes state every element), ``contradicted`` (they state it with
another outcome, the other polarity or another number for the same outcome), ``partial``
(some elements stated, others not) and ``unsupported`` (none). A statement with nothing the
program can check (no name, number, outcome or date) is ``unsupported``: the program cannot
say the quote backs it, so it does not.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from summarizer.claims.elements import DateElement, DatePrecision, Elements, NumberElement
from summarizer.claims.features import analyse
from summarizer.claims.match import ElementCheck, OutputClaim, Reference, check_claim
from summarizer.claims.names import AliasTable
from summarizer.claims.normalise import normalise, normalise_cased
from summarizer.claims.vocabulary import FUNCTION_WORDS, SCALES, TENS, UNITS

NUMBER_WORDS = frozenset({*UNITS, *TENS, *SCALES})

Verdict = Literal["supported", "partial", "unsupported", "contradicted"]

#: Capitalised words that open a sentence or name a time, not an entity.
_NOT_NAMES = FUNCTION_WORDS | {
    "according", "some", "many", "several", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
    "sunday", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "january",
    "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
    "afghan", "american", "u.s",
}  # fmt: skip
_SENTENCE_BREAK = re.compile(r"(?<=[a-z0-9)][.!?])\s+|\n+")
#: A name does not start inside a hyphenated word ("anti-Taliban" names no one).
_NAME = re.compile(r"(?<![\w\-])(?:\bal[- ])?[A-Z][\w'.\-]*(?:\s+(?:al-|al\s+|bin\s+|of\s+)?[A-Z][\w'.\-]*)*")


_NO_ALIASES = AliasTable()


@dataclass(frozen=True)
class Support:
    """A claim checked against its own evidence."""

    verdict: Verdict
    reasons: tuple[str, ...] = ()


def statement_names(statement: str) -> list[str]:
    """Names a statement uses: runs of capitalised words within a sentence, without leading
    function words, number words or a possessive ending."""
    names = []
    for sentence in _SENTENCE_BREAK.split(normalise_cased(statement)):
        for match in _NAME.finditer(sentence):
            words = match.group().split()
            while words and (words[0].casefold().strip(".") in _NOT_NAMES or words[0].casefold() in NUMBER_WORDS):
                words.pop(0)
            name = re.sub(r"'s?$", "", " ".join(words).strip(" .,"))
            if name and name.casefold() not in _NOT_NAMES and len(name) > 1:
                names.append(name)
    return list(dict.fromkeys(names))


def statement_elements(statement: str, year: int | None, published: dt.date | None) -> list[list[Elements]]:
    """The elements a statement asserts: for each outcome it states (with its own count), the ways to
    read it (one per name its patient holds: in "killed AQIS leader Asim Omar" either may be meant);
    one reading without an outcome when it states none."""
    features = analyse(statement)
    names = statement_names(statement)
    dates = []
    for mention in features.dates:
        resolved = mention.resolve(year, published)
        if resolved:
            first, last = resolved
            precision: DatePrecision = "day" if first == last else "month" if first.month == last.month else "year"
            dates.append(DateElement(value=first, precision=precision))
    bound = {id(m.count) for m in features.outcomes if m.count is not None}
    loose = [q for q in features.quantities if q.is_count and id(q) not in bound and q.kind == "exact"]
    numbers = [NumberElement(low=q.low, high=q.high) for q in loose]
    base = Elements(entities=names, dates=dates, numbers=numbers)
    outcomes = [m for m in features.outcomes if m.voice != "noun" or m.count is not None]
    if not outcomes:
        return [[base]]
    found = []
    for m in outcomes:
        # A vague count ("multiple", "some") states no number: only the outcome is asserted.
        exact = m.count is not None and m.count.kind != "vague"
        counted = [NumberElement(low=m.count.low, high=m.count.high)] if exact and m.count is not None else []
        patients: list[str | None] = (
            [n for n in names if _names_patient(statement, n, m.patient)] if not counted else []
        )
        update = {"numbers": counted, "outcome": m.outcome, "negated": m.negated}
        found.append([base.model_copy(update={**update, "subject": p}) for p in patients or [None]])
    return found


def _names_patient(statement: str, name: str, patient: tuple[int, int]) -> bool:
    features = analyse(statement)
    first, last = patient
    span = normalise(" ".join(t.text for t in features.tokens[first:last]))
    return normalise(name) in span


def support(
    statement: str,
    quotes: Sequence[str],
    *,
    year: int | None = None,
    published: dt.date | None = None,
) -> Support:
    """The verdict on ``statement`` given its evidence ``quotes``. Names must be in the quotes as the
    statement writes them (or with a slip, when long): at run time there are no case aliases, so a
    quote saying only 'Omar' does not support 'Asim Omar' (``partial``)."""
    evidence = " ".join(q.strip() for q in quotes if q.strip())
    if not evidence:
        return Support("unsupported", ("no evidence quote",))
    checks: list[ElementCheck] = []
    conflicts: list[str] = []
    for readings in statement_elements(statement, year, published):
        first = readings[0]
        if not (first.entities or first.numbers or first.dates or first.outcome):
            return Support("unsupported", ("the statement names no one and states no number, outcome or date",))
        tried = [check_claim(Reference(e, _NO_ALIASES, year, published), OutputClaim(evidence)) for e in readings]
        # a reading that holds wins; else one the quote states otherwise (it names that subject with
        # another outcome); else the closest
        ranked = sorted(tried, key=lambda c: (c.ok, bool(c.conflicts), c.satisfied), reverse=True)
        checks.append(ranked[0])
        conflicts += _other_count(first, evidence)
    missing = [m for c in checks for m in c.missing]
    if not missing:
        return Support("supported")
    conflicts = [m for c in checks for m in c.conflicts] + conflicts
    if conflicts:
        return Support("contradicted", tuple(f"the quote differs: {m}" for m in conflicts))
    if any(c.satisfied for c in checks):
        return Support("partial", tuple(f"the quote does not state: {m}" for m in missing))
    return Support("unsupported", tuple(f"the quote does not state: {m}" for m in missing))


def count_support(low: int, high: int, outcome: str, quotes: Sequence[str]) -> Support:
    """Whether the quotes state a count in ``[low, high]`` bound to ``outcome`` (a casualty claim)."""
    elements = Elements(numbers=[NumberElement(low=low, high=high)], outcome=outcome)  # type: ignore[arg-type]
    return _verdict(elements, quotes)


def outcome_support(name: str, outcome: str, quotes: Sequence[str]) -> Support:
    """Whether the quotes say that ``name`` was killed, captured or injured (a person's outcome)."""
    elements = Elements(entities=[name], outcome=outcome, subject=name)  # type: ignore[arg-type]
    return _verdict(elements, quotes)


def _other_count(elements: Elements, evidence: str) -> list[str]:
    """The quote gives the same outcome another count ('seven killed' against 'six killed')."""
    if not elements.outcome or not elements.numbers:
        return []
    wanted = elements.numbers[0]
    stated = [
        m.count
        for m in analyse(evidence).outcomes
        if m.outcome == elements.outcome and m.negated == elements.negated and m.count is not None
    ]
    if stated and not any(q.within(wanted.low, wanted.high) for q in stated):
        return [f"{elements.outcome}: {'/'.join(q.words for q in stated)}, not {wanted.low:g}"]
    return []


def _verdict(elements: Elements, quotes: Sequence[str]) -> Support:
    evidence = " ".join(q.strip() for q in quotes if q.strip())
    if not evidence:
        return Support("unsupported", ("no evidence quote",))
    check = check_claim(Reference(elements, _NO_ALIASES, None), OutputClaim(evidence))
    if check.ok:
        return Support("supported")
    conflicts = [*check.conflicts, *_other_count(elements, evidence)]
    if conflicts:
        return Support("contradicted", tuple(f"the quote differs: {m}" for m in conflicts))
    return Support("unsupported", tuple(f"the quote does not state: {m}" for m in check.missing))

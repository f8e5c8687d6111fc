"""Matching rules: does an output claim state a reference fact? Built on the claim-analysis core.

A reference fact is credited only when the output states it with the same polarity, the
outcome bound to the same subject or count, numbers inside the reference bounds (a vague
word never matches an exact number), dates within the stated precision and, where the
reference names a source, an attribution that does not contradict it. Every check explains
itself, so a report can say why a fact was missed; a claim whose anchors are present but
whose polarity, outcome or source is wrong is a *contradiction*.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from summarizer.claims.clauses import OutcomeMention
from summarizer.claims.elements import DateElement, Elements, NumberElement, PeriodElement
from summarizer.claims.features import Features, analyse, is_generic_source
from summarizer.claims.names import AliasTable, mentions

__all__ = [
    "AliasTable",
    "BestMatch",
    "CheckTable",
    "ElementCheck",
    "OutputClaim",
    "Reference",
    "best_match",
    "check_elements",
    "date_window",
    "mentions",
]


class OutputClaim(NamedTuple):
    """One claim of an output: its text and the attribution the output gives it, if any."""

    text: str
    attribution: str | None = None


@dataclass(frozen=True, slots=True)
class Reference:
    """What a claim is matched against: elements, the source the claim belongs to, the case's dates."""

    elements: Elements
    aliases: AliasTable
    year: int | None
    published: dt.date | None = None
    source: str | list[str] | None = None
    #: (name, how its absence reads) for the entities, places and subject: what a claim must name to be
    #: about the reference at all.
    anchors: tuple[tuple[str, str], ...] = field(init=False, repr=False, compare=False)
    #: Where equal checks are kept once (a sample passes one table to all its references).
    checks: CheckTable = field(default_factory=dict, repr=False, compare=False, kw_only=True)

    def __post_init__(self) -> None:
        el = self.elements
        subject = [el.subject] if el.subject and el.subject not in el.entities else []
        names = [*el.entities, *el.places, *subject]
        anchors = tuple((n, f"place {n!r}" if n in el.places else f"entity {n!r}") for n in names)
        object.__setattr__(self, "anchors", anchors)

    def check_of(
        self,
        satisfied: int,
        total: int,
        missing: tuple[str, ...],
        conflicts: tuple[str, ...] = (),
        anchors_missing: bool = False,
    ) -> ElementCheck:
        """The check with these fields, one object per distinct check in :attr:`checks`: a sample keeps
        every check it makes, and many claims fail references alike (the same anchors missing)."""
        key = (satisfied, total, missing, conflicts, anchors_missing)
        check = self.checks.get(key)
        if check is None:
            check = self.checks[key] = ElementCheck(*key)
        return check


@dataclass(frozen=True, slots=True)
class ElementCheck:
    """Which elements of a claim a text satisfies, what is missing, and what conflicts.

    Immutable, with tuples (claims may share a check; a sample keeps every check it makes, and tuples
    of strings cost the garbage collector nothing once it has seen them)."""

    satisfied: int = 0
    total: int = 0
    missing: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()
    anchors_missing: bool = False

    @property
    def ok(self) -> bool:
        """Every element satisfied."""
        return self.satisfied == self.total

    @property
    def contradiction(self) -> bool:
        """The text states the claim in every element but one in conflict: it negates it, swaps its
        outcome or gives it to another source."""
        if len(self.conflicts) > 1 and any(c.startswith("source ") for c in self.conflicts):
            return False  # another source saying otherwise is a conflicting report, not a contradiction
        return bool(self.conflicts) and not self.anchors_missing and len(self.missing) == len(self.conflicts)


#: Checks by their fields (see :meth:`Reference.check_of`).
CheckTable = dict[tuple[int, int, tuple[str, ...], tuple[str, ...], bool], ElementCheck]


@dataclass(slots=True)
class _Checklist:
    """An :class:`ElementCheck` being filled in, one element at a time."""

    satisfied: int = 0
    total: int = 0
    missing: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    anchors_missing: bool = False

    def add(self, ok: bool, what: str, *, conflict: bool = False, anchor: bool = False) -> None:
        """Record one element check."""
        self.total += 1
        if ok:
            self.satisfied += 1
            return
        self.missing.append(what)
        if conflict:
            self.conflicts.append(what)
        if anchor:
            self.anchors_missing = True

    def done(self, ref: Reference) -> ElementCheck:
        """The finished check (through ``ref``, which keeps one object per distinct check)."""
        missing, conflicts = tuple(self.missing), tuple(self.conflicts)
        return ref.check_of(self.satisfied, self.total, missing, conflicts, self.anchors_missing)


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


def _want(number: NumberElement) -> str:
    if number.high is None:
        return f"{number.low:g}+"
    return f"{number.low:g}" if number.low == number.high else f"{number.low:g}-{number.high:g}"


def _check_numbers(f: Features, el: Elements, check: _Checklist) -> None:
    for number in el.numbers:
        want = _want(number)
        if not el.outcome:
            hits = [q for q in f.quantities if q.within(number.low, number.high)]
            shown = "/".join(q.words for q in f.quantities) or "none"
            check.add(bool(hits), f"number {want} (stated: {shown})")
            continue
        bound = [m for m in f.outcomes if m.count is not None]
        ok = any(
            m.outcome == el.outcome and m.negated == el.negated and m.count.within(number.low, number.high)
            for m in bound
            if m.count is not None
        )
        shown = ", ".join(
            f"{m.count.words} {'not ' if m.negated else ''}{m.outcome}" for m in bound if m.count is not None
        )
        loose = [q.words for q in f.quantities if q.is_count and all(q is not m.count for m in bound)]
        shown = "; ".join(p for p in (shown, f"unbound: {'/'.join(loose)}" if loose else "") if p) or "none"
        same_value = [m for m in bound if m.count is not None and m.count.within(number.low, number.high)]
        conflict = any(m.outcome != el.outcome or m.negated != el.negated for m in same_value)
        check.add(ok, f"number {want} {el.outcome} (stated: {shown})", conflict=conflict and not ok)


def _check_outcome(f: Features, el: Elements, ref: Reference, check: _Checklist) -> None:
    if not el.outcome or el.numbers:
        return  # with numbers, the outcome is checked through the count it binds
    mentions_ = f.outcomes_of(el.subject, ref.aliases) if el.subject else list(f.outcomes)
    if el.negated and not el.subject and (el.keywords or el.entities):
        # "The army denied that any soldier was killed": only outcomes whose patient is the one the
        # reference is about count ("troops killed 31 of the terrorists" is about someone else).
        mentions_ = [m for m in mentions_ if _patient_names(f, m, el, ref.aliases)]
    same = [m for m in mentions_ if m.outcome == el.outcome]
    ok = any(m.negated == el.negated for m in same)
    who = f" of {el.subject}" if el.subject else ""
    notes = []
    swapped = sorted({m.outcome for m in mentions_ if m.outcome != el.outcome and not m.negated})
    if swapped:
        notes.append(f"says {', '.join(swapped)}")
    if any(m.negated != el.negated for m in same):
        notes.append("negated" if not el.negated else "affirmed")
    note = f" ({'; '.join(notes)})" if notes else ""
    check.add(ok, f"outcome {el.outcome}{who}{note}", conflict=bool(notes) and not ok)


def _patient_names(f: Features, m: OutcomeMention, el: Elements, aliases: AliasTable) -> bool:
    """Whether an outcome's patient names a keyword or entity of the reference."""
    patient = " ".join(t.text for t in f.tokens[m.patient[0] : m.patient[1]])
    words = set(patient.split())
    keywords = [k.strip() for group in el.keywords for k in _alternatives(group)]
    return any(k in words or (" " in k and k in patient) for k in keywords) or any(
        mentions(patient, name, aliases) for name in el.entities
    )


def _check_period(f: Features, ref: Reference, period: PeriodElement, check: _Checklist) -> None:
    outside = [(a, b) for a, b in f.resolved_dates(ref.year, ref.published) if b < period.start or a > period.end]
    shown = ", ".join(str(a) if a == b else f"{a}..{b}" for a, b in outside)
    check.add(not outside, f"period {period.start}..{period.end} (stated: {shown})", conflict=bool(outside))


@lru_cache(maxsize=4096)
def _alternatives(group: str) -> tuple[str, ...]:
    """The alternatives of a reference keyword group ("confirm|confirmed|confirmation")."""
    return tuple(k for k in group.split("|") if k.strip())


def _check_keywords(f: Features, el: Elements, check: _Checklist) -> None:
    negated_groups = 0
    for keyword in el.keywords:
        results = [f.keyword(k) for k in _alternatives(keyword)]
        wants_negation = el.negated and not el.outcome
        if el.negated and el.outcome:  # the outcome carries the polarity ("denied that any soldier was killed")
            check.add(any(aff or neg for aff, neg in results), f"keyword {keyword!r}")
            continue
        if wants_negation:  # each group present; the negation is checked once over all groups below
            check.add(any(aff or neg for aff, neg in results), f"keyword {keyword!r}")
            negated_groups += any(neg for _, neg in results)
            continue
        ok = any(aff for aff, _ in results)
        note = " (negated)" if not ok and any(neg for _, neg in results) else ""
        check.add(ok, f"keyword {keyword!r}{note}", conflict=bool(note))
    if el.negated and not el.outcome and el.keywords:
        # Without a name to anchor it, an affirmed keyword may belong to another predicate ("asked him
        # for identification" against "had no identification"): missing, not a contradiction.
        anchored = bool(el.entities or el.subject or el.places)
        check.add(negated_groups > 0, "negation (the output affirms what the reference denies)",
                  conflict=negated_groups == 0 and anchored)  # fmt: skip


def _check_source(f: Features, ref: Reference, attribution: str | None, check: _Checklist) -> None:
    if not ref.source:
        return
    stated = f.sources() + ([attribution] if attribution else [])
    specific = [s for s in stated if not is_generic_source(s, ref.aliases)]
    if not specific:
        return  # no source named, or only generic ones: none to differ from the reference's
    wanted = [ref.source] if isinstance(ref.source, str) else list(ref.source)
    # "The NDS named X, according to TOLOnews": the wanted source opens the claim and another only
    # relays it ("according to"); a source that merely opens it ("Taliban fighters killed 20, the
    # ministry said") is not credited.
    relaying = any(f.tokens[a.index].text == "according" for a in f.attributions if not a.negated)
    opening = " ".join(f.text.split()[:6]) if relaying else ""
    relayed = relaying and any(mentions(opening, w, ref.aliases) for w in wanted)
    if not relayed and not any(mentions(s, w, ref.aliases) for s in specific for w in wanted):
        check.add(False, f"source {' or '.join(map(repr, wanted))} (attributed to {', '.join(specific)})",
                  conflict=True)  # fmt: skip


def check_claim(ref: Reference, claim: OutputClaim) -> ElementCheck:
    """Check the elements of a reference against one output claim: first the anchors (entities and
    places); when one is missing the claim is about something else and the other elements are not read."""
    el, text, aliases = ref.elements, claim.text, ref.aliases
    absent: tuple[str, ...] = ()
    for name, what in ref.anchors:  # a loop, not a generator: this runs for every (reference, claim) pair
        if not mentions(text, name, aliases):
            absent += (what,)
    if absent:  # a claim about someone or somewhere else: only the anchors are reported
        total = len(ref.anchors)
        return ref.check_of(total - len(absent), total, absent, anchors_missing=True)
    f = analyse(text)
    check = _Checklist()
    for name in el.entities:
        check.add(mentions(text, name, aliases), f"entity {name!r}", anchor=True)
    for place in el.places:
        named = mentions(text, place, aliases)
        denied = named and not el.negated and f.negated_name(place, aliases)
        check.add(named and not denied, f"place {place!r}{' (negated)' if denied else ''}", anchor=not named,
                  conflict=denied)  # fmt: skip
    if el.subject and el.subject not in el.entities:
        check.add(mentions(text, el.subject, aliases), f"entity {el.subject!r}", anchor=True)
    if check.anchors_missing:  # a claim about someone or somewhere else: the rest is not read
        return check.done(ref)
    _check_numbers(f, el, check)
    if el.dates:
        stated = f.resolved_dates(ref.year, ref.published)
        shown = ", ".join(str(s) if s == e else f"{s}..{e}" for s, e in stated) or "none"
        for date in el.dates:
            low, high = date_window(date)
            ok = any(low <= start and end <= high for start, end in stated)
            check.add(ok, f"date {date.value} ({date.precision}) (stated: {shown})")
    if el.period:
        _check_period(f, ref, el.period, check)
    _check_outcome(f, el, ref, check)
    _check_keywords(f, el, check)
    _check_source(f, ref, claim.attribution, check)
    return check.done(ref)


def check_elements(
    elements: Elements,
    text: str,
    aliases: AliasTable,
    year: int | None,
    *,
    published: dt.date | None = None,
    source: str | list[str] | None = None,
    attribution: str | None = None,
) -> ElementCheck:
    """Check every required element against one output text (convenience over :func:`check_claim`)."""
    return check_claim(Reference(elements, aliases, year, published, source), OutputClaim(text, attribution))


@dataclass
class BestMatch:
    """The output claim that came closest to a reference claim."""

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


def best_match(
    ref: Reference,
    claims: Sequence[OutputClaim],
    check: Callable[[OutputClaim], ElementCheck] | None = None,
) -> BestMatch:
    """The first claim that satisfies every element, else the one satisfying most.

    ``check`` replaces ``check_claim(ref, claim)`` (a scorer passes its sample's shared, memoised one)."""
    best: BestMatch | None = None
    for claim in claims:
        result = check(claim) if check else check_claim(ref, claim)
        if result.ok:
            return BestMatch(True, claim.text, result)
        if best is None or result.satisfied > best.check.satisfied:
            best = BestMatch(False, claim.text, result)
    return best or BestMatch(False, None, ElementCheck(total=1, missing=("no output claims",)))

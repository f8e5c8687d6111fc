"""Events of the evidence strategy: sentences that report an action or a casualty, grouped into
events by action, date and place, each field read from the sentences themselves.

Grouping, in article order: a sentence that states a date, or a place together with an action,
joins the event whose type, date and place agree with it best (the same day and a shared place
count most), else starts one. A sentence that states neither continues the event just reported
(news is written that way: "the NDS said it killed six others" follows the raid), unless it names
a strategic development and no casualty ("a warehouse was destroyed in the raid"): that starts an
event at the previous event's date and place.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from summarizer.claims import analyse, normalise
from summarizer.claims.clauses import OutcomeMention
from summarizer.claims.features import Features
from summarizer.claims.support import statement_names
from summarizer.claims.vocabulary import ATTRIBUTION_VERBS
from summarizer.drafts import DraftActor, DraftCasualty, DraftEvent, DraftPerson
from summarizer.evidence.facts import is_news_sentence
from summarizer.evidence.lexicon import ActionReading, lexicon
from summarizer.evidence.places import PlaceFix, is_place_name, locate
from summarizer.schema import SUB_EVENT_TO_EVENT, ActorRole, CountedGroup, DatePrecision, SubEventType

#: A sentence with neither date nor place continues an event reported at most this many sentences before.
CARRY_OVER = 3
#: Event types whose mentions may be one event (a raid with air support, arrests during a raid).
_VIOLENT = frozenset({"Battles", "Explosions/Remote violence", "Violence against civilians"})
_PLACE_LEVEL = r"(?:,? (?:and )?[A-Z][\w'-]+)*,? (?:and )?(?:district|province|provinces|state|village|region)\b"
#: A dateline opening a sentence ("KADUNA, Nigeria - ", "MOGADISHU, Somalia (AP) — ").
_DATELINE = re.compile(r"^[A-Z][A-Z .'-]{2,}(?:, [A-Z][\w .'-]+)?(?: \([^)]{1,30}\))? ?[-\u2013\u2014]+ ")
_NOT_EVENT_DATE = frozenset({"since", "until", "till", "by", "before"})
#: A correction note ("Correction, March 15: an earlier version ...") reports no event.
_CORRECTION = re.compile(
    r"^correction\b|\bearlier version of this (?:article|story|report)\b|"
    r"\bwas (?:changed|corrected|updated) after publication\b",
    re.IGNORECASE,
)
_PRECISION_RANK = {"day": 0, "week": 1, "month": 2, "year": 3}
#: Words of an organisation or group, never a person's name.
_ORG_WORDS = frozenset(
    {"forces", "force", "army", "police", "ministry", "directorate", "security", "government", "council", "state",
     "group", "party", "front", "movement", "brigade", "battalion", "command", "support", "coalition", "report",
     "press", "times", "news", "agency", "office", "department", "taliban", "qaeda", "qaida", "shabaab", "haram",
     "isis", "isil", "nato", "united", "nations", "military", "troops", "committee", "emirate", "province",
     "district", "village", "city"}
)  # fmt: skip


@dataclass(frozen=True)
class EventDate:
    """A resolved date with its precision (start None: stated, but the year is unknown)."""

    start: dt.date | None
    end: dt.date | None
    precision: DatePrecision
    words: str


@dataclass
class Mention:
    """One sentence that reports an action or a casualty."""

    index: int
    sentence: str
    features: Features
    reading: ActionReading | None
    outcomes: list[OutcomeMention]
    date: EventDate | None
    place: PlaceFix
    source: str | None


@dataclass
class EventGroup:
    """The mentions of one event, and what they agree on."""

    mentions: list[Mention] = field(default_factory=list)
    reading: ActionReading | None = None
    date: EventDate | None = None
    place: PlaceFix = field(default_factory=PlaceFix)
    dates_seen: list[tuple[EventDate, str | None]] = field(default_factory=list)

    @property
    def last(self) -> int:
        """Index of the group's latest sentence."""
        return self.mentions[-1].index

    def add(self, mention: Mention) -> None:
        """Take a mention: the most specific action and date, the most precise place."""
        self.mentions.append(mention)
        if mention.reading and (self.reading is None or mention.reading.priority > self.reading.priority):
            self.reading = mention.reading
        if mention.date is not None:
            self.dates_seen.append((mention.date, mention.source))
            if self.date is None or _PRECISION_RANK[mention.date.precision] < _PRECISION_RANK[self.date.precision]:
                self.date = mention.date
        self.place = _merge_places(self.place, mention.place)


def _merge_places(a: PlaceFix, b: PlaceFix) -> PlaceFix:
    levels = ("country", "admin1", "admin2", "place")
    merged = {level: getattr(a, level) or getattr(b, level) for level in levels}
    ranked = (("place", "place"), ("admin2", "district"), ("admin1", "province"), ("country", "country"))
    precision = next((name for level, name in ranked if merged[level]), "unknown")
    return PlaceFix(**merged, precision=precision)  # type: ignore[arg-type]


def _names(place: PlaceFix, levels: Sequence[str] = ("admin1", "admin2", "place")) -> set[str]:
    return {normalise(v) for level in levels if (v := getattr(place, level))}


def places_agree(group: PlaceFix, mention: PlaceFix) -> bool:
    """No place stated on one side, or a name in common below the country (or only countries, equal)."""
    below_a, below_b = _names(group), _names(mention)
    if below_a and below_b:
        return bool(below_a & below_b)
    countries = _names(group, ("country",)), _names(mention, ("country",))
    return not (countries[0] and countries[1]) or bool(countries[0] & countries[1])


def dates_agree(a: EventDate | None, b: EventDate | None) -> bool:
    """Either undated, or the windows overlap (a month holds its days; two different days differ)."""
    if a is None or b is None or a.start is None or b.start is None:
        return True
    return a.start <= (b.end or b.start) and b.start <= (a.end or a.start)


def types_agree(a: ActionReading | None, b: ActionReading | None) -> bool:
    """The same type, or both violent (a raid and its air strikes), or arrests during a clash."""
    if a is None or b is None or a.sub_event_type == b.sub_event_type:
        return True
    families = {SUB_EVENT_TO_EVENT[a.sub_event_type], SUB_EVENT_TO_EVENT[b.sub_event_type]}
    arrests = {a.sub_event_type, b.sub_event_type} == {"Arrests", "Armed clash"}
    return families <= _VIOLENT or arrests


def event_date(f: Features, year: int | None, published: dt.date | None) -> EventDate | None:
    """The sentence's event date: its most precise date that is not the date of a reporting verb
    ("tweeted Tuesday"); a bare year counts only after "in". Unresolvable (no year): start None."""
    best: EventDate | None = None
    for mention in f.dates:
        before = f.norm[: mention.start].split()
        if before and (before[-1] in ATTRIBUTION_VERBS or before[-1] in _NOT_EVENT_DATE):
            continue  # "tweeted Tuesday", "since January": not when the event happened
        near = before[-5:]
        after = f.norm[mention.end :].split()[:4]
        if any(w in ATTRIBUTION_VERBS for w in near) and not lexicon().actions_in(" ".join(near + after)):
            continue  # "said in a statement on Wednesday": when it was said ("said the raid on ..." is kept)
        if mention.precision == "year" and (not before or before[-1] != "in"):
            continue
        resolved = mention.resolve(year, published)
        first, last = resolved or (None, None)
        date = EventDate(first, last, mention.precision, f.norm[mention.start : mention.end])
        if best is None or _PRECISION_RANK[date.precision] < _PRECISION_RANK[best.precision]:
            best = date
    return best


def read_mention(index: int, sentence: str, document: str, year: int | None, published: dt.date | None) -> Mention:
    """A sentence read for an event: action, outcomes, date, place and source."""
    f = analyse(sentence)
    outcomes = [m for m in f.outcomes if not m.negated]
    # Who was hit: a counted patient's group, else the first group word of the sentence ("the base").
    target: CountedGroup | None = next((g for m in outcomes if (g := _group(f, m)) != "unknown"), None)
    if target is None:
        target = lexicon().group_of(sentence)
        target = None if target == "unknown" else target
    source = f.attribution.source if f.attribution else None
    where = locate([_DATELINE.sub("", sentence)], document)  # where it was filed is not where it happened
    return Mention(index, sentence, f, lexicon().read(sentence, target), outcomes,
                   event_date(f, year, published), where, source)  # fmt: skip


def _patient_words(f: Features, m: OutcomeMention) -> str:
    return " ".join(t.text for t in f.tokens[m.patient[0] : m.patient[1]])


def _group(f: Features, m: OutcomeMention) -> CountedGroup:
    return lexicon().group_of(_patient_words(f, m))


def _is_development(reading: ActionReading | None) -> bool:
    """A strategic development (property destroyed, an agreement): its own event even when unanchored."""
    return reading is not None and SUB_EVENT_TO_EVENT[reading.sub_event_type] == "Strategic developments"


def is_event_mention(m: Mention) -> bool:
    """It names an action, or someone killed, captured or injured."""
    return (m.reading is not None or bool(m.outcomes)) and not _CORRECTION.search(m.sentence)


def agreement(group: EventGroup, m: Mention) -> int:
    """How strongly a dated or placed mention belongs to a group: 0 when it cannot (another type, date
    or place, or nothing in common); more for the same day than for a day inside a month, and for a
    shared place."""
    if not (types_agree(group.reading, m.reading) and dates_agree(group.date, m.date)
            and places_agree(group.place, m.place)):  # fmt: skip
        return 0
    score = 0
    if group.date and m.date and group.date.start and m.date.start:
        score += 3 if (group.date.start, group.date.end) == (m.date.start, m.date.end) else 1
    if _names(group.place) & _names(m.place):
        score += 2
    return score


def best_group(groups: Sequence[EventGroup], m: Mention) -> EventGroup | None:
    """The group a mention agrees with most (the latest on a tie), or None when none shares anything."""
    scored = [(agreement(g, m), i) for i, g in enumerate(groups)]
    best = max(scored, default=(0, -1))
    return groups[best[1]] if best[0] > 0 else None


def group_mentions(mentions: Sequence[Mention]) -> list[EventGroup]:
    """Mentions grouped into events (see the module's docstring)."""
    groups: list[EventGroup] = []
    current: EventGroup | None = None
    for m in mentions:
        # A place anchors only a sentence that names an action ("taken to hospital in X" does not).
        anchored = m.date is not None or (m.place.precision != "unknown" and m.reading is not None)
        if not anchored and current is not None and m.index - current.last <= CARRY_OVER:
            if types_agree(current.reading, m.reading) or m.outcomes or not _is_development(m.reading):
                current.add(m)  # counts and arrests reported after an event belong to it
                continue
            follow = EventGroup(date=current.date, place=current.place)  # "in the raid": that raid's date and place
            follow.add(m)
            groups.append(follow)
            current = follow
            continue
        match = best_group(groups, m)
        if match is None:
            match = EventGroup()
            groups.append(match)
        match.add(m)
        current = match
    return groups


def _has_substance(group: EventGroup) -> bool:
    """Worth a record: a date or a place (every mention already names an action or someone harmed)."""
    return group.date is not None or group.place.precision != "unknown"


def _casualties(group: EventGroup) -> list[DraftCasualty]:
    claims: list[DraftCasualty] = []
    for m in group.mentions:
        for o in m.outcomes:
            q = o.count
            if q is None or q.kind == "vague" or not q.is_count:
                continue
            low, high = int(q.low), (int(q.high) if q.high is not None else None)
            source = (m.source or "the article")[:80]
            # "arrested 9 and killed 31 of the terrorists": a bare count shares its sentence's group.
            counted = _group(m.features, o)
            if counted == "unknown":
                known = {_group(m.features, other) for other in m.outcomes} - {"unknown"}
                counted = known.pop() if len(known) == 1 else counted
            claims.append(DraftCasualty(group=counted, outcome=o.outcome, low=low, best=int(q.value),
                                        high=high, claimed_by=source, quote=m.sentence))  # fmt: skip
    return claims[:4]


def _role_after(sentence: str, name: str) -> str:
    """An appositive after the name (", the leader of X,"), else ''."""
    at = sentence.find(name)
    rest = sentence[at + len(name) :] if at >= 0 else ""
    if rest.startswith((", the ", ", a ", ", an ")):
        return rest[2:].split(",")[0].strip()[:80]
    return ""


def _is_person(name: str, harmed: bool) -> bool:
    """A person's name: no organisation word nor acronym, and two words at least unless the clause
    harms the one-word name ("Mansour was killed")."""
    words = name.replace("-", " ").split()
    return ((len(words) >= 2 or harmed) and not any(w.casefold().strip(".") in _ORG_WORDS for w in words)
            and not any(w.isupper() and len(w) > 1 for w in words))  # fmt: skip


def _is_actor_name(name: str, sentence: str) -> bool:
    """An organisation or group, not a compound adjective ("Afghan-U.S."), a title ("Gen"), a place
    named with its level ("Paktia and Zabul provinces") or an outlet told something."""
    parts = name.split("-")
    if len(parts) > 1 and all(p[:1].isupper() for p in parts) and any(p.isupper() or p.endswith(".") for p in parts):
        return False
    if re.search(re.escape(name) + _PLACE_LEVEL, sentence) or re.search(r"\bto (?:the )?" + re.escape(name), sentence):
        return False
    return len(name.strip(".")) > 3 or name.isupper()


def _people_and_actors(group: EventGroup) -> tuple[list[DraftPerson], list[DraftActor]]:
    """Named people harmed (with the outcome their clause binds), and the other names as actors:
    the initiator when named before the action, the target when harmed, else associated."""
    persons: dict[str, DraftPerson] = {}
    actors: dict[str, DraftActor] = {}
    for m in group.mentions:
        harmed = {normalise(_patient_words(m.features, o)): o.outcome for o in m.outcomes}
        first_action = min((a.start for a in lexicon().actions_in(m.sentence)), default=None)
        norm = normalise(m.sentence)
        for name in statement_names(m.sentence):
            key = normalise(name)
            if is_place_name(name) or (m.source and key == normalise(m.source)):
                continue
            outcome = next((out for words, out in harmed.items() if key in words), None)
            if _is_person(name, outcome is not None):
                if outcome and key not in persons:
                    persons[key] = DraftPerson(name=name[:80], role=_role_after(m.sentence, name), outcome=outcome)
            elif _is_actor_name(name, m.sentence) and key not in actors:
                at = norm.find(key)
                role: ActorRole = "associated"
                if outcome:
                    role = "target"
                elif first_action is not None and 0 <= at < first_action:
                    role = "initiator"
                actors[key] = DraftActor(name=name[:80], role=role)
    return list(persons.values())[:4], list(actors.values())[:4]


def _conflicts(group: EventGroup, claims: Sequence[DraftCasualty]) -> str | None:
    """Where the group's sentences disagree: different days, or different counts by different sources."""
    notes = []
    days = {(d.start, src) for d, src in group.dates_seen if d.precision == "day" and d.start}
    if len({day for day, _ in days}) > 1:
        listed = "; ".join(f"{day} ({src or 'the article'})" for day, src in sorted(days, key=str))
        notes.append(f"dates differ: {listed}")
    counts: dict[tuple[str, str], set[tuple[int, str]]] = {}
    for c in claims:
        if c.best is not None:
            counts.setdefault((c.group, c.outcome), set()).add((c.best, c.claimed_by))
    for (who, outcome), values in counts.items():
        if len({v for v, _ in values}) > 1 and len({s for _, s in values}) > 1:
            listed = "; ".join(f"{v} ({s})" for v, s in sorted(values))
            notes.append(f"{who} {outcome}, counts differ by source: {listed}")
    return " | ".join(notes)[:300] or None


def _clip(value: str | None, limit: int) -> str | None:
    """A value within the draft's length limit (a name longer than that is no name: dropped)."""
    return value if value is None or len(value) <= limit else None


def draft_event(group: EventGroup, sub_event_type: SubEventType | None = None) -> DraftEvent:
    """The event record draft of one group; ``sub_event_type`` overrides the lexicon's choice."""
    kind: SubEventType = sub_event_type or (group.reading.sub_event_type if group.reading else "Armed clash")
    casualties = _casualties(group)
    persons, actors = _people_and_actors(group)
    sources = list(dict.fromkeys(m.source for m in group.mentions if m.source))[:4]
    date = group.date
    place = group.place
    return DraftEvent(
        sub_event_type=kind,
        date_start=date.start if date else None,
        date_end=date.end if date else None,
        date_precision=date.precision if date else "day",
        country=_clip(place.country, 60),
        admin1=_clip(place.admin1, 60),
        admin2=_clip(place.admin2, 60),
        place=_clip(place.place, 80),
        location_precision=place.precision,
        actors=actors,
        persons=persons,
        casualties=casualties,
        sources=[s[:80] for s in sources],
        conflicting_reports=_conflicts(group, casualties),
        quote=group.mentions[0].sentence,
    )


def event_groups(sentences: Sequence[str], document: str, year: int | None, published: dt.date | None,
                 ) -> list[EventGroup]:  # fmt: skip
    """The article's events, as groups of the sentences that report them (only groups worth a record)."""
    mentions = [read_mention(i, s, document, year, published) for i, s in enumerate(sentences) if is_news_sentence(s)]
    return [g for g in group_mentions([m for m in mentions if is_event_mention(m)]) if _has_substance(g)]

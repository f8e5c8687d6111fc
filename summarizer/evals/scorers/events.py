"""Event matching: optimal assignment (Hungarian, scipy) of output to reference events,
then accuracy per field, a killed-versus-captured confusion matrix and attribution.

A pair needs more than the date: the event type or a place must agree too. Names are
directional ('Omar' is not 'Omar Khetab'); counts are compared claim by claim, each output
count inside the reference bounds; the confusion matrix books only real swaps (the same
group and count with another outcome).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np
from scipy.optimize import linear_sum_assignment

from summarizer.claims import same_name
from summarizer.claims.match import AliasTable, date_window
from summarizer.evals.dataset import DateElement, ReferenceCasualty, ReferenceEvent
from summarizer.evals.scores import ItemResult, Sample, Score
from summarizer.schema import CasualtyClaim, EventRecord

MIN_SIMILARITY = 0.4
LOCATION_LEVELS = ("admin1", "admin2", "place")
OUTCOME_CLASSES = ("killed", "captured", "injured")


def _names_match(name: str | None, reference: str, aliases: AliasTable) -> bool:
    return same_name(name, reference, aliases)


def _window(ref: ReferenceEvent) -> tuple[dt.date, dt.date]:
    start = date_window(DateElement(value=ref.date.start, precision=ref.date.precision))[0]
    end = date_window(DateElement(value=ref.date.end or ref.date.start, precision=ref.date.precision))[1]
    return start, end


def date_ok(out: EventRecord, ref: ReferenceEvent) -> bool:
    """The output's dates fall inside the reference window at its precision."""
    if out.date.start is None:
        return False
    low, high = _window(ref)
    return low <= out.date.start and (out.date.end or out.date.start) <= high


def location_checks(out: EventRecord, ref: ReferenceEvent, aliases: AliasTable) -> list[tuple[str, bool]]:
    """For each admin level the reference states: does the output name it at that level?"""
    checks = []
    for level in LOCATION_LEVELS:
        wanted = getattr(ref.location, level)
        if wanted:
            checks.append((level, _names_match(getattr(out.location, level), wanted, aliases)))
    return checks


def similarity(out: EventRecord, ref: ReferenceEvent, aliases: AliasTable) -> float:
    """0..1: sub-type, date, location and actors/persons, weighted; 0 unless type family or place agree."""
    checks = location_checks(out, ref, aliases)
    if out.event_type != ref.event_type and not any(ok for _, ok in checks):
        return 0.0
    score = 0.2 if out.sub_event_type == ref.sub_event_type else 0.1 if out.event_type == ref.event_type else 0.0
    score += 0.3 if date_ok(out, ref) else 0.0
    score += 0.25 * (sum(ok for _, ok in checks) / len(checks)) if checks else 0.0
    names = [a.name for a in out.actors] + [p.name for p in out.persons]
    wanted = ref.actors + [p.name for p in ref.persons]
    if wanted:
        score += 0.25 * sum(any(_names_match(n, w, aliases) for n in names) for w in wanted) / len(wanted)
    return score


def assign(outputs: list[EventRecord], refs: list[ReferenceEvent], aliases: AliasTable) -> list[tuple[int, int, float]]:
    """Optimal one-to-one pairs (output index, reference index, similarity) above the threshold."""
    if not outputs or not refs:
        return []
    sim = np.array([[similarity(o, r, aliases) for r in refs] for o in outputs])
    rows, cols = linear_sum_assignment(-sim)
    return [(int(i), int(j), float(sim[i, j])) for i, j in zip(rows, cols, strict=True) if sim[i, j] >= MIN_SIMILARITY]


def count_within(claim: CasualtyClaim, ref: ReferenceCasualty) -> bool:
    """The output's count lies inside the reference bounds: its best figure, else its whole range."""
    if claim.best is not None:
        return ref.low <= claim.best <= ref.high
    if claim.low is None or claim.high is None:
        value = claim.low if claim.low is not None else claim.high
        return value is not None and ref.low <= value <= ref.high
    return ref.low <= claim.low and claim.high <= ref.high


def event_scores(sample: Sample) -> list[Score]:
    """Event recall/precision and per-field accuracy over matched pairs."""
    outputs = sample.output.events if sample.output else []
    refs = sample.case.events
    aliases = sample.aliases
    pairs = assign(outputs, refs, aliases)
    matched_refs = {j for _, j, _ in pairs}
    recall_items = [ItemResult(id=r.id, ok=i in matched_refs, reason=r.description) for i, r in enumerate(refs)]
    matched_out = {i for i, _, _ in pairs}
    precision_items = [
        ItemResult(id=f"output[{i}]", ok=i in matched_out, reason=f"{o.sub_event_type} {o.date.start}")
        for i, o in enumerate(outputs)
    ]
    fields: dict[str, list[ItemResult]] = defaultdict(list)
    confusion: dict[str, dict[str, int]] = {c: defaultdict(int) for c in OUTCOME_CLASSES}  # type: ignore[misc]
    for i, j, _ in pairs:
        out, ref = outputs[i], refs[j]
        tag = f"{ref.id}~output[{i}]"
        fields["type"].append(ItemResult(id=tag, ok=out.event_type == ref.event_type, reason=out.event_type))
        fields["sub_type"].append(
            ItemResult(
                id=tag,
                ok=out.sub_event_type == ref.sub_event_type,
                reason=f"{out.sub_event_type} vs {ref.sub_event_type}",
            )
        )
        fields["date"].append(
            ItemResult(
                id=tag,
                ok=date_ok(out, ref),
                reason=f"{out.date.start}..{out.date.end} vs {ref.date.start} ({ref.date.precision})",
            )
        )
        for level, ok in location_checks(out, ref, aliases):
            fields["location"].append(
                ItemResult(
                    id=f"{tag}:{level}",
                    ok=ok,
                    reason=f"{getattr(out.location, level)} vs {getattr(ref.location, level)}",
                )
            )
        names = [a.name for a in out.actors]
        for actor in ref.actors:
            fields["actors"].append(
                ItemResult(id=f"{tag}:{actor}", ok=any(_names_match(n, actor, aliases) for n in names))
            )
        for person in ref.persons:
            found = next((p for p in out.persons if _names_match(p.name, person.name, aliases)), None)
            if person.outcome in OUTCOME_CLASSES:
                confusion[person.outcome][found.outcome if found else "missing"] += 1
        for k, claim in enumerate(ref.casualties):
            same_count = [c for c in out.casualty_claims if c.group == claim.group and count_within(c, claim)]
            exact = [c for c in same_count if c.outcome == claim.outcome]
            confusion[claim.outcome][(exact or same_count)[0].outcome if same_count else "missing"] += 1
            fields["counts"].append(
                ItemResult(
                    id=f"{tag}:casualty{k}",
                    ok=bool(exact),
                    reason=f"{claim.group} {claim.outcome} {claim.low}-{claim.high}",
                )
            )
            if exact:
                credited = any(_names_match(c.claimed_by, claim.claimed_by, aliases) for c in exact)
                fields["attribution"].append(
                    ItemResult(
                        id=f"{tag}:casualty{k}", ok=credited, reason=f"{exact[0].claimed_by} vs {claim.claimed_by}"
                    )
                )
    scores = [
        Score.from_items("event_recall", recall_items, "reference events matched"),
        Score.from_items("event_precision", precision_items, "output events matched"),
    ]
    for name in ("type", "sub_type", "date", "location", "actors", "counts", "attribution"):
        scores.append(Score.from_items(f"event_{name}_accuracy", fields[name], f"matched {name} checks correct"))
    scores[-2].extra["killed_captured_confusion"] = {k: dict(v) for k, v in confusion.items()}
    return scores

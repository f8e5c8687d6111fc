"""Hand-built model answers for seed 000, written for unit tests (not recordings).

Their quotes are copied from the article, so they ground exactly; tests change them
to exercise re-asks and failures.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SEED_000 = ROOT / "seeds" / "000_27aace103a48bbe9.txt"
SEED_004 = ROOT / "seeds" / "004_dd696f60cd6e8ce5.txt"

HAND_BUILT_FACTS_000: dict[str, Any] = {
    "headline": "Afghan-U.S. raid killed al-Qaida leader, NDS says",
    "dateline": None,
    "summary": (
        "Afghanistan's intelligence agency says a joint Afghan-U.S. raid on Sept. 23 in Musa Qala district, "
        "Helmand province, killed Asim Omar, leader of al-Qaida in the Indian Subcontinent."
    ),
    "key_facts": [
        {
            "statement": "A joint U.S.-Afghan raid on Sept. 23 killed AQIS leader Asim Omar.",
            "attribution": "National Directorate of Security",
            "status": "claimed",
            "quote": "a joint U.S.-Afghan raid on Sept. 23 killed Asim Omar, the leader of al-Qaida in the "
            "Indian Subcontinent, or AQIS",
        },
        {
            "statement": "A U.S. official confirmed the death of the al-Qaida leader.",
            "attribution": "a U.S. official",
            "status": "confirmed",
            "quote": "A U.S. official confirmed to Military Times the death of the al-Qaida leader",
        },
    ],
}

HAND_BUILT_EVENTS_000: dict[str, Any] = {
    "events": [
        {
            "sub_event_type": "Armed clash",
            "date_start": "2019-09-23",
            "date_end": "2019-09-23",
            "date_precision": "day",
            "country": "Afghanistan",
            "admin1": "Helmand",
            "admin2": "Musa Qala",
            "place": None,
            "location_precision": "district",
            "actors": [
                {"name": "Afghan and U.S. forces", "role": "initiator"},
                {"name": "AQIS", "role": "target"},
            ],
            "persons": [{"name": "Asim Omar", "role": "leader of AQIS", "outcome": "killed"}],
            "casualties": [
                {
                    "group": "militants",
                    "outcome": "killed",
                    "low": 6,
                    "best": 6,
                    "high": 6,
                    "claimed_by": "NDS",
                    "quote": "The NDS said it killed six other AQIS members",
                }
            ],
            "sources": ["NDS"],
            "conflicting_reports": None,
            "quote": "a joint U.S.-Afghan raid on Sept. 23 killed Asim Omar",
        }
    ]
}


def facts(**changes: Any) -> dict[str, Any]:
    """A copy of the hand-built facts answer with top-level changes."""
    answer = copy.deepcopy(HAND_BUILT_FACTS_000)
    answer.update(changes)
    return answer


def events(**changes: Any) -> dict[str, Any]:
    """A copy of the hand-built events answer with top-level changes."""
    answer = copy.deepcopy(HAND_BUILT_EVENTS_000)
    answer.update(changes)
    return answer


def hand_built_record(
    statements: list[str],
    summary: str = "",
    events: list[dict[str, Any]] | None = None,
    quotes: list[str] | None = None,
) -> Any:
    """A hand-built SummaryRecord (for scorer tests): facts with the given statements.

    Quotes default to a real sentence of seed 000, grounded exactly."""
    from summarizer.ground import align_quote
    from summarizer.schema import SummaryRecord

    text = SEED_000.read_text(encoding="utf-8")
    default_quote = "The NDS said it killed six other AQIS members"
    facts = []
    for i, statement in enumerate(statements):
        quote = (quotes or [])[i] if quotes and i < len(quotes) else default_quote
        evidence = align_quote(quote, text).model_dump(mode="json")
        facts.append(
            {
                "statement": statement,
                "attribution": "NDS",
                "status": "claimed",
                "evidence": [evidence],
                "grounded": evidence["match"] != "unmatched",
            }
        )
    return SummaryRecord.model_validate(
        {
            "provenance": {
                "source": {"path": str(SEED_000), "sha256": "0" * 64, "chars": len(text), "article_chars": 2970},
                "model": "hand-built",
                "endpoint_kind": "none",
                "mode": "none",
                "templates": [],
                "schema_version": "1.0",
                "schema_sha256": "0" * 64,
                "usage": {},
                "attempts": 2,
                "reasks": 0,
                "first_try_valid": True,
                "started_at": "2019-10-08T00:00:00+00:00",
                "finished_at": "2019-10-08T00:00:01+00:00",
            },
            "headline": "hand-built",
            "dateline": None,
            "summary": summary,
            "key_facts": facts,
            "events": events or [],
            "excluded_regions": [],
            "dropped_claims": [],
            "grounding": {"exact": 0, "fuzzy": 0, "unmatched": 0},
        }
    )


def hand_built_event(**changes: Any) -> dict[str, Any]:
    """A hand-built EventRecord dict for seed 000's Sept. 23 raid."""
    event: dict[str, Any] = {
        "event_type": "Battles",
        "sub_event_type": "Armed clash",
        "date": {"start": "2019-09-23", "end": "2019-09-23", "precision": "day"},
        "location": {
            "country": "Afghanistan",
            "admin1": "Helmand",
            "admin2": "Musa Qala",
            "place": None,
            "precision": "district",
        },
        "actors": [{"name": "Afghan and U.S. forces", "role": "initiator"}, {"name": "AQIS", "role": "target"}],
        "persons": [{"name": "Asim Omar", "role": "leader of AQIS", "outcome": "killed"}],
        "casualty_claims": [
            {
                "group": "militants",
                "outcome": "killed",
                "low": 6,
                "best": 6,
                "high": 6,
                "claimed_by": "NDS",
                "evidence": [],
            }
        ],
        "totals": {"killed": 6, "captured": None, "injured": None},
        "sources": ["NDS"],
        "conflicting_reports": [],
        "evidence": [],
        "grounded": False,
    }
    event.update(changes)
    return event

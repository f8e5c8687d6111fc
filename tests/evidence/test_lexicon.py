"""The action lexicon: data in, sub-event types out. Sentences are written for these tests."""

from __future__ import annotations

import pytest
import yaml

from summarizer.evidence.lexicon import LEXICON_PATH, SUB_EVENT_TYPES, lexicon


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Soldiers clashed with rebels near the border on Monday.", "Armed clash"),
        ("A drone strike hit a compound during the raid.", "Air or drone strike"),  # the strike outranks the raid
        ("A suicide car bomb exploded at the gate.", "Suicide bomb"),  # not the explosion it also is
        ("A roadside bomb struck a police convoy.", "Remote explosive/landmine/IED"),
        ("Police arrested 12 people after the rally.", "Arrests"),
        ("Gunmen kidnapped three aid workers.", "Abduction/forced disappearance"),
        ("Mortar shells landed in the market.", "Shelling/artillery/missile attack"),
        ("Government troops recaptured the town.", "Government regains territory"),
    ],
)
def test_actions_name_their_sub_event_type(sentence: str, expected: str) -> None:
    reading = lexicon().read(sentence)
    assert reading is not None
    assert reading.sub_event_type == expected


def test_an_attack_is_typed_by_who_was_hit_and_ambiguous_when_nobody_is_counted() -> None:
    assert lexicon().read("The attack killed five villagers.", "civilians").sub_event_type == "Attack"  # type: ignore[union-attr]
    on_soldiers = lexicon().read("The attack killed five soldiers.", "security_forces")
    assert on_soldiers is not None and on_soldiers.sub_event_type == "Armed clash" and not on_soldiers.ambiguous
    open_reading = lexicon().read("The attack was condemned.")
    assert open_reading is not None and open_reading.ambiguous
    assert set(open_reading.candidates) == {"Attack", "Armed clash"}


def test_a_sentence_without_an_action_word_has_no_reading() -> None:
    assert lexicon().read("The minister met the ambassador in the capital.") is None
    assert lexicon().read("The raider returned.") is None  # whole words only: "raider" is not "raid"


@pytest.mark.parametrize(
    ("words", "group"),
    [("40 civilians", "civilians"), ("six soldiers", "security_forces"), ("22 foreign members of the group",
     "militants"), ("14", "unknown")],
)  # fmt: skip
def test_counted_groups(words: str, group: str) -> None:
    assert lexicon().group_of(words) == group


def test_every_lexicon_type_is_an_acled_sub_event_type() -> None:
    data = yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8"))
    named = {entry["sub_event_type"] for entry in data["actions"]}
    named |= {c for entry in data["ambiguous"] for c in entry["candidates"]}
    assert named <= SUB_EVENT_TYPES

"""The action lexicon (``lexicon.yaml``, kept as data): which ACLED sub-event type a sentence's
action words name, and which group a count refers to."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import cast, get_args

import yaml

from summarizer.claims import normalise
from summarizer.schema import CountedGroup, SubEventType

LEXICON_PATH = Path(__file__).with_name("lexicon.yaml")
SUB_EVENT_TYPES: frozenset[str] = frozenset(get_args(SubEventType))
COUNTED_GROUPS: frozenset[str] = frozenset(get_args(CountedGroup))


@dataclass(frozen=True)
class ActionEntry:
    """Terms naming one action; ``candidates`` holds more than one type when the action is ambiguous."""

    candidates: tuple[SubEventType, ...]
    priority: int
    pattern: re.Pattern[str]
    by_target: tuple[tuple[str, SubEventType], ...] = ()


@dataclass(frozen=True)
class Action:
    """An action word found in a sentence."""

    term: str
    start: int
    entry: ActionEntry


@dataclass(frozen=True)
class ActionReading:
    """What a sentence's action words say about its sub-event type."""

    sub_event_type: SubEventType
    candidates: tuple[SubEventType, ...]
    terms: tuple[str, ...]
    #: The highest priority among the sentence's action words: the one the type was read from.
    priority: int = 0

    @property
    def ambiguous(self) -> bool:
        """More than one type fits the words (the first is the lexicon's default)."""
        return len(self.candidates) > 1


def _terms_pattern(terms: Sequence[str]) -> re.Pattern[str]:
    words = sorted({normalise(t) for t in terms}, key=len, reverse=True)
    return re.compile(r"(?<![\w-])(?:" + "|".join(re.escape(w) for w in words) + r")(?![\w-])")


def _sub_type(value: object, where: str) -> SubEventType:
    if value not in SUB_EVENT_TYPES:
        raise ValueError(f"{LEXICON_PATH.name}: {where}: {value!r} is not an ACLED sub-event type")
    return cast(SubEventType, value)


@dataclass(frozen=True)
class Lexicon:
    """The loaded lexicon."""

    actions: tuple[ActionEntry, ...]
    groups: tuple[tuple[CountedGroup, re.Pattern[str]], ...]

    def actions_in(self, sentence: str) -> list[Action]:
        """Every action word of a sentence, in order."""
        norm = normalise(sentence)
        found = [Action(m.group(), m.start(), e) for e in self.actions for m in e.pattern.finditer(norm)]
        return sorted(found, key=lambda a: a.start)

    def read(self, sentence: str, target: CountedGroup | None = None) -> ActionReading | None:
        """The sub-event type the sentence's action words name (None when it names no action)."""
        actions = self.actions_in(sentence)
        if not actions:
            return None
        top = max(a.entry.priority for a in actions)
        candidates: list[SubEventType] = []
        for action in (a for a in actions if a.entry.priority == top):
            settled = dict(action.entry.by_target).get(target) if target else None
            for kind in (settled,) if settled else action.entry.candidates:
                if kind not in candidates:
                    candidates.append(kind)
        # The lexicon's order breaks ties: an entry listed earlier is more specific.
        order = {kind: i for i, e in enumerate(self.actions) for kind in e.candidates}
        if len({a.entry for a in actions if a.entry.priority == top}) > 1:
            candidates.sort(key=lambda k: order.get(k, 99))
        terms = tuple(dict.fromkeys(a.term for a in actions))
        return ActionReading(candidates[0], tuple(candidates), terms, top)

    def group_of(self, words: str) -> CountedGroup:
        """Who a counted phrase refers to ("40 civilians" -> civilians); unknown when no group word."""
        norm = normalise(words)
        hits = [(m.start(), group) for group, pattern in self.groups for m in pattern.finditer(norm)]
        return min(hits)[1] if hits else "unknown"


@cache
def lexicon() -> Lexicon:
    """The package's lexicon, read once (a malformed file raises ValueError naming the entry)."""
    data = yaml.safe_load(LEXICON_PATH.read_text(encoding="utf-8"))
    entries = []
    for i, item in enumerate(data["actions"]):
        kind = _sub_type(item["sub_event_type"], f"actions[{i}]")
        entries.append(ActionEntry((kind,), int(item["priority"]), _terms_pattern(item["terms"])))
    for i, item in enumerate(data.get("ambiguous", [])):
        where = f"ambiguous[{i}]"
        candidates = tuple(_sub_type(c, where) for c in item["candidates"])
        by_target = tuple((str(g), _sub_type(k, where)) for g, k in item.get("by_target", {}).items())
        entries.append(ActionEntry(candidates, int(item["priority"]), _terms_pattern(item["terms"]), by_target))
    groups = []
    for group, terms in data["groups"].items():
        if group not in COUNTED_GROUPS:
            raise ValueError(f"{LEXICON_PATH.name}: groups: {group!r} is not a counted group")
        groups.append((cast(CountedGroup, group), _terms_pattern(terms)))
    return Lexicon(tuple(entries), tuple(groups))

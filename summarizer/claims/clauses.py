"""Who happened to what, by whose account: outcomes bound to counts and subjects, polarity, attribution.

Reads tokens with small, explicit patterns (no parser), each bounded by its clause:
- an outcome word's *voice* decides where its patient stands: before it for a passive
  ("Omar was killed"), an intransitive ("Omar died") or a reduced relative ("six militants
  killed in the raid"); after it for an active verb ("killed Omar") or "the death of Omar";
- a count binds to the outcome verb right before it ("arrested 14 and killed 22") or to the
  passive, intransitive or noun after it ("80 were killed, while 27 more were captured");
- a negation cue shortly before a predicate, or a denial verb earlier in its clause, negates it;
  "survived" and "escaped" deny an outcome for their subject;
- "X said", "said X", "according to X" name a source, with the class of the verb.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from summarizer.claims.numbers import Quantity
from summarizer.claims.tokens import Token
from summarizer.claims.vocabulary import (
    ADVERBS,
    AS_COMPARISON,
    ATTRIBUTION_VERBS,
    AUXILIARIES,
    DENIAL_VERBS,
    NEGATION_REACH,
    NEGATORS,
    OUTCOME_DENIERS,
    OUTCOME_INTRANSITIVE,
    OUTCOME_NOUNS,
    OUTCOME_VERBS,
    PHRASE_ENDS,
    RELATIVES,
    TAKE_ENDS,
    TAKE_VERBS,
    AttributionClass,
    Outcome,
    Voice,
)

_MULTI_WORD = {
    phrase: outcome
    for table in (OUTCOME_VERBS, OUTCOME_INTRANSITIVE, OUTCOME_NOUNS)
    for phrase, outcome in table.items()
    if " " in phrase
}
_MULTI_FIRST = frozenset(phrase.split(" ")[0] for phrase in _MULTI_WORD)
_DETERMINERS = frozenset({"the", "a", "an", "his", "her", "their", "its", "this", "that", "these", "those"})
_COUNT_SKIPS = frozenset(
    {"another", "an", "additional", "other", "the", "a", "some", "at", "least", "more", "than", "along", "with",
     "alongside", "including"}
)  # fmt: skip
#: Subordinating words: a passive's subject never reaches back across them.
_SUBORDINATORS = frozenset({"since", "after", "when", "because", "before", "until", "if", "where", "once", "as"})
_TOLL_SKIPS = frozenset({"rose", "risen", "to", "at", "of", "stood", "climbed", "reached", "is", "was", "has", "had"})
_PARTICIPLE_ENDINGS = ("ed", "en", "slain", "hurt")
_ATTRIBUTION_GAP = frozenset({"has", "have", "had", "also", "later", "previously", "would", "could", "did", "does",
                              "do", "not", "n't", "never", "publicly", "officially", "earlier", "separately",
                              "told", "to", "first", "then", "repeatedly", "again", "initially", "subsequently",
                              "quickly", "reportedly", "already", "recently", "now", "further", "swiftly",
                              "formally"})  # fmt: skip


@dataclass(frozen=True, slots=True)
class OutcomeMention:
    """An outcome word with its voice, polarity, patient span (token range) and bound count."""

    outcome: Outcome
    first: int
    last: int
    voice: Voice
    negated: bool
    patient: tuple[int, int]
    count: Quantity | None = None


@dataclass(frozen=True, slots=True)
class Attribution:
    """A source named in the text and the class of its verb."""

    source: str
    kind: AttributionClass
    index: int
    negated: bool


def _clause_start(tokens: Sequence[Token], i: int) -> int:
    j = i
    while j > 0 and tokens[j - 1].clause == tokens[i].clause and not tokens[j - 1].brk:
        j -= 1
    return j


def negated_at(tokens: Sequence[Token], i: int) -> bool:
    """Whether the predicate at token ``i`` is negated: a cue shortly before it in its clause
    (not across a comma), or a denial verb earlier in its clause."""
    start = _clause_start(tokens, i)
    for j in range(i - 1, max(start, i - NEGATION_REACH) - 1, -1):
        word = tokens[j].text
        if word in {",", "("}:
            break
        if word.endswith("n't") or (
            word in NEGATORS
            and word not in {"failed", "fails", "fail", "unable", "declined", "refused", "refuses", "declines"}
        ):
            return True
        if word in NEGATORS and j + 1 < len(tokens) and tokens[j + 1].text == "to":
            return True
    for j in range(i - 1, start - 1, -1):
        word = tokens[j].text
        if word == "as" and _describes(tokens, j):
            return False  # "dismissed the claim as propaganda": the words after "as" are not denied
        if word in DENIAL_VERBS:
            return True
    return False


def _describes(tokens: Sequence[Token], j: int) -> bool:
    """Whether the "as" at ``j`` introduces a description, not a comparison ("as many as")."""
    after = tokens[j + 1].text if j + 1 < len(tokens) else ""
    before = tokens[j - 1].text if j > 0 else ""
    return after not in AS_COMPARISON and before not in AS_COMPARISON and not after[:1].isdigit()


def _passive_aux(tokens: Sequence[Token], i: int) -> int | None:
    """Index of the auxiliary that makes the participle at ``i`` passive, if any."""
    j = i - 1
    while j >= 0 and i - j <= 4 and not tokens[j].brk:
        word = tokens[j].text
        if word in AUXILIARIES:
            return j
        if word not in ADVERBS and not word.endswith(("n't", "ly")):
            return None
        j -= 1
    return None


def _span_before(tokens: Sequence[Token], end: int, outcome_positions: Sequence[int]) -> tuple[int, int]:
    start = _clause_start(tokens, end)
    earlier = [p for p in outcome_positions if p < end and p >= start]
    earlier += [
        j
        for j in range(start, end)
        if tokens[j].text in ATTRIBUTION_VERBS or tokens[j].text == "that" or tokens[j].text in _SUBORDINATORS
    ]
    if earlier:
        start = max(earlier) + 1
    if end - start > 14:
        start = end - 14
    if (start < end and tokens[start].text in RELATIVES) or (end > 0 and tokens[end - 1].text in RELATIVES):
        start = max(_clause_start(tokens, start), start - 7)
    return start, end


def _span_after(tokens: Sequence[Token], begin: int, outcome_positions: Sequence[int]) -> tuple[int, int]:
    j = begin
    while j < len(tokens) and j - begin < 10 and not tokens[j].brk and j not in outcome_positions:
        if tokens[j].text in PHRASE_ENDS or tokens[j].text in ATTRIBUTION_VERBS:
            break
        j += 1
    return begin, j


def _find_outcome_words(tokens: Sequence[Token]) -> list[tuple[int, int, Outcome, str]]:
    """(first, last, outcome, table) for every outcome word or phrase: verb, intransitive, noun, denier."""
    found: list[tuple[int, int, Outcome, str]] = []
    i = 0
    while i < len(tokens):
        word = tokens[i].text
        opens = word in _MULTI_FIRST  # only such a token can open a multi-word phrase
        three = " ".join(t.text for t in tokens[i : i + 3]) if opens else ""
        two = " ".join(t.text for t in tokens[i : i + 2]) if opens else ""
        if three in _MULTI_WORD or two in _MULTI_WORD:
            phrase = three if three in _MULTI_WORD else two
            size = len(phrase.split())
            table = "verb" if phrase in OUTCOME_VERBS else "intransitive" if phrase in OUTCOME_INTRANSITIVE else "noun"
            found.append((i, i + size - 1, _MULTI_WORD[phrase], table))
            i += size
            continue
        if word in TAKE_VERBS and _taken_prisoner(tokens, i):
            found.append((i, i, "captured", "verb"))
        elif word in OUTCOME_VERBS and not (word == "killing" and i + 1 < len(tokens) and tokens[i + 1].text == "of"):
            found.append((i, i, OUTCOME_VERBS[word], "verb"))
        elif word in OUTCOME_INTRANSITIVE:
            found.append((i, i, OUTCOME_INTRANSITIVE[word], "intransitive"))
        elif word in OUTCOME_NOUNS:
            found.append((i, i, OUTCOME_NOUNS[word], "noun"))
        elif word in OUTCOME_DENIERS:
            for outcome in OUTCOME_DENIERS[word]:
                found.append((i, i, outcome, "denier"))
        i += 1
    return found


def _taken_prisoner(tokens: Sequence[Token], i: int) -> bool:
    """'took four soldiers prisoner': a take verb with 'prisoner' (or 'captive') after its object."""
    for j in range(i + 2, min(i + 6, len(tokens))):
        if tokens[j].brk or tokens[j].text == ",":
            return False
        if tokens[j].text in TAKE_ENDS:
            return True
    return False


def find_outcomes(tokens: Sequence[Token], quantities: Sequence[Quantity]) -> list[OutcomeMention]:
    """Every outcome mention with its voice, polarity, patient and bound count."""
    words = _find_outcome_words(tokens)
    positions = sorted({first for first, *_ in words})
    mentions: list[OutcomeMention] = []
    for first, last, outcome, table in words:
        nxt = tokens[last + 1].text if last + 1 < len(tokens) else "."
        voice: Voice
        if table in {"intransitive", "denier"}:
            voice, patient = "intransitive", _span_before(tokens, first, positions)
        elif table == "noun":
            voice = "noun"
            if nxt == "of":
                patient = _span_after(tokens, last + 2, positions)
            elif first > 0 and (tokens[first - 1].text.endswith("'s") or tokens[first - 1].text == "'s"):
                patient = (max(_clause_start(tokens, first), first - 4), first)
            else:
                patient = (max(_clause_start(tokens, first), first - 6), first)
        else:
            aux = _passive_aux(tokens, first)
            passive_like = tokens[first].text.endswith(_PARTICIPLE_ENDINGS) or last > first
            reduced = passive_like and (nxt in PHRASE_ENDS or nxt in {".", ";", "and", "along", "alongside"})
            if aux is not None:
                voice, patient = "passive", _span_before(tokens, aux, positions)
            elif reduced:
                voice, patient = "passive", _span_before(tokens, first, positions)
            else:
                voice, patient = "active", _span_after(tokens, last + 1, positions)
        negated = table == "denier" or negated_at(tokens, first)
        if table == "denier" and negated_at(tokens, first):
            continue  # "did not survive": leave it unread rather than guess
        mentions.append(OutcomeMention(outcome, first, last, voice, negated, patient))
    return _bind_counts(tokens, quantities, mentions)


def _bind_counts(
    tokens: Sequence[Token], quantities: Sequence[Quantity], mentions: list[OutcomeMention]
) -> list[OutcomeMention]:
    by_first = {m.first: m for m in mentions}
    bound: dict[int, Quantity] = {}
    starts = {q.first for q in quantities}
    for q in quantities:
        if not q.is_count:
            continue
        target = _count_before(tokens, q, by_first)
        if target is None:
            target = _count_after(tokens, q, by_first, starts)
        if target is not None and target not in bound:
            bound[target] = q
    out = []
    for m in mentions:
        count = bound.get(m.first)
        if count is not None:
            m = OutcomeMention(m.outcome, m.first, m.last, m.voice, m.negated, m.patient, count)
        out.append(m)
    return out


def _count_before(tokens: Sequence[Token], q: Quantity, by_first: dict[int, OutcomeMention]) -> int | None:
    """An active verb or 'deaths of' right before the count: 'killed 22', 'the deaths of 40'."""
    j = q.first - 1
    skipped = 0
    while j >= 0 and tokens[j].text in _COUNT_SKIPS and skipped < 3:
        j -= 1
        skipped += 1
    if j < 0:
        return None
    # "was killed along with six others": the count shares a passive or intransitive outcome
    company = any(tokens[x].text in {"along", "alongside", "with"} for x in range(j + 1, q.first))
    for first, mention in by_first.items():
        if mention.last == j and (mention.voice == "active" or (company and mention.voice != "noun")):
            return first
    if tokens[j].text == "of" and j > 0:
        for first, mention in by_first.items():
            if mention.last == j - 1 and mention.voice == "noun":
                return first
    k = j
    while k >= 0 and q.first - k <= 5 and not tokens[k].brk:
        if tokens[k].text in {"toll", "death toll"} and all(
            tokens[x].text in _TOLL_SKIPS for x in range(k + 1, q.first)
        ):
            return next((f for f, m in by_first.items() if m.last == k), None)
        k -= 1
    return None


def _count_after(
    tokens: Sequence[Token], q: Quantity, by_first: dict[int, OutcomeMention], starts: set[int]
) -> int | None:
    """A passive, intransitive or noun outcome after the count: '80 were killed', '40 deaths'."""
    for k in range(q.last + 1, min(len(tokens), q.last + 15)):
        if tokens[k].brk:
            return None
        if k in starts and tokens[k - 1].text not in {"and", ",", "or"}:
            return None  # another count of its own; "three X and two Y were killed" reads on
        mention = by_first.get(k)
        if mention is None:
            continue
        if mention.voice == "active" and k > q.last + 1:  # "27 wounded people" is adjectival
            return None  # the count is the agent: '6 soldiers killed 3 militants'
        return k
    return None


def find_attributions(tokens: Sequence[Token], cased: str) -> list[Attribution]:
    """Sources named with a reporting verb or 'according to', as written in ``cased`` (the text
    normalised without case folding, whose offsets agree with the tokens')."""
    norm = cased
    found: list[Attribution] = []
    for i, token in enumerate(tokens):
        word = token.text
        if word == "according" and i + 1 < len(tokens) and tokens[i + 1].text == "to":
            words = _words_until(tokens, norm, i + 2, 1)
            if words:
                found.append(Attribution(words, "reported", i, False))
            continue
        if word == "per" and i + 1 < len(tokens) and not tokens[i + 1].brk:
            words = _words_until(tokens, norm, i + 1, 1)
            if words:
                found.append(Attribution(words, "reported", i, False))
            continue
        kind = ATTRIBUTION_VERBS.get(word)
        if kind is None or word == "according":
            continue
        if word in _NOUN_VERBS and i + 1 < len(tokens) and tokens[i + 1].text in _AFTER_NOUN:
            continue  # "preliminary reports do not indicate": a noun, not a reporting verb
        j = i - 1
        while j >= 0 and tokens[j].text in _ATTRIBUTION_GAP:
            j -= 1
        if (j >= 0 and tokens[j].text in AUXILIARIES) or _passive_aux(tokens, i) is not None:
            continue  # "was said to", "are frequently reported": no source here
        negated = negated_at(tokens, i)
        j = _skip_aside(tokens, norm, j)
        j = _skip_aside(tokens, norm, _skip_coordinated_predicate(tokens, j))
        before = _words_until(tokens, norm, j, -1)
        source = before or _words_until(tokens, norm, i + 1, 1)
        if source:
            found.append(Attribution(source, kind, i, negated))
    return found


_FINITE = frozenset({"did", "does", "do", "has", "had", "have", "was", "were", "is", "are", "will", "would"})
#: Reporting verbs that are also plural nouns, and the words after them that show the noun.
_NOUN_VERBS = frozenset({"reports", "report", "claims", "claim", "estimates", "notes", "states"})
_AFTER_NOUN = frozenset({"do", "does", "did", "have", "has", "had", "not", "of", "from", "indicate", "indicated",
                         "suggest", "suggested", "show", "showed", "say", "were", "are", "was", "is"})  # fmt: skip


def _skip_coordinated_predicate(tokens: Sequence[Token], j: int) -> int:
    """Step back over a first predicate joined by "and": in "UNSOM condemned the attack and said", the
    source of "said" is the subject of "condemned". Returns the index before that predicate's verb,
    or ``j`` when the words before the verb are not "<verb>ed ... and"."""
    if j < 1 or tokens[j].text != "and":
        return j
    k = j - 1
    while k >= 0 and j - k <= 8 and not tokens[k].brk and tokens[k].text not in {",", "that", '"'}:
        word = tokens[k].text
        if (word.endswith("ed") or word in _FINITE) and word not in _DETERMINERS and k > 0:
            return k - 1
        k -= 1
    return j


def _skip_aside(tokens: Sequence[Token], norm: str, j: int) -> int:
    """Step back over an aside between a source and its verb: "X (anonymous) said", "X, chairman of
    Y, said". Returns the index of the source's last word, or ``j`` when there is no aside."""
    if j < 0:
        return j
    if tokens[j].text == ")":
        k = j - 1
        while k >= 0 and tokens[k].text != "(" and not tokens[k].brk:
            k -= 1
        return k - 1 if k > 0 and tokens[k].text == "(" else j
    if tokens[j].text in {",", "-"}:
        mark = tokens[j].text
        k = j - 1
        while k >= 0 and tokens[k].text != mark and not tokens[k].brk:
            k -= 1
        # Both the aside and what precedes it must be names, not clauses ("In Zabul, the raid killed 80, said X").
        if k > 0 and tokens[k].text == mark and _words_until(tokens, norm, j - 1, -1):
            return k - 1 if _words_until(tokens, norm, k - 1, -1) else j
    return j


def _words_until(tokens: Sequence[Token], norm: str, start: int, step: int) -> str:
    """Up to 8 words from ``start`` in direction ``step``, stopping at a comma, a break or 'that',
    as the normalised text they span (determiners in front dropped)."""
    picked: list[Token] = []
    j = start
    while 0 <= j < len(tokens) and len(picked) < 8:
        word = tokens[j].text
        if tokens[j].brk or word in {",", "-", "that", '"', "(", ")"} or (step < 0 and word in RELATIVES):
            break
        if step > 0 and word in AUXILIARIES:
            return ""  # "said US forces are likely to stay": a clause follows the verb, not its source
        if step > 0 and (word in ATTRIBUTION_VERBS or word in OUTCOME_VERBS or word in PHRASE_ENDS - {"by"}):
            break
        if step < 0 and (word in AUXILIARIES or word in OUTCOME_VERBS or word in OUTCOME_INTRANSITIVE or word == "to"):
            return ""  # a clause, not a name: "forces are likely to stay, X said" names no source before the verb
        picked.append(tokens[j])
        j += step
    if step < 0:
        picked.reverse()
    while picked and (picked[0].text in _DETERMINERS or (step < 0 and picked[0].text in {"as", "and", "but"})):
        picked.pop(0)  # "As Nicholson noted": the source is Nicholson
    return norm[picked[0].start : picked[-1].end] if picked else ""

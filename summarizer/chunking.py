"""Long documents: the token budget of one call, and the chunks an article is read in when it does
not fit that budget. Pure: no model call, no I/O (the token counter is passed in).

A call holds the prompt (system and task templates without the article, the chat template's markup
per message, and the draft schema when the server does not turn it into a grammar), the article or
its chunk, room for re-ask feedback, and the answer (``max_tokens``)::

    article budget = context - max_tokens - prompt - max_reasks * feedback

(halved when the article's sentences are also sent in the prompt as the schema's quote choices).

Chunks are cut on sentence boundaries (:func:`summarizer.ground.sentence_spans`), each as many
whole sentences as fit the budget; consecutive chunks share :data:`OVERLAP_SENTENCES` sentences, so
a fact or event told across a chunk boundary is read whole by one of them. A sentence longer than
the budget alone is cut at spaces (and a word longer than that at characters), with a warning.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from summarizer.ground import sentence_spans

#: Counts the model's tokens in a text: its own tokenizer, or :func:`estimate_tokens`.
TokenCounter = Callable[[str], int]

#: The documented estimate where no tokenizer is at hand: one token per 3 bytes of UTF-8. English
#: news runs 4.1 to 4.8 bytes per token on SmolLM2's tokenizer (README, Long documents), so this
#: overcounts English by a third or more; scripts that need more tokens per byte (Chinese, Arabic,
#: Cyrillic, long digit runs) can exceed it, and then a smaller --context-tokens is the remedy.
BYTES_PER_TOKEN = 3
#: Tokens a chat template adds around one message (role markers and separators; ChatML adds 5).
CHAT_MARKUP_TOKENS = 8
#: Sentences each chunk repeats from the end of the one before it.
OVERLAP_SENTENCES = 2
#: Extra tokens counted per sentence for the space or line break that joins it to the next.
_JOIN_TOKENS = 1
#: UTF-8 bytes per character at most; a byte-level tokenizer spends at most one token per byte.
_MAX_BYTES_PER_CHAR = 4


def estimate_tokens(text: str) -> int:
    """Tokens estimated from UTF-8 bytes: ``ceil(bytes / BYTES_PER_TOKEN)``."""
    return -(-len(text.encode("utf-8")) // BYTES_PER_TOKEN)


@dataclass(frozen=True)
class ContextBudget:
    """What one call's context holds besides the article, in tokens."""

    #: The model's context window.
    context: int
    #: Room kept for the answer (``max_tokens``).
    answer: int
    #: The prompt without the article: rendered templates, chat markup, and the schema when it is sent as text.
    prompt: int
    #: Room kept for the feedback messages of the re-asks.
    reasks: int
    #: Times the article is in the prompt: 2 when its sentences are also sent as the schema's quote choices.
    copies: int = 1

    @property
    def article(self) -> int:
        """Tokens of article one call can hold."""
        return (self.context - self.answer - self.prompt - self.reasks) // self.copies

    def describe(self) -> str:
        """The formula with its values, for messages."""
        over = f" over {self.copies} copies" if self.copies > 1 else ""
        return (f"context {self.context} - answer {self.answer} - prompt {self.prompt} - re-ask feedback "
                f"{self.reasks} = {self.article} tokens of article{over}")  # fmt: skip


@dataclass(frozen=True)
class Chunk:
    """One part of the text: ``text[start:end]``, whole sentences."""

    index: int
    total: int
    start: int
    end: int

    @property
    def label(self) -> str:
        """'chunk 2 of 3 (characters 8,120-16,400)', for warnings."""
        return f"chunk {self.index} of {self.total} (characters {self.start:,}\u2013{self.end:,})"


@dataclass(frozen=True)
class ChunkPlan:
    """The chunks of a text, in order, and what planning them had to cut."""

    chunks: tuple[Chunk, ...]
    warnings: tuple[str, ...] = ()


def _words(text: str, start: int, end: int) -> list[tuple[int, int]]:
    return [(start + m.start(), start + m.end()) for m in re.finditer(r"\S+", text[start:end])]


def _cut(text: str, span: tuple[int, int], limit: int, count: TokenCounter) -> list[tuple[int, int]]:
    """A span too long for one chunk, as pieces that fit: whole words where it can, else characters."""
    units: list[tuple[int, int]] = []
    for start, end in _words(text, *span):
        if count(text[start:end]) + _JOIN_TOKENS <= limit:
            units.append((start, end))
        else:  # one "word" longer than a chunk: characters, each at most _MAX_BYTES_PER_CHAR tokens
            step = max(1, (limit - _JOIN_TOKENS) // _MAX_BYTES_PER_CHAR)
            units += [(i, min(i + step, end)) for i in range(start, end, step)]
    return [(text_start, text_end) for text_start, text_end, _ in _pack(text, units, limit, count, overlap=0)]


def _pack(
    text: str, units: Sequence[tuple[int, int]], limit: int, count: TokenCounter, *, overlap: int
) -> list[tuple[int, int, int]]:
    """Greedy runs of consecutive units, each within ``limit`` tokens: ``(start, end, units)``. Each run
    after the first starts ``overlap`` units before the end of the one before (and always moves on)."""
    costs = [count(text[start:end]) + _JOIN_TOKENS for start, end in units]
    runs: list[tuple[int, int, int]] = []
    first = 0
    while first < len(units):
        last, used = first, 0
        while last < len(units) and used + costs[last] <= limit:
            used += costs[last]
            last += 1
        last = max(last, first + 1)  # every unit fits alone (the caller cut those that did not)
        runs.append((units[first][0], units[last - 1][1], last - first))
        if last == len(units):
            break
        first = max(first + 1, last - overlap)
    return runs


def plan_chunks(
    text: str,
    limit: int,
    count: TokenCounter,
    *,
    region: tuple[int, int] | None = None,
    overlap: int = OVERLAP_SENTENCES,
) -> ChunkPlan:
    """Chunks of ``text[region]`` (default all of it) of at most ``limit`` tokens each, on sentence
    boundaries, consecutive ones sharing ``overlap`` sentences. Offsets are into ``text``."""
    if limit <= _JOIN_TOKENS:
        raise ValueError(f"a chunk of {limit} tokens holds no text")
    start, end = region or (0, len(text))
    units: list[tuple[int, int]] = []
    warnings: list[str] = []
    for s, e in sentence_spans(text[start:end]):
        span = (start + s, start + e)
        tokens = count(text[slice(*span)])
        if tokens + _JOIN_TOKENS <= limit:
            units.append(span)
            continue
        pieces = _cut(text, span, limit, count)
        warnings.append(
            f"the sentence at characters {span[0]:,}\u2013{span[1]:,} ({tokens:,} tokens) is longer than a chunk "
            f"({limit:,} tokens): it was cut at spaces into {len(pieces)} pieces"
        )
        units += pieces
    runs = _pack(text, units, limit, count, overlap=overlap)
    chunks = tuple(Chunk(index=i, total=len(runs), start=s, end=e) for i, (s, e, _) in enumerate(runs, start=1))
    return ChunkPlan(chunks=chunks, warnings=tuple(warnings))

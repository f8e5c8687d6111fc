"""B3 (scoring throughput) and B4 (quote alignment time).

B3 scores hand-built SummaryRecords (tests/hand_built.py) against seed 000's reference
case cut to 30 facts, with every deterministic scorer (``score_sample``).  A fact
comparison is one output claim text checked against one reference fact: per output,
``len(fact_claims(output)) * 30``.

B4 grounds 50 quotes (exact, normalised, approximate and absent ones) in a 12,000-character
document built from the two seeds, with ``ground_quotes``.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable

from common import ROOT, SEED_000, SEED_004, Figure, log, optional_step, profile_call

sys.path.insert(0, str(ROOT / "tests"))

from hand_built import hand_built_event, hand_built_record

from summarizer.evals.claims import fact_claims
from summarizer.evals.samples import LoadedCase, load_cases, make_sample
from summarizer.evals.scorers import score_sample
from summarizer.evals.scorers.facts import fact_recall
from summarizer.evals.scores import Sample
from summarizer.ground import align_quote, ground_quotes, split_sentences

SCORING_GOAL = 50_000.0
ALIGN_GOAL_MS = 50.0
N_FACTS = 30
#: Output statements that are wrong or off-reference, mixed in with the reference statements.
DISTRACTORS = [
    "A raid on Sept. 21 killed Asim Omar.",
    "Asim Omar was captured on Sept. 23.",
    "The NDS said it killed 60 other AQIS members.",
    "A raid on Sept. 23 killed Ayman al-Zawahiri.",
    "Aliens landed in Kabul.",
    "Afghan intelligence said six other AQIS militants died in the operation.",
    "Asim Umar, who headed al-Qaida in the Indian Subcontinent, died in a raid on Sept. 23.",
    "U.S. forces withdrew from Helmand in October.",
]


def _tag(i: int) -> str:
    """A letters-only word unique to output ``i`` (no digits, so it never reads as a number)."""
    letters = "bcdfghjklmnpqrstvwxz"
    word = ""
    while True:
        word += letters[i % 20]
        i //= 20
        if not i:
            return f"Zq{word}"


def build_samples(n: int, seed: int = 0, first: int = 0) -> list[Sample]:
    """``n`` distinct hand-built outputs (8 facts, a 3-sentence summary, one event) against a 30-fact case.

    Every statement starts with a word unique to its output, so no two outputs share a text
    (caches cannot carry results from one output to the next, as they could not in a real eval)."""
    config, cases = load_cases(ROOT / "evals" / "config.yaml")
    loaded = cases[0]
    case = loaded.case.model_copy(update={"facts": loaded.case.facts[:N_FACTS]})
    thirty = LoadedCase(case, loaded.path)
    pool = [fact.statement for fact in loaded.case.facts] + DISTRACTORS
    rng = random.Random(seed)
    samples = []
    for i in range(n):
        tag = _tag(first + i)
        statements = [f"{tag}: {s}" for s in rng.sample(pool, 8)]
        summary = " ".join(f"{tag}: {s}" for s in rng.sample(pool, 3))
        record = hand_built_record(statements, summary=summary, events=[hand_built_event()])
        samples.append(make_sample(thirty, config, record.model_dump(mode="json"), None))
    return samples


def _comparisons(samples: list[Sample]) -> int:
    return sum(len(fact_claims(s.output)) * len(s.case.facts) for s in samples if s.output)


def _rate(func: Callable[[Sample], object], samples: list[Sample], time_cap: float) -> tuple[float, int, float]:
    """(comparisons per second, outputs scored, seconds), stopping early at ``time_cap`` seconds."""
    start = time.perf_counter()
    done = 0
    for sample in samples:
        func(sample)
        done += 1
        if time.perf_counter() - start > time_cap:
            break
    seconds = time.perf_counter() - start
    return _comparisons(samples[:done]) / seconds, done, seconds


def bench_scoring(n_outputs: int, profile: bool, whatif: bool = False, time_cap: float = 900.0) -> Figure:
    """B3: fact comparisons per second of ``score_sample`` (all scorers) over ``n_outputs`` outputs."""
    log(f"B3: building {n_outputs} hand-built outputs")
    samples = build_samples(n_outputs)
    score_sample(samples[0])  # warm caches and imports
    log("B3: scoring")
    rate, done, seconds = _rate(score_sample, samples, time_cap)
    # Fresh samples: each sample keeps its checks, so re-scoring the ones above would time a cache.
    recall_rate, recall_done, _ = _rate(
        fact_recall, build_samples(min(n_outputs, 100), seed=1, first=n_outputs), time_cap / 4
    )
    per_output = _comparisons(samples[:1]) if samples else 0
    figure = Figure(
        id="B3",
        what=f"scoring throughput ({done} outputs × {N_FACTS} reference facts, all scorers)",
        value=rate,
        unit="comparisons/s",
        goal=f"≥ {SCORING_GOAL:,.0f} fact comparisons/s",
        met=rate >= SCORING_GOAL,
        details=[
            f"{done} outputs scored in {seconds:.1f} s ({1e3 * seconds / max(done, 1):.1f} ms per output)"
            + ("" if done == n_outputs else f"; stopped at the {time_cap:.0f} s cap, the rate is over those"),
            f"comparisons = output claim texts × reference facts, e.g. {per_output} for the first output",
            f"fact_recall alone: {recall_rate:,.0f} comparisons/s over {recall_done} outputs",
        ],
    )
    if profile and not figure.met:
        log("B3 missed: profiling score_sample")
        part = samples[:3]
        figure.profile = optional_step(figure, "profile", lambda: profile_call(lambda: [score_sample(s) for s in part]))
        figure.profile = figure.profile or ""
    if whatif and not figure.met:
        line = optional_step(figure, "what-if", lambda: _whatif_scoring(samples[:50], time_cap))
        if line:
            figure.details.append(line)
    return figure


def _whatif_scoring(samples: list[Sample], time_cap: float) -> str:
    from whatif import proposed_fixes

    before = [score_sample(s) for s in samples[:5]]
    with proposed_fixes(("aliases",)):
        fixed, done, _ = _rate(score_sample, samples, time_cap)
        same = before == [score_sample(s) for s in samples[:5]]
    return (
        f"with the proposed fix applied as an in-process patch (benchmarks/whatif.py, 'aliases'): "
        f"{fixed:,.0f} comparisons/s over {done} outputs; scores identical to the unpatched ones: {same}"
    )


def alignment_document(size: int = 12_000) -> str:
    """At least ``size`` characters of news text: seed 004, seed 000, then seed 000 again, cut at a line end."""
    a = SEED_000.read_text(encoding="utf-8")
    b = SEED_004.read_text(encoding="utf-8")
    text = f"{b}\n\n{a}\n\n{a}"
    cut = text.find("\n", size)
    return text if cut < 0 else text[:cut]


def alignment_quotes(text: str, seed: int = 0) -> list[tuple[str, str]]:
    """50 (kind, quote) pairs: 20 verbatim, 10 with typographic/case changes, 10 with typos, 10 absent."""
    rng = random.Random(seed)
    sentences = split_sentences(text)
    long_ones = [s for s in sentences if len(s) > 60]
    quotes = [("exact", s) for s in rng.sample(sentences, 20)]
    quotes += [
        ("normalised", s.replace("\u2019", "'").replace("\u2014", "-").replace("\u201c", '"').upper())
        for s in rng.sample(sentences, 10)
    ]
    for s in rng.sample(long_ones, 10):
        words = s.split()
        for _ in range(max(1, len(words) // 12)):
            i = rng.randrange(len(words))
            words[i] = words[i][::-1]
        quotes.append(("typos", " ".join(words)))
    absent = [
        "The delegation announced a new trade agreement covering agricultural exports next spring.",
        "Officials said the bridge would reopen after repairs to its northern span were completed.",
        "Heavy rain flooded several villages along the river on Monday night, residents said.",
        "The ministry denied that any foreign advisers had been present at the meeting.",
        "Local elders called for calm after the market fire destroyed dozens of shops.",
    ]
    quotes += [("absent", q) for q in absent * 2]
    return quotes


def bench_alignment(repeats: int, profile: bool) -> Figure:
    """B4: milliseconds to ground 50 quotes in a 12k-character document (median of ``repeats``)."""
    text = alignment_document()
    pairs = alignment_quotes(text)
    quotes = [q for _, q in pairs]
    ground_quotes(quotes, text)  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        evidence = ground_quotes(quotes, text)
        times.append(1e3 * (time.perf_counter() - start))
    median = statistics.median(times)
    outcome = Counter((kind, e.match.value) for (kind, _), e in zip(pairs, evidence, strict=True))
    start = time.perf_counter()
    for q in quotes:  # the path validate.py takes: one align_quote (one full normalisation) per quote
        align_quote(q, text)
    per_quote_ms = 1e3 * (time.perf_counter() - start)
    figure = Figure(
        id="B4",
        what=f"alignment: ground_quotes, {len(quotes)} quotes in a {len(text):,}-character document",
        value=median,
        unit="ms",
        goal=f"< {ALIGN_GOAL_MS:.0f} ms",
        met=median < ALIGN_GOAL_MS,
        details=[
            f"median of {repeats} runs; min {min(times):.2f} ms, max {max(times):.2f} ms",
            "quotes by kind → match: " + ", ".join(f"{k}→{m}: {n}" for (k, m), n in sorted(outcome.items())),
            f"for reference, the same 50 quotes through align_quote one by one (each call normalises "
            f"the whole document again): {per_quote_ms:.1f} ms",
        ],
    )
    if profile and not figure.met:
        figure.profile = (
            optional_step(
                figure, "profile", lambda: profile_call(lambda: [ground_quotes(quotes, text) for _ in range(5)])
            )
            or ""
        )
    return figure

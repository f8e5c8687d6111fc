"""Client CPU per document, stage by stage, after the model has answered (B1's remaining cost).

Run: ``python benchmarks/stages.py [N]``. Loads N distinct copies of seed 000 (default 400) and
times each stage of the pipeline that the raw openai loop does not have, with the hand-built
answers of ``tests/hand_built.py`` as the drafts. The first 100 documents warm up; the rest are
timed, each document through all the stages in turn as the pipeline does (so the first stage to
read a document pays for normalising it and the later ones share that), and each document is new
to the caches, as in a real run.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench_pipeline import make_docs
from common import ROOT

sys.path.insert(0, str(ROOT / "tests"))

from hand_built import HAND_BUILT_EVENTS_000, HAND_BUILT_FACTS_000

from summarizer.drafts import EventsDraft, FactsDraft
from summarizer.free_text import FreeTextCheck
from summarizer.load import Document, load_document
from summarizer.validate import grounding_problems, quotes_in_events, quotes_in_facts
from summarizer.verify import Grounder, build_events, build_key_facts, support_problems

FACTS = FactsDraft.model_validate_json(json.dumps(HAND_BUILT_FACTS_000))
EVENTS = EventsDraft.model_validate_json(json.dumps(HAND_BUILT_EVENTS_000))


def _free_text(doc: Document) -> None:
    check = FreeTextCheck(doc, "instructions")
    check.headline(FACTS.headline), check.dateline(FACTS.dateline), check.summary(FACTS.summary)


STAGES: list[tuple[str, Callable[[Any], Any]]] = [
    ("re-ask checks: quotes in the article (both calls)",
     lambda d: (grounding_problems(quotes_in_facts(FACTS), d), grounding_problems(quotes_in_events(EVENTS), d))),
    ("re-ask checks: facts their quotes support", lambda d: support_problems(FACTS, d)),
    ("key facts: ground and verify", lambda d: build_key_facts(FACTS, Grounder(d))),
    ("events: ground and verify", lambda d: build_events(EVENTS, Grounder(d))),
    ("headline, dateline, summary checks", _free_text),
]  # fmt: skip


def main(n: int = 400) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        paths = make_docs(n, Path(tmp))
        start = time.perf_counter()
        docs = [load_document(p) for p in paths]
        print(f"{'load the document':52s} {1e3 * (time.perf_counter() - start) / n:6.3f} ms")
    warm, timed = docs[:100], docs[100:]
    for doc in warm:
        for _, stage in STAGES:
            stage(doc)
    spent = [0.0] * len(STAGES)
    for doc in timed:
        for i, (_, stage) in enumerate(STAGES):
            start = time.perf_counter()
            stage(doc)
            spent[i] += time.perf_counter() - start
    total = 0.0
    for (label, _), seconds in zip(STAGES, spent, strict=True):
        ms = 1e3 * seconds / len(timed)
        total += ms
        print(f"{label:52s} {ms:6.3f} ms")
    print(f"{'total after the answers':52s} {total:6.3f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 400)

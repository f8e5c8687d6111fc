"""The HTML loader on the real pages in ../shared/real-news/ (skipped when the folder is absent)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from summarizer.load import load_bytes
from summarizer.webpage import split_out_blocks

REAL_NEWS = Path(__file__).resolve().parent.parent.parent / "shared" / "real-news"
real = pytest.mark.skipif(not REAL_NEWS.is_dir(), reason="../shared/real-news/ is absent")


def token_f1(predicted: str, reference: str) -> float:
    pred, ref = Counter(re.findall(r"\w+", predicted.lower())), Counter(re.findall(r"\w+", reference.lower()))
    overlap = sum((pred & ref).values())
    return 0.0 if not overlap else 2 * overlap / (sum(pred.values()) + sum(ref.values()))


def test_promo_blocks_and_embedded_posts_are_moved_out() -> None:
    paragraphs = ["Police said the raid began at dawn and lasted for several hours in the city.",
                  "SEE MORE: Another story about something else", "DON'T MISS", "Headline one [INSIGHT]",
                  "Headline two [VIDEO]", "The officer was wounded in the shoulder, the police chief told reporters.",
                  "Open borders. https://t.co/x", "— Some Person (@someone) December 23, 2016",
                  "The end came quickly."]  # fmt: skip
    kept, moved = split_out_blocks(paragraphs)
    assert kept == [paragraphs[0], paragraphs[5], paragraphs[8]]
    assert [reason for reason, _ in moved] == ["related links", "related links", "embedded social-media post"]


@real
def test_real_pages_with_human_truth_reach_f1_0_9_without_boilerplate() -> None:
    scores = []
    for truth in sorted(REAL_NEWS.glob("*.truth.txt")):
        page = truth.with_name(truth.name.replace(".truth.txt", ".html"))
        doc = load_bytes(page.read_bytes(), page.name)
        scores.append(token_f1(doc.article_text, truth.read_text(encoding="utf-8")))
        for junk in ("Most Popular", "Most read", "DON'T MISS", "SEE MORE", "More On:", "TRENDING"):
            assert junk not in doc.article_text, (page.name, junk)
    assert len(scores) == 3 and sum(scores) / len(scores) >= 0.9, scores


@real
def test_real_page_snippets_and_tweets() -> None:
    for snippets in REAL_NEWS.glob("*.snippets.json"):
        wanted = json.loads(snippets.read_text(encoding="utf-8"))
        page = snippets.with_name(snippets.name.replace(".snippets.json", ".html"))
        flat = " ".join(load_bytes(page.read_bytes(), page.name).article_text.split())
        assert all(" ".join(s.split()) in flat for s in wanted["with"])
        assert not any(" ".join(s.split()) in flat for s in wanted["without"])
    page = REAL_NEWS / "westernjournalism-berlin-attacker-shot-milan-2016.html"
    doc = load_bytes(page.read_bytes(), page.name)
    assert "Open borders." not in doc.article_text and doc.published == "2016-12-23"
    assert any(r.reason == "embedded social-media post" and "Open borders." in doc.text[r.start : r.end]
               for r in doc.excluded)  # fmt: skip

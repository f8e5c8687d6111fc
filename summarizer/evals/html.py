"""A self-contained HTML report: each article with its evidence spans highlighted and the
reference facts marked matched or missed, with the reason."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import jinja2

from summarizer.evals.render import CI_NOTE, fmt, fmt_ci
from summarizer.evals.report import Report, ScoredSample
from summarizer.schema import MatchKind

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"
_RANK = {
    "excluded": 0,
    MatchKind.unmatched.value: 0,
    MatchKind.altered.value: 0,
    MatchKind.fuzzy.value: 1,
    MatchKind.exact.value: 2,
}


@dataclass(frozen=True)
class Segment:
    """A run of article text and how it is marked."""

    text: str
    kind: str | None  # exact, fuzzy, excluded or None


def segments(scored: ScoredSample) -> list[Segment]:
    """The article split at evidence and excluded-region boundaries."""
    text = scored.text or ""
    spans: list[tuple[int, int, str]] = []
    output = scored.sample.output
    if output:
        evidence = [e for f in output.key_facts for e in f.evidence]
        for event in output.events:
            evidence += event.evidence + [e for c in event.casualty_claims for e in c.evidence]
        spans += [(e.start, e.end, e.match.value) for e in evidence if e.start is not None and e.end is not None]
        spans += [(r.start, r.end, "excluded") for r in output.excluded_regions]
    cuts = sorted({0, len(text), *(p for s, e, _ in spans for p in (s, e) if 0 <= p <= len(text))})
    result = []
    for start, end in itertools.pairwise(cuts):
        covering = [kind for s, e, kind in spans if s <= start and end <= e]
        kind = max(covering, key=lambda k: _RANK[k]) if covering else None
        result.append(Segment(text[start:end], kind))
    return result


def render_html(report: Report) -> str:
    """The whole report as one HTML page (no external resources)."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE_DIR), autoescape=True)
    template = env.get_template("report.html.j2")
    return template.render(report=report, segments=segments, fmt=fmt, fmt_ci=fmt_ci, ci_note=CI_NOTE)

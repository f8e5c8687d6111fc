"""The matcher against an analyst's verdicts (evals/validity, hand-written for the tests), and the
reference cases against themselves."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from summarizer.claims.match import AliasTable, OutputClaim, Reference, check_claim
from summarizer.evals.dataset import case_json_schema, config_json_schema, load_case, load_config
from summarizer.evals.validity import TARGETS, Agreement, score_validity
from summarizer.ground import split_sentences
from summarizer.load import load_document

ROOT = Path(__file__).resolve().parents[2]
CONFIG = load_config(ROOT / "evals" / "config.yaml")
CASES = sorted((ROOT / "evals" / "cases").glob("*.yaml")) + sorted((ROOT / "evals" / "real").glob("*.yaml"))


def test_kappa_is_computed_as_cohen_defined_it() -> None:
    agreement = Agreement(tp=45, fp=5, fn=15, tn=35)  # hand-built counts
    assert agreement.agreement == pytest.approx(0.8)
    assert agreement.kappa == pytest.approx(0.6)  # expected agreement (50*60 + 50*40) / 100**2 = 0.5


def test_the_matcher_agrees_with_the_analyst() -> None:
    report = score_validity(sorted((ROOT / "evals" / "validity").glob("*.yaml")), CONFIG.aliases)
    figures = report.figures()
    assert report.candidates >= 400
    for name, goal in TARGETS.items():
        assert figures[name] >= goal, (name, figures[name], report.facts.disagreements[:20])
    assert report.errors_kept_credit == []  # every deliberate error loses credit
    for error_class in (
        "number",
        "date",
        "person",
        "swap",
        "negation",
        "attribution",
        "vague",
        "comment",
        "navigation",
    ):
        written, kept = report.by_error[error_class]
        assert written >= 10 and kept == 0, (error_class, report.errors_kept_credit)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_reference_statements_satisfy_their_own_elements(path: Path) -> None:
    case = load_case(path)
    aliases = AliasTable.of(CONFIG.aliases, case.aliases)
    failing = set()
    for fact in case.facts:
        ref = Reference(fact.elements, aliases, case.year, case.published, fact.source)
        if not check_claim(ref, OutputClaim(fact.statement)).ok:
            failing.add(fact.id)
    assert not failing


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_no_negative_fires_on_a_reference_statement(path: Path) -> None:
    case = load_case(path)
    aliases = AliasTable.of(CONFIG.aliases, case.aliases)
    for negative in case.negatives:
        ref = Reference(negative.elements, aliases, case.year, case.published)
        fired = [f.id for f in case.facts if check_claim(ref, OutputClaim(f.statement)).ok]
        assert not fired, (negative.id, fired)


def _article_sentences(path: Path) -> list[str]:
    """The article's sentences as the loader reads its document: excluded regions (promo blocks,
    embedded posts) and, in a plain-text document, everything from ``article_ends`` on are left out."""
    case = load_case(path)
    document = case.document_path(path)
    if not document.exists():
        pytest.skip(f"{document} is absent (real-news pages are read from ../shared/real-news)")
    doc = load_document(document)
    text = doc.text
    for region in doc.excluded:
        text = text[: region.start] + " " * (region.end - region.start) + text[region.end :]
    article = text[doc.article_start : doc.article_end]
    if case.article_ends:  # the loader may already end the article there (a "Reader comments" heading)
        at = doc.text.find(case.article_ends)
        assert doc.article_start <= at, case.article_ends
        article = text[doc.article_start : min(doc.article_end, at)]
    return split_sentences(article, min_chars=1, max_chars=100_000)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_no_negative_fires_on_a_sentence_of_its_article(path: Path) -> None:
    case = load_case(path)
    aliases = AliasTable.of(CONFIG.aliases, case.aliases)
    sentences = _article_sentences(path)
    assert len(sentences) >= 10
    for negative in case.negatives:
        ref = Reference(negative.elements, aliases, case.year, case.published)
        fired = [s for s in sentences if check_claim(ref, OutputClaim(s)).ok]
        assert not fired, (negative.id, fired)


def test_the_committed_json_schemas_are_the_models_schemas() -> None:
    for name, schema in (("case", case_json_schema()), ("config", config_json_schema())):
        committed = json.loads((ROOT / "evals" / "schema" / f"{name}.schema.json").read_text(encoding="utf-8"))
        assert committed == schema, f"evals/schema/{name}.schema.json is stale: regenerate it"

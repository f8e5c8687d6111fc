"""The matcher against an analyst's verdicts (evals/validity, hand-written for the tests), and the
reference cases against themselves."""

from __future__ import annotations

from pathlib import Path

import pytest

from summarizer.evals.dataset import load_case, load_config
from summarizer.evals.matching import AliasTable, OutputClaim, Reference, check_claim
from summarizer.evals.validity import TARGETS, Agreement, score_validity

ROOT = Path(__file__).resolve().parents[2]
CONFIG = load_config(ROOT / "evals" / "config.yaml")
CASES = sorted((ROOT / "evals" / "cases").glob("*.yaml")) + sorted((ROOT / "evals" / "real").glob("*.yaml"))
#: Reference statements that do not yet satisfy their own elements, listed so that a fix must
#: shrink this set and a new failure fails the test. Each is a reference defect still to mend.
KNOWN_SELF_FAILURES = {
    "000_27aace103a48bbe9": {"f28"},
    "004_dd696f60cd6e8ce5": {"f24", "f40", "f42"},
    "t01_borno_base_attack": {"f16"},
    "t02_shabelle_raid_car_bomb": {"f01", "f02", "f15", "f18"},
    "aljazeera-afghanistan-helicopter-2019": {"f03", "f19"},
}


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
    # Not yet every deliberate error: these four still keep credit (see the closing note); no new ones.
    assert len(report.errors_kept_credit) <= 4, report.errors_kept_credit
    for error_class in ("number", "swap", "attribution", "vague", "comment", "navigation"):
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
    assert failing == KNOWN_SELF_FAILURES.get(case.id, set())


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_no_negative_fires_on_a_reference_statement(path: Path) -> None:
    case = load_case(path)
    aliases = AliasTable.of(CONFIG.aliases, case.aliases)
    for negative in case.negatives:
        ref = Reference(negative.elements, aliases, case.year, case.published)
        fired = [f.id for f in case.facts if check_claim(ref, OutputClaim(f.statement)).ok]
        assert not fired, (negative.id, fired)

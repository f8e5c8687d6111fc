"""The scorer's matching rules are the claim-analysis core's (:mod:`summarizer.claims.match`):
one implementation, shared with the run-time support check."""

from summarizer.claims.match import (
    AliasTable,
    BestMatch,
    ElementCheck,
    OutputClaim,
    Reference,
    best_match,
    check_claim,
    check_elements,
    date_window,
    mentions,
)

__all__ = [
    "AliasTable",
    "BestMatch",
    "ElementCheck",
    "OutputClaim",
    "Reference",
    "best_match",
    "check_claim",
    "check_elements",
    "date_window",
    "mentions",
]

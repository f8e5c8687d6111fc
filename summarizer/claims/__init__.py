"""Claim analysis: read a sentence or statement into claim features. Pure functions, no model, no I/O.

One implementation used by the eval's matcher and by the run-time verifier:
entity mentions (:mod:`.names`), quantities (:mod:`.numbers`), dates (:mod:`.dates`),
outcomes bound to counts and subjects, polarity and attribution (:mod:`.clauses`),
read once per text (:func:`analyse`).
"""

from summarizer.claims.features import Features, analyse, is_generic_source, lemma
from summarizer.claims.names import AliasTable, is_acronym, mentions, same_name
from summarizer.claims.normalise import normalise

__all__ = [
    "AliasTable",
    "Features",
    "analyse",
    "is_acronym",
    "is_generic_source",
    "lemma",
    "mentions",
    "normalise",
    "same_name",
]

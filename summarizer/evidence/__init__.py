"""The ``evidence`` extraction strategy: facts and events read from the article's own sentences
with the claim-analysis core, a data lexicon and a gazetteer; the model only assists."""

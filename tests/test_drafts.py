"""The drafts' JSON Schemas are generated once and handed out as copies."""

from __future__ import annotations

from pydantic import BaseModel

from summarizer.drafts import EventsDraft, FactsDraft, drafts_with_quote_choices


def _fresh(model: type[BaseModel], **options: str) -> dict[str, object]:
    """The schema pydantic generates, bypassing the cache."""
    return BaseModel.model_json_schema.__func__(model, **options)  # type: ignore[attr-defined,no-any-return]


def test_the_cached_schema_equals_pydantics_for_each_model_and_mode() -> None:
    facts, events = drafts_with_quote_choices(["One sentence.", "Another sentence."])
    for model in (FactsDraft, EventsDraft, facts, events):
        assert model.model_json_schema() == _fresh(model)
        assert model.model_json_schema(mode="serialization") == _fresh(model, mode="serialization")
    # the quote-choice models differ from the static ones: one cache entry per model, not per name
    assert facts.model_json_schema() != FactsDraft.model_json_schema()
    assert "One sentence." in str(facts.model_json_schema())


def test_a_caller_changing_its_schema_does_not_change_the_next_callers() -> None:
    first = FactsDraft.model_json_schema()
    first["title"] = "changed"
    first["properties"].clear()
    assert FactsDraft.model_json_schema() == _fresh(FactsDraft)

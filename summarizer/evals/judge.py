"""The optional LLM judge: asks a model whether each output fact is supported by the article.

It goes through the same model client and cassettes as summarization, is never run by
default, and its score is stored and shown apart from the deterministic metrics.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from summarizer.call import ModelClient
from summarizer.drafts import model_schema_sha256
from summarizer.ground import split_sentences
from summarizer.load import Document
from summarizer.prompt import SYSTEM_TEMPLATE, delimit_article, load_template, template_tag
from summarizer.schema import SummaryRecord
from summarizer.validate import CallSettings

JUDGE_TEMPLATE = "judge.md.j2"
JUDGE_LABEL = "LLM judge (model opinion, not a deterministic metric)"


class JudgeItem(BaseModel):
    """The judge's verdict on one statement."""

    statement: int = Field(description="Index of the statement.", ge=0)
    supported: bool = Field(description="True if the article states it.")


class JudgeDraft(BaseModel):
    """Verdicts for every statement."""

    verdicts: list[JudgeItem] = Field(description="One verdict per statement.", max_length=40)


class JudgeResult(BaseModel):
    """What the judge said about one output."""

    label: str = Field(default=JUDGE_LABEL, description="Always marks this as a judge score.")
    model: str = Field(description="Judge model.")
    supported: int = Field(description="Statements judged supported.")
    total: int = Field(description="Statements judged.")
    verdicts: dict[int, bool] = Field(description="Statement index -> supported.")
    error: str | None = Field(default=None, description="Why the judge could not answer, if it could not.")


async def judge_output(client: ModelClient, doc: Document, record: SummaryRecord,
                       settings: CallSettings | None = None) -> JudgeResult:  # fmt: skip
    """One judge call for every statement of an output: its key facts, then its summary sentences
    (an output whose facts were all dropped is still judged on what it says)."""
    statements = [fact.statement for fact in record.key_facts]
    statements += split_sentences(record.summary, min_chars=1, max_chars=10_000)
    model = client.endpoint.model
    if not statements:
        return JudgeResult(model=model, supported=0, total=0, verdicts={})
    settings = settings or CallSettings(max_tokens=512)
    system, template = load_template(SYSTEM_TEMPLATE), load_template(JUDGE_TEMPLATE)
    messages = [
        {"role": "system", "content": system.render()},
        {"role": "user", "content": template.render(article=delimit_article(doc.article_text), statements=statements)},
    ]
    result = await client.attempt(
        JudgeDraft, messages, max_tokens=settings.max_tokens, temperature=0.0,
        template_tag=template_tag(system, template), schema_tag=f"JudgeDraft@{model_schema_sha256(JudgeDraft)[:16]}",
    )  # fmt: skip
    if result.parsed is None:
        return JudgeResult(model=model, supported=0, total=0, verdicts={}, error="; ".join(result.problems))
    verdicts = {v.statement: v.supported for v in result.parsed.verdicts if v.statement < len(statements)}
    return JudgeResult(model=model, supported=sum(verdicts.values()), total=len(verdicts), verdicts=verdicts)

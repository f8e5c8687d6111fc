"""``eval run``: generate outputs for every case, through cassettes by default."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from summarizer.cache import ResponseCache
from summarizer.cassette import Cassette, RecordMode
from summarizer.drafts import draft_schema_sha256
from summarizer.errors import SummarizerError
from summarizer.evals.dataset import EvalConfig
from summarizer.evals.judge import JudgeResult, judge_output
from summarizer.evals.runlog import (
    CaseRef,
    RunLog,
    RunSpec,
    SampleLog,
    file_sha256,
    git_state,
    now_utc,
    package_versions,
)
from summarizer.evals.samples import LoadedCase, load_cases, make_sample, select_cases
from summarizer.evals.scorers import score_sample
from summarizer.load import load_document
from summarizer.pipeline import Pipeline, PipelineSettings, calls_model, resolve_strategy
from summarizer.prompt import REASK_TEMPLATE, SYSTEM_TEMPLATE, load_template
from summarizer.schema import SCHEMA_VERSION, ErrorRecord, SummaryRecord
from summarizer.session import EndpointOptions, open_client


async def run_eval(
    config_path: Path,
    options: EndpointOptions,
    settings: PipelineSettings,
    record_mode: RecordMode = RecordMode.none,
    on_sample: Callable[[SampleLog], None] | None = None,
    judge: bool = False,
    case_ids: Sequence[str] = (),
    cache: ResponseCache | None = None,
) -> RunLog:
    """Summarize every case's document, or the cases ``case_ids`` names (ids or globs), one
    cassette per case, and score the outputs."""
    config, cases = load_cases(config_path)
    cases = select_cases(cases, case_ids)
    cassette_dir = (config_path.parent / config.cassettes).resolve()
    samples: list[SampleLog] = []
    kind = options.expected_kind(record_mode is RecordMode.none)
    strategy = resolve_strategy(settings, kind)
    start_builtin = calls_model(settings, kind)
    suffix = ".evidence.yaml" if strategy == "evidence" else ".yaml"
    for loaded in cases:
        # A run that calls no model (the evidence strategy without assists) needs no cassette.
        cassette = Cassette.load(cassette_dir / f"{loaded.case.id}{suffix}", record_mode) if start_builtin else None
        # The case's publication date (or year) is document metadata, given as --published would be.
        published = settings.published or str(loaded.case.published or loaded.case.year)
        started = time.perf_counter()
        async with open_client(options, cassette, start_builtin=start_builtin, cache=cache) as client:
            case_settings = replace(settings, strategy=strategy, published=published)
            record = await Pipeline(client, case_settings).run_one(str(loaded.document))
        assert record is not None  # only resumed batches skip documents
        duration = time.perf_counter() - started
        if isinstance(record, ErrorRecord):
            log = SampleLog(id=loaded.case.id, document=str(loaded.document), document_sha256=None, output=None,
                            error=record.error, usage=record.usage, duration_s=round(duration, 3))  # fmt: skip
        else:
            log = SampleLog(id=loaded.case.id, document=str(loaded.document),
                            document_sha256=record.provenance.source.sha256,
                            output=record.model_dump(mode="json"), error=None, usage=record.provenance.usage,
                            duration_s=round(duration, 3))  # fmt: skip
        if judge and log.output is not None:
            log.judge = await _judge(
                loaded, SummaryRecord.model_validate(log.output), options, cassette_dir, record_mode, suffix
            )
        sample = make_sample(loaded, config, log.output, log.error.message if log.error else None)
        log.scores = {name: score.model_dump(mode="json") for name, score in score_sample(sample).items()}
        samples.append(log)
        if on_sample is not None:
            on_sample(log)
    spec = _spec(config_path, config, cases, samples, settings, record_mode, cassette_dir, options.seed)
    spec.strategy = strategy
    return RunLog(spec=spec, samples=samples)


async def _judge(
    loaded: LoadedCase,
    record: SummaryRecord,
    options: EndpointOptions,
    cassette_dir: Path,
    record_mode: RecordMode,
    suffix: str = ".yaml",
) -> dict[str, object]:
    """Run the optional judge through its own cassette (``<case>.judge.yaml``, or
    ``<case>.evidence.judge.yaml`` for the evidence strategy's outputs)."""
    name = f"{loaded.case.id}{suffix.removesuffix('.yaml')}.judge.yaml"
    cassette = Cassette.load(cassette_dir / name, record_mode)
    async with open_client(options, cassette) as client:
        try:
            result = await judge_output(client, load_document(loaded.document), record)
        except SummarizerError as exc:
            result = JudgeResult(model=client.endpoint.model, supported=0, total=0, verdicts={}, error=str(exc))
    return result.model_dump(mode="json")


def _spec(
    config_path: Path,
    config: EvalConfig,
    cases: list[LoadedCase],
    samples: list[SampleLog],
    settings: PipelineSettings,
    record_mode: RecordMode,
    cassette_dir: Path,
    seed: int | None,
) -> RunSpec:
    revision, dirty = git_state(config_path.parent)
    first = next((SummaryRecord.model_validate(s.output) for s in samples if s.output), None)
    prompts = settings.prompts_dir
    names = [SYSTEM_TEMPLATE, "facts.md.j2", "events.md.j2", REASK_TEMPLATE]
    return RunSpec(
        created_at=now_utc(),
        git_revision=revision,
        git_dirty=dirty,
        model=first.provenance.model if first else None,
        endpoint_kind=first.provenance.endpoint_kind if first else None,
        mode=first.provenance.mode if first else None,
        templates=[load_template(name, prompts).info for name in names],
        schema_version=SCHEMA_VERSION,
        schema_sha256=draft_schema_sha256(),
        packages=package_versions(),
        config=str(config_path),
        cases=[CaseRef(id=c.case.id, path=str(c.path), sha256=file_sha256(c.path)) for c in cases],
        record_mode=record_mode.value,
        cassettes=str(cassette_dir),
        sampling={
            "temperature": settings.call.temperature,
            "max_tokens": settings.call.max_tokens,
            "max_reasks": settings.call.max_reasks,
            "seed": seed,
        },
    )

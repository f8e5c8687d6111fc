"""Cases with their files, and samples rebuilt from stored outputs (no model needed)."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from summarizer.claims.match import AliasTable
from summarizer.errors import ConfigError
from summarizer.evals.dataset import Case, EvalConfig, load_case, load_config
from summarizer.evals.scores import Sample
from summarizer.schema import SummaryRecord


@dataclass(frozen=True)
class LoadedCase:
    """A case and where its file lives."""

    case: Case
    path: Path

    @property
    def document(self) -> Path:
        """The document the case describes."""
        return self.case.document_path(self.path)


def load_cases(config_path: Path) -> tuple[EvalConfig, list[LoadedCase]]:
    """The eval config and its cases."""
    config = load_config(config_path)
    cases = [LoadedCase(load_case(config_path.parent / name), config_path.parent / name) for name in config.cases]
    return config, cases


def select_cases(cases: list[LoadedCase], wanted: Sequence[str]) -> list[LoadedCase]:
    """The cases whose id is one of ``wanted`` (ids or globs such as '00*'), in config order; all when none
    is wanted. Raises ConfigError for an id no case has, or a glob that matches none."""
    if not wanted:
        return cases
    ids = [c.case.id for c in cases]
    for pattern in wanted:
        if not any(fnmatch.fnmatchcase(i, pattern) for i in ids):
            what = "no case matches" if any(ch in pattern for ch in "*?[") else "unknown case"
            raise ConfigError(f"{what} {pattern!r}; known cases: {', '.join(ids)}")
    return [c for c in cases if any(fnmatch.fnmatchcase(c.case.id, pattern) for pattern in wanted)]


def make_sample(loaded: LoadedCase, config: EvalConfig, output: dict[str, object] | None, error: str | None) -> Sample:
    """A scorable sample from a stored output; a schema-invalid output is scored as invalid, not raised."""
    record = None
    if output is not None:
        try:
            record = SummaryRecord.model_validate(output)
        except ValidationError as exc:
            error = error or f"schema-invalid output: {exc.error_count()} errors"
    aliases = AliasTable.of(config.aliases, loaded.case.aliases)
    return Sample(case=loaded.case, output=record, raw_output=output, error=error, aliases=aliases)

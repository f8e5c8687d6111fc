#!/usr/bin/env bash
# Re-record every seed cassette (and the judge's) from the built-in model (SmolLM2-135M-Instruct on
# llama-cpp-python, temperature 0, seed 0), through the real pipeline, then regenerate
# the expected outputs by replaying them offline.
set -euo pipefail
cd "$(dirname "$0")/.."
unset OPENAI_API_KEY OPENAI_BASE_URL
for seed in seeds/*.txt; do
  name="$(basename "$seed" .txt)"
  echo "recording $name" >&2
  summarizer summarize "$seed" --cassette "tests/cassettes/seeds/$name.yaml" --record-mode rewrite \
    --output "tests/cassettes/seeds/$name.expected.json"
done
# The optional LLM judge's cassettes (summaries replay from the cassettes just recorded).
rm -f tests/cassettes/seeds/*.judge.yaml
summarizer eval run --judge --record-mode once --output "$(mktemp -d)/judge-run.json"

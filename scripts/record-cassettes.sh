#!/usr/bin/env bash
# Re-record every committed cassette from the built-in model (SmolLM2-135M-Instruct Q4_1 on
# llama-cpp-python, temperature 0, seed 0), through the real pipeline; then regenerate the
# expected outputs next to them. Takes a few minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
unset OPENAI_API_KEY OPENAI_BASE_URL

# The seeds, llm strategy (the model extracts): summarize through the CLI, exactly as a user would.
for seed in seeds/*.txt; do
  name="$(basename "$seed" .txt)"
  echo "recording $name" >&2
  summarizer summarize "$seed" --strategy llm --cassette "tests/cassettes/seeds/$name.yaml" --record-mode rewrite \
    --output "tests/cassettes/seeds/$name.expected.json"
done

# The eval's other cases (written for the tests), llm strategy; then every case, evidence strategy
# (the program extracts, the model assists), into <case>.evidence.yaml.
summarizer eval run --strategy llm --case 't0*' --record-mode rewrite --output "$(mktemp -d)/llm-run.json"
summarizer eval run --strategy evidence --record-mode rewrite --output "$(mktemp -d)/evidence-run.json"

# The prompt-injection article (tests/test_reliability.py).
summarizer summarize tests/data/injection_article.txt --strategy llm \
  --cassette tests/cassettes/reliability/injection_article.yaml --record-mode rewrite \
  --output tests/cassettes/reliability/injection_article.expected.json

# The optional LLM judge's cassettes (the summaries replay from the cassettes just recorded).
rm -f tests/cassettes/seeds/*.judge.yaml
summarizer eval run --strategy llm --case '00*' --judge --record-mode once --output "$(mktemp -d)/judge-run.json"

# Tests that use the pytest `cassette` fixture.
python -m pytest -q tests/test_cassette.py -k cassette_fixture --record-mode=rewrite --no-cov

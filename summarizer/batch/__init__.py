"""The OpenAI Batch path: the pipeline's model calls written to a requests file (OpenAI Batch
JSONL, which vLLM's ``run_batch`` also reads), sent through the Files and Batches APIs, and the
results read back through the same validation, grounding and verification as a live run.

- :mod:`summarizer.batch.lines`: the request, result and manifest files.
- :mod:`summarizer.batch.transport`: the httpx transport under the openai client that answers
  chat requests from results and captures the unanswered ones as request lines.
- :mod:`summarizer.batch.run`: prepare and collect, over :class:`summarizer.pipeline.Pipeline`.
- :mod:`summarizer.batch.api`: upload, create, status and download through the openai client.
"""

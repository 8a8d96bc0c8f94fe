"""The queues that chain the pipeline's stages, and the action that consumes each."""

from __future__ import annotations

# queue name -> consumer action (DESIGN.md "Flow"): ingest -> process -> validate -> generate
# -> submit. The cron sweep wakes these consumers for anything left in their queues.
CONSUMERS: dict[str, str] = {
    "ingest": "ingest",  # large files continue in later activations through their own queue
    "process": "process",
    "validate": "validate",
    "generate": "generate",
    "submit": "submit",
}

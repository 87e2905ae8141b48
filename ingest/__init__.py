"""The ingest pipeline: discover -> sniff -> hash/dedupe -> inspect -> extract -> render
-> store -> register -> index.

``ingest.run(paths, instance, ...)`` is the Python API; ``bauakte ingest`` and
the web upload call it.
"""

from .runner import IngestReport, run

__all__ = ["IngestReport", "run"]

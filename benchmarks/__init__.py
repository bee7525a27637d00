"""Benchmarks for spott-migrate: ``python -m benchmarks.run`` (or ``make bench``).

Every scenario runs against a tuned sandbox in a child process and reports ratios measured side
by side in one run; absolute times on a shared machine are noise. Modules:

- ``run``: the entry point (``--quick`` for a smoke run) and the results table;
- ``datagen``: files, manifests and records stores, cached under ``bench-data/``;
- ``server``: the sandbox child process and its admin endpoints;
- ``measure``: wall clock and CPU of client and server, medians;
- ``naive`` / ``reference``: the two comparison clients;
- ``throughput``, ``memory`` (+ ``memory_child``), ``request_count``, ``overhead``,
  ``adaptive``: the scenarios;
- ``machine``: what it ran on; ``report``: the markdown written to ``docs/benchmarks.md``;
- ``profiling``: one small-file migration to run under a profiler (py-spy).
"""

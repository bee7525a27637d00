"""Requests sent against the lower bound, on a mixed manifest without faults.

The lower bound is the plan's own: Σ over types ⌈files of the type / 10⌉ uploads plus one
assign per record. Rows come shuffled, so a record's files are spread over the manifest.
"""

from __future__ import annotations

import shutil
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from benchmarks.datagen import BenchFile, write_manifest
from benchmarks.measure import say
from benchmarks.report import INFO, Row, Section, verdict
from benchmarks.server import BenchServer, check_assigned
from benchmarks.throughput import spott_settings
from spott_migrate import migrate

TARGET = 0.05


def run_requests(server: BenchServer, files: Sequence[BenchFile], run_dir: Path) -> Section:
    """One migration of the mixed manifest; requests sent vs the plan's lower bound."""
    shutil.rmtree(run_dir, ignore_errors=True)
    manifest = write_manifest(run_dir / "manifest.csv", files)
    server.reset()
    report = migrate(manifest, settings=spott_settings(server))
    if report.statuses != {"assigned": len(files)}:
        raise RuntimeError(f"mixed manifest: not every row assigned: {report.statuses}")
    problem = check_assigned(server.state(), Counter(f.target_id for f in files))
    if problem:
        raise RuntimeError(f"mixed manifest: {problem}")
    plan = report.check.plan
    sent, bound = report.run.requests_sent, plan.lower_bound
    over = sent / bound - 1
    records = len({(f.target_field, f.target_id) for f in files})
    types = len({f.wire_type for f in files})
    by_endpoint = ", ".join(f"{k} {v}" for k, v in sorted(report.run.requests_by_endpoint.items()))
    say(f"requests: {sent} sent ({by_endpoint}), lower bound {bound}, planned {plan.requests}")
    scenario = f"requests ({len(files):,} files, {records} records, {types} types, shuffled)"
    rows = [
        Row(
            scenario,
            "`report.run.requests_sent` vs `plan.lower_bound`",
            f"{sent:,} vs {bound:,} ({over:+.1%}; {by_endpoint})",
            f"≤ lower bound + {TARGET:.0%}",
            verdict(sent <= bound * (1 + TARGET)),
        ),
        Row(
            scenario,
            "requests in the plan (`plan.requests`)",
            f"{plan.requests:,} ({plan.requests / bound - 1:+.1%})",
            "–",
            INFO,
        ),
    ]
    how = (
        "one `migrate()` of a CSV manifest with several files per record (candidates 70 %,"
        " companies and vacancies 15 % each; CV, cover letter, ID document, offer, transcript,"
        " logo, terms, job description; PDF and PNG), rows shuffled, no faults, rate ceiling"
        " raised. Requests from the client's own count (`report.run.requests_sent`, retries"
        " included); the lower bound from `report.check.plan.lower_bound`."
    )
    return Section(scenario, rows, how=how)

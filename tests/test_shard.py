"""Sharding: each shard does only its rows in its own journal; merge writes them all back."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from spott_migrate import Settings, migrate
from spott_migrate.errors import ConfigError
from spott_migrate.journal import Shard
from spott_migrate.manifest import read_manifest
from spott_migrate.pipeline import merge
from spott_migrate.sandbox import Sandbox

from .helpers import ManifestFactory, assert_sandbox_matches_manifest, cli, read_xlsx_column


def test_shards_partition_the_rows_deterministically(make_manifest: ManifestFactory) -> None:
    keys = list(read_manifest(make_manifest(30, logos=3)).rows["row_key"])
    owners = [[k for k in keys if Shard(i, 3).owns(k)] for i in (1, 2, 3)]
    assert sorted(k for owned in owners for k in owned) == sorted(keys)
    assert all(owners)  # 33 rows over 3 shards: none is empty
    with pytest.raises(ConfigError):
        Shard.parse("4/3")


def test_shards_side_by_side_then_merge(
    sandbox: Sandbox, settings: Settings, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(20, per_candidate=2, logos=3)
    original = path.read_bytes()
    reports = {}

    def run(index: int) -> None:
        reports[index] = migrate(path, settings=settings, shard=Shard(index, 2))

    threads = [threading.Thread(target=run, args=(i,)) for i in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert path.read_bytes() == original  # shards leave the shared manifest alone
    assert reports[1].run.assigned + reports[2].run.assigned == 23
    assert len(sandbox.state.attachments()) == 23
    assert Path(f"{path}.shard-1-of-2.spott-journal.sqlite").exists()
    merged = merge(path)
    assert merged.statuses == {"assigned": 23}
    assert set(read_xlsx_column(path, "spott_status").values()) == {"assigned"}
    assert_sandbox_matches_manifest(sandbox, path)
    # the whole manifest is now done: a plain run sends nothing
    assert migrate(path, settings=settings).run.requests_sent == 0


def test_shard_cli(sandbox: Sandbox, make_manifest: ManifestFactory) -> None:
    path = make_manifest(6, logos=1)
    keys = list(read_manifest(path).rows["row_key"])
    for k in (1, 2):
        result = cli("run", str(path), "--base-url", sandbox.url, "--quiet", "--shard", f"{k}/2")
        # A shard's report, and its exit code, are about its own rows: all assigned.
        assert result.returncode == 0, result.stdout + result.stderr
        own = sum(Shard(k, 2).owns(key) for key in keys)
        assert f"result: {own} assigned\n" in result.stdout
        assert f"spott-migrate merge {path}" in result.stdout
    result = cli("merge", str(path))
    assert result.returncode == 0, result.stderr
    assert "7 assigned" in result.stdout

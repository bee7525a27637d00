"""`spott-migrate index` over real HTTP: pages, shapes, refresh, resume, refusals."""

from __future__ import annotations

import datetime as dt
import math
import sqlite3
from pathlib import Path

import pytest

from spott_migrate import Settings
from spott_migrate.errors import ConfigError, TransientApiError
from spott_migrate.sandbox import Sandbox
from spott_migrate.tenant.index import open_index
from spott_migrate.tenant.records import parse_record
from spott_migrate.tenant.store import IndexStore

from ..helpers import CANARY_KEY, assert_no_key, cli
from .conftest import index_tenant


def _many(n: int) -> dict[str, list[dict[str, object]]]:
    return {
        "candidates": [
            {"id": f"c-{i:04d}", "firstName": "F", "lastName": f"L{i}", "emails": [f"x{i}@e.com"]}
            for i in range(n)
        ],
        "companies": [{"id": "co-1", "name": "Acme"}],
        "vacancies": [{"id": "v-1", "name": "Job", "companyId": "co-1"}],
    }


def _settings(sb: Sandbox) -> Settings:
    return Settings(
        base_url=sb.url,
        api_key=sb.api_key,
        requests_per_minute=60_000,
        backoff_base=0.01,
        backoff_max=0.02,
        max_attempts=2,
    )


def test_index_holds_ids_names_emails_phones_attributes(index_file: Path, sandbox: Sandbox) -> None:
    with IndexStore(index_file) as store:
        assert store.base_url == sandbox.url
        assert store.counts() == {"candidate": 20, "company": 5, "vacancy": 5}
        second = store.record("candidate", "cand-2")
        assert second is not None
        assert second.first_name == "First2" and second.last_name == "Last2"
        # Case-folded e-mails, digits-only phones, the custom attribute as Spott lists it.
        assert second.emails == ("person2@example.com", "second.address@example.org")
        assert second.phones == ("442079460002",)
        assert second.attributes == (("Legacy ID", "L-1002"),)
        assert second.modified_at and second.modified_at.endswith("Z")
        assert store.records_with_attribute("company", "legacy id", "c-203") == ["comp-3"]
        assert store.candidates_with_email("SECOND.address@example.org") == ["cand-2"]


def test_pages_are_fifty_records_and_each_kind_is_listed(tmp_path: Path) -> None:
    with Sandbox(records=_many(120)) as sb:
        result = index_tenant(_settings(sb), tmp_path / "i.sqlite")
        assert result.pages == {"candidate": math.ceil(120 / 50), "company": 1, "vacancy": 1}
        assert result.requests_sent == 5 == sb.state.count("records")
        # The cursor pagination the docs describe: limit 50, then the cursor handed back.
        paths = [e.path for e in sb.state.log()]
        assert paths == ["/candidates"] * 3 + ["/clients", "/vacancies"]


def test_rerun_fetches_only_changes(tmp_path: Path) -> None:
    path = tmp_path / "i.sqlite"
    with Sandbox(records=_many(120)) as sb:
        settings = _settings(sb)
        index_tenant(settings, path)
        sb.upsert_record(
            "candidate",
            {"id": "c-0007", "firstName": "Seven", "emails": ["seven@new.example"]},
        )
        sb.upsert_record("candidate", {"id": "c-new", "firstName": "New", "emails": []})
        before = sb.state.count("records")
        result = index_tenant(settings, path)
        assert result.incremental == ["candidate", "company", "vacancy"]
        # One page per kind: only the records changed since (and the newest one held).
        assert sb.state.count("records") - before == 3
        assert result.records_seen["candidate"] <= 3
    with IndexStore(path) as store:
        assert store.counts()["candidate"] == 121
        seven = store.record("candidate", "c-0007")
        assert seven is not None and seven.emails == ("seven@new.example",)
        assert store.candidates_with_email("x7@e.com") == []


def test_an_interrupted_index_resumes_from_its_saved_cursor(tmp_path: Path) -> None:
    path = tmp_path / "i.sqlite"
    with Sandbox(records=_many(260)) as sb:
        settings = _settings(sb)
        # The third page (and its one retry) fail: two pages are stored with their cursor.
        sb.faults.add("*", "status_before", status=503, after=2, times=2)
        with pytest.raises(TransientApiError):
            index_tenant(settings, path)
        with IndexStore(path) as store:
            assert store.counts()["candidate"] == 100
            scan = store.scan("candidate")
            assert scan is not None and not scan.done and scan.cursor
        with pytest.raises(ConfigError, match="unfinished"):
            open_index(path, sb.url)
        before = sb.state.count("records", status=200)
        result = index_tenant(settings, path)
        assert result.resumed == ["candidate"]
        # Pages 3..6 of the candidates, then the others: nothing listed twice.
        assert sb.state.count("records", status=200) - before == 4 + 2
    with IndexStore(path) as store:
        assert store.counts()["candidate"] == 260


def test_flat_record_shapes_are_read_too(tmp_path: Path) -> None:
    records = _many(3)
    records["candidates"][0]["phones"] = ["(0161) 496-0000"]
    records["candidates"][0]["customAttributes"] = {"Legacy ID": "L-9"}
    with Sandbox(records=records, record_shape="flat") as sb:
        index_tenant(_settings(sb), tmp_path / "i.sqlite")
    with IndexStore(tmp_path / "i.sqlite") as store:
        first = store.record("candidate", "c-0000")
        assert first is not None
        assert (first.first_name, first.emails, first.phones) == (
            "F",
            ("x0@e.com",),
            ("01614960000",),
        )
        assert first.attributes == (("Legacy ID", "L-9"),)
        company = store.record("company", "co-1")
        assert company is not None and company.name == "Acme"


@pytest.mark.parametrize(
    ("item", "emails", "phones", "attributes"),
    [
        (
            {
                "id": "a",
                "emails": {"viewType": "candidateEmails", "emails": [{"email": " A@B.COM "}]},
                "phoneNumbers": {"phoneNumbers": [{"phoneNumber": "+1 (555) 010-0"}]},
                "customAttributes": [{"label": "Legacy", "value": 1001.0}],
            },
            ("a@b.com",),
            ("15550100",),
            (("Legacy", "1001"),),
        ),
        (
            {
                "id": "b",
                "emailAddresses": ["x@y.org", "not-an-address"],
                "phones": "+44 1",
                "customAttributes": [
                    {"attributeDefinition": {"label": "Tags"}, "value": ["one", {"value": "two"}]},
                    {"label": "Empty", "value": None},
                    "garbage",
                ],
            },
            ("x@y.org",),
            ("441",),
            (("Tags", "one"), ("Tags", "two")),
        ),
        ({"id": "c", "emails": None, "phoneNumbers": {"viewType": "x"}}, (), (), ()),
    ],
)
def test_parse_record_is_defensive(
    item: dict[str, object],
    emails: tuple[str, ...],
    phones: tuple[str, ...],
    attributes: tuple[tuple[str, str], ...],
) -> None:
    record = parse_record("candidate", item)
    assert record is not None
    assert (record.emails, record.phones, record.attributes) == (emails, phones, attributes)


def test_records_without_an_id_are_skipped() -> None:
    assert parse_record("candidate", {"name": {"firstName": "X"}}) is None
    assert parse_record("company", {"id": "", "name": "X"}) is None


def test_an_index_of_another_base_url_is_refused(index_file: Path, settings: Settings) -> None:
    with pytest.raises(ConfigError, match="made against"):
        open_index(index_file, "https://api.gospott.com")
    # The same server under another name is another base URL as far as the index knows.
    other = settings.with_(base_url=settings.base_url.replace("127.0.0.1", "localhost"))
    with pytest.raises(ConfigError, match="--full"):
        index_tenant(other, index_file)
    result = index_tenant(other, index_file, full=True)
    assert result.base_url.startswith("http://localhost:")
    with IndexStore(index_file) as store:
        assert store.counts()["candidate"] == 20


def test_an_old_index_warns_with_the_refresh_command(index_file: Path, sandbox: Sandbox) -> None:
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    with open_index(index_file, sandbox.url, now=later) as index:
        assert len(index.warnings) == 1
        assert "3 days old" in index.warnings[0]
        assert (
            f"spott-migrate index --base-url {sandbox.url} --output {index_file}"
            in (index.warnings[0])
        )
    with open_index(index_file, sandbox.url) as index:
        assert index.warnings == []


def test_a_file_that_is_not_an_index_is_refused(tmp_path: Path) -> None:
    (tmp_path / "junk.sqlite").write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(ConfigError, match="not a Spott index"):
        open_index(tmp_path / "junk.sqlite", "https://x.example")
    sqlite3.connect(tmp_path / "empty.sqlite").execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(ConfigError, match="not a Spott index"):
        open_index(tmp_path / "empty.sqlite", "https://x.example")
    with pytest.raises(ConfigError, match="no Spott index"):
        open_index(tmp_path / "missing.sqlite", "https://x.example")


# ------------------------------------------------------------------------------------- CLI
def test_index_command_writes_the_file_and_says_what_it_did(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    result = cli("index", "--base-url", sandbox.url, "--quiet", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "20 candidates, 5 clients, 5 vacancies" in result.stdout
    assert "3 requests" in result.stdout
    assert (tmp_path / "spott-index.sqlite").is_file()
    again = cli("index", "--base-url", sandbox.url, "--quiet", cwd=tmp_path)
    assert again.returncode == 0 and "changes only" in again.stdout
    assert_no_key(result)
    assert CANARY_KEY.encode() not in (tmp_path / "spott-index.sqlite").read_bytes()


def test_index_command_failures_are_one_line(sandbox: Sandbox, tmp_path: Path) -> None:
    wrong = cli(
        "index", "--base-url", sandbox.url, "--quiet", cwd=tmp_path, env={"SPOTT_API_KEY": "nope"}
    )
    assert wrong.returncode == 2
    assert "401" in wrong.stderr and "Traceback" not in wrong.stderr
    assert "run the same command again" in wrong.stderr
    nokey = cli("index", "--base-url", sandbox.url, cwd=tmp_path, env={"SPOTT_API_KEY": ""})
    assert nokey.returncode == 2 and "no API key" in nokey.stderr
    cli("index", "--base-url", sandbox.url, "--quiet", cwd=tmp_path)
    nowhere = cli("index", "--output", str(tmp_path / "no" / "i.sqlite"), "--quiet")
    assert nowhere.returncode == 2 and "the folder does not exist" in nowhere.stderr
    elsewhere = sandbox.url.replace("127.0.0.1", "localhost")
    other = cli("index", "--base-url", elsewhere, "--quiet", cwd=tmp_path)
    assert other.returncode == 2 and "--full" in other.stderr

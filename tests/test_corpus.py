"""The corpus: real files judged as their readers judge them, then sent over real HTTP.

For each file of :mod:`tests.corpus`: the client's sniffer and the sandbox's own judgement
agree; the check sends it as named, renames it to its content, or refuses it with the stated
code; and a run stores exactly its bytes in the sandbox, with the content's type and name.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from spott_migrate import Settings, check, migrate
from spott_migrate import sniff as sniff_module
from spott_migrate.codes import Code
from spott_migrate.manifest import read_manifest
from spott_migrate.renaming import ACCEPTED, extension_for, label
from spott_migrate.sandbox import Sandbox
from spott_migrate.sandbox import sniff as server
from spott_migrate.sniff import sniff
from spott_migrate.spott_api import MIME_BY_EXTENSION

from .corpus import CASES, SOFFICE, Case, Outcome, content_of, libreoffice_cases
from .helpers import write_xlsx

HEAD = 8192  # what the probe reads before the sniffer looks further
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def client_verdict(data: bytes, name: str) -> str | None:
    expected = MIME_BY_EXTENSION.get(Path(name).suffix.lower())
    return sniff(data[:HEAD], io.BytesIO(data), expected=expected)


def server_verdict(data: bytes) -> str | None:
    head = data[: server.SNIFF_BYTES]
    return server.sniff(head, data[-server.TAIL_BYTES :], len(data))


def assert_judged(case: Case, data: bytes) -> None:
    found = client_verdict(data, case.name)
    assert found == case.content, f"{case.name}: the client sniffed {found}"
    on_server = server_verdict(data)
    if found in ACCEPTED:
        assert on_server == found, f"{case.name}: the sandbox says {on_server}"
    else:  # both refuse; the sandbox may name it differently (or not at all)
        assert on_server not in ACCEPTED, f"{case.name}: the sandbox accepts it as {on_server}"


def assert_directory_read_as_olefile_reads_it(data: bytes) -> None:
    """The sniffer's quick directory reader and olefile find the same root streams."""
    quick = sniff_module._root_streams(data[:HEAD], io.BytesIO(data))
    assert quick is not None  # the common layout: no fallback needed
    assert quick == sniff_module._root_streams_by_olefile(io.BytesIO(data))


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_client_and_sandbox_judge_each_file_alike(case: Case) -> None:
    assert_judged(case, content_of(case))
    if content_of(case).startswith(OLE_MAGIC):
        assert_directory_read_as_olefile_reads_it(content_of(case))


def test_the_corpus_covers_every_accepted_format_and_each_outcome() -> None:
    as_named = {c.content for c in CASES if c.outcome is Outcome.ACCEPTED}
    assert as_named == ACCEPTED
    assert {c.outcome for c in CASES} == set(Outcome)
    # What legacy exports are full of: the four renamings the issue names.
    renamed = {(Path(c.name).suffix, c.content) for c in CASES if c.outcome is Outcome.RENAMED}
    assert {(".jpg", "image/png"), (".png", "image/jpeg"), (".png", "image/gif")} <= renamed
    assert (".doc", "application/vnd.openxmlformats-officedocument.wordprocessingml.document") in (
        renamed
    )


# --------------------------------------------------------------------------------------------
# The check and the run, over every file at once
# --------------------------------------------------------------------------------------------


def write_corpus(folder: Path, cases: Sequence[Case]) -> Path:
    """The files on disk and a manifest with one row per file, each for its own record."""
    rows = []
    for index, case in enumerate(cases):
        (folder / "files").mkdir(parents=True, exist_ok=True)
        (folder / "files" / case.name).write_bytes(content_of(case))
        rows.append(
            (f"files/{case.name}", "CV", f"cand-{index % 20 + 1}", None, None, case.display or None)
        )
    return write_xlsx(folder / "corpus.xlsx", rows)


def outcomes(path: Path, cases: Sequence[Case], settings: Settings) -> dict[str, tuple]:
    """File name -> (code or None, MIME to send, display name) as the check decides."""
    chk = check(path, settings=settings)
    by_row = {2 + i: c.name for i, c in enumerate(cases)}
    found: dict[str, tuple] = {}
    for row in chk.validation.problems.itertuples(index=False):
        found.setdefault(by_row[row.source_row], (Code(row.code), None, None))
    notices = {by_row[r.source_row]: r for r in chk.validation.notices.itertuples(index=False)}
    for job in chk.validation.jobs.itertuples(index=False):
        name = by_row[job.source_row]
        notice = notices.get(name)
        code = Code(notice.code) if notice is not None else None
        found[name] = (code, job.mime, job.display_name)
    return found


def expected_outcome(case: Case, *, strict: bool) -> tuple:
    if case.outcome is Outcome.ACCEPTED:
        return (None, case.content, case.display or case.name)
    if case.outcome is Outcome.REFUSED:
        return (case.code, None, None)
    if strict:  # today's refusal, by the name's own rule
        accepted_name = Path(case.name).suffix.lower() in MIME_BY_EXTENSION
        code = Code.CONTENT_MISMATCH if accepted_name else Code.EXTENSION_NOT_ALLOWED
        return (code, None, None)
    return (Code.RENAMED_TO_CONTENT, case.content, case.shown_as or case.sent_as)


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path, CASES)


@pytest.mark.parametrize("strict", [False, True], ids=["renaming", "strict"])
def test_the_check_accepts_renames_or_refuses_each_file(corpus: Path, strict: bool) -> None:
    found = outcomes(corpus, CASES, Settings(strict_content=strict))
    for case in CASES:
        assert found[case.name] == expected_outcome(case, strict=strict), case.name


def test_renamed_rows_are_notices_with_their_own_code(corpus: Path) -> None:
    chk = check(corpus)
    notices = chk.validation.notices
    renamed = [c for c in CASES if c.outcome is Outcome.RENAMED]
    assert len(notices) == len(renamed)
    assert set(notices["code"]) == {Code.RENAMED_TO_CONTENT.value}
    logo = notices[notices["source_row"] == 2 + CASES.index(_case("logo.png"))].iloc[0]
    assert logo["message"] == "named .png but the content is GIF; sent as logo.gif"
    assert logo["note"] == "renamed: content is GIF"
    # Notices are not problems: these rows are to do, not invalid.
    assert chk.validation.invalid_rows == sum(c.outcome is Outcome.REFUSED for c in CASES)
    assert chk.summary()["renamed_to_content"] == len(renamed)


def _case(name: str) -> Case:
    return next(c for c in CASES if c.name == name)


def assert_stored_exactly(sandbox: Sandbox, folder: Path, cases: Sequence[Case]) -> None:
    """Every file that goes is stored once, byte for byte, with its content's type and name."""
    uploads = {u.name: u for u in sandbox.state.uploads()}
    attachments = {a.temp_id: a for a in sandbox.state.attachments()}
    going = [c for c in cases if c.outcome is not Outcome.REFUSED]
    assert len(attachments) == len(going) == len(uploads)
    for case in going:
        digest = hashlib.sha256((folder / "files" / case.name).read_bytes()).hexdigest()
        upload = uploads[case.sent_as or case.name]
        assert (upload.sha256, upload.mime) == (digest, case.content), case.name
        assert upload.extension == Path(upload.name).suffix.lstrip(".").lower()
        if case.outcome is Outcome.RENAMED:
            assert upload.name.endswith(extension_for(str(case.content))), case.name
        attachment = attachments[upload.id]
        shown = case.shown_as or case.display or case.sent_as or case.name
        assert (attachment.sha256, attachment.name) == (digest, shown), case.name


def test_a_run_stores_exactly_those_bytes_with_the_contents_type_and_name(
    sandbox: Sandbox, settings: Settings, corpus: Path
) -> None:
    report = migrate(corpus, settings=settings)
    refused = sum(c.outcome is Outcome.REFUSED for c in CASES)
    assert report.statuses == {"assigned": len(CASES) - refused, "invalid": refused}
    assert_stored_exactly(sandbox, corpus.parent, CASES)
    rows = read_manifest(corpus).rows.set_index("source_row")
    for index, case in enumerate(CASES):
        row = rows.loc[2 + index]
        renamed = case.outcome is Outcome.RENAMED
        note = f"renamed: content is {label(str(case.content))}" if renamed else ""
        assert row["spott_note"] == note, case.name
        assert row["spott_status"] == ("invalid" if case.outcome is Outcome.REFUSED else "assigned")
    # A second run finds nothing to do and leaves the manifest (notes included) as it is.
    before = corpus.read_bytes()
    again = migrate(corpus, settings=settings)
    assert again.statuses["assigned"] == len(CASES) - refused
    assert corpus.read_bytes() == before


def test_strict_content_refuses_them_and_sends_the_rest(
    sandbox: Sandbox, settings: Settings, corpus: Path
) -> None:
    report = migrate(corpus, settings=settings.with_(strict_content=True))
    going = [c for c in CASES if c.outcome is Outcome.ACCEPTED]
    assert report.statuses["assigned"] == len(going)
    assert_stored_exactly(sandbox, corpus.parent, going)


# --------------------------------------------------------------------------------------------
# LibreOffice's filters, where LibreOffice is installed
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def lo_cases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Case]]:
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    yield libreoffice_cases(tmp_path_factory.mktemp("libreoffice"))


def test_libreoffice_files_are_judged_checked_and_stored_exactly(
    sandbox: Sandbox, settings: Settings, lo_cases: list[Case], tmp_path: Path
) -> None:
    for case in lo_cases:
        assert_judged(case, content_of(case))
        if content_of(case).startswith(OLE_MAGIC):
            assert_directory_read_as_olefile_reads_it(content_of(case))
    path = write_corpus(tmp_path, lo_cases)
    found = outcomes(path, lo_cases, settings)
    for case in lo_cases:
        assert found[case.name] == expected_outcome(case, strict=False), case.name
    migrate(path, settings=settings)
    assert_stored_exactly(sandbox, tmp_path, lo_cases)

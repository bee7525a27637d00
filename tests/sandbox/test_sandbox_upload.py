"""Auth and the temporary-upload endpoint, over real HTTP."""

from __future__ import annotations

import hashlib
import re

import httpx
import pytest
from sandbox_files import BUILDERS, assert_envelope, part, png, upload

from spott_migrate.sandbox import Sandbox
from spott_migrate.spott_api import (
    API_KEY_HEADER,
    ATTACHMENT_TYPES,
    MAX_FILE_BYTES,
    MIME_BY_EXTENSION,
    UPLOAD_PATH,
)

ISO_Z = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z")


# -- auth ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [{}, {API_KEY_HEADER: "wrong"}, {"Authorization": "Bearer x"}])
def test_requests_without_the_right_key_get_401(sandbox: Sandbox, headers: dict) -> None:
    with httpx.Client(base_url=sandbox.url, headers=headers) as anonymous:
        for response in (
            anonymous.get("/attachments", params={"candidateId": "c-1"}),
            anonymous.post(UPLOAD_PATH, params={"type": "CV"}, files=[part("a.pdf")]),
            anonymous.get("/candidates/c-1"),
        ):
            assert_envelope(response, 401)
    assert sandbox.state.uploads() == []
    assert sandbox.state.count(status=401) == 3


def test_custom_api_key() -> None:
    with Sandbox(api_key="other") as sb:
        assert (
            httpx.get(f"{sb.url}/candidates/x", headers={API_KEY_HEADER: "other"}).status_code
            == 404
        )
        assert (
            httpx.get(f"{sb.url}/candidates/x", headers={API_KEY_HEADER: "sandbox-key"}).status_code
            == 401
        )


def test_unknown_path_and_method_use_the_envelope(client: httpx.Client) -> None:
    assert_envelope(client.get("/nowhere"), 404)
    assert_envelope(client.get(UPLOAD_PATH), 405)


# -- success -------------------------------------------------------------------------------------


@pytest.mark.parametrize("ext", sorted(BUILDERS))
def test_every_accepted_type_uploads(sandbox: Sandbox, client: httpx.Client, ext: str) -> None:
    name = f"file{ext}"
    data = BUILDERS[ext]()
    response = upload(client, part(name))
    assert response.status_code == 201, response.text
    [item] = response.json()
    assert set(item) == {"attachmentId", "attachmentName", "type", "createdAt", "extension", "size"}
    assert item["attachmentName"] == name
    assert item["type"] == "CV"
    assert item["size"] == len(data)
    assert item["extension"] == ext.lstrip(".")
    assert ISO_Z.fullmatch(item["createdAt"])
    [stored] = sandbox.state.uploads()
    assert stored.id == item["attachmentId"]
    assert stored.sha256 == hashlib.sha256(data).hexdigest()


def test_ten_files_keep_request_order(sandbox: Sandbox, client: httpx.Client) -> None:
    names = [f"f{i}.png" for i in range(10)]
    response = upload(client, *(part(n) for n in names), type_="LOGO")
    assert response.status_code == 201
    assert [i["attachmentName"] for i in response.json()] == names
    assert {i["type"] for i in response.json()} == {"LOGO"}
    assert sandbox.state.log()[-1].files == 10


def test_shuffle_uploads_changes_the_order(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.configure(shuffle_uploads=True)
    names = [f"f{i}.pdf" for i in range(4)]
    for _ in range(5):  # a shuffle that happened to keep the order would be rotated
        items = upload(client, *(part(n) for n in names)).json()
        assert [i["attachmentName"] for i in items] != names
        assert sorted(i["attachmentName"] for i in items) == names


def test_non_ascii_file_name_round_trips(client: httpx.Client) -> None:
    response = upload(client, part("Lebenslauf Müller – 2024.pdf"))
    assert response.json()[0]["attachmentName"] == "Lebenslauf Müller – 2024.pdf"


@pytest.mark.parametrize(
    ("name", "declared"),
    [("x.jpg", "image/jpg"), ("x.ico", "image/vnd.microsoft.icon"), ("x.ico", "image/x-icon")],
)
def test_alias_mime_types_are_equivalent(client: httpx.Client, name: str, declared: str) -> None:
    assert upload(client, part(name, mime=declared)).status_code == 201


def test_doc_and_docx_that_filetype_alone_would_miss(client: httpx.Client) -> None:
    from sandbox_files import doc_word_stream_not_first, docx_unusual_order

    assert upload(client, part("a.doc", doc_word_stream_not_first())).status_code == 201
    assert upload(client, part("a.docx", docx_unusual_order())).status_code == 201


def test_a_file_of_exactly_the_limit_is_accepted_and_one_more_byte_is_413(
    sandbox: Sandbox, client: httpx.Client, tmp_path
) -> None:
    # Sparse files: real 50 MB parts on the wire, no 50 MB in memory on either side.
    for size, status in ((MAX_FILE_BYTES, 201), (MAX_FILE_BYTES + 1, 413)):
        path = tmp_path / f"{size}.pdf"
        with path.open("wb") as fh:
            fh.write(b"%PDF-1.4\n")
            fh.truncate(size)
        with path.open("rb") as fh:
            response = client.post(
                UPLOAD_PATH,
                params={"type": "CV"},
                files=[("files", ("big.pdf", fh, "application/pdf"))],
            )
        assert response.status_code == status, response.text
    assert [u.size for u in sandbox.state.uploads()] == [MAX_FILE_BYTES]


# -- refusals ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "params", [{}, {"type": "cv"}, {"type": "UNASSIGNED"}, {"type": "contract"}]
)
def test_type_must_be_an_exact_enum_value(client: httpx.Client, params: dict) -> None:
    assert_envelope(client.post(UPLOAD_PATH, params=params, files=[part("a.pdf")]), 400)


def test_type_is_checked_against_the_shared_enum(client: httpx.Client) -> None:
    for type_ in ("unassigned", "ExportedTemplatedCv", ATTACHMENT_TYPES[-1]):
        assert upload(client, part("a.pdf"), type_=type_).status_code == 201


def test_eleven_files_are_refused(sandbox: Sandbox, client: httpx.Client) -> None:
    assert_envelope(upload(client, *(part(f"f{i}.pdf") for i in range(11))), 400)
    assert sandbox.state.uploads() == []
    assert sandbox.state.log()[-1].files == 11


def test_zero_files_are_refused(client: httpx.Client) -> None:
    body = b"--xyz--\r\n"
    response = client.post(
        UPLOAD_PATH,
        params={"type": "CV"},
        content=body,
        headers={"content-type": "multipart/form-data; boundary=xyz"},
    )
    assert_envelope(response, 400)


@pytest.mark.parametrize(
    "files",
    [
        [("file", ("a.pdf", b"%PDF-1.4", "application/pdf"))],  # wrong field name
        [part("a.pdf"), ("note", (None, "hello"))],  # an extra text field
        [("files", (None, "not a file"))],  # a text field called files
    ],
)
def test_only_file_parts_named_files_are_allowed(client: httpx.Client, files: list) -> None:
    assert_envelope(client.post(UPLOAD_PATH, params={"type": "CV"}, files=files), 400)


def test_not_multipart_is_400(client: httpx.Client) -> None:
    assert_envelope(client.post(UPLOAD_PATH, params={"type": "CV"}, json={"files": []}), 400)


def test_truncated_multipart_is_400(client: httpx.Client) -> None:
    body = (
        b'--xyz\r\nContent-Disposition: form-data; name="files"; filename="a.pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n%PDF-1.4 and then the client gave up"
    )
    response = client.post(
        UPLOAD_PATH,
        params={"type": "CV"},
        content=body,
        headers={"content-type": "multipart/form-data; boundary=xyz"},
    )
    assert_envelope(response, 400)


def test_empty_file_is_400(client: httpx.Client) -> None:
    assert_envelope(upload(client, part("a.pdf", b"")), 400)


@pytest.mark.parametrize(
    ("name", "content", "declared"),
    [
        ("a.txt", b"plain text", "text/plain"),  # not on the allow-list
        ("a.pdf", None, "application/octet-stream"),  # generic type
        ("a.pdf", png(), "application/pdf"),  # content is a PNG
        ("a.svg", b"<html>no vector here</html>", "image/svg+xml"),
        ("a.doc", None, "application/msword"),  # replaced below by an .xls body
        ("a.docx", b"PK\x03\x04 not really a zip", MIME_BY_EXTENSION[".docx"]),
    ],
)
def test_wrong_or_disguised_types_are_415(
    client: httpx.Client, name: str, content: bytes | None, declared: str
) -> None:
    from sandbox_files import pdf, xls

    if name == "a.doc":
        content = xls()
    data = pdf() if content is None else content
    assert_envelope(upload(client, ("files", (name, data, declared))), 415)


def test_missing_part_content_type_is_415(client: httpx.Client) -> None:
    body = (
        b'--xyz\r\nContent-Disposition: form-data; name="files"; filename="a.pdf"\r\n\r\n'
        b"%PDF-1.4\r\n--xyz--\r\n"
    )
    response = client.post(
        UPLOAD_PATH,
        params={"type": "CV"},
        content=body,
        headers={"content-type": "multipart/form-data; boundary=xyz"},
    )
    assert_envelope(response, 415)


def test_one_bad_part_rejects_the_whole_request(sandbox: Sandbox, client: httpx.Client) -> None:
    response = upload(client, part("good1.pdf"), part("bad.pdf", png()), part("good2.pdf"))
    body = assert_envelope(response, 415)
    assert "bad.pdf" in body["message"]
    assert sandbox.state.uploads() == []


def test_small_limit_setting_gives_413(sandbox: Sandbox, client: httpx.Client) -> None:
    sandbox.configure(max_file_bytes=100)
    assert_envelope(upload(client, part("a.pdf", b"%PDF-1.4" + b"\0" * 200)), 413)


def _big_package(order: str) -> bytes:
    """A docx padded to ~1 MB, its package files first, last, or between two big entries."""
    import io
    import zipfile

    from sandbox_files import docx

    source = zipfile.ZipFile(io.BytesIO(docx()))
    package = [(i, source.read(i)) for i in source.infolist()]
    padding = [(f"word/media/image{n}.bin", bytes(500_000)) for n in range(2)]
    entries = {
        "first": package + padding,
        "last": padding + package,
        "middle": padding[:1] + package + padding[1:],
    }[order]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for info, data in entries:
            archive.writestr(info, data, zipfile.ZIP_STORED)
    return out.getvalue()


@pytest.mark.parametrize("order", ["first", "last", "middle"])
def test_big_packages_are_judged_from_the_bytes_kept(client: httpx.Client, order: str) -> None:
    # First or last: the package's own files decide. In the middle, neither end holds them and
    # the looser rule of entry names applies rather than refusing a big real file.
    assert upload(client, part("big.docx", _big_package(order))).status_code == 201
    as_xlsx = part("big.xlsx", _big_package(order), MIME_BY_EXTENSION[".xlsx"])
    assert_envelope(upload(client, as_xlsx), 415)


def test_a_big_word_file_is_judged_by_its_directory(client: httpx.Client) -> None:
    from tests.cfb import WORD_FIB, compound_file

    # The directory and FAT sit at the end (in the kept tail), the WordDocument stream first.
    word = compound_file([("WordDocument", WORD_FIB + bytes(400_000)), ("1Table", bytes(400_000))])
    assert upload(client, part("big.doc", word)).status_code == 201
    no_fib = compound_file([("WordDocument", bytes(400_000)), ("1Table", bytes(400_000))])
    assert_envelope(upload(client, part("fake.doc", no_fib)), 415)  # no FIB: not Word

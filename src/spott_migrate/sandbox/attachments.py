"""The three attachment endpoints: upload (temporary), assign (permanent), list."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import Any

from python_multipart.multipart import parse_options_header
from starlette.requests import Request
from starlette.responses import Response

from spott_migrate.sandbox.context import SandboxContext
from spott_migrate.sandbox.multipart import MultipartDigest, PartDigest, read_multipart
from spott_migrate.sandbox.params import (
    int_param,
    json_object,
    optional_id,
    single_param,
    wire_type,
)
from spott_migrate.sandbox.problem import ApiProblem
from spott_migrate.sandbox.records import TARGET_FIELDS, TargetKind
from spott_migrate.sandbox.responses import REQUEST_ID_HEADER, json_response
from spott_migrate.sandbox.settings import SandboxSettings
from spott_migrate.sandbox.sniff import SNIFF_BYTES, TAIL_BYTES, canonical_mime, sniff
from spott_migrate.sandbox.state import AssignItem
from spott_migrate.spott_api import (
    ALLOWED_MIME_TYPES,
    ATTACHMENT_TYPES,
    LIST_PAGE_SIZE_MAX,
    MAX_FILES_PER_UPLOAD,
    MIME_BY_EXTENSION,
)

_ALLOWED = frozenset(canonical_mime(m) for m in ALLOWED_MIME_TYPES)
_EXTENSION_BY_MIME: dict[str, str] = {}
for _ext, _mime in MIME_BY_EXTENSION.items():
    _EXTENSION_BY_MIME.setdefault(canonical_mime(_mime), _ext.lstrip("."))


def _extension(filename: str, mime: str) -> str:
    """Lower-case extension without the dot, from the name, else from the MIME type."""
    suffix = PurePosixPath(filename.replace("\\", "/")).suffix.lower().lstrip(".")
    return suffix or _EXTENSION_BY_MIME.get(mime, "")


def _label(part: PartDigest) -> str:
    return (
        f"file #{part.index + 1} ({part.filename!r})"
        if part.filename
        else f"part #{part.index + 1}"
    )


def _check_part(part: PartDigest, max_bytes: int) -> None:
    if part.size == 0:
        raise ApiProblem(400, f"{_label(part)} is empty")
    if part.size > max_bytes:
        raise ApiProblem(413, f"{_label(part)} is larger than {max_bytes} bytes")
    declared = canonical_mime(part.content_type or "")
    if declared not in _ALLOWED:
        shown = part.content_type or "no Content-Type"
        raise ApiProblem(415, f"{_label(part)}: {shown} is not an accepted file type")
    found = sniff(bytes(part.head), part.last_bytes(TAIL_BYTES), part.size)
    if found != declared:
        raise ApiProblem(
            415, f"{_label(part)}: content is {found or 'unrecognised'}, not {declared}"
        )


def _check_upload(digest: MultipartDigest, max_bytes: int) -> None:
    """Refuse the whole request at the first problem: structure first, then each file."""
    if digest.error:
        raise ApiProblem(400, digest.error)
    for part in digest.parts:
        if part.field_name != "files":
            raise ApiProblem(400, f"unexpected form field {part.field_name!r}; send 'files'")
        if not part.filename:
            raise ApiProblem(400, f"{_label(part)} of 'files' is not a file (no filename)")
    total = len(digest.parts) + digest.extra_parts
    if not 1 <= total <= MAX_FILES_PER_UPLOAD:
        raise ApiProblem(400, f"send 1 to {MAX_FILES_PER_UPLOAD} files, not {total}")
    for part in digest.parts:
        _check_part(part, max_bytes)


def _upload_types(settings: SandboxSettings) -> tuple[str, ...]:
    """The type values the upload takes: the enum, with the configured unassigned spelling."""
    spelling = settings.unassigned_spelling
    return tuple(spelling if t == "unassigned" else t for t in ATTACHMENT_TYPES)


def _stored_name(filename: str, ext: str, settings: SandboxSettings) -> str:
    # A server that renames keeps only the extension, as object stores often do.
    if not settings.rename_uploads:
        return filename
    return f"upload-{uuid.uuid4().hex[:12]}" + (f".{ext}" if ext else "")


async def upload(request: Request, ctx: SandboxContext) -> Response:
    """``POST /attachments/temporary?type=T`` with multipart field ``files`` (1-10 parts)."""
    settings = ctx.settings
    type_ = single_param(request, "type")
    if type_ is None:
        raise ApiProblem(400, "query parameter 'type' is required")
    accepted = _upload_types(settings)
    if type_ not in accepted:  # exact spelling: the upload enum is case-sensitive
        raise ApiProblem(400, f"type must be one of {', '.join(accepted)}")
    media, options = parse_options_header(request.headers.get("content-type", ""))
    if media != b"multipart/form-data" or not options.get(b"boundary"):
        raise ApiProblem(400, "send the files as multipart/form-data")
    digest = await read_multipart(
        request.stream(),
        options[b"boundary"],
        max_parts=MAX_FILES_PER_UPLOAD,
        head_bytes=SNIFF_BYTES,
        tail_bytes=TAIL_BYTES,
    )
    request.state.files = len(digest.parts) + digest.extra_parts
    _check_upload(digest, settings.max_file_bytes)
    rows = []
    for part in digest.parts:
        assert part.filename is not None  # checked above
        mime = canonical_mime(part.content_type or "")
        ext = _extension(part.filename, mime)
        name = _stored_name(part.filename, ext, settings)
        rows.append((name, part.size, part.sha256, type_, mime, ext))
    uploads = ctx.state.add_uploads(rows)
    payload = [u.to_api() for u in uploads]
    if settings.omit_upload_sizes:
        payload = [{**item, "size": None} for item in payload]
    if settings.shuffle_uploads and len(payload) > 1:
        order = list(payload)
        ctx.rng.shuffle(payload)
        if payload == order:  # a shuffle that changes nothing would hide client bugs
            payload = payload[1:] + payload[:1]
    return json_response(payload, 201, request.state.request_id)


def _assign_items(raw: Any) -> list[AssignItem]:
    if not isinstance(raw, list) or not raw:
        raise ApiProblem(400, "attachments must be a non-empty list")
    items = []
    for index, entry in enumerate(raw):
        what = f"attachments[{index}]"
        if not isinstance(entry, dict):
            raise ApiProblem(400, f"{what} must be an object")
        temp_id = optional_id(entry, "id")
        if temp_id is None:
            raise ApiProblem(400, f"{what}.id is required")
        if "type" not in entry:
            raise ApiProblem(400, f"{what}.type is required")
        items.append(
            AssignItem(
                id=temp_id,
                type=wire_type(entry["type"], f"{what}.type"),
                name=optional_id(entry, "name"),
            )
        )
    if len({item.id for item in items}) != len(items):
        raise ApiProblem(400, "an attachment id appears twice")
    return items


async def assign(request: Request, ctx: SandboxContext) -> Response:
    """``POST /attachments/temporary/assign``: all-or-nothing, 204 on success."""
    body = await json_object(request)
    targets: list[tuple[TargetKind, str]] = []
    for key, kind in TARGET_FIELDS.items():
        value = optional_id(body, key)
        if value is not None:
            targets.append((kind, value))
    items = _assign_items(body.get("attachments"))
    request.state.files = len(items)
    if not targets:
        raise ApiProblem(400, "give at least one of candidateId, companyId, vacancyId")
    for kind, record_id in targets:
        if not ctx.records.exists(kind, record_id):
            raise ApiProblem(404, f"{kind} {record_id} not found")
    settings = ctx.settings
    ctx.state.assign(
        items,
        targets,
        ttl_seconds=settings.temp_ttl_seconds,
        new_ids=settings.new_ids_on_assign,
    )
    return Response(status_code=204, headers={REQUEST_ID_HEADER: request.state.request_id})


async def list_attachments(request: Request, ctx: SandboxContext) -> Response:
    """``GET /attachments``: assigned attachments only; record filters combine with AND."""
    page = int_param(request, "page", default=0, low=0, high=10_000)
    size = int_param(request, "pageSize", default=20, low=1, high=LIST_PAGE_SIZE_MAX)
    filters: dict[TargetKind, str] = {}
    for key, kind in TARGET_FIELDS.items():
        value = single_param(request, key)
        if value is not None:
            if not value:
                raise ApiProblem(400, f"{key} must not be empty")
            filters[kind] = value
    raw_type = single_param(request, "type")
    type_ = wire_type(raw_type, "type") if raw_type is not None else None
    found = ctx.state.query(filters, type_)
    start = page * size
    payload = {
        "pagination": {
            "totalItems": len(found),
            "page": page,
            "hasNextPage": start + size < len(found),
        },
        "items": [a.to_api() for a in found[start : start + size]],
    }
    return json_response(payload, 200, request.state.request_id)

"""``spott-migrate doctor``: the first contact with a tenant, checked instead of guessed.

Everything ``spott-api.md`` marks as inferred is put to the tenant where that can be done
without changing anything: the key, each endpoint the tool uses (read-only), how a missing
record answers, the shapes of the answers, rate-limit headers and latency. One tiny temporary
file (a 1×1 PNG, never assigned, so it expires) shows how the upload answers: its status,
whether names and sizes are echoed and kept, and which spelling of ``unassigned`` the server
takes. Nothing is ever assigned.

Each request is sent once (no retries: a diagnosis should see what happened, and the test
upload must not be sent twice), under the run's rate limit.
"""

from __future__ import annotations

import re
import statistics
import struct
import time
import uuid
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from .. import spott_api
from ..client import RateLimiter, SpottClient
from ..client.pages import parse_cursor_page
from ..config import Settings
from ..errors import ApiError, FatalApiError
from .profile import Finding, TenantProfile, UploadShape, Verdict
from .records import RECORD_KINDS, parse_record
from .store import normal_base_url, utc_stamp

_RATE_HEADER = re.compile(r"rate-?limit|retry-after", re.IGNORECASE)
_ISO_Z = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z")
_PLURAL = {"candidate": "candidates", "company": "clients", "vacancy": "vacancies"}


def tiny_png() -> bytes:
    """A valid 1×1 grey PNG (67 bytes), built here so doctor needs no file."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x80"))
        + chunk(b"IEND", b"")
    )


@dataclass
class Diagnosis:
    """What doctor found: the findings in order, and the profile to save."""

    profile: TenantProfile
    requests_sent: int
    uploads_sent: int

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.profile.findings

    @property
    def exit_code(self) -> int:
        """0 when the tool can work with this tenant as it is (adapting where it knows how),
        1 when some answer differs in a way it cannot adapt to."""
        return 1 if any(f.verdict is Verdict.DIFFERS for f in self.findings) else 0


@dataclass
class _Probe:
    """One doctor session: the client, and what every answer taught."""

    client: SpottClient
    findings: list[Finding] = field(default_factory=list)
    latency: dict[str, list[float]] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    uploads: int = 0

    def add(self, key: str, assumption: str, verdict: Verdict, detail: str = "") -> None:
        self.findings.append(Finding(key, assumption, verdict, detail))

    def send(self, name: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        started = time.monotonic()
        try:
            response = self.client.request("doctor", method, path, **kwargs)
        finally:
            self.latency.setdefault(name, []).append((time.monotonic() - started) * 1000)
        for header, value in response.headers.items():
            if _RATE_HEADER.search(header):
                self.headers[header] = value
        return response


def diagnose(
    settings: Settings, *, client_factory: Callable[[Settings], SpottClient] | None = None
) -> Diagnosis:
    """Put the tool's assumptions to the tenant ``settings`` names; raise on a refused key."""
    once = settings.with_(max_attempts=1)
    factory = client_factory or (
        lambda s: SpottClient(
            settings=s,
            limiter=RateLimiter(s.requests_per_minute, burst=16, adaptive=False),
        )
    )
    with factory(once) as client:
        probe = _Probe(client)
        first = _records(probe)
        _record_endpoints(probe, first)
        _search(probe, first)
        _attachments(probe, first.get("candidate"))
        shape = _upload(probe)
        probe.add(
            "assign",
            "assign answers 2xx with no body, and the permanent id equals the temporary one",
            Verdict.UNKNOWN,
            "doctor never assigns; run a pilot (run --limit 5), then spott-migrate verify, which"
            " finds the files by name and size and keeps Spott's permanent ids",
        )
        _rate_limit(probe)
        requests = client.requests_sent
    profile = TenantProfile(
        base_url=normal_base_url(settings.base_url),
        checked_at=utc_stamp(),
        upload=shape,
        findings=tuple(probe.findings),
        rate_limit_headers=dict(probe.headers),
        latency_ms={k: round(statistics.median(v), 1) for k, v in probe.latency.items()},
    )
    return Diagnosis(profile, requests, probe.uploads)


def _records(probe: _Probe) -> dict[str, dict[str, Any]]:
    """List each kind once (50 a page, as the index does); return the first item of each."""
    first: dict[str, dict[str, Any]] = {}
    for kind in RECORD_KINDS:
        path = spott_api.RECORD_LIST_PATHS[kind]
        assumption = f"GET {path} pages by cursor, 50 a page (items, pageInfo.nextCursor)"
        try:
            response = probe.send(
                "records", "GET", path, params={"limit": spott_api.RECORD_PAGE_LIMIT_MAX}
            )
            page = parse_cursor_page(response.json(), None, f"GET {path}")
        except FatalApiError as exc:
            if kind == RECORD_KINDS[0]:
                probe.add(
                    "key", "the API key is accepted (x-api-key header)", Verdict.DIFFERS, str(exc)
                )
                raise
            probe.add(f"list_{kind}", assumption, Verdict.DIFFERS, f"refused: {exc}")
            continue
        except (ApiError, ValueError) as exc:
            if kind == RECORD_KINDS[0] and isinstance(exc, ApiError) and exc.status is None:
                raise  # no answer at all: nothing else can be learnt either
            probe.add(f"list_{kind}", assumption, Verdict.DIFFERS, str(exc))
            continue
        if kind == RECORD_KINDS[0]:
            probe.add("key", "the API key is accepted (x-api-key header)", Verdict.CONFIRMED)
        has_info = isinstance(response.json().get("pageInfo"), Mapping)
        verdict = Verdict.CONFIRMED if has_info else Verdict.DIFFERS
        detail = f"{len(page.items)} records on the first page" + (
            "" if has_info else "; no pageInfo: an index would stop after one page"
        )
        probe.add(f"list_{kind}", assumption, verdict, detail)
        if page.items:
            first[kind] = page.items[0]
        if kind == "candidate":
            _candidate_shape(probe, page.items)
    return first


def _candidate_shape(probe: _Probe, items: list[dict[str, Any]]) -> None:
    assumption = "candidates carry e-mails the index can read (emails.emails[].email or flat)"
    if not items:
        probe.add("candidate_shape", assumption, Verdict.UNKNOWN, "the tenant has no candidates")
        return
    wrapped = isinstance(items[0].get("name"), Mapping) or isinstance(
        items[0].get("emails"), Mapping
    )
    parsed = [parse_record("candidate", item) for item in items]
    with_email = sum(1 for r in parsed if r is not None and r.emails)
    raw_email = sum(1 for item in items if "@" in str(item.get("emails", "")))
    shape = "wrapped (name.firstName, emails.emails[])" if wrapped else "flat (firstName, emails)"
    detail = f"{shape}; e-mails read on {with_email} of {len(items)}"
    if raw_email > with_email:
        probe.add(
            "candidate_shape",
            assumption,
            Verdict.DIFFERS,
            f"{detail}, but {raw_email} show an address: matching by e-mail would miss some",
        )
        return
    probe.add("candidate_shape", assumption, Verdict.CONFIRMED, detail)


def _record_endpoints(probe: _Probe, first: Mapping[str, dict[str, Any]]) -> None:
    for kind in RECORD_KINDS:
        path = spott_api.RECORD_LIST_PATHS[kind]
        item = first.get(kind)
        if item is None or not item.get("id"):
            continue
        record_id = httpx.URL(str(item["id"])).raw_path.decode()
        try:
            probe.send("record", "GET", f"{path}/{record_id}")
            probe.add(f"get_{kind}", f"GET {path}/{{id}} answers the record", Verdict.CONFIRMED)
        except ApiError as exc:
            probe.add(
                f"get_{kind}", f"GET {path}/{{id}} answers the record", Verdict.DIFFERS, str(exc)
            )
    missing = f"spott-migrate-doctor-{uuid.uuid4().hex[:12]}"
    assumption = "a record that does not exist answers 404 (how existence checks tell)"
    try:
        probe.send("record", "GET", f"/candidates/{missing}")
    except ApiError as exc:
        if exc.status == 404:
            probe.add("missing_404", assumption, Verdict.CONFIRMED)
        else:
            probe.add("missing_404", assumption, Verdict.DIFFERS, f"answered {exc.status}: {exc}")
        return
    probe.add(
        "missing_404",
        assumption,
        Verdict.DIFFERS,
        "an id that cannot exist was answered with success: use an index (spott-migrate index)"
        " rather than --check-records",
    )


def _search(probe: _Probe, first: Mapping[str, dict[str, Any]]) -> None:
    candidate = first.get("candidate")
    record = parse_record("candidate", candidate) if candidate else None
    query = record.emails[0] if record and record.emails else "a"
    assumption = "GET /search/people answers {items: [...]} (e-mail look-ups without an index)"
    try:
        response = probe.send(
            "search", "GET", spott_api.SEARCH_PEOPLE_PATH, params={"query": query, "limit": 1}
        )
        body = response.json()
    except (ApiError, ValueError) as exc:
        probe.add("search_people", assumption, Verdict.DIFFERS, str(exc))
        return
    ok = isinstance(body, Mapping) and isinstance(body.get("items"), list)
    probe.add("search_people", assumption, Verdict.CONFIRMED if ok else Verdict.DIFFERS)


def _attachments(probe: _Probe, candidate: Mapping[str, Any] | None) -> None:
    assumption = "GET /attachments pages by number, 100 a page ({pagination, items})"
    if candidate is None or not candidate.get("id"):
        probe.add("list_attachments", assumption, Verdict.UNKNOWN, "no candidate to list")
        return
    params = {
        "candidateId": str(candidate["id"]),
        "page": 0,
        "pageSize": spott_api.LIST_PAGE_SIZE_MAX,
    }
    try:
        body = probe.send("list", "GET", spott_api.LIST_PATH, params=params).json()
    except (ApiError, ValueError) as exc:
        probe.add("list_attachments", assumption, Verdict.DIFFERS, str(exc))
        return
    ok = (
        isinstance(body, Mapping)
        and isinstance(body.get("items"), list)
        and isinstance(body.get("pagination"), Mapping)
    )
    detail = f"{len(body.get('items') or [])} on the first candidate" if ok else str(body)[:120]
    probe.add("list_attachments", assumption, Verdict.CONFIRMED if ok else Verdict.DIFFERS, detail)


def _upload(probe: _Probe) -> UploadShape:
    """One temporary upload (two tries at most, if the first spelling is refused)."""
    data = tiny_png()
    name = f"spott-migrate-doctor-{uuid.uuid4().hex[:8]}.png"
    response: httpx.Response | None = None
    spelling = None
    refusal = ""
    for candidate in ("unassigned", "UNASSIGNED"):
        probe.uploads += 1
        try:
            response = probe.send(
                "upload",
                "POST",
                spott_api.UPLOAD_PATH,
                params={"type": candidate},
                files=[("files", (name, data, "image/png"))],
            )
        except ApiError as exc:
            if exc.status == 400:
                refusal = str(exc)
                continue  # refused as a whole: nothing was stored, the other spelling may do
            probe.add(
                "upload",
                "the upload answers 2xx with a JSON list of attachments",
                Verdict.DIFFERS,
                str(exc),
            )
            return UploadShape()
        spelling = candidate
        break
    spelled = "the unassigned type is spelled 'unassigned' (the upload enum's first value)"
    if response is None or spelling is None:
        probe.add(
            "unassigned_spelling",
            spelled,
            Verdict.DIFFERS,
            f"refused as 'unassigned' and as 'UNASSIGNED' ({refusal})",
        )
        return UploadShape()
    if spelling == "unassigned":
        probe.add("unassigned_spelling", spelled, Verdict.CONFIRMED)
    else:
        probe.add(
            "unassigned_spelling",
            spelled,
            Verdict.ADAPTED,
            "refused; 'UNASSIGNED' taken: runs send that",
        )
    try:
        body = response.json()
    except ValueError:
        body = None
    items = body if isinstance(body, list) else []
    item = items[0] if len(items) == 1 and isinstance(items[0], Mapping) else None
    listed = item is not None and bool(item.get("attachmentId"))
    probe.add(
        "upload",
        "the upload answers 2xx with a JSON list of attachments",
        Verdict.CONFIRMED if listed else Verdict.DIFFERS,
        f"status {response.status_code}" + ("" if listed else f"; answer {str(body)[:120]}"),
    )
    if item is None:
        return UploadShape(response.status_code, False, unassigned_spelling=spelling)
    echoed = item.get("attachmentName")
    names_kept = echoed == name
    probe.add(
        "upload_names",
        "upload answers name each file as it was sent (answers are matched by name and size)",
        Verdict.CONFIRMED if names_kept else Verdict.ADAPTED,
        ""
        if names_kept
        else f"sent {name!r}, answered {echoed!r}: runs upload one file per request",
    )
    size = item.get("size")
    sizes_echoed = isinstance(size, int | float) and int(size) == len(data)
    size_note = f"answered {size!r} for {len(data)} bytes: runs upload one file per request"
    probe.add(
        "upload_sizes",
        "upload answers give each file's size in bytes",
        Verdict.CONFIRMED if sizes_echoed else Verdict.ADAPTED,
        "" if sizes_echoed else size_note,
    )
    created = item.get("createdAt")
    probe.add(
        "created_at",
        "createdAt is ISO-8601 UTC ending in Z (used to tell our files from older ones)",
        Verdict.CONFIRMED
        if isinstance(created, str) and _ISO_Z.fullmatch(created)
        else Verdict.DIFFERS,
        "" if isinstance(created, str) and _ISO_Z.fullmatch(created) else f"answered {created!r}",
    )
    probe.add(
        "temporary_expires",
        "an upload never assigned expires (the test file is left to do so)",
        Verdict.UNKNOWN,
        f"the docs name no lifetime; {item.get('attachmentId')} was never assigned",
    )
    extension = item.get("extension")
    return UploadShape(
        status=response.status_code,
        answer_is_list=True,
        names_kept=names_kept,
        sizes_echoed=sizes_echoed,
        unassigned_spelling=spelling,
        extension=str(extension) if extension is not None else None,
    )


def _rate_limit(probe: _Probe) -> None:
    assumption = "Spott limits requests per key; runs stay under --rate and honour Retry-After"
    if not probe.headers:
        probe.add(
            "rate_limit", assumption, Verdict.UNKNOWN, "the server sends no rate-limit headers"
        )
        return
    shown = ", ".join(f"{k}: {v}" for k, v in sorted(probe.headers.items()))
    probe.add("rate_limit", assumption, Verdict.CONFIRMED, shown)

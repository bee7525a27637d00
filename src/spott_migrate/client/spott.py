"""`SpottClient`: the only code that speaks HTTP to Spott.

One long-lived httpx transport (a connection pool) serves every worker thread. Requests go to
it directly, not through ``httpx.Client``: the client layer's cookie jar, redirect and auth
machinery do nothing for an API keyed by one header, yet cost about a quarter of the CPU of a
small request, and on a small machine that CPU is what caps files per second (measured in
``make bench``). What the client layer would still have given is kept: the proxy from the
environment, timeouts, a base URL with a path.

Uploads stream each file from disk in large reads; nothing holds a whole file in memory. Every
failure becomes one of the classes in :mod:`.errors`, with the API key scrubbed from the message.
"""

from __future__ import annotations

import functools
import itertools
import random
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar

import httpx
from tenacity import RetryCallState, RetryError, Retrying, retry_if_exception

from .. import spott_api
from ..config import Secret, Settings, as_secret
from ..errors import (
    AuthError,
    ConfigError,
    ConnectFailedError,
    FileChangedError,
    NoAnswerError,
    OutcomeUnknownError,
    PermanentApiError,
    TimedOutError,
    TransientApiError,
    UnreachableError,
)
from .pages import CursorPage, parse_cursor_page
from .retry import RetryPolicy, parse_retry_after
from .throttle import RateLimiter

__all__ = ["SpottClient", "UploadPart"]

# Larger reads than httpx's 64 KiB default halve the CPU cost per MB of a big upload.
READ_SIZE = 1 << 20
# Until the server has answered once, a wrong URL is far likelier than a passing fault: give up
# after this many tries instead of the full retry policy (a silent server costs one timeout).
FIRST_CONTACT_CONNECT_ATTEMPTS = 2
FIRST_CONTACT_TIMEOUT_ATTEMPTS = 1
TIMEOUT_ATTEMPTS = 3
T = TypeVar("T")
BytesCallback = Callable[[int], None]


@dataclass(frozen=True, slots=True)
class UploadPart:
    """One file of an upload request; ``size`` (when known) is what the check saw."""

    upload_name: str
    path: Path
    mime: str
    size: int | None = None


class _CountingReader:
    """A file wrapper that reports bytes as httpx reads them, in large reads.

    ``fileno`` lets httpx take the length from the file system instead of reading the file.
    With ``expected`` set, a file that grows or shrinks while it streams stops the request
    (``FileChangedError``) instead of sending bytes nobody checked or a body shorter than the
    length already announced.
    """

    def __init__(
        self,
        handle: IO[bytes],
        on_bytes: BytesCallback | None,
        *,
        path: Path,
        expected: int | None = None,
    ) -> None:
        self._handle = handle
        self._on_bytes = on_bytes
        self._path = path
        self._expected = expected
        self._read = 0
        self.sent = 0

    def read(self, size: int = -1) -> bytes:
        data = self._handle.read(max(size, READ_SIZE) if size and size > 0 else -1)
        self._read += len(data)
        if self._expected is not None and (
            self._read > self._expected or (not data and self._read < self._expected)
        ):
            what = "grew" if self._read > self._expected else "shrank"
            raise FileChangedError(
                f"{self._path.name} {what} while it was being sent; check it and re-run",
                path=self._path,
            )
        if data and self._on_bytes is not None:
            self.sent += len(data)
            self._on_bytes(len(data))
        return data

    def fileno(self) -> int:
        return self._handle.fileno()

    def seek(self, offset: int, whence: int = 0) -> int:
        if self._on_bytes is not None and self.sent:
            self._on_bytes(-self.sent)  # a re-read is not progress: take it back
        self.sent = 0
        position = self._handle.seek(offset, whence)
        self._read = position
        return position

    def tell(self) -> int:
        return self._handle.tell()


class SpottClient:
    """A client for the attachment endpoints (and the look-ups a migration needs)."""

    def __init__(
        self,
        base_url: str | None = None,
        api_key: str | Secret | None = None,
        *,
        settings: Settings | None = None,
        transport: httpx.BaseTransport | None = None,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        settings = settings or Settings.from_env()
        key = as_secret(api_key) or as_secret(settings.api_key)
        if not key:
            raise ConfigError(
                f"no API key: pass --api-key, set {spott_api.API_KEY_ENV}, or enter it in the panel"
            )
        self._key = key
        self.base_url = (base_url or settings.base_url).rstrip("/")
        # Our wire type -> the tenant's spelling of it (from `spott-migrate doctor`).
        self._spellings = dict(settings.type_spellings)
        self.retry = RetryPolicy(
            max_attempts=settings.max_attempts,
            backoff_base=settings.backoff_base,
            backoff_max=settings.backoff_max,
            retry_after_cap=settings.retry_after_cap,
        )
        self.limiter = limiter or RateLimiter(
            settings.requests_per_minute,
            max_window=settings.concurrency,
            adaptive=settings.adaptive,
            sleep=sleep,
        )
        self._sleep = sleep
        self._rng = rng
        self._headers = {"Accept": "application/json", "User-Agent": "spott-migrate"}
        self._timeout = httpx.Timeout(
            settings.read_timeout, connect=settings.connect_timeout, pool=settings.read_timeout
        ).as_dict()
        pool = max(4, settings.concurrency * 2)
        self._transport = transport or httpx.HTTPTransport(
            limits=httpx.Limits(max_connections=pool, max_keepalive_connections=pool),
            proxy=environment_proxy(self.base_url),
        )
        self._read_timeout = settings.read_timeout
        self._counts: Counter[str] = Counter()
        self._count_lock = threading.Lock()
        # Requests on the wire never outnumber the limiter's window, even when steps resting
        # before a retry (which hold no place) wake up while others are out.
        self._wire = threading.Condition(self._count_lock)
        self._places_taken = 0
        # Set once any HTTP answer (of any status) has come back from the server.
        self.answered = False
        self._on_the_wire = 0

    def __repr__(self) -> str:
        return f"SpottClient(base_url={self.base_url!r})"

    def __enter__(self) -> SpottClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._transport.close()

    # ----------------------------------------------------------------- counters
    @property
    def requests_sent(self) -> int:
        """HTTP requests sent so far, retries included."""
        with self._count_lock:
            return sum(self._counts.values())

    @property
    def requests_on_the_wire(self) -> int:
        """Requests sent whose answer has not come back yet."""
        with self._count_lock:
            return self._on_the_wire

    def requests_by_endpoint(self) -> dict[str, int]:
        """Requests sent per endpoint name (upload, assign, list, search, record)."""
        with self._count_lock:
            return dict(self._counts)

    # ----------------------------------------------------------------- endpoints
    def upload(
        self,
        wire_type: str,
        parts: Sequence[UploadPart],
        *,
        on_bytes: BytesCallback | None = None,
    ) -> list[dict[str, Any]]:
        """Upload files as temporary attachments; return the response items (any order).

        Safe to repeat: an upload that is never assigned expires on the server.
        """
        if not 1 <= len(parts) <= spott_api.MAX_FILES_PER_UPLOAD:
            raise ValueError(f"an upload carries 1..{spott_api.MAX_FILES_PER_UPLOAD} files")

        def attempt() -> list[dict[str, Any]]:
            with ExitStack() as stack:
                files = [
                    (
                        "files",
                        (
                            part.upload_name,
                            _CountingReader(
                                stack.enter_context(_open(part.path)),
                                on_bytes,
                                path=part.path,
                                expected=part.size,
                            ),
                            part.mime,
                        ),
                    )
                    for part in parts
                ]
                readers = [f[1][1] for f in files]
                try:
                    response = self._send(
                        "upload",
                        "POST",
                        spott_api.UPLOAD_PATH,
                        params={"type": self._spellings.get(wire_type, wire_type)},
                        files=files,
                    )
                except BaseException:
                    if on_bytes is not None:
                        on_bytes(-sum(r.sent for r in readers))
                    raise
            body = _json(response)
            if not isinstance(body, list) or not all(isinstance(i, dict) for i in body):
                raise OutcomeUnknownError(
                    "upload answered without the expected list of attachments",
                    status=response.status_code,
                )
            return body

        return self._with_retries(attempt)

    def assign(self, attachments: Sequence[Mapping[str, str]], target: Mapping[str, str]) -> None:
        """Link temporary attachments to a record. Retried only when provably not processed.

        Raises :class:`OutcomeUnknownError` when the call may have taken effect: the caller must
        check ``list_attachments`` before sending it again.
        """
        body: dict[str, Any] = {"attachments": [dict(a) for a in attachments], **target}
        self._with_retries(
            lambda: self._send("assign", "POST", spott_api.ASSIGN_PATH, json=body),
            blind_only=True,
        )

    def list_attachments(self, **filters: str) -> list[dict[str, Any]]:
        """Every attachment of a record (all pages), e.g. ``list_attachments(candidateId="c1")``."""
        items: list[dict[str, Any]] = []
        for page in itertools.count():
            params = {**filters, "page": page, "pageSize": spott_api.LIST_PAGE_SIZE_MAX}
            response = self._with_retries(
                functools.partial(self._send, "list", "GET", spott_api.LIST_PATH, params=params)
            )
            body = _json(response)
            items.extend(body.get("items") or [])
            if not (body.get("pagination") or {}).get("hasNextPage"):
                return items
            if page >= 10_000:
                return items
        return items  # pragma: no cover - the loop always returns

    def record_pages(
        self,
        kind: str,
        *,
        modified_since: str | None = None,
        cursor: str | None = None,
        limit: int = spott_api.RECORD_PAGE_LIMIT_MAX,
    ) -> Iterator[CursorPage]:
        """Pages of ``GET /candidates``, ``/clients`` or ``/vacancies`` (cursor pagination).

        ``kind`` is ``candidate``, ``company`` or ``vacancy``; ``cursor`` resumes after a page
        seen before; ``modified_since`` (ISO-8601 with ``Z``) asks only for later changes.
        Each page is fetched when the caller asks for it, so a caller that keeps the cursors
        can stop and resume anywhere.
        """
        path = spott_api.RECORD_LIST_PATHS.get(kind)
        if path is None:
            raise ValueError(f"kind must be one of {', '.join(spott_api.RECORD_LIST_PATHS)}")
        while True:
            params: dict[str, str | int] = {"limit": limit}
            if modified_since:
                params["modifiedSince"] = modified_since
            if cursor:
                params["cursor"] = cursor

            def attempt(params: dict[str, str | int] = params, at: str | None = cursor) -> Any:
                response = self._send("records", "GET", path, params=params)
                return parse_cursor_page(_json(response), at, f"GET {path}")

            page: CursorPage = self._with_retries(attempt)
            yield page
            if not page.has_next:
                return
            cursor = page.next_cursor

    def request(self, endpoint: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Any request, throttled and retried like the others, with its whole answer.

        For checks that need what the parsed calls drop: status, headers, the raw body.
        ``endpoint`` names it in :meth:`requests_by_endpoint`; errors raise as usual.
        """
        return self._with_retries(functools.partial(self._send, endpoint, method, path, **kwargs))

    def search_people(self, query: str, limit: int = 25) -> list[dict[str, Any]]:
        """Candidates and contacts matching a name, e-mail or phone (``GET /search/people``)."""
        response = self._with_retries(
            lambda: self._send(
                "search",
                "GET",
                spott_api.SEARCH_PEOPLE_PATH,
                params={"query": query, "limit": limit},
            )
        )
        body = _json(response)
        items = body.get("items") if isinstance(body, dict) else body
        return list(items or [])

    def get_record(self, kind: str, record_id: str) -> dict[str, Any] | None:
        """A candidate, company (Spott: client) or vacancy by id, or None if it does not exist."""
        paths = {"candidate": "/candidates", "company": "/clients", "vacancy": "/vacancies"}
        if kind not in paths:
            raise ValueError(f"kind must be one of {', '.join(paths)}")
        url = f"{paths[kind]}/{httpx.URL(record_id).raw_path.decode()}"
        try:
            response = self._with_retries(lambda: self._send("record", "GET", url))
        except PermanentApiError as exc:
            if exc.status == 404:
                return None
            raise
        body = _json(response)
        return body if isinstance(body, dict) else {"id": record_id}

    # ----------------------------------------------------------------- plumbing
    def _with_retries(self, call: Callable[[], T], *, blind_only: bool = False) -> T:
        retrying = Retrying(
            stop=self._stop,
            wait=self.retry.tenacity_wait(self._rng),
            retry=retry_if_exception(lambda e: self.retry.should_retry(e, blind_only=blind_only)),
            sleep=self.limiter.rest,
            reraise=True,
        )
        try:
            return retrying(call)
        except RetryError as exc:  # pragma: no cover - reraise=True makes this unreachable
            raise exc.last_attempt.result() from None
        except ConnectFailedError as exc:
            # Tried enough: nothing listens there. Fatal, so rows stay pending, not failed.
            raise UnreachableError(str(exc)) from None
        except TimedOutError as exc:
            if blind_only:
                raise  # an assign's answer is unknown: the executor checks the record
            raise NoAnswerError(
                f"{exc}; if files are large or the line is slow, raise --read-timeout"
            ) from None

    def _stop(self, state: RetryCallState) -> bool:
        """Stop retrying after the policy's attempts, or sooner before first contact."""
        attempts = self.retry.max_attempts
        if not self.answered and state.outcome is not None:
            error = state.outcome.exception()
            if isinstance(error, ConnectFailedError):
                attempts = min(attempts, FIRST_CONTACT_CONNECT_ATTEMPTS)
            elif isinstance(error, TimedOutError):
                attempts = min(attempts, FIRST_CONTACT_TIMEOUT_ATTEMPTS)
        elif state.outcome is not None and isinstance(state.outcome.exception(), TimedOutError):
            attempts = min(attempts, TIMEOUT_ATTEMPTS)  # each one costs a whole read timeout
        return bool(state.attempt_number >= attempts)

    def _send(self, endpoint: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
        """One request, its whole answer read; ``kwargs`` as for ``httpx.Request``."""
        with self._wire:
            while self._places_taken >= self.limiter.window:
                self._wire.wait(0.05)
            self._places_taken += 1  # held from the wait for a token to the answer
        try:
            return self._send_on_the_wire(endpoint, method, url, **kwargs)
        finally:
            with self._wire:
                self._places_taken -= 1
                self._wire.notify()

    def _send_on_the_wire(
        self, endpoint: str, method: str, url: str, **kwargs: Any
    ) -> httpx.Response:
        """:meth:`_send` once it holds a place in the window."""
        self.limiter.acquire()
        with self._count_lock:
            self._counts[endpoint] += 1
        request = httpx.Request(
            method,
            self.base_url + url,
            # The key is added here, per request, so that it sits in no long-lived object.
            headers={**self._headers, spott_api.API_KEY_HEADER: self._key.reveal()},
            extensions={"timeout": self._timeout},
            **kwargs,
        )
        started = time.monotonic()
        with self._count_lock:
            self._on_the_wire += 1
        try:
            response = self._transport.handle_request(request)
            response.request = request
            try:
                response.read()
            finally:
                response.close()  # hands the connection back to the pool
        except FileChangedError:
            self.limiter.observe(None, time.monotonic() - started)
            raise  # the request was cut short by us; the caller fails that file's row
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            self.limiter.observe(None, time.monotonic() - started)
            # Nothing reached the server: always safe to try again.
            raise ConnectFailedError(
                self._scrub(f"cannot connect to {self.base_url}: {_connect_reason(exc)}")
            ) from None
        except httpx.PoolTimeout:
            self.limiter.observe(None, time.monotonic() - started)
            raise TransientApiError("every connection to the server was busy") from None
        except httpx.TimeoutException:
            self.limiter.observe(None, time.monotonic() - started)
            raise TimedOutError(
                f"no answer from {self.base_url} after {self._read_timeout:g} s ({method} {url})"
            ) from None
        except httpx.HTTPError as exc:
            # Resets, protocol errors: the request may have been processed. Only the error's
            # class is shown: httpx's texts can carry request details.
            self.limiter.observe(None, time.monotonic() - started)
            raise OutcomeUnknownError(
                f"{method} {url}: connection lost before the answer ({type(exc).__name__})"
            ) from None
        finally:
            with self._count_lock:
                self._on_the_wire -= 1
        self.answered = True
        status = response.status_code
        wait = parse_retry_after(response.headers.get("Retry-After")) if status == 429 else None
        # The limiter decides whether a 429 holds back every caller or only this request.
        self.limiter.observe(
            status,
            time.monotonic() - started,
            retry_after=None if wait is None else min(wait, self.retry.retry_after_cap),
        )
        if response.is_success:
            return response
        raise self._error_for(response, method, url, wait)

    def _error_for(
        self, response: httpx.Response, method: str, url: str, retry_after: float | None
    ) -> Exception:
        status = response.status_code
        message, request_id = _error_text(response)
        text = self._scrub(f"{method} {url} → {status}: {message}")
        if status in (401, 403):
            return AuthError(
                f"{text} (check the API key and its permissions)",
                status=status,
                request_id=request_id,
            )
        if status == 429:
            return TransientApiError(
                text, status=status, request_id=request_id, retry_after=retry_after
            )
        if status == 408 or status >= 500:
            return OutcomeUnknownError(text, status=status, request_id=request_id)
        return PermanentApiError(text, status=status, request_id=request_id)

    def _scrub(self, text: str) -> str:
        key = self._key.reveal()
        return text.replace(key, "********") if key else text


def _open(path: Path) -> IO[bytes]:
    """Open a file to send; a file gone or unreadable since the check fails only its row."""
    try:
        return path.open("rb")
    except FileNotFoundError:
        raise FileChangedError(
            f"{path.name} was removed after the check", path=path, code="file_missing"
        ) from None
    except OSError as exc:
        raise FileChangedError(
            f"cannot read {path.name}: {exc.strerror or exc}", path=path, code="file_unreadable"
        ) from None


def _connect_reason(exc: httpx.HTTPError) -> str:
    """Why a connection failed, in words (httpx gives the operating system's error text)."""
    text = str(exc)
    lowered = text.lower()
    if "name or service not known" in lowered or "nodename nor servname" in lowered:
        return "its host name does not resolve (check the URL)"
    if "getaddrinfo failed" in lowered or "temporary failure in name resolution" in lowered:
        return "its host name does not resolve (check the URL, or the network)"
    if "connection refused" in lowered or "actively refused" in lowered:
        return "nothing accepts connections there (check the URL and port)"
    if isinstance(exc, httpx.ConnectTimeout):
        return "the connection timed out (check the URL, a firewall or a proxy)"
    return text or type(exc).__name__


def environment_proxy(base_url: str) -> str | None:
    """The proxy the environment names for ``base_url`` (``HTTPS_PROXY``, ``ALL_PROXY``...), or
    None when there is none or ``NO_PROXY`` covers the host: what ``httpx.Client`` would use."""
    proxies = urllib.request.getproxies()
    url = httpx.URL(base_url)
    if not proxies or urllib.request.proxy_bypass(url.host):
        return None
    return proxies.get(url.scheme) or proxies.get("all")


def _json(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        raise OutcomeUnknownError(
            f"{response.request.method} {response.request.url.path}: the answer is not valid JSON",
            status=response.status_code,
        ) from None


def _error_text(response: httpx.Response) -> tuple[str, str | None]:
    # Spott's one documented error envelope is {status, message, requestId}.
    try:
        body = response.json()
    except ValueError:
        return (response.text[:200].strip() or response.reason_phrase), None
    if isinstance(body, dict):
        message = str(body.get("message") or body.get("error") or response.reason_phrase)
        request_id = body.get("requestId")
        return message, str(request_id) if request_id else None
    return str(body)[:200], None

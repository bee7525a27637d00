"""Configuration mistakes stop at once, with one clear line, and never show the key.

Over real processes: the CLI as a user runs it, against the sandbox or against addresses where
nothing (or something silent) listens.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from spott_migrate.sandbox import Sandbox

from ..helpers import CANARY_KEY, ManifestFactory, cli, read_xlsx_column


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A server that takes connections and never answers (a hung proxy, a wrong port)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            held.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join(timeout=2)
    for conn in held:
        conn.close()
    listener.close()


def test_a_key_read_from_a_crlf_file_works(
    sandbox: Sandbox, make_manifest: ManifestFactory
) -> None:
    """``export SPOTT_API_KEY=$(cat key.txt)`` with a Windows key file keeps the ``\\r``."""
    path = make_manifest(2, logos=0)
    result = cli(
        "run",
        str(path),
        "--base-url",
        sandbox.url,
        "--quiet",
        env={"SPOTT_API_KEY": f"  {CANARY_KEY}\r\n"},
    )
    assert result.returncode == 0, result.stderr
    assert set(read_xlsx_column(path, "spott_status").values()) == {"assigned"}


@pytest.mark.parametrize(
    ("key", "what"),
    [
        (f"{CANARY_KEY[:6]}\u00a0{CANARY_KEY[6:]}", "a non-ASCII character at position 7"),
        (f"{CANARY_KEY[:6]}é{CANARY_KEY[6:]}", "a non-ASCII character at position 7"),
        (f"{CANARY_KEY[:6]}\r{CANARY_KEY[6:]}", "a control character or space at position 7"),
    ],
)
def test_a_key_with_foreign_characters_is_a_configuration_error(
    sandbox: Sandbox, make_manifest: ManifestFactory, key: str, what: str
) -> None:
    path = make_manifest(2, logos=0)
    result = cli("run", str(path), "--base-url", sandbox.url, "--quiet", env={"SPOTT_API_KEY": key})
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"error: $SPOTT_API_KEY contains {what}; an API key is plain ASCII text — copy it again "
        "from Spott (Settings → API Keys)"
    )
    assert CANARY_KEY[:6] not in result.stdout + result.stderr
    assert sandbox.state.count() == 0


def test_the_key_on_the_command_line_is_named_as_such(
    sandbox: Sandbox, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(1, logos=0)
    result = cli("run", str(path), "--base-url", sandbox.url, "--api-key", "abc\u2028def")
    assert result.returncode == 2
    assert result.stderr.startswith("error: --api-key contains a non-ASCII character")


def test_nothing_listening_stops_the_run_at_once_and_rows_stay_pending(
    make_manifest: ManifestFactory,
) -> None:
    path = make_manifest(6, logos=1)
    url = f"http://127.0.0.1:{_free_port()}"
    started = time.monotonic()
    result = cli("run", str(path), "--base-url", url, "--quiet")
    assert time.monotonic() - started < 20  # not six tries per batch
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"cannot connect to {url}: nothing accepts connections there" in result.stderr
    assert "Traceback" not in result.stderr
    assert set(read_xlsx_column(path, "spott_status").values()) == {"pending"}
    assert CANARY_KEY not in result.stdout + result.stderr


def test_a_host_that_does_not_resolve_is_fatal(make_manifest: ManifestFactory) -> None:
    path = make_manifest(2, logos=0)
    result = cli("run", str(path), "--base-url", "https://spott-migrate-test.invalid", "--quiet")
    assert result.returncode == 2
    assert "cannot connect to https://spott-migrate-test.invalid" in result.stderr
    assert "Traceback" not in result.stderr
    assert set(read_xlsx_column(path, "spott_status").values()) == {"pending"}


def test_a_silent_server_ends_with_no_answer_after_the_timeout(
    silent_server: str, make_manifest: ManifestFactory
) -> None:
    path = make_manifest(4, logos=0)
    started = time.monotonic()
    result = cli("run", str(path), "--base-url", silent_server, "--quiet", "--read-timeout", "1")
    assert time.monotonic() - started < 20
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"no answer from {silent_server} after 1 s" in result.stderr
    assert "connection lost" not in result.stderr
    assert set(read_xlsx_column(path, "spott_status").values()) == {"pending"}


@pytest.mark.parametrize("url", ["ftp://spott.example", "https://", "https://api .gospott.com"])
def test_a_malformed_url_is_a_configuration_error(make_manifest: ManifestFactory, url: str) -> None:
    path = make_manifest(1, logos=0)
    result = cli("run", str(path), "--base-url", url, "--quiet")
    assert result.returncode == 2
    assert result.stderr.startswith("error: the base URL")
    assert "Traceback" not in result.stderr

"""``python -m spott_migrate.sandbox``: serve a sandbox and print its URL once it is ready.

The URL is the only thing written to stdout (one line, flushed), so a parent process can
read it to know when to start sending; logs go to stderr.
"""

from __future__ import annotations

import argparse
import signal
import sys
from collections.abc import Sequence

from spott_migrate.errors import ConfigError
from spott_migrate.sandbox.server import serve
from spott_migrate.sandbox.settings import (
    DEFAULT_API_KEY,
    DEFAULT_HOST,
    DEFAULT_PORT,
    RECORD_SHAPES,
    UNASSIGNED_SPELLINGS,
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m spott_migrate.sandbox",
        description="Local Spott-compatible server for trying migrations safely.",
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help="only 127.0.0.1/localhost")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port")
    parser.add_argument("--records", help="records store: a .json or .csv file")
    parser.add_argument("--api-key", default=DEFAULT_API_KEY)
    parser.add_argument("--fast", action="store_true", help="use httptools + uvloop")
    parser.add_argument("--temp-ttl", type=float, default=3600.0, metavar="SECONDS")
    parser.add_argument("--shuffle-uploads", action="store_true")
    parser.add_argument("--new-ids-on-assign", action="store_true")
    parser.add_argument("--max-file-bytes", type=int, default=None)
    # Readings of what Spott's docs leave open (see SandboxSettings).
    parser.add_argument("--rename-uploads", action="store_true")
    parser.add_argument("--omit-upload-sizes", action="store_true")
    parser.add_argument("--unassigned-spelling", choices=UNASSIGNED_SPELLINGS, default="unassigned")
    parser.add_argument("--record-shape", choices=RECORD_SHAPES, default="wrapped")
    parser.add_argument("--advertised-rate-limit", type=int, default=None, metavar="PER_MINUTE")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    # uvicorn shuts down gracefully on SIGTERM, then re-raises it with the handler found at
    # start: make that one a clean exit rather than death by signal (exit code -15).
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    extra = {} if args.max_file_bytes is None else {"max_file_bytes": args.max_file_bytes}
    try:
        serve(
            host=args.host,
            port=args.port,
            records=args.records,
            api_key=args.api_key,
            fast=args.fast,
            on_ready=lambda url: print(url, flush=True),
            temp_ttl_seconds=args.temp_ttl,
            shuffle_uploads=args.shuffle_uploads,
            new_ids_on_assign=args.new_ids_on_assign,
            rename_uploads=args.rename_uploads,
            omit_upload_sizes=args.omit_upload_sizes,
            unassigned_spelling=args.unassigned_spelling,
            record_shape=args.record_shape,
            advertised_rate_limit=args.advertised_rate_limit,
            **extra,
        )
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

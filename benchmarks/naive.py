"""The naive script: what a first attempt at the migration usually looks like.

One file per request, a fresh ``httpx.post`` (a new client and connection) for every call,
strictly sequential, and one assign per file right after its upload. It is here only to be
compared against; it does no retries, no journal and no validation.

    python -m benchmarks.naive URL API_KEY manifest.csv
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Sequence
from pathlib import Path

import httpx

from benchmarks.datagen import TARGET_COLUMNS, BenchFile

MIME = {".pdf": "application/pdf", ".png": "image/png"}


def run_naive(url: str, api_key: str, files: Sequence[BenchFile]) -> int:
    """Upload and assign each file in turn; return the number of requests sent."""
    headers = {"x-api-key": api_key}
    for f in files:
        with f.path.open("rb") as handle:
            answer = httpx.post(
                f"{url}/attachments/temporary",
                params={"type": f.wire_type},
                files={"files": (f.path.name, handle, f.mime)},
                headers=headers,
                timeout=120,
            )
        answer.raise_for_status()
        temp_id = answer.json()[0]["attachmentId"]
        body = {
            "attachments": [{"id": temp_id, "type": f.wire_type, "name": f.path.name}],
            f.target_field: f.target_id,
        }
        httpx.post(
            f"{url}/attachments/temporary/assign", json=body, headers=headers, timeout=120
        ).raise_for_status()
    return 2 * len(files)


def files_from_csv(path: Path) -> list[BenchFile]:
    """Files listed in a benchmark manifest (absolute paths, one target column filled)."""
    out: list[BenchFile] = []
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            file_path = Path(row["file_path"])
            field = next(f for f, column in TARGET_COLUMNS.items() if row.get(column))
            mime = MIME[file_path.suffix.lower()]
            size = file_path.stat().st_size
            out.append(
                BenchFile(file_path, row["type"], mime, field, row[TARGET_COLUMNS[field]], size)
            )
    return out


def main(argv: Sequence[str]) -> int:
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    url, key, manifest = argv
    sent = run_naive(url, key, files_from_csv(Path(manifest)))
    print(f"{sent} requests sent")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

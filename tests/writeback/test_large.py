"""100,000 rows: the write finishes (timing is reported, not asserted) and survives SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from spott_migrate.writeback import read_results, write_results

ROWS = 100_000
WHEN = "2024-05-01T10:00:00Z"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def big_xlsx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / "source.xlsx"
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Manifest")
    ws.append(["file_path", "type", "candidate_id", "name", "size"])
    for i in range(ROWS):
        ws.append([f"/legacy/files/{i:06d}/cv_{i}.pdf", "cv", f"cand-{i}", f"Person {i}", i])
    wb.save(path)
    return path


def results() -> dict[int, dict[str, str]]:
    return {
        row: {
            "spott_status": "assigned",
            "spott_attachment_id": f"att-{row:07d}",
            "spott_error": "",
            "spott_updated_at": WHEN,
        }
        for row in range(2, ROWS + 2)
    }


def test_100k_rows_xlsx(big_xlsx: Path, tmp_path: Path) -> None:
    path = tmp_path / "m.xlsx"
    path.write_bytes(big_xlsx.read_bytes())
    start = time.perf_counter()
    write_results(path, results())
    elapsed = time.perf_counter() - start
    print(f"\nwrite_results, {ROWS:,} rows × 4 cells (.xlsx): {elapsed:.1f} s")

    back = read_results(path)
    assert len(back) == ROWS
    assert back[ROWS + 1]["spott_attachment_id"] == f"att-{ROWS + 1:07d}"
    ws = openpyxl.load_workbook(path, read_only=True)["Manifest"]
    first, second = ws.iter_rows(min_row=1, max_row=2, values_only=True)
    assert first[5:] == ("spott_status", "spott_attachment_id", "spott_error", "spott_updated_at")
    assert second[:6] == (
        "/legacy/files/000000/cv_0.pdf",
        "cv",
        "cand-0",
        "Person 0",
        0,
        "assigned",
    )


def test_100k_rows_csv(tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("file_path,type,candidate_id\r\n")
        handle.writelines(f"/legacy/{i}.pdf,cv,cand-{i}\r\n" for i in range(ROWS))
    start = time.perf_counter()
    write_results(path, results())
    elapsed = time.perf_counter() - start
    print(f"\nwrite_results, {ROWS:,} rows × 4 cells (.csv): {elapsed:.1f} s")
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == ROWS + 1
    last = ROWS + 1
    assert lines[-1] == f"/legacy/{ROWS - 1}.pdf,cv,cand-{ROWS - 1},assigned,att-{last:07d},,{WHEN}"


WRITER = """
import sys
from pathlib import Path
from spott_migrate.writeback import write_results
rows = {r: {"spott_status": "ok", "spott_attachment_id": f"att-{r}"} for r in range(2, 100_002)}
print("start", flush=True)
write_results(Path(sys.argv[1]), rows, backup=False)
"""


def wait_for_temp_bytes(folder: Path, timeout: float = 120.0) -> None:
    """Return once the writer's temporary file has content: the package is being written."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for candidate in folder.glob("*.spott-tmp"):
            try:
                if candidate.stat().st_size > 0:
                    return
            except FileNotFoundError:
                continue
        time.sleep(0.005)
    raise AssertionError("the writer never started writing its temporary file")


@pytest.mark.skipif(os.name != "posix", reason="needs SIGKILL")
@pytest.mark.parametrize("moment", ["while preparing", "while writing the temp file"])
def test_killed_mid_save_leaves_the_previous_file(
    big_xlsx: Path, tmp_path: Path, moment: str
) -> None:
    path = tmp_path / "m.xlsx"
    original = big_xlsx.read_bytes()
    path.write_bytes(original)
    child = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "start"
    if moment == "while preparing":
        time.sleep(0.3)
    else:
        wait_for_temp_bytes(tmp_path)
    child.send_signal(signal.SIGKILL)
    child.wait()

    assert path.read_bytes() == original
    # A killed process cannot clean up; what it leaves is clearly named and never read.
    others = [p.name for p in tmp_path.iterdir() if p != path]
    assert all(name.startswith(".m.xlsx.") and name.endswith(".spott-tmp") for name in others)

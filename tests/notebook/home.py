"""Where the tests run the worked notebooks: a folder laid out like the repository.

The notebooks find the sample data at ``../sample_data`` and write into ``runs/`` beside
themselves; a test gives them a temporary copy of that layout (the sample data linked, not
copied: the notebooks copy what they use), so a test run leaves the repository as it was.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = REPO / "notebooks"
SAMPLE = REPO / "sample_data"
NAMES = ("01_quickstart.ipynb", "02_legacy_export.ipynb", "03_rerun_failed.ipynb")


def notebook_home(root: Path) -> Path:
    """``root/notebooks`` (returned: the notebooks' working folder) and ``root/sample_data``."""
    home = root / "notebooks"
    home.mkdir(parents=True, exist_ok=True)
    sample = root / "sample_data"
    if not sample.exists():
        sample.symlink_to(SAMPLE, target_is_directory=True)
    return home

"""Take docs/panel.png: a real render of the control panel after a real run.

Runs the sample migration in the sandbox through the panel (with two assigns refused, so the
failure paths show), saves the panel's live widget state into an HTML page rendered by the
official widget manager (``@jupyter-widgets/html-manager``, from the npm registry, served from
127.0.0.1: no CDN), and has headless Chromium (Debian's ``chromium``) photograph it.

Not part of ``make test``. Needs ``npm`` and ``chromium`` on the PATH; from the repository root:

    .venv/bin/python notebooks/tools/screenshot_panel.py
"""

from __future__ import annotations

import argparse
import functools
import http.server
import shutil
import subprocess
import tarfile
import tempfile
import threading
from pathlib import Path

from ipywidgets.embed import embed_snippet
from PIL import Image

from spott_migrate import Settings
from spott_migrate.demo import prepare_workdir
from spott_migrate.notebook import Panel
from spott_migrate.sandbox import Sandbox

REPO = Path(__file__).resolve().parents[2]
PAGE = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>spott-migrate panel</title>
<style>body {{ margin: 16px 24px; background: #fff;
  font-family: system-ui, "DejaVu Sans", sans-serif; }}</style>
</head><body>{snippet}</body></html>"""
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--virtual-time-budget=15000",
)


def widget_manager(into: Path) -> Path:
    """``embed.js`` and its fonts, unpacked from the npm package."""
    subprocess.run(
        ["npm", "pack", "--silent", "@jupyter-widgets/html-manager@1"],
        cwd=into,
        check=True,
        capture_output=True,
    )
    tarball = next(into.glob("jupyter-widgets-html-manager-*.tgz"))
    with tarfile.open(tarball) as archive:
        archive.extractall(into, filter="data")
    return into / "package" / "dist"


def panel_after_a_run(work: Path) -> tuple[Panel, Sandbox]:
    """The sample manifest, run through the panel: a pilot, then the rest with faults."""
    folder = prepare_workdir(REPO / "sample_data", work / "run")
    sandbox = Sandbox(records=folder / "records.json").start()
    settings = Settings(base_url=sandbox.url, api_key=sandbox.api_key)
    panel = Panel(folder / "manifest.xlsx", settings=settings, pilot_rows=5)
    panel.run_pilot()
    panel.wait(120)
    sandbox.faults.add("assign", "status_before", status=400, times=2)
    panel.run_all()
    panel.wait(120)
    if panel.last_error:
        raise SystemExit(f"the panel reported: {panel.last_error}")
    panel.problems.code.value = "extension_not_allowed"  # show the filter in use
    return panel, sandbox


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


def trim(png: Path, margin: int = 16) -> None:
    """Cut the empty page below the panel."""
    image = Image.open(png).convert("RGB")
    width, height = image.size
    pixels = image.load()
    last = height - 1
    while last > 0 and all(pixels[x, last] == (255, 255, 255) for x in range(0, width, 4)):
        last -= 1
    image.crop((0, 0, width, min(height, last + margin))).save(png, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "panel.png")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "chromium")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=3400)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="spott-shot-") as tmp:
        root = Path(tmp)
        site = widget_manager(root)
        panel, sandbox = panel_after_a_run(root)
        try:
            snippet = embed_snippet(
                [panel.widget], requirejs=False, embed_url="embed.js", cors=False
            )
        finally:
            sandbox.stop()
        (site / "panel.html").write_text(PAGE.format(snippet=snippet), encoding="utf-8")
        server, url = serve(site)
        try:
            subprocess.run(
                [
                    args.chromium,
                    *CHROMIUM_FLAGS,
                    f"--user-data-dir={root / 'chromium-profile'}",
                    f"--window-size={args.width},{args.height}",
                    f"--screenshot={args.out}",
                    f"{url}/panel.html",
                ],
                check=True,
                capture_output=True,
                timeout=120,
            )
        finally:
            server.shutdown()
    trim(args.out)
    print("wrote", args.out)


if __name__ == "__main__":
    main()

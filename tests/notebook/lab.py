"""JupyterLab on 127.0.0.1 and Debian's Chromium driven by Playwright, for the browser tests.

:class:`JupyterLab` starts the server in a folder of its own: token set, one port and no other
(``port_retries=0``), no browser, no news or update checks, settings and runtime files in that
folder, and no ``SPOTT_API_KEY`` in its (and so its kernels') environment. :class:`LabPage` is
one browser tab on it, with what a person does: open a notebook, run all cells, save, click.

Playwright's own browser download is not reachable here, so the system Chromium is used; when
it is missing, :func:`chromium` installs it with apt-get where it can (as CI does in .ci/run).
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
# JupyterLab's front-end settings: every cell in the page (no virtual scrolling, so the test
# sees all outputs), and no news or update notices.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}
START_TIMEOUT = 60.0


def chromium() -> Path:
    """The system Chromium; installed with apt-get when missing and possible, else skip."""
    if not CHROMIUM.exists():
        _apt_install("chromium")
    if not CHROMIUM.exists():
        pytest.skip(f"no browser: {CHROMIUM} is missing and apt-get could not install it")
    return CHROMIUM


def _apt_install(package: str) -> None:
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        return  # not Debian, or not root: nothing this test may install
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for step in (["install", "-y", package], ["update"], ["install", "-y", package]):
        subprocess.run([apt, *step], env=env, capture_output=True, timeout=900, check=False)
        if step[0] == "install" and CHROMIUM.exists():
            return


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class JupyterLab:
    """A JupyterLab server serving ``root``, started by :meth:`start`, ended by :meth:`stop`."""

    def __init__(self, root: Path, state: Path) -> None:
        self.root, self.state = root, state
        self.token = os.urandom(12).hex()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = state / "jupyterlab.log"
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> JupyterLab:
        settings = self.state / "lab-settings"
        for name, values in LAB_SETTINGS.items():
            path = settings / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SPOTT_", "JUPYTER"))}
        # Everything the server and its kernels write goes under `state`, nothing to ~/.
        # (Kernel specs and JupyterLab's extensions are found in the virtualenv itself.)
        env.update(
            JUPYTER_CONFIG_DIR=str(self.state / "config"),
            JUPYTER_DATA_DIR=str(self.state / "data"),
            JUPYTER_RUNTIME_DIR=str(self.state / "runtime"),
            IPYTHONDIR=str(self.state / "ipython"),
            JUPYTERLAB_SETTINGS_DIR=str(settings),
            JUPYTERLAB_WORKSPACES_DIR=str(self.state / "workspaces"),
            PYTHONUNBUFFERED="1",
        )
        command = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--allow-root",
            "--ip=127.0.0.1",
            f"--port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
            # window.jupyterapp: the test runs JupyterLab's own commands (open, run all, save)
            "--LabApp.expose_app_in_browser=True",
        ]
        with self.log.open("wb") as log:
            self._proc = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self._proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited early:\n{self.log.read_text()[-3000:]}")
            try:
                self.api("GET", "status")
                return self
            except OSError:
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError("JupyterLab did not start in time") from None
                time.sleep(0.2)

    def api(self, method: str, path: str) -> Any:
        """One call to the server's REST API."""
        request = urllib.request.Request(
            f"{self.url}/api/{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as answer:
            body = answer.read()
        return json.loads(body) if body else None

    def shut_down_kernels(self) -> None:
        """End every session (and its kernel), as closing a notebook and its kernel does."""
        for session in self.api("GET", "sessions"):
            self.api("DELETE", f"sessions/{session['id']}")

    def stop(self) -> None:
        if self._proc is None:
            return
        self._proc.terminate()  # the server shuts its kernels down on SIGTERM
        try:
            self._proc.wait(20)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait(5)
        self._proc = None


@contextmanager
def browser(profile: Path) -> Iterator[BrowserContext]:
    """Headless Chromium with a fresh, empty profile."""
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(chromium()),
            headless=True,
            args=list(CHROMIUM_ARGS),
            viewport={"width": 1280, "height": 1000},
        )
        try:
            yield context
        finally:
            context.close()


class LabPage:
    """One JupyterLab tab, driven through JupyterLab's own commands and the page's widgets."""

    def __init__(self, page: Page, lab: JupyterLab, shots: Path) -> None:
        self.page, self.lab, self.shots = page, lab, shots

    def open_lab(self) -> None:
        self.page.goto(f"{self.lab.url}/lab?token={self.lab.token}")
        self.page.wait_for_function(
            "() => window.jupyterapp && window.jupyterapp.shell && "
            "document.querySelector('.jp-LabShell')",
            timeout=60_000,
        )

    def command(self, name: str, args: dict[str, Any] | None = None, timeout: float = 60) -> Any:
        """Run a JupyterLab command and wait for it (a run-all waits for every cell)."""
        return self.page.evaluate(
            """async ([name, args, ms]) => {
                const done = window.jupyterapp.commands.execute(name, args);
                const late = new Promise((_, no) => setTimeout(() => no(new Error(
                    name + ' did not finish in ' + ms + ' ms')), ms));
                const result = await Promise.race([done, late]);
                return typeof result === 'boolean' ? result : null;
            }""",
            [name, args or {}, int(timeout * 1000)],
        )

    def open_notebook(self, path: str) -> None:
        """Open ``path`` (relative to the server's root) and wait for its kernel."""
        self.page.evaluate(
            """async (path) => {
                const widget = await window.jupyterapp.commands.execute(
                    'docmanager:open', {path});
                await widget.context.ready;
                await widget.sessionContext.ready;
                window.jupyterapp.shell.activateById(widget.id);
            }""",
            path,
        )
        self.page.wait_for_function(
            """() => { const w = window.jupyterapp.shell.currentWidget;
                const k = w && w.sessionContext && w.sessionContext.session
                    && w.sessionContext.session.kernel;
                return k && k.status === 'idle'; }""",
            timeout=60_000,
        )

    def run_all(self, timeout: float = 180) -> bool:
        """Run every cell of the current notebook; True when none raised."""
        return bool(self.command("notebook:run-all-cells", timeout=timeout))

    def save(self) -> None:
        self.command("docmanager:save")

    def close_all(self) -> None:
        self.command("application:close-all")

    def notebook(self) -> Any:
        """The current notebook's tab (a locator)."""
        return self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")

    def shot(self, name: str, locator: Any = None) -> Path:
        """A screenshot of the page (or of one element) in the artefacts folder."""
        path = self.shots / f"{name}.png"
        if locator is None:
            self.page.screenshot(path=str(path))
        else:
            locator.screenshot(path=str(path))
        return path

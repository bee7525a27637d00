"""Section 1: choose the manifest, by path or by uploading it, and its sheet."""

from __future__ import annotations

import time
from pathlib import Path

import ipywidgets as widgets

from .common import Cause, Note, wrapping_row

_ACCEPT = ".xlsx,.xlsm,.csv"


class SourceView:
    """Path box, upload button, sheet dropdown, Load button and a message line."""

    def __init__(self, path: str = "", upload_dir: Path | None = None) -> None:
        self.upload_dir = upload_dir or Path.cwd()
        self.path = widgets.Text(
            value=path,
            description="Manifest",
            placeholder="path/to/manifest.xlsx",
            layout=widgets.Layout(width="36em"),
        )
        self.upload = widgets.FileUpload(accept=_ACCEPT, multiple=False, description="Upload…")
        self.sheet = widgets.Dropdown(
            options=[], description="Sheet", layout=widgets.Layout(width="18em")
        )
        self.load = widgets.Button(
            description="Load",
            button_style="primary",
            icon="folder-open",
            tooltip="read the manifest and check it",
        )
        self.note = Note()
        self.widget = widgets.VBox(
            [
                wrapping_row([self.path, self.upload]),
                wrapping_row([self.sheet, self.load]),
                self.note,
            ]
        )

    def set_sheets(self, names: list[str], current: str | None) -> None:
        """Offer a workbook's sheets (hidden for a CSV)."""
        self.sheet.options = names
        self.sheet.value = current if current in names else (names[0] if names else None)
        self.sheet.layout.display = None if names else "none"

    def save_upload(self) -> Path | None:
        """Write an uploaded file to :attr:`upload_dir`; return its path (None if none).

        Paths in the manifest are relative to its folder, so :attr:`upload_dir` should be the
        folder the files are in. An existing file with other content is never overwritten.
        """
        if not self.upload.value:
            return None
        item = self.upload.value[0]
        content = bytes(item["content"])
        target = self.upload_dir / Path(str(item["name"])).name
        if target.exists() and target.read_bytes() != content:
            stamp = time.strftime("%Y%m%d-%H%M%S")
            target = target.with_name(f"{target.stem}-uploaded-{stamp}{target.suffix}")
        target.write_bytes(content)
        self.upload.value = ()  # the workbook's bytes need not stay in the widget state
        self.path.value = str(target)
        return target

    def say(self, text: str, tone: str = "info", cause: Cause | None = None) -> None:
        """Show one line under the controls."""
        self.note.say(text, tone, cause)

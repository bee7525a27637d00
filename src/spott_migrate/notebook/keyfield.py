"""The API key field: typed into a password box, kept as a :class:`Secret`, never shown.

As soon as the box hands over its value the key is wrapped in a ``Secret`` and the box is
cleared, so no widget state (saved in the notebook file, sent to the browser) holds the key for
longer than that moment. The status line says only where the key came from.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from .. import spott_api
from ..config import Secret


class KeyField:
    """A password box plus a status line; :attr:`secret` is the key to use, or None."""

    def __init__(self, initial: Secret | None = None, *, source: str = "settings") -> None:
        self._secret = initial
        self._source = source if initial else ""
        # Called with the new state (set or not) whenever the key changes.
        self.on_change: Callable[[bool], None] | None = None
        # continuous_update=False: the browser sends the value once (Enter or leaving the box),
        # not once per keystroke, so the box can be cleared as soon as it arrives.
        self.password = widgets.Password(
            placeholder="paste the key, then Enter",
            description="API key",
            continuous_update=False,
            layout=widgets.Layout(width="24em", flex="0 0 auto"),
        )
        self.status = widgets.HTML()
        self.password.observe(self._on_value, names="value")
        self.widget = widgets.HBox(
            [self.password, self.status],
            layout=widgets.Layout(flex_flow="row wrap", align_items="center"),
        )
        self._show()

    @property
    def secret(self) -> Secret | None:
        """The key to use, taking anything still in the box first."""
        self.take()
        return self._secret

    def take(self) -> None:
        """Move a typed key out of the box into a ``Secret``."""
        value = self.password.value
        if value:
            self._secret = Secret(value.strip())
            self._source = "entered"
            self.password.value = ""
            self._show()
            self._changed()

    def forget(self) -> None:
        """Drop the key (e.g. after the server refused it)."""
        self._secret = None
        self._source = ""
        self._show()
        self._changed()

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change(self._secret is not None)

    def _on_value(self, change: dict[str, Any]) -> None:
        if change["new"]:
            self.take()

    def _show(self) -> None:
        if self._secret:
            where = {"entered": "entered here", "environment": f"from {spott_api.API_KEY_ENV}"}
            text = f"key set ({where.get(self._source, 'from the settings')}, hidden)"
            self.status.value = f'<span style="color:#009E73">✔ {text}</span>'
        else:
            self.status.value = (
                '<span style="color:#D55E00">no API key yet: paste it in the box, or set '
                f"{spott_api.API_KEY_ENV} before starting Jupyter</span>"
            )

    def __repr__(self) -> str:
        return f"KeyField(set={bool(self._secret)})"

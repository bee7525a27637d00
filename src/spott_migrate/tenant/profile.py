"""``spott-tenant.json``: what ``doctor`` learnt about a tenant, and what a run makes of it.

The profile records the answers the docs leave open (how the upload answers, which spelling
of ``unassigned`` it takes, rate-limit headers, latency). :func:`adjust_settings` is the one
place those findings become run behaviour; each change comes with a sentence saying why.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from ..config import Settings
from ..errors import ConfigError
from .store import normal_base_url

PROFILE_VERSION = 1


class Verdict(StrEnum):
    """What the tenant said about one assumption."""

    CONFIRMED = "confirmed"
    ADAPTED = "adapted"  # the tenant answers otherwise; runs adapt (see `adjust_settings`)
    DIFFERS = "differs"  # the tenant answers otherwise, and the tool cannot adapt by itself
    UNKNOWN = "unknown"  # could not be checked (doctor never assigns, or nothing to look at)


@dataclass(frozen=True)
class Finding:
    """One assumption the tool makes, and what the tenant said about it."""

    key: str
    assumption: str
    verdict: Verdict
    detail: str = ""


@dataclass(frozen=True)
class UploadShape:
    """How the tenant answered the one test upload (None: not learnt)."""

    status: int | None = None
    answer_is_list: bool | None = None
    names_kept: bool | None = None
    sizes_echoed: bool | None = None
    unassigned_spelling: str | None = None
    extension: str | None = None


@dataclass(frozen=True)
class TenantProfile:
    """Everything ``doctor`` writes to ``spott-tenant.json`` (never the key)."""

    base_url: str
    checked_at: str
    upload: UploadShape = field(default_factory=UploadShape)
    findings: tuple[Finding, ...] = ()
    rate_limit_headers: dict[str, str] = field(default_factory=dict)
    latency_ms: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["version"] = PROFILE_VERSION
        data["findings"] = [{**asdict(f), "verdict": f.verdict.value} for f in self.findings]
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TenantProfile:
        try:
            upload = UploadShape(**dict(data.get("upload") or {}))
            findings = tuple(
                Finding(f["key"], f["assumption"], Verdict(f["verdict"]), f.get("detail", ""))
                for f in data.get("findings") or []
            )
            return cls(
                base_url=str(data["base_url"]),
                checked_at=str(data["checked_at"]),
                upload=upload,
                findings=findings,
                rate_limit_headers={
                    str(k): str(v) for k, v in (data.get("rate_limit_headers") or {}).items()
                },
                latency_ms={str(k): float(v) for k, v in (data.get("latency_ms") or {}).items()},
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"the tenant profile is not one doctor wrote ({exc})") from exc


def save_profile(profile: TenantProfile, path: str | Path) -> Path:
    """Write the profile atomically (beside it first, then swapped in)."""
    target = Path(path)
    text = json.dumps(profile.to_json(), indent=2, ensure_ascii=False) + "\n"
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or Path("."))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target


def load_profile(path: str | Path) -> TenantProfile:
    """Read a profile; :class:`ConfigError` with the reason if it cannot be used."""
    source = Path(path)
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read the tenant profile {source}: {exc}") from exc
    except ValueError as exc:
        raise ConfigError(f"the tenant profile {source} is not valid JSON: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"the tenant profile {source} is not a JSON object")
    return TenantProfile.from_json(data)


def adjust_settings(settings: Settings, profile: TenantProfile) -> tuple[Settings, list[str]]:
    """The run settings this tenant needs, and why each one changed.

    A profile made against another base URL changes nothing (and says so).
    """
    if normal_base_url(profile.base_url) != normal_base_url(settings.base_url):
        return settings, [
            f"the tenant profile was made against {profile.base_url}, not {settings.base_url};"
            f" it is not used (run spott-migrate doctor --base-url {settings.base_url})"
        ]
    changes: dict[str, Any] = {}
    notes: list[str] = []
    shape = profile.upload
    unmatched = []
    if shape.names_kept is False:
        unmatched.append("renames uploaded files")
    if shape.sizes_echoed is False:
        unmatched.append("does not echo file sizes")
    if unmatched and settings.max_files_per_upload > 1:
        # Answers are matched to files by name and size: with either missing, only a
        # one-file upload can be matched for sure.
        changes["max_files_per_upload"] = 1
        notes.append(
            f"the tenant {' and '.join(unmatched)} in upload answers: one file per upload, so"
            " every answer is matched to its file"
        )
    spelling = shape.unassigned_spelling
    if spelling and spelling != "unassigned":
        pairs = dict(settings.type_spellings)
        pairs["unassigned"] = spelling
        changes["type_spellings"] = tuple(pairs.items())
        notes.append(f"the tenant takes the unassigned type as {spelling!r}: uploads send that")
    return (settings.with_(**changes) if changes else settings), notes

"""What every request handler gets: settings, records, state and faults of one sandbox."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from spott_migrate.sandbox.faults import Faults
from spott_migrate.sandbox.records import RecordStore
from spott_migrate.sandbox.settings import SandboxSettings
from spott_migrate.sandbox.state import SandboxState


@dataclass
class SandboxContext:
    """One sandbox's world. ``settings`` may be replaced while serving (reads are atomic)."""

    settings: SandboxSettings = field(default_factory=SandboxSettings)
    records: RecordStore = field(default_factory=RecordStore)
    state: SandboxState = field(default_factory=SandboxState)
    faults: Faults = field(default_factory=Faults)
    rng: random.Random = field(default_factory=random.Random)

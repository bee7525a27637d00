"""Type inference: which Spott attachment type a legacy file is, and which rule said so.

Rules are data. Each maps a word, a phrase or a regular expression to a wire type and says
whether it looks at file names, folder names or both. A user's rules (a small CSV or JSON
file) go before the built-in ones, so they can add words and override ours.

Evidence is weighed in a fixed order, most specific first: a type the export declares in a
column, a yes/no flag column (``isResume``), the file name, the folders between the record's
folder and the file (innermost first), and finally the default type.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Final, Literal

import pandas as pd

from .. import spott_api
from ..errors import ConfigError

Scope = Literal["name", "folder", "any"]
_SCOPES: Final = ("name", "folder", "any")
REGEX_PREFIX: Final = "re:"
BUILT_IN: Final = "built-in"
DEFAULT_TYPE: Final = "unassigned"
TRUE_WORDS: Final = frozenset({"1", "true", "yes", "y", "x", "ja", "oui", "si", "t"})


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def tokens(text: str) -> list[str]:
    """Words of a file or folder name: split at punctuation, digits and camelCase humps."""
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", text)
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", text)
    return re.findall(r"[a-z]+|[0-9]+", _plain(text))


class _Name:
    """A file or folder name, lower-cased without accents and split into words."""

    __slots__ = ("plain", "words")

    def __init__(self, text: str) -> None:
        self.plain = _plain(text)
        self.words = tokens(text)


@dataclass(frozen=True)
class TypeRule:
    """One word, phrase or ``re:`` regular expression that names an attachment type."""

    pattern: str
    type: str
    applies_to: Scope = "any"
    origin: str = BUILT_IN

    def __post_init__(self) -> None:
        wire = spott_api.normalise_type(self.type)
        if wire is None:
            raise ConfigError(f"type rule {self.pattern!r}: unknown attachment type {self.type!r}")
        if self.applies_to not in _SCOPES:
            raise ConfigError(
                f"type rule {self.pattern!r}: applies_to must be one of {', '.join(_SCOPES)}"
            )
        object.__setattr__(self, "type", wire)
        if self.is_regex:
            try:
                re.compile(self.pattern[len(REGEX_PREFIX) :])
            except re.error as exc:
                raise ConfigError(
                    f"type rule {self.pattern!r}: bad regular expression: {exc}"
                ) from exc
        elif not tokens(self.pattern):
            raise ConfigError(f"type rule {self.pattern!r}: the pattern has no letters or digits")

    @property
    def is_regex(self) -> bool:
        return self.pattern.startswith(REGEX_PREFIX)

    @cached_property
    def _spelling(self) -> str:
        return "".join(tokens(self.pattern))

    @cached_property
    def _regex(self) -> re.Pattern[str]:
        return re.compile(self.pattern[len(REGEX_PREFIX) :])

    def matches(self, text: str) -> bool:
        """Whether a file or folder name contains this rule's word or matches its expression."""
        return self.matches_words(_Name(text))

    def matches_words(self, name: _Name) -> bool:
        """`matches` for a name already split into words (done once per file, not per rule)."""
        if self.is_regex:
            return self._regex.search(name.plain) is not None
        # A phrase matches any run of consecutive words that spells it, so "cover letter"
        # matches "Cover-Letter", "CoverLetter" and "coverletter"; a trailing plural s is allowed.
        target = self._spelling
        words = name.words
        for start in range(len(words)):
            joined = ""
            for word in words[start:]:
                joined += word
                if joined in (target, target + "s"):
                    return True
                if len(joined) > len(target) + 1:
                    break
        return False

    def label(self, where: str) -> str:
        """How this rule is named in the manifest's ``type_rule`` column."""
        text = f"{where}:{self.pattern}"
        return text if self.origin == BUILT_IN else f"{text} ({self.origin})"


def _rules(type_: str, *patterns: str) -> list[TypeRule]:
    return [TypeRule(p, type_) for p in patterns]


# Order matters: the first rule that matches wins. Bare "id" comes last because it is the
# word most likely to turn up in a name by accident.
DEFAULT_RULES: Final[tuple[TypeRule, ...]] = (
    *_rules(
        "COVER_LETTER", "cover letter", "cover", "motivation letter", "motivation", "anschreiben"
    ),
    *_rules("CV", "cv", "resume", "curriculum vitae", "lebenslauf"),
    *_rules("OFFER", "offer", "contract"),
    *_rules(
        "JOB_DESCRIPTION",
        "job spec",
        "job specification",
        "job description",
        "job profile",
        "role profile",
        "position description",
        "jd",
    ),
    *_rules("TERMS_AND_CONDITIONS", "terms and conditions", "terms of business", "terms"),
    *_rules("SCORECARD", "scorecard"),
    *_rules("QUESTIONNAIRE", "questionnaire"),
    *_rules("PERSONALITY_TEST", "personality test", "personality"),
    *_rules("TRANSCRIPT", "transcript"),
    *_rules("CANDIDATE_BRIEFING", "briefing"),
    *_rules("LOGO", "logo"),
    *_rules("ID_DOCUMENT", "passport", "identity card", "id card", "identity", "id"),
)


@dataclass(frozen=True)
class Inference:
    """The type chosen for one file and the rule that chose it."""

    type: str
    rule: str


def is_true(value: object) -> bool:
    """Whether a flag cell says yes (``1``, ``true``, ``yes``, ``x`` …)."""
    return str(value).strip().lower() in TRUE_WORDS


@dataclass(frozen=True)
class TypeRules:
    """An ordered rule set plus the type for files no rule recognises."""

    rules: tuple[TypeRule, ...] = DEFAULT_RULES
    default: str = DEFAULT_TYPE
    flags: Mapping[str, str] = field(
        default_factory=lambda: {"isresume": "CV", "iscv": "CV", "islogo": "LOGO"}
    )

    def __post_init__(self) -> None:
        wire = spott_api.normalise_type(self.default)
        if wire is None:
            raise ConfigError(f"unknown default attachment type {self.default!r}")
        object.__setattr__(self, "default", wire)

    def extended(self, extra: Iterable[TypeRule]) -> TypeRules:
        """A copy with ``extra`` rules tried before these."""
        return replace(self, rules=(*extra, *self.rules))

    def flag_type(self, column: str) -> str | None:
        """The type a yes/no column stands for (``isResume`` → CV), or None."""
        key = re.sub(r"[^0-9a-z]", "", column.lower())
        found = self.flags.get(key)
        return spott_api.normalise_type(found) if found else None

    def infer(
        self,
        file_name: str,
        folders: Sequence[str] = (),
        *,
        declared: str = "",
        declared_by: str = "type",
        flags: Sequence[str] = (),
    ) -> Inference:
        """Choose a type for one file.

        ``folders`` are the folder names between the record's folder and the file, outermost
        first; ``declared`` is the export's own type text (from column ``declared_by``) and
        ``flags`` are the names of the yes/no columns that are set for this file.
        """
        if declared.strip():
            wire = spott_api.normalise_type(declared)
            if wire is not None:
                return Inference(wire, f"column:{declared_by}")
            words = _Name(declared)
            for rule in self.rules:
                if rule.matches_words(words):
                    return Inference(rule.type, f"column:{declared_by}")
        for flag in flags:
            wire = self.flag_type(flag)
            if wire is not None:
                return Inference(wire, f"flag:{flag}")
        stem = _Name(Path(file_name).stem)
        for rule in self.rules:
            if rule.applies_to != "folder" and rule.matches_words(stem):
                return Inference(rule.type, rule.label("name"))
        for folder in reversed(folders):
            name = _Name(folder)
            for rule in self.rules:
                if rule.applies_to != "name" and rule.matches_words(name):
                    return Inference(rule.type, rule.label("folder"))
        return Inference(self.default, "default")


def load_rules(path: str | Path) -> list[TypeRule]:
    """Read extra rules from a CSV (``pattern,type[,applies_to]``) or a JSON list of objects.

    In a CSV, rows whose pattern starts with ``#`` are comments.
    """
    path = Path(path)
    origin = path.name
    try:
        if path.suffix.lower() == ".json":
            items = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(items, list):
                raise ConfigError(f"{path}: expected a JSON list of rules")
        else:
            frame = pd.read_csv(
                path, dtype=str, keep_default_na=False, skipinitialspace=True, encoding="utf-8-sig"
            )
            frame.columns = [str(c).strip().lower() for c in frame.columns]
            items = frame.to_dict("records")
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read type rules from {path}: {exc}") from exc
    rules: list[TypeRule] = []
    for item in items:
        if not isinstance(item, dict) or "pattern" not in item or "type" not in item:
            raise ConfigError(f"{path}: every rule needs a pattern and a type, got {item!r}")
        pattern = str(item["pattern"]).strip()
        if not pattern or pattern.startswith("#"):
            continue
        scope = str(item.get("applies_to") or "any").strip().lower()
        # scope is checked against the allowed values above; mypy cannot narrow str to them.
        rules.append(TypeRule(pattern, str(item["type"]).strip(), scope, origin))  # type: ignore[arg-type]
    return rules

"""Profiles: settings of their own for a source, channels or authors, from a TOML file (docs/profiles.md).

Each top-level table of ``PROFILES_FILE`` is a profile. It matches messages by ``source``,
``channels`` and/or ``authors`` (ids), and sets its own sizing rule, premium range, followed kinds,
management rules and any limit of the global settings, named as the setting in lower case
(``max_contracts = 3``). A message gets the most specific profile that matches it (an author's
beats a channel's, which beats a source's; among equals, the first in the file); a message no
profile matches is decided with the global settings. The account-wide daily loss cap stays global:
a profile may lower its ``daily_loss_limit``, never raise it.

Validated like the settings: an unknown key or a bad value is one line naming the file, the profile
and the key (``ProfileError``, exit 2 at the command line).
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import time
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from risk import Limits, MissingExpiry, Sizing, SizingRule

from .messages import Message
from .settings import LIMIT_SETTINGS, Settings, first_error

Mode = Literal["trade", "confirm", "shadow"]
Kind = Literal["open", "add", "exit", "trim", "move_stop", "cancel"]
SIZING_KEYS = {
    "contracts": SizingRule.FIXED,
    "multiplier": SizingRule.MULTIPLIER,
    "premium_budget": SizingRule.PREMIUM_BUDGET,
    "account_percent": SizingRule.ACCOUNT_PERCENT,
}


class ProfileError(Exception):
    """``str()`` is the one line shown: the file, the profile, the key and what is wrong."""


class Rules(BaseModel):
    """A profile's own keys (its limits are the global settings' names, in lower case)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False)

    source: str | None = None
    channels: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    mode: Mode = "trade"
    confirm_seconds: int = Field(60, ge=5, le=3600)
    contracts: int | None = Field(None, ge=1)
    multiplier: Decimal | None = Field(None, gt=0)
    premium_budget: Decimal | None = Field(None, gt=0)
    account_percent: Decimal | None = Field(None, gt=0, le=100)
    min_premium: Decimal | None = Field(None, gt=0)
    max_premium: Decimal | None = Field(None, gt=0)
    kinds: tuple[Kind, ...] | None = None
    breakeven_after_target: bool = False
    flatten_at: time | None = None  # New York time of day
    max_hold_minutes: int | None = Field(None, ge=1)
    flatten_before_close_minutes: int | None = Field(None, ge=0, le=390)
    trail_amount: Decimal | None = Field(None, gt=0)
    trail_percent: Decimal | None = Field(None, gt=0, lt=100)
    trail_after_percent: Decimal | None = Field(None, gt=0)
    missing_expiry: MissingExpiry = MissingExpiry.REFUSE
    missing_expiry_symbols: tuple[str, ...] | None = None  # None: the daily-expiry classes

    @field_validator("missing_expiry_symbols", mode="before")
    @classmethod
    def _symbols(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return tuple(str(item).strip().upper().lstrip("$") for item in value)
        return value

    @field_validator("flatten_at", mode="before")
    @classmethod
    def _clock_time(cls, value: Any) -> Any:
        """``"15:45"`` (New York): TOML's own times are accepted too."""
        if isinstance(value, str):
            try:
                return time.fromisoformat(value)
            except ValueError:
                raise ValueError('write a New York time of day as HH:MM, e.g. "15:45"') from None
        return value

    @field_validator("channels", "authors", mode="before")
    @classmethod
    def _ids(cls, value: Any) -> Any:
        """Discord ids are numbers in TOML and text in messages: both are accepted, kept as text."""
        if isinstance(value, list | tuple):
            return tuple(str(item) for item in value)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Rules:
        if self.source is None and not self.channels and not self.authors:
            raise ValueError("matches nothing: give source, channels and/or authors")
        chosen = [key for key in SIZING_KEYS if getattr(self, key) is not None]
        if len(chosen) > 1:
            raise ValueError(f"one sizing rule at most, not {' and '.join(chosen)}")
        if self.min_premium and self.max_premium and self.min_premium > self.max_premium:
            raise ValueError("min_premium is above max_premium")
        if self.trail_amount is not None and self.trail_percent is not None:
            raise ValueError("trail by trail_amount or trail_percent, not both")
        if self.trail_after_percent is not None and self.trail_amount is None and self.trail_percent is None:
            raise ValueError("trail_after_percent needs trail_amount or trail_percent")
        return self

    @property
    def sizing(self) -> Sizing:
        for key, rule in SIZING_KEYS.items():
            value = getattr(self, key)
            if value is not None:
                return Sizing(rule=rule, value=Decimal(value))
        return Sizing()

    @property
    def specificity(self) -> int:
        return 4 * bool(self.authors) + 2 * bool(self.channels) + bool(self.source)


@dataclass(frozen=True)
class Profile:
    name: str
    rules: Rules
    limits: Limits
    changed: Mapping[str, object]  # the global settings it overrides, as written

    def matches(self, message: Message) -> bool:
        rules = self.rules
        return (
            (rules.source is None or rules.source == message.source)
            and (not rules.channels or message.followed_channel in rules.channels)
            and (not rules.authors or message.author_id in rules.authors)
        )

    def describe(self) -> str:
        rules = self.rules
        where = [f"source {rules.source}"] if rules.source else []
        where += [f"channels {', '.join(rules.channels)}"] if rules.channels else []
        where += [f"authors {', '.join(rules.authors)}"] if rules.authors else []
        sizing = rules.sizing
        size = "alert's quantity" if sizing.rule is SizingRule.ALERT else f"{sizing.rule} {sizing.value}"
        own = (
            [f"premium {rules.min_premium or 0}-{rules.max_premium or 'any'}"]
            if (rules.min_premium or rules.max_premium)
            else []
        )
        own += [f"kinds {', '.join(rules.kinds)}"] if rules.kinds is not None else []
        own += ["breakeven after target"] if rules.breakeven_after_target else []
        if rules.missing_expiry is not MissingExpiry.REFUSE:
            own += [f"missing expiry: {rules.missing_expiry.value}"]
        own += [f"flatten at {rules.flatten_at:%H:%M}"] if rules.flatten_at else []
        if rules.trail_amount or rules.trail_percent:
            by = f"{rules.trail_amount}" if rules.trail_amount else f"{rules.trail_percent}%"
            after = f" after +{rules.trail_after_percent}%" if rules.trail_after_percent else ""
            own += [f"trailing stop {by}{after}"]
        own += [f"hold at most {rules.max_hold_minutes} min"] if rules.max_hold_minutes else []
        if rules.flatten_before_close_minutes is not None:
            own += [f"flatten {rules.flatten_before_close_minutes} min before the close"]
        limits = ", ".join(f"{k}={v}" for k, v in self.changed.items()) or "global limits"
        return "; ".join([f"{self.name}: {rules.mode}", *where, f"sizing {size}", *own, limits])


@dataclass(frozen=True)
class Profiles:
    profiles: tuple[Profile, ...] = ()
    path: Path | None = None

    def match(self, message: Message) -> Profile | None:
        """The most specific profile for ``message``; None: the global settings decide it."""
        found = [p for p in self.profiles if p.matches(message)]
        return max(found, key=lambda p: p.rules.specificity, default=None)  # max keeps the first of equals

    def named(self, name: str | None) -> Profile | None:
        return next((p for p in self.profiles if p.name == name), None) if name else None

    def __len__(self) -> int:
        return len(self.profiles)


def load_profiles(settings: Settings) -> Profiles:
    """The profiles of ``settings.PROFILES_FILE`` (none when unset). Raises ``ProfileError``."""
    path = settings.PROFILES_FILE
    if path is None:
        return Profiles()
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ProfileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: not valid TOML ({exc})") from None
    profiles = tuple(_profile(path, name, table, settings) for name, table in raw.items())
    _no_twins(path, profiles)
    return Profiles(profiles, path)


def _profile(path: Path, name: str, table: Any, settings: Settings) -> Profile:
    where = f"{path}: profile {name!r}"
    if not isinstance(table, dict):
        raise ProfileError(f"{where}: a profile is a table ([{name}]) of keys")
    own = {k: v for k, v in table.items() if k in Rules.model_fields}
    limits = {k: v for k, v in table.items() if k not in own}
    for key in limits:
        if key.upper() not in LIMIT_SETTINGS or key != key.lower():
            raise ProfileError(f"{where}: {key}: unknown key{_near(key)}")
    try:
        rules = Rules.model_validate(own)
    except ValidationError as exc:
        raise ProfileError(f"{where}: {_first(exc)}") from None
    return Profile(name, rules, _limits(where, rules, limits, settings), limits)


def _limits(where: str, rules: Rules, changed: dict[str, Any], settings: Settings) -> Limits:
    values = {**settings.model_dump(), **{key.upper(): value for key, value in changed.items()}}
    for key in ("allowed_symbols", "allowed_assets"):
        if key in changed and isinstance(changed[key], list):
            values[key.upper()] = ",".join(map(str, changed[key]))
    try:
        merged = Settings.model_validate(values)
    except ValidationError as exc:
        error = first_error(exc)
        raise ProfileError(f"{where}: {error.key.lower()}: {error.problem}") from None
    if merged.DAILY_LOSS_LIMIT > settings.DAILY_LOSS_LIMIT:
        raise ProfileError(
            f"{where}: daily_loss_limit: {merged.DAILY_LOSS_LIMIT} is above the global DAILY_LOSS_LIMIT "
            f"{settings.DAILY_LOSS_LIMIT}, which bounds the whole account"
        )
    kinds = frozenset(rules.kinds) if rules.kinds is not None else None
    return merged.limits().model_copy(
        update={
            "sizing": rules.sizing,
            "min_premium": rules.min_premium,
            "max_premium": rules.max_premium,
            "allowed_kinds": kinds,
            "missing_expiry": rules.missing_expiry,
            "trail_amount": rules.trail_amount,
            "trail_percent": rules.trail_percent,
            "trail_after_percent": rules.trail_after_percent,
            **(
                {"missing_expiry_symbols": frozenset(rules.missing_expiry_symbols)}
                if rules.missing_expiry_symbols is not None
                else {}
            ),
        }
    )


def _no_twins(path: Path, profiles: Iterable[Profile]) -> None:
    """Two profiles matching exactly the same messages: the second could never apply."""
    seen: dict[tuple[object, ...], str] = {}
    for profile in profiles:
        rules = profile.rules
        key = (rules.source, frozenset(rules.channels), frozenset(rules.authors))
        if key in seen:
            raise ProfileError(
                f"{path}: profile {profile.name!r}: matches the same messages as {seen[key]!r}"
            )
        seen[key] = profile.name


def _first(exc: ValidationError) -> str:
    error = exc.errors()[0]
    key = ".".join(str(part) for part in error["loc"])
    message = error["msg"].removeprefix("Value error, ")
    return f"{key}: {message}" if key else message


def _near(key: str) -> str:
    names = [*Rules.model_fields, *(name.lower() for name in LIMIT_SETTINGS)]
    close = difflib.get_close_matches(key.lower(), names, n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""

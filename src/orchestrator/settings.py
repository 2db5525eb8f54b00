"""Settings: environment variables and an optional ``.env`` file, with the names IB-bot users know.

Frozen, validated, and strict: an unknown key in ``.env`` or a misspelt variable in the environment
(one that is a near miss of a real setting name) is an error, and every error names its key. Secrets
are ``SecretStr``: they never appear in ``repr``, logs or the journal.
"""

from __future__ import annotations

import difflib
import os
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from parser import Asset
from risk import Limits, ShortPolicy, TradingState
from risk.hours import parse_hours

Ids = Annotated[tuple[int, ...], NoDecode]
Symbols = Annotated[tuple[str, ...], NoDecode]
TYPO = 0.88  # an environment variable this close to a setting's name is refused as its typo
NEAR_MISS = 0.6  # this close: in .env refused, in the environment (shared with everything) a warning
_PLACEHOLDERS = frozenset({"changeme", "your-token-here", "xxx", "todo", "<token>"})


# The settings risk reads (``Settings.limits``): what a profile may set for its own messages.
LIMIT_SETTINGS = (
    "DEFAULT_CONTRACTS", "MAX_CONTRACTS", "MAX_TOTAL_CONTRACTS", "MAX_OPEN_POSITIONS", "DAILY_LOSS_LIMIT",
    "MAX_TRADES_PER_DAY", "MAX_RISK_PER_TRADE", "MAX_SIGNAL_AGE_SECONDS", "MAX_PRICE_DRIFT_PCT",
    "DEFAULT_STOP_PCT", "DEFAULT_TARGET_PCT", "DEFAULT_TRIM_PCT", "ALLOWED_SYMBOLS", "TRADING_HOURS",
    "ALLOW_ADDS", "ALLOW_MARKET_ENTRY", "LOSS_LIMIT_ACTION", "LOSS_COOLDOWN_MINUTES",
    "DUPLICATE_WINDOW_SECONDS", "ALLOW_SHORT", "MAX_SHARES", "MAX_EXPIRY_DAYS", "PDT_GUARD",
    "ALLOWED_ASSETS", "FOREX_UNITS", "GOLD_UNITS", "FOREX_MAX_DRIFT_PIPS",
)  # fmt: skip
_ASSET_WORDS = {"option": "option", "options": "option", "future": "future", "futures": "future",
                "stock": "stock", "stocks": "stock", "forex": "forex", "fx": "forex"}  # fmt: skip
PROFILES_NAME = "profiles.toml"  # looked for beside the settings file when PROFILES_FILE is unset


class SettingsError(Exception):
    """A setting is missing, misspelt or invalid. ``str()`` is the one line shown to the user."""

    def __init__(self, key: str, problem: str) -> None:
        super().__init__(f"setting {key}: {problem}")
        self.key, self.problem = key, problem


class Settings(BaseSettings):
    model_config = SettingsConfigDict(frozen=True, extra="forbid", case_sensitive=True, env_ignore_empty=True)

    PAPER_MODE: bool = True
    BROKER: Literal["paper", "ib"] = "paper"
    IBKR_HOST: str = "127.0.0.1"
    IBKR_PORT: int = Field(7497, ge=1, le=65535)
    IBKR_CLIENT_ID: int = Field(1, ge=0)
    IBKR_ACCOUNT: SecretStr | None = None
    QUOTE_SOURCE: Literal["none", "ib"] = "none"
    PAPER_ACCOUNT_SIZE: Decimal | None = Field(None, gt=0)
    PROFILES_FILE: Path | None = None
    LIVE_CONFIRM: SecretStr | None = None
    DISCORD_TOKEN: SecretStr | None = None
    DISCORD_CHANNEL_IDS: Ids = ()
    DISCORD_AUTHOR_IDS: Ids = ()
    DISCORD_CONTROL_USER_IDS: Ids = ()
    DISCORD_NOTIFY_CHANNEL_ID: int | None = None
    DISCORD_LOGIN_TIMEOUT_SECONDS: float = Field(120.0, gt=0, le=3600)
    DISCORD_FOLLOW_THREADS: bool = True
    TELEGRAM_API_ID: int | None = Field(None, ge=1)
    TELEGRAM_API_HASH: SecretStr | None = None
    TELEGRAM_SESSION: Path = Path("autoscalper-telegram.session")
    TELEGRAM_CHANNEL_IDS: Ids = ()
    TELEGRAM_AUTHOR_IDS: Ids = ()
    TELEGRAM_NOTIFY_CHAT_ID: int | None = None
    WEBHOOK_HOST: str = "127.0.0.1"
    WEBHOOK_PORT: int = Field(8080, ge=0, le=65535)  # 0: any free port
    WEBHOOK_SECRET: SecretStr | None = None
    WEBHOOK_ALLOWED_IPS: Symbols = ()
    WEBHOOK_MAX_BODY_BYTES: int = Field(10_240, ge=256, le=1_048_576)
    WEBHOOK_RATE_PER_MINUTE: int = Field(30, ge=1)
    DEFAULT_CONTRACTS: int = Field(1, ge=1)
    MAX_CONTRACTS: int = Field(2, ge=1)
    MAX_TOTAL_CONTRACTS: int = Field(6, ge=1)
    MAX_OPEN_POSITIONS: int = Field(3, ge=1)
    DAILY_LOSS_LIMIT: Decimal = Field(Decimal("300"), gt=0)
    MAX_TRADES_PER_DAY: int = Field(10, ge=1)
    MAX_RISK_PER_TRADE: Decimal = Field(Decimal("150"), gt=0)
    MAX_SIGNAL_AGE_SECONDS: int = Field(30, ge=1)
    MAX_PRICE_DRIFT_PCT: Decimal = Field(Decimal("10"), gt=0, le=100)
    DEFAULT_STOP_PCT: Decimal = Field(Decimal("30"), gt=0, lt=100)
    DEFAULT_TARGET_PCT: Decimal = Field(Decimal("50"), gt=0)
    DEFAULT_TRIM_PCT: Decimal = Field(Decimal("50"), gt=0, le=100)
    ALLOWED_SYMBOLS: Symbols = ()
    TRADING_HOURS: str = "regular"
    ALLOW_ADDS: bool = False
    ALLOW_MARKET_ENTRY: bool = False
    LOSS_LIMIT_ACTION: Literal["reducing", "halted"] = "reducing"
    LOSS_COOLDOWN_MINUTES: int = Field(10, ge=0)
    DUPLICATE_WINDOW_SECONDS: int = Field(300, ge=0)
    MAX_BROKER_ERRORS: int = Field(5, ge=1)
    BROKER_ERROR_WINDOW_MINUTES: int = Field(10, ge=1)
    AMEND_ON_EDIT: bool = False
    KILL_TIMEOUT_SECONDS: float = Field(10.0, gt=0, le=300)
    ALLOW_SHORT: Literal["none", "futures", "all"] = "futures"
    MAX_SHARES: int = Field(100, ge=1)
    MAX_EXPIRY_DAYS: int = Field(120, ge=0, le=1100)
    PDT_GUARD: bool = False
    ALLOWED_ASSETS: Symbols = ("option", "future", "stock")
    FOREX_UNITS: int = Field(20_000, ge=1, le=10_000_000)
    GOLD_UNITS: int = Field(10, ge=1, le=10_000)
    FOREX_MAX_DRIFT_PIPS: Decimal = Field(Decimal("10"), gt=0, le=1000)
    READINESS_MIN_DAYS: int = Field(5, ge=1)
    READINESS_MIN_TRADES: int = Field(50, ge=1)
    READINESS_JOURNAL: Path = Path("autoscalper-paper.db")
    LIVE_FIRST_DAY_MAX_CONTRACTS: int = Field(1, ge=1)
    IB_MAINTENANCE_WINDOW: str = "00:15-01:45"
    JOURNAL_PATH: Path | None = None

    @field_validator("DISCORD_CHANNEL_IDS", "DISCORD_AUTHOR_IDS", "DISCORD_CONTROL_USER_IDS", mode="before")
    @classmethod
    def _split_ids(cls, value: Any) -> Any:
        return _ids(value, "use comma-separated numeric Discord ids")

    @field_validator("TELEGRAM_CHANNEL_IDS", "TELEGRAM_AUTHOR_IDS", mode="before")
    @classmethod
    def _split_telegram_ids(cls, value: Any) -> Any:
        """Telegram's marked ids: a channel's is negative (-100 and its id)."""
        return _ids(
            value, "use comma-separated numeric Telegram ids (a channel's starts with -100)", signed=True
        )

    @field_validator("ALLOWED_SYMBOLS", mode="before")
    @classmethod
    def _split_symbols(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part.strip().upper().lstrip("$/") for part in value.split(",") if part.strip())
        return value

    @field_validator("ALLOWED_ASSETS", mode="before")
    @classmethod
    def _split_assets(cls, value: Any) -> Any:
        """``option,future,stock,forex`` (forex covers spot gold and silver, which alerts and IB treat
        as pairs); crypto, CFDs and index levels are refused until they can be placed."""
        words = [part.strip().lower() for part in value.split(",")] if isinstance(value, str) else value
        if not isinstance(words, list | tuple):
            return value
        out: list[str] = []
        for word in (w for w in words if w):
            if word in ("gold", "silver", "metals"):
                raise ValueError(f"{word} trades as asset forex (XAUUSD, XAGUSD): write forex")
            if word in ("crypto", "cfd", "cfds", "index", "indexes"):
                raise ValueError(f"{word} cannot be traded yet: use option, future, stock, forex")
            if word not in _ASSET_WORDS:
                raise ValueError(f"{word} is not an asset: use option, future, stock, forex")
            out.append(_ASSET_WORDS[word])
        if not out:
            raise ValueError("name at least one of option, future, stock, forex")
        return tuple(dict.fromkeys(out))

    @field_validator("IB_MAINTENANCE_WINDOW")
    @classmethod
    def _maintenance(cls, value: str) -> str:
        if parse_hours(value).kind != "window":
            raise ValueError("write the window as HH:MM-HH:MM (New York time), e.g. 00:15-01:45")
        return value

    @field_validator("TRADING_HOURS")
    @classmethod
    def _hours(cls, value: str) -> str:
        parse_hours(value)  # risk's own reading of the setting, so the two never disagree
        return value

    @field_validator("WEBHOOK_ALLOWED_IPS", mode="before")
    @classmethod
    def _split_addresses(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("DISCORD_TOKEN", "LIVE_CONFIRM", "IBKR_ACCOUNT", "WEBHOOK_SECRET", "TELEGRAM_API_HASH")
    @classmethod
    def _no_placeholder(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and value.get_secret_value().strip().lower() in _PLACEHOLDERS:
            raise ValueError("still holds the placeholder from .env.example")
        return value

    @model_validator(mode="after")
    def _live_needs_confirmation(self) -> Settings:
        if self.MAX_CONTRACTS < self.DEFAULT_CONTRACTS:
            raise _keyed("MAX_CONTRACTS", "must be at least DEFAULT_CONTRACTS")
        if self.MAX_TOTAL_CONTRACTS < self.MAX_CONTRACTS:
            raise _keyed("MAX_TOTAL_CONTRACTS", "must be at least MAX_CONTRACTS")
        if self.QUOTE_SOURCE == "ib" and self.BROKER != "paper":
            raise _keyed(
                "QUOTE_SOURCE",
                "ib feeds IB's quotes to the paper simulator (BROKER=paper); IB fills its own orders",
            )
        if self.PAPER_MODE:
            return self
        if self.TRADING_HOURS == "any":
            raise _keyed(
                "TRADING_HOURS", "any is for paper practice only: live trading keeps the market's hours"
            )
        if self.BROKER != "ib":
            raise _keyed("BROKER", "live trading (PAPER_MODE=false) needs BROKER=ib")
        if self.LIVE_CONFIRM is None:
            raise _keyed("LIVE_CONFIRM", "live trading needs LIVE_CONFIRM set to the live account id")
        return self

    @property
    def mode(self) -> str:
        return "paper" if self.PAPER_MODE else "live"

    def journal_path(self) -> Path:
        """Paper and live never share a journal file."""
        return self.JOURNAL_PATH or Path(f"autoscalper-{self.mode}.db")

    def limits(self) -> Limits:
        """The risk manager's view of these settings."""
        return Limits(
            default_contracts=self.DEFAULT_CONTRACTS,
            max_contracts=self.MAX_CONTRACTS,
            max_total_contracts=self.MAX_TOTAL_CONTRACTS,
            max_open_positions=self.MAX_OPEN_POSITIONS,
            daily_loss_limit=self.DAILY_LOSS_LIMIT,
            max_trades_per_day=self.MAX_TRADES_PER_DAY,
            max_risk_per_trade=self.MAX_RISK_PER_TRADE,
            max_signal_age=timedelta(seconds=self.MAX_SIGNAL_AGE_SECONDS),
            max_price_drift_pct=self.MAX_PRICE_DRIFT_PCT,
            default_stop_pct=self.DEFAULT_STOP_PCT,
            default_target_pct=self.DEFAULT_TARGET_PCT,
            default_trim_pct=self.DEFAULT_TRIM_PCT,
            allowed_symbols=frozenset(self.ALLOWED_SYMBOLS),
            trading_hours=self.TRADING_HOURS,
            allow_adds=self.ALLOW_ADDS,
            allow_market_entry=self.ALLOW_MARKET_ENTRY,
            loss_limit_action=TradingState(self.LOSS_LIMIT_ACTION),
            loss_cooldown=timedelta(minutes=self.LOSS_COOLDOWN_MINUTES),
            duplicate_window=timedelta(seconds=self.DUPLICATE_WINDOW_SECONDS),
            allow_short=ShortPolicy(self.ALLOW_SHORT),
            max_shares=self.MAX_SHARES,
            max_expiry_days=self.MAX_EXPIRY_DAYS,
            pdt_guard=self.PDT_GUARD,
            allowed_assets=frozenset(Asset(name) for name in self.ALLOWED_ASSETS),
            forex_units=self.FOREX_UNITS,
            gold_units=self.GOLD_UNITS,
            forex_max_drift_pips=self.FOREX_MAX_DRIFT_PIPS,
            maintenance=self.IB_MAINTENANCE_WINDOW if self.BROKER == "ib" else None,
        )

    def secret_values(self) -> list[str]:
        """The values of the secrets that are set (the Discord token, the live account), to redact."""
        values = (getattr(self, name) for name in type(self).model_fields)
        return [value.get_secret_value() for value in values if isinstance(value, SecretStr)]

    def redacted(self) -> dict[str, Any]:
        """Every setting with secrets shown as ``**********`` (or unset), for display and journaling."""
        out: dict[str, Any] = {}
        for key, value in self.model_dump().items():
            if isinstance(value, SecretStr):
                value = "**********"
            out[key] = value
        return out


class _KeyedValueError(ValueError):
    def __init__(self, key: str, problem: str) -> None:
        super().__init__(problem)
        self.key = key


def _ids(value: Any, problem: str, *, signed: bool = False) -> Any:
    if not isinstance(value, str):
        return value
    parts = [part for part in value.replace(" ", "").split(",") if part]
    if not all((part.removeprefix("-") if signed else part).isdigit() for part in parts):
        raise ValueError(problem)
    return tuple(int(part) for part in parts)


def _keyed(key: str, problem: str) -> _KeyedValueError:
    return _KeyedValueError(key, problem)


def _misspelt_environment() -> None:
    """A near miss of a setting name in the environment is a typo, not an unrelated variable."""
    names = list(Settings.model_fields)
    for key in os.environ:
        if key in Settings.model_fields:
            continue
        close = difflib.get_close_matches(key, names, n=1, cutoff=TYPO)
        if close:
            raise SettingsError(key, f"unknown setting (did you mean {close[0]}?)")


def first_error(exc: ValidationError) -> SettingsError:
    error = exc.errors()[0]
    cause = error.get("ctx", {}).get("error")
    if isinstance(cause, _KeyedValueError):
        return SettingsError(cause.key, str(cause))
    key = ".".join(str(part) for part in error["loc"]) or "settings"
    message = error["msg"].removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        close = difflib.get_close_matches(key, list(Settings.model_fields), n=1, cutoff=NEAR_MISS)
        message = "unknown setting" + (f" (did you mean {close[0]}?)" if close else "")
    return SettingsError(key, message)


def environment_warnings() -> list[str]:
    """Variables that look like a setting mistyped, too far off to be refused: each is ignored, and
    the trader is told so (``MAX_RISK=3`` does not set MAX_RISK_PER_TRADE)."""
    names = list(Settings.model_fields)
    ours = {name.split("_", 1)[0] for name in names}
    warnings = []
    for key in sorted(os.environ):
        if key in Settings.model_fields or key.split("_", 1)[0] not in ours:
            continue
        close = difflib.get_close_matches(key, names, n=1, cutoff=NEAR_MISS)
        if close:
            warnings.append(
                f"environment variable {key} is not a setting (did you mean {close[0]}?); ignored"
            )
    return warnings


def load_settings(env_file: Path | None = Path(".env"), *, required: bool = False) -> Settings:
    """Read settings from the environment and ``env_file``; raise ``SettingsError`` naming the key.
    ``required``: the file was named by the trader, so a missing one is an error, not a default."""
    _misspelt_environment()
    kwargs: dict[str, Any] = {}
    if required and env_file is not None and not env_file.exists():
        raise SettingsError("--env-file", f"no file at {env_file}")
    if env_file is not None and env_file.exists():
        kwargs["_env_file"] = env_file
    try:
        settings = Settings(**kwargs)
    except ValidationError as exc:
        raise first_error(exc) from None
    beside = (env_file or Path(".env")).parent / PROFILES_NAME
    if settings.PROFILES_FILE is None and beside.is_file():
        settings = settings.model_copy(update={"PROFILES_FILE": beside})
    return settings

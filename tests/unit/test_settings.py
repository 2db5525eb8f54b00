"""Settings: safe paper defaults, strict keys, one error naming the key, secrets hidden."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from orchestrator.settings import Settings, SettingsError, load_settings
from parser import Asset
from risk import Limits, TradingState


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in Settings.model_fields:
        monkeypatch.delenv(key, raising=False)


def test_settings_default_to_paper_on_the_simulator() -> None:
    settings = load_settings(None)
    assert settings.PAPER_MODE is True
    assert settings.BROKER == "paper"
    assert settings.mode == "paper"
    assert settings.journal_path() == Path("autoscalper-paper.db")


def test_settings_read_lists_of_ids_and_symbols(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_CHANNEL_IDS", "111, 222")
    monkeypatch.setenv("ALLOWED_SYMBOLS", "spy,$qqq, /ES")
    settings = load_settings(None)
    assert settings.DISCORD_CHANNEL_IDS == (111, 222)
    assert settings.ALLOWED_SYMBOLS == ("SPY", "QQQ", "ES")


@pytest.mark.parametrize(
    ("env", "key"),
    [
        ({"MAX_CONTRACT": "3"}, "MAX_CONTRACT"),
        ({"DAILY_LOS_LIMIT": "100"}, "DAILY_LOS_LIMIT"),
        ({"MAX_CONTRACTS": "lots"}, "MAX_CONTRACTS"),
        ({"MAX_CONTRACTS": "0"}, "MAX_CONTRACTS"),
        ({"DEFAULT_CONTRACTS": "3", "MAX_CONTRACTS": "2"}, "MAX_CONTRACTS"),
        ({"BROKER": "robinhood"}, "BROKER"),
        ({"TRADING_HOURS": "lunch"}, "TRADING_HOURS"),
        ({"DISCORD_CHANNEL_IDS": "general"}, "DISCORD_CHANNEL_IDS"),
        ({"DISCORD_TOKEN": "changeme"}, "DISCORD_TOKEN"),
        ({"PAPER_MODE": "false"}, "BROKER"),
        ({"PAPER_MODE": "false", "BROKER": "ib"}, "LIVE_CONFIRM"),
        (
            {"PAPER_MODE": "false", "BROKER": "ib", "LIVE_CONFIRM": "U1", "TRADING_HOURS": "any"},
            "TRADING_HOURS",
        ),
    ],
)
def test_bad_setting_is_one_error_naming_the_key(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], key: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings(None)
    assert caught.value.key == key
    assert "\n" not in str(caught.value)


def test_unknown_key_in_env_file_is_rejected(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("PAPER_MODE=true\nMAX_POSITIONS=4\n")
    with pytest.raises(SettingsError) as caught:
        load_settings(env_file)
    assert caught.value.key == "MAX_POSITIONS"


def test_env_file_values_are_read(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("MAX_CONTRACTS=4\nJOURNAL_PATH=/tmp/j.db\n")
    settings = load_settings(env_file)
    assert settings.MAX_CONTRACTS == 4
    assert settings.journal_path() == Path("/tmp/j.db")


def test_live_settings_need_ib_and_confirmation_and_use_their_own_journal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PAPER_MODE", "false")
    monkeypatch.setenv("BROKER", "ib")
    monkeypatch.setenv("LIVE_CONFIRM", "U1234567")
    settings = load_settings(None)
    assert settings.mode == "live"
    assert settings.journal_path() == Path("autoscalper-live.db")


def test_redacted_settings_never_show_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "MTIz.secret-token-value")
    monkeypatch.setenv("IBKR_ACCOUNT", "U7654321")
    settings = load_settings(None)
    shown = str(settings.redacted()) + repr(settings)
    assert "secret-token-value" not in shown
    assert "U7654321" not in shown


def test_env_example_lists_every_setting_and_loads_as_safe_paper_defaults(root: Path) -> None:
    example = root / ".env.example"
    keys = {
        line.split("=", 1)[0] for line in example.read_text().splitlines() if "=" in line and line[0] != "#"
    }
    assert keys == set(Settings.model_fields)
    settings = load_settings(example)
    assert settings.mode == "paper"
    assert settings == load_settings(None)


def test_the_settings_reference_lists_every_setting(root: Path) -> None:
    reference = (root / "docs" / "settings.md").read_text()
    for key in Settings.model_fields:
        assert f"| `{key}` |" in reference, key


def test_default_settings_give_the_risk_managers_default_limits() -> None:
    # Two places hold the defaults (settings for users, Limits for risk); they must never drift apart.
    assert load_settings(None).limits() == Limits()


def test_settings_reach_the_risk_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOSS_LIMIT_ACTION", "halted")
    monkeypatch.setenv("LOSS_COOLDOWN_MINUTES", "0")
    monkeypatch.setenv("ALLOWED_SYMBOLS", "spy,$qqq")
    limits = load_settings(None).limits()
    assert limits.loss_limit_action is TradingState.HALTED
    assert limits.loss_cooldown == timedelta(0)
    assert limits.allowed_symbols == {"SPY", "QQQ"}


def test_allowed_assets_turns_forex_on_in_any_order_and_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOWED_ASSETS", " Forex, options ")
    assert load_settings(None).limits().allowed_assets == {Asset.FOREX, Asset.OPTION}


@pytest.mark.parametrize(
    ("env", "key"),
    [
        ({"LOSS_LIMIT_ACTION": "active"}, "LOSS_LIMIT_ACTION"),
        ({"MAX_TOTAL_CONTRACTS": "1"}, "MAX_TOTAL_CONTRACTS"),
        ({"TRADING_HOURS": "25:00-26:00"}, "TRADING_HOURS"),
        ({"DUPLICATE_WINDOW_SECONDS": "-1"}, "DUPLICATE_WINDOW_SECONDS"),
        ({"ALLOW_ADDS": "maybe"}, "ALLOW_ADDS"),
        ({"ALLOWED_ASSETS": "option,crypto"}, "ALLOWED_ASSETS"),  # read, but nothing can place it
        ({"ALLOWED_ASSETS": "gold"}, "ALLOWED_ASSETS"),  # gold is asset forex
        ({"ALLOWED_ASSETS": "optoins"}, "ALLOWED_ASSETS"),
        ({"FOREX_UNITS": "0"}, "FOREX_UNITS"),
    ],
)
def test_bad_risk_setting_names_its_key(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], key: str
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings(None)
    assert caught.value.key == key


def test_every_link_in_the_docs_points_at_a_file_of_the_project(root: Path) -> None:
    import re

    for document in [root / "README.md", *sorted((root / "docs").glob("*.md"))]:
        prose = re.sub(r"`[^`]*`", "", document.read_text())  # code is not a link
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", prose):
            if target.startswith(("http://", "https://")):
                continue
            assert (document.parent / target).exists(), f"{document.name} links to {target}"

"""Settings decide the broker, the guard and the error limit of the executor every run mode uses."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.trading import SimClock

from executor import MemoryStateStore, ModeMismatch, PaperBroker
from orchestrator.build import build_executor
from orchestrator.settings import SettingsError, load_settings


async def test_default_settings_build_a_guarded_paper_executor() -> None:
    executor = build_executor(load_settings(None), MemoryStateStore(), SimClock())
    assert isinstance(executor.broker, PaperBroker)
    assert await executor.start() == "SIMULATOR"
    assert (executor.errors.limit, executor.errors.window) == (5, timedelta(minutes=10))


def test_error_limit_and_kill_timeout_come_from_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAX_BROKER_ERRORS", "3")
    monkeypatch.setenv("BROKER_ERROR_WINDOW_MINUTES", "2")
    monkeypatch.setenv("KILL_TIMEOUT_SECONDS", "4.5")
    executor = build_executor(load_settings(None), MemoryStateStore(), SimClock())
    assert (executor.errors.limit, executor.errors.window) == (3, timedelta(minutes=2))
    assert executor.kill_timeout == 4.5


def test_paper_mode_on_a_live_port_is_refused_in_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROKER", "ib")
    monkeypatch.setenv("IBKR_PORT", "7496")
    with pytest.raises(ModeMismatch, match="IBKR_PORT=7496"):
        build_executor(load_settings(None), MemoryStateStore(), SimClock())


def test_broker_ib_builds_the_ib_adapter_on_the_configured_gateway(monkeypatch: pytest.MonkeyPatch) -> None:
    from executor.ib import IBBroker

    monkeypatch.setenv("BROKER", "ib")
    monkeypatch.setenv("IBKR_PORT", "4002")
    monkeypatch.setenv("IBKR_CLIENT_ID", "17")
    executor = build_executor(load_settings(None), MemoryStateStore(), SimClock())
    assert isinstance(executor.broker, IBBroker)
    assert (executor.broker.config.port, executor.broker.config.client_id) == (4002, 17)


def test_broker_ib_on_a_live_port_in_paper_mode_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BROKER", "ib")
    monkeypatch.setenv("IBKR_PORT", "4001")
    with pytest.raises(ModeMismatch, match="IBKR_PORT=4001"):
        build_executor(load_settings(None), MemoryStateStore(), SimClock())


@pytest.mark.parametrize(
    ("key", "value"),
    [("MAX_BROKER_ERRORS", "0"), ("KILL_TIMEOUT_SECONDS", "0"), ("BROKER_ERROR_WINDOW_MINUTES", "x")],
)
def test_bad_executor_setting_names_its_key(monkeypatch: pytest.MonkeyPatch, key: str, value: str) -> None:
    monkeypatch.setenv(key, value)
    with pytest.raises(SettingsError) as caught:
        load_settings(None)
    assert caught.value.key == key

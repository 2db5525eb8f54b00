"""Start the Discord listener and run it until stopped; every start-up failure is one clear line.

A missing or rejected token, a Message Content intent not enabled in the Developer Portal, and a
Discord that cannot be reached are ``DiscordStartError`` (the CLI exits 2). Only an unreachable
Discord is retried, with exponential backoff for ``DISCORD_LOGIN_TIMEOUT_SECONDS``: a rejected token
or intent never gets better by retrying, and Discord counts failed logins (too many invalid requests
ban the IP; too many IDENTIFYs in a day reset the token). A supervisor that restarts the bot in a loop
meets a delay that grows with the logins journaled in the last ten minutes.

The broker and Discord share one asyncio loop: the IB adapter only uses
ib_async's async calls, and this module only awaits.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Callable
from datetime import timedelta

import aiohttp
import discord
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, wait_exponential

from ...app import CONTROL_POLL_SECONDS, Orchestrator
from ...journal import JournalError
from ...settings import Settings, SettingsError
from .client import AlertClient

ATTEMPT_SECONDS = 20.0  # one login attempt; a black-holed route would otherwise hang for minutes
RESTART_WINDOW = timedelta(minutes=10)
MAX_RESTART_DELAY = 300.0
_UNREACHABLE = (OSError, aiohttp.ClientError, asyncio.TimeoutError, discord.GatewayNotFound)

Say = Callable[[str], None]


class DiscordStartError(Exception):
    """The listener cannot start; ``str()`` is the one line for the user."""


def check_settings(settings: Settings) -> str:
    """The bot token, once the settings the listener needs are all there (``SettingsError`` if not)."""
    if settings.DISCORD_TOKEN is None:
        raise SettingsError(
            "DISCORD_TOKEN",
            "missing: `autoscalper run` listens to Discord with a bot token "
            "(or type alerts with `autoscalper run --input -`)",
        )
    for key in ("DISCORD_CHANNEL_IDS", "DISCORD_AUTHOR_IDS"):
        if not getattr(settings, key):
            raise SettingsError(
                key, "empty: the Discord listener trades only allow-listed ids, give at least one"
            )
    return settings.DISCORD_TOKEN.get_secret_value()


async def serve(
    orchestrator: Orchestrator, token: str, say: Say, *, guild_ready_timeout: float = 2.0
) -> None:
    """Log in, wait for the first READY, then listen until Ctrl-C, SIGTERM or a fatal error."""
    settings = orchestrator.settings
    patience = settings.DISCORD_LOGIN_TIMEOUT_SECONDS
    await _restart_backoff(orchestrator, say)
    client = AlertClient(orchestrator, guild_ready_timeout=guild_ready_timeout)
    _stop_on_sigterm()
    async with client:
        deadline = Deadline(patience)  # login and the first READY together, never more
        await _login(client, token, deadline, say)
        connection = asyncio.create_task(client.connect(reconnect=True), name="discord gateway")
        await _until_ready(client, connection, deadline)
        say(
            f"autoscalper running: listening to {len(client.followed)} channel(s) as {client.user} "
            f"(trading {orchestrator.trading_state}); Ctrl-C stops"
        )
        poller = asyncio.create_task(_poll_control(orchestrator, client, say), name="control poller")
        try:
            await connection
        except discord.ConnectionClosed as exc:
            if client.fatal is None:
                raise DiscordStartError(_closed(exc)) from None
        finally:
            poller.cancel()
    if client.fatal is not None:
        raise client.fatal


class Deadline:
    """DISCORD_LOGIN_TIMEOUT_SECONDS from now: every wait and attempt is cut to what is left."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.at = asyncio.get_running_loop().time() + seconds

    def left(self) -> float:
        return max(0.0, self.at - asyncio.get_running_loop().time())


async def _login(client: AlertClient, token: str, deadline: Deadline, say: Say) -> None:
    def retrying(state: RetryCallState) -> None:
        wait = state.next_action.sleep if state.next_action else 0
        say(f"Discord cannot be reached ({_cause(state)}); trying again in {wait:.0f} s")

    backoff = wait_exponential(multiplier=1, min=1, max=30)
    attempts = AsyncRetrying(
        stop=lambda state: deadline.left() <= 0,
        wait=lambda state: min(backoff(state), deadline.left()),
        retry=retry_if_exception(lambda exc: isinstance(exc, _UNREACHABLE) or _server_error(exc)),
        before_sleep=retrying,
        reraise=True,
    )
    try:
        async for attempt in attempts:
            with attempt:
                try:
                    await asyncio.wait_for(client.login(token), min(ATTEMPT_SECONDS, deadline.left()))
                except BaseException:
                    # Each attempt opens its own HTTP session; close it and its connector, and let
                    # the next attempt make new ones.
                    await client.http.close()
                    client.http.connector = discord.utils.MISSING
                    raise
    except discord.LoginFailure:
        raise DiscordStartError(
            "setting DISCORD_TOKEN: Discord rejected the token (401); copy it again from the "
            "Developer Portal (your application, Bot, Reset Token)"
        ) from None
    except discord.HTTPException as exc:
        raise DiscordStartError(f"Discord refused the login: {exc.status} {exc.text}") from None
    except _UNREACHABLE as exc:
        raise DiscordStartError(
            f"Discord cannot be reached: {_describe(exc)} (kept trying for {deadline.seconds:g} s)"
        ) from None


async def _until_ready(client: AlertClient, connection: asyncio.Task[None], deadline: Deadline) -> None:
    ready = asyncio.create_task(client.ready_once.wait())
    done, _ = await asyncio.wait(
        {connection, ready}, timeout=deadline.left(), return_when=asyncio.FIRST_COMPLETED
    )
    if ready in done:
        return
    ready.cancel()
    if connection not in done:
        connection.cancel()
        raise DiscordStartError(
            f"Discord cannot be reached: no gateway session within {deadline.seconds:g} s "
            "(DISCORD_LOGIN_TIMEOUT_SECONDS)"
        )
    exc = connection.exception()
    if isinstance(exc, discord.PrivilegedIntentsRequired):
        raise DiscordStartError(
            "the Message Content intent is not enabled for this bot: Developer Portal, your "
            "application, Bot, Privileged Gateway Intents, turn on Message Content Intent"
        )
    if isinstance(exc, discord.ConnectionClosed):
        raise DiscordStartError(_closed(exc))
    raise DiscordStartError(f"Discord closed the session before it was ready: {_describe(exc)}")


def _closed(exc: discord.ConnectionClosed) -> str:
    if exc.code == 4004:
        return "setting DISCORD_TOKEN: the Discord gateway rejected the token (4004)"
    return f"the Discord gateway closed the session: code {exc.code} {exc.reason}".strip()


async def _restart_backoff(orchestrator: Orchestrator, say: Say) -> None:
    """Wait 2, 4, 8 ... s (up to 5 min) when this is the third or later start in ten minutes."""
    journal, now = orchestrator.journal, orchestrator.clock()
    recent = journal.notices_since("discord_login", now - RESTART_WINDOW)
    journal.record_notice("discord_login", now, f"logins in the last 10 minutes before this one: {recent}")
    if recent < 2:
        return
    delay = min(2.0 ** (recent - 1), MAX_RESTART_DELAY)
    say(f"{recent} Discord logins in the last 10 minutes; waiting {delay:.0f} s before this one")
    await asyncio.sleep(delay)


async def _poll_control(orchestrator: Orchestrator, client: AlertClient, say: Say) -> None:
    """``autoscalper kill`` / ``resume`` from another terminal, as ``run --input`` honours them. A
    journal that fails here (deleted or replaced while no message came) stops the bot like any."""
    while True:
        await asyncio.sleep(CONTROL_POLL_SECONDS)
        try:
            results = await orchestrator.poll_control()
        except JournalError as exc:
            await client.stop_on(exc)
            return
        for result in results:
            for line in result.lines:
                say(line)


def _stop_on_sigterm() -> None:
    """SIGTERM (systemd, docker stop) ends the run like Ctrl-C: the journal and broker close cleanly."""
    task = asyncio.current_task()
    if task is not None:
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)


def _server_error(exc: BaseException) -> bool:
    return isinstance(exc, discord.HTTPException) and exc.status >= 500


def _cause(state: RetryCallState) -> str:
    exc = state.outcome.exception() if state.outcome else None
    return _describe(exc) if exc else "no answer"


def _describe(exc: BaseException | None) -> str:
    if exc is None:
        return "no answer"
    if isinstance(exc, asyncio.TimeoutError):
        return f"no answer within {ATTEMPT_SECONDS:g} s"
    return str(exc) or type(exc).__name__

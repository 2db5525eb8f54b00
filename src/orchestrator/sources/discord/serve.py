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
from datetime import timedelta

import aiohttp
import discord
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, wait_exponential

from executor import Notice

from ...app import Orchestrator
from ...journal import JournalError
from ..base import Say, SourceStartError, listen
from .client import AlertClient

ATTEMPT_SECONDS = 20.0  # one login attempt; a black-holed route would otherwise hang for minutes
RESTART_WINDOW = timedelta(minutes=10)
MAX_RESTART_DELAY = 300.0
_UNREACHABLE = (OSError, aiohttp.ClientError, asyncio.TimeoutError, discord.GatewayNotFound)


class DiscordStartError(SourceStartError):
    """The listener cannot start; ``str()`` is the one line for the user."""


async def serve(
    orchestrator: Orchestrator, token: str, say: Say, *, guild_ready_timeout: float = 2.0
) -> None:
    """Run a started orchestrator on Discord alone until Ctrl-C, SIGTERM or a fatal error."""
    await listen(orchestrator, [DiscordSource(orchestrator, token, say, guild_ready_timeout)], say)


class DiscordSource:
    """Log in, wait for the first READY, then deliver the followed channels' messages."""

    name = "discord"

    def __init__(
        self, orchestrator: Orchestrator, token: str, say: Say, guild_ready_timeout: float = 2.0
    ) -> None:
        self.orchestrator, self.token, self.say = orchestrator, token, say
        self.guild_ready_timeout = guild_ready_timeout
        self.client: AlertClient | None = None
        self._connection: asyncio.Task[None] | None = None

    async def start(self) -> None:
        orchestrator = self.orchestrator
        await _restart_backoff(orchestrator, self.say)
        client = AlertClient(orchestrator, guild_ready_timeout=self.guild_ready_timeout)
        await client.__aenter__()
        self.client = client
        try:
            deadline = Deadline(orchestrator.settings.DISCORD_LOGIN_TIMEOUT_SECONDS)  # login and READY
            await _login(client, self.token, deadline, self.say)
            self._connection = asyncio.create_task(client.connect(reconnect=True), name="discord gateway")
            await _until_ready(client, self._connection, deadline)
        except BaseException:
            await self.stop()
            raise
        orchestrator.announcements.append(client.notify)  # the daily "alive" line
        orchestrator.confirmations.listeners.append(
            lambda signal_id, words: client.notify(words + client.where(signal_id))
        )
        if orchestrator.market is not None:  # IB market data problems reach the notify channel too
            orchestrator.market.listeners.append(lambda words: client.notify(f"market data: {words}"))
        self.say(
            f"autoscalper running: listening to {len(client.followed)} channel(s) as {client.user} "
            f"(trading {orchestrator.trading_state}); Ctrl-C stops"
        )

    async def deliver(self) -> None:
        assert self.client is not None and self._connection is not None, "start() first"
        try:
            await self._connection
        except discord.ConnectionClosed as exc:
            if self.client.fatal is None:
                raise DiscordStartError(_closed(exc)) from None
        if self.client.fatal is not None:
            raise self.client.fatal

    def notice(self, notice: Notice) -> None:
        if self.client is not None:
            self.client.show_notice(notice)

    async def stop(self, because: BaseException | None = None) -> None:
        client, self.client = self.client, None
        if client is None:
            return
        if isinstance(because, JournalError) and client.fatal is None:
            await client.stop_on(because)  # tells the trader why the bot stops
        if self._connection is not None and not self._connection.done():
            self._connection.cancel()
        await client.__aexit__(None, None, None)


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

"""A fake Discord: the REST API and the gateway websocket, over real sockets, on 127.0.0.1.

It stands in for Discord's servers only, so discord.py runs unmodified: ``point_discord_at`` swaps
the two addresses discord.py has (``Route.BASE`` and ``DiscordWebSocket.DEFAULT_GATEWAY``). It speaks
the gateway as documented (HELLO, IDENTIFY with token and intents, READY then GUILD_CREATE, heartbeats,
RESUME, INVALID_SESSION, RECONNECT, close codes 4004 and 4014) and the REST routes the listener uses
(login, application, channel, history, posting). It runs its own event loop on a thread, like a remote
server would, and injects: a rejected token, the content intent not enabled in the portal, a session
that cannot resume, messages posted while the bot is away.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import discord
import yarl
from aiohttp import WSMsgType, web

from tests.fakes.discord_payloads import BOT, Channel, guild, message, user

TOKEN = "fake-bot-token"
MESSAGE_CONTENT = 1 << 15


class FakeDiscord:
    def __init__(self, *, token: str = TOKEN, content_intent: bool = True, can_resume: bool = True) -> None:
        self.token, self.content_intent, self.can_resume = token, content_intent, can_resume
        self.channels = Channel()
        self.identified = 0
        self.sessions: list[web.WebSocketResponse] = []
        self._seq = itertools.count(1)
        self._loop = asyncio.new_event_loop()
        self._runner: web.AppRunner | None = None
        self.port = 0

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeDiscord:
        ready = threading.Event()
        threading.Thread(target=self._serve, args=(ready,), daemon=True, name="fake discord").start()
        ready.wait(5)
        return self

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)

    def _serve(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self._loop)
        app = web.Application()
        app.router.add_get("/gateway", self._gateway)
        api = "/api/v10"
        app.router.add_get(f"{api}/users/@me", self._me)
        app.router.add_get(f"{api}/oauth2/applications/@me", self._application)
        app.router.add_get(api + "/channels/{channel}", self._channel)
        app.router.add_get(api + "/channels/{channel}/messages", self._history)
        app.router.add_post(api + "/channels/{channel}/messages", self._post)
        self._runner = web.AppRunner(app)
        self._loop.run_until_complete(self._runner.setup())
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        self._loop.run_until_complete(site.start())
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        ready.set()
        self._loop.run_forever()

    # ------------------------------------------------------------------ driving it from a test

    def dispatch(self, event: str, data: dict[str, Any]) -> None:
        """Send a gateway event to every connected session (thread-safe)."""
        asyncio.run_coroutine_threadsafe(self._dispatch(event, data), self._loop).result(5)

    def post(self, data: dict[str, Any], *, deliver: bool = True) -> dict[str, Any]:
        """A message appears in a channel: in its history, and on the gateway unless the bot is away."""
        self.channels.log(data)
        if deliver:
            self.dispatch("MESSAGE_CREATE", data)
        return data

    def ask_reconnect(self) -> None:
        """Gateway op 7 RECONNECT, as Discord sends before moving a session."""
        asyncio.run_coroutine_threadsafe(self._send_all({"op": 7, "d": None}), self._loop).result(5)

    # ------------------------------------------------------------------ REST

    def _authorised(self, request: web.Request) -> bool:
        return request.headers.get("Authorization") == f"Bot {self.token}"

    async def _me(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return _json({"message": "401: Unauthorized", "code": 0}, status=401)
        return _json(user(BOT, "autoscalper", bot=True))

    async def _application(self, request: web.Request) -> web.Response:
        return _json(
            {
                "id": str(BOT),
                "name": "autoscalper",
                "description": "",
                "icon": None,
                "bot_public": False,
                "bot_require_code_grant": False,
                "owner": user(1, "owner"),
                "verify_key": "0" * 64,
                "flags": (1 << 19) if self.content_intent else 0,
            }
        )

    async def _channel(self, request: web.Request) -> web.Response:
        found = [c for c in guild()["channels"] if c["id"] == request.match_info["channel"]]
        if not found:
            return _json({"message": "Unknown Channel", "code": 10003}, status=404)
        return _json(found[0])

    async def _history(self, request: web.Request) -> web.Response:
        query = request.query
        page = await self.channels.logs_from(
            int(request.match_info["channel"]),
            int(query.get("limit", "50")),
            before=int(query["before"]) if "before" in query else None,
            after=int(query["after"]) if "after" in query else None,
        )
        return _json(page)

    async def _post(self, request: web.Request) -> web.Response:
        payload = await request.json()
        channel = int(request.match_info["channel"])
        self.channels.posted.append((channel, payload))
        from tests.fakes.discord_payloads import snowflake

        return _json(
            message(
                snowflake(discord.utils.utcnow()), payload.get("content", ""), channel=channel, author=BOT
            )
        )

    # ------------------------------------------------------------------ gateway

    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None})
        async for frame in ws:
            if frame.type is not WSMsgType.TEXT:
                break
            data = json.loads(frame.data)
            if data["op"] == 1:
                await ws.send_json({"op": 11, "d": None, "s": None, "t": None})
            elif data["op"] == 2:
                await self._identify(ws, data["d"])
            elif data["op"] == 6:
                await self._resume(ws)
        if ws in self.sessions:
            self.sessions.remove(ws)
        return ws

    async def _identify(self, ws: web.WebSocketResponse, data: dict[str, Any]) -> None:
        if data.get("token") != self.token:
            await ws.close(code=4004, message=b"Authentication failed.")
            return
        if data.get("intents", 0) & MESSAGE_CONTENT and not self.content_intent:
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        self.identified += 1
        self.sessions.append(ws)
        host = f"ws://127.0.0.1:{self.port}/gateway"
        ready = {
            "v": 10,
            "user": user(BOT, "autoscalper", bot=True),
            "guilds": [{"id": guild()["id"], "unavailable": True}],
            "session_id": f"session-{self.identified}",
            "resume_gateway_url": host,
            "application": {"id": str(BOT), "flags": 1 << 19},
        }
        await self._send(ws, "READY", ready)
        await self._send(ws, "GUILD_CREATE", guild())

    async def _resume(self, ws: web.WebSocketResponse) -> None:
        if self.can_resume:
            self.sessions.append(ws)
            await self._send(ws, "RESUMED", {})
        else:  # the session expired: the client must identify again, and events in between are lost
            await ws.send_json({"op": 9, "d": False, "s": None, "t": None})

    async def _dispatch(self, event: str, data: dict[str, Any]) -> None:
        for ws in list(self.sessions):
            await self._send(ws, event, data)

    async def _send(self, ws: web.WebSocketResponse, event: str, data: dict[str, Any]) -> None:
        await ws.send_json({"op": 0, "t": event, "s": next(self._seq), "d": data})

    async def _send_all(self, frame: dict[str, Any]) -> None:
        for ws in list(self.sessions):
            self.sessions.remove(ws)
            await ws.send_json(frame)


def _json(data: Any, status: int = 200) -> web.Response:
    """JSON with the exact content type Discord sends (discord.py compares it verbatim)."""
    return web.Response(
        body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"}
    )


@contextmanager
def point_discord_at(port: int) -> Iterator[None]:
    """discord.py's two addresses for Discord (REST and gateway), pointed at 127.0.0.1:``port``."""
    from discord.gateway import DiscordWebSocket
    from discord.http import Route

    base, gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    Route.BASE = f"http://127.0.0.1:{port}/api/v10"
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(f"ws://127.0.0.1:{port}/gateway")
    try:
        yield
    finally:
        Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY = base, gateway


@contextmanager
def fake_discord(**options: Any) -> Iterator[FakeDiscord]:
    server = FakeDiscord(**options).start()
    try:
        with point_discord_at(server.port):
            yield server
    finally:
        server.stop()

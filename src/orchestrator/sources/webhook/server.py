"""``WebhookSource``: TradingView alerts over HTTP (aiohttp), into the same pipeline as any message.

``POST /webhook/<secret>`` (or ``POST /webhook`` with the secret in a JSON body's ``secret``). Each
request passes, in order, checks that cost nothing before any that read it: the sender's address
(``WEBHOOK_ALLOWED_IPS``; 403), its rate (``WEBHOOK_RATE_PER_MINUTE``; 429), the declared size
(``WEBHOOK_MAX_BODY_BYTES``; 413), the content type (text or JSON; 415), reading the body within
``READ_TIMEOUT`` (408) and within the size (413), the secret (compared in constant time; 401),
then the JSON alert's fields (400, with the reason). A refused request is journaled as a
``webhook_refused`` notice with the sender's address and is never parsed.

An accepted alert is a message from source ``webhook``: plain text is read by the parser, a JSON
alert is mapped to an intent (``alert_json.py``). Its id is ``webhook:<message_id>``, or a hash of the
body and the minute when the alert has none, so TradingView's retries are decided once. The answer
(200) comes after the decision is journaled, and carries it. Alerts are decided one at a time.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import socket
import time
from collections import defaultdict, deque
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

from executor import Notice
from parser import Intent

from ...app import Orchestrator
from ...messages import Message
from ...pipeline import Handled
from ...settings import Settings
from ..base import Say, SourceStartError
from .alert_json import JsonAlertError, read_json_alert

WEBHOOK = "webhook"  # the messages' source
REFUSED = "webhook_refused"  # the notices' kind
READ_TIMEOUT = 10.0  # seconds to receive a body
TEXT_TYPES = frozenset({"text/plain", ""})  # TradingView sends text/plain unless the body is JSON


class WebhookSource:
    name = WEBHOOK

    def __init__(self, orchestrator: Orchestrator, settings: Settings, secret: str, say: Say) -> None:
        self.orchestrator, self.settings, self.secret, self.say = orchestrator, settings, secret, say
        self.allowed = frozenset(settings.WEBHOOK_ALLOWED_IPS)
        self._sent: dict[str, deque[float]] = defaultdict(deque)  # sender -> request times
        self._one_at_a_time = asyncio.Lock()
        self._runner: web.AppRunner | None = None
        self._stopped = asyncio.Event()
        self.port = settings.WEBHOOK_PORT

    async def start(self) -> None:
        app = web.Application(client_max_size=self.settings.WEBHOOK_MAX_BODY_BYTES)
        app.router.add_post("/webhook", self._receive)
        app.router.add_post("/webhook/{secret}", self._receive)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        where = f"{self.settings.WEBHOOK_HOST}:{self.settings.WEBHOOK_PORT}"
        try:
            listening = socket.create_server((self.settings.WEBHOOK_HOST, self.settings.WEBHOOK_PORT))
        except OSError as exc:
            await self._runner.cleanup()
            raise SourceStartError(f"the webhook cannot listen on {where}: {exc.strerror or exc}") from None
        self.port = listening.getsockname()[1]  # the one chosen when WEBHOOK_PORT is 0
        await web.SockSite(self._runner, listening).start()
        self.say(f"webhook listening on http://{self.settings.WEBHOOK_HOST}:{self.port}/webhook/<secret>")

    async def deliver(self) -> None:
        await self._stopped.wait()

    def notice(self, notice: Notice) -> None:
        """A webhook has nobody to tell: its answers carry the decisions."""

    async def stop(self, because: BaseException | None = None) -> None:
        self._stopped.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # -- one request -----------------------------------------------------------------------------

    async def _receive(self, request: web.Request) -> web.Response:
        sender = request.remote or "?"
        try:
            body, kind = await self._checked(request, sender)
            message, intent = self._message(request, body, kind, sender)
        except _Refused as refused:
            self.orchestrator.journal.record_notice(
                REFUSED, datetime.now(UTC), f"{refused.status} from {sender}: {refused.reason}"
            )
            return web.json_response({"error": refused.reason}, status=refused.status)
        async with self._one_at_a_time:
            handled = await self.orchestrator.on_message(message, intent)
        return web.json_response(_answer(handled))

    async def _checked(self, request: web.Request, sender: str) -> tuple[bytes, str]:
        """The body and its kind (text or json), once every check passed."""
        if self.allowed and sender not in self.allowed:
            raise _Refused(403, f"{sender} is not in WEBHOOK_ALLOWED_IPS")
        if self._flooding(sender):
            raise _Refused(429, f"more than {self.settings.WEBHOOK_RATE_PER_MINUTE} requests a minute")
        limit = self.settings.WEBHOOK_MAX_BODY_BYTES
        if request.content_length is not None and request.content_length > limit:
            raise _Refused(413, f"the body is {request.content_length} bytes, over {limit}")
        kind = request.content_type if request.content_type in ("application/json",) else "text"
        if kind == "text" and request.content_type not in TEXT_TYPES:
            raise _Refused(415, f"content type {request.content_type}: send text/plain or application/json")
        try:
            async with asyncio.timeout(READ_TIMEOUT):
                body = await request.read()
        except TimeoutError:
            raise _Refused(408, f"the body did not arrive within {READ_TIMEOUT:g} s") from None
        except web.HTTPRequestEntityTooLarge:
            raise _Refused(413, f"the body is over {limit} bytes") from None
        return body, kind

    def _message(
        self, request: web.Request, body: bytes, kind: str, sender: str
    ) -> tuple[Message, Intent | None]:
        """The alert as a message (and, for JSON, its intent); the secret checked before anything
        of the body is read as an alert."""
        data = _json_body(body) if kind == "application/json" else None
        given = request.match_info.get("secret") or (str(data.get("secret") or "") if data else "")
        if not hmac.compare_digest(given.encode(), self.secret.encode()):
            raise _Refused(401, "wrong or missing secret")
        intent, key = None, None
        if data is None:
            text = body.decode("utf-8", errors="replace").strip()
            if not text:
                raise _Refused(400, "an empty alert")
        else:
            try:
                alert = read_json_alert(data)
                intent, key = alert.intent(), alert.message_id
            except JsonAlertError as exc:
                raise _Refused(400, str(exc)) from None
            text = json.dumps({k: v for k, v in data.items() if k != "secret"}, sort_keys=True)
        now = datetime.now(UTC)
        key = key or hashlib.sha256(body + f"{now:%Y-%m-%dT%H:%M}".encode()).hexdigest()[:16]
        message = Message(
            id=f"{WEBHOOK}:{key}", channel_id=WEBHOOK, author_id=sender, text=text,
            sent_at=now, received_at=now, source=WEBHOOK,
        )  # fmt: skip
        return message, intent

    def _flooding(self, sender: str) -> bool:
        """Over WEBHOOK_RATE_PER_MINUTE in the last 60 s (every request counts, refused or not)."""
        now, sent = time.monotonic(), self._sent[sender]
        while sent and sent[0] <= now - 60:
            sent.popleft()
        sent.append(now)
        return len(sent) > self.settings.WEBHOOK_RATE_PER_MINUTE


def _json_body(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _Refused(400, f"not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise _Refused(400, "the body must be a JSON object")
    return data


class _Refused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


def _answer(handled: Handled) -> dict[str, Any]:
    """The decision, as the sender's answer: and every further instruction of the message."""
    parts = [{**part.to_json(), "detail": part.detail, "execution": part.execution} for part in handled.parts]
    return {**parts[0], "more": parts[1:]}

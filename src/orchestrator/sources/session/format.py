"""Session files (docs/architecture.md): one JSON event per line, driving a replay on a simulated clock.

``read_session`` yields each event with its line number. A line that is not valid JSON, or not a
valid event, is reported with its line number and skipped, never fatal: the rest of the day still
replays, and the report says exactly which lines were not.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from ...messages import Delete, Edit, Message
from ...times import within_range

# An ISO-8601 time with its offset, nothing else: a number would be read as Unix seconds, a
# silent guess about a malformed line. Years outside 2000-2099 are a bad line (times.py).
Time = Annotated[AwareDatetime, Field(strict=True), AfterValidator(within_range)]


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")
    at: Time


class MessageEvent(_Event):
    type: Literal["message"]
    id: str
    text: str
    channel: str | None = None
    author: str | None = None
    sent_at: Time | None = None
    reply_to: str | None = None

    def message(self) -> Message:
        return Message(
            id=self.id,
            channel_id=self.channel,
            author_id=self.author,
            text=self.text,
            sent_at=self.sent_at or self.at,
            received_at=self.at,
            reply_to=self.reply_to,
        )


class EditEvent(_Event):
    type: Literal["edit"]
    id: str
    text: str

    def edit(self) -> Edit:
        return Edit(id=self.id, text=self.text, at=self.at)


class DeleteEvent(_Event):
    type: Literal["delete"]
    id: str

    def delete(self) -> Delete:
        return Delete(id=self.id, at=self.at)


class QuoteEvent(_Event):
    type: Literal["quote"]
    instrument: str
    bid: Decimal | None = Field(default=None, gt=0)
    ask: Decimal | None = Field(default=None, gt=0)
    last: Decimal | None = Field(default=None, gt=0)


class CommandEvent(_Event):
    type: Literal["command"]
    command: Literal["kill", "resume", "approve"]  # approve: ``reason`` is the held entry's id
    reason: str = ""
    flatten: bool = True


SessionEvent = Annotated[
    MessageEvent | EditEvent | DeleteEvent | QuoteEvent | CommandEvent, Field(discriminator="type")
]
_ADAPTER: TypeAdapter[SessionEvent] = TypeAdapter(SessionEvent)


@dataclass(frozen=True)
class BadLine:
    line: int
    problem: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.problem}"


@dataclass(frozen=True)
class Numbered:
    line: int
    event: MessageEvent | EditEvent | DeleteEvent | QuoteEvent | CommandEvent
    text: str = ""  # the line as read (what the journal's ``inputs`` keep)

    @property
    def at(self) -> datetime:
        return self.event.at


def read_session(lines: Iterable[str]) -> Iterator[Numbered | BadLine]:
    """Each non-blank line as a ``Numbered`` event, or a ``BadLine`` saying what is wrong with it."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield Numbered(number, _ADAPTER.validate_json(line), line.strip())
        except ValidationError as exc:
            yield BadLine(number, _problem(exc))


def _problem(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"][1:] or error["loc"])
    text = error["msg"]
    if error["type"] == "json_invalid":
        return "not valid JSON"
    return f"{where}: {text}" if where else text

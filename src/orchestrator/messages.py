"""What every listener hands the pipeline: a channel message, its edits and deletes, in one shape.

The Discord listener, the session file of a replay and the console's stdin all produce these, so the
pipeline cannot tell (and need not care) where a message came from. Ids are strings: Discord's are
numbers, a session file's are whatever it names.
"""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict

# Where a message came from (``Message.source``). A backfilled message is one the Discord listener
# fetched from the channel's history after a gap: too old, it is recorded as missed, never traded.
LIVE = "discord"
BACKFILL = "backfill"
CONSOLE = "console"  # typed into ``autoscalper run --input`` (or read from a file there)
SESSION = "session"  # a line of a replayed session file
EDIT = "edit"  # an alert amended by its author's edit, decided anew
TELEGRAM = "telegram"  # a Telegram channel's message, live or caught up after a gap
RULE = "rule"  # the bot's own instruction from a profile's management rule (``management.py``)

# A message with several instructions ("trim SPY, stop to BE on QQQ") has each decided on its own:
# the first under the message id, the second as "<id>#2", ... (Discord's ids are digits).
PART_MARK = "#"


def part_id(message_id: str, number: int) -> str:
    """The id a message's ``number``-th instruction is decided, planned and journaled under."""
    return message_id if number == 1 else f"{message_id}{PART_MARK}{number}"


def message_of(signal_id: str) -> str:
    """The message an instruction's id belongs to (``m1#2`` -> ``m1``)."""
    return signal_id.split(PART_MARK, 1)[0]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Message(_Frozen):
    """``channel_id`` is where the message was posted; ``parent_channel_id`` the channel of the
    thread it was posted in, which decides whether it is followed."""

    id: str
    channel_id: str | None = None
    author_id: str | None = None
    text: str
    sent_at: AwareDatetime
    received_at: AwareDatetime
    reply_to: str | None = None
    source: str = SESSION
    parent_channel_id: str | None = None

    @property
    def followed_channel(self) -> str | None:
        return self.parent_channel_id or self.channel_id


class Edit(_Frozen):
    id: str
    text: str
    at: AwareDatetime


class Delete(_Frozen):
    id: str
    at: AwareDatetime

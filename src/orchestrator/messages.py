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


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Message(_Frozen):
    id: str
    channel_id: str | None = None
    author_id: str | None = None
    text: str
    sent_at: AwareDatetime
    received_at: AwareDatetime
    reply_to: str | None = None
    source: str = "session"


class Edit(_Frozen):
    id: str
    text: str
    at: AwareDatetime


class Delete(_Frozen):
    id: str
    at: AwareDatetime

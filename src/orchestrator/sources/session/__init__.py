"""Session files: the recorded channel a replay feeds through the bot on a simulated clock."""

from ...messages import SESSION
from ..base import SourceKind
from ..discord import allowlist

# A session is a recorded Discord channel: its alerts trade under the Discord allow-lists.
KIND = SourceKind(name="session", message_sources=(SESSION,), allowlist=allowlist)

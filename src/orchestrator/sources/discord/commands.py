"""Control commands typed in chat: ``!status``, ``!positions``, ``!kill [reason]``, ``!resume``.

Only ``DISCORD_CONTROL_USER_IDS`` may use them, by id; anyone else is refused. They go through the
command layer (``control.Controls``) the console, the Python API and session commands use: every
command, refused or not, is journaled as a request with its result.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...control import COMMANDS, Controls

REFUSED = "Refused: you are not allowed to control this bot."


@dataclass(frozen=True)
class ChatCommand:
    name: str
    argument: str = ""


def read_command(text: str) -> ChatCommand | None:
    """``!kill spread too wide`` -> ChatCommand("kill", "spread too wide"); anything else -> None."""
    word, _, rest = text.strip().partition(" ")
    name = word.lower().removeprefix("!")
    if not word.startswith("!") or name not in COMMANDS:
        return None
    return ChatCommand(name, rest.strip())


async def carry_out(
    controls: Controls, command: ChatCommand, user_id: str, allowed: frozenset[str]
) -> list[str]:
    """The reply lines for ``command`` from ``user_id``."""
    by = f"discord:{user_id}"
    if user_id not in allowed:
        why = f"{by} is not in DISCORD_CONTROL_USER_IDS"
        controls.refuse(command.name, by=by, why=why, argument=command.argument)
        return [REFUSED]
    result = await controls.run(command.name, by=by, argument=command.argument)
    return result.lines

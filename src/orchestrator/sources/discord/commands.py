"""Control commands typed in chat: ``!status``, ``!positions``, ``!kill [reason]``, ``!resume``.

Only ``DISCORD_CONTROL_USER_IDS`` may use them, by id; anyone else is refused. Every command, refused
or not, is journaled as a control request with its result, next to the console's. They call what the
CLI calls: ``status`` reads the journal like ``autoscalper status``; ``kill`` and ``resume`` go through
``Orchestrator.control``, the same kill switch and resume the console reaches.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...app import Orchestrator
from ...views.status import collect, lines, position_lines

COMMANDS = ("status", "positions", "kill", "resume")
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
    orchestrator: Orchestrator, command: ChatCommand, user_id: str, allowed: frozenset[str]
) -> list[str]:
    """The reply lines for ``command`` from ``user_id``."""
    journal, by = orchestrator.journal, f"discord:{user_id}"
    if user_id not in allowed:
        _journal_answered(orchestrator, command, by, "refused", f"{by} is not in DISCORD_CONTROL_USER_IDS")
        return [REFUSED]
    if command.name in ("kill", "resume"):
        result = await orchestrator.control(command.name, by=by, reason=command.argument)
        return result.lines
    report = collect(journal, orchestrator.settings, orchestrator.clock())
    answer = lines(report) if command.name == "status" else position_lines(report)
    _journal_answered(orchestrator, command, by, "done", "\n".join(answer))
    return answer


def _journal_answered(
    orchestrator: Orchestrator, command: ChatCommand, by: str, outcome: str, detail: str
) -> None:
    """A request and its result in one commit, so the control poller never sees it pending."""
    journal = orchestrator.journal
    with journal.transaction():
        request = journal.request(command.name, reason=command.argument, flatten=False, by=by)
        journal.record_result(request, outcome, detail)

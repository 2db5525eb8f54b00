"""``autoscalper console``: a Python shell next to a started orchestrator.

The orchestrator runs its event loop on a background thread (as the bot would), so the executor's
kill switch typed at the prompt runs on that loop and returns its report; nothing typed here can
leave a coroutine un-run.
"""

from __future__ import annotations

import asyncio
import code
import threading
from pathlib import Path

from ..app import Orchestrator
from ..settings import Settings
from ..sources import allowlists

BANNER = """autoscalper console ({mode}, {broker}; journal {journal}; trading {state})
  orchestrator.executor.activate_kill_switch("manual stop")   halt, cancel, flatten; returns the report
  orchestrator.executor.book.open_holdings()                  open positions
  orchestrator.executor.resume()                              back to active"""


def interact(settings: Settings, db: Path | None) -> None:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="autoscalper-loop", daemon=True)
    thread.start()
    orchestrator = Orchestrator.open(settings, command="console", journal_path=db, allow=allowlists(settings))
    asyncio.run_coroutine_threadsafe(orchestrator.start(), loop).result(timeout=60)
    banner = BANNER.format(
        mode=settings.mode,
        broker=settings.BROKER,
        journal=orchestrator.journal.path,
        state=orchestrator.trading_state,
    )
    try:
        code.interact(banner=banner, local={"orchestrator": orchestrator}, exitmsg="")
    finally:
        asyncio.run_coroutine_threadsafe(orchestrator.executor.broker.shutdown(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=5)
        orchestrator.close()

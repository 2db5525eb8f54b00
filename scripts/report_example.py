"""Draw ``docs/report.png``: the README's picture of ``autoscalper report``.

The journal is the same as the report test's (``tests/integration/test_report.py``): a generated
four-day channel plus the bundled losing session moved to a fifth day, replayed on the paper
simulator. Needs Debian's chromium (``make browser``). Run: ``.venv/bin/python scripts/report_example.py``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.sessions import CHANNEL_SESSION_SETTINGS, SESSIONS, channel_session  # noqa: E402

BOT = [sys.executable, "-m", "orchestrator"]


def main() -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        sys.exit("chromium is not installed: `make browser`")
    env = {**os.environ, **CHANNEL_SESSION_SETTINGS}
    with tempfile.TemporaryDirectory() as folder:
        here = Path(folder)
        week = here / "week.jsonl"
        week.write_text("\n".join(channel_session(400, days=4)) + "\n", encoding="utf-8")
        losing = (SESSIONS / "losing_day_cap.jsonl").read_text(encoding="utf-8")
        moved = here / "losing.jsonl"
        moved.write_text(
            losing.replace("2026-03-02", "2026-03-06").replace(" 3/2 ", " 3/6 "), encoding="utf-8"
        )
        db = here / "paper.db"
        for session in (week, moved):
            subprocess.run(
                [*BOT, "replay", str(session), "--db", str(db)], env=env, check=True, capture_output=True
            )
        page = here / "report.html"
        subprocess.run([*BOT, "report", "--db", str(db), "--out", str(page)], env=env, check=True)
        subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--window-size=820,1500", f"--screenshot={ROOT / 'docs' / 'report.png'}", page.as_uri()],
            check=True, capture_output=True,
        )  # fmt: skip
    print(f"wrote {ROOT / 'docs' / 'report.png'}")


if __name__ == "__main__":
    main()

"""``autoscalper report`` as a trader opens it: the HTML page drawn by a real browser (Debian's
headless Chromium, installed by ``make browser``), the file where the command says, and terminal
tables that fit 80 columns with nothing cut.

The journal is a generated four-day channel (three winning days) plus a bundled losing session
moved to a fifth day, whose fills the simulator made up (no quotes).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from tests.cli import cli
from tests.sessions import CHANNEL_SESSION_SETTINGS, SESSIONS, channel_session

GAIN, LOSS, LINE = (26, 127, 55), (207, 34, 46), (9, 105, 218)  # what the page promises to draw with
LOSING_DAY = "2026-03-06"


@pytest.fixture(scope="module")
def journal(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    week = folder / "week.jsonl"
    week.write_text("\n".join(channel_session(400, days=4)) + "\n", encoding="utf-8")
    losing = (SESSIONS / "losing_day_cap.jsonl").read_text(encoding="utf-8")
    moved = folder / "losing.jsonl"
    moved.write_text(losing.replace("2026-03-02", LOSING_DAY).replace(" 3/2 ", " 3/6 "), encoding="utf-8")
    db = folder / "paper.db"
    for session in (week, moved):
        done = cli("replay", str(session), "--db", str(db), env=CHANNEL_SESSION_SETTINGS)
        assert done.returncode == 0, done.stderr
    return db


def report(journal: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    done = cli("report", "--db", str(journal), *args, env={"COLUMNS": "80"}, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return done


def test_the_page_draws_a_bar_per_day_to_scale_and_the_equity_curve(journal: Path, tmp_path: Path) -> None:
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is not installed: `make browser` installs it (`make test` does)"
    page = tmp_path / "report.html"
    summary = json.loads(report(journal, "--json", "--out", str(page)).stdout)
    shot = tmp_path / "shot.png"
    subprocess.run(
        [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
         "--window-size=820,1000", f"--screenshot={shot}", page.as_uri()],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    image = Image.open(shot).convert("RGB")

    nets = [float(day["realized_net"]) for day in summary["days"]]
    bars = _bars(image, {GAIN, LOSS})  # left to right: (colour, height in pixels)
    assert [colour for colour, _ in bars] == [GAIN if net >= 0 else LOSS for net in nets]
    tallest = max(abs(net) for net in nets)
    top = max(height for _, height in bars)
    for (_, height), net in zip(bars, nets, strict=True):
        assert abs(height / top - abs(net) / tallest) < 0.03  # drawn to scale
    assert _count(image, LINE) > 20  # the equity curve's line and points
    assert summary["total"]["made_up"] == 2  # the losing day's trades: no quotes in that session


def test_the_report_lands_in_a_reports_folder_and_says_where(journal: Path) -> None:
    done = report(journal)
    [line] = [x for x in done.stdout.splitlines() if x.startswith("report: ")]
    written = Path(line.removeprefix("report: "))
    assert written == journal.parent / "reports" / f"paper-{LOSING_DAY}.html"
    html = written.read_text(encoding="utf-8")
    assert "http" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")  # nothing fetched
    assert "trading day (New York)" in html and "net P&amp;L ($)" in html  # labelled axes
    assert "2 of" in html and "made up" in html


def test_the_terminal_tables_fit_80_columns_with_nothing_cut(journal: Path) -> None:
    out = report(journal).stdout
    assert all(len(line) <= 80 for line in out.splitlines())
    assert "…" not in out
    assert f" {LOSING_DAY} " in out and " a1 " in out
    assert "avg win" in out and "avg loss" in out and "worst" in out and "made up" in out


def _bars(image: Image.Image, colours: set[tuple[int, int, int]]) -> list[tuple[tuple[int, int, int], int]]:
    """Solid upright bars of ``colours``: columns with a run of at least 8 pixels of one colour
    (a letter of the tables is never that tall), merged into bars; each bar's tallest run."""
    width, height = image.size
    pixels = image.load()
    assert pixels is not None
    columns: list[tuple[int, tuple[int, int, int], int]] = []
    for x in range(width):
        best: tuple[tuple[int, int, int], int] | None = None
        run, colour = 0, None
        for y in range(height):
            here = pixels[x, y]
            run = run + 1 if here == colour else 1
            colour = here
            if colour in colours and run >= 8 and (best is None or run > best[1]):
                best = (colour, run)
        if best is not None:
            columns.append((x, *best))
    bars: list[tuple[tuple[int, int, int], int]] = []
    previous = -2
    for x, colour, run in columns:
        if x == previous + 1 and bars and bars[-1][0] == colour:
            bars[-1] = (colour, max(bars[-1][1], run))
        else:
            bars.append((colour, run))
        previous = x
    return bars


def _count(image: Image.Image, colour: tuple[int, int, int]) -> int:
    counts = image.getcolors(maxcolors=image.size[0] * image.size[1]) or []
    return next((count for count, seen in counts if seen == colour), 0)

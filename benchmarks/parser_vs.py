"""This tree's parser against another git revision's, side by side on the same machine and texts.

    .venv/bin/python benchmarks/parser_vs.py REVISION [--rounds 7]

The revision is checked out into a temporary git worktree. Each round times both parsers, each in a
fresh process (the two ``parser`` packages cannot share one), in alternating order, over the texts of
the development corpora of real alerts kept beside the project (when present) and the channel mix of
benchmarks/run.py. Each process reports its per-message median; the figure is the median over the
rounds, and the ratio is taken round by round, so the machine's load drifting between rounds cancels
out.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import channel_mix, dev_alerts  # noqa: E402

# Runs in the measured process, with the measured tree's src first on sys.path.
_TIMER = """
import json, statistics, sys, time
from datetime import datetime, timezone
from parser import parse
texts = json.load(open(sys.argv[1]))
now = datetime(2026, 3, 2, 15, tzinfo=timezone.utc)
for text in texts:
    parse(text, now)
samples = []
for _ in range(5):
    for text in texts:
        t0 = time.perf_counter_ns()
        parse(text, now)
        samples.append(time.perf_counter_ns() - t0)
print(statistics.median(samples) / 1000)
"""


def median_us(src: Path, texts: Path) -> float:
    done = subprocess.run(
        [sys.executable, "-c", _TIMER, str(texts)],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"},
    )
    return float(done.stdout.strip())


def compare(revision: str, rounds: int) -> dict[str, dict[str, float]]:
    mixes = {"alerts": dev_alerts(), "channel_mix": channel_mix()}
    results: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as scratch:
        other = Path(scratch) / "tree"
        subprocess.run(["git", "worktree", "add", "--detach", str(other), revision], cwd=ROOT, check=True)
        try:
            for name, texts in mixes.items():
                if not texts:
                    continue
                path = Path(scratch) / f"{name}.json"
                path.write_text(json.dumps(texts))
                mine, theirs = [], []
                for k in range(rounds):
                    pair = [(mine, ROOT / "src"), (theirs, other / "src")]
                    for out, src in pair if k % 2 == 0 else pair[::-1]:
                        out.append(median_us(src, path))
                ratios = [t / m for m, t in zip(mine, theirs, strict=True)]
                results[name] = {
                    "messages": len(texts),
                    "this_median_us": round(statistics.median(mine), 2),
                    f"{revision}_median_us": round(statistics.median(theirs), 2),
                    "speedup": round(statistics.median(ratios), 2),
                }
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(other)], cwd=ROOT, check=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revision", help="a git revision, e.g. HEAD~3 or a commit id")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    print(json.dumps(compare(args.revision, args.rounds), indent=2))


if __name__ == "__main__":
    main()

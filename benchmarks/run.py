"""Parser, risk and executor performance: latency (median, p99), throughput and whole-process cold start.

Prints a table and writes benchmarks/results/parse.json. Wall-clock figures on a shared machine are
noisy: every latency is a median or percentile over many runs, and nothing here is asserted.

Mixes measured:
* ``channel_mix``: a realistic channel, 70 % chatter (tests/fixtures/chatter.txt) and 30 % alerts and
  management messages (the golden corpus's actionable cases), shuffled with a fixed seed. 70/30 is
  an assumption about a busy alert channel; the bundled demo day is 46 % refusals.
* ``golden``: the whole golden corpus (tests/fixtures/alerts), which is mostly alerts: a worst case.
* ``peer_dev``: the shared development corpus of real alerts, when ../shared is present.
"""

from __future__ import annotations

import json
import platform
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.discord_bench import listener_latency  # noqa: E402
from benchmarks.executor_bench import executor_latency  # noqa: E402
from benchmarks.ib_bench import ib_latency  # noqa: E402
from benchmarks.risk_bench import decision_latency  # noqa: E402
from benchmarks.timing import per_call_ns, summary_us  # noqa: E402
from tests.conftest import golden_cases  # noqa: E402

from parser import parse  # noqa: E402
from parser.core import grammar  # noqa: E402

NOW = datetime(2026, 3, 2, 15, tzinfo=UTC)
PASSES = 7
PEER = ROOT.parent / "shared" / "corpus" / "peer_alerts_dev.jsonl"


def channel_mix() -> list[str]:
    chatter = [
        line for line in (ROOT / "tests" / "fixtures" / "chatter.txt").read_text().splitlines() if line
    ]
    alerts = [c.text for c in golden_cases() if c.expected["kind"] != "none"]
    rng = random.Random(7)
    mix = [rng.choice(chatter) for _ in range(700)] + [rng.choice(alerts) for _ in range(300)]
    rng.shuffle(mix)
    return mix


def latency(texts: list[str]) -> dict[str, float]:
    samples, elapsed = per_call_ns(texts, lambda text: parse(text, NOW), PASSES)
    return {"messages": len(texts), **summary_us(samples), "throughput_per_s": round(len(samples) / elapsed)}


def cold_start(runs: int = 15) -> dict[str, float]:
    exe = str(Path(sys.executable).with_name("autoscalper"))
    command = [exe, "parse", "--json", "BTO SPY 3/20 580C @ 1.25 SL .90 PT 1.80"]
    subprocess.run(command, capture_output=True, check=True)  # lark's grammar cache is written once
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        times.append(time.perf_counter() - t0)
    baseline = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], capture_output=True, check=True)
        baseline.append(time.perf_counter() - t0)
    return {
        "median_s": round(statistics.median(times), 3),
        "min_s": round(min(times), 3),
        "python_startup_median_s": round(statistics.median(baseline), 3),
    }


def main() -> None:
    grammar()
    mixes = {"channel_mix": channel_mix(), "golden": [c.text for c in golden_cases()]}
    if PEER.exists():
        mixes["peer_dev"] = [json.loads(line)["text"] for line in PEER.read_text().splitlines() if line]
    results: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "cpu": platform.processor() or platform.machine()},
        "goals": {"channel_mix_median_us": 6, "p99_us": 80, "cold_start_s": 0.4},
        "parse": {name: latency(texts) for name, texts in mixes.items()},
        "cold_start": cold_start(),
        "risk_evaluate": decision_latency(),
        "executor": executor_latency(),
        "ib_adapter": ib_latency(),
        "discord_listener": listener_latency(),
    }
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "parse.json").write_text(json.dumps(results, indent=2) + "\n")
    _print(results)


def _print(results: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title="autoscalper parse: per message, after warm-up")
    for column in ("mix", "messages", "median µs", "p99 µs", "max µs", "messages/s"):
        table.add_column(column, justify="right" if column != "mix" else "left")
    for name, row in results["parse"].items():
        table.add_row(
            name,
            str(row["messages"]),
            f"{row['median_us']:.1f}",
            f"{row['p99_us']:.1f}",
            f"{row['max_us']:.0f}",
            f"{row['throughput_per_s']:,}",
        )
    console = Console()
    console.print(table)
    cold = results["cold_start"]
    console.print(
        f"cold start `autoscalper parse --json`: median {cold['median_s']} s, min {cold['min_s']} s "
        f"(bare python: {cold['python_startup_median_s']} s). Goals: channel mix median <= 6 µs, "
        "p99 <= 80 µs, cold start < 0.4 s."
    )
    risk = results["risk_evaluate"]
    console.print(
        f"risk.evaluate over {risk['intents']} intents: median {risk['median_us']} µs, "
        f"p99 {risk['p99_us']} µs, "
        f"max {risk['max_us']:.0f} µs; calendar warm-up in a fresh process {risk['calendar_warm_up_s']} s"
    )
    ex = results["executor"]
    console.print(
        f"executor on the paper broker over {ex['rounds']} alerts in one day: plan placed median "
        f"{ex['place']['median_us']} µs, p99 {ex['place']['p99_us']} µs; placed + entry fill + target fill "
        f"median {ex['round']['median_us']} µs (first tenth {ex['round_first_tenth']['median_us']} µs, "
        f"last tenth {ex['round_last_tenth']['median_us']} µs)"
    )
    ib = results["ib_adapter"]
    console.print(
        f"IB adapter over loopback to the fake gateway, {ib['rounds']} alerts: bracket placed and acked "
        f"median {ib['place']['median_us']} µs, p99 {ib['place']['p99_us']} µs; with entry and target fills "
        f"median {ib['round']['median_us']} µs; the first bracket, which qualifies the contract, "
        f"{ib['first_place_us']} µs"
    )
    dl = results["discord_listener"]
    console.print(
        f"Discord listener, {dl['messages']} gateway payloads to a decision committed (durable journal): "
        f"median {dl['listener']['median_us']} µs, p99 {dl['listener']['p99_us']} µs; the same messages "
        f"straight into the orchestrator median {dl['pipeline']['median_us']} µs "
        f"(x{dl['listener_over_pipeline_median']})"
    )
    console.print("written: benchmarks/results/parse.json")


if __name__ == "__main__":
    main()

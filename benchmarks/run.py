"""The performance suite: parser, decision, replay, memory, cold start, and the parts under them.

Prints the goals table (each measure against its goal on this machine) and the detail, and writes
benchmarks/results/bench.json. Wall-clock figures on a shared machine are
noisy: every latency is a median or percentile over many runs, and nothing here is asserted.

Mixes measured:
* ``channel_mix``: a realistic channel, 70 % chatter (tests/fixtures/chatter.txt) and 30 % alerts and
  management messages (the golden corpus's actionable cases), shuffled with a fixed seed. 70/30 is
  an assumption about a busy alert channel; the bundled demo day is 46 % refusals.
* ``golden``: the whole golden corpus (tests/fixtures/alerts), which is mostly alerts.
* ``alerts``: the texts of the development corpora of real alerts kept beside the project (not part
  of it), when present: what a year of an alert channel's history, replayed for a track record, is made of.
* ``longest``: messages at the length limit (4,000 characters) of each shape that costs the most:
  repeated alerts, management, verbs, contracts, emoji levels, words; the parse's worst case.
"""

from __future__ import annotations

import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.decision_bench import end_to_end_decision  # noqa: E402
from benchmarks.discord_bench import listener_latency  # noqa: E402
from benchmarks.executor_bench import executor_latency  # noqa: E402
from benchmarks.ib_bench import ib_latency  # noqa: E402
from benchmarks.replay_bench import replay_throughput  # noqa: E402
from benchmarks.risk_bench import decision_latency  # noqa: E402
from benchmarks.startup_bench import startup  # noqa: E402
from benchmarks.timing import per_call_ns, summary_us  # noqa: E402
from benchmarks.webhook_bench import webhook_latency  # noqa: E402
from tests.conftest import golden_cases  # noqa: E402

from parser import parse  # noqa: E402
from parser.core import MAX_CHARS  # noqa: E402
from parser.grammar import tables  # noqa: E402

NOW = datetime(2026, 3, 2, 15, tzinfo=UTC)
PASSES = 7
CORPUS = ROOT.parent / "shared" / "corpus"
DEV_FILES = (CORPUS / "peer_alerts_dev.jsonl", CORPUS / "fresh_alerts_dev.jsonl")


def channel_mix() -> list[str]:
    chatter = [
        line for line in (ROOT / "tests" / "fixtures" / "chatter.txt").read_text().splitlines() if line
    ]
    alerts = [c.text for c in golden_cases() if c.expected["kind"] != "none"]
    rng = random.Random(7)
    mix = [rng.choice(chatter) for _ in range(700)] + [rng.choice(alerts) for _ in range(300)]
    rng.shuffle(mix)
    return mix


def dev_alerts() -> list[str]:
    """Both development files' texts (not part of this repository: empty when they are absent)."""
    return [
        json.loads(line)["text"]
        for path in DEV_FILES
        if path.exists()
        for line in path.read_text(encoding="utf-8").splitlines()
        if line
    ]


def longest() -> list[str]:
    """Messages of MAX_CHARS characters, each of one costly shape (random choices, fixed seed)."""
    rng = random.Random(11)
    words = ["buy", "sell", "SPY", "the", "if", "not", "580C", "@", "1.25", "sl", "pt", "out", "trim"]
    shapes = [
        "BTO SPY 3/20 580C @ 1.25 SL .90 PT 1.80\n",
        "trim SPY here, stop to BE on QQQ. ",
        "$AMD swing long, entry zone 142.50-145, SL 136, TP1 155 TP2 162\n",
        "buy ",
        "\U0001f6d1 .80 \U0001f3af 1.60 \U0001f680 ",
        " ".join(f"{rng.randint(100, 600)}C {rng.randint(1, 12)}/{rng.randint(1, 28)}" for _ in range(400)),
        " ".join(rng.choice(words) for _ in range(1500)),
        "what a day today folks, market is wild and I love it ",
    ]
    return [(shape * (MAX_CHARS // len(shape) + 1))[:MAX_CHARS] for shape in shapes]


def latency(texts: list[str], passes: int = PASSES) -> dict[str, float]:
    samples, elapsed = per_call_ns(texts, lambda text: parse(text, NOW), passes)
    return {"messages": len(texts), **summary_us(samples), "throughput_per_s": round(len(samples) / elapsed)}


def _median_run(command: list[str], runs: int, env: dict[str, str] | None = None) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True, env=env)
        times.append(time.perf_counter() - t0)
    return round(statistics.median(times), 3)


def cold_start(runs: int = 15) -> dict[str, float]:
    """Whole processes: ``parse --json``, ``status`` on an existing journal (it never creates one),
    and bare Python for scale. Lark's grammar and the session tables are cached on disk by a first
    run, as on any machine after its first use."""
    from orchestrator.journal import Journal

    exe = str(Path(sys.executable).with_name("autoscalper"))
    parse_command = [exe, "parse", "--json", "BTO SPY 3/20 580C @ 1.25 SL .90 PT 1.80"]
    subprocess.run(parse_command, capture_output=True, check=True)
    with tempfile.TemporaryDirectory() as scratch:
        journal = Path(scratch) / "status.db"
        Journal(journal).close()
        env = {**os.environ, "JOURNAL_PATH": str(journal)}
        status_command = [exe, "status"]
        subprocess.run(status_command, capture_output=True, check=True, env=env)
        existing = _median_run(status_command, runs, env)
    return {
        "parse_median_s": _median_run(parse_command, runs),
        "status_median_s": existing,
        "python_startup_median_s": _median_run([sys.executable, "-c", "pass"], runs),
    }


def main() -> None:
    tables()
    mixes = {"channel_mix": channel_mix(), "golden": [c.text for c in golden_cases()]}
    alerts = dev_alerts()
    if alerts:
        mixes["alerts"] = alerts
    parse_results = {name: latency(texts) for name, texts in mixes.items()}
    parse_results["longest"] = latency(longest(), passes=25)
    results: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "cpu": platform.processor() or platform.machine()},
        "parse": parse_results,
        "decision": end_to_end_decision(),
        "replay": replay_throughput(),
        "startup": startup(),
        "cold_start": cold_start(),
        "risk_evaluate": decision_latency(),
        "executor": executor_latency(),
        "ib_adapter": ib_latency(),
        "discord_listener": listener_latency(),
        "webhook": webhook_latency(),
    }
    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    results["goals"] = goals(results)
    (out / "bench.json").write_text(json.dumps(results, indent=2) + "\n")
    _print(results)


def goals(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each goal of issues 8 and 17 with its figure: (measure, goal, figure, unit, met)."""
    cold, replay, parse = results["cold_start"], results["replay"], results["parse"]
    start = results["startup"]
    rows = [
        ("parse median, channel mix", "<=", 6, parse["channel_mix"]["median_us"], "µs"),
        *(
            [("parse median, alerts (both dev files)", "<=", 30, parse["alerts"]["median_us"], "µs")]
            if "alerts" in parse
            else []
        ),
        ("parse max, any message up to 4,000 characters", "<=", 1000, parse["longest"]["max_us"], "µs"),
        (
            "decision p99, order handed, durable journal",
            "<=",
            2000,
            results["decision"]["order_handed"]["p99_us"],
            "µs",
        ),
        ("replay, 10,000 messages, in process", ">=", 5000, replay["in_process_msg_per_s"], "msg/s"),
        ("replay --json command / in process, 10,000 messages", "<=", 1.3, replay["process_ratio"], "x"),
        ("peak RSS, 50,000-message replay", "<=", 150, replay["long_replay"]["peak_rss_mb"], "MB"),
        ("peak RSS, 50,000 / 10,000-message replay", "<=", 1.2, replay["rss_ratio_50k_to_10k"], "x"),
        ("start-up, 250-day / 1-day journal", "<=", 1.2, start["ratio_250_to_1"], "x"),
        ("start-up memory, 250-day / 1-day journal", "<=", 1.2, start["rss_ratio_250_to_1"], "x"),
        ("cold start, parse", "<", 0.4, cold["parse_median_s"], "s"),
        ("cold start, status", "<", 0.4, cold["status_median_s"], "s"),
    ]
    met = {"<=": lambda a, b: a <= b, ">=": lambda a, b: a >= b, "<": lambda a, b: a < b}
    return [
        {"measure": m, "goal": f"{op} {g:,} {u}", "figure": f, "unit": u, "met": met[op](f, g)}
        for m, op, g, f, u in rows
    ]


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
    goal_table = Table(title="autoscalper goals on this machine (medians of repeated runs)")
    for column in ("measure", "goal", "figure", "met"):
        goal_table.add_column(column, justify="left" if column == "measure" else "right")
    for row in results["goals"]:
        figure = f"{row['figure']:,} {row['unit']}"
        goal_table.add_row(row["measure"], row["goal"], figure, "yes" if row["met"] else "NO")
    console.print(goal_table)
    console.print(table)
    cold = results["cold_start"]
    console.print(
        f"cold start: parse {cold['parse_median_s']} s, status {cold['status_median_s']} s, bare python "
        f"{cold['python_startup_median_s']} s"
    )
    dec, rep = results["decision"], results["replay"]
    console.print(
        f"decision, message to order handed with a durable commit: median {dec['order_handed']['median_us']} "
        f"µs, p99 {dec['order_handed']['p99_us']} µs ({dec['order_handed']['count']} orders a run, median of "
        f"{dec['runs']} runs); every message: median {dec['all']['median_us']} µs, "
        f"p99 {dec['all']['p99_us']} µs"
    )
    console.print(
        f"replay of {rep['messages']:,} messages ({rep['events']:,} events): "
        f"{rep['in_process_msg_per_s']:,} msg/s in process ({rep['event_loop_msg_per_s']:,} over the events "
        f"alone); the whole command {rep['process']['msg_per_s']:,} msg/s with its table, peak RSS "
        f"{rep['process']['peak_rss_mb']} MB; {rep['long_replay']['messages']:,} messages: peak RSS "
        f"{rep['long_replay']['peak_rss_mb']} MB"
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
    console.print("written: benchmarks/results/bench.json")


if __name__ == "__main__":
    main()

"""The benchmark's outputs: a table on the terminal, results/bench/bench.json and bench.png, and
the required targets checked against the figures of the same run."""
from __future__ import annotations

import json
import math
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "results" / "bench"

# (row label, path into a column's figures, format)
ROWS = [
    ("closed loop, 50 conversations: messages/s", ("closed", "messages/s"), "{:.1f}"),
    ("  p50 / p95 / p99 ms", ("closed", ("p50 ms", "p95 ms", "p99 ms")), "{:.0f}"),
    ("  errors", ("closed", "errors"), "{:d}"),
    ("open loop, 80 messages/s offered: p50 / p95 / p99 ms", ("open80", ("p50 ms", "p95 ms", "p99 ms")), "{:.0f}"),
    ("  errors (of sent)", ("open80", ("errors", "sent")), "{:d}"),
    ("highest open-loop rate with p95 ≤ 150 ms, p99 ≤ 300 ms", ("highest rate",), "{}"),
    ("most shoppers (1 message / 5 s), every reply ≤ 1.5 s", ("most shoppers",), "{}"),
    ("socket.io closed loop, 50 shoppers: messages/s", ("socket closed", "messages/s"), "{:.1f}"),
    ("  p50 / p95 / p99 ms", ("socket closed", ("p50 ms", "p95 ms", "p99 ms")), "{:.0f}"),
    ("socket.io open loop, 50 messages/s: p50 / p95 / p99 ms", ("socket open50", ("p50 ms", "p95 ms", "p99 ms")), "{:.0f}"),
    ("  errors (of sent)", ("socket open50", ("errors", "sent")), "{:d}"),
    ("peak resident memory MB: Rasa server", ("rss rasa",), "{:.0f}"),
    ("  action server", ("rss actions",), "{:.0f}"),
    ("  console app", ("rss console",), "{:.0f}"),
    ("tracker events stored per message", ("events per message",), "{:.1f}"),
    ("start to first answer s", ("first answer s",), "{:.1f}"),
    ("full training s", ("training s",), "{:.0f}"),
    ("  data check before a retrain s", ("data check s",), "{:.0f}"),
    ("intent macro-F1, heldout.yml", ("f1", "heldout.yml", "macro F1"), "{:.3f}"),
    ("intent macro-F1, real_register.yml", ("f1", "real_register.yml", "macro F1"), "{:.3f}"),
]


def _get(figures: dict, path):
    value = figures
    for key in path:
        if isinstance(key, tuple):
            return tuple(value.get(k) for k in key) if isinstance(value, dict) else None
        value = value.get(key) if isinstance(value, dict) else None
        if value is None:
            return None
    return value


def _fmt(value, fmt: str) -> str:
    if value is None:
        return "—"
    if isinstance(value, tuple):
        return " / ".join(_fmt(v, fmt) for v in value)
    if isinstance(value, float) and math.isnan(value):
        return "—"
    try:
        return fmt.format(value)
    except (ValueError, TypeError):
        return str(value)


def table(columns: dict[str, dict]) -> str:
    width = max(len(r[0]) for r in ROWS) + 2
    lines = [f"{'':{width}}" + "".join(f"{name:>26}" for name in columns)]
    for label, path, fmt in ROWS:
        lines.append(f"{label:{width}}" + "".join(f"{_fmt(_get(c, path), fmt):>26}" for c in columns.values()))
    return "\n".join(lines)


def targets(project: dict, baseline: dict | None) -> list[tuple[str, bool, str]]:
    """The issue's requirements of the project's assistant, checked in this run."""
    checks = []
    if baseline:
        ratio = project["closed"]["messages/s"] / baseline["closed"]["messages/s"]
        checks.append(("closed-loop messages/s ≥ 2× the baseline's", ratio >= 2, f"{ratio:.2f}×"))
        for name in ("heldout.yml", "real_register.yml"):
            mine, theirs = _get(project, ("f1", name, "macro F1")), _get(baseline, ("f1", name, "macro F1"))
            if mine is not None and theirs is not None:
                checks.append((f"intent F1 ({name}) no lower than the baseline's", mine >= theirs,
                               f"{mine:.3f} vs {theirs:.3f}"))
    errors = sum(project.get(k, {}).get("errors", 0) for k in ("closed", "open80", "socket closed", "socket open50"))
    checks.append(("0 errors", errors == 0, f"{errors}"))
    checks.append(("Rasa server ≤ 1.0 GB resident", project["rss rasa"] <= 1000, f"{project['rss rasa']:.0f} MB"))
    checks.append(("first answer ≤ 20 s after start", project["first answer s"] <= 20, f"{project['first answer s']:.1f} s"))
    if project.get("training s") is not None:
        checks.append(("full training ≤ 180 s", project["training s"] <= 180, f"{project['training s']:.0f} s"))
    return checks


def write(columns: dict[str, dict], checks, meta: dict) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "bench.json").write_text(json.dumps({"meta": meta, "columns": columns,
                                               "targets": [{"target": t, "met": ok, "figure": f} for t, ok, f in checks]},
                                              ensure_ascii=False, indent=1))
    _chart(columns)


def _chart(columns: dict[str, dict]) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(columns)
    fig, axes = plt.subplots(1, 3, figsize=(13, 4))
    axes[0].bar(names, [columns[n]["closed"]["messages/s"] for n in names], color=["#2b7bb9", "#999999"][:len(names)])
    axes[0].set_title("closed loop, 50 conversations (messages/s)")
    for i, key in enumerate(("p50 ms", "p95 ms", "p99 ms")):
        axes[1].bar([j + i * 0.25 for j in range(len(names))], [columns[n]["open80"][key] for n in names], width=0.25,
                    label=key)
    axes[1].set_xticks([j + 0.25 for j in range(len(names))], names)
    axes[1].set_yscale("log")
    axes[1].set_title("open loop at 80 messages/s: latency (ms, log)")
    axes[1].legend()
    axes[2].bar(names, [columns[n]["rss rasa"] for n in names], color=["#2b7bb9", "#999999"][:len(names)])
    axes[2].axhline(1000, color="red", linestyle="--", linewidth=1)
    axes[2].set_title("Rasa server peak memory (MB)")
    fig.tight_layout()
    fig.savefig(OUT / "bench.png", dpi=100)
    plt.close(fig)

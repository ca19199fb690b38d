"""`make soak`'s outputs: a table on the terminal, results/soak/soak.json and soak.png (memory
over time and latency, per phase), and the targets of the issue checked against the figures."""
from __future__ import annotations

import json
import math
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "results" / "soak"
MAX_GROWTH_PERCENT = 10.0
PROCESSES = ("rasa", "actions", "console")

ROWS = [
    ("shoppers (slots) / conversations", ("shoppers", "conversations"), "{:,}"),
    ("messages/s offered / answered", ("rate offered", "messages/s answered"), "{:.1f}"),
    ("minutes", ("minutes",), "{:g}"),
    ("sent / acknowledged", ("sent", "acknowledged"), "{:,}"),
    ("answered, from the socket events", ("answered (socket)",), "{:,}"),
    ("answered by Rasa, from its tracker", ("answered by Rasa (tracker)",), "{:,}"),
    ("questions stored, helpdesk messages table", ("questions stored (helpdesk)",), "{:,}"),
    ("bot messages: socket / helpdesk", ("bot messages (socket)", "bot messages stored (helpdesk)"), "{:,}"),
    ("errors (every kind)", ("errors",), "{:,}"),
    ("latency p50 / p95 / p99 / max ms", ("p50 ms", "p95 ms", "p99 ms", "max ms"), "{:,.0f}"),
]


def _fmt(values, fmt: str) -> str:
    out = []
    for value in values:
        if value is None or isinstance(value, float) and math.isnan(value):
            out.append("—")
        else:
            out.append(fmt.format(value))
    return " / ".join(out)


def table(phases: dict[str, dict]) -> str:
    width = 46
    lines = [f"{'':{width}}" + "".join(f"{name:>40}" for name in phases)]
    for label, keys, fmt in ROWS:
        lines.append(f"{label:{width}}" + "".join(f"{_fmt([f.get(k) for k in keys], fmt):>40}" for f in phases.values()))
    for name in (*PROCESSES, "load generator"):
        cells = []
        for figures in phases.values():
            m = figures["memory"].get(name, {})
            answered = figures.get("answered (socket)") or 0
            cells.append(_fmt([m.get("cpu s"), 1000 * m["cpu s"] / answered if answered and "cpu s" in m else None],
                              "{:,.1f}"))
        lines.append(f"{name + ' CPU s / ms per answer':{width}}" + "".join(f"{c:>40}" for c in cells))
    for name in PROCESSES:
        label = f"{name} RSS MB start / end / growth %"
        cells = []
        for figures in phases.values():
            m = figures["memory"].get(name, {})
            cells.append(_fmt([m.get("start MB"), m.get("end MB"), m.get("growth %")], "{:,.1f}"))
        lines.append(f"{label:{width}}" + "".join(f"{c:>40}" for c in cells))
        label = f"{name} open fds start / end / max"
        cells = [_fmt([f["memory"][name][k] for k in ("fds start", "fds end", "fds max")], "{:d}")
                 for f in phases.values() if name in f["memory"]]
        lines.append(f"{label:{width}}" + "".join(f"{c:>40}" for c in cells))
    cells = [_fmt(f.get("machine load average"), "{:.1f}") for f in phases.values()]
    lines.append(f"{'machine load average (1 min) start / end':{width}}" + "".join(f"{c:>40}" for c in cells))
    for db in ("tracker.db", "helpdesk.db"):
        cells = [_fmt([f["database files MB"]["start"][db], f["database files MB"]["end"][db]], "{:,.1f}")
                 for f in phases.values()]
        lines.append(f"{db + ' MB start / end':{width}}" + "".join(f"{c:>40}" for c in cells))
    for name, figures in phases.items():
        lines.append(f"\n{name}: p95 / p99 ms per {figures['window min']:.3g}-minute window")
        for w in figures["windows"]:
            cpu = " / ".join(f"{name} {ms:.1f}" for name, ms in w.get("cpu ms per message", {}).items())
            lines.append(f"  from minute {w['from min']:>5.1f}: {_fmt([w['p95 ms'], w['p99 ms']], '{:,.0f}'):>16}"
                         f"   ({w['answered']:,} answered; CPU ms per message: {cpu or '—'})")
        if figures["problems"]:
            lines.append(f"  problems: {figures['problems']}")
            lines += [f"    {e}" for e in figures["problem examples"]]
    return "\n".join(lines)


def targets(phases: dict[str, dict]) -> list[tuple[str, bool, str]]:
    checks = []
    load = phases.get("load")
    if load:
        once = load["answered (socket)"] == load["sent"] and not {"answered twice", "not answered"} & set(load["problems"])
        checks.append(("load: every message answered exactly once", once,
                       f"{load['answered (socket)']:,} of {load['sent']:,} answered, "
                       f"{load['problems'].get('answered twice', 0)} twice"))
        checks.append(("load: answers in the order of the questions", "out of order" not in load["problems"],
                       f"{load['problems'].get('out of order', 0)} out of order"))
        agree = (load.get("bot messages stored (helpdesk)") == load.get("bot messages (socket)")
                 and load.get("questions stored (helpdesk)") == load.get("acknowledged"))
        checks.append(("load: the helpdesk record holds what the sockets saw", agree,
                       f"{load.get('questions stored (helpdesk)', 0):,} questions, "
                       f"{load.get('bot messages stored (helpdesk)', 0):,} bot messages"))
        checks.append(("load: 0 errors", load["errors"] == 0, f"{load['errors']}"))
    soak = phases.get("soak")
    if soak:
        checks.append(("soak: 0 errors", soak["errors"] == 0, f"{soak['errors']} of {soak['sent']:,} messages"))
        for name in PROCESSES:
            growth = soak["memory"].get(name, {}).get("growth %")
            checks.append((f"soak: {name} memory growth < {MAX_GROWTH_PERCENT:g}% from minute "
                           f"{soak['growth counted from min']:.3g}", growth is not None and growth < MAX_GROWTH_PERCENT,
                           "too short to tell" if growth is None else f"{growth:+.1f}%"))
    return checks


def write(phases: dict[str, dict], checks, meta: dict) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "soak.json").write_text(json.dumps(
        {"meta": meta, "phases": phases, "targets": [{"target": t, "met": ok, "figure": f} for t, ok, f in checks]},
        ensure_ascii=False, indent=1))
    _chart(phases)


def _chart(phases: dict[str, dict]) -> None:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, len(phases), figsize=(7 * len(phases), 7), squeeze=False)
    for col, (name, figures) in enumerate(phases.items()):
        top, bottom = axes[0][col], axes[1][col]
        start = figures["growth counted from min"]
        for process in PROCESSES:
            points = [(s["t"] / 60, s[process]["rss MB"]) for s in figures["samples"] if process in s]
            base = next((v for t, v in points if t >= start), points[0][1])
            top.plot([t for t, _ in points], [(v / base - 1) * 100 for _, v in points],
                     label=f"{process} ({base:,.0f} MB at minute {start:.3g})")
        top.axvline(start, color="grey", linestyle=":", linewidth=1)
        top.axhline(MAX_GROWTH_PERCENT, color="red", linestyle="--", linewidth=1)
        top.set_title(f"{name}: resident memory, % change from minute {start:.3g} (children included)")
        top.set_xlabel("minutes")
        top.legend()
        series = figures["latency series"]
        bottom.scatter([t / 60 for t, _ in series], [ms for _, ms in series], s=1, alpha=0.3, color="#2b7bb9")
        for key, colour in (("p95 ms", "orange"), ("p99 ms", "red")):
            windows = figures["windows"]
            bottom.step([w["from min"] for w in windows] + [figures["minutes"]],
                        [w[key] for w in windows] + [windows[-1][key]], where="post", color=colour,
                        label=key + " per window")
        bottom.set_yscale("log")
        bottom.set_title(f"{name}: latency to the first answer (ms, log), {figures['rate offered']:g} messages/s")
        bottom.set_xlabel("minutes (by scheduled send time)")
        bottom.legend()
    fig.tight_layout()
    fig.savefig(OUT / "soak.png", dpi=100)
    plt.close(fig)

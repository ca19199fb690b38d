"""Prints the integration run's figures as one table: install and start times of the engines
(RUN_DIR/figures.env) and what each check measured (RUN_DIR/figures.json)."""
from __future__ import annotations

import json
import sys
from pathlib import Path

LABELS = {
    "engines": "engines (install, start)", "start": "processes (seconds to ready)",
    "conversations": "concurrent conversations", "rasa_kill": "one Rasa instance killed",
    "console_kill": "one console instance killed", "redis_outage": "Redis stopped",
    "postgres_outage": "PostgreSQL stopped", "promotion": "promotion to both instances",
    "broker_outage": "RabbitMQ stopped",
}


def main(run_dir: Path) -> None:
    figures = {}
    engines = run_dir / "figures.env"
    if engines.exists():
        figures["engines"] = dict(line.split("=", 1) for line in engines.read_text().split() if "=" in line)
    results = run_dir / "figures.json"
    if results.exists():
        figures.update(json.loads(results.read_text()))
    width = max((len(label) for label in LABELS.values()), default=20)
    print(f"\n{'integration figures':<{width}} | measured")
    print(f"{'-' * width}-|-{'-' * 60}")
    for key, values in figures.items():
        shown = ", ".join(f"{name} {value}" for name, value in values.items())
        print(f"{LABELS.get(key, key):<{width}} | {shown}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))

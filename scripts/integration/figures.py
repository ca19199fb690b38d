"""The integration run's figures: what the checks measured, printed as one table at the end (install
and start times of the engines from RUN_DIR/figures.env, the checks' figures from
RUN_DIR/figures.json), and the meter behind the "per shopper message" rows of the README's capacity
model — counters read before and after a load from the engines themselves and from /proc:

    meter = UsageMeter(services, run_dir, pids)   # pids: name → process (group leader) id, now
    meter.start(); <load>; meter.load_over()
    await asyncio.sleep(meter.seconds_until_postgres_flushed())
    figures.update(meter.per_message(messages_answered, events_published))

- Redis: calls per command (INFO commandstats; the lock store and the console's socket.io manager
  share the server, so the counts are the server's);
- PostgreSQL: pg_stat_database per database (connections opened, transactions, rows written and
  read — system catalogs included), pg_stat_user_tables (rows inserted, updated, deleted and read
  per table);
- CPU: utime + stime of each process and everything under it (/proc/<pid>/stat; a reaped child's
  time is in its parent's cutime + cstime), for the stack's processes, the engines and the driver.
"""
from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Callable, Optional

LABELS = {
    "engines": "engines (install, start)", "start": "processes (seconds to ready)",
    "conversations": "concurrent conversations", "rasa_kill": "one Rasa instance killed",
    "console_kill": "one console instance killed", "redis_outage": "Redis stopped",
    "postgres_outage": "PostgreSQL stopped", "promotion": "promotion to both instances",
    "broker_outage": "RabbitMQ stopped",
    "per_message": "per shopper message: the load",
    "per_message_redis": "per shopper message: Redis calls",
    "per_message_pg_rasa_tracker": "per shopper message: PG rasa_tracker",
    "per_message_pg_helpdesk": "per shopper message: PG helpdesk",
    "per_message_rows": "per shopper message: rows written",
    "per_message_rows_read": "per shopper message: rows read",
    "per_message_rabbitmq": "per shopper message: RabbitMQ",
    "per_message_cpu_ms": "per shopper message: CPU ms",
}

DATABASES = ("rasa_tracker", "helpdesk")
DATABASE_COLUMNS = ("sessions", "xact_commit", "xact_rollback", "tup_inserted", "tup_updated", "tup_deleted",
                    "tup_fetched", "tup_returned")
# Rows read by sequential scans and through indexes, apart: a scan that grows with the table
# costs more at every message as conversations pile up.
TABLE_COLUMNS = {"n_tup_ins": "ins", "n_tup_upd": "upd", "n_tup_del": "del",
                 "seq_tup_read": "seq read", "COALESCE(idx_tup_fetch, 0)": "index read"}
# PostgreSQL 15+ backends flush their statistics at most once a second; one that went idle sooner
# flushes PGSTAT_IDLE_INTERVAL (10 s) later. Counters read earlier miss the load's last second.
POSTGRES_STATS_FLUSH_S = 11.0
# The meter's own Redis command, left out of the counts.
METER_COMMANDS = {"info"}
ENGINE_PID_FILES = {"postgres": "postgres/data/postmaster.pid", "redis": "redis/redis.pid",
                    "rabbitmq": "rabbitmq/rabbitmq.pid", "nginx": "nginx/nginx.pid"}
TICKS_PER_S = os.sysconf("SC_CLK_TCK")


class UsageMeter:
    """Counters of the engines and CPU time of the processes, before and after one load. CPU and
    Redis are read the moment the load is over; PostgreSQL once its statistics are flushed."""

    def __init__(self, services: dict[str, str], run_dir: Path, pids: Callable[[], dict[str, int]]) -> None:
        self.services, self.run_dir, self.pids = services, Path(run_dir), pids
        self._redis = None
        self.before: dict = {}
        self.after: dict = {}
        self.failure: Optional[str] = None

    def start(self) -> None:
        self._reading(self._read_before)

    def load_over(self) -> None:
        self._reading(self._read_at_load_end)

    def seconds_until_postgres_flushed(self) -> float:
        if "at" not in self.after:
            return 0.0
        return max(0.0, self.after["at"] + POSTGRES_STATS_FLUSH_S - time.monotonic())

    def per_message(self, messages: int, events_published: int) -> dict[str, dict]:
        """The figures rows: counts moved during the load, divided by the shopper messages answered."""
        self._reading(self._read_postgres_after)
        if self._redis is not None:
            self._redis.close()
        if self.failure:
            return {"per_message": {"not_measured": self.failure}}
        per = max(1, messages)
        window_s = self.after["at"] - self.before["at"]
        cpu = {name: ticks - self.before["cpu"].get(name, 0) for name, ticks in self.after["cpu"].items()}
        rows = {"per_message": {"messages": messages, "seconds": round(window_s, 1),
                                "cores_busy": round(sum(cpu.values()) / TICKS_PER_S / max(window_s, 1e-9), 2),
                                "scale": os.environ.get("INTEGRATION_SCALE", "full")}}
        redis_calls = _moved(self.before["redis"], self.after["redis"])
        rows["per_message_redis"] = {**{command: _share(n, per) for command, n in _largest_first(redis_calls)},
                                     "total": _share(sum(redis_calls.values()), per)}
        for database in DATABASES:
            moved = _moved(self.before["databases"][database], self.after["databases"][database])
            rows[f"per_message_pg_{database}"] = {column: _share(moved.get(column, 0), per)
                                                  for column in DATABASE_COLUMNS}
        tables = _moved(self.before["tables"], self.after["tables"])
        rows["per_message_rows"] = {key: _share(n, per) for key, n in _largest_first(tables)
                                    if not key.endswith(" read")}
        rows["per_message_rows_read"] = {key.removesuffix(" read"): _share(n, per)
                                         for key, n in _largest_first(tables) if key.endswith(" read")}
        rows["per_message_rabbitmq"] = {"events_published": _share(events_published, per)}
        cpu_ms = {name: round(1000 * ticks / TICKS_PER_S / per, 1) for name, ticks in cpu.items()}
        rasa = [name for name in cpu if name.startswith("rasa-")]
        cpu_ms["rasa_all"] = round(1000 * sum(cpu[n] for n in rasa) / TICKS_PER_S / per, 1)
        rows["per_message_cpu_ms"] = cpu_ms
        return rows

    def _reading(self, read: Callable[[], None]) -> None:
        """A meter that cannot read says so in the figures; it never fails the check it watches."""
        if self.failure:
            return
        try:
            read()
        except Exception as error:   # noqa: BLE001 — any engine or /proc error
            self.failure = f"{type(error).__name__}: {error}"[:200]
            print(f"usage meter: {self.failure}", file=sys.stderr)

    def _read_before(self) -> None:
        # Table statistics first: the reading connection's own catalog reads are flushed when it
        # closes, before the database totals are taken, so they stay out of the window.
        self.before["tables"] = self._tables()
        time.sleep(0.3)
        self.before["databases"] = self._databases()
        self.before["redis"] = self._redis_calls()
        self.before["cpu"] = self._cpu_ticks()
        self.before["at"] = time.monotonic()

    def _read_at_load_end(self) -> None:
        self.after["cpu"] = self._cpu_ticks()
        self.after["redis"] = self._redis_calls()
        self.after["at"] = time.monotonic()

    def _read_postgres_after(self) -> None:
        # Totals first, then tables: the table readings' own catalog reads fall after the window.
        self.after["databases"] = self._databases()
        self.after["tables"] = self._tables()

    # --- readings ---------------------------------------------------------------------------------
    def _redis_calls(self) -> dict[str, int]:
        import redis
        if self._redis is None:   # one connection for both readings: its AUTH is not in the window
            self._redis = redis.Redis(host="127.0.0.1", port=int(self.services["REDIS_PORT"]),
                                      password=self.services["REDIS_PASSWORD"], socket_timeout=5)
        stats = self._redis.info("commandstats")
        return {key.removeprefix("cmdstat_"): value["calls"] for key, value in stats.items()
                if key.removeprefix("cmdstat_") not in METER_COMMANDS}

    def _connect(self, database: str):
        import psycopg2
        s = self.services
        user, password = (("helpdesk", s["HELPDESK_DB_PASSWORD"]) if database == "helpdesk"
                          else ("rasa", s["POSTGRES_PASSWORD"]))
        return psycopg2.connect(host="127.0.0.1", port=s["POSTGRES_PORT"], dbname=database, user=user,
                                password=password, connect_timeout=5)

    def _databases(self) -> dict[str, dict[str, int]]:
        """pg_stat_database, read from the `postgres` database so the reading is in neither total."""
        connection = self._connect("postgres")
        try:
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT datname, {', '.join(DATABASE_COLUMNS)} FROM pg_stat_database "
                               "WHERE datname = ANY(%s)", (list(DATABASES),))
                return {row[0]: dict(zip(DATABASE_COLUMNS, row[1:])) for row in cursor.fetchall()}
        finally:
            connection.close()

    def _tables(self) -> dict[str, int]:
        """'<database>.<table> ins|upd|del|seq read|index read' → rows, every table of both databases."""
        found = {}
        for database in DATABASES:
            connection = self._connect(database)
            try:
                with connection.cursor() as cursor:
                    cursor.execute(f"SELECT relname, {', '.join(TABLE_COLUMNS)} FROM pg_stat_user_tables")
                    for table, *counts in cursor.fetchall():
                        for short, count in zip(TABLE_COLUMNS.values(), counts):
                            found[f"{database}.{table} {short}"] = count
            finally:
                connection.close()
        return found

    def _cpu_ticks(self) -> dict[str, int]:
        """Clock ticks used so far by each process of the stack, each engine and this driver,
        children included."""
        roots = dict(self.pids())
        for engine, pid_file in ENGINE_PID_FILES.items():
            try:
                roots[engine] = int((self.run_dir / pid_file).read_text().split()[0])
            except (OSError, ValueError, IndexError):
                pass
        roots["driver"] = os.getpid()
        table = _process_table()
        # The driver started the stack's processes: each root counts only its own tree.
        return {name: _tree_ticks(pid, table, set(roots.values())) for name, pid in roots.items() if pid in table}


def _process_table() -> dict[int, tuple[int, int]]:
    """pid → (parent pid, utime + stime + cutime + cstime) for every process now."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:
            continue   # ended while listed
        fields = text[text.rindex(")") + 2:].split()   # after "pid (comm) ": state, ppid, …
        table[int(entry.name)] = (int(fields[1]), sum(int(f) for f in fields[11:15]))
    return table


def _tree_ticks(root: int, table: dict[int, tuple[int, int]], other_roots: set[int]) -> int:
    """The ticks of `root` and every live descendant that is not itself one of `other_roots`;
    descendants already reaped are counted in their parents' cutime + cstime."""
    children: dict[int, list[int]] = {}
    for pid, (parent, _) in table.items():
        children.setdefault(parent, []).append(pid)
    total, pending = 0, [root]
    while pending:
        pid = pending.pop()
        total += table[pid][1]
        pending.extend(child for child in children.get(pid, ()) if child not in other_roots)
    return total


def _moved(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {key: after[key] - before.get(key, 0) for key in after if after[key] - before.get(key, 0)}


def _largest_first(counts: dict[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: -item[1])


def _share(count: int, messages: int) -> float:
    return round(count / messages, 2)


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

"""The machine's wall clock jumping under the real processes: across the 16:00 cut-off, across
midnight into National Day 2026 (10月1日–7日: no shipping, no working hours), and back an hour's
fraction. The action server, Rasa and the console all run under libfaketime (Debian's `faketime`
package, LD_PRELOAD) reading one timestamp file, so the test moves their clocks at once the way an
NTP step would: the wall clock jumps, the monotonic clock does not (FAKETIME_DONT_FAKE_MONOTONIC).
Shoppers talk to the console over socket.io; Rasa answers with its real model and actions.

What must hold (store-policy §4 and §7): each answer gives the ship day for the time the clock
says when it is asked, ticket numbers count that day and due times skip the holiday, every message
is answered once (no double answers after a forward jump, no lease left stuck after a backward
one), and a conversation keeps what the shopper said after a jump back (Rasa's SQL tracker store
reads a conversation from its last session start *by time*: turns stamped before that time after
a backward jump would be dropped from the next read).

`python scripts/faults/clock_jumps.py` prints the table and writes results/faults/clock_jumps.json.
Needs libfaketime (`apt-get install faketime`).
"""
from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from scripts.faults import store_fault_rig as rig  # noqa: E402

LIBFAKETIME = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1")
CHINA = dt.timezone(dt.timedelta(hours=8))
CACHE_SECONDS = 1  # libfaketime re-reads the timestamp file this often (each call would be slow)
# It compares whole seconds (time(NULL) - last read > CACHE_SECONDS), so a process may go on with
# the old time for up to CACHE_SECONDS + 1 s after the file changed: wait that, with a margin.
SETTLE_SECONDS = CACHE_SECONDS + 1.5


class FakeClock:
    """The timestamp file every faked process reads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.path.write_text("+0\n")  # the real time until the first jump

    def env(self) -> dict:
        return {"LD_PRELOAD": str(LIBFAKETIME), "FAKETIME_TIMESTAMP_FILE": str(self.path),
                "FAKETIME_CACHE_DURATION": str(CACHE_SECONDS), "FAKETIME_DONT_FAKE_MONOTONIC": "1",
                "TZ": "UTC"}

    def jump(self, to: dt.datetime) -> None:
        """From now on the processes' wall clocks run from `to`."""
        self.path.write_text(to.astimezone(dt.timezone.utc).strftime("@%Y-%m-%d %H:%M:%S\n"))
        time.sleep(SETTLE_SECONDS)

    def real(self) -> None:
        self.path.write_text("+0\n")
        time.sleep(SETTLE_SECONDS)


def available() -> bool:
    return LIBFAKETIME.is_file()


def at(month: int, day: int, hour: int, minute: int, second: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, second, tzinfo=CHINA)


# (clock, shopper, message, what the answers must contain)
STEPS = [
    (at(9, 30, 15, 58), "A", "今天能发货吗", "今天"),
    (at(9, 30, 16, 1), "A", "今天能发货吗", "10月8日"),           # past the cut-off, the eve of the holiday
    (at(9, 30, 23, 59), "B", "寄到拉萨运费多少", "西藏"),
    (None, "B", "转人工", "20260930-"),                           # ticket of the day the clock says
    (None, "B", "今天能发货吗", "10月8日"),
    (at(10, 1, 0, 1), "B", "今天能发货吗", "10月8日"),             # forward across midnight into the holiday
    (None, "C", "转人工", "20261001-0001"),
    (None, "C", "寄到拉萨运费多少", "西藏"),
    (at(9, 30, 23, 59, 30), "C", "寄到乌鲁木齐运费多少", "新疆"),  # back across midnight
    (None, "C", "那2公斤呢", "新疆"),                              # the province said after the jump
    (None, "B", "那2公斤呢", "西藏"),
    (None, "A", "今天能发货吗", "10月8日"),
]
DUE = "10月8日13:30前"


async def scenario(console_url: str, clock: FakeClock, helpdesk: Path) -> dict:
    shoppers: dict[str, rig.Shopper] = {}
    rows, missed, double = [], 0, 0
    try:
        for when, name, text, expected in STEPS:
            if when is not None:
                clock.jump(when)
            if name not in shoppers:
                shoppers[name] = await rig.Shopper(console_url).open()
            shopper = shoppers[name]
            sent = await shopper.send(text)
            answers = await shopper.answer_to(sent)
            said = " / ".join(m["text"] for m in answers)
            ok = expected in said and (not expected.startswith("2026") or DUE in said)
            missed += not ok
            rows.append({"clock": (when or rows[-1]["clock_at"]).strftime("%m-%d %H:%M:%S") + (" (jump)" if when else ""),
                         "clock_at": when or rows[-1]["clock_at"], "shopper": name, "asked": text,
                         "expected": expected, "ok": ok, "answer": said[:90]})
        await asyncio.sleep(1.0)
        for shopper in shoppers.values():  # an answer given twice: its replies repeated in one group
            messages = [m for _, m in sorted(shopper.shown.items())]
            groups, current = [], None
            for m in messages:
                if m["sender"] == "shopper":
                    current = []
                    groups.append(current)
                elif current is not None:
                    current.append(m["text"])
            double += sum(len(g) >= 2 and len(g) % 2 == 0 and g[:len(g) // 2] == g[len(g) // 2:] for g in groups)
        leases = rig.rows(helpdesk, "SELECT count(*) FROM console_answer_leases")[0][0]
    finally:
        for shopper in shoppers.values():
            await shopper.close()
        clock.real()
    for row in rows:
        row.pop("clock_at")
    return {"steps": rows, "messages": len(rows), "answers_not_as_policy": missed, "double_answers": double,
            "leases_left": leases}


@contextlib.contextmanager
def stack(workdir: Path):
    clock = FakeClock(workdir / "faketime")
    with rig.rasa(workdir / "rasa", extra_env=clock.env()) as rasa:
        helpdesk = workdir / "console-helpdesk.db"
        console = rig.start_console(workdir, helpdesk, rasa.rasa_url, env=clock.env())
        try:
            yield console, clock, helpdesk
        finally:
            console.stop()


def main(argv=None) -> int:
    if not available():
        print(f"libfaketime is missing ({LIBFAKETIME}): apt-get install faketime")
        return 2
    with tempfile.TemporaryDirectory(prefix="clock-jumps-") as tmp, stack(Path(tmp)) as (console, clock, helpdesk):
        results = asyncio.run(scenario(console.url, clock, helpdesk))
    print("\nclock | shopper | asked | expected | ok | answer")
    for row in results["steps"]:
        print(f"{row['clock']} | {row['shopper']} | {row['asked']} | {row['expected']} | {row['ok']} | {row['answer']}")
    rig.print_table("clock jumps", [(k, v) for k, v in results.items() if k != "steps"])
    print("\nwritten:", rig.write_json("clock_jumps", results))
    return 0 if results["answers_not_as_policy"] == results["double_answers"] == results["leases_left"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

"""What /metrics costs the Rasa server: messages/s at 50 concurrent conversations, with and without
the metrics extension, measured in the same run.

    .venv/bin/python scripts/metrics_overhead.py [--model models/live.tar.gz] [--rounds 3] [--seconds 20]

Both Rasa servers run side by side (`python -m rasa_server_plugins run`, one with `add_metrics`
taken out of APP_EXTENSIONS), on free localhost ports, each with its own SQLite tracker store, in
front of one action server. They are driven in turn, alternating which goes first each round, so
a slower or busier moment of the machine falls on both alike; the idle one costs nothing. Each
conversation sends a mix of shopper messages (fee questions that call the action server included)
and starts a new conversation every 8 messages. Besides messages/s it prints the Rasa server's CPU
time per message (from /proc), which other load on the machine disturbs much less."""
from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmark.ports import free_port  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MESSAGES = [
    "寄到乌鲁木齐运费多少", "亲 在吗", "包邮吗", "那北京呢", "2公斤到广州多少钱", "什么时候发货",
    "周五前能到新疆吗", "能开发票吗", "能便宜点吗", "发什么快递", "能发顺丰吗", "怎么查物流",
    "你是机器人吗", "谢谢", "寄到浙江省杭州市西湖区文三路运费", "收到坏了怎么办",
]
WITHOUT_METRICS = ("from rasa_server_plugins import __main__ as entry; "
                   "from rasa_server_plugins.metrics import add_metrics; "
                   "entry.APP_EXTENSIONS.remove(add_metrics); entry.main()")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")



def wait_until_up(url: str, process: subprocess.Popen, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"a server exited ({url}); see its log")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"{url} not up within {timeout:g} s")


async def closed_loop(url: str, conversations: int, seconds: float, tag: str) -> tuple[float, int, int]:
    """(messages/s, messages, errors) with `conversations` shoppers each sending as soon as answered."""
    done, errors = [], 0
    stop = time.perf_counter() + seconds

    async def shopper(session: aiohttp.ClientSession, n: int) -> None:
        nonlocal errors
        i = 0
        while time.perf_counter() < stop:
            body = {"sender": f"{tag}-{n}-{i // 8}", "message": MESSAGES[(n + i) % len(MESSAGES)]}
            async with session.post(url + "/webhooks/rest/webhook", json=body) as resp:
                replies = await resp.json()
            if resp.status == 200 and replies:
                done.append(1)
            else:
                errors += 1
            i += 1

    connector = aiohttp.TCPConnector(limit=conversations)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=120)) as session:
        started = time.perf_counter()
        await asyncio.gather(*(shopper(session, n) for n in range(conversations)))
        return len(done) / (time.perf_counter() - started), len(done), errors


async def warm_up(url: str) -> None:
    await closed_loop(url, 4, 5, f"warm-{secrets.token_hex(3)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(ROOT / "models" / "live.tar.gz"))
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--conversations", type=int, default=50)
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="metrics-overhead-"))
    action_port, action_token = free_port(), secrets.token_hex(16)
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2", "SANIC_HOST": "127.0.0.1",
           "ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook", "ACTION_SERVER_TOKEN": action_token,
           "HELPDESK_DB_URL": f"sqlite:///{work / 'helpdesk.db'}", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    processes, urls, pids = [], {}, {}
    try:
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "rasa_sdk", "--actions", "actions", "-p", str(action_port)],
            cwd=ROOT, env=env, stdout=(work / "actions.log").open("wb"), stderr=subprocess.STDOUT))
        for variant, entry in (("with metrics", ["-m", "rasa_server_plugins"]), ("without", ["-c", WITHOUT_METRICS])):
            port = free_port()
            tracker = work / f"tracker-{port}.db"
            rasa = subprocess.Popen(
                [sys.executable, *entry, "run", "--model", args.model, "-i", "127.0.0.1", "-p", str(port),
                 "--endpoints", "endpoints.yml", "--credentials", "credentials.yml"],
                cwd=ROOT, env={**env, "RASA_TRACKER_DB": str(tracker)},
                stdout=(work / f"rasa-{port}.log").open("wb"), stderr=subprocess.STDOUT)
            processes.append(rasa)
            urls[variant], pids[variant] = f"http://127.0.0.1:{port}", rasa.pid
        wait_until_up(f"http://127.0.0.1:{action_port}/health", processes[0])
        for variant, url in urls.items():
            wait_until_up(url + "/", processes[1 + list(urls).index(variant)])
            asyncio.run(warm_up(url))
        rates = {variant: [] for variant in urls}
        cpu_ms = {variant: [] for variant in urls}
        for round_ in range(args.rounds):
            order = list(urls) if round_ % 2 == 0 else list(reversed(urls))
            for variant in order:
                cpu_before = cpu_seconds(pids[variant])
                rate, count, errors = asyncio.run(closed_loop(urls[variant], args.conversations, args.seconds,
                                                              f"r{round_}-{variant[:4]}-{secrets.token_hex(3)}"))
                rates[variant].append(rate)
                cpu_ms[variant].append((cpu_seconds(pids[variant]) - cpu_before) * 1000 / max(count, 1))
                print(f"round {round_ + 1} {variant:>12}: {rate:6.1f} messages/s, "
                      f"{cpu_ms[variant][-1]:5.2f} Rasa CPU ms/message, {errors} errors", flush=True)
        with_, without = statistics.mean(rates["with metrics"]), statistics.mean(rates["without"])
        cpu_with, cpu_without = statistics.mean(cpu_ms["with metrics"]), statistics.mean(cpu_ms["without"])
        print(f"mean: with metrics {with_:.1f}, without {without:.1f} messages/s: "
              f"{(with_ / without - 1) * 100:+.1f} %; "
              f"Rasa CPU {cpu_with:.2f} vs {cpu_without:.2f} ms/message: {(cpu_with / cpu_without - 1) * 100:+.1f} % "
              f"(logs in {work})")
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())

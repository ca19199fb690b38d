"""Reply latency, throughput, start-up time and memory of the assistant through the REST channel.

    make bench                                   # the shipped model
    .venv/bin/python scripts/bench.py --baseline configs/pipelines/diet_transformer.yml
    .venv/bin/python scripts/bench.py --compare previous.tar.gz   # an older model, same run
    .venv/bin/python scripts/bench.py --compare-pythonpath DIR     # the same model, DIR first on sys.path

Each model is served by its own Rasa server + action server on free localhost ports, started
here, so the figures include the real action round-trip. With --baseline, a model trained from
that config is measured in the same run and the two are printed side by side."""
from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Optional

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv" / "bin"
MESSAGES = [
    "寄到乌鲁木齐运费多少", "亲 在吗", "包邮吗", "那北京呢", "2公斤到广州多少钱", "什么时候发货",
    "周五前能到新疆吗", "能开发票吗", "能便宜点吗", "发什么快递", "能发顺丰吗", "怎么查物流",
    "你是机器人吗", "谢谢", "寄到浙江省杭州市西湖区文三路运费", "收到坏了怎么办",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


@contextmanager
def serve(model: Path, workdir: Path, pythonpath: Optional[Path] = None):
    """Start action server + Rasa; yield (url, rasa_pid, startup_seconds). `pythonpath`: a folder
    put first on Rasa's sys.path (another version of a dependency, measured in the same run)."""
    aport, rport = free_port(), free_port()
    env = {**os.environ, "SANIC_HOST": "127.0.0.1", "ACTION_SERVER_URL": f"http://127.0.0.1:{aport}/webhook",
           "ACTION_SERVER_TOKEN": "bench-token", "RASA_TRACKER_DB": str(workdir / "tracker.db"),
           "HELPDESK_DB_URL": f"sqlite:///{workdir / 'helpdesk.db'}", "RASA_TELEMETRY_ENABLED": "false"}
    rasa_env = {**env, "PYTHONPATH": str(pythonpath)} if pythonpath else env
    logs = open(workdir / f"{model.stem}.log", "a")
    actions = subprocess.Popen([str(VENV / "python"), "-m", "rasa_sdk", "--actions", "actions", "-p", str(aport)],
                               cwd=ROOT, env=env, stdout=logs, stderr=subprocess.STDOUT)
    start = time.monotonic()
    rasa = subprocess.Popen([str(VENV / "rasa"), "run", "--model", str(model), "-i", "127.0.0.1", "-p", str(rport),
                             "--endpoints", "endpoints.yml", "--credentials", "credentials.yml"],
                            cwd=ROOT, env=rasa_env, stdout=logs, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{rport}"
    try:
        while True:
            if rasa.poll() is not None:
                raise SystemExit(f"Rasa exited; see {logs.name}")
            try:
                import urllib.request
                urllib.request.urlopen(url + "/", timeout=1)
                break
            except OSError:
                time.sleep(0.25)
        startup = time.monotonic() - start
        yield url, rasa.pid, startup
    finally:
        for proc in (rasa, actions):
            proc.terminate()
        for proc in (rasa, actions):
            proc.wait(timeout=30)


async def one(session: aiohttp.ClientSession, url: str, sender: str, text: str) -> float:
    t0 = time.perf_counter()
    async with session.post(url + "/webhooks/rest/webhook", json={"sender": sender, "message": text}) as resp:
        replies = await resp.json()
    assert resp.status == 200 and replies, f"no reply to {text!r}"
    return (time.perf_counter() - t0) * 1000


async def measure(url: str, serial_rounds: int, concurrency: int, seconds: float) -> dict:
    async with aiohttp.ClientSession() as session:
        for text in MESSAGES[:3]:  # warm-up
            await one(session, url, "warmup", text)
        serial = [await one(session, url, f"serial-{i // len(MESSAGES)}", MESSAGES[i % len(MESSAGES)])
                  for i in range(serial_rounds)]
        done: list[float] = []
        stop = time.perf_counter() + seconds

        async def shopper(n: int) -> None:
            i = 0
            while time.perf_counter() < stop:
                done.append(await one(session, url, f"load-{n}-{i // 8}", MESSAGES[(n + i) % len(MESSAGES)]))
                i += 1

        t0 = time.perf_counter()
        await asyncio.gather(*(shopper(n) for n in range(concurrency)))
        elapsed = time.perf_counter() - t0
    q = statistics.quantiles
    return {"serial p50 ms": statistics.median(serial), "serial p95 ms": q(serial, n=20)[18],
            "load msgs/s": len(done) / elapsed, "load p95 ms": q(done, n=20)[18]}


def train(config: Path, out: Path) -> Path:
    subprocess.run([str(VENV / "rasa"), "train", "--config", str(config), "--domain", "domain.yml", "--data", "data",
                    "--out", str(out), "--fixed-model-name", config.stem, "--quiet"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return out / f"{config.stem}.tar.gz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "live.tar.gz")
    parser.add_argument("--baseline", type=Path, help="a config to train and measure beside the model")
    parser.add_argument("--compare", type=Path, help="a trained model (e.g. the previous one) measured beside")
    parser.add_argument("--compare-pythonpath", type=Path,
                        help="measure the same model again with this folder first on Rasa's sys.path "
                             "(e.g. another jsonschema: pip install --target DIR jsonschema==X)")
    parser.add_argument("--serial", type=int, default=200, help="serial requests")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        models = {"shipped": args.model}
        if args.baseline:
            print(f"bench: training baseline {args.baseline} …", file=sys.stderr)
            models["baseline"] = train(args.baseline, work)
        elif args.compare:
            models["baseline"] = args.compare
        elif args.compare_pythonpath:
            models["baseline"] = args.model
        rows = {}
        for label, model in models.items():
            overlay = args.compare_pythonpath if label == "baseline" else None
            with serve(model, work, overlay) as (url, pid, startup):
                figures = asyncio.run(measure(url, args.serial, args.concurrency, args.seconds))
                figures = {"start-up s": startup, **figures, "peak RSS MB": peak_rss_mb(pid)}
            rows[label] = figures
    keys = list(next(iter(rows.values())))
    print(f"{'':16}" + "".join(f"{k:>16}" for k in rows))
    for key in keys:
        print(f"{key:16}" + "".join(f"{rows[r][key]:>16.1f}" for r in rows))
    if len(rows) == 2:
        ratio = rows["shipped"]["load msgs/s"] / rows["baseline"]["load msgs/s"]
        print(f"throughput shipped/baseline: {ratio:.2f}x")


if __name__ == "__main__":
    main()

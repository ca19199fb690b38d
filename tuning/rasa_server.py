"""The running Rasa server's HTTP API on localhost, with its token: which model it serves
(`GET /status`) and swapping that model without a restart (`PUT /model`).

Rasa 3.6.21 reports `{"model_file", "model_id", "num_active_training_jobs"}`: `model_id` is
the fingerprint Rasa writes into each trained model's metadata, so it names the model whatever
path it was loaded from. The token travels as `?token=` (Rasa's way): it is passed as a request
parameter and never put into a message or log line here. Synchronous; async callers use
asyncio.to_thread.

Production (RASA_INSTANCE_URLS lists the instances): every instance pulls the live model from the
model store (`models:` in endpoints.production.yml), so a promotion moves the pointer and
`RasaFleet` waits until each instance reports the new model instead of one `PUT /model`.
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence, Union

import requests

STATUS_TIMEOUT_S = 5
# PUT /model answers once the new model is loaded: unpacking and building the graph of a
# 50 MB model takes seconds on 2 cores, more while a training competes for them.
LOAD_TIMEOUT_S = 300


class RasaUnreachable(RuntimeError):
    """Nothing answers at the URL: Rasa is not running (the pointer is what its next start loads)."""


class RasaApiError(RuntimeError):
    """Rasa answered, but not as expected (wrong token, loading failed, other model reported)."""


@dataclass(frozen=True)
class RasaStatus:
    model_id: str
    model_file: str


class RasaServer:
    def __init__(self, url: str, token: str, status_timeout: float = STATUS_TIMEOUT_S,
                 load_timeout: float = LOAD_TIMEOUT_S) -> None:
        self.url = url.rstrip("/")
        self._token = token
        self._status_timeout, self._load_timeout = status_timeout, load_timeout

    def _call(self, method: str, path: str, timeout: float, **kwargs) -> requests.Response:
        try:
            response = requests.request(method, f"{self.url}{path}", params={"token": self._token},
                                        timeout=timeout, **kwargs)
        except requests.ConnectionError:
            raise RasaUnreachable(f"Rasa 服务（{self.url}）没有运行")
        except requests.Timeout:
            raise RasaApiError(f"Rasa 服务（{self.url}）{timeout:.0f} 秒内没有响应 {method} {path}")
        if response.status_code in (401, 403):
            raise RasaApiError(f"Rasa 拒绝了令牌（HTTP {response.status_code}）：检查 RASA_TOKEN")
        if response.status_code >= 400:
            raise RasaApiError(f"Rasa 对 {method} {path} 回答 HTTP {response.status_code}：{_message(response)}")
        return response

    def status(self) -> RasaStatus:
        body = self._call("GET", "/status", self._status_timeout).json()
        return RasaStatus(model_id=str(body.get("model_id") or ""), model_file=str(body.get("model_file") or ""))

    def load_model(self, path: Path, expected_model_id: str) -> RasaStatus:
        """Loads the model file into the running server (conversations stay in the tracker
        store) and checks with `GET /status` that the server now reports its fingerprint."""
        self._call("PUT", "/model", self._load_timeout, json={"model_file": str(Path(path).resolve())})
        status = self.status()
        if status.model_id != expected_model_id:
            raise RasaApiError(f"加载后 Rasa 报告的模型指纹是 {status.model_id}，"
                               f"不是 {Path(path).name} 的 {expected_model_id}")
        return status


class RasaFleet:
    """The Rasa instances of a production deployment, which load the live model from the model
    store by themselves: `load_model` does not send the model, it waits until every instance
    that answers reports its fingerprint. An instance that refuses connections is down and loads
    the pointer when it starts; one that answers slowly (busy loading) is waited for."""

    def __init__(self, urls: Sequence[str], token: str, load_timeout: float = LOAD_TIMEOUT_S,
                 poll_interval: float = 2.0) -> None:
        if not urls:
            raise ValueError("RasaFleet needs at least one instance URL")
        self.instances = [RasaServer(url, token) for url in urls]
        self.url = ", ".join(instance.url for instance in self.instances)
        self._load_timeout, self._poll_interval = load_timeout, poll_interval

    def status(self) -> RasaStatus:
        """The first answering instance's status; RasaUnreachable when none runs."""
        for instance in self.instances:
            try:
                return instance.status()
            except RasaUnreachable:
                continue
        raise RasaUnreachable(f"没有一个 Rasa 实例在运行（{self.url}）")

    def load_model(self, path: Path, expected_model_id: str) -> RasaStatus:
        deadline = time.monotonic() + self._load_timeout
        while True:
            reported, waiting = [], []
            for instance in self.instances:
                try:
                    status = instance.status()
                except RasaUnreachable:
                    continue                      # down: loads the pointer when it starts
                except RasaApiError as err:       # busy loading, or refusing: keep asking
                    waiting.append(f"{instance.url}（{err}）")
                    continue
                if status.model_id == expected_model_id:
                    reported.append(status)
                else:
                    waiting.append(f"{instance.url}（{status.model_id or '没有模型'}）")
            if not waiting and reported:
                return reported[0]
            if not waiting:
                raise RasaUnreachable(f"没有一个 Rasa 实例在运行（{self.url}）")
            if time.monotonic() > deadline:
                raise RasaApiError(f"{self._load_timeout:.0f} 秒内这些实例没有加载 {Path(path).name}"
                                   f"（{expected_model_id}）：{'；'.join(waiting)}")
            time.sleep(self._poll_interval)


def serving_rasa(rasa: Union[RasaServer, None, object], environ: Mapping[str, str] = os.environ):
    """The server(s) a promotion swaps: the one given, or, when RASA_INSTANCE_URLS lists the
    instances (production, space- or comma-separated), all of them as a RasaFleet with its token."""
    urls = environ.get("RASA_INSTANCE_URLS", "").replace(",", " ").split()
    if not urls or not isinstance(rasa, RasaServer):
        return rasa
    return RasaFleet(urls, rasa._token)


def _message(response: requests.Response) -> str:
    try:
        body = response.json()
        return str(body.get("message") or body)[:300]
    except ValueError:
        return response.text[:300]

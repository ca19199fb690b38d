"""The running Rasa server's HTTP API on localhost, with its token: which model it serves
(`GET /status`) and swapping that model without a restart (`PUT /model`).

Rasa 3.6.21 reports `{"model_file", "model_id", "num_active_training_jobs"}`: `model_id` is
the fingerprint Rasa writes into each trained model's metadata, so it names the model whatever
path it was loaded from. The token travels as `?token=` (Rasa's way): it is passed as a request
parameter and never put into a message or log line here. Synchronous; async callers use
asyncio.to_thread.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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


def _message(response: requests.Response) -> str:
    try:
        body = response.json()
        return str(body.get("message") or body)[:300]
    except ValueError:
        return response.text[:300]

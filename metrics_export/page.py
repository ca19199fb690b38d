"""What `/metrics` shows: this process's metrics in Prometheus text format, or, when the server
runs several Sanic workers with PROMETHEUS_MULTIPROC_DIR set, every worker's, summed, so one
scrape sees the whole server. Values that are cheaper to read at scrape time than to keep up to
date (open tickets, connected sockets) come from extra collectors.

prometheus_client picks its multiprocess mode when it is imported, from the environment, and keeps
each worker's values in files named by process id: the directory is emptied once, at start, before
the first metric exists (`start_multiprocess_dir`), and a worker's live gauges are dropped when it
stops (`forget_this_worker`). One directory per server (not shared between servers)."""
from __future__ import annotations

import glob
import logging
import os
from typing import Iterable, Iterator

from prometheus_client import REGISTRY, CollectorRegistry, multiprocess
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import Metric

logger = logging.getLogger(__name__)
MULTIPROC_VARIABLE = "PROMETHEUS_MULTIPROC_DIR"
_emptied_by: set[int] = set()   # process ids that emptied the directory: once, before their metrics


def multiprocess_dir() -> str:
    """The directory of several workers' values, or "" in single-process mode."""
    return os.environ.get(MULTIPROC_VARIABLE, "")


def warn_unless_workers_share(workers_variable: str) -> None:
    """Several workers without a shared directory: each scrape would show one worker's figures."""
    try:
        several = int(os.environ.get(workers_variable) or 1) > 1
    except ValueError:  # the server itself complains about it
        several = False
    if several and not multiprocess_dir():
        logger.warning("%s > 1 without %s: each /metrics scrape shows only the worker that answers it; "
                       "set %s to an empty directory of its own", workers_variable, MULTIPROC_VARIABLE,
                       MULTIPROC_VARIABLE)


def start_multiprocess_dir() -> None:
    """Forget the values of an earlier run (a restarted container keeps its directory, and a new
    process with a reused pid would carry on from a dead one's files). Call in the main process,
    before any metric of ours is created."""
    path = multiprocess_dir()
    if path and os.getpid() not in _emptied_by:
        _emptied_by.add(os.getpid())
        os.makedirs(path, exist_ok=True)
        for stale in glob.glob(os.path.join(path, "*.db")):
            os.remove(stale)


def forget_this_worker() -> None:
    """A stopping worker's live gauges (requests in progress) stop counting."""
    if multiprocess_dir():
        multiprocess.mark_process_dead(os.getpid())


class MetricsPage:
    """The registry to show (this process, or all workers) plus `collectors` read at scrape time."""

    def __init__(self, collectors: Iterable = ()) -> None:
        if multiprocess_dir():
            registry = CollectorRegistry()
            multiprocess.MultiProcessCollector(registry)
        else:
            registry = REGISTRY
        self._sources = [registry, *collectors]

    def collect(self) -> Iterator[Metric]:
        for source in self._sources:
            yield from source.collect()

    def render(self, accept: str = "") -> tuple[bytes, str]:
        """(body, content type): OpenMetrics when the scraper asks for it, else the text format.
        Reads files and may run a query: call it off the event loop."""
        encode, content_type = choose_encoder(accept)
        return encode(self), content_type

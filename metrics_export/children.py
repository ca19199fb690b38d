"""`metric.labels(*values)`, remembered: prometheus_client checks the values and takes a lock on
every labels() call (about 3 µs here), several times per message on the Rasa server's hot path.
The label sets of our metrics are few and fixed (route patterns, intents, actions), so keeping
each child is safe."""
from __future__ import annotations

from typing import Callable


def remembered_labels(metric) -> Callable[..., object]:
    children: dict[tuple, object] = {}

    def labels(*values: str):
        child = children.get(values)
        if child is None:
            child = children[values] = metric.labels(*values)
        return child

    return labels

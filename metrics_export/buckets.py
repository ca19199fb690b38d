"""Histogram buckets shared by the three processes, so their latencies compare bucket for bucket.
The edges sit on the figures the issue asks for: p95 ≤ 150 ms and p99 ≤ 300 ms on the REST path,
p95 ≤ 250 ms through socket.io, every reply within 1.5 s; the console waits 10 s for Rasa."""
from __future__ import annotations

REPLY_SECONDS_BUCKETS = (0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.5, 0.75, 1.0, 1.5, 2.5, 5.0, 10.0, 30.0)
ACTION_SECONDS_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 10.0)

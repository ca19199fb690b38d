"""`/metrics` for operators, the part every process shares: who may read it (`MetricsAccess`:
METRICS_TOKEN as a bearer token, else this machine only), what it shows (`MetricsPage`: this
process, or all its Sanic workers with PROMETHEUS_MULTIPROC_DIR), the histogram buckets, and
`remembered_labels` for the hot path.

Plain Python on prometheus_client: no Rasa, no web framework, nothing of ours, so the Rasa
server's, the action server's and the console's thin Sanic routes can all use it
(tests/test_layers.py). The metrics themselves are defined where they happen."""
from .access import MIN_TOKEN_CHARS, MetricsAccess, MetricsTokenError, Refusal, is_loopback, metrics_token_from
from .buckets import ACTION_SECONDS_BUCKETS, REPLY_SECONDS_BUCKETS
from .children import remembered_labels
from .reply import MetricsReply, metrics_reply
from .page import MetricsPage, forget_this_worker, multiprocess_dir, start_multiprocess_dir, warn_unless_workers_share

__all__ = [
    "ACTION_SECONDS_BUCKETS", "MIN_TOKEN_CHARS", "MetricsAccess", "MetricsPage", "MetricsReply", "MetricsTokenError",
    "REPLY_SECONDS_BUCKETS", "Refusal", "forget_this_worker", "is_loopback", "metrics_reply", "metrics_token_from",
    "multiprocess_dir", "remembered_labels", "start_multiprocess_dir", "warn_unless_workers_share",
]

"""A client's malformed request is the client's mistake: one WARNING line in the log, never an
ERROR with a traceback, so the errors left in the log are the server's own (the fuzz tests read
the log for them). The libraries involved (engine.io, socket.io, Sanic's form parser) drop such
a request and carry on; they only log it too loudly."""
from __future__ import annotations

import logging


def _as_warning(record: logging.LogRecord, words: str) -> None:
    err = record.exc_info[1] if record.exc_info else None
    if err is not None:
        record.msg, record.args = words + " (%s: %.200s)", (type(err).__name__, err)
        record.exc_info = record.exc_text = None
    record.levelno, record.levelname = logging.WARNING, "WARNING"


class ClientProtocolErrors(logging.Filter):
    """engine.io and socket.io log a malformed request (too many packets, broken JSON, an
    unknown session id) as an ERROR, with a traceback for the first kinds."""

    DROPPED = ("post request handler error", "message async handler error", "Unknown receive error")
    REFUSED = ("Invalid session", "Socket for session", "Unexpected HTTP request", "Invalid transport",
               "Invalid websocket upgrade", "Method ", "The client is using an unsupported version")
    # engine.io's "bad request" answers (an unknown session, a bad JSONP index …) end like this
    ONCE = "(further occurrences of this error will be logged with level INFO)"

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        if record.exc_info and message in self.DROPPED:
            _as_warning(record, "a client's malformed socket.io request was dropped")
        elif record.levelno >= logging.ERROR and (message.startswith(self.REFUSED) or message.endswith(self.ONCE)):
            _as_warning(record, message)
        return True


class FormParseErrors(logging.Filter):
    """Sanic logs a form it cannot parse (multipart without a boundary, a broken encoding) as an
    ERROR with a traceback, then reads the form as empty: the view refuses it as incomplete."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and str(record.msg) == "Failed when parsing form":
            _as_warning(record, "a client's form could not be parsed")
        return True


def _add_once(logger: logging.Logger, kind: type) -> None:
    if not any(isinstance(f, kind) for f in logger.filters):
        logger.addFilter(kind())


def protocol_logger() -> logging.Logger:
    """The logger python-socketio and python-engineio are given (their own would add a second
    handler): warnings and errors only, through the app's logging. Also quiets Sanic's form
    parser the same way."""
    protocol = logging.getLogger("console.socketio")
    protocol.setLevel(logging.WARNING)
    _add_once(protocol, ClientProtocolErrors)
    _add_once(logging.getLogger("sanic.error"), FormParseErrors)
    return protocol

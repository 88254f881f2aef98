"""One log format for every line a server process writes: the gateway's and uvicorn's.

``text`` is ``<time> <LEVEL> <logger>: <message>``; ``json`` is one JSON object per
line (``time``, ``level``, ``logger``, ``message``, and ``exception`` when there is
one), for log shippers. The same configuration is handed to uvicorn, so its startup
and error lines come out in the format chosen, in every worker.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Final

import orjson

LOG_FORMATS: Final = ("text", "json")
TEXT_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_UVICORN_LOGGERS: Final = ("uvicorn", "uvicorn.error", "uvicorn.access", "uvicorn.asgi")


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON (UTC time in RFC 3339)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str).decode()


def log_config(level: str = "info", log_format: str = "text") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` for the gateway and uvicorn alike."""
    if log_format not in LOG_FORMATS:
        raise ValueError(f"log_format must be one of {', '.join(LOG_FORMATS)}")
    formatter: dict[str, Any] = (
        {"()": f"{__name__}.JsonFormatter"} if log_format == "json" else {"format": TEXT_FORMAT}
    )
    upper = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"gateway": formatter},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "gateway",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": upper},
        # uvicorn's loggers drop their own handlers and go through the root's
        "loggers": {
            name: {"handlers": [], "propagate": True, "level": upper} for name in _UVICORN_LOGGERS
        },
    }

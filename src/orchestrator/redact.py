"""Secrets out of every log line, whoever logs it (ib_async logs whole orders, account included).

The record factory is wrapped, so a record is redacted when it is made, before any handler, filter
or formatter sees it: the token and the live account cannot reach a log through a handler added
later, the terminal or a library's own logging set-up. Each secret becomes its mask (``U7****21``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from executor import mask

_SECRETS: dict[str, str] = {}  # value -> what is logged instead
_installed = False


def redact_logs(secrets: Iterable[str]) -> None:
    """From now on, no log record carries any of ``secrets`` (the previous set is replaced)."""
    global _installed
    _SECRETS.clear()
    _SECRETS.update({value: mask(value) for value in secrets if len(value) >= 4})
    if not _installed:
        logging.setLogRecordFactory(_redacting(logging.getLogRecordFactory()))
        _installed = True


def redact(text: str) -> str:
    for secret, masked in _SECRETS.items():
        text = text.replace(secret, masked)
    return text


def _redacting(make: Any) -> Any:
    def make_redacted(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record: logging.LogRecord = make(*args, **kwargs)
        if not _SECRETS:
            return record
        text = record.getMessage()
        if any(secret in text for secret in _SECRETS):
            record.msg, record.args = redact(text), None
        if record.exc_info:  # a traceback's text is made later from the exception: make it now, clean
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return record

    return make_redacted

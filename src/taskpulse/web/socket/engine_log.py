"""The logger python-engineio writes to (its public ``logger=`` option, given as
``engineio_logger=`` to python-socketio).

With ``engineio_logger=False`` python-engineio logs to its own logger at ERROR, and a
malformed request from a client (a long-polling POST with more packets than it decodes,
bytes that are no Engine.IO payload) was an ERROR with a traceback each time. Here:

- what python-engineio logs per packet (DEBUG, INFO) is dropped, as before;
- its ``error()``, used for bad client requests only (an unknown session, a bad
  transport), is a WARNING;
- its ``exception()`` for input it could not decode (raised while decoding a packet or a
  payload) is a WARNING of one line, without a traceback; any other exception (a defect
  in an event handler) keeps its traceback at ERROR.
"""
from __future__ import annotations

import logging
import os
import sys
from typing import Any

from engineio import packet as eio_packet
from engineio import payload as eio_payload

log = logging.getLogger(__name__)

# Where a decoding error of client input is raised.
_DECODERS = (eio_packet.__file__, eio_payload.__file__)
# Where a packet is dispatched by its type (its file, beside the decoders).
_RECEIVER = os.path.join(os.path.dirname(eio_packet.__file__), "async_socket.py")


def from_decoding(exc: BaseException | None) -> bool:
    """Whether ``exc`` was raised while python-engineio decoded a packet or payload (or a
    request body that is not UTF-8), or looked up the name of a packet type that does not
    exist (a digit above 6 decodes)."""
    if isinstance(exc, UnicodeDecodeError):
        return True
    tb = exc.__traceback__ if exc is not None else None
    innermost = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename in _DECODERS:
            return isinstance(exc, ValueError)
        innermost, tb = tb.tb_frame.f_code, tb.tb_next
    return (isinstance(exc, IndexError) and innermost is not None
            and innermost.co_filename == _RECEIVER and innermost.co_name == "receive")


class EngineLog(logging.LoggerAdapter):  # type: ignore[type-arg]
    def __init__(self, logger: logging.Logger = log) -> None:
        super().__init__(logger, {})

    def isEnabledFor(self, level: int) -> bool:
        return level >= logging.WARNING and self.logger.isEnabledFor(level)

    def error(self, msg: Any, *args: Any, **kwargs: Any) -> None:
        self.warning(msg, *args, **kwargs)

    def exception(self, msg: Any, *args: Any, exc_info: Any = True, **kwargs: Any) -> None:
        exc = exc_info if isinstance(exc_info, BaseException) else sys.exc_info()[1]
        if from_decoding(exc):
            self.logger.warning("a client sent a malformed Engine.IO request (%s: %.80r)",
                                msg, str(exc))
            return
        self.logger.error(msg, *args, exc_info=exc_info, **kwargs)

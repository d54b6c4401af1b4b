"""The one timestamp format of the API and the protocol: ISO 8601, UTC, milliseconds, ``Z``
(``2026-11-25T15:12:42.123Z``)."""
from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any

_second: list[Any] = [-1, ""]    # the last whole second and its "YYYY-MM-DDTHH:MM:SS"


def now_iso() -> str:
    """UTC now; the date part is formatted once per second (this runs for every event)."""
    ms = time.time_ns() // 1_000_000
    sec, frac = divmod(ms, 1000)
    if sec != _second[0]:
        _second[1] = datetime.fromtimestamp(sec, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
        _second[0] = sec
    return f"{_second[1]}.{frac:03d}Z"


def iso_utc(value: datetime) -> str:
    """A stored (aware) datetime in the same format."""
    return value.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace(
        "+00:00", "Z")


def iso_utc_or_none(value: datetime | None) -> str | None:
    return None if value is None else iso_utc(value)

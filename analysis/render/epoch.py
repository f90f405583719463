"""One date per render, so that rendering the same data twice gives the same bytes.

Every date a render writes (the date of run printed in the documents, the PDF's
creation date, the DOCX core properties and zip entry times) comes from
``SOURCE_DATE_EPOCH`` (the reproducible-builds convention that pandoc and Typst honour).
When the caller has not set it, :func:`pinned` sets it for the duration of the render to
midnight UTC of the current day: two renders of the same data on the same day are then
byte-identical, and a render started just before midnight keeps one date throughout.

Examples
--------
>>> import os
>>> os.environ["SOURCE_DATE_EPOCH"] = "86400"
>>> epoch(), date_text()
(86400, '1970-01-02')
>>> del os.environ["SOURCE_DATE_EPOCH"]
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os

ENV = "SOURCE_DATE_EPOCH"


def _today_midnight() -> int:
    today = dt.datetime.now(dt.timezone.utc).date()
    return int(dt.datetime(today.year, today.month, today.day, tzinfo=dt.timezone.utc)
               .timestamp())


def epoch() -> int:
    """Seconds since 1970 to stamp outputs with (``SOURCE_DATE_EPOCH``, else today 00:00 UTC)."""
    raw = os.environ.get(ENV, "").strip()
    try:
        return int(raw)
    except ValueError:
        return _today_midnight()


def date_text() -> str:
    """The render's date as ``YYYY-MM-DD`` (UTC)."""
    return dt.datetime.fromtimestamp(epoch(), dt.timezone.utc).date().isoformat()


@contextlib.contextmanager
def pinned():
    """Set ``SOURCE_DATE_EPOCH`` (if unset) for the kernel and converters; restore after."""
    had = ENV in os.environ
    if not had:
        os.environ[ENV] = str(_today_midnight())
    try:
        yield epoch()
    finally:
        if not had:
            os.environ.pop(ENV, None)

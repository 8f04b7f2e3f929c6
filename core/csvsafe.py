"""CSV written for spreadsheets: the one writer every export uses.

OWASP's rule against CSV (formula) injection: a text cell that begins with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return is prefixed with a single quote, so Excel, LibreOffice and Sheets show
it as text instead of running it. Numbers, dates and booleans are written as they are (they are
ours, not user text); ``None`` is an empty cell.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """``csv.writer`` with every cell passed through ``safe_cell``."""

    def __init__(self, fileobj, **kwargs):
        self._writer = csv.writer(fileobj, **kwargs)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([safe_cell(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_chunks(header: Iterable[str], rows: Iterable[Iterable[Any]], *, batch: int = 500) -> Iterator[bytes]:
    """Encode a header and rows as UTF-8 CSV in chunks of ``batch`` rows: constant memory for any
    number of rows (the rows may be a lazy iterator)."""
    buffer = io.StringIO()
    writer = SafeWriter(buffer)
    writer.writerow(header)
    for count, row in enumerate(rows, start=1):
        writer.writerow(row)
        if count % batch == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    tail = buffer.getvalue()
    if tail:
        yield tail.encode("utf-8")


def csv_bytes(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> bytes:
    return b"".join(csv_chunks(header, rows))

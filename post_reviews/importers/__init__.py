"""Parsing import files: our CSV format and the X archive's tweets.js. No database here.

A parser yields one tuple per record: ``(position, PostInput, account_id)`` for a good row and
``(position, None, reason)`` for a bad one, the position being the CSV line the record starts on
or the tweet's index in the archive (from 1). A file that can't be read at all (no header, not
UTF-8, not an X archive, JSON broken at the top level) raises ``ValidationError({"file": ...})``
before any row is yielded. Nothing else is ever raised: the fuzz tests hold the parsers to that.

Reasons and messages never carry raw file content unescaped (NUL or a lone surrogate would be
refused by PostgreSQL when the run stores them): values are shown with ``repr`` and cut short.
"""

from .base import Row, RowError
from .csv_posts import COLUMNS, REQUIRED, csv_count_records, csv_rows
from .x_archive import x_archive_entries, x_archive_rows

__all__ = [
    "COLUMNS",
    "REQUIRED",
    "Row",
    "RowError",
    "csv_count_records",
    "csv_rows",
    "x_archive_entries",
    "x_archive_rows",
]

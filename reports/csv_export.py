"""CSV writing that spreadsheet programs cannot turn into formulas (OWASP CSV injection).

Any text cell starting with = + - @ tab or carriage return is prefixed with a
single quote, so Excel, LibreOffice and Sheets show it as text. Numbers we
format ourselves are written as numbers: a negative cost must stay a number, and
it is not user-controlled input. Quotes and separators inside cells are escaped
by the csv module.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 10000.0000000000 -> 10000
    if isinstance(value, int | float):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(DANGEROUS_PREFIXES) else text


class _Line:
    """A file-like object whose write() hands the line back (csv.writer needs a file)."""

    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[list[Any]]) -> Iterator[str]:
    writer = csv.writer(_Line(), lineterminator="\r\n")
    for row in rows:
        yield writer.writerow([safe_cell(v) for v in row])

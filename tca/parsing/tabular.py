"""Reading CSV and Parquet bytes into a frame of raw column values with line numbers.

This layer knows about bytes, lines, quoting and headers, not about what a
column means. It reports what makes a line unreadable (bad UTF-8, a wrong
number of fields) and drops those lines, so the value checks that follow
still see every other row and one upload reports all of its problems.

CSV where every row is one line (the usual export, quoted or not) is read with
polars' reader and checked line by line with polars string kernels, which is
fast and keeps exact line numbers; CSV with a line break inside a quoted
field goes through the standard library reader, which follows records across
lines.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import PurePath

import polars as pl

from tca.parsing.errors import ErrorSink

PARQUET_MAGIC = b"PAR1"
CSV_SUFFIXES = frozenset({".csv", ".txt"})
TOO_MANY_ROWS = "the file has {rows:,} rows; the limit is {limit:,} rows per file"
PARQUET_SUFFIXES = frozenset({".parquet", ".pq"})
LINE = "line"

EMPTY_FILE = "file is empty"
NO_ROWS = "file has a header but no data rows"
NOT_UTF8 = "line is not valid UTF-8 text"
CSV_BUT_PARQUET = "file name ends in {suffix} but the content is Parquet"
PARQUET_BUT_TEXT = "file name ends in {suffix} but the content is not Parquet (no PAR1 header)"
DUPLICATE_COLUMN = "column appears more than once in the header"

# Bytes a text CSV practically never contains; one of them serves as a
# "separator" that never matches, so that polars hands back whole lines.
_UNUSED_BYTE_CANDIDATES = ("\x1f", "\x1e", "\x1d", "\x1c", "\x00", "\x07")


@dataclass(frozen=True, slots=True)
class Table:
    """Raw values of the known columns, one row per readable data line.

    ``header`` is every column name of the file, normalised (trimmed,
    lower-case); ``frame`` holds only the ``known`` ones plus ``line``.
    ``row_count`` counts every data row, readable or not; ``header_line`` is
    where the header is (1 unless the file starts with blank lines).
    """

    frame: pl.DataFrame
    header: tuple[str, ...]
    row_count: int
    is_parquet: bool
    header_line: int = 1


def read_table(
    data: bytes,
    *,
    filename: str,
    known: Collection[str],
    errors: ErrorSink,
    max_rows: int | None = None,
) -> Table | None:
    """Read ``data`` as CSV or Parquet (by content), or report why it cannot be read."""
    if not data or data.isspace():
        errors.add(None, None, EMPTY_FILE)
        return None
    is_parquet = data[:4] == PARQUET_MAGIC
    suffix = PurePath(filename).suffix.lower()
    if is_parquet and suffix in CSV_SUFFIXES:
        errors.add(None, None, CSV_BUT_PARQUET.format(suffix=suffix))
        return None
    if not is_parquet and suffix in PARQUET_SUFFIXES:
        errors.add(None, None, PARQUET_BUT_TEXT.format(suffix=suffix))
        return None
    if is_parquet:
        return _read_parquet(data, known, errors, max_rows)
    table = _read_csv(data, known, errors)
    if table is not None and max_rows is not None and table.row_count > max_rows:
        errors.add(None, None, TOO_MANY_ROWS.format(rows=table.row_count, limit=max_rows))
        return None
    return table


def normalise_name(name: str) -> str:
    return name.strip().lower()


def _pick_columns(
    header: list[str], known: Collection[str], errors: ErrorSink, *, line: int = 1
) -> dict[str, int] | None:
    """Positions of the known columns; a repeated known column is an error."""
    positions: dict[str, int] = {}
    repeated: set[str] = set()
    for index, name in enumerate(header):
        if name in known:
            if name in positions:
                repeated.add(name)
            else:
                positions[name] = index
    for name in sorted(repeated, key=header.index):
        errors.add(line, name, DUPLICATE_COLUMN)
    return None if repeated else positions


def _clean_text(expr: pl.Expr) -> pl.Expr:
    """Trim surrounding blanks; an empty value is a missing value."""
    stripped = expr.str.strip_chars()
    return pl.when(stripped.str.len_bytes() > 0).then(stripped)


def _padded(expr: pl.Expr) -> pl.Expr:
    """Whether a value starts or ends with a blank (literal tests beat a regex here)."""
    return (
        expr.str.starts_with(" ")
        | expr.str.ends_with(" ")
        | expr.str.starts_with("\t")
        | expr.str.ends_with("\t")
    )


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _unused_separator(data: bytes) -> str | None:
    return next((c for c in _UNUSED_BYTE_CANDIDATES if c.encode() not in data), None)


def _read_csv(data: bytes, known: Collection[str], errors: ErrorSink) -> Table | None:
    valid_utf8 = _is_utf8(data)
    separator = _unused_separator(data)
    if separator is None:
        return _read_csv_records(data, known, errors, valid_utf8=valid_utf8)
    lines = pl.read_csv(
        io.BytesIO(data),
        has_header=False,
        separator=separator,
        quote_char=None,
        schema={"text": pl.String},
        encoding="utf8-lossy",
        raise_if_empty=False,
    ).with_row_index(LINE, offset=1)
    lines = lines.with_columns(pl.col(LINE).cast(pl.Int64))
    quoted = b'"' in data
    if quoted and not lines.select(_well_quoted(pl.col("text")).all()).item():
        # A quoted field spans lines (rows are no longer lines) or quoting is
        # irregular: the standard library reader follows records and says what is wrong.
        return _read_csv_records(data, known, errors, valid_utf8=valid_utf8)
    found = _find_header(lines, errors, valid_utf8=valid_utf8)
    if found is None:
        return None
    header_line, header = found
    positions = _pick_columns(header, known, errors, line=header_line)
    if positions is None:
        return None
    if not positions:  # nothing we know: the caller reports the missing columns
        body = lines.filter((pl.col(LINE) > header_line) & _nonblank(pl.col("text")))
        return Table(body.select(LINE), tuple(header), body.height, False, header_line)
    table = _read_line_rows(
        data,
        lines,
        header=header,
        header_line=header_line,
        positions=positions,
        errors=errors,
        valid_utf8=valid_utf8,
        quoted=quoted,
    )
    # None: the reader's rows did not line up with the lines; the careful reader decides.
    return table or _read_csv_records(data, known, errors, valid_utf8=valid_utf8)


def _nonblank(text: pl.Expr) -> pl.Expr:
    return text.str.strip_chars().str.len_bytes() > 0


_QUOTED_LINE = r'^(?:[^",]*|"(?:[^"]|"")*")(?:,(?:[^",]*|"(?:[^"]|"")*"))*$'


def _well_quoted(text: pl.Expr) -> pl.Expr:
    """Every field is either unquoted without quotes or wholly quoted (RFC 4180)."""
    return text.is_null() | text.str.contains(_QUOTED_LINE)


def _find_header(
    lines: pl.DataFrame, errors: ErrorSink, *, valid_utf8: bool
) -> tuple[int, list[str]] | None:
    """The first line that is not blank, and its normalised column names."""
    header_row = lines.head(1000).filter(_nonblank(pl.col("text")))
    if header_row.height == 0:
        header_row = lines.filter(_nonblank(pl.col("text"))).head(1)
    if header_row.height == 0:
        errors.add(None, None, EMPTY_FILE)
        return None
    header_line, header_text = header_row.row(0)
    if not valid_utf8 and "\ufffd" in header_text:
        errors.add(header_line, None, NOT_UTF8)
        return None
    names = next(csv.reader([header_text]))
    return header_line, [normalise_name(h) for h in names]


def _read_line_rows(
    data: bytes,
    lines: pl.DataFrame,
    *,
    header: list[str],
    header_line: int,
    positions: dict[str, int],
    errors: ErrorSink,
    valid_utf8: bool,
    quoted: bool,
) -> Table | None:
    """Rows of a CSV where each line is a row: polars' reader for the values, lines for checks.

    The reader's rows line up with ``lines``; counting separators per line
    (outside quotes) finds the ragged ones, whose values are then dropped
    (the reader pads or truncates them). None if the rows do not line up,
    which should not happen but must not go unnoticed.
    """
    width = len(header)
    values = pl.read_csv(
        io.BytesIO(data),
        has_header=False,
        skip_lines=header_line,
        columns=list(positions.values()),
        schema={f"c{i}": pl.String() for i in range(width)},
        truncate_ragged_lines=True,
        missing_columns="insert",
        extra_columns="ignore",
        quote_char='"' if quoted else None,
        encoding="utf8-lossy",
        raise_if_empty=False,
    )
    body = lines.filter(pl.col(LINE) > header_line)
    if values.height != body.height:
        return None
    values.columns = list(positions)
    # Count fields per line; only lines with the wrong count are looked at twice.
    unquoted = pl.col("text").str.replace_all(r'"[^"]*"', "") if quoted else pl.col("text")
    rows = pl.concat([body, values], how="horizontal").with_columns(
        fields=unquoted.str.count_matches(",", literal=True) + 1
    )
    blank = pl.col("text").is_null() | (pl.col("text").str.strip_chars() == "")
    odd = rows.filter(pl.col("text").is_null() | (pl.col("fields") != width))
    if width == 1:  # a line of blanks has the right field count for one column
        odd = rows.filter((pl.col("fields") != width) | blank)
    odd = odd.with_columns(blank=blank)
    if not valid_utf8:
        undecodable = pl.col("text").str.contains("\ufffd", literal=True)
        errors.add_reasons(rows.filter(undecodable), None, NOT_UTF8)
        odd = odd.filter(~undecodable)
        rows = rows.filter(~undecodable)
    errors.add_frame(
        odd.filter(~pl.col("blank")).select(
            LINE,
            column=pl.lit(None, dtype=pl.String),
            reason=pl.format("expected {} fields, found {}", pl.lit(width), pl.col("fields")),
        )
    )
    if odd.height:
        rows = rows.join(odd.select(LINE), on=LINE, how="anti", maintain_order="left")
    padded = rows.select(_padded(pl.col(name)).any().alias(name) for name in positions).row(
        0, named=True
    )
    frame = rows.select(
        LINE, *(_clean_text(pl.col(name)) if padded[name] else pl.col(name) for name in positions)
    )
    row_count = body.height - odd["blank"].sum()
    return Table(frame, tuple(header), row_count, is_parquet=False, header_line=header_line)


def _read_csv_records(
    data: bytes, known: Collection[str], errors: ErrorSink, *, valid_utf8: bool
) -> Table | None:
    text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    records: list[list[str]] = []
    starts: list[int] = []
    start = 1
    try:
        for record in reader:
            if any(field.strip() for field in record):
                records.append(record)
                starts.append(start)
            start = reader.line_num + 1
    except csv.Error as exc:
        errors.add(start, None, f"malformed CSV: {exc}")
        return None
    if not records:
        errors.add(None, None, EMPTY_FILE)
        return None
    if not valid_utf8 and any("\ufffd" in field for field in records[0]):
        errors.add(starts[0], None, NOT_UTF8)
        return None
    header = [normalise_name(h) for h in records[0]]
    positions = _pick_columns(header, known, errors, line=starts[0])
    if positions is None:
        return None

    width = len(header)
    keep: list[int] = []
    for index in range(1, len(records)):
        record = records[index]
        if not valid_utf8 and any("\ufffd" in field for field in record):
            errors.add(starts[index], None, NOT_UTF8)
        elif len(record) != width:
            errors.add(starts[index], None, f"expected {width} fields, found {len(record)}")
        else:
            keep.append(index)
    columns: dict[str, list[object]] = {LINE: [starts[i] for i in keep]}
    for name, position in positions.items():
        columns[name] = [records[i][position] for i in keep]
    schema = {LINE: pl.Int64(), **dict.fromkeys(positions, pl.String())}
    frame = pl.DataFrame(columns, schema=schema)
    frame = frame.with_columns(_clean_text(pl.col(name)) for name in positions)
    return Table(frame, tuple(header), len(records) - 1, is_parquet=False, header_line=starts[0])


def _parquet_rows(data: bytes) -> int:
    """Rows a Parquet file declares in its footer: known before a byte is decompressed."""
    import pyarrow.parquet as pq

    return int(pq.ParquetFile(io.BytesIO(data)).metadata.num_rows)


def _read_parquet(
    data: bytes, known: Collection[str], errors: ErrorSink, max_rows: int | None = None
) -> Table | None:
    try:
        if max_rows is not None and (rows := _parquet_rows(data)) > max_rows:
            # A small, highly compressed file can expand to gigabytes in a worker.
            errors.add(None, None, TOO_MANY_ROWS.format(rows=rows, limit=max_rows))
            return None
        raw = pl.read_parquet(io.BytesIO(data))
    except Exception as exc:  # any reader failure means the same thing to the user
        errors.add(None, None, f"not a readable Parquet file: {exc}")
        return None
    header = [normalise_name(name) for name in raw.columns]
    positions = _pick_columns(header, known, errors)
    if positions is None:
        return None
    frame = raw.select(
        (pl.int_range(pl.len(), dtype=pl.Int64) + 2).alias(LINE),
        *(pl.col(raw.columns[index]).alias(name) for name, index in positions.items()),
    )
    frame = frame.with_columns(
        _clean_text(pl.col(name).cast(pl.String))
        for name, dtype in frame.schema.items()
        if name != LINE and (dtype == pl.String or isinstance(dtype, (pl.Categorical, pl.Enum)))
    )
    return Table(frame, tuple(header), raw.height, is_parquet=True)

"""Row errors and their collection.

Validation is vectorised, so errors are gathered as small polars frames
(line, column, reason) and only the first ``MAX_REPORTED_ERRORS`` are turned
into Python objects: a file with two million bad rows must not build two
million ``RowError`` instances just to show a thousand of them.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

MAX_REPORTED_ERRORS = 1000

ERROR_SCHEMA: dict[str, pl.DataType] = {
    "line": pl.Int64(),
    "column": pl.String(),
    "reason": pl.String(),
}


@dataclass(frozen=True, slots=True)
class RowError:
    """One reason a file (or one of its rows) was rejected.

    ``line`` is the line a user sees in a text editor (header = 1), or None for
    a problem with the whole file; ``column`` is None when no single column is
    to blame (an unreadable line, a wrong number of fields).
    """

    line: int | None
    column: str | None
    reason: str

    def __str__(self) -> str:
        where = "file" if self.line is None else f"line {self.line}"
        if self.column is not None:
            where += f", column {self.column}"
        return f"{where}: {self.reason}"


@dataclass(frozen=True, slots=True)
class ValidationResult:
    """Errors found by a check that produces no data: the first ones and the total."""

    errors: list[RowError]
    error_count: int

    @property
    def ok(self) -> bool:
        return self.error_count == 0


class ErrorSink:
    """Accumulates errors from vectorised checks; reports them sorted by line.

    Errors on the same line keep the order in which they were added, which is
    the column order of the checks, so reports read left to right.
    """

    def __init__(self) -> None:
        self._frames: list[pl.DataFrame] = []
        self._count = 0

    @property
    def count(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    def add(self, line: int | None, column: str | None, reason: str) -> None:
        self.add_frame(pl.DataFrame([[line], [column], [reason]], schema=ERROR_SCHEMA))

    def add_frame(self, frame: pl.DataFrame) -> None:
        """Add a frame with columns line, column, reason (extra columns are dropped)."""
        if frame.height == 0:
            return
        self._frames.append(frame.select(pl.col(n).cast(t) for n, t in ERROR_SCHEMA.items()))
        self._count += frame.height

    def add_reasons(self, frame: pl.DataFrame, column: str | None, reason: str) -> None:
        """Add one error per row of ``frame`` (which has a ``line`` column)."""
        if frame.height:
            self.add_frame(
                frame.select("line", column=pl.lit(column, dtype=pl.String), reason=pl.lit(reason))
            )

    def extend(self, errors: list[RowError]) -> None:
        if errors:
            self.add_frame(
                pl.DataFrame(
                    {
                        "line": [e.line for e in errors],
                        "column": [e.column for e in errors],
                        "reason": [e.reason for e in errors],
                    },
                    schema=ERROR_SCHEMA,
                )
            )

    def first(self, limit: int = MAX_REPORTED_ERRORS) -> list[RowError]:
        """The first ``limit`` errors, file-level ones first, then by line."""
        if not self._frames:
            return []
        frame = (
            pl.concat(self._frames).sort("line", nulls_last=False, maintain_order=True).head(limit)
        )
        return [RowError(*row) for row in frame.iter_rows()]

    def result(self) -> ValidationResult:
        return ValidationResult(self.first(), self._count)

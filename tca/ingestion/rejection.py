"""Rejections: a file refused with its row errors; nothing it carried is written."""

from typing import NoReturn

from tca.parsing.errors import RowError


class IngestRejected(Exception):
    """The file was refused; nothing was written. ``errors`` says why, row by row."""

    def __init__(self, errors: list[RowError], error_count: int) -> None:
        self.errors = errors
        self.error_count = error_count
        super().__init__(f"{error_count} error(s); first: {errors[0] if errors else '-'}")


def reject_rows(errors: list[RowError], count: int | None = None) -> NoReturn:
    """Raise from inside a write: the surrounding transaction rolls back."""
    raise IngestRejected(errors[:1000], count if count is not None else len(errors))

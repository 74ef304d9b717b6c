"""One int64 key per (symbol, time) so per-symbol as-of searches become one global search.

A key is ``symbol_code << shift | time_part`` over data sorted by (symbol, time):
keys then increase through the whole array, and one sorted merge or binary
search answers every probe of every symbol at once, with no group-by. The time
part is the nanosecond offset from the earliest element when that fits beside
the symbol codes in 63 bits (a day of one market easily does), else the rank
of the time among the element times, which always fits.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

_KEY_BITS = 63


@dataclass(frozen=True)
class SymbolCodes:
    """Symbols sorted lexicographically; a symbol's code is its position."""

    symbols: tuple[str, ...]

    @classmethod
    def of(cls, symbols: pl.Series) -> SymbolCodes:
        return cls(tuple(sorted(symbols.drop_nulls().unique().to_list())))

    @classmethod
    def build(cls, symbols: pl.Series) -> tuple[SymbolCodes, np.ndarray]:
        """The coding of the symbols present and each value's code, from one pass over
        the runs of equal values."""
        runs = symbols.cast(pl.String).rle().struct.unnest()
        coding = cls(tuple(sorted(runs["value"].drop_nulls().unique().to_list())))
        return coding, coding._expand(runs)

    def __len__(self) -> int:
        return len(self.symbols)

    def encode(self, symbols: pl.Series) -> np.ndarray:
        """Code of each value, -1 for null or unknown symbols.

        Maps each run of equal values once, which is nearly free on data already
        grouped by symbol (tens of millions of quotes, a few hundred runs).
        """
        if symbols.len() == 0:
            return np.empty(0, dtype=np.int64)
        return self._expand(symbols.cast(pl.String).rle().struct.unnest())

    def _expand(self, runs: pl.DataFrame) -> np.ndarray:
        if runs.height == 0:
            return np.empty(0, dtype=np.int64)
        codes = (
            runs["value"]
            .replace_strict(
                list(self.symbols),
                list(range(len(self.symbols))),
                default=-1,
                return_dtype=pl.Int64,
            )
            .fill_null(-1)
            .to_numpy()
        )
        return np.repeat(codes, runs["len"].to_numpy())


@dataclass(frozen=True)
class KeyLayout:
    """How (code, time) pairs become keys; built over the elements to be searched."""

    shift: int
    base: int
    ranks: np.ndarray | None  # sorted unique element times in rank mode, else None

    @classmethod
    def covering(cls, times: np.ndarray, n_codes: int) -> KeyLayout:
        """The offset layout if it fits beside ``n_codes`` codes, else the rank layout."""
        code_bits = max(1, int(n_codes).bit_length())
        if len(times) == 0:
            return cls(shift=1, base=0, ranks=None)
        base = int(times.min())
        span = int(times.max()) - base
        shift = max(1, (span + 1).bit_length())
        if shift + code_bits <= _KEY_BITS:
            return cls(shift=shift, base=base, ranks=None)
        ranks = np.unique(times)
        shift = max(1, (len(ranks) + 1).bit_length())
        if shift + code_bits > _KEY_BITS:
            raise ValueError("too many symbols and times to key in 63 bits")
        return cls(shift=shift, base=0, ranks=ranks)

    @property
    def _top(self) -> int:
        return (1 << self.shift) - 1

    def element_keys(self, codes: np.ndarray, times: np.ndarray) -> np.ndarray:
        """Keys of the elements; reuses ``codes`` as the output buffer (20M-row inputs)."""
        keys = np.left_shift(codes, self.shift, out=codes)
        if self.ranks is None:
            keys += times
            keys -= self.base
        else:
            keys += np.searchsorted(self.ranks, times, side="left")
        return keys

    def element_times(self, keys: np.ndarray) -> np.ndarray:
        """Times of elements back from their keys (exact in both layouts)."""
        part = keys & self._top
        if self.ranks is None:
            part += self.base
            return part
        return self.ranks[part]

    def bound_keys(self, codes: np.ndarray, times: np.ndarray, *, inclusive: bool) -> np.ndarray:
        """Keys ``b`` with: element key < b  ⇔  same or lower code and element time < t
        (``inclusive``: ≤ t). Codes must be >= 0; callers mask unknown symbols."""
        if self.ranks is None:
            part = times - (self.base - (1 if inclusive else 0))
            np.clip(part, 0, self._top, out=part)
        else:
            side = "right" if inclusive else "left"
            part = np.searchsorted(self.ranks, times, side=side).astype(np.int64)
        part |= codes << self.shift
        return part


def epoch_ns(times: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """Nanoseconds since the epoch (0 where null) and the mask of non-null values."""
    valid = times.is_not_null().to_numpy()
    return times.dt.epoch("ns").fill_null(0).to_numpy(), valid

"""Applying FIX execution reports: new fills, trade cancels and corrections."""

from __future__ import annotations

from typing import Any

import polars as pl


def fills_apply_fix(*, events: pl.DataFrame, source: str) -> dict[str, Any]:
    raise NotImplementedError

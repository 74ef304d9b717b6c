"""Services over the tick store that Django code calls."""

from tca.analytics.daily import daily_bars
from tca.instruments.services import instrument_frame

from .store import tick_store


def daily_bars_refresh(*, symbols: list[str]) -> int:
    """Recompute the daily bars of ``symbols`` from their stored trade prints."""
    store = tick_store()
    trades = store.read("trades", symbols=symbols)
    if trades.height == 0:
        return 0
    bars = daily_bars(trades, instrument_frame(symbols=symbols))
    store.write_daily(bars)
    return bars.height

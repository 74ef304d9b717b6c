"""Venues (MIC codes), how flow spreads across them, and their fee schedules.

Fees are per share in the instrument's currency, positive = paid. Maker-taker
venues pay a rebate (negative fee) for adding liquidity; IEX charges little to
take and pays nothing to add. These shape the ``fees`` cost component and the
venue breakdowns of the TCA.
"""

from __future__ import annotations

import numpy as np

VENUES = ("XNYS", "XNAS", "ARCX", "BATS", "IEXG")
LISTING_VENUES = (0, 1)  # primary listings are on XNYS or XNAS

LIQUIDITY = ("ADD", "REMOVE", "AUCTION", "OTHER")
ADD, REMOVE, AUCTION, OTHER = range(4)

# Share of flow per venue, by how the fill met liquidity.
TAPE_WEIGHTS = np.array([0.2, 0.27, 0.15, 0.25, 0.13])
ROUTING = {
    REMOVE: np.array([0.2, 0.27, 0.15, 0.25, 0.13]),
    ADD: np.array([0.15, 0.3, 0.2, 0.3, 0.05]),
    OTHER: np.array([0.1, 0.2, 0.05, 0.15, 0.5]),  # midpoint crosses, mostly IEX
}

# Per-share fee by (liquidity, venue).
FEES = np.array(
    [
        [-0.0015, -0.0020, -0.0020, -0.0025, 0.0000],  # ADD: rebates
        [0.0030, 0.0030, 0.0030, 0.0030, 0.0009],  # REMOVE
        [0.0010, 0.0010, 0.0010, 0.0010, 0.0010],  # AUCTION
        [0.0010, 0.0010, 0.0010, 0.0010, 0.0009],  # OTHER (midpoint)
    ]
)


def route(liquidity: np.ndarray, listing: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Venue index per fill: weighted by liquidity flag; auctions on the listing venue."""
    venue = np.asarray(listing, dtype=np.int64).copy()
    u = rng.random(liquidity.size)
    for flag, weights in ROUTING.items():
        mask = liquidity == flag
        venue[mask] = np.searchsorted(np.cumsum(weights) / weights.sum(), u[mask], side="right")
    return np.minimum(venue, len(VENUES) - 1)


def fees(liquidity: np.ndarray, venue: np.ndarray, quantity: np.ndarray) -> np.ndarray:
    return np.round(FEES[liquidity, venue] * quantity, 4)

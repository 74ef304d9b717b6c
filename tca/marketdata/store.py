"""The configured tick store (Django side)."""

from django.conf import settings

from .tickstore import TickStore


def tick_store() -> TickStore:
    return TickStore(settings.TICK_STORE_URL)

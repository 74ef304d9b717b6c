"""The configured tick store (Django side)."""

from django.conf import settings

from .locks import store_write_lock
from .tickstore import TickStore


def tick_store() -> TickStore:
    """The store at ``TICK_STORE_URL``; on S3 its writers share a database lock."""
    return TickStore(settings.TICK_STORE_URL, lock=store_write_lock)

"""The API throttle, with its rate read from settings at request time.

DRF's own classes copy ``DEFAULT_THROTTLE_RATES`` when they are imported, so a
rate could not be set per deployment, test or benchmark without a restart; this
one reads ``FOOTPRINT_API_RATE_USER`` each time (a dictionary lookup).
"""

from __future__ import annotations

from django.conf import settings
from rest_framework import throttling


class UserRateThrottle(throttling.UserRateThrottle):
    """Requests per authenticated user and period, across all endpoints."""

    def get_rate(self) -> str:
        return settings.FOOTPRINT_API_RATE_USER

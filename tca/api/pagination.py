"""Limit/offset pages with a ceiling, so ``?limit=`` cannot ask for a whole table."""

from rest_framework.pagination import LimitOffsetPagination


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    default_limit = 100
    max_limit = 1000

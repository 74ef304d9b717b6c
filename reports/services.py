"""Writes of the reports app: the export audit trail."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.http import QueryDict

from .models import ExportAudit


def export_audit_create(
    *, user: AbstractBaseUser, kind: str, query: QueryDict, row_count: int, filename: str
) -> ExportAudit:
    """Record an export before its first byte is sent, so no export goes unrecorded."""
    filters = {k: v for k, v in query.lists() if any(x != "" for x in v)}
    return ExportAudit.objects.create(
        user=user if user.is_authenticated else None,
        username=user.get_username(),
        kind=kind,
        filters={k: v[0] if len(v) == 1 else v for k, v in filters.items()},
        row_count=row_count,
        filename=filename,
    )

"""The configured model store (Django side) and loading registered versions."""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock
from typing import Any

from django.conf import settings

from .impact.artifacts import ArtifactStore
from .models import ModelVersion

_CACHE_SIZE = 8
_cache: OrderedDict[tuple[str, str, str], Any] = OrderedDict()
_lock = Lock()


def artifact_store() -> ArtifactStore:
    return ArtifactStore(settings.MODEL_STORE_URL)


def model_load(*, version: ModelVersion) -> Any:
    """The version's fitted model, verified against its SHA-256 (small LRU cache)."""
    key = (str(settings.MODEL_STORE_URL), version.artifact_path, version.artifact_sha256)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    model = artifact_store().load(version.artifact_path, version.artifact_sha256)
    with _lock:
        _cache[key] = model
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return model

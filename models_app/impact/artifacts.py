"""Content-addressed model artifacts: written once, verified on every load.

An artifact's name carries its SHA-256 and it is created "only if absent" (an
exclusive hard link in a folder, ``If-None-Match: *`` on S3), so an existing
artifact is never overwritten, even by a racing writer on another host, and a
load refuses bytes whose hash differs from the registry's. Pickle is safe here
only because of that check: the store holds nothing but artifacts this code
wrote.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl

from tca.objectstore import object_store


class ArtifactError(Exception):
    pass


class ArtifactStore:
    def __init__(self, url: str | Path, *, options: Mapping[str, str] | None = None) -> None:
        self.objects = object_store(url, options=options)
        self.root: Path | None = self.objects.root

    def save(self, obj: Any, *, name: str) -> tuple[str, str]:
        """Store ``obj``; returns (path relative to the store, SHA-256)."""
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        sha = hashlib.sha256(data).hexdigest()
        relative = f"{name}-{sha[:16]}.pkl"
        created = self.objects.put_new(relative, data)
        if not created and hashlib.sha256(self.objects.get(relative)).hexdigest() != sha:
            # The name carries the hash: an object already under it must hold these bytes.
            raise ArtifactError(f"{relative} exists with other content; not overwriting")
        return relative, sha

    def load(self, relative: str, sha256: str) -> Any:
        try:
            data = self.objects.get(relative)
        except FileNotFoundError:
            raise ArtifactError(f"artifact {relative} is missing from the model store") from None
        if hashlib.sha256(data).hexdigest() != sha256:
            raise ArtifactError(f"artifact {relative} does not match its registered SHA-256")
        return pickle.loads(data)  # noqa: S301 (hash-verified, written by this code only)


@cache
def code_version() -> str:
    """Hash of the model code, so a registered version names the code that trained it."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return f"impact-{digest.hexdigest()[:12]}"


def data_sha256(table: pl.DataFrame, batch: int = 50_000) -> str:
    """SHA-256 of the training rows in a canonical order and text form."""
    digest = hashlib.sha256()
    ordered = table.sort("order_id")
    for start in range(0, max(ordered.height, 1), batch):
        part = ordered.slice(start, batch)
        digest.update(part.write_csv(include_header=start == 0, float_precision=10).encode())
    return digest.hexdigest()

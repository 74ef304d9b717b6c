"""Content-addressed model artifacts: written once, verified on every load.

An artifact's file name carries its SHA-256, a file is created with an
exclusive hard link (so an existing artifact is never overwritten, even by a
racing writer) and a load refuses bytes whose hash differs from the registry's.
Pickle is safe here only because of that check: the store holds nothing but
artifacts this code wrote.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import uuid
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl


class ArtifactError(Exception):
    pass


def _root(url: str | Path) -> Path:
    return Path(str(url).removeprefix("file://"))


class ArtifactStore:
    def __init__(self, url: str | Path) -> None:
        self.root = _root(url)

    def save(self, obj: Any, *, name: str) -> tuple[str, str]:
        """Store ``obj``; returns (path relative to the store, SHA-256)."""
        data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
        sha = hashlib.sha256(data).hexdigest()
        relative = f"{name}-{sha[:16]}.pkl"
        target = self.root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            if hashlib.sha256(target.read_bytes()).hexdigest() != sha:
                raise ArtifactError(f"{relative} exists with other content; not overwriting")
            return relative, sha
        tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}")
        with tmp.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, target)  # fails if the target exists: never overwrite
        except FileExistsError:
            if hashlib.sha256(target.read_bytes()).hexdigest() != sha:
                raise ArtifactError(f"{relative} appeared with other content") from None
        finally:
            tmp.unlink(missing_ok=True)
        return relative, sha

    def load(self, relative: str, sha256: str) -> Any:
        path = self.root / relative
        if not path.is_file():
            raise ArtifactError(f"artifact {relative} is missing from the model store")
        data = path.read_bytes()
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

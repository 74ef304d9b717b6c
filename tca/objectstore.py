"""Where the tick store and the model store keep their objects: a folder or S3.

Both stores address objects by POSIX keys relative to their root (``quotes/
_manifest.json``) and need the same few operations: write a new object, read
one, replace a small pointer object atomically, delete, and hand polars a URL
it reads itself. A local folder (the embedded default) and an S3-compatible
bucket implement them; the stores above never branch on which one they have.

S3 objects are read and written with obstore (the Rust ``object_store`` crate
that polars also reads through), with conditional puts: a new object is put
"only if absent" and a pointer object is replaced "only if its ETag is still
the one read", so two writers that race lose nothing (see docs/storage.md).
Endpoint, region and credentials come from the standard AWS variables.

This module has no Django imports.
"""

from __future__ import annotations

import contextlib
import fcntl
import io
import os
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import polars as pl

# A factory of context managers that serialise writers of one named object group
# across processes and hosts (the Django side passes a PostgreSQL advisory lock).
LockFactory = Callable[[str], AbstractContextManager[object]]


class ObjectConflict(Exception):
    """Another writer replaced the object since it was read: read again and retry."""


class ObjectStore(Protocol):
    root: Path | None
    storage_options: dict[str, str] | None

    def url(self, key: str) -> str: ...
    def read_parquet(self, key: str) -> pl.DataFrame: ...
    def write_parquet(self, key: str, frame: pl.DataFrame) -> None: ...
    def get(self, key: str) -> bytes: ...
    def get_versioned(self, key: str) -> tuple[bytes, str] | None: ...
    def version(self, key: str) -> str | None: ...
    def put_new(self, key: str, data: bytes) -> bool: ...
    def replace(self, key: str, data: bytes, *, expected: str | None) -> None: ...
    def delete(self, key: str) -> None: ...
    def exists(self, key: str) -> bool: ...
    def keys(self, prefix: str) -> list[str]: ...
    def lock(self, name: str) -> AbstractContextManager[object]: ...


class LocalFolder:
    """Objects as files under a folder; one host, writers serialised with ``fcntl``."""

    storage_options: dict[str, str] | None = None

    def __init__(self, root: Path) -> None:
        self.root = root

    def url(self, key: str) -> str:
        return str(self.root / key)

    def read_parquet(self, key: str) -> pl.DataFrame:
        return pl.read_parquet(self.root / key)

    def write_parquet(self, key: str, frame: pl.DataFrame) -> None:
        target = self.root / key
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            frame.write_parquet(target, statistics=True)
        except BaseException:
            target.unlink(missing_ok=True)  # a partial file nobody will ever hear of
            raise

    def get(self, key: str) -> bytes:
        try:
            return (self.root / key).read_bytes()
        except IsADirectoryError:
            raise FileNotFoundError(key) from None

    def get_versioned(self, key: str) -> tuple[bytes, str] | None:
        """The bytes and a token that changes whenever the file is replaced."""
        try:
            fd = os.open(self.root / key, os.O_RDONLY)
        except FileNotFoundError:
            return None
        with os.fdopen(fd, "rb") as handle:
            stat = os.fstat(fd)
            return handle.read(), f"{stat.st_ino}:{stat.st_mtime_ns}:{stat.st_size}"

    def version(self, key: str) -> str | None:
        """``get_versioned``'s token without reading the bytes (None: no such file)."""
        try:
            stat = os.stat(self.root / key)
        except FileNotFoundError:
            return None
        return f"{stat.st_ino}:{stat.st_mtime_ns}:{stat.st_size}"

    def put_new(self, key: str, data: bytes) -> bool:
        """Create ``key`` with ``data`` unless it exists (a hard link never overwrites)."""
        target = self.root / key
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists():
            return False
        tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}")
        with tmp.open("wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, target)  # fails if the target exists, even for a racing writer
        except FileExistsError:
            return False
        finally:
            tmp.unlink(missing_ok=True)
        return True

    def replace(self, key: str, data: bytes, *, expected: str | None) -> None:
        """Atomic replace with ``os.replace``; ``expected`` is unused (``lock`` serialises)."""
        target = self.root / key
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}")
        tmp.write_bytes(data)
        with tmp.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, target)

    def delete(self, key: str) -> None:
        (self.root / key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return (self.root / key).is_file()

    def keys(self, prefix: str) -> list[str]:
        base = self.root / prefix
        if not base.is_dir():
            return []
        return sorted(
            p.relative_to(self.root).as_posix()
            for p in base.rglob("*")
            if p.is_file() and not p.name.startswith(".")
        )

    @contextlib.contextmanager
    def lock(self, name: str) -> Iterator[None]:
        directory = self.root / name
        directory.mkdir(parents=True, exist_ok=True)
        with (directory / ".lock").open("w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


def s3_options_from_env(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The ``aws_*`` options (polars' ``storage_options`` keys) from the AWS variables."""
    env = os.environ if environ is None else environ
    found = {
        "aws_endpoint_url": env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL"),
        "aws_region": env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION"),
        "aws_access_key_id": env.get("AWS_ACCESS_KEY_ID"),
        "aws_secret_access_key": env.get("AWS_SECRET_ACCESS_KEY"),
        "aws_session_token": env.get("AWS_SESSION_TOKEN"),
        "aws_allow_http": env.get("AWS_ALLOW_HTTP"),
    }
    return {k: v for k, v in found.items() if v}


_OBSTORE_KEYS = {
    "aws_endpoint_url": "endpoint",
    "aws_region": "region",
    "aws_access_key_id": "access_key_id",
    "aws_secret_access_key": "secret_access_key",
    "aws_session_token": "session_token",
}


@lru_cache(maxsize=16)
def _s3_client(url: str, options: tuple[tuple[str, str], ...], pid: int) -> object:
    """One obstore client (and its connection pool) per bucket, options and process.

    The process id is part of the key: a client made before a fork is not reused
    by the child (prefork workers).
    """
    from obstore.store import S3Store

    given = dict(options)
    config = {_OBSTORE_KEYS[k]: v for k, v in given.items() if k in _OBSTORE_KEYS}
    allow_http = given.get("aws_allow_http", "").lower() in ("1", "true", "yes")
    return S3Store.from_url(url, config=config, client_options={"allow_http": allow_http})


class S3Bucket:
    """Objects under ``s3://bucket/prefix``; conditional puts make writers safe."""

    root: Path | None = None

    def __init__(
        self, url: str, *, options: Mapping[str, str] | None = None, lock: LockFactory | None = None
    ) -> None:
        self.base = url.rstrip("/")
        self.storage_options = dict(s3_options_from_env() if options is None else options)
        self._lock = lock

    @property
    def _client(self) -> object:
        frozen = tuple(sorted(self.storage_options.items()))
        return _s3_client(self.base, frozen, os.getpid())

    def url(self, key: str) -> str:
        return f"{self.base}/{key}"

    def read_parquet(self, key: str) -> pl.DataFrame:
        return pl.read_parquet(self.url(key), storage_options=self.storage_options)

    def write_parquet(self, key: str, frame: pl.DataFrame) -> None:
        buffer = io.BytesIO()
        frame.write_parquet(buffer, statistics=True)
        self._put(key, buffer.getbuffer(), mode="create")

    def _put(self, key: str, data: bytes | memoryview, *, mode: object) -> None:
        import obstore

        obstore.put(self._client, key, data, mode=mode, use_multipart=False)  # type: ignore[arg-type]

    def get(self, key: str) -> bytes:
        found = self.get_versioned(key)
        if found is None:
            raise FileNotFoundError(self.url(key))
        return found[0]

    def get_versioned(self, key: str) -> tuple[bytes, str] | None:
        """The bytes and the ETag they were read at."""
        import obstore
        from obstore.exceptions import NotFoundError

        try:
            result = obstore.get(self._client, key)  # type: ignore[arg-type]
        except (FileNotFoundError, NotFoundError):
            return None
        return bytes(result.bytes()), str(result.meta["e_tag"])

    def version(self, key: str) -> str | None:
        """The object's ETag from a HEAD request (None: no such object)."""
        import obstore
        from obstore.exceptions import NotFoundError

        try:
            meta = obstore.head(self._client, key)  # type: ignore[arg-type]
        except (FileNotFoundError, NotFoundError):
            return None
        return str(meta["e_tag"])

    def put_new(self, key: str, data: bytes) -> bool:
        """Create ``key`` unless it exists (``If-None-Match: *``)."""
        from obstore.exceptions import AlreadyExistsError, PreconditionError

        try:
            self._put(key, data, mode="create")
        except (AlreadyExistsError, PreconditionError):
            return False
        return True

    def replace(self, key: str, data: bytes, *, expected: str | None) -> None:
        """Replace ``key`` in one PUT if it is still at ETag ``expected`` (None: absent).

        A single PUT is atomic: readers see the old object or the new one.
        """
        from obstore.exceptions import AlreadyExistsError, PreconditionError

        mode: object = "create" if expected is None else {"e_tag": expected}
        try:
            self._put(key, data, mode=mode)
        except (AlreadyExistsError, PreconditionError) as exc:
            raise ObjectConflict(f"{self.url(key)} was replaced by another writer") from exc

    def delete(self, key: str) -> None:
        import obstore

        obstore.delete(self._client, key)  # type: ignore[arg-type]  # absent: no error

    def exists(self, key: str) -> bool:
        import obstore
        from obstore.exceptions import NotFoundError

        try:
            obstore.head(self._client, key)  # type: ignore[arg-type]
        except (FileNotFoundError, NotFoundError):
            return False
        return True

    def keys(self, prefix: str) -> list[str]:
        import obstore

        stream = obstore.list(self._client, prefix=prefix)  # type: ignore[arg-type]
        return sorted(meta["path"] for batch in stream for meta in batch)

    def lock(self, name: str) -> AbstractContextManager[object]:
        """The injected cross-host lock, if any; the conditional puts are safe without it."""
        if self._lock is None:
            return contextlib.nullcontext()
        return self._lock(f"{self.base}/{name}")


def object_store(
    url: str | Path, *, options: Mapping[str, str] | None = None, lock: LockFactory | None = None
) -> ObjectStore:
    """The store for ``url``: ``s3://bucket/prefix`` or a folder (``file://`` optional)."""
    text = str(url)
    if text.startswith(("s3://", "s3a://")):
        return S3Bucket(text, options=options, lock=lock)
    return LocalFolder(Path(text.removeprefix("file://")))

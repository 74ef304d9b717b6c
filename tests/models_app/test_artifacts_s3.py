"""Model artifacts on S3-compatible object storage (a real S3 server on loopback)."""

from __future__ import annotations

import hashlib
import pickle

import pytest

from models_app.impact.artifacts import ArtifactError, ArtifactStore
from tca.objectstore import S3Bucket

MODEL = {"kind": "sqrt", "coefficients": [0.5, 1.25], "universe": ("AAA", "BBB")}


def test_saved_on_one_client_loads_on_another(s3_bucket: str) -> None:
    relative, sha = ArtifactStore(f"{s3_bucket}/models").save(MODEL, name="sqrt/v1")
    assert relative == f"sqrt/v1-{sha[:16]}.pkl"
    assert sha == hashlib.sha256(pickle.dumps(MODEL, protocol=pickle.HIGHEST_PROTOCOL)).hexdigest()
    assert ArtifactStore(f"{s3_bucket}/models").load(relative, sha) == MODEL
    assert S3Bucket(f"{s3_bucket}/models").keys("") == [relative]


def test_saving_the_same_model_again_is_idempotent(s3_bucket: str) -> None:
    store = ArtifactStore(s3_bucket)
    first = store.save(MODEL, name="sqrt/v1")
    assert store.save(MODEL, name="sqrt/v1") == first
    assert store.objects.keys("sqrt") == [first[0]]


def test_an_object_with_other_bytes_under_the_name_is_never_overwritten(s3_bucket: str) -> None:
    store = ArtifactStore(s3_bucket)
    sha = hashlib.sha256(pickle.dumps(MODEL, protocol=pickle.HIGHEST_PROTOCOL)).hexdigest()
    relative = f"sqrt/v1-{sha[:16]}.pkl"
    assert store.objects.put_new(relative, b"someone else's bytes")
    with pytest.raises(ArtifactError, match="not overwriting"):
        store.save(MODEL, name="sqrt/v1")
    assert store.objects.get(relative) == b"someone else's bytes"


def test_a_load_refuses_bytes_that_do_not_match_the_registered_hash(s3_bucket: str) -> None:
    store = ArtifactStore(s3_bucket)
    relative, sha = store.save(MODEL, name="sqrt/v1")
    with pytest.raises(ArtifactError, match="does not match"):
        store.load(relative, "0" * 64)
    tampered = pickle.dumps({**MODEL, "coefficients": [9.0]})
    import obstore

    obstore.put(S3Bucket(s3_bucket)._client, relative, tampered)  # type: ignore[arg-type]
    with pytest.raises(ArtifactError, match="does not match"):
        ArtifactStore(s3_bucket).load(relative, sha)


def test_a_missing_artifact_is_an_artifact_error(s3_bucket: str) -> None:
    with pytest.raises(ArtifactError, match="missing"):
        ArtifactStore(s3_bucket).load("sqrt/v9-0000.pkl", "0" * 64)

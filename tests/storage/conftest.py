from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from storage import ObjectStore, open_store
from tests.conftest import new_bucket


@pytest.fixture(params=["filesystem", "minio", "minio-4-drives", "minio-4-nodes"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ObjectStore]:
    """The same conformance suite runs unchanged against every backend."""
    if request.param == "filesystem":
        url = f"file://{tmp_path / 'objects'}"
    elif request.param == "minio":
        url = request.getfixturevalue("minio_server").url(new_bucket())
    elif request.param == "minio-4-drives":
        url = request.getfixturevalue("minio_set").url(new_bucket())
    else:
        url = request.getfixturevalue("minio_cluster").url(new_bucket())
    s = open_store(url)
    s.ensure_ready()
    yield s

"""Secrets of a service URL never reach a log line or a command's output."""

from __future__ import annotations

import pytest

from storage import redact_url


@pytest.mark.parametrize("url,shown", [
    ("postgresql+psycopg://app:pw@db:5432/bauakte?sslmode=require&password=x",
     "postgresql+psycopg://app:***@db:5432/bauakte?sslmode=require&password=***"),
    ("s3://key:secret@minio:9000/bucket?secure=false", "s3://key:***@minio:9000/bucket?secure=false"),
    ("smtps://user:p%40ss@mail.example:465", "smtps://user:***@mail.example:465"),
    ("sqlite:////srv/bauakte/bauakte.db", "sqlite:////srv/bauakte/bauakte.db"),
    ("smtp://mail:25?starttls=never&auth_token=t", "smtp://mail:25?starttls=never&auth_token=***"),
])  # fmt: skip
def test_passwords_are_masked_and_everything_else_kept(url: str, shown: str) -> None:
    assert redact_url(url) == shown

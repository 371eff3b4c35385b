"""An S3-compatible object store for tests: moto's server, in a thread of the test process.

The portal talks to it over HTTP exactly as it talks to MinIO or AWS in production (botocore,
through django-storages), so what works here works against a real store. Used by the root
conftest's `s3_bucket` fixture and by tests that start several processes (they pass
`environment()` to them).
"""

from __future__ import annotations

import socket
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import boto3
from botocore.config import Config

REGION = "us-east-1"
ACCESS_KEY = "testing"
SECRET_KEY = "testing"  # noqa: S105 — moto accepts any key; no real store is ever reached
PREFIX = "media"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server():
    """Start moto's S3 server on a free port; returns (server, endpoint URL)."""
    import logging

    from moto.server import ThreadedMotoServer

    # werkzeug logs every request at INFO: hundreds of lines around a failing test.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server, f"http://127.0.0.1:{port}"


def client(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(s3={"addressing_style": "path"}),
    )


def storage_settings(endpoint: str, bucket: str, *, attempts: int = 3) -> dict:
    """The STORAGES["default"] entry the settings make from MEDIA_S3_* for this bucket."""
    return {
        "BACKEND": "brukarkraft.storage.ObjectStorage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint,
            "region_name": REGION,
            "access_key": ACCESS_KEY,
            "secret_key": SECRET_KEY,
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": 300,
            "file_overwrite": False,
            "location": PREFIX,
            "max_memory_size": 0,
            "client_config": Config(
                connect_timeout=1,
                read_timeout=5,
                retries={"max_attempts": attempts, "mode": "standard"},
                s3={"addressing_style": "path"},
            ),
        },
    }


def environment(endpoint: str, bucket: str) -> dict[str, str]:
    """The MEDIA_S3_* variables for a process (gunicorn, a worker) using this bucket."""
    return {
        "MEDIA_S3_BUCKET": bucket,
        "MEDIA_S3_ENDPOINT_URL": endpoint,
        "MEDIA_S3_REGION": REGION,
        "MEDIA_S3_ACCESS_KEY_ID": ACCESS_KEY,
        "MEDIA_S3_SECRET_ACCESS_KEY": SECRET_KEY,
        "MEDIA_S3_PREFIX": PREFIX,
    }


@dataclass
class Bucket:
    """A bucket made for one test; `objects()` reads it directly, not through Django."""

    endpoint: str
    name: str = field(default_factory=lambda: f"test-{uuid.uuid4().hex[:20]}")
    media_root: Path | None = None

    @property
    def client(self):
        return client(self.endpoint)

    def create(self) -> Bucket:
        self.client.create_bucket(Bucket=self.name)
        return self

    def objects(self) -> dict[str, bytes]:
        """Every object in the bucket, by key (with the storage's prefix), and its bytes."""
        s3 = self.client
        found = {}
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=self.name):
            for item in page.get("Contents", []):
                found[item["Key"]] = s3.get_object(Bucket=self.name, Key=item["Key"])["Body"].read()
        return found

    def keys(self) -> set[str]:
        s3 = self.client
        return {
            item["Key"]
            for page in s3.get_paginator("list_objects_v2").paginate(Bucket=self.name)
            for item in page.get("Contents", [])
        }

    def is_public(self) -> bool:
        """Whether anyone could read an object without a signature."""
        grants = self.client.get_bucket_acl(Bucket=self.name)["Grants"]
        return any(
            grant["Grantee"].get("URI", "").endswith(("AllUsers", "AuthenticatedUsers"))
            for grant in grants
        )

    def local_files(self) -> list[Path]:
        """Files that landed on this machine's disk under MEDIA_ROOT (there must be none)."""
        if self.media_root is None or not self.media_root.exists():
            return []
        return [path for path in self.media_root.rglob("*") if path.is_file()]

    def remove(self) -> None:
        s3 = self.client
        for key in self.keys():
            s3.delete_object(Bucket=self.name, Key=key)
        s3.delete_bucket(Bucket=self.name)

"""A real S3 endpoint for the storage tests: moto's server on a free loopback port, a fresh bucket
per test, and the app's default storage switched to it through the same environment variables
production reads (qms.settings.env.default_storage_settings)."""

import logging
import uuid
from dataclasses import dataclass

import boto3
import pytest

from tests.post_reviews.conftest import accounts  # noqa: F401 (the import tests' social accounts)
from tests.servers import PrivateS3


@dataclass
class Bucket:
    name: str
    client: object
    server: PrivateS3

    def keys(self, prefix: str = "") -> list[str]:
        answer = self.client.list_objects_v2(Bucket=self.name, Prefix=prefix)
        return sorted(o["Key"] for o in answer.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def open_uploads(self) -> list[str]:
        return [u["Key"] for u in self.client.list_multipart_uploads(Bucket=self.name).get("Uploads", [])]


@pytest.fixture(scope="session")
def s3_server():
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's server logs every request
    server = PrivateS3().start()
    yield server
    server.stop()


@pytest.fixture
def s3_server_to_break():
    """A server of the test's own, for tests that stop it mid-way."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    server = PrivateS3().start()
    yield server
    server.stop()


def _use_bucket(server: PrivateS3, settings, monkeypatch, **env) -> Bucket:
    from qms.settings.env import default_storage_settings

    name = f"qms-test-{uuid.uuid4().hex[:12]}"
    variables = {
        "QMS_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": name,
        "AWS_S3_ENDPOINT_URL": server.endpoint,
        "AWS_ACCESS_KEY_ID": "test-key",
        "AWS_SECRET_ACCESS_KEY": "test-secret",
        "AWS_S3_REGION_NAME": "us-east-1",
        "AWS_S3_ADDRESSING_STYLE": "path",
        **env,
    }
    for key, value in variables.items():
        monkeypatch.setenv(key, value)
    settings.STORAGES = {**settings.STORAGES, "default": default_storage_settings()}
    client = boto3.client(
        "s3",
        endpoint_url=server.endpoint,
        region_name="us-east-1",
        aws_access_key_id="test-key",
        aws_secret_access_key="test-secret",
    )
    client.create_bucket(Bucket=name)
    return Bucket(name=name, client=client, server=server)


@pytest.fixture
def s3(s3_server, settings, monkeypatch) -> Bucket:
    return _use_bucket(s3_server, settings, monkeypatch)


@pytest.fixture
def s3_to_break(s3_server_to_break, settings, monkeypatch) -> Bucket:
    # One attempt per request: a stopped endpoint fails at once instead of after retries.
    return _use_bucket(s3_server_to_break, settings, monkeypatch, AWS_S3_MAX_ATTEMPTS="1", AWS_S3_CONNECT_TIMEOUT="2")

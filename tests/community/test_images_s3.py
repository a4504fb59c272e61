"""Pictures in an S3-compatible bucket (S3_BUCKET, docs/deploy.md): the
storage the settings switch to, run against a real S3 server of our own on
127.0.0.1 (moto's ThreadedMotoServer, a free port), not only read back
from the settings. An avatar uploaded through the page lands in the
bucket as re-encoded WebP files, the profile shows it from the bucket's
URL, the bucket serves it there, and removing it deletes the files."""

import json
import runpy
import urllib.error
import urllib.request
from pathlib import Path

import boto3
import pytest
from django.urls import reverse
from moto.server import ThreadedMotoServer

from community.images import AVATAR, image_url, rendition_name
from tests import pictures
from tests.factories import client_sign_in, member_create

pytestmark = pytest.mark.django_db

SETTINGS_FILE = Path(__file__).resolve().parents[2] / "config" / "settings.py"
BUCKET = "moim-media"
REGION = "ap-northeast-2"
PUBLIC_READ = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{BUCKET}/*",
        }
    ],
}


@pytest.fixture(scope="module")
def s3_endpoint():
    """A real S3 server on 127.0.0.1 for this module; its URL."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint, settings, monkeypatch):
    """An empty bucket, and the default storage as the settings build it
    from S3_BUCKET, S3_ENDPOINT_URL and S3_REGION; the keys from the
    environment, as boto3 reads them in a deployment."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "moim-test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "moim-test-secret")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION)
    client.create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    # docs/deploy.md: anyone may read the bucket's objects (pictures appear
    # on public pages); only the site's keys write and delete.
    client.put_bucket_policy(Bucket=BUCKET, Policy=json.dumps(PUBLIC_READ))
    with monkeypatch.context() as env:
        env.setenv("S3_BUCKET", BUCKET)
        env.setenv("S3_ENDPOINT_URL", s3_endpoint)
        env.setenv("S3_REGION", REGION)
        loaded = runpy.run_path(str(SETTINGS_FILE))
    assert loaded["STORAGES"]["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    # Django resets default_storage when STORAGES changes (setting_changed).
    settings.STORAGES = {**settings.STORAGES, "default": loaded["STORAGES"]["default"]}
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys_in(client) -> set[str]:
    listing = client.list_objects_v2(Bucket=BUCKET)
    return {item["Key"] for item in listing.get("Contents", [])}


def fetch(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Content-Type", ""), b""


def upload_avatar(client, member) -> None:
    client_sign_in(client, member)
    response = client.post(
        reverse("avatar_edit"),
        {"picture": pictures.upload(pictures.jpeg_with_gps(), "me.jpg", "image/jpeg")},
    )
    assert response.status_code == 302
    member.refresh_from_db()


def test_an_uploaded_avatar_lands_in_the_bucket_as_webp_renditions(client, bucket):
    member = member_create()

    upload_avatar(client, member)

    assert member.avatar.startswith("avatars/")
    expected = {rendition_name(member.avatar, width) for width in AVATAR.widths}
    assert keys_in(bucket) == expected
    for key in expected:
        body = bucket.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        assert body[:4] == b"RIFF"
        assert body[8:12] == b"WEBP"
        # Not the JPEG the member sent, nor its GPS position.
        assert b"Exif" not in body
        head = bucket.head_object(Bucket=BUCKET, Key=key)
        assert head["CacheControl"] == "public, max-age=31536000"


def test_the_profile_shows_the_avatar_from_the_bucket_which_serves_it(
    client, bucket, s3_endpoint
):
    member = member_create()
    upload_avatar(client, member)

    page = client.get(reverse("member_detail", args=[member.public_id]))

    html = page.content.decode()
    for width in AVATAR.widths:
        url = image_url(member.avatar, width)
        assert url.startswith(f"{s3_endpoint}/{BUCKET}/avatars/")
        assert url in html
        status, content_type, body = fetch(url)
        assert status == 200
        assert content_type == "image/webp"
        stored = bucket.get_object(
            Bucket=BUCKET, Key=rendition_name(member.avatar, width)
        )["Body"].read()
        assert body == stored


def test_removing_the_avatar_deletes_its_files_from_the_bucket(
    client, bucket, django_capture_on_commit_callbacks
):
    member = member_create()
    upload_avatar(client, member)
    url = image_url(member.avatar, AVATAR.widths[0])
    assert fetch(url)[0] == 200

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("avatar_edit"), {"remove": "on"})

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.avatar == ""
    assert keys_in(bucket) == set()
    assert fetch(url)[0] == 404


def test_a_replaced_avatar_leaves_only_the_new_files_in_the_bucket(
    client, bucket, django_capture_on_commit_callbacks
):
    member = member_create()
    upload_avatar(client, member)
    first = member.avatar

    with django_capture_on_commit_callbacks(execute=True):
        upload_avatar(client, member)

    assert member.avatar != first
    assert keys_in(bucket) == {
        rendition_name(member.avatar, width) for width in AVATAR.widths
    }

"""ObjectStore against a real S3 API (moto server on loopback)."""

from __future__ import annotations

import hashlib
import io
import json
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from shared.adapters.objectstore import (
    BucketNotFound,
    ListObjectsV2NotSupported,
    ObjectNotFound,
    ObjectStore,
    ObjectStoreSettings,
)
from shared.platform.config import Config
from tests.functional.adapters.objectstore.conftest import BUCKET
from tests.support import s3_guard

pytestmark = pytest.mark.functional

ROOT = Path(__file__).resolve().parents[4]
MiB = 1024 * 1024
HANGUL_KEY = "inbound/alpha-bank/2026-11-22 거래내역.csv"


class GeneratedStream(io.RawIOBase):
    """`size` deterministic pseudo-random bytes produced on read: uploads big objects without
    holding them in memory, and hashes what it produced."""

    def __init__(self, size: int, seed: int = 7) -> None:
        self.remaining = size
        self.random = random.Random(seed)
        self.sha256 = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = min(len(buffer), self.remaining)
        data = self.random.randbytes(n)
        buffer[:n] = data
        self.remaining -= n
        self.sha256.update(data)
        return n


def test_round_trip_with_metadata(store: ObjectStore) -> None:
    etag = store.put_bytes(
        BUCKET, "a/b.json", b'{"x": 1}', content_type="application/json", metadata={"tenant": "t1"}
    )
    assert store.get_bytes(BUCKET, "a/b.json") == b'{"x": 1}'
    info = store.head(BUCKET, "a/b.json")
    assert (info.size, info.etag, info.content_type) == (8, etag, "application/json")
    assert info.metadata == {"tenant": "t1"}
    assert info.last_modified is not None
    assert b"".join(store.iter_chunks(BUCKET, "a/b.json", chunk_size=3)) == b'{"x": 1}'
    store.delete(BUCKET, "a/b.json")
    assert not store.exists(BUCKET, "a/b.json")
    store.delete(BUCKET, "a/b.json")  # deleting a missing object is not an error


def test_keys_with_spaces_and_hangul(store: ObjectStore) -> None:
    keys = [HANGUL_KEY, "inbound/alpha-bank/a+b c%20d.csv", "inbound/alpha-bank/보고서/결과 1.json"]
    for i, key in enumerate(keys):
        store.put_bytes(BUCKET, key, f"row,{i}\n".encode())
    assert [o.key for o in store.list(BUCKET, "inbound/alpha-bank/")] == sorted(keys)
    assert store.head(BUCKET, HANGUL_KEY).size == len(b"row,0\n")

    store.copy(BUCKET, HANGUL_KEY, BUCKET, "archive/2026-11-22 거래내역 (사본).csv")
    assert store.get_bytes(BUCKET, "archive/2026-11-22 거래내역 (사본).csv") == b"row,0\n"

    with io.TextIOWrapper(store.open(BUCKET, HANGUL_KEY), encoding="utf-8") as text:
        assert text.read() == "row,0\n"


def test_list_paginates_with_v1_markers(store: ObjectStore) -> None:
    keys = sorted(f"inbound/t1/{name}" for name in ["a", "b", "c 가", "d", "e 나", "f", "g"])
    for key in keys:
        store.put_bytes(BUCKET, key, b"x")
    store.put_bytes(BUCKET, "outbound/other", b"x")

    calls: list[dict[str, Any]] = []
    pages: list[dict[str, Any]] = []

    def record_call(params: dict[str, Any], **_: Any) -> None:
        calls.append(dict(params))

    def record_page(parsed: dict[str, Any], **_: Any) -> None:
        pages.append(parsed)

    events = store.client.meta.events
    events.register("provide-client-params.s3.ListObjects", record_call, unique_id="t-call")
    events.register("after-call.s3.ListObjects", record_page, unique_id="t-page")
    try:
        listed = list(store.list(BUCKET, "inbound/", page_size=3))
    finally:
        events.unregister("provide-client-params.s3.ListObjects", unique_id="t-call")
        events.unregister("after-call.s3.ListObjects", unique_id="t-page")

    assert [o.key for o in listed] == keys
    assert all(o.size == 1 and o.etag for o in listed)
    # 7 keys in pages of 3: three ListObjects (v1) calls, each resuming at the previous page's
    # NextMarker or, when the server sends none (S3 without a delimiter), its last key.
    assert len(calls) == 3
    assert {c["MaxKeys"] for c in calls} == {3}
    assert "Marker" not in calls[0]
    for call, previous in zip(calls[1:], pages, strict=False):
        assert previous["IsTruncated"]
        assert call["Marker"] == previous.get("NextMarker", previous["Contents"][-1]["Key"])
    assert not pages[-1]["IsTruncated"]
    assert list(store.list(BUCKET, "nothing/")) == []


def test_list_objects_v2_is_refused_by_the_adapter(store: ObjectStore) -> None:
    with s3_guard.allow_list_objects_v2():
        with pytest.raises(ListObjectsV2NotSupported, match="ListObjects v1"):
            store.client.list_objects_v2(Bucket=BUCKET)
        with pytest.raises(ListObjectsV2NotSupported):
            list(store.client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET))


def test_guard_plugin_fails_any_list_objects_v2_call(s3_endpoint: str) -> None:
    assert s3_guard.is_active(), "tests.support.s3_guard must be registered in tests/conftest"
    plain = boto3.client("s3", endpoint_url=s3_endpoint, region_name="kr-standard")
    with pytest.raises(pytest.fail.Exception, match="ListObjectsV2"):
        plain.list_objects_v2(Bucket=BUCKET)


def test_missing_objects_and_buckets_raise_clear_errors(store: ObjectStore) -> None:
    with pytest.raises(ObjectNotFound, match=f"s3://{BUCKET}/no/such key.csv") as caught:
        store.head(BUCKET, "no/such key.csv")
    assert (caught.value.bucket, caught.value.key) == (BUCKET, "no/such key.csv")
    with pytest.raises(ObjectNotFound):
        store.get_bytes(BUCKET, "no/such key.csv")
    with pytest.raises(ObjectNotFound):
        store.iter_chunks(BUCKET, "no/such key.csv")  # raised at the call, before iterating
    with pytest.raises(BucketNotFound, match="no-such-bucket"):
        list(store.list("no-such-bucket"))
    with pytest.raises(ObjectNotFound):
        store.copy(BUCKET, "no/such key.csv", BUCKET, "copy.csv")


def test_ensure_buckets_is_idempotent(store: ObjectStore) -> None:
    assert not store.bucket_exists("swaprep-extra")
    assert store.ensure_buckets([BUCKET, "swaprep-extra"]) == ["swaprep-extra"]
    assert store.bucket_exists("swaprep-extra")
    assert store.ensure_buckets([BUCKET, "swaprep-extra"]) == []


def test_multipart_used_above_threshold_only(store: ObjectStore, tmp_path: Path) -> None:
    small = ObjectStore(store.settings, multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB)
    big = tmp_path / "big.bin"
    big.write_bytes(random.Random(1).randbytes(12 * MiB))
    small.upload_file(big, BUCKET, "multi/big.bin", content_type="application/octet-stream")
    info = small.head(BUCKET, "multi/big.bin")
    assert info.etag.endswith("-3"), info.etag  # 5 + 5 + 2 MiB parts
    assert info.size == 12 * MiB
    assert info.content_type == "application/octet-stream"

    small.upload_fileobj(io.BytesIO(b"y" * MiB), BUCKET, "multi/small.bin")
    assert "-" not in small.head(BUCKET, "multi/small.bin").etag


_STREAM_READER = """
import hashlib, json, sys, tracemalloc
from shared.adapters.objectstore import ObjectStore
store = ObjectStore(endpoint_url=sys.argv[1], region="kr-standard")
store.client  # the client's own setup is a one-off per process, not part of streaming
tracemalloc.start()
digest, size = hashlib.sha256(), 0
for chunk in store.iter_chunks(sys.argv[2], sys.argv[3], chunk_size=1024 * 1024):
    digest.update(chunk)
    size += len(chunk)
print(json.dumps({"peak": tracemalloc.get_traced_memory()[1], "size": size,
                  "sha256": digest.hexdigest()}))
"""


def test_streaming_a_64_mib_object_in_constant_memory(store: ObjectStore) -> None:
    size = 64 * MiB
    source = GeneratedStream(size)
    store_8 = ObjectStore(store.settings, multipart_threshold=8 * MiB, multipart_chunksize=8 * MiB)
    store_8.upload_fileobj(io.BufferedReader(source, 1 * MiB), BUCKET, "big/64mib.bin")
    assert store.head(BUCKET, "big/64mib.bin").etag.endswith("-8")

    # The download is measured in its own process: moto runs in this one and would be counted.
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            _STREAM_READER,
            store.settings.endpoint_url,
            BUCKET,
            "big/64mib.bin",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    measured = json.loads(result.stdout)
    assert measured["size"] == size
    assert measured["sha256"] == source.sha256.hexdigest()
    assert measured["peak"] < 8 * MiB, f"peak {measured['peak'] / MiB:.1f} MiB"


def test_presigned_put_then_get(store: ObjectStore) -> None:
    put_url = store.presign_put(BUCKET, HANGUL_KEY, expires_s=60, content_type="text/csv")
    uploaded = requests.put(
        put_url, data=b"uti,notional\nU1,100\n", headers={"Content-Type": "text/csv"}
    )
    assert uploaded.status_code == 200, uploaded.text
    assert store.head(BUCKET, HANGUL_KEY).content_type == "text/csv"

    get_url = store.presign_get(BUCKET, HANGUL_KEY, expires_s=60, filename="거래내역 1.csv")
    downloaded = requests.get(get_url)
    assert downloaded.status_code == 200
    assert downloaded.content == b"uti,notional\nU1,100\n"
    disposition = downloaded.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=UTF-8''%EA%B1%B0%EB%9E%98%EB%82%B4%EC%97%AD%201.csv" in disposition


def test_expired_presigned_url_is_refused(store: ObjectStore, s3_expiring_endpoint: str) -> None:
    store.put_bytes(BUCKET, "reports/r1.xml", b"<r/>")
    expiring = ObjectStore(store.settings, endpoint_url=s3_expiring_endpoint)
    # The signature's timestamp is truncated to the second, so a 1 s URL can be
    # dead before the first GET; 4 s leaves room on a loaded machine.
    signed_at = time.monotonic()
    url = expiring.presign_get(BUCKET, "reports/r1.xml", expires_s=4)
    assert requests.get(url).content == b"<r/>"
    time.sleep(max(0.0, signed_at + 5.1 - time.monotonic()))
    refused = requests.get(url)
    assert refused.status_code == 403
    assert "expired" in refused.text
    with pytest.raises(ValueError, match="expires_s"):
        store.presign_get(BUCKET, "reports/r1.xml", expires_s=8 * 24 * 3600)


def test_from_config_and_client_reuse(s3_clean: str) -> None:
    defaults = ObjectStoreSettings.from_config(Config({}, env={}))
    assert defaults.endpoint_url == "https://kr.object.ncloudstorage.com"
    assert defaults.region == "kr-standard"
    assert defaults.access_key_id is None  # boto3's credential chain decides

    config = Config(
        {"s3_endpoint_url": s3_clean, "S3_ACCESS_KEY_ID": "testing"},
        env={"S3_SECRET_ACCESS_KEY": "testing"},
    )
    store = ObjectStore.from_config(config)
    assert store.settings.access_key_id == "testing"
    assert store.settings.secret_access_key == "testing"
    assert "testing" not in repr(store.settings)
    store.ensure_buckets(["swaprep-config"])
    store.put_bytes("swaprep-config", "k", b"v")
    assert ObjectStore.from_config(config).get_bytes("swaprep-config", "k") == b"v"

    # One client per process and settings, reused across "activations".
    assert ObjectStore.from_config(config).client is store.client
    assert ObjectStore(store.settings, multipart_threshold=6 * MiB).client is store.client
    assert ObjectStore(store.settings, region="us-standard").client is not store.client


def test_importing_the_adapter_does_not_import_boto3() -> None:
    code = (
        "import sys\n"
        "from shared.adapters.objectstore import ObjectStore, ObjectNotFound\n"
        "ObjectStore()\n"
        "assert 'boto3' not in sys.modules and 'botocore' not in sys.modules, 'eager import'\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)


def test_ranged_reads_return_exactly_the_bytes_asked_for(store):
    data = bytes(range(256)) * 40
    store.put_bytes(BUCKET, "ranged.bin", data)
    assert b"".join(store.iter_chunks(BUCKET, "ranged.bin", 100, start=1000, end=3000)) == (
        data[1000:3000])
    assert b"".join(store.iter_chunks(BUCKET, "ranged.bin", start=10_000)) == data[10_000:]

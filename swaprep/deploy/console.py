"""The console as a deploy resource: the build in frontend/dist, published into the frontend
bucket (the CDN's origin) with the headers of `swaprep console-publish`, its index.html
carrying the digest of the release so a plan compares builds without downloading them.

Without a build (no frontend/dist/index.html) there is nothing to publish and the plan says
so; `./dev up` and `./dev test` build it. The Global Edge purge after a release is not done
here yet (docs/DEPLOY.md): index.html is served no-cache, so a new release is seen at the next
revalidation anyway.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from swaprep.deploy.desired import Resource
from swaprep.deploy.envfile import DeployEnv

RELEASE_METADATA = "swaprep-release"  # x-amz-meta-swaprep-release on index.html
DIST = Path("frontend/dist")


def release_digest(dist: Path) -> str:
    """sha256 over every file's path and content, in path order: equal builds, equal digest."""
    digest = hashlib.sha256()
    for path in sorted(p for p in dist.rglob("*") if p.is_file()):
        digest.update(path.relative_to(dist).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def console_resource(env: DeployEnv, root: Path) -> Resource | None:
    dist = root / DIST
    bucket = env.buckets.get("frontend")
    if bucket is None or not (dist / "index.html").is_file():
        return None
    return Resource("console", bucket, {"release_sha256": release_digest(dist)},
                    extra={"dist": dist})


@dataclass
class ConsoleApi:
    s3: Any
    bucket: str | None

    def read(self) -> list[Resource]:
        from botocore.exceptions import ClientError

        if self.bucket is None:
            return []
        try:
            head = self.s3.head_object(Bucket=self.bucket, Key="index.html")
        except ClientError as exc:
            if exc.response["Error"].get("Code") in ("404", "NoSuchKey", "NoSuchBucket"):
                return []
            raise
        release = (head.get("Metadata") or {}).get(RELEASE_METADATA)
        return [Resource("console", self.bucket, {"release_sha256": release})] if release else []

    def put(self, resource: Resource) -> None:
        from swaprep.commands.console_publish import scan_dist, upload_release
        from swaprep.console_release import plan_release

        dist = resource.extra["dist"]
        plan = plan_release(scan_dist(dist))
        upload_release(self.s3, resource.name, dist.resolve(), plan,
                       index_metadata={RELEASE_METADATA: resource.spec["release_sha256"]})
        # Objects of earlier releases stay: open browser tabs may still load their chunks.

    def delete(self, resource: Resource) -> None:
        """Destroy: take the console down (index.html first, so nothing half-gone is served)."""
        keys = [o["Key"] for page in self.s3.get_paginator("list_objects").paginate(
            Bucket=resource.name) for o in page.get("Contents", [])]
        for key in sorted(keys, key=lambda k: k != "index.html"):
            self.s3.delete_object(Bucket=resource.name, Key=key)

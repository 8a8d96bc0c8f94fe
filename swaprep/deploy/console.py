"""The console as a deploy resource: the build in frontend/dist, published into the frontend
bucket (the CDN's origin) with the headers of `swaprep console-publish`, its index.html
carrying the digest of the release so a plan compares builds without downloading them.

Without a build (no frontend/dist/index.html) there is nothing to publish and the plan says
so; `./dev up` and `./dev test` build it. After a release is in the bucket, the Global Edge
in front of it (`[console] edge_id`) is purged of the paths that changed under the same name
(`cdn.py`), so no edge keeps serving the previous index.html whatever its cache settings.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from swaprep.deploy.desired import Resource
from swaprep.deploy.envfile import DeployEnv

RELEASE_METADATA = "swaprep-release"  # x-amz-meta-swaprep-release on index.html
PURGED_METADATA = "swaprep-purged-edge"  # the edge purged after this release, once it was
DIST = Path("frontend/dist")


def release_digest(dist: Path) -> str:
    """sha256 over every file's path and content, in path order: equal builds, equal digest."""
    digest = hashlib.sha256()
    for path in sorted(p for p in dist.rglob("*") if p.is_file()):
        digest.update(path.relative_to(dist).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def console_resource(env: DeployEnv, root: Path) -> Resource | None:
    """The release, and the edge purged after it (`edge_id`: so a purge that failed after
    the upload is a pending change, done by the next apply)."""
    from swaprep.deploy.cdn import edge_id_of

    dist = root / DIST
    bucket = env.buckets.get("frontend")
    if bucket is None or not (dist / "index.html").is_file():
        return None
    return Resource("console", bucket, {"release_sha256": release_digest(dist),
                                        "edge_id": edge_id_of(env)}, extra={"dist": dist})


@dataclass
class ConsoleApi:
    s3: Any
    bucket: str | None
    edge: Any = None  # swaprep.deploy.cdn.EdgePurge, or None: no edge to purge
    log: Callable[[str], None] = print

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
        metadata = head.get("Metadata") or {}
        release, purged = metadata.get(RELEASE_METADATA), metadata.get(PURGED_METADATA)
        if not release:
            return []
        return [Resource("console", self.bucket, {
            "release_sha256": release, "edge_id": int(purged) if purged else None})]

    def put(self, resource: Resource) -> None:
        from swaprep.commands.console_publish import scan_dist, upload_release
        from swaprep.console_release import INDEX, plan_release

        dist = resource.extra["dist"]
        plan = plan_release(scan_dist(dist))
        metadata = {RELEASE_METADATA: resource.spec["release_sha256"]}
        upload_release(self.s3, resource.name, dist.resolve(), plan, index_metadata=metadata)
        # Objects of earlier releases stay: open browser tabs may still load their chunks.
        if self.edge is not None:
            from swaprep.deploy.cdn import purge_targets

            self.edge.purge(purge_targets(plan), self.log)
            # Only now is the purge recorded (index.html again, same bytes): a purge that
            # failed leaves the change pending, and the next apply publishes and purges again.
            index = replace(plan, objects=tuple(o for o in plan.objects if o.path == INDEX))
            upload_release(self.s3, resource.name, dist.resolve(), index, index_metadata={
                **metadata, PURGED_METADATA: str(self.edge.edge_id)})

    def delete(self, resource: Resource) -> None:
        """Destroy: take the console down (index.html first, so nothing half-gone is served)."""
        keys = [o["Key"] for page in self.s3.get_paginator("list_objects").paginate(
            Bucket=resource.name) for o in page.get("Contents", [])]
        for key in sorted(keys, key=lambda k: k != "index.html"):
            self.s3.delete_object(Bucket=resource.name, Key=key)

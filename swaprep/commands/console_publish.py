"""`swaprep console-publish`: put a console build (frontend/dist) into the frontend bucket, the
CDN's origin on NCP.

    swaprep console-publish --dry-run             # the plan only (no S3 needed without --prune)
    swaprep console-publish                       # into the running local stack's S3 API
    swaprep console-publish --endpoint-url https://kr.object.ncloudstorage.com \\
        --bucket swaprep-frontend --prune         # NCP

Each object gets its Content-Type and Cache-Control (hashed assets: a year, immutable;
index.html and the rest: no-cache), assets go up first and index.html last, and `--prune`
deletes what the build no longer has only once all of it is up (swaprep.console_release).
Against the local stack the stack's credentials are used; against any other endpoint the
`S3_ACCESS_KEY_ID` / `S3_SECRET_ACCESS_KEY` environment, else boto3's chain (AWS_* / profile).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from shared.platform.config import Config
from swaprep.console_release import (
    IMMUTABLE,
    INDEX,
    DistFile,
    MissingIndexError,
    ReleaseError,
    ReleasePlan,
    plan_release,
)
from swaprep.local import settings

if TYPE_CHECKING:
    from shared.adapters.objectstore import ObjectStore

BUILD_HINT = "build the console first: cd frontend && npm run build"


def scan_dist(dist: Path) -> list[DistFile]:
    """Every entry under `dist`, symlinks flagged (not followed) for the planner to refuse."""
    if not dist.is_dir():
        raise click.ClickException(f"{dist} is not a directory: {BUILD_HINT}")
    root = dist.resolve()
    found: list[DistFile] = []
    # followlinks=False: a symlinked directory is listed in dirnames but not entered.
    for dirpath, dirnames, filenames in os.walk(root):
        here = Path(dirpath)
        for name in sorted(dirnames + filenames):
            full = here / name
            rel = full.relative_to(root).as_posix()
            if full.is_symlink():
                found.append(DistFile(rel, 0, symlink=True))
            elif full.is_file():
                found.append(DistFile(rel, full.stat().st_size))
            elif not full.is_dir():
                raise click.ClickException(f"{dist / rel} is not a regular file")
    return found


def _stack_endpoints() -> dict[str, Any]:
    path = settings.endpoints_file()
    return json.loads(path.read_text()) if path.exists() else {}


def _resolve_target(endpoint_url: str | None, bucket: str | None) -> tuple[Config, str | None, str]:
    """(config for credentials and bucket, S3 endpoint or None, bucket). The local stack's
    package parameters apply only when talking to the local stack's own S3 API."""
    stack = _stack_endpoints()
    stack_s3 = str(stack.get("s3") or "").rstrip("/")
    endpoint = (endpoint_url or stack_s3).rstrip("/") or None
    on_stack = endpoint is not None and endpoint == stack_s3
    config = Config((stack.get("config") or {}) if on_stack else {})
    return config, endpoint, bucket or config.bucket("frontend")


def _open_store(config: Config, endpoint: str | None, bucket: str) -> ObjectStore:
    from shared.adapters.objectstore import ObjectStore, ObjectStoreError, ObjectStoreSettings

    if endpoint is None:
        raise click.ClickException(
            "no S3 API: pass --endpoint-url (NCP: https://kr.object.ncloudstorage.com) "
            "or start the local stack with `swaprep up`"
        )
    try:
        store = ObjectStore(ObjectStoreSettings.from_config(config), endpoint_url=endpoint)
        exists = store.bucket_exists(bucket)
    except (ValueError, ObjectStoreError) as exc:
        raise click.ClickException(f"{endpoint}: {exc}") from exc
    if not exists:
        raise click.ClickException(f"no bucket {bucket!r} at {endpoint}")
    return store


def _plan_table(plan: ReleasePlan) -> str:
    rows = [("#", "key", "bytes", "cache", "content-type")]
    for n, o in enumerate(plan.objects, 1):
        cache = "immutable" if o.immutable else o.cache_control
        rows.append((str(n), o.key, f"{o.size:,}", cache, o.content_type))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join(
        f"{n:>{widths[0]}}  {key:<{widths[1]}}  {size:>{widths[2]}}  {cache:<{widths[3]}}  {ct}"
        for n, key, size, cache, ct in rows
    )


def _summary(plan: ReleasePlan) -> str:
    hashed = sum(o.immutable for o in plan.objects)
    return (
        f"{len(plan.objects)} file(s), {plan.total_bytes:,} bytes: {hashed} hashed asset(s) "
        f"cached for a year ({IMMUTABLE}), {len(plan.objects) - hashed} revalidated on every "
        f"load (no-cache); {plan.prefix}{INDEX} goes up last"
    )


def upload_release(s3: Any, bucket: str, root: Path, plan: ReleasePlan,
                   index_metadata: dict[str, str] | None = None) -> None:
    """Carry the plan out with a boto3 S3 client: assets first, index.html last (with
    `index_metadata`, e.g. the release digest `swaprep deploy` compares)."""
    from botocore.exceptions import BotoCoreError, ClientError

    for obj in plan.objects:
        extra = {"Metadata": index_metadata} if index_metadata and obj.path == INDEX else {}
        try:
            with open(root / obj.path, "rb") as body:
                # The adapter's put has no Cache-Control; its client keeps NCP's limits.
                s3.put_object(
                    Bucket=bucket, Key=obj.key, Body=body,
                    ContentType=obj.content_type, CacheControl=obj.cache_control, **extra,
                )
        except (ClientError, BotoCoreError, OSError) as exc:
            live = "" if obj.path == INDEX else f"; the live {plan.prefix}{INDEX} is unchanged"
            raise click.ClickException(f"upload of {obj.key} failed: {exc}{live}") from exc


def _stale(store: ObjectStore, bucket: str, plan: ReleasePlan) -> list[str]:
    # ObjectStore.list is ListObjects v1 (NCP has no v2).
    return plan.stale_keys(summary.key for summary in store.list(bucket, plan.prefix))


@click.command(name="console-publish")
@click.option(
    "--dist",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("frontend/dist"),
    show_default=True,
    help="The console build (`npm run build` in frontend/).",
)
@click.option("--bucket", help="Default: bucket_frontend (the local stack's, else config).")
@click.option(
    "--endpoint-url", help="S3 API, e.g. https://kr.object.ncloudstorage.com (default: the "
    "local stack's)."
)
@click.option("--prefix", default="", help="Key prefix, e.g. console/ (default: bucket root).")
@click.option("--dry-run", is_flag=True, help="Print the plan; upload and delete nothing.")
@click.option(
    "--prune", is_flag=True,
    help="After the upload, delete objects under the prefix that the build no longer has. "
    "Browser tabs still on the previous release lose its lazy-loaded chunks.",
)
def command(
    dist: Path, bucket: str | None, endpoint_url: str | None, prefix: str, dry_run: bool,
    prune: bool,
) -> None:
    """Upload the console build to the frontend bucket with CDN-ready headers."""
    try:
        plan = plan_release(scan_dist(dist), prefix)
    except ReleaseError as exc:
        hint = f" ({BUILD_HINT})" if isinstance(exc, MissingIndexError) else ""
        raise click.ClickException(f"{dist}: {exc}{hint}") from exc
    config, endpoint, bucket = _resolve_target(endpoint_url, bucket)
    where = f"s3://{bucket}/{plan.prefix}"
    click.echo(f"{'Plan' if dry_run else 'Publishing'}: {dist} -> {where}"
               f" at {endpoint or '(no S3 API resolved)'}")
    click.echo(_plan_table(plan))
    click.echo(_summary(plan))

    from shared.adapters.objectstore import ObjectStoreError

    if dry_run:
        if prune:
            store = _open_store(config, endpoint, bucket)
            try:
                stale = _stale(store, bucket, plan)
            except ObjectStoreError as exc:
                raise click.ClickException(str(exc)) from exc
            click.echo(f"--prune would then delete {len(stale)} object(s)"
                       + "".join(f"\n  {key}" for key in stale))
        click.echo("dry run: nothing uploaded")
        return

    store = _open_store(config, endpoint, bucket)
    upload_release(store.client, bucket, dist.resolve(), plan)
    click.echo(f"uploaded {len(plan.objects)} object(s), {plan.total_bytes:,} bytes, to {where}")
    if not prune:
        return
    try:
        stale = _stale(store, bucket, plan)
        for key in stale:
            store.delete(bucket, key)
    except ObjectStoreError as exc:
        raise click.ClickException(f"prune failed (the new release is complete): {exc}") from exc
    click.echo(f"pruned {len(stale)} object(s) the build no longer has"
               + "".join(f"\n  {key}" for key in stale))

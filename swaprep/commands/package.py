"""`swaprep package [ACTION ...]`: build NCP Cloud Functions zips (see swaprep.packaging)."""

from __future__ import annotations

from pathlib import Path

import click

from swaprep.packaging import (
    ZIP_LIMIT_BYTES,
    ActionBuild,
    MiB,
    PackagingError,
    build_actions,
)


def _size(n: int) -> str:
    return f"{n / MiB:.1f} MiB"


def _table(builds: list[ActionBuild], limit: int) -> str:
    rows = [("action", "zip", "unpacked", "deps", "")]
    for b in builds:
        note = "OVER LIMIT" if b.exceeds(limit) else ("deps cached" if b.deps_from_cache else "")
        size, unpacked = _size(b.zip_size), _size(b.unpacked_size)
        rows.append((b.name, size, unpacked, str(len(b.dependencies)), note))
    w = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join(
        f"{a:<{w[0]}}  {z:>{w[1]}}  {u:>{w[2]}}  {d:>{w[3]}}  {note}".rstrip()
        for a, z, u, d, note in rows
    )


@click.command(name="package")
@click.argument("actions", nargs=-1)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("build/actions"),
    show_default=True,
    help="Where the <action>.zip files go.",
)
@click.option(
    "--functions-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("functions"),
    show_default=True,
    help="Holds one directory per action (with __main__.py and requirements.txt).",
)
@click.option(
    "--max-zip-bytes",
    type=click.IntRange(min=1),
    default=ZIP_LIMIT_BYTES,
    show_default=True,
    help="Fail when a zip is larger (NCP's code limit is 38 MB = 38 * 1024 * 1024 bytes).",
)
@click.option("--refresh", is_flag=True, help="Reinstall dependencies instead of using the cache.")
def command(
    actions: tuple[str, ...], out_dir: Path, functions_dir: Path, max_zip_bytes: int, refresh: bool
) -> None:
    """Build one NCP action zip per action: __main__.py, shared/ and a virtualenv/ holding only
    that action's dependencies (CPython 3.13 manylinux x86_64 wheels)."""
    try:
        builds = build_actions(
            actions,
            functions_dir=functions_dir,
            out_dir=out_dir,
            refresh=refresh,
            log=lambda message: click.echo(message, err=True),
        )
    except PackagingError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(_table(builds, max_zip_bytes))
    too_big = [b for b in builds if b.exceeds(max_zip_bytes)]
    if too_big:
        names = ", ".join(f"{b.name} ({b.zip_size} bytes)" for b in too_big)
        raise click.ClickException(
            f"zip over the size limit of {max_zip_bytes} bytes ({_size(max_zip_bytes)}): {names}. "
            "NCP rejects action code over 38 MB; trim that action's requirements.txt."
        )
    click.echo(f"{len(builds)} zip(s) in {out_dir}")

"""A throw-away checkout for `swaprep deploy` tests: small actions with no dependencies (their
zips build in a moment), buckets on the test S3 API, and the CLI run against it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import boto3
from click.testing import CliRunner

from swaprep.cli import main as cli


def write_actions(root: Path, actions: Mapping[str, str]) -> None:
    """functions/<name>/ with a one-line main, the given action.toml and no requirements."""
    for name, manifest in actions.items():
        folder = root / "functions" / name
        folder.mkdir(parents=True)
        (folder / "__main__.py").write_text(f"def main(args):\n    return {{'action': '{name}'}}\n")
        (folder / "action.toml").write_text(manifest)
        (folder / "requirements.txt").write_text("# nothing beyond the standard library\n")


def target(url: str, *, also: tuple[str, ...] = ()) -> str:
    """The [ncp] and [functions] sections of a test env aimed at the control plane at `url`
    (Cloud Functions, plus the APIs in `also`, e.g. "api_gateway_url", "edge_url"), its keys
    from T_NCP_ACCESS_KEY / T_NCP_SECRET_KEY, and a subnet in NCP's number shape."""
    urls = "".join(f'{name} = "{url}"\n' for name in ("cloud_functions_url", *also))
    return (f"[ncp]\n{urls}"
            'access_key = { env = "T_NCP_ACCESS_KEY" }\n'
            'secret_key = { env = "T_NCP_SECRET_KEY" }\n\n'
            '[functions]\npackage = "swaprep"\nvpc_no = "1001"\nsubnet_no = "2001"\n\n')


def write_env(root: Path, name: str, toml: str) -> None:
    (root / "deploy" / "envs").mkdir(parents=True, exist_ok=True)
    (root / "deploy" / "envs" / f"{name}.toml").write_text(toml)


def make_buckets(s3_endpoint: str, names: Iterable[str]):
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="kr-standard",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    for bucket in names:
        client.create_bucket(Bucket=bucket, CreateBucketConfiguration={
            "LocationConstraint": "kr-standard"})
    return client


def run_deploy(root: Path, env_name: str, *args: str,
               environ: Mapping[str, str]) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["deploy", *args, "--env", env_name, "--root", str(root)],
                                env=dict(environ), catch_exceptions=False)
    return result.exit_code, result.output

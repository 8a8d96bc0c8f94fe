"""Bucket settings the Terraform provider cannot make, set over the S3 API: the inbound
bucket's CORS rule for the console's uploads, and a lifecycle rule on every bucket that aborts
multipart uploads left incomplete (a killed FEP upload would otherwise be stored, and billed,
for ever). Nothing here expires an object: reports and inputs are records the firm must keep.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from swaprep.deploy.desired import Resource
from swaprep.deploy.envfile import DeployEnv

ABORT_INCOMPLETE_UPLOADS_DAYS = 7
LIFECYCLE_RULE_ID = "swaprep-abort-incomplete-uploads"


def console_origins(env: DeployEnv) -> list[str]:
    origins = env.console.get("origins") or env.parameters.get("cors_origins") or []
    if isinstance(origins, str):
        origins = origins.split(",")
    return sorted({str(o).strip().rstrip("/") for o in origins if str(o).strip()})


def bucket_resources(env: DeployEnv) -> list[Resource]:
    from swaprep.local.s3cors import console_upload_rule

    resources: list[Resource] = []
    origins = console_origins(env)
    if origins and "inbound" in env.buckets:
        resources.append(Resource("bucket_cors", env.buckets["inbound"],
                                  {"rules": [console_upload_rule(origins)]}))
    for logical in sorted(env.buckets):
        rule = {"ID": LIFECYCLE_RULE_ID, "Status": "Enabled", "Filter": {"Prefix": ""},
                "AbortIncompleteMultipartUpload": {
                    "DaysAfterInitiation": ABORT_INCOMPLETE_UPLOADS_DAYS}}
        resources.append(Resource("bucket_lifecycle", env.buckets[logical], {"rules": [rule]}))
    return resources


@dataclass
class BucketSettingsApi:
    """Reads and writes CORS and lifecycle configurations of the env's buckets."""

    s3: Any
    buckets: tuple[str, ...]

    @classmethod
    def for_env(cls, env: DeployEnv) -> BucketSettingsApi:
        import boto3
        from botocore.config import Config as BotoConfig

        parameters = env.parameters
        client = boto3.client(
            "s3", endpoint_url=parameters.get("s3_endpoint_url"),
            region_name=parameters.get("s3_region", "kr-standard"),
            aws_access_key_id=parameters.get("s3_access_key_id"),
            aws_secret_access_key=parameters.get("s3_secret_access_key"),
            config=BotoConfig(s3={"addressing_style": parameters.get("s3_addressing_style",
                                                                     "path")},
                              retries={"max_attempts": 5, "mode": "standard"}))
        return cls(client, tuple(sorted(set(env.buckets.values()))))

    def read(self) -> list[Resource]:
        from botocore.exceptions import ClientError

        found: list[Resource] = []
        for bucket in self.buckets:
            try:
                rules = self.s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
                found.append(Resource("bucket_cors", bucket, {"rules": _normal(rules)}))
            except ClientError as exc:
                if exc.response["Error"].get("Code") not in ("NoSuchCORSConfiguration",
                                                             "NoSuchBucket"):
                    raise
            try:
                rules = self.s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
                ours = [r for r in rules if r.get("ID") == LIFECYCLE_RULE_ID]
                if ours:
                    found.append(Resource("bucket_lifecycle", bucket, {"rules": _normal(ours)}))
            except ClientError as exc:
                if exc.response["Error"].get("Code") not in ("NoSuchLifecycleConfiguration",
                                                             "NoSuchBucket"):
                    raise
        return found

    def put(self, resource: Resource) -> None:
        if resource.kind == "bucket_cors":
            self.s3.put_bucket_cors(Bucket=resource.name,
                                    CORSConfiguration={"CORSRules": resource.spec["rules"]})
        else:
            others = self._other_lifecycle_rules(resource.name)
            self.s3.put_bucket_lifecycle_configuration(
                Bucket=resource.name,
                LifecycleConfiguration={"Rules": others + resource.spec["rules"]})

    def delete(self, resource: Resource) -> None:
        if resource.kind == "bucket_cors":
            self.s3.delete_bucket_cors(Bucket=resource.name)
            return
        others = self._other_lifecycle_rules(resource.name)
        if others:  # an operator's own rules stay
            self.s3.put_bucket_lifecycle_configuration(
                Bucket=resource.name, LifecycleConfiguration={"Rules": others})
        else:
            self.s3.delete_bucket_lifecycle(Bucket=resource.name)

    def _other_lifecycle_rules(self, bucket: str) -> list[dict[str, Any]]:
        from botocore.exceptions import ClientError

        try:
            rules = self.s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
        except ClientError:
            return []
        return [r for r in rules if r.get("ID") != LIFECYCLE_RULE_ID]


def _normal(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """S3's answer in the shape we send (lists sorted where order carries no meaning)."""
    normal = []
    for rule in rules:
        rule = {k: v for k, v in rule.items() if v not in (None, [], {})}
        for key in ("AllowedOrigins", "AllowedMethods", "AllowedHeaders", "ExposeHeaders"):
            if key in rule:
                rule[key] = list(rule[key])
        normal.append(rule)
    return normal

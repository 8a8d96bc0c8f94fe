"""Every behaviour of the NCP Cloud Functions v2 management API that NCP's public documents
leave open, as one named switch each, in ONE place.

The local control plane (`swaprep.ncp.controlplane`) obeys these switches and refuses the
other shape with a clear 400, so the deploy tool cannot silently depend on a guess. Once a
real deploy has settled a question, change the default here (and nothing else).

Sources read (2026-12): https://api.ncloud-docs.com/docs/en/compute-cloudfunctions and its
v2 pages (putaction, puttrigger, posttriggerlinkaction, deletetriggerlinkaction, getaction),
the older `/api/v2` copies of the same pages, and /work/shared/reference/ncp-platform.md §11.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Literal

VpcShape = Literal["array", "object"]


@dataclass(frozen=True)
class Switches:
    vpc_shape: VpcShape = "array"
    """Shape of an action's `vpc` field.

    Doc gap: the `/api/v2` Put Action page (v2.0) shows `"vpc": {"vpcNo", "subnetNo"}`, an
    object; the reference notes v2.1 as an array of `{vpcNo, subnetNo}`. The `/ncf/api/v2`
    pages are the v2.1 ones, so "array" is the default; "object" accepts only the v2.0 shape.
    """

    trigger_body_wrapped: bool = False
    """Whether a trigger PUT body is wrapped as `{"trigger": {description, parameters,
    cronOption, ...}}`.

    Doc gap: the `/api/v2` Put Trigger page (v2.0) wraps the fields in `trigger`; the
    `/ncf/api/v2` page lists `description`, `parameters`, `cronOption` at the top level
    ("if there are no fields, send {}"). Default: not wrapped.
    """

    object_storage_bucket_field: str = "bucketName"
    """Name of the bucket field in an `object_storage` trigger PUT body.

    Doc gap: not found in any public document; the console guide only shows a form (pick a
    bucket and its events). The default is a guess in NCP's camelCase style.
    """

    object_storage_events_field: str = "events"
    """Name of the bucket-events field (a list of event names such as `ObjectCreated:PUT`) in
    an `object_storage` trigger PUT body.

    Doc gap: as for the bucket field; `events` is what the GitHub trigger body uses.
    """

    exec_code_base64_zip: bool = True
    """Whether a binary action is sent as `exec.binary: true` with `exec.code` = the base64 of
    the zip (38 MB before encoding).

    Doc gap: v3 documents the base64 of the zip; v2's Get Action says `exec.code` is "the
    source code or the Base64-encoded code file", v2's Put Action does not say. When False,
    the control plane accepts inline source only (`exec.binary: false`) and refuses zips,
    which is what a deploy would have to live with if v2 turned out not to take them (it
    would then upload zips through v3).
    """

    shared_entity_namespace: bool = True
    """Whether packages, triggers and actions outside a package share one set of names.

    Doc gap: every Put page says a name "can't be duplicated with other resource (package,
    action, trigger) names" without saying whether an action inside a package counts.
    Default: OpenWhisk's rule (NCP runs OpenWhisk): packages, triggers and package-less
    (`-`) actions share the namespace; actions inside a package only clash within it.
    When False, names clash only within their own kind.
    """

    get_action_code_by_default: bool = False
    """Whether Get Action returns `exec.code` when the request has no `code` query.

    Doc gap: v2's Get Action lists `content.exec.code` in the answer and documents no query
    to leave it out; OpenWhisk includes the code unless asked `?code=false`. Default False
    keeps answers small (a zip can be 50 MB in base64); `?code=true` / `?code=false` are
    honoured either way.
    """

    omitted_type_means_basic: bool = True
    """What an action PUT without `?type=` means for an existing action.

    Doc gap: v2 documents `type` as optional with default `basic` and "can't be changed to
    another type", not whether an update without it keeps the stored type. Default True (the
    literal reading): an update of a web action without `?type=web` is a refused type change,
    so the deploy tool must always send the type. False: an omitted type keeps the stored one.
    """

    link_action_accepts_path: bool = True
    """Whether link-action (and its DELETE) accept `"action": "<package>/<action>"` with
    `"package": "-"`.

    Doc gap: the field table says `action` is the action's name and `package` its package
    (default `-`), but the v2 example sends `{"action": "hsh/act-01", "package": "-"}`.
    Default True accepts both forms; False accepts the name form only.
    """

    def describe(self) -> dict[str, object]:
        """The switches and their values, for logs and answers."""
        return {field.name: getattr(self, field.name) for field in fields(self)}


DEFAULT_SWITCHES = Switches()

"""Every behaviour of the NCP management APIs that NCP's public documents leave open, as one
named switch each, in ONE place: `Switches` for Cloud Functions v2, `GatewaySwitches` for
API Gateway v1.

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

    invoke_result_nested: bool = True
    """Where a blocking Post Action (`POST /packages/{p}/actions/{a}?timeout=ms`) answer
    carries what the action returned.

    Doc gap: v2's Post Action page lists `content.activationId`, `content.duration`,
    `content.start` and `content.end` and cuts off before the result. True: OpenWhisk's
    activation record, `content.response.result` with `content.response.success` and
    `status`; False: `content.result` beside the timings. The deploy tool reads either.
    """

    def describe(self) -> dict[str, object]:
        """The switches and their values, for logs and answers."""
        return {field.name: getattr(self, field.name) for field in fields(self)}


DEFAULT_SWITCHES = Switches()


ActionReference = Literal["path", "qualified"]
UnknownFields = Literal["refuse", "ignore"]


@dataclass(frozen=True)
class GatewaySwitches:
    """Every behaviour of the NCP API Gateway v1 management API that NCP's OpenAPI description
    (`reference/ncp-api/apigw_v1.json`, vendored as `swaprep/ncp/apigw_v1.json`) and its API
    pages leave open. The local gateway stand-in (`swaprep.ncp.gateway`) obeys them and refuses
    the other reading with a 400 that names the switch.

    Sources read (2026-12): apigw_v1.json, https://api.ncloud-docs.com/docs/en/
    ai-application-service-apigateway (common headers and status codes), the API Gateway and
    Cloud Functions API Gateway trigger guides, reference/ncp-platform.md sections 3, 6, 11.
    """

    ncp_endpoint_service: str = "CLOUD_FUNCTIONS"
    """The `ncpEndPoint.service` value that names Cloud Functions as a method's backend.

    Doc gap: NcpEndPoint.service is a free string in apigw_v1.json (no enum, no example) and
    no API page gives the value for Cloud Functions ("not found" in ncp-platform.md section
    11). Default: the spelling the spec uses for the same backend elsewhere (authorizerType
    CLOUD_FUNCTIONS). A method with another service is refused.
    """

    action_reference: ActionReference = "path"
    """How `ncpEndPoint.actionName`/`actionId` and an authorizer's
    `authorizerConfig.functionId` name a Cloud Functions action.

    Doc gap: the spec types them as plain strings. "path": `<package>/<action>` (an action
    outside any package: its bare name or `-/<action>`), the form Cloud Functions' own
    link-action example uses; "qualified": OpenWhisk's fully qualified
    `/<namespace>/<package>/<action>` (`/<namespace>/<action>` outside a package). The local
    namespace is `local`. Either way the action must exist in this control plane's Cloud
    Functions registry (same platform, vpc by default).
    """

    endpoint_action_id_is_name: bool = True
    """Whether `ncpEndPoint.actionId` must name the same action as `actionName` (in the
    `action_reference` form).

    Doc gap: NcpEndPoint requires both actionId and actionName, and Cloud Functions v2
    answers no action id to put in actionId. True: both name the action (checked to agree);
    False: actionId is an opaque id the stand-in stores but does not check.
    """

    endpoint_url_template: str = ""
    """What `ncpEndPoint.url` (required; the spec's pattern is an http(s) URL) must be for a
    Cloud Functions backend.

    Doc gap: no document says which URL goes there for an action. "" (default): any URL the
    spec's pattern accepts. Otherwise a template with `{region}`, `{package}`, `{action}`
    placeholders that the URL must equal once filled in.
    """

    functions_region: str = "KR"
    """The region the local Cloud Functions registry stands for: `ncpEndPoint.region` and
    `authorizerConfig.region` must name it.

    Doc gap: NcpEndPoint.region is an enum (KR, JPN, USWN, DEN, SGN, HK) but
    AuthorizerConfigDto.region is a free string with no documented values; the stand-in
    reads both with the enum's spelling.
    """

    proxy_path_parameter: bool = True
    """Whether a resource path may end in a greedy `{name+}` segment (e.g. `/api/{proxy+}`).

    Doc gap: the spec's resourcePath pattern admits `{name+}` and the Cloud Functions API
    Gateway trigger guide says a `{type+}` resource passes the whole sub-path to the action,
    but nothing says where in a path it may stand. True: allowed as the last segment only
    (it matches one or more segments); False: refused, so only `{name}` (one segment).
    """

    create_parent_resources: bool = True
    """What creating `/api/{proxy+}` does when `/api` does not exist.

    Doc gap: POST .../resources takes a whole resourcePath, while the console shows resources
    as a tree. True: missing ancestors are created too (without methods), as the tree
    shows them; False: refused until the parent exists. A deploy that lists resources by
    path before it creates any works either way.
    """

    duplicate_name_status: int = 409
    """The status of a create (or rename) whose name is taken in its scope (product name;
    API name within a product; stage name within an API; resource path within an API;
    method within a resource; authorizer, usage plan and API key names).

    Doc gap: creates are POST, and neither the spec (which documents only the success
    answers) nor the API pages publish an error code for a duplicate name. 409 (default) or
    400; the error code is the local 77012 NAME_ALREADY_USED either way.
    """

    unknown_fields: UnknownFields = "refuse"
    """What a request body field the operation's schema does not list gets.

    Doc gap: the schemas leave `additionalProperties` open; NCP's service (Spring) most
    likely ignores such fields. "refuse" (default) answers 400 naming the field, so a
    misspelled field in the deploy tool fails here rather than silently on NCP; "ignore"
    drops it like NCP presumably does.
    """

    list_name_filter_exact: bool = False
    """How the name filters of the list operations match (`productName`, `apiName`, `name`
    of authorizers, `apiKeyName`, `usagePlanName`).

    Doc gap: the spec lists the query parameters without saying whether they match the
    whole name or a part. False (default): a case-insensitive part of the name, the looser
    reading, so a deploy tool must compare the names it gets back itself; True: the whole
    name.
    """

    delete_cascades: bool = False
    """Whether deleting a container deletes what it holds (a product its APIs; an API its
    resources, methods and stages; a resource its methods and sub-resources; a stage its
    usage-plan associations).

    Doc gap: every DELETE documents only `204 No Content`. False (default): refused with
    409 RESOURCE_IN_USE naming what is still inside, the stricter reading (a destroy that
    deletes in reverse order works either way). References are refused regardless: an
    authorizer used by a method, a usage plan associated with a stage or assigned to an
    API key, an API key subscribed to a product.
    """

    create_stage_deploys: bool = False
    """Whether creating a stage also deploys the API's current resources and methods to it.

    Doc gap: PostStageRequest carries a `deploymentDescription`, which hints that creating a
    stage deploys, but nothing says so and a separate deploy operation exists. False
    (default): a new stage serves nothing until POST .../apis/{api-id}/deploy `{stageId}`,
    so a deploy tool that forgets to deploy is caught here; True: creating deploys too.
    """

    protected_subscription_needs_approval: bool = True
    """Whether an API key's subscription to a PROTECTED product starts as REQUEST, waiting
    for `PATCH /products/{product-id}/api-keys/{api-key-id}` `{"status": "ACCEPTED"}`.

    Doc gap: the spec has the statuses (REQUEST, ACCEPTED, REJECTED, ...) and the approval
    operation but not the rule. True (default): PROTECTED needs approval, PUBLIC is
    ACCEPTED at once; False: both are ACCEPTED at once.
    """

    def __post_init__(self) -> None:
        if self.duplicate_name_status not in (400, 409):
            raise ValueError("duplicate_name_status must be 400 or 409")
        if self.action_reference not in ("path", "qualified"):
            raise ValueError("action_reference must be 'path' or 'qualified'")
        if self.unknown_fields not in ("refuse", "ignore"):
            raise ValueError("unknown_fields must be 'refuse' or 'ignore'")
        if self.endpoint_url_template:
            try:
                self.endpoint_url_template.format(region="KR", package="p", action="a")
            except (KeyError, IndexError, ValueError) as exc:
                raise ValueError("endpoint_url_template may use only {region}, {package} "
                                 f"and {{action}}: {exc}") from None

    def describe(self) -> dict[str, object]:
        """The switches and their values, for logs and answers."""
        return {field.name: getattr(self, field.name) for field in fields(self)}


DEFAULT_GATEWAY_SWITCHES = GatewaySwitches()

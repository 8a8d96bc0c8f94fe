"""Authorizer: a bearer JWT or an FEP's API key -> allow with the caller as `context`, or 401.

The gateway runs it before the api action (swaprep/local/gateway.py; on NCP, an API Gateway
authorizer of type CLOUD_FUNCTIONS). It gets the request as a raw-http web action does; NCP
forwards only the headers registered as the authorizer's payload, possibly as plain
parameters, so those are read too. Allowed: `{"statusCode": 200, "context": principal}`.
Refused: a 401 problem+json with `WWW-Authenticate`, and an `auth.failed` audit row.
"""

from shared.platform.action import ActionContext, action

_FORWARDED = ("authorization", "x-api-key")  # the payload registered with NCP API Gateway


@action("authorizer")
def main(args: dict, ctx: ActionContext) -> dict:
    from shared.platform.logging import log_context
    from shared.platform.web import WebRequest

    request = WebRequest.from_args(args)
    with log_context(request_id=request.request_id):
        return _decide(args, request, ctx)


def _decide(args: dict, request, ctx: ActionContext) -> dict:
    from shared.platform import tokens
    from shared.platform.web import HttpError, problem
    from shared.services import bootstrap
    from shared.services.identity import apikeys

    headers = dict(request.headers)
    for name, value in args.items():  # NCP's payload: headers passed as named parameters
        if str(name).lower() in _FORWARDED and isinstance(value, str):
            headers.setdefault(str(name).lower(), value)
    if apikeys.is_public(request.method, request.path):
        return {"statusCode": 200, "context": {"kind": "anonymous"}}
    db = bootstrap.database(ctx.config)
    result = apikeys.authenticate(db, headers,
                                  verify_token=tokens.verifier_from_config(ctx.config))
    if isinstance(result, apikeys.Principal):
        return {"statusCode": 200, "context": result.as_context()}
    apikeys.record_failure(db, result, method=request.method, path=request.path,
                           request_id=request.request_id,
                           remote=headers.get("x-forwarded-for"))
    return problem(HttpError(401, "Unauthorized", result.detail,
                             headers={"WWW-Authenticate": result.challenge()}),
                   request.request_id, request.path)

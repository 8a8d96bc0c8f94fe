"""Request bodies: JSON into the route's pydantic model, or a 422 naming every bad field."""

from typing import Any

from shared.platform.jsontext import first_bad_text
from shared.platform.web import HttpError, WebRequest


def parse_body(request: WebRequest, model: Any, *, optional: bool = False) -> Any:
    """The JSON body as `model`, or a 422 naming every bad field (values never echoed: they may
    be passwords)."""
    from pydantic import ValidationError

    body = request.json() if request.body or not optional else None
    if body is None and optional:
        body = {}  # no body at all: every field's default
    bad = first_bad_text(body)
    if bad is not None:  # text PostgreSQL cannot store: refused here, by name, not as a 500
        field, reason = bad
        raise HttpError(422, "Invalid request body", f"{field or 'body'}: {reason}",
                        extra={"errors": [{"field": field or None, "message": reason}]})
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        errors = [{"field": ".".join(str(p) for p in e["loc"]) or None, "message": e["msg"]}
                  for e in exc.errors(include_input=False, include_url=False)]
        raise HttpError(422, "Invalid request body", "; ".join(
            f"{e['field'] or 'body'}: {e['message']}" for e in errors),
            extra={"errors": errors}) from exc

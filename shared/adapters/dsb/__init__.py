"""The ANNA DSB's UPI service over HTTPS (docs/UPI.md), configured from an activation's
settings; `dsb_from_config` returns None when no `dsb_url` is set (no UPI lookups).

Settings (each a documented switch: the DSB's REST paths, JSON field names, auth header and
error codes are not in any reference we have, so our assumed default is only a default):

    dsb_url                  base URL; unset: no DSB (the pipeline leaves SR-ID-009 to say so)
    dsb_api_key              secret; sent as `<dsb_auth_header>: <dsb_auth_scheme> <key>`
    dsb_user_type            registered | infrequent | standard | search_only_api | power
    dsb_auth_header          default "Authorization"
    dsb_auth_scheme          default "Bearer" ("none" sends the key alone)
    dsb_search_path          default "/upi/v1/search"            (POST, attributes)
    dsb_create_path          default "/upi/v1/create"            (POST, attributes)
    dsb_lookup_path          default "/upi/v1/records/{upi}"     (GET)
    dsb_records_field        default "records"   (the search answer's list)
    dsb_code_field           default "upi"       (a record's code)
    dsb_attributes_field     default "attributes"
    dsb_field_map            JSON {our attribute name: DSB field name}; default: the same names
    dsb_refused_statuses     default "400,403,409,422,429": a refusal, not an outage
    dsb_timeout_s            default 10
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from shared.adapters.dsb.base import DsbError, DsbRefused, DsbUnauthorized, DsbUnreachable

if TYPE_CHECKING:
    from shared.adapters.dsb.http import HttpDsb
    from shared.platform.config import Config

__all__ = ["DsbError", "DsbRefused", "DsbUnauthorized", "DsbUnreachable", "dsb_from_config"]


def dsb_from_config(config: Config) -> HttpDsb | None:
    from shared.adapters.dsb.http import ApiShape, HttpDsb

    url = config.get("dsb_url")
    if not url:
        return None
    shape = ApiShape()
    overrides = {name: config.get(f"dsb_{name}") for name in ApiShape.SWITCHES}
    mapping = config.get("dsb_field_map")
    field_map = json.loads(mapping) if isinstance(mapping, str) and mapping else mapping
    shape = shape.with_overrides({k: v for k, v in overrides.items() if v is not None},
                                 field_map or None)
    return HttpDsb(str(url), str(config.get("dsb_api_key") or ""),
                   user_type=str(config.get("dsb_user_type") or "registered"), shape=shape,
                   timeout_s=config.number("dsb_timeout_s", 10.0, minimum=0.1))

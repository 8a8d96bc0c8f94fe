"""The simulated ANNA DSB: UPI search, creation, lookup and the end-of-day file on 127.0.0.1.

    sim = DsbSimulator(api_keys={"k-free": "registered", "k-power": "power"}, clock=clock)
    with sim:
        HttpDsb(sim.url, "k-power", user_type="power").create(attributes)

What it does is what the DSB documents (anna-dsb.com "UPI user types" and its fee table;
docs/UPI.md has the sources): the user type of the API key decides the records per search
(5 / 50 / 500), whether it may create (not Registered, not Search Only API) and how many
(12 or 600 per invoicing period, 6,000 a week); a new UPI is seen at once by fee-paying
users but by a free (Registered) user only from T+1 23:55 UTC, when its end-of-day file
reaches them too (fee-paying users: from 00:00 UTC after the day). The clock is injectable.

What the DSB's documentation available to us does not say (paths, JSON field names, the auth
header, error codes and statuses, what creating an existing product answers, the invoicing
period) is a `Switches` field, with the same defaults as the adapter's `ApiShape`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import unquote, urlsplit

from shared.domain.upi import ProductAttributes, UserType, user_type
from swaprep.local.httpd import BodyTooLarge, LoopbackServer, QuietHandler

MAX_BODY_BYTES = 64 * 1024
FREE_VISIBLE_AT = time(23, 55)  # T+1 23:55 UTC for non fee-paying users


@dataclass
class Switches:
    """Behaviours our references do not document: each named, with our assumed default."""

    auth_header: str = "Authorization"
    auth_scheme: str = "Bearer"
    search_path: str = "/upi/v1/search"
    create_path: str = "/upi/v1/create"
    lookup_path: str = "/upi/v1/records/"  # + the UPI
    eod_path: str = "/upi/v1/eod/"  # + yyyy-mm-dd
    records_field: str = "records"
    code_field: str = "upi"
    attributes_field: str = "attributes"
    create_refused_status: int = 403  # the user type may not create
    cap_reached_status: int = 429
    invalid_status: int = 422
    # creating a product that has a UPI: "return" it (200) or "conflict" (409)
    create_existing: str = "return"
    invoicing_period: str = "year"  # the caps "per invoicing period": a calendar year
    # the real DSB offers the API to Search Only API and Power users only; off, the GUI user
    # types' limits can be exercised over HTTP too
    api_user_types_only: bool = False


@dataclass
class Record:
    code: str
    attributes: dict[str, str]
    created_at: datetime
    created_by: str  # the API key's user type


@dataclass
class _State:
    records: dict[str, Record] = field(default_factory=dict)  # by code
    by_key: dict[str, str] = field(default_factory=dict)  # attribute hash -> code
    created: dict[tuple[str, str], int] = field(default_factory=dict)  # (api key, period)
    requests: int = 0


class DsbSimulator:
    def __init__(self, *, api_keys: Mapping[str, str], clock: Callable[[], datetime] | None = None,
                 port: int = 0, switches: Switches | None = None) -> None:
        self._keys: dict[str, UserType] = {k: user_type(t) for k, t in api_keys.items()}
        self.clock = clock or (lambda: datetime.now(UTC))
        self.switches = switches or Switches()
        self._port = port
        self._lock = threading.RLock()
        self.state = _State()
        self._server: LoopbackServer | None = None

    # -- life cycle ------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    @property
    def requests(self) -> int:
        return self.state.requests

    def start(self) -> DsbSimulator:
        self._server = LoopbackServer(self._port, _Handler, sim=self).start("dsbsim")
        self._port = self._server.port
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def __enter__(self) -> DsbSimulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- the DSB's behaviour (the handler calls these; tests may too) ------------------------------

    def seed(self, attributes: dict[str, str], *, created_at: datetime) -> str:
        """A UPI the DSB already has (created by someone else at `created_at`)."""
        with self._lock:
            return self._add(ProductAttributes.from_dict(dict(attributes)), created_at,
                             "seed").code

    def use_creations(self, api_key: str, count: int) -> None:
        """As if `api_key` had created `count` UPIs in the current period (tests of the cap)."""
        kind = self._keys[api_key]
        with self._lock:
            self.state.created[(api_key, self._period(self.clock(), kind))] = count

    def visible(self, record: Record, kind: UserType, now: datetime) -> bool:
        if not kind.free:
            return True
        return now >= _at(record.created_at.date() + timedelta(days=1), FREE_VISIBLE_AT)

    def search(self, kind: UserType, wanted: dict[str, str]) -> tuple[list[Record], int]:
        now = self.clock()
        with self._lock:
            found = [r for r in self.state.records.values()
                     if all(r.attributes.get(k) == v for k, v in wanted.items())
                     and self.visible(r, kind, now)]
        found.sort(key=lambda r: r.code)
        return found[:kind.max_records], len(found)

    def create(self, key: str, kind: UserType, product: ProductAttributes
               ) -> tuple[int, dict[str, Any]]:
        s = self.switches
        if not kind.can_create:
            return s.create_refused_status, {
                "code": "DSB-UPI-CREATE-NOT-ALLOWED",
                "message": f"user type {kind.name} may not create UPIs"}
        now = self.clock()
        period = self._period(now, kind)
        with self._lock:
            existing = self.state.by_key.get(product.key)
            if existing is not None:
                if s.create_existing == "conflict":
                    return 409, {"code": "DSB-UPI-EXISTS", "message": f"UPI {existing} exists"}
                return 200, self._json(self.state.records[existing])
            used = self.state.created.get((key, period), 0)
            if used >= kind.create_cap:
                return s.cap_reached_status, {
                    "code": "DSB-UPI-CAP-REACHED",
                    "message": f"user type {kind.name} may create {kind.create_cap} UPIs per "
                               f"{kind.cap_period}; {used} created in {period}"}
            self.state.created[(key, period)] = used + 1
            return 201, self._json(self._add(product, now, kind.name))

    def lookup(self, kind: UserType, code: str) -> Record | None:
        record = self.state.records.get(code)
        return record if record is not None and self.visible(record, kind, self.clock()) \
            else None

    def eod_file(self, kind: UserType, day: date) -> dict[str, Any] | None:
        """The UPIs created on `day`, once the user type may have the file; else None."""
        ready = _at(day + timedelta(days=1), FREE_VISIBLE_AT if kind.free else time(0, 0))
        if self.clock() < ready:
            return None
        with self._lock:
            records = [self._json(r) for r in sorted(self.state.records.values(),
                                                     key=lambda r: r.code)
                       if r.created_at.astimezone(UTC).date() == day]
        return {"date": day.isoformat(), self.switches.records_field: records}

    # -- internals --------------------------------------------------------------------------------

    def _period(self, now: datetime, kind: UserType) -> str:
        if kind.cap_period == "week":
            year, week, _ = now.isocalendar()
            return f"{year}-W{week:02d}"
        return str(now.year) if self.switches.invoicing_period == "year" else now.strftime("%Y-%m")

    def _add(self, product: ProductAttributes, at: datetime, by: str) -> Record:
        digest = hashlib.sha256(f"{product.key}:{len(self.state.records)}".encode()).digest()
        # 10 characters A-Z 2-7 after "QZ": the ISO 4914 shape (the check character of the
        # real code is not reproduced: no published algorithm we could verify)
        code = "QZ" + base64.b32encode(digest).decode()[:10]
        record = Record(code, product.as_dict(), at, by)
        self.state.records[code] = record
        self.state.by_key[product.key] = code
        return record

    def _json(self, record: Record) -> dict[str, Any]:
        s = self.switches
        return {s.code_field: record.code, s.attributes_field: record.attributes,
                "created_at": record.created_at.astimezone(UTC).isoformat()}

    def user_of(self, headers: Any) -> tuple[str, UserType] | None:
        value = headers.get(self.switches.auth_header) or ""
        scheme = self.switches.auth_scheme
        if scheme and value.startswith(scheme + " "):
            value = value[len(scheme) + 1:]
        kind = self._keys.get(value)
        return (value, kind) if kind is not None else None


def _at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, UTC)


class _Handler(QuietHandler):
    server: LoopbackServer

    @property
    def sim(self) -> DsbSimulator:
        sim: DsbSimulator = self.server.context["sim"]
        return sim

    def _user(self) -> tuple[str, UserType] | None:
        with self.sim._lock:
            self.sim.state.requests += 1
        user = self.sim.user_of(self.headers)
        if user is None:
            self.send_json(401, {"code": "DSB-AUTH-401", "message": "unknown or missing API key"})
            return None
        if self.sim.switches.api_user_types_only and not user[1].api:
            self.send_json(403, {"code": "DSB-API-NOT-ALLOWED",
                                 "message": f"user type {user[1].name} has no API access"})
            return None
        return user

    def do_GET(self) -> None:
        user = self._user()
        if user is None:
            return
        s, path = self.sim.switches, unquote(urlsplit(self.path).path)
        if path.startswith(s.lookup_path):
            record = self.sim.lookup(user[1], path[len(s.lookup_path):])
            if record is None:
                self.send_json(404, {"code": "DSB-UPI-NOT-FOUND", "message": "no such UPI"})
            else:
                self.send_json(200, self.sim._json(record))
            return
        if path.startswith(s.eod_path):
            try:
                day = date.fromisoformat(path[len(s.eod_path):])
            except ValueError:
                self.send_json(400, {"code": "DSB-EOD-DATE", "message": "give yyyy-mm-dd"})
                return
            found = self.sim.eod_file(user[1], day)
            if found is None:
                self.send_json(404, {"code": "DSB-EOD-NOT-YET",
                                     "message": f"the EOD file of {day} is not available yet"})
            else:
                self.send_json(200, found)
            return
        self.send_json(404, {"code": "DSB-NOT-FOUND", "message": "no such path"})

    def do_POST(self) -> None:
        user = self._user()
        if user is None:
            return
        s, path = self.sim.switches, urlsplit(self.path).path
        try:
            body = self.read_body(MAX_BODY_BYTES)
            data = json.loads(body or b"{}")
            attributes = data.get(s.attributes_field) if isinstance(data, dict) else None
            if not isinstance(attributes, dict):
                raise ValueError(f"the body must be a JSON object with {s.attributes_field!r}")
        except BodyTooLarge:
            self.send_json(413, {"code": "DSB-TOO-LARGE", "message": "request too large"})
            return
        except ValueError as exc:
            self.send_json(400, {"code": "DSB-BAD-REQUEST", "message": str(exc)[:300]})
            return
        wanted = {str(k): str(v) for k, v in attributes.items()}
        if path == s.search_path:
            records, total = self.sim.search(user[1], wanted)
            self.send_json(200, {s.records_field: [self.sim._json(r) for r in records],
                                 "total": total})
        elif path == s.create_path:
            try:
                product = ProductAttributes.from_dict(dict(wanted))
            except ValueError as exc:
                self.send_json(s.invalid_status, {"code": "DSB-UPI-INVALID",
                                                  "message": str(exc)[:300]})
                return
            status, answer = self.sim.create(user[0], user[1], product)
            self.send_json(status, answer)
        else:
            self.send_json(404, {"code": "DSB-NOT-FOUND", "message": "no such path"})

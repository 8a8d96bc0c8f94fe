import { render, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App } from "../App";
import { ApiContext } from "../api/context";
import { REFRESH_KEY } from "../api/client";
import { fieldLabel, mainFields } from "../components/trade/fields";
import { deadlineText } from "../components/trade/actions";
import { I18nProvider, translate } from "../i18n";
import TradeDetail from "../screens/TradeDetail";
import { ADMIN, fakeClient, json, Providers } from "./fakeApi";

const UTI = "9884DEMO000042";
const LEI1 = "529900T8BM49AURSDO55";
const BAD_LEI = "5299000000000000BAD0";
const leg = (rate: string) => ({ notional: { amount: "1000000000", currency: "KRW" }, fixed_rate: rate });
const payload = (rate: string, lei = BAD_LEI) => ({
  uti: UTI, trade_id: "T-42", action_type: "NEWT",
  counterparty_1: { identifier: LEI1, name: "Demo Bank" }, counterparty_2: { identifier: lei, name: "Gamma Capital" },
  product: { asset_class: "INTR", contract_type: "SWAP", product_name: "InterestRate:IRSwap:FixedFloat" },
  legs: [leg(rate), { notional: { amount: "1000000000", currency: "KRW" }, floating_index: "CD91" }],
  effective_date: "2026-11-20", expiration_date: "2031-11-20", clearing: { cleared: "Y", ccp: "KRX" },
});
const event = (id: string, seq: number, extra: Record<string, unknown>) => ({
  id, seq, version: 1, source: "file", action_type: "NEWT", event_type: "TRAD", event_timestamp: "2026-11-20T01:00:00+00:00",
  state: "acked", asset_class: "INTR", regimes: ["krx"], reported_regimes: ["krx"], file_id: null, row_no: 1, prior_uti: null,
  trade_id: "T-42", supersedes: null, deadline_at: null, waiting_for: null, enrichment: [], validated_at: null,
  created_at: "2026-11-20T01:00:05+00:00", updated_at: "2026-11-20T01:00:05+00:00", payload: payload("0.0325"),
  changes: null, issues: [], report_items: [], ...extra,
});
// `field`/`value`: what the server found the TR's message to name (shared/services/reads/errors.py)
const item = (eventId: string, status: string, code: string | null, message: string | null,
  field: string | null = null, value: string | null = null) => ({
  id: 1, event_id: eventId, report_file_id: "rf-9", position: 1, record_ref: "r1", status, tr_code: code, tr_message: message, field, value,
  regime: "krx", tr: "kr-tr", file_status: "partially_acked", tr_message_id: "TR-9", file_created_at: "2026-11-20T02:00:00+00:00",
  submitted_at: "2026-11-20T02:01:00+00:00",
});
const CURRENCY = { id: 5, event_id: "e1", rule_id: "SR-EC-023", severity: "reject", field: "legs[0].notional.currency",
  value: "KRX", message: "bad currency", message_ko: null, regime: null, status: "resolved", assignee: null,
  created_at: "2026-11-20T01:00:06+00:00", resolved_at: "2026-11-20T01:30:00+00:00" };
const NACK = `counterparty_2 ${BAD_LEI} is not in the LEI register`;
const DETAIL = {
  trade: { uti: UTI, trade_id: "T-42", asset_class: "INTR", product: null, counterparty_1: LEI1, counterparty_2: BAD_LEI,
    counterparty_2_name: "Gamma Capital", lifecycle: "live", state: "nacked", last_event_id: "e3", last_action_type: "MODI",
    regimes: ["krx"], executed_at: "2026-11-20T01:00:00+00:00", updated_at: "2026-11-20T03:00:00+00:00" },
  current: { event_id: "e3", seq: 3, payload: payload("0.033") },
  deadline: { status: "late", due_at: "2026-11-21T09:00:00+00:00", event_id: "e3", seq: 3 },
  tr_status: [{ regime: "krx", tr: "kr-tr", status: "nacked", tr_code: "TR-ID-003", tr_message: NACK, event_id: "e3", seq: 3,
    report_file_id: "rf-9", tr_message_id: "TR-9", file_created_at: "2026-11-20T02:00:00+00:00", submitted_at: "2026-11-20T02:01:00+00:00" }],
  events: [
    event("e1", 1, { state: "superseded", issues: [CURRENCY] }),
    event("e2", 2, { version: 2, source: "repair", supersedes: "e1", state: "acked",
      changes: [{ field: "legs[0].notional.currency", before: "KRX", after: "KRW" }] }),
    event("e3", 3, { action_type: "MODI", event_type: null, event_timestamp: "2026-11-20T03:00:00+00:00", state: "nacked",
      deadline_at: "2026-11-21T09:00:00+00:00", payload: payload("0.033"),
      changes: [{ field: "legs[0].fixed_rate", before: "0.0325", after: "0.033" }], report_items: [item("e3", "nacked", "TR-ID-003", NACK, "counterparty_2.identifier", BAD_LEI)] }),
  ],
  events_truncated: false, submissions: [],
  // the whole report file's counts: not what the TR said about this trade
  feedback: [{ id: 1, report_file_id: "rf-9", object_key: "fb/1.json", status: "applied", tr_message_id: "TR-9", ack_count: 950,
    nack_count: 50, error: null, deliveries: 1, received_at: "2026-11-20T02:05:00+00:00", last_seen_at: "2026-11-20T02:05:00+00:00" }],
  audit: [],
};

function api(status = 200) {
  return fakeClient((c) => {
    if (c.url === "/api/rules") return json(200, { items: [] });
    if (c.url === `/api/trades/${UTI}`) return status === 200 ? json(200, DETAIL) : json(status, { title: "Not found", detail: `no trade with UTI ${UTI} in this tenant` });
    return json(404, { title: "Not found" });
  });
}

afterEach(() => {
  vi.useRealTimers();
  window.location.hash = "";
});

describe("Trade detail", () => {
  it("sums the trade up on top: state, regimes, time past its deadline, current fields and this trade's TR answer", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-11-21T11:30:00Z"));
    render(<Providers client={api().client}><TradeDetail uti={UTI} /></Providers>);
    const summary = await screen.findByRole("region", { name: "Summary" });
    const facts = within(summary);
    expect(facts.getByText("State").nextElementSibling!.textContent).toBe("nacked");
    expect(facts.getByText("Regimes").nextElementSibling!.textContent).toBe("KRX");
    const deadline = facts.getByText("Deadline").nextElementSibling!;
    expect(deadline.textContent).toContain("overdue by 2 h 30 min");
    expect(deadline.querySelector("time")!.getAttribute("title")).toBe("2026-11-21T09:00:00Z (UTC)");
    // the fields of the latest event, read as a ticket, not JSON
    expect(facts.getByRole("heading", { name: "Current fields (v3)" })).toBeTruthy();
    expect(facts.getByText("Counterparty 2").nextElementSibling!.textContent).toBe(`${BAD_LEI} (Gamma Capital)`);
    expect(facts.getByText("Leg 1").nextElementSibling!.textContent).toBe("1,000,000,000 KRW · fixed 0.033");
    expect(facts.getByText("Leg 2").nextElementSibling!.textContent).toBe("1,000,000,000 KRW · CD91");
    expect(facts.getByText("Cleared").nextElementSibling!.textContent).toBe("cleared · KRX");
    // what the TR said about this trade, not the file's 950 ACKs / 50 NACKs
    const tr = facts.getByRole("table", { name: "What the TR said about this trade" });
    const row = within(tr).getAllByRole("row")[1];
    expect(row.textContent).toContain("TR-ID-003");
    expect(row.textContent).toContain(NACK);
    expect(row.textContent).toContain("v3");
    expect(screen.queryByText(/950/)).toBeNull();
    expect(summary.textContent).not.toContain("{");
  });

  it("lists events newest first with the trade's versions, leg diffs per field and a first version's own fields", async () => {
    render(<Providers client={api().client}><TradeDetail uti={UTI} /></Providers>);
    await screen.findByRole("heading", { name: "Timeline" });
    const entries = document.querySelectorAll(".timeline > li");
    expect([...entries].map((li) => li.querySelector("h3")!.textContent!.split(" · ")[0])).toEqual(["v3", "v2", "v1"]);
    const [v3, v2, v1] = [...entries] as HTMLElement[];
    const diff = within(v3).getByRole("table", { name: "Changed in v3" });
    const cells = within(diff).getAllByRole("row")[1];
    expect(within(cells).getByRole("rowheader").textContent).toBe("Leg 1 · fixed rate");
    expect(cells.textContent).toBe("Leg 1 · fixed rate0.03250.033");
    expect(v3.textContent).not.toMatch(/\[\{|\}\]/); // never a raw JSON array
    expect(v2.textContent).toContain("repair of v1");
    expect(v1.textContent).toContain("replaced by v2");
    // v1 has nothing to compare with: its fields, the LEI among them
    const first = within(v1).getByRole("table", { name: "Fields of v1 (first version)" });
    const lei = within(first).getByRole("rowheader", { name: "counterparty 2 · identifier" }).closest("tr")!;
    expect(lei.textContent).toContain(BAD_LEI);
  });

  it("offers the repair of a NACKed event on the Errors screen, on its TR code, field and current value", async () => {
    render(<Providers client={api().client}><TradeDetail uti={UTI} /></Providers>);
    const link = await screen.findByRole("link", { name: /Repair v3: TR-ID-003 · counterparty 2 · identifier/ });
    const url = new URLSearchParams(link.getAttribute("href")!.split("?")[1]);
    expect(link.getAttribute("href")!.startsWith("#/errors?")).toBe(true);
    expect(Object.fromEntries(url)).toEqual({ kind: "tr_code", key: "TR-ID-003", event: "e3", field: "counterparty_2.identifier", value: BAD_LEI });
    // a replaced event and an accepted repair offer none: they would answer 409
    expect(screen.getAllByRole("link", { name: /^Repair/ })).toHaveLength(1);
  });

  it("offers an invalid event's open issue with its rule, field and value", async () => {
    const invalid = { ...DETAIL, events: [event("e1", 1, { state: "invalid", issues: [{ ...CURRENCY, status: "open" }] })] };
    const { client } = fakeClient((c) => (c.url === "/api/rules" ? json(200, { items: [] }) : json(200, invalid)));
    render(<Providers client={client}><TradeDetail uti={UTI} /></Providers>);
    const link = await screen.findByRole("link", { name: /Repair v1: SR-EC-023/ });
    expect(Object.fromEntries(new URLSearchParams(link.getAttribute("href")!.split("?")[1]))).toEqual(
      { kind: "rule", key: "SR-EC-023", event: "e1", field: "legs[0].notional.currency", value: "KRX" });
  });

  it("says a missing trade is missing, with the way back, and offers no retry", async () => {
    render(<Providers client={api(404).client}><TradeDetail uti={UTI} /></Providers>);
    await screen.findByRole("heading", { level: 1, name: `No trade ${UTI}` });
    expect(screen.getByRole("link", { name: /Back to trades/ }).getAttribute("href")).toBe("#/trades");
    expect(screen.queryByRole("button", { name: "Try again" })).toBeNull();
  });

  it("says which zone its times are in", async () => {
    render(<Providers client={api().client}><TradeDetail uti={UTI} /></Providers>);
    const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    expect((await screen.findByText(/^Times in /)).textContent).toContain(zone);
  });

  it("is in Korean for a Korean console", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date("2026-11-21T08:00:00Z"));
    render(<Providers client={api().client} lang="ko"><TradeDetail uti={UTI} /></Providers>);
    const summary = await screen.findByRole("region", { name: "요약" });
    expect(within(summary).getByText("보고 기한").nextElementSibling!.textContent).toContain("1시간 0분 남음");
    expect(within(summary).getByText("레그 1")).toBeTruthy();
  });
});

// Trade_events.routing as shared/domain/obligations/routing.py writes it: the London branch's own
// side, a client reported for by law, and the regimes left out, each reason in both languages.
const OTHER_LEI = "213800ZYXWVUTSRQPO98";
const ROUTING = {
  basis: "entities", booking_entity: "LONDON-BR",
  reports: [
    { regime: "uk-emir", reporting_counterparty: LEI1, other_counterparty: OTHER_LEI, submitting_entity: LEI1, entity_responsible: LEI1,
      capacity: "self", entity_id: "LONDON-BR",
      reason_en: "LONDON-BR is FC under UK EMIR: it reports its own side (UK EMIR Art. 9(1) both UK counterparties report)",
      reason_ko: "LONDON-BR은(는) UK EMIR FC로서 자기 측을 보고합니다" },
    { regime: "uk-emir", reporting_counterparty: OTHER_LEI, other_counterparty: LEI1, submitting_entity: LEI1, entity_responsible: LEI1,
      capacity: "mandatory", entity_id: null,
      reason_en: "the counterparty is NFC- under UK EMIR and LONDON-BR is FC: it must report for it (Art. 9(1a))",
      reason_ko: "거래상대방이 UK EMIR NFC-이고 LONDON-BR이(가) 금융상대방이므로 대신 보고해야 합니다(제9조(1a))" },
  ],
  skipped: [
    { regime: "mas", reason_en: "SINGAPORE-BR is EXEMPT under MAS: not obliged to report",
      reason_ko: "SINGAPORE-BR은(는) MAS EXEMPT로서 보고의무가 없습니다" },
  ],
};

describe("Reporting obligations", () => {
  const routed = () => fakeClient((c) => {
    if (c.url === "/api/rules") return json(200, { items: [] });
    const events = DETAIL.events.map((e) => (e.id === "e3" ? { ...e, routing: ROUTING } : { ...e, routing: null }));
    return json(200, { ...DETAIL, events });
  }).client;

  it("lists, per event, each report owed with its capacity, sides and reason, and the regimes left out", async () => {
    render(<Providers client={routed()}><TradeDetail uti={UTI} /></Providers>);
    const v3 = (await screen.findByRole("table", { name: "Reporting obligations of v3" })).closest("li")!;
    const section = within(v3).getByRole("region", { name: "Reporting obligations" });
    expect(section.textContent).toContain("Decided by the tenant's entities: booked by LONDON-BR.");
    const table = within(section).getByRole("table");
    expect(within(table).getAllByRole("columnheader").map((h) => h.textContent)).toEqual(
      ["Regime", "Capacity", "Reporting counterparty", "Submitting entity", "Entity responsible", "Why"]);
    const [own, client] = within(table).getAllByRole("row").slice(1);
    expect(within(own).getByRole("rowheader").textContent).toBe("UK EMIR");
    expect(own.textContent).toContain("Own side");
    expect(own.textContent).toContain(`${LEI1} (LONDON-BR)`);
    expect(own.textContent).toContain("it reports its own side");
    expect(client.textContent).toContain("On behalf, by law");
    expect(client.textContent).toContain(OTHER_LEI);
    expect(client.textContent).toContain("it must report for it (Art. 9(1a))");
    const skipped = within(section).getByRole("list");
    expect(skipped.textContent).toBe("MAS: SINGAPORE-BR is EXEMPT under MAS: not obliged to report");
    // the events stored before routing was recorded say nothing about it
    expect(screen.getAllByRole("region", { name: "Reporting obligations" })).toHaveLength(1);
  });

  it("is in Korean for a Korean console, the particles chosen for the word", async () => {
    render(<Providers client={routed()} lang="ko"><TradeDetail uti={UTI} /></Providers>);
    const section = await screen.findByRole("region", { name: "보고의무" });
    expect(section.textContent).toContain("테넌트의 법인 설정으로 결정했습니다. 부킹 법인: LONDON-BR");
    const table = within(section).getByRole("table", { name: "v3의 보고의무" });
    expect(within(table).getAllByRole("columnheader").map((h) => h.textContent)).toEqual(
      ["보고제도", "보고 자격", "보고 거래상대방", "제출 기관", "보고 책임 기관", "사유"]);
    const [own, client] = within(table).getAllByRole("row").slice(1);
    expect(within(own).getByRole("rowheader").textContent).toBe("영국 EMIR");
    expect(own.textContent).toContain("자기 측 보고");
    expect(own.textContent).toContain("LONDON-BR은 UK EMIR FC로서 자기 측을 보고합니다");
    expect(client.textContent).toContain("법정 대리 보고");
    expect(client.textContent).toContain("LONDON-BR이 금융상대방이므로 대신 보고해야 합니다");
    expect(within(section).getByRole("heading", { name: "보고하지 않는 보고제도" })).toBeTruthy();
    expect(within(section).getByRole("list").textContent).toBe("싱가포르 MAS: SINGAPORE-BR은 MAS EXEMPT로서 보고의무가 없습니다");
    expect(section.textContent).not.toMatch(/\(는\)|\(가\)/);
  });

  it("says so when the tenant's entities owe no report", async () => {
    const none = { ...ROUTING, booking_entity: null, reports: [], skipped: [] };
    const { client } = fakeClient((c) => (c.url === "/api/rules" ? json(200, { items: [] })
      : json(200, { ...DETAIL, events: [{ ...DETAIL.events[2], routing: none }] })));
    render(<Providers client={client}><TradeDetail uti={UTI} /></Providers>);
    const section = await screen.findByRole("region", { name: "Reporting obligations" });
    expect(section.textContent).toContain("neither side is one of them");
    expect(section.textContent).toContain("No report is owed for this event.");
    expect(within(section).queryByRole("table")).toBeNull();
  });
});

describe("Field labels and values", () => {
  const t = (k: Parameters<typeof translate>[1], v?: Record<string, string | number>) => translate("en", k, v);
  it("name legs and nested fields for people", () => {
    expect(fieldLabel(t, "legs[1].notional.amount")).toBe("Leg 2 · notional · amount");
    expect(fieldLabel(t, "other_payments[0].payment_type")).toBe("other payments #1 · payment type");
  });
  it("leave out what the payload does not have", () => {
    expect(mainFields(t, { uti: "U" }).map((l) => l.label)).toEqual(["Cleared"]); // not cleared is the default
  });
  it("say a deadline met or missed once nothing is owed", () => {
    expect(deadlineText(t, { status: "met", due_at: "2026-11-21T09:00:00Z", event_id: "e", seq: 1 })).toBe("reported in time");
    expect(deadlineText(t, { status: "none", due_at: null, event_id: null, seq: null })).toBe("no deadline");
  });
});

describe("Routing", () => {
  it("shows 'not found' for an unknown address, not the dashboard", async () => {
    sessionStorage.setItem(REFRESH_KEY, "r1");
    window.location.hash = "#/nowhere";
    const { client } = fakeClient((c) => {
      if (c.url === "/api/auth/refresh") return json(200, { access_token: "a", refresh_token: "r2", expires_in: 900, user: ADMIN });
      if (c.url === "/api/auth/me") return json(200, ADMIN);
      return json(200, { items: [] });
    });
    render(<I18nProvider lang="en"><ApiContext.Provider value={client}><App /></ApiContext.Provider></I18nProvider>);
    await screen.findByRole("heading", { level: 1, name: "Page not found" });
    expect(screen.getByText("The console has no page at /nowhere.")).toBeTruthy();
    expect(screen.getByRole("link", { name: "Go to the dashboard" }).getAttribute("href")).toBe("#/");
  });
});

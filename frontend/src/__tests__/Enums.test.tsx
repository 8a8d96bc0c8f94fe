// States, statuses, actions and event types as a person reads them: Korean words on the Korean
// console (an ISO code keeps its code, with the word beside it), the API's values in English
// as before, and every name in one place (codeLabel over the dictionaries).
import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { BulkOutcomes } from "../components/BulkOutcomes";
import { codeLabel } from "../components/lists/labels";
import { ASSET_CLASSES, EMPTY_FILTERS, STATES, TradeFilters } from "../components/TradeFilters";
import { tradeColumns, TradesTable, type TradeRow } from "../components/TradesTable";
import { I18nProvider, translate, type Lang } from "../i18n";
import { en } from "../i18n/en";
import { ko } from "../i18n/ko";
import Files from "../screens/Files";
import TradeDetail from "../screens/TradeDetail";
import { fakeClient, json, Providers, VIEWER } from "./fakeApi";

const HANGUL = /[\uAC00-\uD7A3]/;

// What the API returns (shared/services/reads/filters.py, the CHECKs of migration 0001).
const API = {
  state: ["received", "invalid", "valid", "reported", "submitted", "acked", "nacked", "cancelled", "superseded", "not_reportable"],
  action_type: ["NEWT", "MODI", "CORR", "TERM", "EROR", "REVI", "VALU", "MARU", "POSC", "PRTO"],
  event_type: ["TRAD", "NOVA", "COMP", "ETRM", "CLRG", "CLAL", "ALOC", "EXER", "CREV", "CORP", "INCP", "PTNG", "UPDT"],
  asset_class: ["INTR", "CRDT", "CURR", "EQUI", "COMM"],
  file_status: ["received", "parsing", "parsed", "rejected", "duplicate"],
  item_status: ["pending", "acked", "nacked"],
  feedback_status: ["received", "applied", "duplicate", "rejected"],
  issue_severity: ["reject", "warn"],
  issue_status: ["open", "assigned", "resolved"],
  bulk_outcome: ["resubmitted", "queued", "cancelled", "assigned", "resolved", "acked", "redriven",
    "not_found", "forbidden", "conflict", "invalid"],
};
const CODED = ["action_type", "event_type", "asset_class"] as const;
const label = (lang: Lang, group: string, code: string) => codeLabel((k, v) => translate(lang, k, v), group, code);

const row = (over: Partial<TradeRow> = {}): TradeRow => ({
  uti: "9884DEMOUTI0001", trade_id: "T1", asset_class: "INTR", product: null, counterparty_1: "LEI1", counterparty_2: "LEI2",
  lifecycle: "unreported", last_event_id: null, counterparty_2_name: "Alpha Global Bank",
  state: "invalid", last_action_type: "NEWT", regimes: ["krx"], executed_at: "2026-11-20T01:00:00Z", updated_at: "2026-11-20T02:00:00Z",
  ...over,
});

describe("the names of states and actions", () => {
  it("has a Korean word for every value the API returns, and an English name that is the API's value", () => {
    for (const [group, codes] of Object.entries(API)) {
      for (const code of codes) {
        const key = `enum.${group}.${code}`;
        expect(Object.hasOwn(en, key), key).toBe(true);
        expect(label("ko", group, code), key).toMatch(HANGUL);
        if (group !== "issue_status") expect(label("en", group, code), key).toBe(code); // English as before
      }
    }
    // the lists the filters offer are the API's
    expect(STATES).toEqual(API.state);
    expect(ASSET_CLASSES).toEqual(API.asset_class);
  });

  it("keeps an ISO code and puts the Korean word beside it, the same way for every code", () => {
    for (const group of CODED) {
      for (const code of API[group]) expect(label("ko", group, code)).toMatch(new RegExp(`^${code} \\([^()]*[\\uAC00-\\uD7A3][^()]*\\)$`));
    }
    expect(label("ko", "action_type", "NEWT")).toBe("NEWT (신규)");
    expect(label("ko", "action_type", "MODI")).toBe("MODI (변경)");
  });

  it("shows a value it does not know as the API sent it", () => {
    expect(label("ko", "state", "teleported")).toBe("teleported");
    expect(label("ko", "action_type", "XXXX")).toBe("XXXX");
  });

  it("names a state the same on the dashboard's tiles and on a trade's badge", () => {
    for (const s of ["invalid", "acked", "nacked"] as const) expect(ko[`dash.${s}`]).toBe(ko[`enum.state.${s}`]);
  });
});

describe("a Korean user", () => {
  it("sees Korean states and coded actions in the trades table; the CSV keeps the API's values", () => {
    const rows = [row(), row({ uti: "9884DEMOUTI0002", state: "acked", last_action_type: "MODI", asset_class: "CRDT" })];
    render(<I18nProvider lang="ko"><TradesTable rows={rows} onOpen={() => {}} /></I18nProvider>);
    const [first, second] = screen.getAllByRole("row").slice(1);
    expect(within(first).getByText("검증 실패").className).toContain("state-invalid");
    expect(within(first).getByText("NEWT (신규)")).toBeTruthy();
    expect(within(first).getByText("INTR (금리)")).toBeTruthy();
    expect(within(second).getByText("승인(ACK)").className).toContain("state-acked");
    expect(within(second).getByText("MODI (변경)")).toBeTruthy();
    expect(within(first).queryByText("invalid")).toBeNull();
    const csv = Object.fromEntries(tradeColumns((k, v) => translate("ko", k, v)).map((c) => [c.key, c.csv(rows[0])]));
    expect(csv).toMatchObject({ state: "invalid", action: "NEWT", asset_class: "INTR" }); // for machines
  });

  it("picks states and asset classes by their Korean names; the filter sends the API's values", () => {
    render(<I18nProvider lang="ko"><TradeFilters value={EMPTY_FILTERS} onApply={() => {}} /></I18nProvider>);
    const states = [...(screen.getByLabelText("상태") as HTMLSelectElement).options];
    expect(states.map((o) => o.value)).toEqual(API.state);
    expect(states.map((o) => o.textContent)).toContain("거부(NACK)");
    expect(states.every((o) => HANGUL.test(o.textContent ?? ""))).toBe(true);
    const classes = [...(screen.getByLabelText("자산군") as HTMLSelectElement).options];
    expect(classes.map((o) => o.textContent)).toContain("CURR (외환)");
  });

  it("reads a trade's detail in Korean: its state, each version's action and event type, issues, report items, TR feedback", async () => {
    const { client } = fakeClient((c) => c.url.startsWith("/api/rules") ? json(200, { items: [] }) : json(200, DETAIL));
    render(<Providers client={client} lang="ko"><TradeDetail uti="9884DEMOUTI0001" /></Providers>);
    await screen.findByText("SR-EC-023"); // a rule id stays as it is
    expect(document.querySelector(".trade-summary .badge")!.textContent).toBe("승인(ACK)");
    const [v2, v1] = [...document.querySelectorAll("ol.timeline > li")] as HTMLElement[]; // newest first
    expect(v1.querySelector("h3")!.textContent).toContain("NEWT (신규)/TRAD (거래)");
    expect(within(v1).getByText("검증 실패")).toBeTruthy();
    expect(within(v1).getByText("반려")).toBeTruthy();
    expect(within(v1).getByText("미해결")).toBeTruthy();
    expect(v2.querySelector("h3")!.textContent).toContain("MODI (변경)");
    expect(v2.querySelector("h3 .state-acked")!.textContent).toBe("승인(ACK)");
    expect(v2.querySelector(".item-acked")!.textContent).toBe("승인(ACK)");
    expect(within(v2).getByText("대기").className).toContain("item-pending");
    // what the TR said about this trade (not the file's feedback), per regime
    expect(document.querySelector(".tr-status .item-acked")!.textContent).toBe("승인(ACK)");
  });

  it("sees a file's status and its events by state in Korean", async () => {
    const { client } = fakeClient(() => json(200, { items: [FILE] }));
    render(<Providers client={client} user={VIEWER} lang="ko"><Files /></Providers>);
    const table = await screen.findByRole("table");
    expect(within(table).getByText("파싱 완료").className).toContain("file-parsed");
    expect(within(table).getByText("승인(ACK) 2 · 거부(NACK) 1 · 검증 실패 1")).toBeTruthy();
  });

  it("sees each bulk outcome in Korean", () => {
    render(<I18nProvider lang="ko"><BulkOutcomes labelFor={(id) => id}
      outcome={{ ok: 1, refused: 1, items: [{ id: "e1", outcome: "resubmitted", ok: true, message: "" },
        { id: "e2", outcome: "conflict", ok: false, message: "event e2 is acked" }] }} /></I18nProvider>);
    expect(screen.getByTestId("outcome-e1").textContent).toContain("재제출됨");
    expect(screen.getByTestId("outcome-e2").textContent).toContain("상태 충돌");
  });
});

describe("an English user", () => {
  it("sees the API's states and codes as before", () => {
    render(<I18nProvider lang="en"><TradesTable rows={[row()]} onOpen={() => {}} /></I18nProvider>);
    const first = screen.getAllByRole("row")[1];
    expect(within(first).getByText("invalid").className).toContain("state-invalid");
    expect(within(first).getByText("NEWT")).toBeTruthy();
    expect(within(first).getByText("INTR")).toBeTruthy();
  });

  it("reads a trade's detail and the files list as before", async () => {
    const { client } = fakeClient((c) =>
      c.url.startsWith("/api/rules") ? json(200, { items: [] }) : c.url.startsWith("/api/files") ? json(200, { items: [FILE] }) : json(200, DETAIL));
    const { unmount } = render(<Providers client={client}><TradeDetail uti="9884DEMOUTI0001" /></Providers>);
    await screen.findByText("SR-EC-023");
    const [v2, v1] = [...document.querySelectorAll("ol.timeline > li")] as HTMLElement[]; // newest first
    expect(v1.querySelector("h3")!.textContent).toContain("NEWT/TRAD");
    expect(within(v1).getByText("invalid")).toBeTruthy();
    expect(within(v1).getByText("reject")).toBeTruthy();
    expect(within(v1).getByText("Open")).toBeTruthy();
    expect(within(v2).getByText("pending")).toBeTruthy();
    expect(document.querySelector(".tr-status .item-acked")!.textContent).toBe("acked");
    unmount();
    render(<Providers client={client} user={VIEWER}><Files /></Providers>);
    const table = await screen.findByRole("table");
    expect(within(table).getByText("parsed")).toBeTruthy();
    expect(within(table).getByText("acked 2 · nacked 1 · invalid 1")).toBeTruthy();
  });
});

const DETAIL = {
  trade: { uti: "9884DEMOUTI0001", trade_id: "T1", state: "acked", counterparty_2_name: "Alpha Global Bank" },
  events_truncated: false,
  current: { event_id: "e2", seq: 2, payload: {} },
  deadline: { status: "met", due_at: "2026-11-21T01:00:00Z", event_id: "e2", seq: 2 },
  tr_status: [{ regime: "krx", tr: "krx-tr", status: "acked", tr_code: null, tr_message: null, event_id: "e2", seq: 2,
    report_file_id: "rf1", tr_message_id: "M1", file_created_at: "2026-11-20T03:00:00Z", submitted_at: null }],
  events: [
    { id: "e1", seq: 1, payload: {}, version: 1, action_type: "NEWT", event_type: "TRAD", event_timestamp: "2026-11-20T01:00:00Z", state: "invalid",
      source: "file", regimes: ["krx"], changes: null, report_items: [],
      issues: [{ id: 1, rule_id: "SR-EC-023", severity: "reject", field: "legs[0].notional.currency", value: "KRX",
        message: "KRX is not an ISO 4217 currency", message_ko: "KRX은(는) ISO 4217 통화코드가 아닙니다", regime: null, status: "open" }] },
    { id: "e2", seq: 2, payload: {}, version: 1, action_type: "MODI", event_type: null, event_timestamp: "2026-11-20T02:00:00Z", state: "acked",
      source: "repair", regimes: ["krx"], changes: [], issues: [],
      report_items: [
        { id: 7, status: "acked", tr_code: null, tr_message: null, regime: "krx", tr: "krx-tr", tr_message_id: "M1", file_created_at: "2026-11-20T03:00:00Z" },
        { id: 8, status: "pending", tr_code: null, tr_message: null, regime: "emir", tr: "emir-tr", tr_message_id: null, file_created_at: "2026-11-20T03:00:00Z" },
      ] },
  ],
  feedback: [{ id: 3, status: "applied", tr_message_id: "M1", ack_count: 1, nack_count: 0, received_at: "2026-11-20T04:00:00Z" }],
};

const FILE = { id: "f1", object_key: "demo-bank/2026-11-20/fep.csv", status: "parsed", reject_reason: null, row_count: 4,
  received_at: "2026-11-20T01:00:00Z", events_by_state: { acked: 2, nacked: 1, invalid: 1 } };

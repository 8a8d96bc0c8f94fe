// Korean throughout (#14 item 6): the dictionaries agree, particles follow the word, and every
// screen rendered in Korean with realistic data shows no English word outside codes and ids.
import { render, waitFor } from "@testing-library/react";
import type { ReactElement } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { translate } from "../i18n";
import { en, type MessageKey } from "../i18n/en";
import { ko } from "../i18n/ko";
import { particle } from "../i18n/particles";
import Activations from "../screens/Activations";
import Alerts from "../screens/Alerts";
import Approvals from "../screens/Approvals";
import Backloads from "../screens/Backloads";
import Audit from "../screens/Audit";
import Dashboard from "../screens/Dashboard";
import Errors from "../screens/Errors";
import Files from "../screens/Files";
import ReportDetail from "../screens/ReportDetail";
import Reports from "../screens/Reports";
import Settings from "../screens/Settings";
import TradeDetail from "../screens/TradeDetail";
import Trades from "../screens/Trades";
import Reconciliation from "../screens/Reconciliation";
import { TrView } from "../components/trade/TrView";
import { fakeClient, json, Providers, type Call } from "./fakeApi";

// -- what may stay in Latin letters on a Korean screen ------------------------------------------

/** A code or identifier as a whole token: it has a digit or joins parts with - _ . / @ : #
 * (SR-ID-003, cftc-part45, demo-admin, deadline.late, demo/krx/a.xml, 2026-11-20T01:00Z). */
const IDENTIFIER = /^(?=.*[A-Za-z])(?:[A-Za-z0-9]+[-_./@:#])+[A-Za-z0-9]+$|\d/;
/** Codes and acronyms are written in capitals (UTI, LEI, ACK, NEWT, KRX, ISO 4217 codes, HTTP). */
const CODE = /^[A-Z][A-Z0-9]*$/;
/** SI unit symbols after a number (850 ms, 12.4 s) and single letters (v for version). */
const UNIT = /^(ms|s|h|[a-z])$/;

/** English words in a text: Latin-letter runs that are neither codes, identifiers nor units. */
export function englishWords(text: string): string[] {
  const found: string[] = [];
  for (const raw of text.split(/\s+/)) {
    const token = raw.replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, "");
    if (!token || IDENTIFIER.test(token)) continue;
    for (const run of token.match(/[A-Za-z]+/g) ?? []) {
      if (!CODE.test(run) && !UNIT.test(run)) found.push(run);
    }
  }
  return found;
}

/** What a person sees or hears: text and the labels of controls; not code the markup marks as
 * such (code, samp, kbd, pre, translate="no": values as the data has them, cite: a regulation's
 * title) nor the body of a closed <details>. */
function perceivable(root: Element): string[] {
  const out: string[] = [];
  const walk = (node: Node) => {
    if (node.nodeType === Node.TEXT_NODE) {
      out.push(node.textContent ?? "");
      return;
    }
    if (!(node instanceof Element)) return;
    if (node.matches("code, samp, kbd, pre, cite, script, style, [translate='no'], [hidden]")) return;
    for (const attr of ["aria-label", "placeholder", "alt", "title"]) {
      const v = node.getAttribute(attr);
      if (v && !(attr === "title" && node.matches("time, abbr, code"))) out.push(v);
    }
    if (node instanceof HTMLDetailsElement && !node.open) {
      const summary = node.querySelector(":scope > summary");
      if (summary) walk(summary);
      return;
    }
    node.childNodes.forEach(walk);
  };
  walk(root);
  return out;
}

// -- the dictionaries ----------------------------------------------------------------------------

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)(?:\|[^}]*)?\}/g)].map((m) => m[1]).sort();

describe("the dictionaries", () => {
  const enKeys = Object.keys(en) as MessageKey[];
  const koKeys = Object.keys(ko) as MessageKey[];

  it("have the same keys in English and Korean", () => {
    expect(enKeys.filter((k) => !Object.hasOwn(ko, k))).toEqual([]);
    expect(koKeys.filter((k) => !Object.hasOwn(en, k))).toEqual([]);
  });

  it("have no empty text and use the same placeholders in both languages", () => {
    expect(enKeys.filter((k) => !en[k].trim() || !ko[k].trim())).toEqual([]);
    expect(enKeys.filter((k) => placeholders(en[k]).join() !== placeholders(ko[k]).join())).toEqual([]);
  });

  it("translate every text: a Korean text equal to the English is made of codes only", () => {
    const same = enKeys.filter((k) => ko[k] === en[k] && englishWords(ko[k].replace(/\{[^}]*\}/g, " ")).length > 0);
    expect(same).toEqual([]);
  });

  it("leave no English word in a Korean text outside codes and identifiers", () => {
    const leaks = koKeys
      .map((k) => [k, englishWords(ko[k].replace(/\{[^}]*\}/g, " "))] as const)
      .filter(([, words]) => words.length > 0);
    expect(leaks).toEqual([]);
  });

  it("write no particle pair for the reader to choose (은(는), 을(를), (으)로)", () => {
    expect(koKeys.filter((k) => /[은을이과와]\([는를가와과]\)|\(으\)로/.test(ko[k]))).toEqual([]);
  });
});

describe("particles chosen by the word", () => {
  it.each([
    ["KRX", "은", "는"], ["EMIR", "은", "는"], ["EMIR", "이", "가"], ["CFTC", "을", "를"],
    ["ISIN", "은", "은"], ["LEI", "이", "가"], ["3", "을", "을"], ["2", "을", "를"], ["10", "으로", "으로"],
    ["1,107", "이", "이"], ["300", "과", "과"], ["5000", "은", "은"], ["2", "으로", "로"], ["7", "으로", "로"],
    ["관리자", "으로", "로"], ["운영자", "은", "는"], ["책", "과", "과"], ["서울", "으로", "로"],
    ["demo-admin", "을", "을"], ["승인(ACK)", "은", "은"], ["99.3 %", "은", "는"], ["SR-ID-003", "이", "이"],
  ])("%s + %s → %s", (word, which, expected) => {
    expect(particle(word, which as never)).toBe(expected);
  });

  it("fills {x|을} and {x|으로} in the Korean texts", () => {
    expect(translate("ko", "users.disabled_done", { username: "kim" })).toBe("kim을 사용 중지했습니다.");
    expect(translate("ko", "users.disabled_done", { username: "demo-viewer" })).toBe("demo-viewer를 사용 중지했습니다.");
    expect(translate("ko", "users.role_changed", { username: "lee", role: "관리자" })).toBe("lee의 역할을 관리자로 변경했습니다.");
    expect(translate("ko", "repair.applied", { version: 3 })).toBe("버전 3으로 저장했고 검증 대기열에 넣었습니다.");
    expect(translate("ko", "repair.applied", { version: 2 })).toBe("버전 2로 저장했고 검증 대기열에 넣었습니다.");
    expect(translate("en", "repair.applied", { version: 2 })).toBe("Saved as version 2; queued for validation.");
  });
});

describe("the English-word detector", () => {
  it("lets codes and identifiers pass and catches words", () => {
    expect(englishWords("승인(ACK) 2,850건 · NEWT (신규) · SR-ID-003 · cftc-part45 · 850 ms · v2 · demo-admin · KRX")).toEqual([]);
    expect(englishWords("acked 검증 실패 Critical deadline past")).toEqual(["acked", "Critical", "deadline", "past"]);
  });
});

// -- every screen in Korean, with data as the demo has it ---------------------------------------

const T0 = "2026-11-20T01:00:00+00:00";
const T1 = "2026-11-20T03:30:00+00:00";
const LEI_A = "549300ABCDEFGHIJ1234";
const LEI_B = "5493001KJTIIGC8Y1R12";
const UTI = `${LEI_A}SWAP0001`;
const EVENT_ID = "0b3e1c0e-6a4f-4d7e-9a51-2f1d6f0c0001";
const FILE_ID = "7d1f2c3a-0000-4000-8000-000000000001";
const REPORT_ID = "5a6b7c8d-0000-4000-8000-000000000002";

const trade = {
  uti: UTI, trade_id: "T-2026-0001", asset_class: "INTR", product: "QZ1234567890", counterparty_1: LEI_A,
  counterparty_2: LEI_B, counterparty_2_name: "한국산업은행", lifecycle: "live", state: "nacked", last_event_id: EVENT_ID,
  last_action_type: "NEWT", regimes: ["krx", "emir"], executed_at: T0, updated_at: T1,
};
const issue = {
  id: 41, event_id: EVENT_ID, rule_id: "SR-ID-004", severity: "reject", field: "counterparty_2.lei", value: "5493001KJTIIGC8Y1R13",
  message: "Counterparty 2 LEI 5493001KJTIIGC8Y1R13 is not a valid LEI: check digits do not verify",
  message_ko: "거래상대방2 LEI 5493001KJTIIGC8Y1R13은 올바른 LEI가 아닙니다: 검증번호 불일치",
  regime: "krx", status: "open", assignee: null, created_at: T0, resolved_at: null,
};
const reportItem = {
  id: 7, event_id: EVENT_ID, report_file_id: REPORT_ID, position: 3, record_ref: "R-3", status: "nacked", tr_code: "TR-ID-003",
  tr_message: "거래상대방 LEI 오류", regime: "krx", tr: "krx-tr", file_status: "partially_acked", tr_message_id: "KRX-MSG-0042",
  file_created_at: T0, submitted_at: T0,
};
const event = (version: number, extra: Record<string, unknown> = {}) => ({
  id: version === 1 ? EVENT_ID : `0b3e1c0e-6a4f-4d7e-9a51-2f1d6f0c000${version}`, version, seq: version, source: "file", action_type: "NEWT",
  event_type: "TRAD", event_timestamp: T0, state: "nacked", asset_class: "INTR", regimes: ["krx", "emir"], reported_regimes: ["krx"],
  file_id: FILE_ID, row_no: 12, prior_uti: null, trade_id: "T-2026-0001", supersedes: null, deadline_at: T1, waiting_for: null,
  enrichment: [], validated_at: T0, created_at: T0, updated_at: T1,
  payload: { uti: UTI, counterparty_1: { lei: LEI_A }, counterparty_2: { lei: LEI_B } },
  changes: [], issues: [issue], report_items: [reportItem], ...extra,
});
const reportFile = {
  id: REPORT_ID, regime: "krx", tr: "krx-tr", object_key: "demo-bank/krx/2026-11-20/report-0002.csv", record_count: 3,
  status: "partially_acked", tr_message_id: "KRX-MSG-0042", reject_code: null, reject_reason: null, created_at: T0,
  submitted_at: T0, feedback_at: T1, updated_at: T1, items_by_status: { pending: 0, acked: 2, nacked: 1 },
  submissions: [
    { attempt: 1, started_at: T0, finished_at: T0, http_status: 503, tr_message_id: null, outcome: "retry", error: "HTTP 503" },
    { attempt: 2, started_at: T0, finished_at: T0, http_status: 202, tr_message_id: "KRX-MSG-0042", outcome: "accepted", error: null },
  ],
};
const alert = (id: number, kind: string, severity: string, details: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id, kind, severity, summary: `${kind} in English from the server`, details, status: "open", occurrences: 3,
  first_seen_at: T0, last_seen_at: T1, acked_by: null, acked_at: null, resolved_at: null, ...extra,
});
const ALERTS = [
  alert(1, "deadline.late", "critical", { count: 85, events: 92, earliest_deadline: T0, examples: [UTI], by_state: { nacked: 20, invalid: 72 } }),
  alert(2, "deadline.at_risk", "warning", { count: 5, events: 6, earliest_deadline: T1, examples: [UTI], by_state: { valid: 5 }, window_hours: 4 }),
  alert(3, "tr.nack", "warning", { report_file_id: REPORT_ID, tr_message_id: "KRX-MSG-0042", codes: { "TR-ID-003": 16 }, count: 16, regime: "krx" },
    { status: "acked", acked_by: "demo-admin", acked_at: T1 }),
  alert(4, "tr.silence", "critical", { regime: "emir", files: 2, records: 40, oldest_s: 7300, tr_message_ids: ["EMIR-1"] }),
  alert(5, "files.stuck", "warning", { count: 1, by_state: { parsing: 1 }, files: [] }, { status: "resolved", resolved_at: T1 }),
  alert(6, "queue.dead_letters", "critical", { queue: "validate", count: 4 }),
  alert(7, "anomaly.rejection_spike", "warning", { subject: "rule:SR-ID-004", name: "SR-ID-004", rejected: 16, share: 0.32, trailing_share: 0.01, window: T0 }),
];
const RULES = [{
  id: "SR-ID-004", area: "ID", area_name: "Identifiers", severity: "reject", severity_ko: "반려", field: "counterparty_2.lei",
  field_label: "Counterparty 2 LEI", field_label_ko: "거래상대방2 LEI", regimes: null, per_regime: false, actions: null,
  title: "Every LEI has 20 characters and passes MOD 97-10", title_ko: "모든 LEI는 20자리이며 MOD 97-10 검증을 통과해야 합니다",
  message_en: "{label} {value} is not a valid LEI: {reason}", message_ko: "{label_ko} {value}은 올바른 LEI가 아닙니다: {reason_ko}",
  source: "ISO 17442 (ISO 7064 MOD 97-10)", note: "Counterparties identified by LEI, execution agents and brokers.",
  note_ko: "LEI로 식별되는 거래상대방, 집행 대리인, 중개인에 적용합니다.",
}];
const page = (items: unknown[]) => ({ items, next_cursor: null });
// trade_events.routing as the domain writes it (reasons in both languages, "은(는)" pairs as is)
const ROUTING = {
  basis: "entities", booking_entity: "SEOUL-HO",
  reports: [{ regime: "krx", reporting_counterparty: LEI_A, other_counterparty: LEI_B, submitting_entity: LEI_A, entity_responsible: LEI_A,
    capacity: "self", entity_id: "SEOUL-HO", reason_en: "SEOUL-HO is REPORTING under KRX TR: it reports its own side (FSCMA Art. 166-3)",
    reason_ko: "SEOUL-HO은(는) 한국거래소 TR REPORTING로서 자기 측을 보고합니다" },
  { regime: "uk-emir", reporting_counterparty: LEI_B, other_counterparty: LEI_A, submitting_entity: LEI_A, entity_responsible: LEI_A,
    capacity: "mandatory", entity_id: null, reason_en: "템스위젯 is a client: LONDON-BR reports for it under UK EMIR by law (Art. 9(1a)), and is responsible",
    reason_ko: "템스위젯은(는) 고객으로, LONDON-BR이(가) 법에 따라 대신 보고하고 책임집니다(제9조(1a))" }],
  skipped: [{ regime: "mas", reason_en: "SINGAPORE-BR is EXEMPT under MAS: not obliged to report",
    reason_ko: "SINGAPORE-BR은(는) MAS EXEMPT로서 보고의무가 없습니다" }],
};
const REGIME_STATUSES = [
  { regime: "krx", display_name: "KRX TR", statuses: ["REPORTING", "EXEMPT"], self_reporting: ["REPORTING"] },
  { regime: "uk-emir", display_name: "UK EMIR", statuses: ["FC", "NFC+", "NFC-", "CCP"], self_reporting: ["FC", "NFC+", "CCP"] },
];
const TR_BREAK = {
  id: 7, regime: "emir", uti: UTI, kind: "field_mismatch", our_action: "NEWT", tr_action: "NEWT",
  differences: [{ field: "NtnlAmtFrstLeg", name: "Notional amount of leg 1", ours: "10000000000 KRW", theirs: "12000000000 KRW" },
    { field: "XprtnDt", name: "Expiration date", ours: "2031-11-24", theirs: null }],
  first_reference_date: "2026-11-19", last_reference_date: "2026-11-20", status: "open", assignee: null, resolution_note: null,
  resolved_by: null, resolved_at: null, cleared_at: null, first_seen_at: T0, last_seen_at: T1, trade_known: true,
};

const answers: Record<string, (c: Call) => unknown> = {
  "/api/stats": () => ({
    day: "2026-11-20", tz: "Asia/Seoul", received: 3100, valid: 2980, invalid: 120, submitted: 2870, acked: 2850, nacked: 20,
    acceptance_rate: 0.993, late: 92, late_detail: { acked_late: 0, open_overdue: 92, open_overdue_by_state: { nacked: 20, invalid: 72 } },
    at_risk: 5, at_risk_window_s: 14400, by_state: { acked: 2850, nacked: 20, invalid: 120, valid: 110 },
  }),
  "/api/stats/volumes": () => {
    const counts = { total: 3100, by_asset_class: { INTR: 2000, CURR: 1100 }, by_action_type: { NEWT: 2500, MODI: 600 },
      by_regime: { krx: 3100 }, by_state: { acked: 2850, nacked: 20 }, acked: 2850, nacked: 20, acceptance_rate: 0.993 };
    return { unit: "day", tz: "Asia/Seoul", buckets: [{ start: "2026-11-19", ...counts }, { start: "2026-11-20", ...counts }], totals: counts };
  },
  "/api/stats/acceptance": () => ({ unit: "day", tz: "Asia/Seoul",
    buckets: [{ start: "2026-11-20", acked: 2850, nacked: 20, acceptance_rate: 0.993 }], totals: { acked: 2850, nacked: 20, acceptance_rate: 0.993 } }),
  "/api/stats/rejections": () => ({ rules: [{ code: "SR-ID-004", count: 16 }], tr_codes: [{ code: "TR-ID-003", count: 16 }, { code: null, count: 2 }] }),
  "/api/alerts": () => page(ALERTS),
  "/api/rules": () => ({ items: RULES }),
  "/api/trades": () => page([trade, { ...trade, uti: `${LEI_A}SWAP0002`, state: "acked", asset_class: "CURR", last_action_type: "MODI" }]),
  [`/api/trades/${UTI}`]: () => ({
    trade, events: [event(2, { state: "invalid", source: "repair", changes: [{ field: "counterparty_2.lei", before: LEI_B, after: "5493001KJTIIGC8Y1R13" }],
      routing: ROUTING }), event(1, { routing: null })],
    events_truncated: false,
    current: { event_id: EVENT_ID, seq: 2, payload: event(2).payload },
    deadline: { status: "late", due_at: T1, event_id: EVENT_ID, seq: 2 },
    tr_status: [{ regime: "krx", tr: "kr-tr", status: "nacked", tr_code: "TR-ID-003", tr_message: "CP2_ID is not in the LEI register",
      event_id: EVENT_ID, seq: 1, report_file_id: REPORT_ID, tr_message_id: "KRX-MSG-0042", file_created_at: T0, submitted_at: T1 }],
    submissions: [{ id: 1, report_file_id: REPORT_ID, attempt: 1, started_at: T0, finished_at: T0, http_status: 202, tr_message_id: "KRX-MSG-0042", outcome: "accepted", error: null }],
    feedback: [{ id: 3, report_file_id: REPORT_ID, object_key: "demo-bank/feedback/KRX-MSG-0042.csv", status: "applied", tr_message_id: "KRX-MSG-0042",
      ack_count: 2, nack_count: 1, error: null, deliveries: 1, received_at: T1, last_seen_at: T1 }],
    audit: [],
  }),
  "/api/errors": () => page([
    { kind: "rule", key: "SR-ID-004", count: 16, rule_id: "SR-ID-004", severity: "reject", by_status: { open: 14, assigned: 1, resolved: 1 }, last_at: T1 },
    { kind: "tr_code", key: "TR-ID-003", count: 16, tr_code: "TR-ID-003", files: 1, last_at: T1 },
    { kind: "queue", key: "validate", count: 4, queue: "validate", oldest_at: T0, newest_at: T1, sample_error: null },
  ]),
  "/api/errors/rule/SR-ID-004": () => page([{ ...issue, uti: UTI }, { ...issue, id: 42, status: "assigned", assignee: "demo-admin", uti: `${LEI_A}SWAP0002` }]),
  "/api/files": () => page([
    { id: FILE_ID, bucket: "swaprep-inbound", object_key: "demo-bank/2026-11-20/trades-0001.csv", sha256: "ab".repeat(32), size_bytes: 48213,
      format: "csv", profile: "krx", source: "fep", status: "parsed", reject_reason: null, row_count: 120, chunk_count: 1, received_at: T0,
      parsed_at: T0, updated_at: T1, rows_by_state: {}, events_by_state: { acked: 100, nacked: 4, invalid: 16 } },
    { id: "7d1f2c3a-0000-4000-8000-000000000003", bucket: "swaprep-inbound", object_key: "demo-bank/2026-11-20/trades-0002.csv", sha256: "cd".repeat(32),
      size_bytes: 100, format: "csv", profile: "krx", source: "fep", status: "duplicate", reject_reason: null, row_count: null, chunk_count: null,
      received_at: T1, parsed_at: null, updated_at: T1, rows_by_state: {}, events_by_state: {} },
  ]),
  "/api/reports": () => page([reportFile, { ...reportFile, id: "5a6b7c8d-0000-4000-8000-000000000003", status: "rejected", reject_code: "E042" }]),
  [`/api/reports/${REPORT_ID}`]: () => reportFile,
  "/api/audit": () => page([
    { id: 1, at: T1, actor: "demo-admin", actor_type: "user", action: "event.repair", entity_type: "trade_event", entity_id: EVENT_ID,
      before: { "counterparty_2.lei": LEI_B }, after: { "counterparty_2.lei": "5493001KJTIIGC8Y1R13" }, request_id: "req-1", actor_id: "u1" },
    { id: 2, at: T0, actor: "feedback", actor_type: "system", action: "tr_feedback.applied", entity_type: "report_file", entity_id: REPORT_ID,
      before: null, after: { acked: 2, nacked: 1 }, request_id: null, actor_id: null },
  ]),
  "/api/reconciliation/summary": () => {
    const none = { at_tr_only: 0, open_at_tr: 0, missing_at_tr: 0, field_mismatch: 0 };
    const live = { ...none, field_mismatch: 1, open_at_tr: 1 };
    return { regimes: [{ regime: "emir", reports: { trade_state: { reference_date: "2026-11-20", loaded_at: T1, records: 3,
      object_key: "tr-reports/demo-bank/emir/2026-11-20/trade_state.xml" }, reconciliation: null, warnings: null },
    open_at_tr: 3, reconciliation: { not_applicable: 0, unpaired: 1, matched: 1, unmatched: 1 },
    warnings: { no_valuation: 1, outdated_valuation: 1 }, breaks: { open: live, assigned: none, resolved: none, cleared: none } }],
    breaks: { open: live, assigned: none, resolved: none, cleared: none } };
  },
  "/api/reconciliation/breaks": () => ({ ...page([TR_BREAK, { ...TR_BREAK, id: 8, kind: "open_at_tr", differences: [],
    our_action: "TERM", status: "assigned", assignee: "demo-admin" }]), total: 2, total_capped: false }),
  [`/api/trades/${UTI}/tr-view`]: () => ({ uti: UTI, trade_known: true, regimes: [{
    regime: "emir",
    state: { reference_date: "2026-11-20", open: true, last_action: "VALU", level: "TCTN", reporting_counterparty: LEI_A,
      other_counterparty: LEI_B, received_at: T0, valuation_amount: -1250.5, valuation_currency: "EUR", valuation_timestamp: T0,
      reconciliation_flag: "DSNM", reported_values: {} },
    reconciliation: { reference_date: "2026-11-20", pairing: "paired", matching: "unmatched", flag: "DSNM", other_counterparty: LEI_B,
      revived: false, further_modified: false, differences: TR_BREAK.differences },
    warnings: [{ kind: "outdated_valuation", reference_date: "2026-11-20", valuation_amount: -1250.5, valuation_currency: "EUR",
      valuation_timestamp: T0 }],
    breaks: [TR_BREAK] }] }),
  "/api/activations": () => page([
    { id: "act-1", action: "swaprep/validate", trigger: "queue", started_at: T0, ended_at: T0, duration_ms: 850, status: "success", cold_start: false, result: { validated: 12 }, error: null },
    { id: "act-2", action: "swaprep/submit", trigger: "timer", started_at: T1, ended_at: T1, duration_ms: 185000, status: "application_error", cold_start: true, result: null, error: "TR 503" },
  ]),
  "/api/admin/users": () => ({ items: [
    { id: "u1", tenant_id: "t1", username: "demo-admin", display_name: "김운영", role: "admin", disabled: false, tenant: "demo-bank", created_at: T0, last_login_at: T1 },
    { id: "u2", tenant_id: "t1", username: "demo-viewer", display_name: null, role: "viewer", disabled: true, tenant: "demo-bank", created_at: T0, last_login_at: null },
  ] }),
  "/api/approvals": () => ({ items: [
    { id: "a-1", kind: "repair", events: 1, request: { event_id: EVENT_ID, changes: { "counterparty_2.lei": LEI_B, "uti": null } },
      requested_by: "u7", requested_by_name: "demo-operator", requested_at: T0, expires_at: T1, status: "pending" },
    { id: "a-2", kind: "cancel", events: 2, request: { event_ids: [EVENT_ID, "e2"], reason: "중복 예약" },
      requested_by: "u1", requested_by_name: "demo-admin", requested_at: T0, expires_at: T1, status: "pending" },
    { id: "a-3", kind: "bulk_repair", events: 3, request: { event_ids: ["e3"], changes: [{ field: "counterparty_2.lei", value: LEI_B, current: LEI_A }] },
      requested_by: "u7", requested_by_name: "demo-operator", requested_at: T0, expires_at: T1, status: "approved",
      decided_by: "u1", decided_by_name: "demo-admin", decided_at: T1, note: "확인함", outcome: { items: [], ok: 3, refused: 0 } },
    { id: "a-4", kind: "resubmit", events: 1, request: { event_ids: ["e4"] }, requested_by: "u7", requested_by_name: "demo-operator",
      requested_at: T0, expires_at: T0, status: "expired" },
  ] }),
  "/api/approvals/policy": () => ({ thresholds: { repair: 1, bulk_repair: 50 }, validity_hours: 72 }),
  "/api/entities": () => ({
    entities: [
      { entity_id: "SEOUL-HO", name: "데모은행 서울본점", kind: "head_office", country: "KR", lei: LEI_A, parent: null,
        statuses: { krx: "REPORTING" }, created_at: T0, updated_at: T1 },
      { entity_id: "LONDON-BR", name: "데모은행 런던지점", kind: "branch", country: "GB", lei: null, parent: "SEOUL-HO",
        statuses: { "uk-emir": "FC" }, created_at: T0, updated_at: T1 },
    ],
    agreements: [{ id: "a1", client_lei: LEI_B, client_name: "템스위젯", regime: "uk-emir", capacity: "mandatory", delegate: "LONDON-BR",
      valid_from: "2026-01-01", valid_to: null, client_status: "NFC-", opted_out: true, created_at: T0 }],
    regimes: REGIME_STATUSES,
  }),
  "/api/backloads": () => ({ items: [
    { id: "j-1", reason: "EMIR 리핏 재보고", regimes: ["emir"], asset_class: "INTR", as_of: T0, status: "running", total: 1000,
      done: 190, skipped: 10, cursor_uti: "U190", batch_size: 100, rate_per_s: 50, created_by: "demo-admin", created_at: T0,
      started_at: T0, finished_at: null, updated_at: T1, last_error: null,
      progress: { worked: 200, total: 1000, percent: 20, rate_per_s: 2, eta: T1 } },
  ] }),
  "/api/admin/api-keys": () => ({ items: [
    { id: "k1", name: "FEP 1", prefix: "sr_live_ab12", scopes: ["ingest"], created_by: "demo-admin", created_at: T0, last_used_at: T1, revoked_at: null },
  ] }),
};

function respond(call: Call): Response {
  const path = decodeURIComponent(new URL(call.url, "http://x").pathname);
  const answer = answers[path];
  return answer ? json(200, answer(call)) : json(404, { type: "about:blank", title: "Not found", status: 404, detail: `no fake for ${path}` });
}

const SCREENS: [string, () => ReactElement][] = [
  ["Dashboard", () => <Dashboard />],
  ["Trades", () => <Trades params={new URLSearchParams()} />],
  ["Trade detail", () => <TradeDetail uti={UTI} />],
  ["Errors", () => <Errors params={new URLSearchParams("kind=rule&key=SR-ID-004")} />],
  ["Files", () => <Files />],
  ["Reports", () => <Reports params={new URLSearchParams()} />],
  ["Report detail", () => <ReportDetail id={REPORT_ID} />],
  ["Alerts", () => <Alerts params={new URLSearchParams()} />],
  ["Audit", () => <Audit params={new URLSearchParams()} />],
  ["Activations", () => <Activations params={new URLSearchParams()} />],
  ["Settings", () => <Settings />],
  ["Approvals", () => <Approvals />],
  ["Reconciliation", () => <Reconciliation params={new URLSearchParams()} />],
  ["TR view", () => <TrView uti={UTI} />],
  ["Back-loads", () => <Backloads />],
];

afterEach(() => {
  window.location.hash = "";
});

describe("every screen in Korean", () => {
  it.each(SCREENS)("%s shows no English word outside codes and identifiers", async (_name, screen) => {
    const { client, calls } = fakeClient(respond);
    const { container } = render(<Providers client={client} lang="ko">{screen()}</Providers>);
    // Loaded: every request answered and no "loading" left on the screen.
    await waitFor(() => {
      expect(calls.length).toBeGreaterThan(0);
      expect(container.querySelector(".loading")).toBeNull();
      expect(container.querySelectorAll("table, dl, .tiles, .rule-card").length).toBeGreaterThan(0);
    });
    expect(container.querySelector(".problem")?.textContent ?? null).toBeNull(); // the fake answered everything
    // Each text with its English words, so a failure says where they are.
    const leaks = perceivable(container).filter((text) => englishWords(text).length > 0)
      .map((text) => `${englishWords(text).join(" ")} ← ${text.trim().slice(0, 120)}`);
    expect([...new Set(leaks)]).toEqual([]);
  });
});

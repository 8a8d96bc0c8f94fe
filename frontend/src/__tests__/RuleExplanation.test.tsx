import { render, screen, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { describe, expect, it } from "vitest";
import type { ApiClient } from "../api/client";
import { ApiContext, MeContext } from "../api/context";
import { I18nProvider } from "../i18n";
import TradeDetail from "../screens/TradeDetail";
import { ADMIN, fakeClient, json, Providers } from "./fakeApi";

const UTI = "9884DEMO000001";
const RULE = { id: "SR-EC-023", area: "EC", severity: "reject", severity_ko: "반려", field: "legs[0].notional.currency",
  field_label: "leg 1 notional currency", field_label_ko: "레그1 명목금액 통화", regimes: null, per_regime: false, actions: null,
  title: "Currencies are ISO 4217 codes", title_ko: "통화는 ISO 4217 통화코드여야 합니다",
  message_en: "{label} {value} is not an ISO 4217 currency code{hint}",
  message_ko: "{label_ko} {value}은(는) ISO 4217 통화코드가 아닙니다{hint_ko}", source: "ISO 4217", note: "" };
const DETAIL = {
  trade: { uti: UTI, trade_id: "T1", state: "invalid", counterparty_2_name: "Alpha" },
  current: { event_id: "e1", seq: 1, payload: {} },
  deadline: { status: "none", due_at: null, event_id: null, seq: null },
  tr_status: [],
  events: [{ id: "e1", seq: 1, version: 1, payload: {}, action_type: "NEWT", event_type: "TRAD", event_timestamp: "2026-11-20T01:00:00Z",
    state: "invalid", source: "file", regimes: ["krx"], changes: null, report_items: [],
    issues: [{ id: 7, rule_id: "SR-EC-023", severity: "reject", field: "legs[0].notional.currency", value: "KRX",
      message: "leg 1 notional currency KRX is not an ISO 4217 currency code",
      message_ko: "레그1 명목금액 통화 KRX은(는) ISO 4217 통화코드가 아닙니다", regime: null, status: "assigned", assignee: "kim" }] }],
  events_truncated: false,
  feedback: [],
};

function detailApi(rulesStatus = 200) {
  return fakeClient((c) => {
    if (c.url === "/api/rules") return rulesStatus === 200 ? json(200, { items: [RULE] }) : json(rulesStatus, { title: "Unavailable" });
    if (c.url === `/api/trades/${UTI}`) return json(200, DETAIL);
    return json(404, { title: "Not found" });
  });
}

function Korean({ client, children }: { client: ApiClient; children: ReactNode }) {
  return (
    <I18nProvider lang="ko">
      <ApiContext.Provider value={client}>
        <MeContext.Provider value={{ user: ADMIN, signOut: () => {} }}>{children}</MeContext.Provider>
      </ApiContext.Provider>
    </I18nProvider>
  );
}

describe("rule explanations", () => {
  it("are shown next to each issue in Korean when the console is in Korean", async () => {
    const { client } = detailApi();
    render(<Korean client={client}><TradeDetail uti={UTI} /></Korean>);
    const note = await screen.findByText("규칙: 통화는 ISO 4217 통화코드여야 합니다");
    const issue = note.closest("li")!;
    expect(issue.textContent).toContain("레그1 명목금액 통화 KRX는 ISO 4217 통화코드가 아닙니다");
    expect(issue.textContent).toContain("배정됨, 담당 kim");
    expect(screen.queryByText(/Currencies are ISO 4217 codes/)).toBeNull();
  });

  it("are in English for an English console", async () => {
    const { client } = detailApi();
    render(<Providers client={client}><TradeDetail uti={UTI} /></Providers>);
    await screen.findByText("Rule: Currencies are ISO 4217 codes");
  });

  it("load the catalogue once per session, whatever shows it", async () => {
    const { client, calls } = detailApi();
    const first = render(<Providers client={client}><TradeDetail uti={UTI} /><TradeDetail uti={UTI} /></Providers>);
    await waitFor(() => expect(screen.getAllByText("Rule: Currencies are ISO 4217 codes")).toHaveLength(2));
    first.unmount();
    render(<Providers client={client}><TradeDetail uti={UTI} /></Providers>);
    await screen.findByText("Rule: Currencies are ISO 4217 codes");
    expect(calls.filter((c) => c.url === "/api/rules")).toHaveLength(1);
  });

  it("leave the issue's own message when the catalogue cannot be read, and are asked for again later", async () => {
    const { client, calls } = detailApi(503);
    const first = render(<Providers client={client}><TradeDetail uti={UTI} /></Providers>);
    await screen.findByText(/leg 1 notional currency KRX is not an ISO 4217 currency code/);
    await waitFor(() => expect(calls.filter((c) => c.url === "/api/rules")).toHaveLength(1));
    expect(screen.queryByText(/^Rule:/)).toBeNull();
    first.unmount();
    render(<Providers client={client}><TradeDetail uti={UTI} /></Providers>);
    await waitFor(() => expect(calls.filter((c) => c.url === "/api/rules")).toHaveLength(2));
  });
});

import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { REFRESH_KEY, type User } from "../api/client";
import { ApiContext } from "../api/context";
import { App } from "../App";
import { I18nProvider } from "../i18n";
import Settings from "../screens/Settings";
import { ADMIN, fakeClient, json, Providers, VIEWER, type Call } from "./fakeApi";

const OPERATOR: User = { ...ADMIN, subject: "u3", username: "demo-operator", role: "operator" };

const user = (id: string, username: string, extra: Record<string, unknown> = {}) => ({
  id, tenant_id: "t1", username, display_name: null, role: "viewer", disabled: false, tenant: "demo-bank",
  created_at: "2026-11-01T00:00:00+00:00", last_login_at: null, ...extra,
});
const key = (id: string, name: string, extra: Record<string, unknown> = {}) => ({
  id, name, prefix: `srk_${id}`, scopes: ["ingest"], created_by: "u1", created_at: "2026-11-01T00:00:00+00:00",
  last_used_at: null, revoked_at: null, ...extra,
});

// GET /api/entities as shared/services/entities.py answers it
const REGIMES = [
  { regime: "krx", display_name: "KRX TR", statuses: ["REPORTING", "EXEMPT"], self_reporting: ["REPORTING"] },
  { regime: "cftc-part45", display_name: "CFTC Part 45", statuses: ["SD", "MSP", "FE", "NFE"], self_reporting: ["SD", "MSP", "FE", "NFE"] },
  { regime: "uk-emir", display_name: "UK EMIR", statuses: ["FC", "NFC+", "NFC-", "CCP"], self_reporting: ["FC", "NFC+", "CCP"] },
];
const T = "2026-11-01T00:00:00+00:00";
const HEAD_OFFICE = { entity_id: "SEOUL-HO", name: "Demo Bank Seoul", kind: "head_office", country: "KR", lei: "5493001KJTIIGC8Y1R12",
  parent: null, statuses: { krx: "REPORTING" }, created_at: T, updated_at: T };
const BRANCH = { entity_id: "LONDON-BR", name: "Demo Bank London", kind: "branch", country: "GB", lei: null, parent: "SEOUL-HO",
  statuses: { "uk-emir": "FC" }, created_at: T, updated_at: T };
const AGREEMENT = { id: "a1", client_lei: "213800ZYXWVUTSRQPO98", client_name: "Thames Widgets", regime: "uk-emir", capacity: "mandatory",
  delegate: "LONDON-BR", valid_from: "2026-01-01", valid_to: null, client_status: "NFC-", opted_out: false, created_at: T };
const BOOK = { entities: [HEAD_OFFICE, BRANCH], agreements: [AGREEMENT], regimes: REGIMES };
const EMPTY_BOOK = { entities: [], agreements: [], regimes: REGIMES };

/** The admin API as a fake: lists, and whatever `answer` says for changes. */
function adminApi(answer: (call: Call) => Response | undefined = () => undefined, book: unknown = EMPTY_BOOK) {
  return fakeClient((c) => {
    const special = answer(c);
    if (special) return special;
    if (c.url === "/api/admin/users") return json(200, { items: [user("u1", "demo-admin", { role: "admin" }), user("u9", "otto")] });
    if (c.url === "/api/admin/api-keys") return json(200, { items: [key("k1", "FEP-A")] });
    if (c.url === "/api/entities") return json(200, book);
    return json(404, { title: "Not found" });
  });
}

const changes = (calls: Call[]) => calls.filter((c) => c.method !== "GET");

afterEach(() => {
  vi.restoreAllMocks();
  window.location.hash = "";
});

describe("Settings for non-admins", () => {
  it.each([["viewer", VIEWER], ["operator", OPERATOR]])("tells a %s it is for admins, with no form and no request", async (_, who) => {
    const { client, calls } = adminApi();
    render(<Providers client={client} user={who}><Settings /></Providers>);
    expect(screen.getByRole("heading", { level: 1, name: "Settings" })).toBeTruthy();
    expect(screen.getByRole("note").textContent).toContain("administrators only");
    expect(screen.queryByRole("form")).toBeNull();
    expect(screen.queryByRole("textbox")).toBeNull();
    expect(screen.queryByRole("button")).toBeNull();
    await new Promise((r) => setTimeout(r, 20));
    expect(calls).toHaveLength(0);
  });

  it("shows the Settings link in the navigation to admins only", async () => {
    for (const [who, expected] of [[VIEWER, false], [ADMIN, true]] as const) {
      sessionStorage.setItem(REFRESH_KEY, "r1");
      window.location.hash = "#/settings";
      const { client } = fakeClient((c) => {
        if (c.url === "/api/auth/refresh") return json(200, { access_token: "a", refresh_token: "r2", expires_in: 900, user: who });
        if (c.url === "/api/auth/me") return json(200, who);
        if (c.url === "/api/entities") return json(200, EMPTY_BOOK);
        return json(200, { items: [] });
      });
      const { unmount } = render(<I18nProvider lang="en"><ApiContext.Provider value={client}><App /></ApiContext.Provider></I18nProvider>);
      const nav = await screen.findByRole("navigation", { name: "Main" });
      expect(within(nav).getByRole("link", { name: "Reports" }).getAttribute("href")).toBe("#/reports");
      expect(within(nav).getByRole("link", { name: "Audit log" })).toBeTruthy();
      expect(!!within(nav).queryByRole("link", { name: "Settings" })).toBe(expected);
      await screen.findByRole("heading", { level: 1, name: "Settings" }); // the lazy screen loaded
      unmount();
    }
  });
});

describe("The session", () => {
  it("shows sign-in, not a console, when the stored credential answers for an API key", async () => {
    sessionStorage.setItem(REFRESH_KEY, "r1");
    window.location.hash = "#/";
    const { client } = fakeClient((c) => {
      if (c.url === "/api/auth/refresh") return json(200, { access_token: "a", refresh_token: "r2", expires_in: 900, user: ADMIN });
      if (c.url === "/api/auth/me") {
        return json(200, { kind: "api_key", subject: "k1", tenant_id: "t1", name: "fep", prefix: "srk_k1", scopes: ["ingest"] });
      }
      return json(200, { items: [] });
    });
    render(<I18nProvider lang="en"><ApiContext.Provider value={client}><App /></ApiContext.Provider></I18nProvider>);
    await screen.findByRole("button", { name: "Sign in" });
    expect(screen.queryByRole("navigation", { name: "Main" })).toBeNull();
  });
});

describe("Users", () => {
  it("shows the API's field errors next to the fields of the new user", async () => {
    const { client, calls } = adminApi((c) =>
      c.method === "POST" && c.url === "/api/admin/users"
        ? json(422, { title: "Invalid request body", detail: "password: must be 12 to 1024 characters long; username: must be 3 to 100 letters",
          errors: [{ field: "password", message: "must be 12 to 1024 characters long" }, { field: "username", message: "must be 3 to 100 letters" }],
          request_id: "req-422" })
        : undefined,
    );
    render(<Providers client={client}><Settings /></Providers>);
    await screen.findByRole("table", { name: "Users" });
    fireEvent.change(screen.getByLabelText("Username"), { target: { value: "x" } });
    fireEvent.change(screen.getByLabelText("Password"), { target: { value: "short" } });
    fireEvent.click(screen.getByRole("button", { name: "Create user" }));

    const password = screen.getByLabelText("Password");
    await waitFor(() => expect(password.getAttribute("aria-invalid")).toBe("true"));
    const described = (el: HTMLElement) => (el.getAttribute("aria-describedby") ?? "").split(" ").map((id) => document.getElementById(id)?.textContent);
    expect(described(password)).toContain("must be 12 to 1024 characters long");
    expect(described(screen.getByLabelText("Username"))).toContain("must be 3 to 100 letters");
    expect(screen.getByLabelText("Role").getAttribute("aria-invalid")).toBeNull();
    const problem = screen.getByRole("alert");
    expect(problem.textContent).toContain("422 Invalid request body");
    expect(problem.textContent).toContain("req-422");
    expect(problem.textContent).not.toContain("must be 12"); // said once, next to its field

    expect(changes(calls)[0].body).toEqual({ username: "x", password: "short", role: "viewer", display_name: null });
  });

  it("creates a user and lists it", async () => {
    let created = false;
    const { client, calls } = fakeClient((c) => {
      if (c.method === "POST") {
        created = true;
        return json(201, user("u10", "kim", { role: "operator", display_name: "Kim" }));
      }
      if (c.url === "/api/admin/api-keys") return json(200, { items: [] });
      if (c.url === "/api/entities") return json(200, EMPTY_BOOK);
      return json(200, { items: created ? [user("u1", "demo-admin", { role: "admin" }), user("u10", "kim", { role: "operator" })]
        : [user("u1", "demo-admin", { role: "admin" })] });
    });
    render(<Providers client={client}><Settings /></Providers>);
    await screen.findByRole("table", { name: "Users" });
    fireEvent.change(screen.getByLabelText("Username"), { target: { value: "kim" } });
    fireEvent.change(screen.getByLabelText("Display name"), { target: { value: "Kim" } });
    fireEvent.change(screen.getByLabelText("Role"), { target: { value: "operator" } });
    fireEvent.change(screen.getByLabelText("Password"), { target: { value: "a long passphrase" } });
    fireEvent.click(screen.getByRole("button", { name: "Create user" }));
    await screen.findByText("User kim created.");
    expect(changes(calls)[0].body).toEqual({ username: "kim", password: "a long passphrase", role: "operator", display_name: "Kim" });
    await waitFor(() => expect(within(screen.getByRole("table", { name: "Users" })).getAllByRole("row")).toHaveLength(3));
    expect((screen.getByLabelText("Username") as HTMLInputElement).value).toBe(""); // the form is clear for the next one
  });

  it("changes a role only when saved, with PATCH", async () => {
    const { client, calls } = adminApi((c) =>
      c.method === "PATCH" ? json(200, user("u9", "otto", { role: "operator" })) : undefined,
    );
    render(<Providers client={client}><Settings /></Providers>);
    const select = await screen.findByLabelText("Role of otto");
    fireEvent.change(select, { target: { value: "operator" } });
    expect(changes(calls)).toHaveLength(0); // picking is not saving
    fireEvent.click(screen.getByRole("button", { name: "Save the role of otto" }));
    await screen.findByText("otto is now Operator.");
    expect(changes(calls)[0]).toMatchObject({ method: "PATCH", url: "/api/admin/users/u9", body: { role: "operator" } });
    expect((screen.getByLabelText("Role of otto") as HTMLSelectElement).value).toBe("operator");
    expect(screen.queryByRole("button", { name: "Save the role of otto" })).toBeNull();
  });

  it("disables a user only after a confirmation, and offers no way to disable yourself", async () => {
    const { client, calls } = adminApi((c) =>
      c.method === "PATCH" ? json(200, user("u9", "otto", { disabled: true })) : undefined,
    );
    render(<Providers client={client}><Settings /></Providers>);
    fireEvent.click(await screen.findByRole("button", { name: "Disable otto" }));
    expect(changes(calls)).toHaveLength(0);
    const confirm = screen.getByRole("group", { name: /Disable otto\? Their sessions end now/ });
    fireEvent.click(within(confirm).getByRole("button", { name: "Yes, disable" }));
    await screen.findByText("otto is disabled.");
    expect(changes(calls)[0]).toMatchObject({ method: "PATCH", url: "/api/admin/users/u9", body: { disabled: true } });
    expect(screen.getByRole("button", { name: "Enable otto" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Disable demo-admin" })).toBeNull(); // the signed-in admin
  });

  it("shows a refused change with the API's reason and request id", async () => {
    const { client } = adminApi((c) =>
      c.method === "PATCH" ? json(409, { title: "Conflict", detail: "demo-admin is the tenant's last active admin", request_id: "req-last" }) : undefined,
    );
    render(<Providers client={client}><Settings /></Providers>);
    fireEvent.change(await screen.findByLabelText("Role of demo-admin"), { target: { value: "viewer" } });
    fireEvent.click(screen.getByRole("button", { name: "Save the role of demo-admin" }));
    const problem = await screen.findByRole("alert");
    expect(problem.textContent).toContain("last active admin");
    expect(problem.textContent).toContain("req-last");
    expect(screen.getByText("demo-admin could not be changed:")).toBeTruthy();
  });
});

describe("API keys", () => {
  it("shows a new key's secret once, with a warning and a copy button", async () => {
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, "clipboard", { value: { writeText }, configurable: true });
    const secret = "srk_k2_9f8e7d6c5b4a39281706f5e4d3c2b1a0";
    const { client, calls } = adminApi((c) =>
      c.method === "POST" && c.url === "/api/admin/api-keys" ? json(201, key("k2", "FEP-B", { key: secret })) : undefined,
    );
    render(<Providers client={client}><Settings /></Providers>);
    await screen.findByRole("table", { name: "API keys" });
    fireEvent.change(screen.getByLabelText("Name"), { target: { value: "FEP-B" } });
    fireEvent.click(screen.getByRole("button", { name: "Create key" }));

    const box = await screen.findByRole("region", { name: "New API key: FEP-B" });
    expect(changes(calls)[0].body).toEqual({ name: "FEP-B", scopes: ["ingest"] });
    expect((within(box).getByLabelText("API key") as HTMLInputElement).value).toBe(secret);
    expect(box.textContent).toContain("shown only this once");
    await waitFor(() => expect(document.activeElement).toBe(within(box).getByRole("heading")));

    await act(async () => fireEvent.click(within(box).getByRole("button", { name: "Copy" })));
    expect(writeText).toHaveBeenCalledWith(secret);
    expect(box.textContent).toContain("Copied to the clipboard.");

    fireEvent.click(within(box).getByRole("button", { name: /I have stored it/ }));
    expect(screen.queryByRole("region", { name: /New API key/ })).toBeNull();
    expect(document.body.innerHTML).not.toContain(secret); // gone from the page for good
  });

  it("asks before revoking, and revokes with DELETE only when confirmed", async () => {
    const { client, calls } = adminApi((c) =>
      c.method === "DELETE" ? json(200, key("k1", "FEP-A", { revoked_at: "2026-11-20T07:00:00+00:00" })) : undefined,
    );
    render(<Providers client={client}><Settings /></Providers>);
    const revoke = await screen.findByRole("button", { name: "Revoke the key FEP-A" });
    fireEvent.click(revoke);
    const question = screen.getByRole("group", { name: /Revoke FEP-A\?/ });
    await waitFor(() => expect(document.activeElement).toBe(within(question).getByRole("button", { name: "Yes, revoke" })));
    fireEvent.click(within(question).getByRole("button", { name: "Cancel" }));
    expect(changes(calls)).toHaveLength(0);
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole("button", { name: "Revoke the key FEP-A" })));

    fireEvent.click(screen.getByRole("button", { name: "Revoke the key FEP-A" }));
    fireEvent.click(screen.getByRole("button", { name: "Yes, revoke" }));
    await screen.findByText("Key FEP-A (srk_k1…) revoked.");
    expect(changes(calls)).toEqual([expect.objectContaining({ method: "DELETE", url: "/api/admin/api-keys/k1" })]);
    const row = within(screen.getByRole("table", { name: "API keys" })).getAllByRole("row")[1];
    expect(row.textContent).toContain("Revoked");
    expect(within(row).queryByRole("button")).toBeNull();
  });

  it("shows a refused name next to its field", async () => {
    const { client } = adminApi((c) =>
      c.method === "POST" ? json(422, { title: "Invalid request body", detail: "name: String should have at least 1 character",
        errors: [{ field: "name", message: "String should have at least 1 character" }], request_id: "req-k" }) : undefined,
    );
    render(<Providers client={client}><Settings /></Providers>);
    await screen.findByRole("table", { name: "API keys" });
    fireEvent.click(screen.getByRole("button", { name: "Create key" }));
    const name = screen.getByLabelText("Name");
    await waitFor(() => expect(name.getAttribute("aria-invalid")).toBe("true"));
    expect(document.getElementById("nk-name-error")!.textContent).toBe("String should have at least 1 character");
    expect(screen.queryByRole("region", { name: /New API key/ })).toBeNull();
  });
});

describe("Legal entities", () => {
  it("lists the entities with their kind, LEI (a branch: its legal entity's) and statuses, and the agreements", async () => {
    const { client } = adminApi(undefined, BOOK);
    render(<Providers client={client}><Settings /></Providers>);
    const table = await screen.findByRole("table", { name: "Legal entities" });
    const [, ho, br] = within(table).getAllByRole("row");
    expect(ho.textContent).toContain("Head office");
    expect(ho.textContent).toContain("5493001KJTIIGC8Y1R12");
    expect(ho.textContent).toContain("KRX: REPORTING");
    expect(br.textContent).toContain("Branch");
    expect(br.textContent).toContain("as SEOUL-HO");
    expect(br.textContent).toContain("UK EMIR: FC");
    const agreements = screen.getByRole("table", { name: "Delegation agreements" });
    const row = within(agreements).getAllByRole("row")[1];
    expect(row.textContent).toContain("Thames Widgets");
    expect(row.textContent).toContain("On behalf, by law");
    expect(row.textContent).toContain("2026-01-01 – open-ended");
  });

  it("saves a branch with PUT: its legal entity and its status per regime, then says so", async () => {
    let saved = false;
    const { client, calls } = adminApi((c) => {
      if (c.method === "PUT") {
        saved = true;
        return json(200, { ...BRANCH, entity_id: "SG-BR", country: "SG", statuses: { krx: "EXEMPT" } });
      }
      return undefined;
    }, BOOK);
    render(<Providers client={client}><Settings /></Providers>);
    await screen.findByRole("table", { name: "Legal entities" });
    fireEvent.change(screen.getByLabelText("Entity code"), { target: { value: "SG-BR" } });
    fireEvent.change(screen.getByLabelText("Entity name"), { target: { value: "Demo Bank Singapore" } });
    expect(screen.queryByLabelText("Legal entity of a branch")).toBeNull(); // a head office has none
    fireEvent.change(screen.getByLabelText("Kind"), { target: { value: "branch" } });
    const parent = screen.getByLabelText("Legal entity of a branch");
    // a branch belongs to a head office or subsidiary: the London branch is no choice
    expect([...parent.querySelectorAll("option")].map((o) => o.getAttribute("value"))).toEqual(["", "SEOUL-HO"]);
    fireEvent.change(parent, { target: { value: "SEOUL-HO" } });
    fireEvent.change(screen.getByLabelText("Country"), { target: { value: "sg" } });
    fireEvent.change(screen.getByLabelText("Status under KRX"), { target: { value: "EXEMPT" } });
    fireEvent.click(screen.getByRole("button", { name: "Save entity" }));
    await screen.findByText("Entity SG-BR saved.");
    expect(saved).toBe(true);
    expect(changes(calls)[0]).toMatchObject({ method: "PUT", url: "/api/entities/SG-BR", body: {
      name: "Demo Bank Singapore", kind: "branch", country: "SG", lei: null, parent: "SEOUL-HO", statuses: { krx: "EXEMPT" } } });
  });

  it("edits an entity in the form, its code kept, and shows the domain's refusal beside the statuses", async () => {
    const { client, calls } = adminApi((c) => c.method === "PUT"
      ? json(422, { title: "Invalid request", detail: "the entity cannot be saved: statuses.uk-emir: 'SD' is not a UK EMIR status (FC, NFC+, NFC-, CCP)",
        errors: [{ field: "statuses.uk-emir", message: "'SD' is not a UK EMIR status (FC, NFC+, NFC-, CCP)", code: null }], request_id: "req-e" })
      : undefined, BOOK);
    render(<Providers client={client}><Settings /></Providers>);
    fireEvent.click(await screen.findByRole("button", { name: "Edit LONDON-BR" }));
    const code = screen.getByLabelText("Entity code") as HTMLInputElement;
    expect([code.value, code.readOnly]).toEqual(["LONDON-BR", true]);
    expect((screen.getByLabelText("Status under UK EMIR") as HTMLSelectElement).value).toBe("FC");
    fireEvent.click(screen.getByRole("button", { name: "Save entity" }));
    const statuses = await screen.findByRole("group", { name: "Status per regime" });
    await waitFor(() => expect(statuses.getAttribute("aria-describedby")).toBe("ne-statuses-error"));
    expect(document.getElementById("ne-statuses-error")!.textContent).toContain("'SD' is not a UK EMIR status");
    expect(screen.getByRole("alert").textContent).toContain("req-e");
    expect(changes(calls)[0]).toMatchObject({ url: "/api/entities/LONDON-BR", body: { kind: "branch", parent: "SEOUL-HO", lei: null } });
  });

  it("removes an entity only when confirmed, and explains a refusal while a branch names it", async () => {
    const { client, calls } = adminApi((c) => c.method === "DELETE"
      ? json(409, { title: "Conflict", detail: "SEOUL-HO cannot be removed while its branch LONDON-BR name it", reason: "entity_in_use", request_id: "req-d" })
      : undefined, BOOK);
    render(<Providers client={client}><Settings /></Providers>);
    fireEvent.click(await screen.findByRole("button", { name: "Remove SEOUL-HO" }));
    expect(changes(calls)).toHaveLength(0);
    fireEvent.click(within(screen.getByRole("group", { name: /Remove SEOUL-HO\?/ })).getByRole("button", { name: "Yes, remove" }));
    const problem = await screen.findByRole("alert");
    expect(problem.textContent).toContain("Branches or agreements still name this entity");
    expect(problem.textContent).toContain("its branch LONDON-BR");
    expect(screen.getByText("SEOUL-HO could not be removed:")).toBeTruthy();
    expect(changes(calls)).toEqual([expect.objectContaining({ method: "DELETE", url: "/api/entities/SEOUL-HO" })]);
  });

  it("adds a delegation agreement with POST, offering the chosen regime's statuses", async () => {
    const { client, calls } = adminApi((c) => c.method === "POST" ? json(201, { ...AGREEMENT, id: "a2", client_name: "Acme" }) : undefined, BOOK);
    render(<Providers client={client}><Settings /></Providers>);
    await screen.findByRole("table", { name: "Delegation agreements" });
    fireEvent.change(screen.getByLabelText("Client LEI"), { target: { value: "529900t8bm49aursdo55" } });
    fireEvent.change(screen.getByLabelText("Client name"), { target: { value: "Acme" } });
    fireEvent.change(screen.getByLabelText("Regime"), { target: { value: "uk-emir" } });
    const status = screen.getByLabelText("Client's status");
    expect([...status.querySelectorAll("option")].map((o) => o.getAttribute("value"))).toEqual(["", "FC", "NFC+", "NFC-", "CCP"]);
    fireEvent.change(status, { target: { value: "NFC-" } });
    fireEvent.change(screen.getByLabelText("Submitted by"), { target: { value: "LONDON-BR" } });
    fireEvent.change(screen.getByLabelText("Valid from"), { target: { value: "2026-03-01" } });
    fireEvent.click(screen.getByRole("button", { name: "Add agreement" }));
    await screen.findByText("Agreement with Acme added.");
    expect(changes(calls)[0]).toMatchObject({ method: "POST", url: "/api/delegations", body: {
      client_lei: "529900T8BM49AURSDO55", client_name: "Acme", regime: "uk-emir", capacity: "mandatory", delegate: "LONDON-BR",
      valid_from: "2026-03-01", valid_to: null, client_status: "NFC-", opted_out: false } });
  });

  it("asks for an entity before an agreement, and says no entity means the tenant's regimes", async () => {
    const { client } = adminApi();
    render(<Providers client={client}><Settings /></Providers>);
    expect((await screen.findByText(/No entities yet/)).textContent).toContain("tenant's regimes");
    expect(screen.getByText(/Add an entity first/)).toBeTruthy();
    expect(screen.queryByRole("button", { name: "Add agreement" })).toBeNull();
  });
});

import { useEffect, useState } from "react";
import type { Lang } from "../i18n";
import type { ApiClient } from "./client";
import { useApi } from "./context";
import type { Schemas } from "./types/spec";

/** A validation rule as GET /api/rules answers (shared/api/routes/rules.py); `regimes` and
 * `actions` null: every regime, every action type. */
export type Rule = Schemas["Rule"];

export type RuleCatalogue = ReadonlyMap<string, Rule>;

// One load per client (per session): the catalogue changes only with a deployment. A failed
// load is forgotten, so the next screen tries again.
const loads = new WeakMap<ApiClient, Promise<RuleCatalogue>>();

export function loadRules(api: ApiClient): Promise<RuleCatalogue> {
  let load = loads.get(api);
  if (!load) {
    load = api
      .get<{ items: Rule[] }>("/api/rules")
      .then((answer) => new Map(answer.items.map((r) => [r.id, r])) as RuleCatalogue);
    load.catch(() => loads.delete(api));
    loads.set(api, load);
  }
  return load;
}

/** The catalogue, or null while it loads (or when it could not be loaded: explanations are
 * extra, the issues' own messages still say what is wrong). */
export function useRules(): RuleCatalogue | null {
  const api = useApi();
  const [rules, setRules] = useState<RuleCatalogue | null>(null);
  useEffect(() => {
    let live = true;
    loadRules(api)
      .then((r) => live && setRules(r))
      .catch(() => live && setRules(null));
    return () => {
      live = false;
    };
  }, [api]);
  return rules;
}

/** What the rule checks, in the UI language. */
export const ruleTitle = (rule: Rule, lang: Lang): string => (lang === "ko" ? rule.title_ko : rule.title);

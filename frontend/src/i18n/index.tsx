import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { en, type MessageKey } from "./en";
import { ko } from "./ko";
import { isParticle, particle } from "./particles";

export type Lang = "en" | "ko";
const DICTIONARIES: Record<Lang, Record<MessageKey, string>> = { en, ko };
const STORE_KEY = "swaprep.lang";

/** Korean for a Korean browser, unless the user picked a language before. */
export function initialLang(navigatorLanguage = typeof navigator === "undefined" ? "en" : navigator.language): Lang {
  const saved = typeof localStorage === "undefined" ? null : localStorage.getItem(STORE_KEY);
  if (saved === "en" || saved === "ko") return saved;
  return navigatorLanguage.toLowerCase().startsWith("ko") ? "ko" : "en";
}

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

/** `{name}` is the value; `{name|은}` (이, 을, 과, 으로 or their pairs) adds the particle the
 * value's Korean reading takes (particles.ts): "{regime|은}" gives "KRX는", "EMIR는" (에미르);
 * "{n|을}" gives "3을" (삼), "2를" (이). An unknown name stays as written. */
export function translate(lang: Lang, key: MessageKey, vars: Record<string, string | number> = {}): string {
  return DICTIONARIES[lang][key].replace(/\{(\w+)(?:\|([가-힣]+))?\}/g, (whole, name: string, p?: string) => {
    if (vars[name] === undefined) return whole;
    const value = String(vars[name]);
    return p && isParticle(p) ? value + particle(value, p) : value;
  });
}

interface I18n {
  lang: Lang;
  setLang: (lang: Lang) => void;
  t: Translate;
}

const I18nContext = createContext<I18n>({ lang: "en", setLang: () => {}, t: (k, v) => translate("en", k, v) });

export function I18nProvider({ children, lang: fixed }: { children: ReactNode; lang?: Lang }) {
  const [lang, setLangState] = useState<Lang>(() => fixed ?? initialLang());
  const setLang = useCallback((next: Lang) => {
    localStorage.setItem(STORE_KEY, next);
    setLangState(next);
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const value = useMemo(() => ({ lang, setLang, t: ((k, v) => translate(lang, k, v)) as Translate }), [lang, setLang]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export const useI18n = (): I18n => useContext(I18nContext);
export const useT = (): Translate => useContext(I18nContext).t;

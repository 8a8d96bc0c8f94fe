import { useEffect, useRef, useState, type MouseEvent } from "react";
import { useT } from "../i18n";

/** The shortened form of a long id: its start and end around "…" (ids differ at both ends:
 * a UTI's LEI prefix, a sequence at the end). Short ids are shown whole. */
export function shortId(value: string, head = 10, tail = 6): string {
  return value.length <= head + tail + 1 ? value : `${value.slice(0, head)}…${value.slice(-tail)}`;
}

const SHOWN_MS = 2000;

/** A UTI, LEI or event id on one line: start and end in monospace, the whole value in the
 * tooltip and to screen readers, and a copy button with a visible "Copied" confirmation.
 * The copy does not open the table row it sits in. With `href`, the id is a link there. */
export function Id({ value, head, tail, href }: { value: string; head?: number; tail?: number; href?: string }) {
  const t = useT();
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);
  const short = shortId(value, head, tail);
  const copy = async (event: MouseEvent) => {
    event.stopPropagation();
    try {
      if (!navigator.clipboard) throw new Error("no clipboard");
      await navigator.clipboard.writeText(value);
      setState("copied");
    } catch {
      setState("failed");
    }
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setState("idle"), SHOWN_MS);
  };
  const text = short === value ? value : (
    <>
      <span aria-hidden="true">{short}</span>
      <span className="sr-only">{value}</span>
    </>
  );
  return (
    <span className="id">
      {href ? <a className="id-text" href={href} title={value}>{text}</a> : <span className="id-text" title={value}>{text}</span>}
      <button type="button" className="id-copy" aria-label={t("id.copy", { value })} title={t("id.copy", { value })}
        onClick={copy} onKeyDown={(e) => e.stopPropagation()}>
        <span aria-hidden="true">⧉</span>
      </button>
      <span className="id-status" aria-live="polite">
        {state === "copied" ? t("id.copied") : state === "failed" ? t("id.copy_failed") : ""}
      </span>
    </span>
  );
}

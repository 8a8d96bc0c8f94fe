import { useCallback, useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import { useT } from "../i18n";

export interface ChoosableColumn {
  key: string;
  label: string;
  /** Always shown (the row's identity): offered checked and disabled. */
  required?: boolean;
}

interface StoredChoice {
  shown: string[];
  /** The columns that existed when the choice was made: a column added later takes its default. */
  known: string[];
}

/** The visible columns as kept in localStorage; unknown keys dropped, required ones forced on. */
export function readColumnChoice(storageKey: string, columns: ChoosableColumn[], defaults: string[]): string[] {
  let stored: StoredChoice | null = null;
  try {
    const parsed = JSON.parse(localStorage.getItem(storageKey) ?? "null") as Partial<StoredChoice> | null;
    if (parsed && Array.isArray(parsed.shown) && Array.isArray(parsed.known)) stored = parsed as StoredChoice;
  } catch {
    // damaged or foreign value: the defaults
  }
  return columns
    .filter((c) => c.required || (stored && stored.known.includes(c.key) ? stored.shown.includes(c.key) : defaults.includes(c.key)))
    .map((c) => c.key);
}

/** [visible keys, set them]: the choice survives a reload in this browser. */
export function useColumnChoice(storageKey: string, columns: ChoosableColumn[], defaults: string[]) {
  const [visible, setVisible] = useState(() => readColumnChoice(storageKey, columns, defaults));
  const choose = useCallback(
    (keys: string[]) => {
      const next = columns.filter((c) => c.required || keys.includes(c.key)).map((c) => c.key);
      setVisible(next);
      try {
        localStorage.setItem(storageKey, JSON.stringify({ shown: next, known: columns.map((c) => c.key) }));
      } catch {
        // storage full or disabled: the choice lasts for this page only
      }
    },
    [storageKey, columns],
  );
  return [visible, choose] as const;
}

/** A disclosure button opening a fieldset of checkboxes, one per column; Escape closes it and
 * gives focus back to the button. */
export function ColumnChooser({ columns, visible, defaults, onChange }: {
  columns: ChoosableColumn[];
  visible: string[];
  defaults: string[];
  onChange: (keys: string[]) => void;
}) {
  const t = useT();
  const [open, setOpen] = useState(false);
  const panelId = useId();
  const button = useRef<HTMLButtonElement>(null);
  const container = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    const outside = (event: MouseEvent) => {
      if (!container.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", outside);
    return () => document.removeEventListener("mousedown", outside);
  }, [open]);

  const close = (event: KeyboardEvent) => {
    if (event.key !== "Escape") return;
    event.preventDefault();
    setOpen(false);
    button.current?.focus();
  };
  const toggle = (key: string, on: boolean) =>
    onChange(on ? [...visible, key] : visible.filter((k) => k !== key));

  return (
    <div className="column-chooser" ref={container} onKeyDown={close}>
      <button type="button" ref={button} aria-expanded={open} aria-controls={panelId} onClick={() => setOpen((o) => !o)}>
        {t("columns.button", { shown: visible.length, all: columns.length })}
      </button>
      {open && (
        <fieldset id={panelId} className="column-panel">
          <legend>{t("columns.legend")}</legend>
          {columns.map((c) => (
            <label key={c.key}>
              <input
                type="checkbox"
                checked={c.required || visible.includes(c.key)}
                disabled={c.required}
                onChange={(e) => toggle(c.key, e.target.checked)}
              />{" "}
              {c.label}
              {c.required && <span className="muted"> {t("columns.required")}</span>}
            </label>
          ))}
          <button type="button" onClick={() => onChange(defaults)}>
            {t("columns.reset")}
          </button>
        </fieldset>
      )}
    </div>
  );
}

import { useEffect, useRef, useState } from "react";
import { useT } from "../../i18n";

/** A button for a change that cannot be undone: the first press asks, "Confirm" acts, "Cancel"
 * (or Escape) returns to the button. Focus follows, so keyboard users never lose their place. */
export function ConfirmButton({ label, accessibleLabel, question, confirmLabel, disabled, onConfirm }: {
  label: string;
  accessibleLabel?: string;
  question: string;
  confirmLabel: string;
  disabled?: boolean;
  onConfirm: () => Promise<void> | void;
}) {
  const t = useT();
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const opener = useRef<HTMLButtonElement>(null);
  const confirm = useRef<HTMLButtonElement>(null);
  const wasAsking = useRef(false);
  useEffect(() => {
    if (asking) confirm.current?.focus();
    else if (wasAsking.current) opener.current?.focus();
    wasAsking.current = asking;
  }, [asking]);

  if (!asking) {
    return (
      <button ref={opener} type="button" disabled={disabled} aria-label={accessibleLabel} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  const act = async () => {
    setBusy(true);
    try {
      await onConfirm();
    } finally {
      setBusy(false);
      setAsking(false);
    }
  };
  return (
    <span className="confirm" role="group" aria-label={question}
      onKeyDown={(e) => e.key === "Escape" && !busy && setAsking(false)}>
      <span className="question">{question}</span>{" "}
      <button ref={confirm} type="button" className="danger" disabled={busy} onClick={act}>
        {busy ? t("settings.working") : confirmLabel}
      </button>{" "}
      <button type="button" disabled={busy} onClick={() => setAsking(false)}>
        {t("settings.cancel")}
      </button>
    </span>
  );
}

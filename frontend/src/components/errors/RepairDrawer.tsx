import { useEffect, useRef, useState, type KeyboardEvent } from "react";
import { useI18n } from "../../i18n";
import { RepairForm, type Change } from "../RepairForm";

/** The repair of one event beside the error list (sticky on the right, so it is in view
 * wherever the list is scrolled): the failing field's current value, the preview that
 * re-validates as you type, Apply, and "Apply and next" (applies, then opens the next open
 * item of the group). Opened from the URL (`event=`, `field=`, `value=`). */
export function RepairDrawer({ eventId, initial, context, canApply, onActed, onNext, onClose }: {
  eventId: string;
  initial: Change[];
  /** What the event is in the error list for (a rule id, a TR code): shown as the heading's context. */
  context?: string;
  canApply: boolean;
  /** After an act: the list and the group counts are read again. */
  onActed: () => void;
  /** Opens the next open item of the group; false when there is none. */
  onNext?: () => Promise<boolean>;
  onClose: () => void;
}) {
  const { t } = useI18n();
  const heading = useRef<HTMLHeadingElement>(null);
  const [noNext, setNoNext] = useState(false);
  useEffect(() => heading.current?.focus(), [eventId]); // keyboard users land in the drawer

  const applyNext = async () => {
    if (onNext && !(await onNext())) setNoNext(true);
  };
  const escape = (e: KeyboardEvent) => {
    if (e.key === "Escape") onClose();
  };
  return (
    <section className="repair-drawer" aria-labelledby="drawer-title" onKeyDown={escape}>
      <div className="drawer-head">
        <h2 id="drawer-title" ref={heading} tabIndex={-1}>
          {t("repair.drawer")} <code>{eventId.slice(0, 8)}</code>
          {context && <span className="muted"> · {context}</span>}
        </h2>
        <button type="button" onClick={onClose}>{t("repair.close")}</button>
      </div>
      <RepairForm key={eventId} eventId={eventId} canApply={canApply} initial={initial}
        onApplied={() => onActed()}
        onApplyNext={onNext ? () => void applyNext() : undefined} />
      {noNext && <p role="status" className="muted">{t("repair.no_next")}</p>}
    </section>
  );
}

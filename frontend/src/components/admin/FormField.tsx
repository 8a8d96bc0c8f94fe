import type { ReactNode } from "react";

/** A labelled form control with its hint and the API's messages for it, tied by aria-describedby. */
export function FormField({ id, label, hint, errors, children }: {
  id: string;
  label: string;
  hint?: string;
  errors?: string[];
  children: (describedBy: string | undefined, invalid: boolean) => ReactNode;
}) {
  const invalid = !!errors && errors.length > 0;
  const describedBy = [hint ? `${id}-hint` : "", invalid ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(describedBy, invalid)}
      {hint && <span id={`${id}-hint`} className="hint">{hint}</span>}
      {invalid && (
        <span id={`${id}-error`} className="field-error">
          {errors!.join("; ")}
        </span>
      )}
    </div>
  );
}

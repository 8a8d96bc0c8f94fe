import { useI18n } from "../i18n";

/** A time in the user's zone; the exact UTC instant on hover (title) and for machines (dateTime). */
export function Time({ value, dateOnly = false }: { value: string | null | undefined; dateOnly?: boolean }) {
  const { lang } = useI18n();
  if (!value) return <span>—</span>;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return <span>{value}</span>;
  const text = new Intl.DateTimeFormat(lang === "ko" ? "ko-KR" : "en-GB", {
    dateStyle: "medium",
    ...(dateOnly ? {} : { timeStyle: "short" }),
  }).format(date);
  const utc = date.toISOString().replace(".000Z", "Z");
  return (
    <time dateTime={utc} title={`${utc} (UTC)`}>
      {text}
    </time>
  );
}

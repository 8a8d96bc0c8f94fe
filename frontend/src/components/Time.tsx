import { useI18n, useT, type Lang } from "../i18n";

/** A time as <Time> shows it, as text (for a time inside a sentence). */
export function timeText(date: Date, lang: Lang, dateOnly = false): string {
  return new Intl.DateTimeFormat(lang === "ko" ? "ko-KR" : "en-GB", {
    dateStyle: "medium",
    ...(dateOnly ? {} : { timeStyle: "short" }),
  }).format(date);
}

/** A time in the user's zone (the browser's); the exact UTC instant on hover (title) and for
 * machines (dateTime). Screens that list times say which zone with <ZoneNote />. */
export function Time({ value, dateOnly = false }: { value: string | null | undefined; dateOnly?: boolean }) {
  const { lang } = useI18n();
  if (!value) return <span>—</span>;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return <span>{value}</span>;
  const text = timeText(date, lang, dateOnly);
  const utc = date.toISOString().replace(".000Z", "Z");
  return (
    <time dateTime={utc} title={`${utc} (UTC)`}>
      {text}
    </time>
  );
}

/** The zone <Time> shows times in, as the browser has it: its IANA name and UTC offset now,
 * e.g. { zone: "Asia/Seoul", offset: "UTC+9" }. */
export function displayZone(at: Date = new Date()): { zone: string; offset: string } {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  const part = new Intl.DateTimeFormat("en-US", { timeZoneName: "shortOffset" })
    .formatToParts(at)
    .find((p) => p.type === "timeZoneName")?.value;
  const offset = !part || part === "GMT" ? "UTC" : part.replace("GMT", "UTC");
  return { zone, offset };
}

/** "Times in Asia/Seoul (UTC+9); hover for UTC": the truthful heading of a list of <Time>s. */
export function ZoneNote() {
  const t = useT();
  const { zone, offset } = displayZone();
  return <p className="muted zone-note">{t("time.zone_note", { zone, offset })}</p>;
}

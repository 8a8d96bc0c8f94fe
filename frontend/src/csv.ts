// CSV as spreadsheets read it (RFC 4180), safe to open: pure functions, no DOM.

export type CsvValue = string | number | boolean | null | undefined;

/** Excel on Korean Windows reads a CSV as CP949 unless it starts with the UTF-8 byte order mark. */
export const BOM = "\uFEFF";
const LINE_END = "\r\n"; // RFC 4180 records end with CRLF

// A cell starting with one of these is run as a formula by Excel, LibreOffice and Sheets
// (OWASP "CSV injection"); tab and carriage return are in the list too because spreadsheets
// skip them before looking for the formula sign.
const FORMULA_START = /^[=+\-@\t\r]/;

/** The text of one cell: a leading ' keeps a formula-like text inert; quoted when it must be
 * (comma, double quote, CR or LF), inner quotes doubled. Numbers and booleans are written as is:
 * -5 is a number, not a formula. */
export function csvCell(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  if (typeof value !== "string") return String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(values: readonly CsvValue[]): string {
  return values.map(csvCell).join(",");
}

/** A whole document: a header record, then one record per row, every record CRLF-terminated. */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  return [header, ...rows].map((r) => csvRow(r) + LINE_END).join("");
}

/** The file's bytes as a Blob: BOM + UTF-8 text. */
export function csvBlob(text: string): Blob {
  return new Blob([BOM + text], { type: "text/csv;charset=utf-8" });
}

/** `trades-demo-bank-2026-11-20.csv`: what, whose and when, in characters every OS accepts. */
export function csvFileName(what: string, tenant: string, day: string): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, "-").replace(/^-+|-+$/g, "") || "x";
  return `${safe(what)}-${safe(tenant)}-${safe(day)}.csv`;
}

/** Hands a Blob to the browser as a download named `fileName`. */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

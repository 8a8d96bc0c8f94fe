import { describe, expect, it } from "vitest";
import { BOM, csvBlob, csvCell, csvFileName, toCsv } from "../csv";

describe("CSV", () => {
  it("quotes a cell only when RFC 4180 needs it, doubling inner quotes", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
    expect(csvCell("cr\rhere")).toBe('"cr\rhere"');
    expect(csvCell(null)).toBe("");
    expect(csvCell(undefined)).toBe("");
    expect(csvCell("한국데모증권")).toBe("한국데모증권");
  });

  it("keeps formula-like text inert with a leading quote, numbers as numbers", () => {
    expect(csvCell("=1+2")).toBe("'=1+2");
    expect(csvCell("+82-2-000")).toBe("'+82-2-000");
    expect(csvCell("-5")).toBe("'-5");
    expect(csvCell("@SUM(A1)")).toBe("'@SUM(A1)");
    expect(csvCell("\t=cmd")).toBe("'\t=cmd");
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe('"\'=HYPERLINK(""http://x"",""y"")"');
    expect(csvCell(-5)).toBe("-5");
    expect(csvCell("a=b")).toBe("a=b"); // only the first character makes a formula
  });

  it("ends every record with CRLF, header first", () => {
    expect(toCsv(["UTI", "Name"], [["U1", "A, B"], ["U2", null]])).toBe('UTI,Name\r\nU1,"A, B"\r\nU2,\r\n');
  });

  it("writes UTF-8 behind a byte order mark", async () => {
    const bytes = new Uint8Array(await csvBlob("가\r\n").arrayBuffer());
    expect([...bytes]).toEqual([0xef, 0xbb, 0xbf, 0xea, 0xb0, 0x80, 0x0d, 0x0a]);
    expect(BOM).toBe("\uFEFF");
    expect(csvBlob("x").type).toBe("text/csv;charset=utf-8");
  });

  it("names the file after what, whose and when, in safe characters", () => {
    expect(csvFileName("trades", "demo-bank", "2026-11-20")).toBe("trades-demo-bank-2026-11-20.csv");
    expect(csvFileName("trades", "a/b c", "2026-11-20")).toBe("trades-a-b-c-2026-11-20.csv");
  });
});

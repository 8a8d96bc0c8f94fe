import { describe, expect, it } from "vitest";
import { resolvePairs } from "../i18n/particles";

describe("the server's paired particles", () => {
  it("picks the one the word before takes", () => {
    expect(resolvePairs("통화 XYZ은(는) ISO 4217 통화코드가 아닙니다")).toBe("통화 XYZ는 ISO 4217 통화코드가 아닙니다");
    expect(resolvePairs("만기일 2026-01-05이(가) 효력발생일보다 앞섭니다")).toBe("만기일 2026-01-05가 효력발생일보다 앞섭니다");
    expect(resolvePairs("조치유형 NEWT과(와) 이벤트유형 TRAD의 조합")).toBe("조치유형 NEWT와 이벤트유형 TRAD의 조합");
    expect(resolvePairs("보고기한 2026-12-07T15:00:00+09:00을(를) 지났습니다")).toBe("보고기한 2026-12-07T15:00:00+09:00을 지났습니다");
    expect(resolvePairs("금액이(가) 기준(으)로 넘습니다")).toBe("금액이 기준으로 넘습니다");
  });

  it("leaves a text without pairs as it is", () => {
    expect(resolvePairs("거래 상대방 LEI가 없습니다")).toBe("거래 상대방 LEI가 없습니다");
  });
});

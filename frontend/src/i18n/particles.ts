// Korean particles chosen by the word before them: 은/는, 이/가, 을/를, 과/와, (으)로.
// es-hangul picks by the last Hangul syllable's final consonant; what it cannot read (digits,
// lower-case Latin, acronyms said as words such as EMIR "에미르") gets its Korean reading's
// last syllable here first, and the choice is then es-hangul's.
import { josa } from "es-hangul";

/** Each particle as the templates write it (`{x|은}`), mapped to es-hangul's option. */
const OPTIONS = {
  은: "은/는", 는: "은/는",
  이: "이/가", 가: "이/가",
  을: "을/를", 를: "을/를",
  과: "와/과", 와: "와/과",
  으로: "으로/로", 로: "으로/로",
} as const;
export type Particle = keyof typeof OPTIONS;
export const isParticle = (p: string): p is Particle => Object.hasOwn(OPTIONS, p);

// The last syllable of each Latin letter's Korean name (A 에이, L 엘, M 엠, R 알, X 엑스, ...).
const LETTER: Record<string, string> = {
  A: "이", B: "비", C: "씨", D: "디", E: "이", F: "프", G: "지", H: "치", I: "이", J: "이",
  K: "이", L: "엘", M: "엠", N: "엔", O: "오", P: "피", Q: "큐", R: "알", S: "스", T: "티",
  U: "유", V: "이", W: "유", X: "스", Y: "이", Z: "트",
};
// Acronyms said as a word, not letter by letter (the last syllable of the word).
const SAID_AS_WORD: Record<string, string> = { EMIR: "르", ESMA: "마", NAVER: "버", SWIFT: "트" };
const LOWER_END: Record<string, string> = { l: "을", m: "음", n: "은" };
const DIGIT = ["영", "일", "이", "삼", "사", "오", "육", "칠", "팔", "구"];
// A whole number ending in zeros is read by its last unit: 10 십, 300 삼백, 5000 오천, 20000 이만.
const UNIT_BY_ZEROS = ["", "십", "백", "천", "만", "만", "만", "만", "억", "억", "억", "억", "조"];
const SYMBOL: Record<string, string> = { "%": "트" }; // 퍼센트

/** The Korean reading's last syllable of the word's end, or "" when it has none to go by. */
export function lastSyllable(word: string): string {
  // A parenthesis adds to the word before it: "승인(ACK)" takes the particle of 승인.
  let w = word.trim().replace(/\s*\([^()]*\)$/, "").replace(/["'’”»)\].…\s]+$/, "");
  if (!w) return "";
  const last = w[w.length - 1];
  if (/[가-힣]/.test(last)) return last;
  if (SYMBOL[last]) return SYMBOL[last];
  const digits = /(\d[\d,]*)(?:\.(\d+))?$/.exec(w);
  if (digits) {
    if (digits[2]) return DIGIT[Number(digits[2][digits[2].length - 1])]; // 99.3: 구십구 점 삼
    const n = digits[1].replace(/,/g, "");
    if (/^0+$/.test(n)) return "영";
    const zeros = n.length - n.replace(/0+$/, "").length;
    return zeros === 0 ? DIGIT[Number(n[n.length - 1])] : UNIT_BY_ZEROS[Math.min(zeros, 12)];
  }
  const latin = /([A-Za-z]+)$/.exec(w);
  if (latin) {
    const said = SAID_AS_WORD[latin[1].toUpperCase()];
    if (said) return said;
    // Capitals are said letter by letter (KRX 케이알엑스); a lower-case word is said as a word,
    // and ends on a final consonant only after l, m, n or ng (demo-admin 어드민, viewer 뷰어).
    if (latin[1] !== latin[1].toUpperCase()) return /ng$/i.test(latin[1]) ? "응" : LOWER_END[latin[1].slice(-1).toLowerCase()] ?? "어";
    return LETTER[latin[1][latin[1].length - 1].toUpperCase()];
  }
  w = w.slice(0, -1); // another symbol (a dash, a slash): go by what is before it
  return lastSyllable(w);
}

/** The particle that follows `word`: particle("KRX", "은") is "는", particle("EMIR", "이") "가". */
export function particle(word: string, which: Particle): string {
  const option = OPTIONS[which];
  const syllable = lastSyllable(word);
  // Nothing to read (an empty value): both forms side by side, as Korean writes it.
  if (!syllable) return option === "으로/로" ? "(으)로" : `${option.split("/")[0]}(${option.split("/")[1]})`;
  return josa.pick(syllable, option);
}

// The API's Korean texts (rule messages built on the server) write both forms, "KRX은(는)", as
// Korean does when the word is not known in advance; the console knows the word and picks.
const PAIRED = /(\S+?)(은\(는\)|는\(은\)|이\(가\)|가\(이\)|을\(를\)|를\(을\)|과\(와\)|와\(과\)|\(으\)로)/g;
const PAIR_TO: Record<string, Particle> = {
  "은(는)": "은", "는(은)": "은", "이(가)": "이", "가(이)": "이", "을(를)": "을", "를(을)": "을",
  "과(와)": "과", "와(과)": "과", "(으)로": "으로",
};

/** `text` with every paired particle ("은(는)") replaced by the one its word takes. */
export function resolvePairs(text: string): string {
  return text.replace(PAIRED, (_, word: string, pair: string) => word + particle(word, PAIR_TO[pair]));
}

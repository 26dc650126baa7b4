// Date, time and coordinate formatting for the two UI languages. Dates follow the app's language,
// never the operating system's locale: ДД.ММ.ГГГГ in Russian, DD/MM/YYYY (day first) in English.
import type { Lang, T } from "./lang";

const p2 = (n: number) => String(n).padStart(2, "0");
const sep = (lang: Lang) => (lang === "ru" ? "." : "/");

/** RFC 3339 timestamp → the device's local date and time, "02.03.2026 14:05" / "02/03/2026 14:05".
 *  Unparseable input is shown as is. */
export function dateTime(at: string | null | undefined, lang: Lang): string {
  if (!at) return "—";
  const d = new Date(at);
  if (isNaN(d.getTime())) return at;
  const s = sep(lang);
  return `${p2(d.getDate())}${s}${p2(d.getMonth() + 1)}${s}${d.getFullYear()} ${p2(d.getHours())}:${p2(d.getMinutes())}`;
}

/** "YYYY-MM-DD" (a calendar date, no time zone) → "02.03.2026" / "02/03/2026". */
export function date(ymd: string, lang: Lang): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  if (!m) return ymd;
  const s = sep(lang);
  return `${m[3]}${s}${m[2]}${s}${m[1]}`;
}

/** What a typed date is: empty, a real calendar date ("YYYY-MM-DD"), not a date of the
 *  calendar (31.02.2027), or not in the form at all. Day first in both languages, with ".", "/"
 *  or "-" between the parts; "YYYY-MM-DD" is taken as well (a pasted ISO date). */
export type ParsedDate = { ok: "empty" } | { ok: "date"; ymd: string } | { ok: "no_such_day" } | { ok: "form" };

export function parseDate(text: string): ParsedDate {
  const s = text.trim();
  if (!s) return { ok: "empty" };
  let m = /^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$/.exec(s);
  let [d, mo, y] = m ? [+m[1], +m[2], +m[3]] : [0, 0, 0];
  if (!m) {
    m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s) ?? /^(\d{2})(\d{2})(\d{4})$/.exec(s);
    if (!m) return { ok: "form" };
    [d, mo, y] = m[1].length === 4 ? [+m[3], +m[2], +m[1]] : [+m[1], +m[2], +m[3]];
  }
  if (y < 1900 || y > 2999) return { ok: "form" };
  const t = new Date(Date.UTC(y, mo - 1, d));
  if (mo < 1 || mo > 12 || t.getUTCDate() !== d || t.getUTCMonth() !== mo - 1) return { ok: "no_such_day" };
  return { ok: "date", ymd: `${y}-${p2(mo)}-${p2(d)}` };
}

/** Digits as typed → the date's parts with separators put in: "2803" → "28.03", "28032027" →
 *  "28.03.2027", for a numeric keypad that has no "." key. */
export function autoSeparate(digits: string, lang: Lang): string {
  const s = sep(lang);
  const d = digits.slice(0, 8);
  if (d.length <= 2) return d;
  if (d.length <= 4) return `${d.slice(0, 2)}${s}${d.slice(2)}`;
  return `${d.slice(0, 2)}${s}${d.slice(2, 4)}${s}${d.slice(4)}`;
}

/** Seconds → "0:42", "4:59", "3:59:59" (a countdown). */
export function countdown(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${p2(m)}:${p2(s % 60)}` : `${m}:${p2(s % 60)}`;
}

export function dateRange(from: string, to: string, lang: Lang): string {
  return from === to ? date(from, lang) : `${date(from, lang)} – ${date(to, lang)}`;
}

/** Degrees × 10^7 (as in records) → "55.7558000, 37.6176000". */
export function coords(lat: number | null, lon: number | null): string | null {
  if (lat === null || lon === null) return null;
  return `${(lat / 1e7).toFixed(6)}, ${(lon / 1e7).toFixed(6)}`;
}

/** Today as YYYY-MM-DD in local time, for date inputs. */
export function todayYmd(): string {
  const d = new Date();
  return `${d.getFullYear()}-${p2(d.getMonth() + 1)}-${p2(d.getDate())}`;
}

/** Minutes → "12 ч 05 мин" / "12 h 05 min". */
export function duration(minutes: number, t: T): string {
  const m = Math.max(0, Math.floor(minutes));
  return t("hoursMinutes", { h: Math.floor(m / 60), m: String(m % 60).padStart(2, "0") });
}

/** "YYYY-MM-DD" plus `days` calendar days (no time zone involved). */
export function addDays(ymd: string, days: number): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  if (!m) return ymd;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3] + days));
  return d.toISOString().slice(0, 10);
}

// Date, time and coordinate formatting for the two UI languages.
import type { Lang, T } from "./lang";

const locale = (lang: Lang) => (lang === "ru" ? "ru-RU" : "en-GB");

/** RFC 3339 timestamp → local date and time. Unparseable input is shown as is. */
export function dateTime(at: string | null | undefined, lang: Lang): string {
  if (!at) return "—";
  const d = new Date(at);
  if (isNaN(d.getTime())) return at;
  return d.toLocaleString(locale(lang), { dateStyle: "short", timeStyle: "short" });
}

/** "YYYY-MM-DD" (a calendar date, no time zone) → "02.03.2026" / "02/03/2026". */
export function date(ymd: string, lang: Lang): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(ymd);
  if (!m) return ymd;
  return lang === "ru" ? `${m[3]}.${m[2]}.${m[1]}` : `${m[3]}/${m[2]}/${m[1]}`;
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
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
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

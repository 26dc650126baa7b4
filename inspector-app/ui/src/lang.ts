// Language runtime: the current language, t() with {placeholders}, and picking the half of a
// bilingual Rust message. Strings themselves are in i18n.ts.
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import { en, ru } from "./i18n";
import type { Key, Plural } from "./i18n";
import { fill, pluralString } from "./plural";

export type Lang = "ru" | "en";
// English has no _few/_many variants: the lookup falls back to _other.
const dicts: Record<Lang, Partial<Record<Key, string>>> = { ru, en };
const STORAGE_KEY = "knd.lang";

export function initialLang(): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === "en" ? "en" : "ru";
  } catch {
    return "ru";
  }
}

export function saveLang(lang: Lang) {
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    /* private mode: the switch still works for this session */
  }
  document.documentElement.lang = lang;
}

type Params = Record<string, string | number>;

/** A string by key with {placeholders}; a count string (see plural.ts) by its base and {n}. */
export type T = {
  (key: Key, params?: Params): string;
  (key: Plural, params: Params & { n: number }): string;
};

export function makeT(lang: Lang): T {
  const dict: Record<string, string | undefined> = dicts[lang];
  return ((key: string, params?: Params) => {
    const n = params?.n;
    const s = dict[key] ?? (typeof n === "number" ? pluralString(dict, lang, key, n) : undefined) ?? key;
    return fill(s, params);
  }) as T;
}

/** Rust messages are "Русский / English": pick the half for the current language. */
export function pickLang(message: string, lang: Lang): string {
  const i = message.indexOf(" / ");
  if (i < 0) return message;
  return lang === "ru" ? message.slice(0, i) : message.slice(i + 3);
}

/** Translates a code from the server (risk category, record kind…) if known, else shows it as is. */
export function code(t: T, prefix: "kind" | "risk" | "basis" | "size" | "status" | "objection", value: string): string {
  const key = `${prefix}_${value}` as Key;
  return key in ru ? t(key) : value;
}

export type I18n = { lang: Lang; t: T; setLang: (l: Lang) => void };
export const I18nContext = createContext<I18n>({ lang: "ru", t: makeT("ru"), setLang: () => {} });
export const useI18n = () => useContext(I18nContext);

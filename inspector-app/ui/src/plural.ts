// Plural forms, with the webview's own CLDR rules (Intl.PluralRules). A count string is a group
// of keys `name_one`, `name_few`, `name_many`, `name_other` (Russian needs all four; English
// `_one` and `_other`), known by its `_one`; t("name", { n }) picks the variant for n. Pure: the
// i18n test runs it.

const rules = new Map<string, Intl.PluralRules>();

/** The CLDR plural category of `n` in `lang`: "one", "few", "many" or "other" (for ru and en). */
export function pluralCategory(lang: string, n: number): Intl.LDMLPluralRule {
  let r = rules.get(lang);
  if (!r) {
    r = new Intl.PluralRules(lang);
    rules.set(lang, r);
  }
  return r.select(n);
}

/** The variant of the count string `base` for `n`, or undefined when `base` is not one (a count
 *  string has a `_one` variant; `_other` alone may be a code's name). */
export function pluralString(dict: Record<string, string | undefined>, lang: string, base: string, n: number): string | undefined {
  if (dict[`${base}_one`] === undefined) return undefined;
  return dict[`${base}_${pluralCategory(lang, n)}`] ?? dict[`${base}_other`];
}

/** Fills {placeholders}. */
export function fill(s: string, params?: Record<string, string | number>): string {
  if (!params) return s;
  for (const [k, v] of Object.entries(params)) s = s.split(`{${k}}`).join(String(v));
  return s;
}

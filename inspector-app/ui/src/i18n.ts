// All UI strings, Russian first. `en` must have the keys of `ru` (checked by the type), except the
// `_few` and `_many` variants of count strings, which English does not need. A count string is a
// group `name_one`, `name_few`, `name_many`, `name_other` (known by its `_one`), called as
// t("name", { n }) (plural.ts).
// The runtime (language choice, t(), context) lives in lang.ts; `npm test` checks both languages.
// Split by language (strings/ru.ts, strings/en.ts); this module is the one the UI imports.
export { ru } from "./strings/ru";
export type { EnKey, Key, Plural } from "./strings/ru";
export { en } from "./strings/en";

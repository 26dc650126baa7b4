// Names for the codes an assignment carries (kind, ground, control type, status), in the UI's
// language: a person reads a name, and a code is secondary text at most. In Russian the server's
// own name wins where it sends one (an agency may word it more precisely); in English the UI's
// translation of a known code, and only then the server's (Russian) name or the code itself.
import type { Key } from "./i18n";
import { ru } from "./i18n";
import type { Lang, T } from "./lang";

function named(t: T, lang: Lang, key: string, serverName: string | null | undefined, code: string): string {
  const server = serverName?.trim();
  if (lang === "ru" && server) return server;
  if (key in ru) return t(key as Key);
  return server || code;
}

/** Inspection kind (`field_check` → «выездная проверка» / "field check"). */
export const kindName = (t: T, lang: Lang, code: string, serverName?: string | null) =>
  named(t, lang, `ikind_${code}`, serverName, code);

/** Ground of ч.1 ст.57 (`plan` → «п.2 ч.1 ст.57 — план …»); none: the old planned/unplanned. */
export const groundName = (t: T, lang: Lang, code: string | null, serverName: string | null, basis: string) =>
  code || serverName ? named(t, lang, `ground_${code}`, serverName, code ?? "") : named(t, "en", `basis_${basis}`, null, basis);

/** Control type (`fire` → «Федеральный государственный пожарный надзор»). */
export const controlTypeName = (t: T, lang: Lang, code: string, serverName?: string | null) =>
  named(t, lang, `ctype_${code}`, serverName, code);

/** Inspection status (`scheduled` → «назначена» / "scheduled"). */
export const statusName = (t: T, code: string) => named(t, "en", `status_${code}`, null, code);


/** A checklist's own name without a leading «Проверочный лист» (the heading already says it);
 * null when nothing is left. */
export function checklistTitle(name: string | null): string | null {
  const rest = (name ?? "").replace(/^\s*проверочн\S*\s+лист\S*\s*[:—–-]?\s*/iu, "").trim();
  return rest || null;
}

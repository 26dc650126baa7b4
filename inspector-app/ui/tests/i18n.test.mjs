// The UI's strings (npm test; scripts/test.sh runs it): both languages complete, count strings
// complete for each language's plural rules, placeholders the same in both, no Russian left in
// English, and no text in a UI source file that does not go through t().
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import ts from "typescript";
import { loadTs, src } from "./load-ts.mjs";

const { ru } = await loadTs("strings/ru.ts");
const { en } = await loadTs("strings/en.ts");
const { pluralString } = await loadTs("plural.ts");

const FORMS = ["one", "few", "many", "other"];
// A count string is known by its `_one` variant: `_other` alone may be a code's name
// (photoMark_other), not a plural form.
const baseOf = (k) => k.replace(/_(one|few|many|other)$/, "");
const bases = new Set(Object.keys(ru).filter((k) => k.endsWith("_one")).map(baseOf));
const formOf = (k) => {
  const f = /_(one|few|many|other)$/.exec(k)?.[1];
  return f && bases.has(baseOf(k)) ? f : undefined;
};
const placeholders = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

// Strings with {n} that are not counts of things, so need no plural forms.
const NOT_COUNTS = {
  nextAttempt: "seconds, abbreviated (через {n} с)",
  syncSkewWarn: "minutes, abbreviated (на {n} мин)",
  syncSkewOk: "seconds, abbreviated ({n} с)",
  orderItem: "an ordinal (Нарушение 2)",
  actErknm: "a registry number, not a count",
  actCounts: "label style (Нарушений: 2) on ActReview, three numbers in one line",
  distanceKm: "kilometres, abbreviated ({n} км)",
  distanceM: "metres, abbreviated ({n} м)",
};
// English strings that keep Russian on purpose.
const RUSSIAN_IN_ENGLISH = {
  enrollNameDefault: "the device's name as the agency sees it in the console",
  langSwitchLabel: "the switch to Russian speaks Russian (its lang is ru)",
};
// Russian proper names English keeps: the federal register of control measures.
const RUSSIAN_NAMES = /ЕРКНМ/g;

test("every string exists and is not empty in both languages", () => {
  for (const [k, v] of Object.entries(ru)) {
    assert.ok(typeof v === "string" && v.trim(), `ru.${k} is empty`);
    const optional = formOf(k) === "few" || formOf(k) === "many"; // English has one and other only
    if (optional && !(k in en)) continue;
    assert.ok(typeof en[k] === "string" && en[k].trim(), `en.${k} is missing or empty`);
  }
  for (const k of Object.keys(en)) assert.ok(k in ru, `en.${k} has no Russian`);
});

test("both languages have the same placeholders", () => {
  for (const [k, v] of Object.entries(ru)) {
    const e = en[k] ?? (formOf(k) ? en[`${baseOf(k)}_other`] : undefined);
    assert.deepEqual(placeholders(e), placeholders(v), `${k}: ru ${JSON.stringify(v)} / en ${JSON.stringify(e)}`);
  }
});

test("a count string has every plural form, and every count is a count string", () => {
  for (const b of bases) {
    assert.ok(!(b in ru), `${b} is both a string and a count string`);
    for (const f of FORMS) assert.ok(`${b}_${f}` in ru, `ru.${b}_${f} is missing`);
    for (const f of ["one", "other"]) assert.ok(`${b}_${f}` in en, `en.${b}_${f} is missing`);
    for (const f of FORMS) {
      const k = `${b}_${f}`;
      assert.ok(ru[k].includes("{n}"), `ru.${k} does not show {n}`);
      if (k in en) assert.ok(en[k].includes("{n}"), `en.${k} does not show {n}`);
    }
  }
  for (const [k, v] of Object.entries(ru)) {
    if (formOf(k) || !v.includes("{n}")) continue;
    assert.ok(
      k in NOT_COUNTS,
      `ru.${k} shows a number {n}: make it a count string (${k}_one … ${k}_other) or, if it counts nothing, list it in NOT_COUNTS`,
    );
  }
});

test("plurals follow each language's rules", () => {
  const check = (dict, lang, n, expected) =>
    assert.equal(pluralString(dict, lang, "pendingRecords", n).replace("{n}", String(n)), expected, `${lang} ${n}`);
  check(ru, "ru", 1, "1 запись не отправлена");
  check(ru, "ru", 2, "2 записи не отправлены");
  check(ru, "ru", 4, "4 записи не отправлены");
  check(ru, "ru", 5, "5 записей не отправлено");
  check(ru, "ru", 11, "11 записей не отправлено");
  check(ru, "ru", 21, "21 запись не отправлена");
  check(ru, "ru", 22, "22 записи не отправлены");
  check(ru, "ru", 0, "0 записей не отправлено");
  check(en, "en", 1, "1 record not sent");
  check(en, "en", 0, "0 records not sent");
  check(en, "en", 21, "21 records not sent");
  assert.equal(pluralString(ru, "ru", "syncTitle", 1), undefined, "a plain string is not a count string");
  assert.equal(pluralString({ mark_other: "other mark" }, "ru", "mark", 1), undefined, "_other alone is a code's name");
});

test("English has no Russian left", () => {
  for (const [k, v] of Object.entries(en)) {
    if (k in RUSSIAN_IN_ENGLISH) continue;
    assert.ok(!/[А-Яа-яЁё]/.test(v.replace(RUSSIAN_NAMES, "")), `en.${k} is Russian: ${JSON.stringify(v)}`);
  }
});

// --- UI sources: every text the inspector reads goes through t() ---

const srcDir = fileURLToPath(src);
// The strings themselves; generated types.
const NOT_UI = new Set(["i18n.ts", "strings/ru.ts", "strings/en.ts", "bindings.ts"]);
const VISIBLE_ATTRIBUTES = new Set(["placeholder", "title", "alt", "aria-label", "aria-description", "label"]);

function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.tsx?$/.test(name) && !NOT_UI.has(relative(srcDir, p)) ? [p] : [];
  });
}

const cyrillic = /[А-Яа-яЁё]/;
const word = /\p{L}{2,}/u;
// English prose: words with spaces between them, starting with a capital or ending as a sentence
// does; class lists, event names and the like ("btn btn-primary") are neither.
const prose = (s) => /[A-Za-z]{2,} [A-Za-z]{2,}/.test(s) && (/(^|\s)[A-Z][a-z]+\b/.test(s) || /[a-z][.!?]$/.test(s.trim()));
const url = /^[a-z]+:\/\/\S+$/;

function literalsIn(file) {
  const text = readFileSync(file, "utf8");
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith("x") ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found = [];
  const at = (node, what, s) => {
    const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    found.push(`${relative(srcDir, file)}:${line + 1}: ${what} ${JSON.stringify(s.trim())}`);
  };
  const visit = (node) => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) return;
    if (ts.isJsxText(node)) {
      if (word.test(node.text)) at(node, "text", node.text);
    } else if (ts.isJsxAttribute(node) && node.initializer && ts.isStringLiteral(node.initializer)) {
      const name = node.name.getText(sf);
      const v = node.initializer.text;
      if (cyrillic.test(v) || (VISIBLE_ATTRIBUTES.has(name) && word.test(v) && !url.test(v))) at(node, `${name}=`, v);
      return;
    } else if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) {
      if (cyrillic.test(node.text) || prose(node.text)) at(node, "string", node.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

test("UI sources show no text of their own: everything goes through t()", () => {
  const files = sources(srcDir);
  assert.ok(files.length > 10, `only ${files.length} sources found in ${srcDir}`);
  const found = files.flatMap(literalsIn);
  assert.deepEqual(found, [], `texts outside strings/ru.ts and en.ts (add a key to both languages and use t()):\n${found.join("\n")}`);
});

test("the source check sees what it must", () => {
  // The check itself, on a made-up screen: each line here must be caught.
  const fake = join(srcDir, "..", "tests", "fixtures", "Literal.tsx");
  assert.deepEqual(
    literalsIn(fake).map((l) => l.replace(/^.*?: /, "")),
    [
      'string "Неверный PIN-код"',
      'string "The PIN must be 4–12 digits."',
      'string "Ошибка:"',
      'text "Войти"',
      'text "Sign in"',
      'placeholder= "Enter the code"',
      'aria-label= "Закрыть"',
    ],
  );
});

// Dates in the app's language, whatever the operating system's locale (npm test).
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadTs } from "./load-ts.mjs";

const { autoSeparate, countdown, date, dateTime, parseDate } = await loadTs("format.ts");

test("a calendar date is written in the language's form", () => {
  assert.equal(date("2027-03-28", "ru"), "28.03.2027");
  assert.equal(date("2027-03-28", "en"), "28/03/2027");
  assert.equal(date("not a date", "ru"), "not a date");
});

test("a timestamp is the local date and time in the language's form", () => {
  const at = new Date(2026, 2, 2, 14, 5).toISOString(); // 2 March, local time
  assert.equal(dateTime(at, "ru"), "02.03.2026 14:05");
  assert.equal(dateTime(at, "en"), "02/03/2026 14:05");
  assert.equal(dateTime(null, "en"), "—");
});

test("typed dates: day first, real calendar days only", () => {
  const check = (text, expected) => assert.deepEqual(parseDate(text), expected, JSON.stringify(text));
  check("", { ok: "empty" });
  check("  ", { ok: "empty" });
  check("28.03.2027", { ok: "date", ymd: "2027-03-28" });
  check("28/03/2027", { ok: "date", ymd: "2027-03-28" });
  check("1.3.2027", { ok: "date", ymd: "2027-03-01" });
  check("28032027", { ok: "date", ymd: "2027-03-28" });
  check("2027-03-28", { ok: "date", ymd: "2027-03-28" }); // pasted ISO
  check("29.02.2028", { ok: "date", ymd: "2028-02-29" });
  check("29.02.2027", { ok: "no_such_day" });
  check("31.04.2027", { ok: "no_such_day" });
  check("12.13.2027", { ok: "no_such_day" });
  check("03/28/2027", { ok: "no_such_day" }); // month first is not read as a date
  check("28.03.27", { ok: "form" });
  check("28.03", { ok: "form" });
  check("завтра", { ok: "form" });
});

test("separators go in as digits are typed", () => {
  const check = (digits, lang, expected) => assert.equal(autoSeparate(digits, lang), expected, digits);
  check("2", "ru", "2");
  check("28", "ru", "28");
  check("280", "ru", "28.0");
  check("2803", "ru", "28.03");
  check("28032", "ru", "28.03.2");
  check("28032027", "ru", "28.03.2027");
  check("280320271", "ru", "28.03.2027");
  check("28032027", "en", "28/03/2027");
});

test("a countdown", () => {
  assert.equal(countdown(42), "0:42");
  assert.equal(countdown(299), "4:59");
  assert.equal(countdown(4 * 3600 - 1), "3:59:59");
  assert.equal(countdown(-3), "0:00");
});

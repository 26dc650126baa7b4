// Dev tool: serves dist/ and walks every screen in Chromium with a fake Tauri backend
// (scripts/fake-tauri.js), saving screenshots to /tmp/ui-shots/. Not part of the build.
// Usage: npm run build && node scripts/preview.mjs
import { createServer } from "node:http";
import { readFile, mkdir } from "node:fs/promises";
import { extname, join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "..", "dist");
const out = process.env.SHOTS ?? "/tmp/ui-shots";
const photos = "/work/shared/testdata/photos";
const types = { ".html": "text/html", ".js": "text/javascript", ".css": "text/css", ".svg": "image/svg+xml" };

const server = createServer(async (req, res) => {
  const path = req.url === "/" ? "/index.html" : req.url.split("?")[0];
  try {
    const body = await readFile(join(dist, path));
    res.writeHead(200, { "content-type": types[extname(path)] ?? "application/octet-stream" });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const url = `http://127.0.0.1:${server.address().port}/`;
await mkdir(out, { recursive: true });

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const fake = await readFile(join(here, "fake-tauri.js"), "utf8");
const problems = [];
// On an English screen of the language walks below: no Russian but the data (scripts/russian-left.js).
const englishOnly = async (page, what) => {
  const left = await page.evaluate(await readFile(join(here, "russian-left.js"), "utf8"));
  if (left.length) problems.push(`${what}: Russian left on an English screen ${JSON.stringify(left)}`);
};

async function run(tag, width, height) {
  const page = await browser.newPage({ viewport: { width, height } });
  page.on("pageerror", (e) => problems.push(`${tag}: pageerror ${e.message}`));
  page.on("console", (m) => m.type() === "error" && problems.push(`${tag}: console ${m.text()}`));
  page.on("request", (r) => !r.url().startsWith(url) && !r.url().startsWith("data:") && problems.push(`${tag}: external request ${r.url()}`));
  await page.addInitScript(fake);
  // Full page to check layout, plus what the screen really shows (sticky bars in place).
  const shot = async (name) => {
    // Touch targets: every control at least 48 px tall (check boxes count by their label row).
    const small = await page.evaluate(() =>
      [...document.querySelectorAll("button, input, textarea, summary, a")]
        .map((el) => {
          const target = el.matches("[type=checkbox], [type=radio]") ? el.closest("label") : el;
          const r = target.getBoundingClientRect();
          return { id: el.dataset.testid ?? el.textContent.trim().slice(0, 20), h: Math.round(r.height), w: Math.round(r.width) };
        })
        .filter((x) => x.h > 0 && (x.h < 48 || x.w < 44)),
    );
    if (small.length) problems.push(`${tag} ${name}: small targets ${JSON.stringify(small)}`);
    await page.screenshot({ path: `${out}/${tag}-${name}.png`, fullPage: true });
    await page.screenshot({ path: `${out}/${tag}-${name}-view.png` });
  };
  const tid = (id) => page.getByTestId(id);
  const russianLeftJs = await readFile(join(here, "russian-left.js"), "utf8");
  const russianLeft = async (screen) => {
    const left = await page.evaluate(russianLeftJs);
    if (left.length) problems.push(`${tag} ${screen}: Russian left on an English screen ${JSON.stringify(left)}`);
  };

  await page.goto(url);
  await tid("enroll-submit").waitFor();
  await shot("01-enroll");
  await tid("enroll-server").fill("https://knd.example.ru");
  await tid("enroll-code").fill("ABCD-1234");
  await tid("enroll-pin").fill("1234");
  await tid("enroll-pin2").fill("1235");
  await tid("enroll-pin2").press("Enter"); // Enter submits
  await tid("error").waitFor();
  await shot("02-enroll-error");
  await tid("enroll-pin2").fill("1234");
  // Refusals say what to do, each in its own words (errors.tsx), with the field to fix focused.
  await tid("enroll-code").fill("USED-1234");
  await tid("enroll-submit").click();
  await page.locator('[data-testid="error"][data-kind="enroll_code_used"]').waitFor();
  await shot("02a-enroll-code-used");
  await tid("enroll-server").fill("https://knd.example.com");
  await tid("enroll-code").fill("ABCD-1234");
  await tid("enroll-submit").click();
  await page.locator('[data-testid="error"][data-kind="not_knd_server"]').waitFor();
  await shot("02b-enroll-not-knd");
  await tid("enroll-server").fill("https://knd.example.ru");
  await tid("enroll-submit").click();

  await tid("unlock-pin").waitFor();
  for (const d of "9999") await tid(`keypad-${d}`).click();
  await tid("unlock-submit").click();
  await tid("unlock-failures").waitFor(); // one message, not an error box as well
  if (await tid("error").count()) problems.push(`${tag}: a wrong PIN shows two messages`);
  await page.waitForTimeout(150);
  await shot("03-unlock-wrong");
  for (const d of "1234") await tid(`keypad-${d}`).click();
  await tid("unlock-submit").click();

  await tid("assignments").waitFor();
  await shot("04-assignments");
  await page.locator('[data-testid^="assignment-"]').first().click();
  await tid("inspection").waitFor();
  await tid("item-1.1").waitFor();
  await shot("05-inspection");
  await tid("item-1.1-compliant").click();
  await page.waitForSelector('[data-testid="item-1.1"][data-result="compliant"]');
  await tid("item-1.2-note").fill("Журнал учёта отходов за 2025 год отсутствует");
  await tid("item-1.2-violation").click();
  await page.waitForSelector('[data-testid="item-1.2"][data-result="violation"]');
  // A non-image is refused and the note draft survives.
  await tid("item-1.2-photo").setInputFiles({ name: "x.txt", mimeType: "text/plain", buffer: Buffer.from("hello") });
  await tid("error").waitFor();
  await tid("error").scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${out}/${tag}-06-photo-error.png` });
  await tid("item-1.2-photo").setInputFiles(join(photos, "DSCN0010.jpg"));
  await page.locator('[data-testid^="photo-"]').first().waitFor();
  await tid("item-1.2").scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${out}/${tag}-07-photo-added.png` });
  // The fake finds the second photo doubtful: nothing is attached until the inspector decides.
  await tid("item-1.2-photo").setInputFiles(join(photos, "portrait_8.jpg"));
  await tid("photo-check").waitFor();
  await tid("photo-check").scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${out}/${tag}-07a-photo-check.png` });
  await tid("photo-keep").click();
  await page.locator('[data-testid^="photo-mark-damaged"]').first().waitFor();
  await page.locator('[data-testid^="photo-open-"]').last().click();
  await tid("viewer-img").waitFor();
  await shot("07b-photo-viewer");
  await tid("viewer-zoom-in").click();
  await tid("viewer-close").click();
  await page.getByRole("button", { name: /исправление с фото|correction with photo/i }).click();
  await tid("correction-reason").fill("приложено фото журнала");
  await tid("correction-save").click();
  await page.waitForSelector('[data-testid="item-1.2-history"] li[data-superseded="true"]');
  // A change of result is a correction too.
  await tid("item-1.1-not_applicable").click();
  await tid("correction-reason").fill("объект не эксплуатируется");
  await tid("correction-reason").press("Enter");
  await page.waitForSelector('[data-testid="item-1.1"][data-result="not_applicable"]');
  await shot("08-inspection-done");

  // A field check has interaction: no warning button; the interaction panel counts time instead.
  if (await tid("open-warning").count()) problems.push(`${tag}: the warning button shows on a field check`);
  await tid("interaction-start").click();
  await tid("interaction-near").waitFor();
  await tid("interaction").scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${out}/${tag}-09-interaction-near.png` });
  await tid("interaction-stop").click();
  await tid("interaction-start").waitFor();
  await tid("open-act").click();
  await tid("act-summary").waitFor();
  await tid("present-name-0").fill("Иванов Иван Иванович");
  await tid("present-role-0").fill("генеральный директор");
  await tid("present-add").click();
  await tid("present-name-1").fill("Петрова Мария Олеговна");
  await tid("present-role-1").fill("инженер-эколог");
  await tid("ack-refused").check();
  await tid("act-review").click(); // refused: the violation's remedy is not answered yet
  await tid("error").waitFor();
  await tid("violation-0-remedied-no").check();
  await tid("act-review").click(); // refused: item 2.1 is neither answered nor marked not checked
  await tid("error").waitFor();
  await tid("not-checked-2.1").fill("место накопления закрыто, доступ не предоставлен");
  await shot("10-act");
  await tid("act-review").click();
  await tid("act-pin").waitFor();
  await tid("act-pin").fill("1111");
  await tid("act-sign").click();
  await tid("error").waitFor();
  await shot("11-act-review-wrong-pin");
  await tid("act-pin").fill("1234");
  await tid("act-pin").press("Enter");
  await tid("act-signed").waitFor();
  await shot("12-act-signed");
  await tid("act-offer-order").click();
  await tid("remedy-0-measure").waitFor();
  await tid("remedy-0-measure").fill("Организовать учёт отходов по установленной форме");
  // Dates are typed as the language writes them; a day the calendar lacks is refused beside the field.
  await tid("remedy-0-deadline").pressSequentially("31022099");
  await tid("remedy-0-deadline-error").waitFor();
  if ((await tid("remedy-0-deadline").inputValue()) !== "31.02.2099") problems.push(`${tag}: the date's separators were not put in`);
  await shot("12-order-bad-date");
  await tid("remedy-0-deadline").fill("15.04.2099");
  await tid("order-pin").fill("1234");
  await shot("12a-order");
  await tid("order-sign").click();
  await tid("order-signed").waitFor();
  await shot("12b-order-signed");
  await tid("nav-assignments").click();
  await page.locator('[data-testid^="assignment-"]').first().click();
  await tid("item-1.1").waitFor();
  await shot("13-inspection-locked");

  await tid("sync-badge").click();
  await tid("sync-now").waitFor();
  await shot("14-sync-before");
  await tid("sync-now").click();
  await tid("sync-error").waitFor();
  await page.waitForTimeout(300); // let the header badge refresh
  await shot("15-sync-after");
  await tid("lang-switch").click();
  await shot("16-sync-en");
  await russianLeft("sync");
  await tid("nav-assignments").click();
  await page.locator('[data-testid^="assignment-"]').first().click();
  await tid("item-1.1").waitFor();
  await shot("17-inspection-en");
  await russianLeft("inspection");
  await tid("open-act").click();
  await tid("act-signed").waitFor();
  await shot("17a-act-document-en");
  await russianLeft("act document");
  await tid("nav-assignments").click();
  await page.locator('[data-testid^="assignment-"]').first().waitFor();
  await russianLeft("assignments");
  await page.locator('[data-testid^="assignment-"]').first().click();
  await tid("item-1.1").waitFor();
  await tid("lock").click();
  await tid("unlock-pin").waitFor();
  await shot("18-unlock-en");
  // Keyboard only: type the PIN and press Enter.
  await tid("unlock-pin").focus();
  await page.keyboard.type("1234");
  await page.keyboard.press("Enter");
  await tid("assignments").waitFor();
  await page.close();
}

// States that are hard to reach by clicking: lockout countdown and a wiped key, in both languages.
async function states(tag, width, height, lang) {
  for (const [name, status] of [
    ["locked", { failures: 5, locked_for_seconds: 42 }],
    ["wiped", { failures: 10, wiped: true }],
  ]) {
    const page = await browser.newPage({ viewport: { width, height } });
    page.on("pageerror", (e) => problems.push(`${tag} ${name}: pageerror ${e.message}`));
    await page.addInitScript(fake);
    await page.addInitScript((l) => localStorage.setItem("knd.lang", l), lang);
    await page.addInitScript((s) => Object.assign(window.__FAKE__.status, { enrolled: true, device_name: "Планшет инспектора" }, s), status);
    await page.goto(url);
    await page.getByRole("heading", { level: 1 }).waitFor();
    await page.waitForTimeout(200);
    if (name === "locked") {
      // One message with the countdown, and «Войти» still on the screen.
      const bottom = await page.getByTestId("unlock-submit").evaluate((e) => e.getBoundingClientRect().bottom);
      if (bottom > height) problems.push(`${tag} ${lang} locked: the unlock button is below the fold (${bottom} > ${height})`);
      const messages = await page.locator('.unlock .error, [data-testid="error"]').count();
      if (messages !== 1) problems.push(`${tag} ${lang} locked: ${messages} messages`);
    }
    if (lang === "en") await englishOnly(page, `${tag} unlock ${name}`);
    await page.screenshot({ path: `${out}/${tag}-00-unlock-${name}-${lang}.png` });
    await page.close();
  }
}

// A measure without interaction (observation): the warning, with a requirement whose unit the
// checklist lacks and one typed by hand.
async function warning(tag, width, height, lang) {
  const page = await browser.newPage({ viewport: { width, height } });
  page.on("pageerror", (e) => problems.push(`${tag} warning: pageerror ${e.message}`));
  await page.addInitScript(fake);
  await page.addInitScript((l) => localStorage.setItem("knd.lang", l), lang);
  await page.addInitScript(() => {
    Object.assign(window.__FAKE__.status, { enrolled: true, unlocked: true, device_name: "Планшет инспектора" });
    window.__FAKE__.observation = true;
  });
  const tid = (id) => page.getByTestId(id);
  await page.goto(url);
  await page.locator('[data-testid^="assignment-"]').first().click();
  await tid("open-warning").click();
  await tid("warning-text").waitFor();
  await tid("warning-req-2.1").check();
  await tid("warning-req-2.1-unit").fill("п.3");
  await tid("warning-req-add").click();
  await tid("warning-typed-0-requirement").fill("Паспорт отходов I–IV классов опасности");
  await tid("warning-typed-0-act").fill("Федеральный закон от 24.06.1998 № 89-ФЗ");
  await tid("warning-typed-0-unit").fill("ст.14 п.3");
  await tid("warning-text").fill("Отсутствие паспортов отходов может привести к нарушению обязательных требований.");
  await tid("measure-what-0").fill("Разработать паспорта отходов");
  await tid("measure-by-0").pressSequentially("0106209");
  await tid("measure-by-0").blur(); // incomplete: refused beside the field
  await tid("measure-by-0-error").waitFor();
  await tid("measure-add").click();
  await tid("measure-what-1").fill("Провести инвентаризацию мест накопления отходов");
  await page.screenshot({ path: `${out}/${tag}-19-warning-bad-date-${lang}.png`, fullPage: true });
  await tid("measure-by-0").fill(lang === "ru" ? "01.06.2099" : "01/06/2099");
  await tid("measure-by-0").blur();
  await page.screenshot({ path: `${out}/${tag}-19-warning-${lang}.png`, fullPage: true });
  await tid("warning-submit").click();
  await tid("inspection").waitFor();
  await page.getByRole("status").first().waitFor();
  await page.screenshot({ path: `${out}/${tag}-20-warning-done-${lang}.png` });
  // After a sync: the business's objection and the agency's decision beside the warning.
  await tid("sync-badge").click();
  await tid("sync-now").click();
  await tid("sync-error").waitFor();
  await page.locator(".objection").first().waitFor();
  await page.screenshot({ path: `${out}/${tag}-21-warning-objection-${lang}.png`, fullPage: true });
  await page.close();
}

// The order after an act with a violation left to remedy, with a deadline typed, in one language.
async function order(tag, width, height, lang) {
  const page = await browser.newPage({ viewport: { width, height } });
  page.on("pageerror", (e) => problems.push(`${tag} order: pageerror ${e.message}`));
  await page.addInitScript(fake);
  await page.addInitScript((l) => {
    localStorage.setItem("knd.lang", l);
    const f = window.__FAKE__;
    Object.assign(f.status, { enrolled: true, unlocked: true, device_name: "Планшет инспектора" });
    f.act = { id: "act-1", seq: 9, kind: "act", at: "2026-03-05T11:20:00Z", state: "receipted", inspection: "0192f39e-1111-7000-8000-000000000001",
      summary: "Акт выездной проверки", rejected_reason: null };
    f.actContents = { erknm: "77260000000100000001", violations: [{ requirement: "REQ-8-4", legal_act: "Федеральный закон от 24.06.1998 № 89-ФЗ", unit: "ст.19", remedied: false }] };
  }, lang);
  const tid = (id) => page.getByTestId(id);
  await page.goto(url);
  await page.locator('[data-testid^="assignment-"]').first().click();
  await tid("open-order").click();
  await tid("remedy-0-measure").fill("Организовать учёт отходов по установленной форме");
  await tid("remedy-0-deadline").pressSequentially("01012020"); // before the order's date
  await tid("remedy-0-deadline-error").waitFor();
  await page.screenshot({ path: `${out}/${tag}-21-order-early-${lang}.png`, fullPage: true });
  await tid("remedy-0-deadline").fill("");
  await tid("remedy-0-deadline").pressSequentially("15042099");
  await tid("order-pin").fill("1234");
  await page.screenshot({ path: `${out}/${tag}-21-order-${lang}.png`, fullPage: true });
  await page.close();
}

// A preventive visit: mandatory (no refusal, the rule said instead; a blank summary refused;
// held), or not mandatory (refused by the subject), in one language.
async function visit(tag, width, height, lang, optional) {
  const page = await browser.newPage({ viewport: { width, height } });
  const name = `${tag} visit ${optional ? "optional" : "mandatory"} ${lang}`;
  page.on("pageerror", (e) => problems.push(`${name}: pageerror ${e.message}`));
  await page.addInitScript(fake);
  await page.addInitScript(
    ([l, o]) => {
      localStorage.setItem("knd.lang", l);
      Object.assign(window.__FAKE__.status, { enrolled: true, unlocked: true, device_name: "Планшет инспектора" });
      window.__FAKE__.visitOptional = o;
    },
    [lang, optional],
  );
  const tid = (id) => page.getByTestId(id);
  const shot = async (what) => {
    const small = await page.evaluate(() =>
      [...document.querySelectorAll("button, input, textarea, summary")]
        .map((el) => ({ id: el.dataset.testid ?? el.textContent.trim().slice(0, 20), h: Math.round(el.getBoundingClientRect().height), w: Math.round(el.getBoundingClientRect().width) }))
        .filter((x) => x.h > 0 && (x.h < 48 || x.w < 44)),
    );
    if (small.length) problems.push(`${name} ${what}: small targets ${JSON.stringify(small)}`);
    if (lang === "en") await englishOnly(page, `${name} ${what}`);
    await page.screenshot({ path: `${out}/${tag}-23-visit-${optional ? "optional" : "mandatory"}-${what}-${lang}.png`, fullPage: true });
  };
  await page.goto(url);
  await page.locator('[data-testid^="visit-tag-"]').first().waitFor();
  await shot("list");
  await page.locator('[data-testid="assignments"] [data-visit="true"]').first().click();
  await tid("visit-summary").waitFor();
  if (optional !== (await tid("visit-refuse").count()) > 0) problems.push(`${name}: the refusal button ${optional ? "is missing" : "is offered"}`);
  await tid("visit-rule").waitFor();
  await tid("visit-hold").click(); // blank: refused beside the buttons
  await tid("error").waitFor();
  await shot("blank");
  await tid("visit-summary").fill(
    optional
      ? "Директор отказался от визита, уведомив орган письмом от 01.03.2026"
      : "Разъяснены требования ППР 1479 (п. 27, п. 60); рассмотрены результаты самообследования; рекомендовано заменить огнетушители.",
  );
  await tid(optional ? "visit-refuse" : "visit-hold").click();
  await page.locator(`[data-testid="visit-done"][data-outcome="${optional ? "refused" : "held"}"]`).waitFor();
  await shot("done");
  await tid("nav-assignments").click();
  await page.locator('[data-testid^="visit-tag-"]').first().waitFor();
  await shot("list-done");
  await page.close();
}

// Enrollment refused: an unreachable server and an expired code, in one language.
async function enroll(tag, width, height, lang) {
  const page = await browser.newPage({ viewport: { width, height } });
  page.on("pageerror", (e) => problems.push(`${tag} enroll: pageerror ${e.message}`));
  await page.addInitScript(fake);
  await page.addInitScript((l) => localStorage.setItem("knd.lang", l), lang);
  const tid = (id) => page.getByTestId(id);
  await page.goto(url);
  await tid("enroll-server").fill("https://knd.invalid");
  await tid("enroll-code").fill("ABCD-1234");
  await tid("enroll-pin").fill("1234");
  await tid("enroll-pin2").fill("1234");
  await tid("enroll-submit").click();
  await page.locator('[data-testid="error"][data-kind="server_unreachable"]').waitFor();
  if (lang === "en") await englishOnly(page, `${tag} enroll`);
  await page.screenshot({ path: `${out}/${tag}-22-enroll-unreachable-${lang}.png` });
  await tid("enroll-server").fill("https://knd.example.ru");
  await tid("enroll-code").fill("OLD-1234");
  await tid("enroll-submit").click();
  await page.locator('[data-testid="error"][data-kind="enroll_code_expired"]').waitFor();
  await page.screenshot({ path: `${out}/${tag}-22-enroll-expired-${lang}.png` });
  await page.close();
}

try {
  for (const lang of ["ru", "en"]) {
    await enroll("desktop", 1280, 800, lang);
    await order("desktop", 1280, 800, lang);
    await states("desktop", 1280, 800, lang);
    await states("tablet", 800, 1280, lang);
    await warning("tablet", 800, 1280, lang);
    await visit("tablet", 800, 1280, lang, false);
    await visit("desktop", 1280, 800, lang, true);
  }
  await run("desktop", 1280, 800);
  await run("tablet", 800, 1280);
} catch (e) {
  problems.push(String(e));
} finally {
  await browser.close();
  server.close();
}
console.log(problems.length ? problems.join("\n") : "no problems");
console.log(`screenshots in ${out}`);

// The console's frame: signing in and out, each role's navigation, the Today page, the language
// switch, keyboard access, security headers and refusals of forged posts.

// What each role's navigation shows (services/policy.rs decides; the frame only mirrors it).
const NAV = {
  admin: ["Сегодня", "Реестр", "Проверки", "Риски", "План", "Жалобы", "На рассмотрение", "Устройства", "Журнал аудита", "Пользователи"],
  planner1: ["Сегодня", "Реестр", "Проверки", "Риски", "План", "Жалобы", "На рассмотрение"],
  inspector1: ["Сегодня", "Реестр", "Проверки", "Устройства"],
  reviewer: ["Сегодня", "Реестр", "Проверки", "Жалобы", "На рассмотрение"],
  auditor: ["Сегодня", "Реестр", "Проверки", "Риски", "План", "Жалобы", "На рассмотрение", "Устройства", "Журнал аудита", "Пользователи"],
};

export default async function (ctx) {
  const { assert } = ctx;

  // Not signed in: every page leads to the login form, which comes back to the page after.
  const anon = await ctx.anonymous();
  await anon.goto(`${ctx.base}/inspections?status=in_progress`);
  assert.match(anon.url(), /\/login\?next=%2Finspections/);
  await ctx.shot(anon, "login");
  await ctx.axe(anon, "login");

  // A wrong password: said in words, the login kept, no session.
  await anon.fill("#login", "planner1");
  await anon.fill("#password", "not-the-password");
  await anon.click("button[type=submit]");
  await anon.waitForSelector("p.error");
  assert.match(await anon.textContent("p.error"), /неверный логин или пароль/);
  assert.equal(await anon.inputValue("#login"), "planner1");
  await ctx.shot(anon, "login-refused");

  // The right one: back where the browser was going.
  await anon.fill("#password", ctx.password);
  await Promise.all([anon.waitForURL(/\/inspections/), anon.click("button[type=submit]")]);

  // Security headers on a page.
  const headers = await anon.evaluate(async () => {
    const r = await fetch("/");
    return Object.fromEntries(r.headers.entries());
  });
  assert.match(headers["content-security-policy"], /frame-ancestors 'none'/);
  assert.match(headers["content-security-policy"], /script-src 'self'/);
  assert.equal(headers["x-content-type-options"], "nosniff");
  assert.equal(headers["referrer-policy"], "same-origin");

  for (const [login, sections] of Object.entries(NAV)) {
    const page = await ctx.as(login);
    await page.goto(`${ctx.base}/`);
    const nav = await page.$$eval("nav.sections a", (as) => as.map((a) => a.textContent.trim()));
    assert.deepEqual(nav, sections, `${login}'s sections`);
    assert.match(await page.textContent("header .session"), /Сеанс до \d\d\.\d\d\.\d{4} \d\d:\d\d/);
    const tiles = await page.$$eval(".tile a", (as) => as.map((a) => a.getAttribute("href")));
    assert.ok(tiles.length > 0, `${login} sees numbers on Today`);
    await ctx.shot(page, `today-${login}`);
    await ctx.axe(page, `today-${login}`);
  }

  // Every number on Today links to a list (the lists are other scenarios' pages).
  const planner = await ctx.as("planner1");
  const links = await planner.$$eval(".tile a", (as) => as.map((a) => a.getAttribute("href")));
  assert.ok(links.some((h) => h.startsWith("/inspections?")));
  assert.ok(links.includes("/review-flags"));

  // English and back.
  await planner.click("header a.lang");
  await planner.waitForSelector("h1");
  assert.match(await planner.textContent("h1"), /^Today/);
  assert.equal(await planner.getAttribute("html", "lang"), "en");
  await ctx.shot(planner, "today-english");
  await planner.click("header a.lang");
  assert.match(await planner.textContent("h1"), /^Сегодня/);

  // The keyboard: the first Tab reaches the skip link, visibly.
  await planner.goto(`${ctx.base}/`);
  await planner.keyboard.press("Tab");
  const focused = await planner.evaluate(() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    return { cls: el.className, outline: style.outlineStyle, width: parseFloat(style.outlineWidth) };
  });
  assert.equal(focused.cls, "skip");
  assert.notEqual(focused.outline, "none");
  assert.ok(focused.width >= 2, "the focus ring is visible");
  await ctx.shot(planner, "focus-skip-link");

  // A forged post (no CSRF token): refused, the session survives.
  const forged = await ctx.formPost(planner, "/logout", {});
  assert.equal(forged.status, 403);
  assert.match(forged.text, /форма устарела/);
  await planner.goto(`${ctx.base}/`);
  assert.ok(!planner.url().includes("/login"), "still signed in after a forged logout");

  // A page that does not exist: a page, not JSON.
  const missing = await planner.goto(`${ctx.base}/no-such-page`);
  assert.equal(missing.status(), 404);
  assert.match(await planner.textContent("main"), /не найдено/);

  // Signing out ends the session.
  await planner.goto(`${ctx.base}/`);
  await Promise.all([planner.waitForURL(/\/login/), planner.click("header button.link")]);
  await planner.goto(`${ctx.base}/`);
  assert.match(planner.url(), /\/login/);
}

// Appeals (the console's filings pages): Today's tiles, the inbox by deadline, the appeal the
// demo business signed with its own key, an appeal it filed against the morning's act, registered, a decision without reasons
// refused with the form kept, then decided; the course with its signed records; an auditor
// reads without forms; an inspector has no such section.

export default async function (ctx) {
  const { assert } = ctx;
  const reviewer = await ctx.as("reviewer");

  await reviewer.goto(`${ctx.base}/`);
  assert.match(await reviewer.textContent("main"), /Жалобы и возражения со сроком/);

  await reviewer.goto(`${ctx.base}/filings`);
  assert.match(await reviewer.textContent("h1"), /Жалобы и возражения/);
  const rows = await reviewer.$$("table tbody tr");
  assert.equal(rows.length, 2, "the demo business filed two appeals");
  await ctx.shot(reviewer, "filings");
  await ctx.axe(reviewer, "filings");

  // One appeal the business signed with its own filing key: its page says so and links the
  // business's record (the other is attested by the server's record).
  const hrefs = await reviewer.$$eval("table tbody tr td:first-child a", (as) => as.map((a) => a.getAttribute("href")));
  let signed = 0;
  for (const href of hrefs) {
    await reviewer.goto(ctx.base + href);
    const mark = await reviewer.$(".signed-by-filer");
    if (mark) {
      signed += 1;
      assert.match(await mark.textContent(), /подписано заявителем его ключом «Юрист организации»/);
      assert.match(await reviewer.textContent("dl.props"), /запись заявителя/);
      await ctx.shot(reviewer, "filing-signed");
      await ctx.axe(reviewer, "filing-signed");
    } else {
      assert.match(await reviewer.textContent("dl.props"), /запись сервера/);
    }
  }
  assert.equal(signed, 1, "the demo business signed one appeal with its key");
  await reviewer.goto(`${ctx.base}/filings`);

  await Promise.all([
    reviewer.waitForURL(/\/filings\/[0-9a-f-]+$/),
    reviewer.click("table tbody tr:first-child td:first-child a"),
  ]);
  const appealUrl = reviewer.url();
  assert.match(await reviewer.textContent("h1"), /Жалоба/);
  assert.match(await reviewer.textContent("dl.props"), /Представитель/);
  assert.ok(await reviewer.$("a[href$='/bundle']"), "the receipt's bundle is linked");
  // The business's photo, uploaded with its API key and attached: the reviewer opens it.
  const attachment = await reviewer.getAttribute("ul.attachments a", "href");
  assert.match(attachment, /^\/api\/v1\/blobs\/[0-9a-f]{64}$/);
  assert.match(await reviewer.textContent("ul.attachments"), /фотография JPEG, \d+ КБ/);
  const photo = await reviewer.request.get(ctx.base + attachment);
  assert.equal(photo.status(), 200);
  assert.equal(photo.headers()["content-type"], "image/jpeg");
  await ctx.shot(reviewer, "filing");
  await ctx.axe(reviewer, "filing");

  await Promise.all([
    reviewer.waitForURL(/saved=1/),
    reviewer.click("form:has(input[name=step][value=register]) button"),
  ]);
  assert.match(await reviewer.textContent("p.notice"), /Решение сохранено/);
  assert.match(await reviewer.textContent("dl.props"), /зарегистрирована/);

  // A decision without reasons: refused, nothing saved.
  await reviewer.selectOption("#outcome", "dismissed");
  await Promise.all([
    reviewer.waitForSelector("p.error"),
    reviewer.click("form:has(input[name=step][value=decide]) button"),
  ]);
  assert.match(await reviewer.textContent("p.error"), /мотивы решения/);
  await ctx.shot(reviewer, "filing-refused");
  await ctx.axe(reviewer, "filing-refused");

  await reviewer.selectOption("#outcome", "dismissed");
  await reviewer.fill("#decide-text", "Доводы не подтвердились: на фотографии выход загромождён.");
  await Promise.all([
    reviewer.waitForURL(/saved=1/),
    reviewer.click("form:has(input[name=step][value=decide]) button"),
  ]);
  assert.match(await reviewer.textContent("dl.props"), /рассмотрена/);
  const course = await reviewer.textContent("main");
  assert.match(course, /жалоба оставлена без удовлетворения/);
  assert.ok(!(await reviewer.$("form[action$='/appeal-step']")), "a decided appeal has no forms");
  await ctx.shot(reviewer, "filing-decided");
  await ctx.axe(reviewer, "filing-decided");

  // The decision as a document: its PDF, and its public check without signing in.
  const pdfHref = await reviewer.getAttribute("a[href$='/pdf']", "href");
  const pdf = await reviewer.evaluate(async (href) => {
    const r = await fetch(href);
    return { status: r.status, type: r.headers.get("content-type"), head: (await r.text()).slice(0, 5) };
  }, pdfHref);
  assert.deepEqual(pdf, { status: 200, type: "application/pdf", head: "%PDF-" });
  const verifyHref = await reviewer.getAttribute("a.verify-link", "href");
  const stranger = await ctx.anonymous();
  await stranger.goto(ctx.base + verifyHref);
  assert.match(await stranger.textContent("main"), /Документ подлинный/);
  await ctx.shot(stranger, "verify");
  await ctx.axe(stranger, "verify");

  // The demo business's declaration of compliance: listed, registered for a year.
  await reviewer.goto(`${ctx.base}/filings?kind=declaration`);
  const declarations = await reviewer.$$("table tbody tr");
  assert.equal(declarations.length, 1, "the demo business declared compliance");
  await ctx.shot(reviewer, "filings-declarations");
  await ctx.axe(reviewer, "filings-declarations");
  await Promise.all([
    reviewer.waitForURL(/\/filings\/[0-9a-f-]+$/),
    reviewer.click("table tbody tr:first-child td:first-child a"),
  ]);
  assert.match(await reviewer.textContent("h1"), /Декларация соблюдения/);
  assert.match(await reviewer.textContent("main"), /соблюдается/);
  await ctx.shot(reviewer, "declaration");
  await ctx.axe(reviewer, "declaration");
  await Promise.all([
    reviewer.waitForURL(/saved=1/),
    reviewer.click("form:has(input[name=step][value=register]) button"),
  ]);
  assert.match(await reviewer.textContent("dl.props"), /зарегистрирована/);
  assert.match(await reviewer.textContent("main"), /действует по \d\d\.\d\d\.\d{4}/);
  assert.ok(await reviewer.$("form:has(input[name=step][value=annul])"), "a registered declaration can be annulled");
  await ctx.shot(reviewer, "declaration-registered");
  await ctx.axe(reviewer, "declaration-registered");

  // The auditor reads, without forms.
  const auditor = await ctx.as("auditor");
  await auditor.goto(ctx.base + "/filings");
  await Promise.all([auditor.waitForURL(/\/filings\/[0-9a-f-]+$/), auditor.click("table tbody tr:first-child td:first-child a")]);
  assert.ok(!(await auditor.$("form[action$='/appeal-step']")), "no forms for an auditor");
  await auditor.goto(appealUrl);
  assert.match(await auditor.textContent("main"), /Ход рассмотрения/);

  // An inspector has no appeals section.
  const inspector = await ctx.as("inspector1");
  const refused = await inspector.goto(`${ctx.base}/filings`);
  assert.equal(refused.status(), 403);
}

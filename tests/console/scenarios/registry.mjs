// The registry: search by key, INN, name and address fragments, the filters and the next page,
// the CSV import with its report of refused lines, the subject and object forms with bad and
// good input, an object's page with its map and a risk decision, a subject's page; what an
// inspector and an auditor may not do (no forms; forged posts refused).

const SUBJECTS = `inn,ogrn,name,size_class
7707083893,1027700132195,ПАО «Браузерный тест»,large
7707083894,,Неверный ИНН,small
7736207543,,ООО «Проверка импорта»,medium
`;

export default async function (ctx) {
  const { assert } = ctx;
  const planner = await ctx.as("planner1");

  // The list: subjects and objects, filters, the next page.
  await planner.goto(`${ctx.base}/registry`);
  assert.match(await planner.textContent("h1"), /Реестр/);
  const firstKey = (await planner.textContent("#objects-h ~ table tbody tr td a")).trim();
  const firstInn = (await planner.textContent("#subjects-h ~ table tbody tr td a")).trim();
  assert.ok(await planner.$("#objects-h ~ p.pager a[rel=next]"), "a next page of objects");
  await ctx.shot(planner, "registry");
  await ctx.axe(planner, "registry");
  await planner.click("#objects-h ~ p.pager a[rel=next]");
  assert.match(planner.url(), /o_after=/);
  assert.equal(await planner.$("#subjects-h"), null, "a page further down shows that list alone");
  await ctx.shot(planner, "registry-next-page");

  // Search by key, by INN, by a fragment of the first object's address.
  await planner.goto(`${ctx.base}/registry?q=${encodeURIComponent(firstKey)}`);
  assert.ok((await planner.textContent("#objects-h ~ table")).includes(firstKey));
  await planner.goto(`${ctx.base}/registry?q=${firstInn}`);
  assert.ok((await planner.textContent("#subjects-h ~ table")).includes(firstInn));
  await ctx.shot(planner, "registry-search-inn");
  await planner.goto(`${ctx.base}/registry/objects/${encodeURIComponent(firstKey)}`);
  const address = (await planner.textContent("dl.props dd")).trim();
  const street = address.split(",")[1].trim().split(" ").slice(1).join(" ");
  await planner.goto(`${ctx.base}/registry`);
  await planner.fill("#q", street);
  await planner.selectOption("#by", "address");
  await Promise.all([planner.waitForURL(/q=/), planner.click("form.filters button[type=submit]")]);
  const rows = await planner.$$eval("#objects-h ~ table tbody tr td:nth-child(2)", (tds) => tds.map((t) => t.textContent));
  assert.ok(rows.length > 0 && rows.every((a) => a.toLowerCase().includes(street.toLowerCase())), `address ${street}`);
  await ctx.shot(planner, "registry-search-address");
  await ctx.axe(planner, "registry-search-address");
  // A fragment too short for the index is said in words.
  await planner.goto(`${ctx.base}/registry?q=%D1%83%D0%BB&by=name`);
  assert.match(await planner.textContent("p.notice"), /короче 3 символов/);
  // A filter: every row shows the category chosen, in words.
  await planner.goto(`${ctx.base}/registry?risk=high`);
  const risks = await planner.$$eval("#objects-h ~ table tbody tr td:nth-child(5)", (tds) => tds.map((t) => t.textContent));
  assert.ok(risks.every((r) => r === "высокий риск" || /высок/.test(r)), risks.join());
  await ctx.shot(planner, "registry-filter-risk");

  // The CSV import: the refused line in a table, the count accepted.
  await planner.goto(`${ctx.base}/registry/import`);
  await ctx.axe(planner, "registry-import");
  await planner.setInputFiles("#subjects-file", { name: "subjects.csv", mimeType: "text/csv", buffer: Buffer.from(SUBJECTS) });
  await Promise.all([planner.waitForSelector("#report-h"), planner.click("text=Импортировать субъекты")]);
  assert.match(await planner.textContent("p.notice"), /Принято строк: 2/);
  const refused = await planner.$$eval("table tbody tr td", (tds) => tds.map((t) => t.textContent));
  assert.equal(refused[0], "3");
  assert.equal(refused[1], "inn");
  await ctx.shot(planner, "registry-import-report");
  await ctx.axe(planner, "registry-import-report");

  // The subject form: a bad INN beside its field, what was typed kept; then saved.
  await planner.goto(`${ctx.base}/registry/subjects/new`);
  await planner.fill("#inn", "7702070130");
  await planner.fill("#name", "ООО «Ромашка»");
  await planner.click("form.stack button[type=submit]");
  await planner.waitForSelector("#inn-error");
  assert.equal(await planner.getAttribute("#inn", "aria-invalid"), "true");
  assert.equal(await planner.inputValue("#name"), "ООО «Ромашка»");
  await ctx.shot(planner, "registry-subject-form-error");
  await ctx.axe(planner, "registry-subject-form-error");
  await planner.fill("#inn", "7702070139");
  await Promise.all([planner.waitForURL(/\/registry\/subjects\/7702070139$/), planner.click("form.stack button[type=submit]")]);
  assert.match(await planner.textContent("h1"), /Ромашка/);
  await ctx.shot(planner, "registry-subject");
  await ctx.axe(planner, "registry-subject");

  // The object form: coordinates that do not read, beside their field; then saved.
  await planner.goto(`${ctx.base}/registry/objects/new`);
  await planner.fill("#object_key", "BROWSER-1");
  await planner.fill("#subject_inn", "7702070139");
  await planner.selectOption("#control_type", { index: 1 });
  await planner.fill("#address", address);
  await planner.fill("#district", "Кировский район");
  await planner.fill("#lat", "57,6x");
  await planner.fill("#lon", "39.88");
  await planner.click("form.stack button[type=submit]");
  await planner.waitForSelector("#lat-error");
  await ctx.shot(planner, "registry-object-form-error");
  await ctx.axe(planner, "registry-object-form-error");
  await planner.fill("#lat", "57.6261");
  await Promise.all([planner.waitForURL(/\/registry\/objects\/BROWSER-1$/), planner.click("form.stack button[type=submit]")]);

  // The object's page: the map, its neighbours with distances, a risk decision.
  assert.ok(await planner.$("figure svg[role=img]"));
  const neighbours = await planner.$$("table caption:has-text('Соседние объекты') ~ tbody tr");
  assert.ok(neighbours.length > 0, "neighbours listed beside the map");
  // The browser's own check of required fields is switched off: the server's is tested.
  await planner.$eval("textarea#reason", (t) => (t.form.noValidate = true));
  await planner.fill("#reason", "");
  await planner.click("form[action$='/risk'] button[type=submit]");
  await planner.waitForSelector("#reason-error");
  await ctx.shot(planner, "object-risk-error");
  await planner.selectOption("#category", { index: 1 });
  await planner.fill("#decided_on", "2026-03-02");
  await planner.fill("#reason", "Решение из браузерного теста");
  await Promise.all([planner.waitForURL(/\/registry\/objects\/BROWSER-1$/), planner.click("form[action$='/risk'] button[type=submit]")]);
  assert.match(await planner.textContent("#history-h ~ table"), /Решение из браузерного теста/);
  await ctx.shot(planner, "object");
  await ctx.axe(planner, "object");

  // An inspector reads, with no forms; a forged post is refused.
  const inspector = await ctx.as("inspector1");
  await inspector.goto(`${ctx.base}/registry/objects/${encodeURIComponent(firstKey)}`);
  assert.equal(await inspector.$("#reason"), null);
  await ctx.shot(inspector, "object-inspector");
  await ctx.axe(inspector, "object-inspector");
  await inspector.goto(`${ctx.base}/registry`);
  assert.equal(await inspector.$("a[href='/registry/import']"), null);
  const forbidden = await inspector.goto(`${ctx.base}/registry/subjects/new`);
  assert.equal(forbidden.status(), 403);
  // An auditor changes nothing: a post with its own session's token is refused too.
  const auditor = await ctx.as("auditor");
  await auditor.goto(`${ctx.base}/registry`);
  const csrf = await auditor.inputValue("input[name=_csrf]");
  const r = await ctx.formPost(auditor, `/registry/objects/BROWSER-1/risk`, {
    _csrf: csrf,
    category: "low",
    decided_on: "2026-03-03",
    reason: "x",
  });
  assert.equal(r.status, 403);
  assert.match(r.text, /не позволяет/);

  // English.
  await planner.goto(`${ctx.base}/registry`);
  await planner.click("header a.lang");
  await planner.waitForSelector("h1");
  assert.match(await planner.textContent("h1"), /Registry/);
  await ctx.shot(planner, "registry-english");
  await planner.click("header a.lang");
}

// Risk (the console's risk pages): the proposals' list, scoring every demo object, a proposal
// explained factor by factor with its matrix, a refused and then a confirmed decision, two
// complaints that fire an indicator, the triggered indicators with the unplanned inspection's
// form, the model editor (a row added, a matrix of the wrong shape refused), the object's risk
// block and Today's tile; an auditor reads the editor without a form.

export default async function (ctx) {
  const { assert } = ctx;
  const planner = await ctx.as("planner1");

  // The section's front, then every object scored.
  await planner.goto(`${ctx.base}/risk`);
  assert.match(await planner.textContent("h1"), /Категории риска/);
  await ctx.shot(planner, "risk");
  await ctx.axe(planner, "risk");
  await Promise.all([planner.waitForSelector("#summary-h"), planner.click("form[action='/risk/score'] button")]);
  assert.match(await planner.textContent(".risk-summary"), /Оценено объектов/);
  const rows = await planner.$$("table.proposals tbody tr");
  assert.ok(rows.length > 0, "the demo's assigned categories differ from the model's somewhere");
  await ctx.shot(planner, "risk-scored");
  await ctx.axe(planner, "risk-scored");

  // A proposal: the explanation, the matrix with the object's cell, the decision.
  const key = (await planner.textContent("table.proposals tbody tr td a")).trim();
  await Promise.all([
    planner.waitForURL(/\/risk\/proposals\//),
    planner.click("table.proposals tbody tr:first-child td:last-child a"),
  ]);
  assert.match(await planner.textContent("h1"), new RegExp(key));
  assert.ok(await planner.$("table.matrix td.hit"), "the object's cell is marked");
  assert.match(await planner.textContent("#probability-h"), /балл/);
  await ctx.shot(planner, "risk-proposal");
  await ctx.axe(planner, "risk-proposal");
  await Promise.all([planner.waitForSelector("#reason-error"), planner.click("button[value=confirm]")]);
  assert.match(await planner.textContent("#reason-error"), /укажите основание решения/);
  assert.equal(await planner.getAttribute("#reason", "aria-invalid"), "true");
  await ctx.shot(planner, "risk-proposal-refused");
  await ctx.axe(planner, "risk-proposal-refused");
  await planner.fill("#reason", "Проверено по браузерному сценарию: характеристики объекта подтверждены");
  await Promise.all([planner.waitForURL(/decided=confirmed/), planner.click("button[value=confirm]")]);
  assert.match(await planner.textContent("p.notice"), /Категория подтверждена/);
  assert.ok(await planner.$("a[href^='/api/v1/records/']"), "the signed record is linked");
  await ctx.shot(planner, "risk-proposal-confirmed");
  await ctx.axe(planner, "risk-proposal-confirmed");

  // Two complaints in 90 days about the object: the second fires the indicator.
  for (const n of [1, 2]) {
    await planner.goto(`${ctx.base}/risk/events/new?object=${encodeURIComponent(key)}`);
    assert.equal(await planner.inputValue("#object_key"), key);
    await planner.selectOption("#kind", "complaint_confirmed");
    await planner.fill("#note", `обращение ${n}`);
    await Promise.all([planner.waitForSelector("#outcome-h"), planner.click("form.stack button[type=submit]")]);
  }
  assert.match(await planner.textContent(".risk-summary"), /Сработали индикаторы риска/);
  await ctx.shot(planner, "risk-event-fired");
  await ctx.axe(planner, "risk-event-fired");

  // The triggered indicators, and the new-inspection form they lead to.
  await planner.goto(`${ctx.base}/risk/indicators`);
  assert.ok((await planner.textContent("table tbody")).includes(key));
  await ctx.shot(planner, "risk-indicators");
  await ctx.axe(planner, "risk-indicators");
  await Promise.all([planner.waitForURL(/\/inspections\/new\?/), planner.click("a[href^='/inspections/new?']")]);
  assert.equal(await planner.inputValue("#n-ground"), "harm_or_risk_indicator");
  assert.ok((await planner.inputValue("#n-objects")).includes(key));
  await ctx.shot(planner, "risk-unplanned-form");

  // The object's risk block.
  await planner.goto(`${ctx.base}/registry/objects/${encodeURIComponent(key)}`);
  assert.match(await planner.textContent("#riskmodel-h"), /Риск/);
  assert.ok((await planner.textContent(".risk-block")).includes("обращение 2"));
  await ctx.shot(planner, "risk-object");
  await ctx.axe(planner, "risk-object");

  // The model editor: a row added without saving, a matrix of the wrong shape refused.
  await planner.goto(`${ctx.base}/risk/model/fire`);
  assert.ok(await planner.$("#m4_4"), "the matrix as selects");
  await ctx.shot(planner, "risk-model");
  await ctx.axe(planner, "risk-model");
  const before = await planner.$$eval("input[name$='_code']", (xs) => xs.length);
  await Promise.all([planner.waitForLoadState(), planner.click("button[value=add_ind]")]);
  assert.equal(await planner.$$eval("input[name$='_code']", (xs) => xs.length), before + 1);
  await planner.fill("#severity_classes", "5");
  await planner.fill("#reason", "Проверка формы");
  await Promise.all([planner.waitForSelector("#problem"), planner.click("button[value=save]")]);
  assert.match(await planner.textContent("#matrix-problem"), /матрица должна иметь 5 строк/);
  assert.ok(await planner.$("#m5_1"), "the grid grows the row to fill");
  await ctx.shot(planner, "risk-model-refused");
  await ctx.axe(planner, "risk-model-refused");

  // Today: the overdue decisions' tile.
  await planner.goto(`${ctx.base}/`);
  assert.ok((await planner.textContent(".tiles")).includes("Просроченные решения о категории риска"));

  // An auditor reads the model, disabled, with its versions and no form.
  const auditor = await ctx.as("auditor");
  await auditor.goto(`${ctx.base}/risk/model/fire`);
  assert.equal(await auditor.$("form[action='/risk/model/fire']"), null);
  assert.ok(await auditor.$("#m4_4[disabled]"), "the fields are shown disabled");
  await ctx.shot(auditor, "risk-model-auditor");
  await ctx.axe(auditor, "risk-model-auditor");
}

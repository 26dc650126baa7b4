// Inspections (issue 12, pages 4 and 5): the list and its filters, the month calendar, an
// inspection's page with the planner's forms (good and bad input), a new inspection, cancelling,
// and the field evidence of the demo tablet's morning with its server-made thumbnails, each as
// the roles that see it.

export default async function (ctx) {
  const { assert } = ctx;
  const rows = (page) => page.$$eval("table.inspections tbody tr", (trs) => trs.length);

  // The planner's list, then a filter chosen in the form.
  const planner = await ctx.as("planner1");
  await planner.goto(`${ctx.base}/inspections`);
  assert.match(await planner.textContent("h1"), /Проверки/);
  assert.ok((await rows(planner)) > 0, "the demo has inspections");
  await ctx.shot(planner, "inspections-list");
  await ctx.axe(planner, "inspections-list");
  await planner.selectOption("#f-status", "scheduled");
  await Promise.all([planner.waitForURL(/status=scheduled/), planner.click("form.filters button[type=submit]")]);
  const statuses = await planner.$$eval("table.inspections tbody tr td:nth-child(5)", (tds) =>
    tds.map((td) => td.textContent.trim()),
  );
  assert.ok(statuses.length > 0 && statuses.every((s) => s.startsWith("Запланирована")), statuses.join("|"));
  await ctx.shot(planner, "inspections-filtered");

  // A date that does not read: said beside its field, the list still shown.
  await planner.goto(`${ctx.base}/inspections?starts_from=1.12.2026`);
  assert.equal(await planner.getAttribute("#f-starts_from", "aria-invalid"), "true");
  assert.match(await planner.textContent("#f-starts_from-err"), /ГГГГ-ММ-ДД/);
  await ctx.shot(planner, "inspections-bad-date");
  await ctx.axe(planner, "inspections-bad-date");

  // The Today page's links land on filtered lists.
  for (const q of ["overdue=1", "status=in_progress"]) {
    await planner.goto(`${ctx.base}/inspections?${q}`);
    assert.match(await planner.textContent("h1"), /Проверки/);
  }

  // The month calendar: rows per inspector, non-working days in words, months linked.
  await planner.goto(`${ctx.base}/inspections/calendar`);
  assert.ok((await planner.$$("table.calendar abbr.offword")).length > 0, "non-working days are marked in words");
  assert.ok((await planner.$$("table.calendar td.span a")).length > 0, "inspections span their days");
  await ctx.shot(planner, "inspections-calendar");
  await ctx.axe(planner, "inspections-calendar");
  await Promise.all([planner.waitForURL(/month=/), planner.click("a[rel=next]")]);
  await ctx.shot(planner, "inspections-calendar-next");

  // An inspection's page: attributes, the term on the production calendar, the forms.
  await planner.goto(`${ctx.base}/inspections?status=scheduled`);
  await Promise.all([planner.waitForURL(/\/inspections\/[0-9a-f-]{36}$/), planner.click("table.inspections tbody tr a")]);
  const inspectionUrl = planner.url();
  assert.match(await planner.textContent("dl.props"), /последний рабочий день срока/);
  assert.match(await planner.textContent("dl.props"), /ч\.1 ст\.57 248-ФЗ/);
  await ctx.shot(planner, "inspection");
  await ctx.axe(planner, "inspection");
  const inn = (await planner.textContent("h1")).split("·")[1].trim();
  const objectKey = (await planner.textContent("dl.props ul.plain li a")).trim();
  const checklist = (await planner.textContent("dl.props dt:has-text('Проверочный лист') + dd")).trim();
  const controlType = (await planner.textContent("dl.props dt:has-text('Вид контроля') + dd")).trim();

  // Check the term without saving; then a term too long, refused in words beside the dates.
  const starts = await planner.inputValue("#r-starts");
  await planner.fill("#r-ends", starts);
  await planner.click("button[value=check]");
  await planner.waitForSelector("p.notice");
  assert.match(await planner.textContent("p.notice"), /последний рабочий день срока/);
  await ctx.shot(planner, "inspection-term-checked");
  const year = Number(starts.slice(0, 4));
  await planner.fill("#r-ends", `${year + 1}-03-01`);
  await planner.click("button[value=save]");
  await planner.waitForSelector("#reschedule-err");
  assert.match(await planner.textContent("#reschedule-err"), /рабочих дней/);
  assert.equal(await planner.getAttribute("#r-ends", "aria-invalid"), "true");
  assert.equal(await planner.inputValue("#r-ends"), `${year + 1}-03-01`, "what was typed stays");
  await ctx.shot(planner, "inspection-reschedule-refused");
  await ctx.axe(planner, "inspection-reschedule-refused");

  // Cancelling without a reason is refused in words (posted as a browser without JS validation
  // would); a reason and the confirmation cancel it.
  const csrf = await planner.getAttribute("input[name=_csrf]", "value");
  const bare = await ctx.formPost(planner, `${new URL(inspectionUrl).pathname}/status`, {
    _csrf: csrf,
    status: "cancelled",
    reason: "",
  });
  assert.equal(bare.status, 422);
  assert.match(bare.text, /укажите причину отмены/);

  // A new inspection: empty, refused beside its fields; then a draft on the same object.
  await planner.goto(`${ctx.base}/inspections/new`);
  await ctx.axe(planner, "inspection-new");
  await planner.click("button[value=create]");
  await planner.waitForSelector(".field-error");
  assert.equal(await planner.getAttribute("#n-kind", "aria-invalid"), "true");
  assert.match(await planner.textContent("#n-subject_inn-err"), /укажите ИНН/);
  await ctx.shot(planner, "inspection-new-refused");
  await ctx.axe(planner, "inspection-new-refused");
  await planner.selectOption("#n-kind", "field_check");
  await planner.selectOption("#n-ground", "instruction");
  await planner.selectOption("#n-control_type", { label: controlType });
  await planner.fill("#n-subject_inn", inn);
  await planner.fill("#n-objects", objectKey);
  await planner.fill("#n-checklist", checklist);
  await planner.fill("#n-starts_on", starts);
  await planner.fill("#n-ends_on", starts);
  await planner.click("button[value=check]");
  await planner.waitForSelector("p.notice");
  assert.match(await planner.textContent("p.notice"), /не более рабочих дней: 10/);
  await ctx.shot(planner, "inspection-new-checked");
  await Promise.all([planner.waitForURL(/\/inspections\/[0-9a-f-]{36}$/), planner.click("button[value=create]")]);
  assert.match(await planner.textContent("dl.props"), /Черновик/);
  planner.once("dialog", (d) => d.accept());
  await planner.fill("#c-reason", "Создана для проверки консоли / made to test the console");
  await Promise.all([planner.waitForLoadState("load"), planner.click("button.danger")]);
  await planner.waitForSelector("dl.props");
  assert.match(await planner.textContent("dl.props"), /Отменена/);
  await ctx.shot(planner, "inspection-cancelled");

  // The demo tablet's morning: inspector2's completed inspection and its evidence.
  const inspector2 = await ctx.as("inspector2");
  await inspector2.goto(`${ctx.base}/inspections?status=completed`);
  await Promise.all([
    inspector2.waitForURL(/\/inspections\/[0-9a-f-]{36}$/),
    inspector2.click("table.inspections tbody tr a"),
  ]);
  const evidenceUrl = `${inspector2.url()}/evidence`;
  await inspector2.goto(evidenceUrl);
  const signatures = await inspector2.$$eval("table.records td:nth-child(6)", (tds) => tds.map((t) => t.textContent.trim()));
  assert.ok(signatures.length >= 5, "the tablet's records are listed");
  assert.ok(signatures.every((s) => s === "подпись верна"), signatures.join("|"));
  assert.ok((await inspector2.$$("a[href$='/bundle']")).length === signatures.length);
  const thumbs = await inspector2.$$eval(".photos img", (imgs) =>
    Promise.all(
      imgs.map((img) =>
        img.complete ? img.naturalWidth : new Promise((ok) => img.addEventListener("load", () => ok(img.naturalWidth))),
      ),
    ),
  );
  assert.ok(thumbs.length > 0 && thumbs.every((w) => w > 0 && w <= 320), `thumbnails: ${thumbs}`);
  assert.match(await inspector2.textContent(".photos"), /внимание/);
  assert.match(await inspector2.textContent("article.document"), /Акт проверки|Предписание/);
  assert.match(await inspector2.textContent("ol.versions"), /заменена/);
  await ctx.shot(inspector2, "inspection-evidence");
  await ctx.axe(inspector2, "inspection-evidence");

  // The same page for the planner, and in English.
  await planner.goto(evidenceUrl);
  await planner.click("header a.lang");
  await planner.waitForSelector("h1");
  assert.match(await planner.textContent("table.records"), /signature valid/);
  await ctx.shot(planner, "inspection-evidence-english");
  await planner.click("header a.lang");

  // Another inspector does not see it (inspector1 is never on the demo tablet's inspection);
  // an auditor reads it and changes nothing.
  const inspector1 = await ctx.as("inspector1");
  const other = await inspector1.goto(evidenceUrl);
  assert.equal(other.status(), 404);
  const auditor = await ctx.as("auditor");
  const evidenceInspection = evidenceUrl.replace(/\/evidence$/, "");
  await auditor.goto(evidenceInspection);
  assert.equal(await auditor.$("#r-starts"), null, "no forms for an auditor");
  await ctx.shot(auditor, "inspection-auditor");
  const auditorCsrf = await auditor.getAttribute("input[name=_csrf]", "value");
  const refused = await ctx.formPost(auditor, `${new URL(evidenceInspection).pathname}/reschedule`, {
    _csrf: auditorCsrf,
    starts_on: starts,
    ends_on: starts,
  });
  assert.equal(refused.status, 403);
}

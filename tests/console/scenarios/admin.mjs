// Administration: review flags and their resolutions, devices (with what they report on sync,
// an enrollment code, a revocation), the audit log (filters, a bad date, the CSV file) and
// users (create with bad and good input, role, disable, password), as each role sees them.
//
// The demo has no device traffic, so the scenario makes some: the admin issues an enrollment
// code on the devices page, a device key made here enrolls with it, says on a pull that it holds
// unsent records and runs 3 minutes ahead, and pushes two signed warnings addressed to an ИНН
// outside the registry, which the projector flags for review.
import { createHash, generateKeyPairSync, randomUUID, sign } from "node:crypto";

const STRANGER_INN = "500100732259";

// RFC 8785 for what records hold (strings, integers, objects, arrays).
function canonical(v) {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v);
}

// A device as the inspector app is one: an Ed25519 key and a chain of signed records.
function makeDevice() {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  const hex = Buffer.from(publicKey.export({ format: "jwk" }).x, "base64url").toString("hex");
  let seq = 0;
  let prev = "0".repeat(64);
  return {
    publicKey: hex,
    id: null,
    token: null,
    record(kind, body) {
      seq += 1;
      const unsigned = { v: 1, id: randomUUID(), device: this.id, seq, prev, at: new Date().toISOString(), kind, body };
      const input = Buffer.concat([Buffer.from("knd.record.v1\n"), Buffer.from(canonical(unsigned))]);
      prev = createHash("sha256").update(input).digest("hex");
      const sig = sign(null, input, privateKey).toString("base64url");
      return { id: unsigned.id, bytes: canonical({ ...unsigned, sig }) };
    },
  };
}

export default async function (ctx) {
  const { assert } = ctx;
  const acceptDialogs = (page) => page.on("dialog", (d) => d.accept());

  // The admin issues a code for inspector2: a bad form first (no inspector), then a good one.
  const admin = await ctx.as("admin");
  acceptDialogs(admin);
  await admin.goto(`${ctx.base}/devices`);
  await ctx.shot(admin, "devices-empty-admin");
  await ctx.axe(admin, "devices-empty-admin");
  await Promise.all([admin.waitForLoadState(), admin.click("form[action='/devices/code'] button[type=submit]")]);
  assert.equal(await admin.getAttribute("#user_id", "aria-invalid"), "true");
  assert.match(await admin.textContent("#user_id-error"), /выберите инспектора/);
  await ctx.shot(admin, "devices-code-refused");
  await ctx.axe(admin, "devices-code-refused");
  await admin.selectOption("#user_id", { label: "inspector2" });
  await Promise.all([admin.waitForLoadState(), admin.click("form[action='/devices/code'] button[type=submit]")]);
  const code = (await admin.textContent(".code-issued output")).trim();
  assert.match(code, /^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/);
  await ctx.shot(admin, "devices-code-issued");
  await ctx.axe(admin, "devices-code-issued");

  // A device enrolls with it, reports on a pull, and pushes two warnings to a stranger.
  const device = makeDevice();
  const enrolled = await fetch(`${ctx.base}/api/v1/devices/enroll`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ code, public_key: device.publicKey, name: "Планшет инспектора 2" }),
  });
  assert.equal(enrolled.status, 201, await enrolled.clone().text());
  const e = await enrolled.json();
  device.id = e.device_id;
  device.token = e.token;
  const ahead = new Date(Date.now() + 3 * 60 * 1000).toISOString();
  const said = { authorization: `Bearer ${device.token}`, "x-knd-pending": "2", "x-knd-device-time": ahead };
  const pulled = await fetch(`${ctx.base}/api/v1/sync/pull?limit=1`, { headers: said });
  assert.equal(pulled.status, 200);
  const warning = {
    subject: STRANGER_INN,
    requirements: ["R2"],
    text: "Предостережение о недопустимости нарушения обязательных требований",
    measures: [{ what: "Освободить эвакуационный выход", by: "2026-12-20" }],
  };
  const records = [device.record("warning", warning), device.record("warning", warning)];
  const pushed = await fetch(`${ctx.base}/api/v1/sync/push`, {
    method: "POST",
    // Three unsent, this batch of two included: one stays unsent once these are receipted.
    headers: { ...said, "content-type": "application/json", "x-knd-pending": "3" },
    body: `{"records":[${records.map((r) => r.bytes).join(",")}]}`,
  });
  const results = (await pushed.json()).results;
  assert.deepEqual(results.map((r) => r.status), ["accepted", "accepted"], JSON.stringify(results));

  // The devices page: the unsent records, the clock 3 minutes ahead, the attention filter.
  await admin.goto(`${ctx.base}/devices?attention=1`);
  const row = admin.locator("tr", { hasText: "Планшет инспектора 2" });
  await row.waitFor();
  assert.match(await row.textContent(), /\+[23] мин/);
  assert.match(await row.textContent(), /1\s*ждут отправки/);
  await ctx.shot(admin, "devices-attention");
  await ctx.axe(admin, "devices-attention");

  // An inspector sees only their own devices, with no admin forms.
  const inspector2 = await ctx.as("inspector2");
  await inspector2.goto(`${ctx.base}/devices`);
  const owners = await inspector2.$$eval("tbody tr td:first-child", (tds) => tds.map((t) => t.textContent.trim()));
  assert.ok(owners.length >= 1 && owners.every((o) => o === "inspector2"), owners.join(", "));
  assert.equal(await inspector2.locator("form[action='/devices/code']").count(), 0);
  await ctx.shot(inspector2, "devices-inspector");
  await ctx.axe(inspector2, "devices-inspector");
  const inspector1 = await ctx.as("inspector1");
  await inspector1.goto(`${ctx.base}/devices`);
  assert.equal(await inspector1.locator("text=Планшет инспектора 2").count(), 0);

  // Review flags: the projector flags both warnings; the reviewer resolves them.
  const reviewer = await ctx.as("reviewer");
  for (let i = 0; i < 100; i++) {
    await reviewer.goto(`${ctx.base}/review-flags`);
    if ((await reviewer.locator(`code.record-id:text("${records[1].id}")`).count()) > 0) break;
    await reviewer.waitForTimeout(200);
  }
  const first = reviewer.locator("tr", { hasText: records[0].id });
  assert.match(await first.textContent(), /Документ адресован ИНН вне реестра/);
  await ctx.shot(reviewer, "review-flags-waiting");
  await ctx.axe(reviewer, "review-flags-waiting");
  // Reject without a reason: refused beside the field.
  await first.locator("input[value=rejected]").check();
  await Promise.all([reviewer.waitForLoadState(), first.locator("button[type=submit]").click()]);
  const refusedRow = reviewer.locator("tr", { hasText: records[0].id });
  assert.match(await refusedRow.locator(".field-error").textContent(), /укажите причину отклонения/);
  assert.equal(await refusedRow.locator("textarea").getAttribute("aria-invalid"), "true");
  assert.ok(await refusedRow.locator("input[value=rejected]").isChecked(), "the choice is kept");
  await ctx.shot(reviewer, "review-flags-reason-required");
  await ctx.axe(reviewer, "review-flags-reason-required");
  await refusedRow.locator("textarea").fill("Адресат не состоит на учёте в ведомстве");
  await Promise.all([reviewer.waitForURL(/saved=rejected/), refusedRow.locator("button[type=submit]").click()]);
  const second = reviewer.locator("tr", { hasText: records[1].id });
  await Promise.all([reviewer.waitForURL(/saved=accepted/), second.locator("button[type=submit]").click()]);
  assert.equal(await reviewer.locator(`text=${records[0].id}`).count(), 0, "resolved flags leave the list");
  await reviewer.selectOption("#state", "resolved");
  await Promise.all([reviewer.waitForLoadState(), reviewer.click("form.filters button")]);
  assert.match(await reviewer.textContent("tbody"), /Отклонено[\s\S]*Принято|Принято[\s\S]*Отклонено/);
  await ctx.shot(reviewer, "review-flags-resolved");
  await ctx.axe(reviewer, "review-flags-resolved");

  // An auditor reads the flags but its forged resolution is refused.
  const auditor = await ctx.as("auditor");
  await auditor.goto(`${ctx.base}/review-flags?state=all`);
  assert.equal(await auditor.locator("form.resolve").count(), 0);
  const csrf = await auditor.getAttribute("input[name=_csrf]", "value");
  const forged = await ctx.formPost(auditor, "/review-flags/resolve", {
    _csrf: csrf,
    record: records[0].id,
    reason: "document_unknown_subject",
    decision: "accepted",
  });
  assert.equal(forged.status, 403);
  await ctx.shot(auditor, "review-flags-auditor");
  await ctx.axe(auditor, "review-flags-auditor");

  // The audit log: the resolutions, a filter, a bad date, the CSV file with the same filters.
  await auditor.goto(`${ctx.base}/audit?action=review_flag.resolve`);
  assert.ok((await auditor.locator("tbody tr").count()) >= 3, "two resolutions and the refusal");
  assert.match(await auditor.textContent("tbody"), /отказано/);
  await ctx.shot(auditor, "audit-filtered");
  await ctx.axe(auditor, "audit-filtered");
  await auditor.fill("#from", "2026-13-45").catch(() => {});
  await auditor.goto(`${ctx.base}/audit?from=31.12.2026&to=`);
  assert.equal(await auditor.getAttribute("#from", "aria-invalid"), "true");
  assert.match(await auditor.textContent("#from-error"), /ГГГГ-ММ-ДД/);
  await ctx.shot(auditor, "audit-bad-date");
  await ctx.axe(auditor, "audit-bad-date");
  const csv = await auditor.evaluate(async () => {
    const r = await fetch("/audit.csv?action=review_flag.resolve");
    return { status: r.status, type: r.headers.get("content-type"), text: await r.text() };
  });
  assert.equal(csv.status, 200);
  assert.match(csv.type, /^text\/csv/);
  assert.match(csv.text, /^id,at,actor,action,target,outcome,address,detail\n/);
  assert.ok(csv.text.trim().split("\n").slice(1).every((l) => l.includes(",review_flag.resolve,")));

  // Users: the auditor reads; the admin creates (bad input first), changes a role, disables,
  // sets a password, and cannot demote itself.
  await auditor.goto(`${ctx.base}/users`);
  assert.equal(await auditor.locator("form[action='/users']").count(), 0);
  await ctx.shot(auditor, "users-auditor");
  await ctx.axe(auditor, "users-auditor");
  await admin.goto(`${ctx.base}/users`);
  await ctx.shot(admin, "users-admin");
  await ctx.axe(admin, "users-admin");
  await admin.fill("#new-login", "x");
  await admin.fill("#new-password", "short");
  await Promise.all([admin.waitForLoadState(), admin.click("form[action='/users'] button[type=submit]")]);
  assert.equal(await admin.getAttribute("#new-login", "aria-invalid"), "true");
  assert.equal(await admin.getAttribute("#new-password", "aria-invalid"), "true");
  assert.equal(await admin.inputValue("#new-login"), "x");
  await ctx.shot(admin, "users-create-refused");
  await ctx.axe(admin, "users-create-refused");
  await admin.fill("#new-login", "reviewer2");
  await admin.selectOption("#new-role", "reviewer");
  await admin.fill("#new-password", "a long enough password");
  await Promise.all([admin.waitForURL(/created=1/), admin.click("form[action='/users'] button[type=submit]")]);
  const newRow = admin.locator("tr", { hasText: "reviewer2" });
  await newRow.locator("select").selectOption("planner");
  await Promise.all([admin.waitForURL(/changed=1/), newRow.locator("form[action$='/role'] button").click()]);
  assert.match(await admin.locator("tr", { hasText: "reviewer2" }).textContent(), /Планировщик/);
  await Promise.all([
    admin.waitForURL(/changed=1/),
    admin.locator("tr", { hasText: "reviewer2" }).locator("form[action$='/disable'] button").click(),
  ]);
  assert.match(await admin.locator("tr", { hasText: "reviewer2" }).textContent(), /Отключён/);
  const out = await ctx.anonymous();
  await out.goto(`${ctx.base}/login`);
  await out.fill("#login", "reviewer2");
  await out.fill("#password", "a long enough password");
  await out.click("button[type=submit]");
  await out.waitForSelector("p.error");
  await ctx.shot(admin, "users-disabled");
  const self = admin.locator("tr", { hasText: "(это вы)" });
  await self.locator("select").selectOption("auditor");
  await Promise.all([admin.waitForLoadState(), self.locator("form[action$='/role'] button").click()]);
  assert.match(
    await admin.locator("tr", { hasText: "(это вы)" }).locator(".field-error").textContent(),
    /нельзя снять с себя роль администратора/,
  );
  await ctx.shot(admin, "users-self-demotion-refused");
  await ctx.axe(admin, "users-self-demotion-refused");

  // Revoking the device (the confirmation accepted), then the English page.
  await admin.goto(`${ctx.base}/devices`);
  const devRow = admin.locator("tr", { hasText: "Планшет инспектора 2" });
  await Promise.all([admin.waitForURL(/revoked=1/), devRow.locator("form button").click()]);
  assert.match(await admin.locator("tr", { hasText: "Планшет инспектора 2" }).textContent(), /Отозвано/);
  await ctx.shot(admin, "devices-revoked");
  await ctx.axe(admin, "devices-revoked");
  await admin.click("header a.lang");
  await admin.waitForSelector("h1");
  assert.match(await admin.textContent("h1"), /^Devices/);
  await ctx.shot(admin, "devices-english");
  await admin.click("header a.lang");
}

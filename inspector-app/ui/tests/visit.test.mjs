// The preventive visit screen's states (screens/Visit.tsx shows what visit.ts decides): open and
// mandatory (no refusal, the rule of ст.52.1 said instead), open and not mandatory (the refusal
// offered), held and refused (the banner, no form); and the summary it will not send empty.
import assert from "node:assert/strict";
import { test } from "node:test";
import { loadTs } from "./load-ts.mjs";

const { visitState, summaryError } = await loadTs("visit.ts");
const { ru } = await loadTs("strings/ru.ts");
const { en } = await loadTs("strings/en.ts");

const record = (state) => ({
  id: "0192f3a0-7c1e-7d2a-9b1e-3f6a1c2b4d01",
  seq: 4,
  kind: "preventive_visit",
  at: "2026-12-03T09:15:00.000Z",
  state,
  inspection: "0192f39e-1111-7000-8000-000000000001",
  summary: "Профилактический визит проведён: …",
  summary_en: "Preventive visit held: …",
  rejected_reason: null,
});

/** A VisitScreen as the core returns it (`visit` and `mandatory` varied per case). */
const screen = (over) => ({
  id: "0192f39e-1111-7000-8000-000000000001",
  kind: "preventive_visit",
  kind_name: "обязательный профилактический визит",
  ground: "plan",
  basis: "planned",
  ground_name: "п.2 ч.1 ст.57 — план",
  erknm: null,
  status: "scheduled",
  control_type: "fire",
  control_type_name: null,
  starts_on: "2026-12-03",
  ends_on: "2026-12-03",
  note: "",
  subject: { inn: "7707083893", ogrn: null, name: "ПАО Сбербанк", size_class: "small" },
  objects: [],
  mandatory: true,
  visit: null,
  records: [],
  ...over,
});

test("nothing to show before the core answers", () => {
  assert.deepEqual(visitState(null), { stage: "loading", canHold: false, canRefuse: false, rule: null, done: null });
});

test("a mandatory visit to hold: no refusal, and the screen says why (ст.52.1)", () => {
  assert.deepEqual(visitState(screen({})), {
    stage: "open",
    canHold: true,
    canRefuse: false,
    rule: "visitRuleMandatory",
    done: null,
  });
  assert.match(ru.visitRuleMandatory, /не вправе отказаться.*ст\.52\.1/);
  assert.match(en.visitRuleMandatory, /may not refuse.*art\.52\.1/);
});

test("a visit that is not mandatory may be refused by the subject", () => {
  assert.deepEqual(visitState(screen({ mandatory: false })), {
    stage: "open",
    canHold: true,
    canRefuse: true,
    rule: "visitRuleOptional",
    done: null,
  });
});

test("a recorded visit is done: a banner by its outcome, no form and no refusal", () => {
  for (const [outcome, stage, done] of [
    ["held", "held", "visitDoneHeld"],
    ["refused", "refused", "visitDoneRefused"],
  ]) {
    for (const mandatory of [true, false]) {
      for (const state of ["pending", "receipted"]) {
        const v = screen({ mandatory, visit: { record: record(state), outcome, summary: "…" } });
        assert.deepEqual(visitState(v), { stage, canHold: false, canRefuse: false, rule: null, done }, `${outcome} ${mandatory} ${state}`);
      }
    }
  }
});

test("every key the screen may show exists in both languages", () => {
  const states = [screen({}), screen({ mandatory: false })].map(visitState);
  states.push(visitState(screen({ visit: { record: record("pending"), outcome: "held", summary: "" } })));
  states.push(visitState(screen({ visit: { record: record("pending"), outcome: "refused", summary: "" } })));
  const keys = states.flatMap((s) => [s.rule, s.done]).filter(Boolean);
  keys.push(summaryError(""));
  for (const k of keys) {
    assert.ok(ru[k] && en[k], `${k} is missing`);
  }
});

test("the summary is required: blank is refused before the core is asked", () => {
  assert.equal(summaryError(""), "errVisitSummary");
  assert.equal(summaryError(" \n\t "), "errVisitSummary");
  assert.equal(summaryError("Разъяснены требования ППР 1479"), null);
});

// What the preventive visit screen (screens/Visit.tsx) shows in each state, decided from the
// core's VisitScreen alone. No Preact here, so `npm test` checks every state without a window
// (tests/visit.test.mjs).
import type { VisitScreen } from "./bindings";
import type { Key } from "./i18n";

export type VisitStage = "loading" | "open" | "held" | "refused";

export type VisitState = {
  stage: VisitStage;
  /** The summary field and "Визит проведён": while the visit is not recorded. */
  canHold: boolean;
  /** "Контролируемое лицо отказалось": only for a visit that is not mandatory (ст.52.1). */
  canRefuse: boolean;
  /** The rule on refusing, next to the buttons: why there is no refusal, or that there may be. */
  rule: Key | null;
  /** The banner of a recorded visit. */
  done: Key | null;
};

export function visitState(v: VisitScreen | null): VisitState {
  if (!v) return { stage: "loading", canHold: false, canRefuse: false, rule: null, done: null };
  if (v.visit) {
    const refused = v.visit.outcome === "refused";
    return {
      stage: refused ? "refused" : "held",
      canHold: false,
      canRefuse: false,
      rule: null,
      done: refused ? "visitDoneRefused" : "visitDoneHeld",
    };
  }
  return {
    stage: "open",
    canHold: true,
    canRefuse: !v.mandatory,
    rule: v.mandatory ? "visitRuleMandatory" : "visitRuleOptional",
    done: null,
  };
}

/** The record needs a summary (what was discussed, or the refusal): asked before the core is. */
export function summaryError(summary: string): Key | null {
  return summary.trim() ? null : "errVisitSummary";
}

import type { FindingResultView as FindingResult } from "../bindings";
import type { Key } from "../i18n";

export const RESULTS: FindingResult[] = ["compliant", "violation", "not_applicable"];
export const resultKey: Record<FindingResult, Key> = {
  compliant: "resCompliant",
  violation: "resViolation",
  not_applicable: "resNotApplicable",
};

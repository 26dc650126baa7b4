// Warning about the inadmissibility of a violation (ст.49 248-FZ): prevention, issued only outside
// a measure with interaction. Names each requirement with its legal act and structural unit (picked
// from the checklist or typed), the conduct that may lead to a violation and at least one proposed
// measure (a date is optional); it demands no documents. Items with a violation are pre-selected.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import type { InspectionScreen, MeasureInput, WarningRequirementInput } from "../bindings";
import { DateInput } from "../components/DateInput";
import { Loading } from "../components/Loading";
import { ErrorBox, useErrors } from "../errors";
import { todayYmd } from "../format";
import { useI18n } from "../lang";
import { notifyChanged, useNav } from "../nav";

type Req = { key: string; label: string; cited: WarningRequirementInput; violated: boolean };
type Measure = { what: string; by: string };

function requirementsOf(ins: InspectionScreen): Req[] {
  const out: Req[] = [];
  for (const i of ins.checklist) {
    // Several items can cite one requirement; the warning names each requirement once.
    const key = i.requirement ?? i.code;
    const violated = i.current?.result === "violation";
    const seen = out.find((r) => r.key === key);
    if (seen) {
      seen.violated ||= violated;
      continue;
    }
    out.push({
      key,
      label: i.requirement_text ?? i.question,
      cited: { requirement: i.requirement ?? i.requirement_text ?? i.question, legal_act: i.legal_act ?? "", unit: i.article ?? "" },
      violated,
    });
  }
  return out;
}

const blank = (r: WarningRequirementInput) => !r.requirement.trim() && !r.legal_act.trim() && !r.unit.trim();
const complete = (r: WarningRequirementInput) => !!(r.requirement.trim() && r.legal_act.trim() && r.unit.trim());

export function WarningScreen({ id }: { id: string }) {
  const { t } = useI18n();
  const { report, invalid, clear } = useErrors();
  const nav = useNav();
  const [ins, setIns] = useState<InspectionScreen | null>(null);
  const [reqs, setReqs] = useState<Req[]>([]);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [typed, setTyped] = useState<WarningRequirementInput[]>([]);
  const [text, setText] = useState("");
  const [measures, setMeasures] = useState<Measure[]>([{ what: "", by: "" }]);
  const [busy, setBusy] = useState(false);
  const today = todayYmd(); // a measure's date is not in the past

  useEffect(() => {
    api.inspection(id).then((i) => {
      const r = requirementsOf(i);
      setIns(i);
      setReqs(r);
      setPicked(new Set(r.filter((x) => x.violated).map((x) => x.key)));
    }, (e) => report("warning", e));
  }, [id]);

  if (!ins)
    return (
      <section>
        <ErrorBox slot="warning" />
        <Loading />
      </section>
    );
  if (!ins.warning_allowed)
    return (
      <section class="narrow-wide" aria-labelledby="warning-title">
        <h1 id="warning-title">{t("warningTitle")}</h1>
        <p class="warn-box" role="status" data-testid="warning-not-allowed">
          {t("warningNotAllowed")}
        </p>
      </section>
    );

  const toggle = (k: string) => {
    const n = new Set(picked);
    n.has(k) ? n.delete(k) : n.add(k);
    setPicked(n);
  };
  // The checklist may lack a requirement's act or unit: the inspector types the missing part.
  const setCited = (k: string, c: Partial<WarningRequirementInput>) =>
    setReqs(reqs.map((r) => (r.key === k ? { ...r, cited: { ...r.cited, ...c } } : r)));
  const setTypedAt = (i: number, c: Partial<WarningRequirementInput>) =>
    setTyped(typed.map((x, j) => (j === i ? { ...x, ...c } : x)));
  const setMeasure = (i: number, m: Partial<Measure>) => setMeasures(measures.map((x, j) => (j === i ? { ...x, ...m } : x)));
  const chosen = (): WarningRequirementInput[] => [
    ...reqs.filter((r) => picked.has(r.key)).map((r) => r.cited),
    ...typed.filter((r) => !blank(r)),
  ];
  const fill = () => {
    const lines = chosen().map((r) => `— ${r.requirement}${r.legal_act ? ` (${[r.legal_act, r.unit].filter(Boolean).join(", ")})` : ""}`);
    setText([t("warningFillText"), ...lines].join("\n"));
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const requirements = chosen().map((r) => ({ requirement: r.requirement.trim(), legal_act: r.legal_act.trim(), unit: r.unit.trim() }));
    const ms: MeasureInput[] = measures
      .map((m) => ({ what: m.what.trim(), by: m.by || null }))
      .filter((m) => m.what || m.by);
    if (requirements.length === 0) return invalid("warning", "errNoReqs");
    if (!requirements.every(complete)) return invalid("warning", "errReqCited");
    if (!text.trim()) return invalid("warning", "errNoText");
    if (ms.length === 0 || ms.some((m) => !m.what || (m.by !== null && !/^\d{4}-\d{2}-\d{2}$/.test(m.by))))
      return invalid("warning", "errMeasure");
    clear();
    setBusy(true);
    try {
      await api.issueWarning(id, requirements, text.trim(), ms);
      notifyChanged();
      nav.back();
      nav.setFlash(t("warningDone"));
    } catch (err) {
      report("warning", err);
    } finally {
      setBusy(false);
    }
  };

  const citation = (
    r: WarningRequirementInput,
    set: (c: Partial<WarningRequirementInput>) => void,
    tid: string,
    all: boolean,
  ) => (
    <div class="citation">
      {all ? (
        <label class="field">
          <span>{t("reqRequirement")}</span>
          <input data-testid={`${tid}-requirement`} value={r.requirement} onInput={(e) => set({ requirement: e.currentTarget.value })} />
        </label>
      ) : null}
      <label class="field">
        <span>{t("reqLegalAct")}</span>
        <input data-testid={`${tid}-act`} value={r.legal_act} onInput={(e) => set({ legal_act: e.currentTarget.value })} />
      </label>
      <label class="field">
        <span>{t("reqUnit")}</span>
        <input data-testid={`${tid}-unit`} value={r.unit} onInput={(e) => set({ unit: e.currentTarget.value })} />
      </label>
    </div>
  );

  return (
    <section class="narrow-wide" aria-labelledby="warning-title">
      <h1 id="warning-title">{t("warningTitle")}</h1>
      <form class="form" onSubmit={submit} noValidate>
        <fieldset class="panel">
          <legend>{t("warningReqs")}</legend>
          <p class="hint">{t("warningReqHint")}</p>
          {reqs.map((r) => {
            const from = ins.checklist.find((i) => (i.requirement ?? i.code) === r.key);
            const gaps = !from?.legal_act || !from?.article;
            return (
              <div key={r.key}>
                <label class="check">
                  <input
                    type="checkbox"
                    data-testid={`warning-req-${r.key}`}
                    checked={picked.has(r.key)}
                    onChange={() => toggle(r.key)}
                  />
                  <span>
                    <b lang="ru">{r.label}</b> <span class="muted small">{t("reqCode", { c: r.key })}</span>
                    {r.cited.legal_act || r.cited.unit ? (
                      <span class="req-act" lang="ru"> — {[r.cited.legal_act, r.cited.unit].filter(Boolean).join(", ")}</span>
                    ) : null}
                    {r.violated ? <span class="tag tag-bad"> {t("resViolation")}</span> : null}
                  </span>
                </label>
                {picked.has(r.key) && gaps ? (
                  <div class="req-gaps">{citation(r.cited, (c) => setCited(r.key, c), `warning-req-${r.key}`, false)}</div>
                ) : null}
              </div>
            );
          })}
          {typed.map((r, i) => (
            <div class="measure typed-req" key={`typed-${i}`}>
              <div class="grow">{citation(r, (c) => setTypedAt(i, c), `warning-typed-${i}`, true)}</div>
              <button
                type="button"
                class="btn btn-icon"
                aria-label={`${t("remove")} ${i + 1}`}
                onClick={() => setTyped(typed.filter((_, j) => j !== i))}
              >
                ✕
              </button>
            </div>
          ))}
          <button
            type="button"
            class="btn"
            data-testid="warning-req-add"
            onClick={() => setTyped([...typed, { requirement: "", legal_act: "", unit: "" }])}
          >
            + {t("reqAdd")}
          </button>
        </fieldset>
        <label class="field">
          <span>{t("warningText")}</span>
          <textarea
            data-testid="warning-text"
            rows={5}
            placeholder={t("warningTextPlaceholder")}
            value={text}
            onInput={(e) => setText(e.currentTarget.value)}
          />
        </label>
        <button type="button" class="btn" onClick={fill}>
          {t("warningFill")}
        </button>
        <fieldset class="panel">
          <legend>{t("measures")}</legend>
          {measures.map((m, i) => (
            <div class="measure" key={i}>
              <label class="field grow">
                <span>
                  {t("measureWhat")} {i + 1}
                </span>
                <input
                  data-testid={`measure-what-${i}`}
                  value={m.what}
                  onInput={(e) => setMeasure(i, { what: e.currentTarget.value })}
                />
              </label>
              <label class="field">
                <span>{t("measureBy")}</span>
                <DateInput testid={`measure-by-${i}`} value={m.by} min={today} onChange={(by) => setMeasure(i, { by })} />
              </label>
              <button
                type="button"
                class="btn btn-icon"
                aria-label={`${t("remove")} ${i + 1}`}
                onClick={() => setMeasures(measures.filter((_, j) => j !== i))}
              >
                ✕
              </button>
            </div>
          ))}
          <button
            type="button"
            class="btn"
            data-testid="measure-add"
            onClick={() => setMeasures([...measures, { what: "", by: "" }])}
          >
            + {t("measureAdd")}
          </button>
        </fieldset>
        <ErrorBox slot="warning" />
        <button type="submit" class="btn btn-primary btn-big" data-testid="warning-submit" disabled={busy}>
          {t("warningSubmit")}
        </button>
      </form>
    </section>
  );
}

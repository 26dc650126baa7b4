// Warning about the inadmissibility of a violation (ст.49 248-FZ): names requirements and proposes
// measures; it demands no documents. Requirements with a recorded violation are pre-selected.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import type { InspectionScreen, MeasureInput } from "../bindings";
import { Loading } from "../components/Loading";
import { ErrorBox, useErrors } from "../errors";
import { useI18n } from "../lang";
import { notifyChanged, useNav } from "../nav";

type Req = { value: string; label: string; act: string; violated: boolean };

function requirementsOf(ins: InspectionScreen): Req[] {
  const seen = new Set<string>();
  const out: Req[] = [];
  for (const i of ins.checklist) {
    // Several items can cite one requirement; the warning names each requirement once.
    const value = i.requirement ?? i.code;
    const violated = i.current?.result === "violation";
    if (seen.has(value)) {
      if (violated) out.find((r) => r.value === value)!.violated = true;
      continue;
    }
    seen.add(value);
    const act = [i.legal_act, i.article].filter(Boolean).join(", ");
    out.push({ value, label: i.requirement_text ?? i.question, act, violated });
  }
  return out;
}

export function WarningScreen({ id }: { id: string }) {
  const { t } = useI18n();
  const { report, invalid, clear } = useErrors();
  const nav = useNav();
  const [reqs, setReqs] = useState<Req[] | null>(null);
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [text, setText] = useState("");
  const [measures, setMeasures] = useState<MeasureInput[]>([{ what: "", by: "" }]);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api.inspection(id).then((ins) => {
      const r = requirementsOf(ins);
      setReqs(r);
      setPicked(new Set(r.filter((x) => x.violated).map((x) => x.value)));
    }, (e) => report("warning", e));
  }, [id]);

  if (!reqs)
    return (
      <section>
        <ErrorBox slot="warning" />
        <Loading />
      </section>
    );

  const toggle = (v: string) => {
    const n = new Set(picked);
    n.has(v) ? n.delete(v) : n.add(v);
    setPicked(n);
  };
  const setMeasure = (i: number, m: Partial<MeasureInput>) =>
    setMeasures(measures.map((x, j) => (j === i ? { ...x, ...m } : x)));
  const fill = () => {
    const lines = reqs.filter((r) => picked.has(r.value)).map((r) => `— ${r.label}${r.act ? ` (${r.act})` : ""}`);
    setText([t("warningFillText"), ...lines].join("\n"));
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const chosen = reqs.filter((r) => picked.has(r.value)).map((r) => r.value);
    const ms = measures.map((m) => ({ what: m.what.trim(), by: m.by })).filter((m) => m.what || m.by);
    if (chosen.length === 0) return invalid("warning", "errNoReqs");
    if (!text.trim()) return invalid("warning", "errNoText");
    if (ms.some((m) => !m.what || !/^\d{4}-\d{2}-\d{2}$/.test(m.by))) return invalid("warning", "errMeasure");
    clear();
    setBusy(true);
    try {
      await api.issueWarning(id, chosen, text.trim(), ms);
      notifyChanged();
      nav.back();
      nav.setFlash(t("warningDone"));
    } catch (err) {
      report("warning", err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="narrow-wide" aria-labelledby="warning-title">
      <h1 id="warning-title">{t("warningTitle")}</h1>
      <form class="form" onSubmit={submit} noValidate>
        <fieldset class="panel">
          <legend>{t("warningReqs")}</legend>
          {reqs.map((r) => (
            <label class="check" key={r.value}>
              <input
                type="checkbox"
                data-testid={`warning-req-${r.value}`}
                checked={picked.has(r.value)}
                onChange={() => toggle(r.value)}
              />
              <span>
                <b>{r.value}</b> {r.label}
                {r.act ? <span class="req-act"> — {r.act}</span> : null}
                {r.violated ? <span class="tag tag-bad"> {t("resViolation")}</span> : null}
              </span>
            </label>
          ))}
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
                <input
                  type="date"
                  data-testid={`measure-by-${i}`}
                  value={m.by}
                  onInput={(e) => setMeasure(i, { by: e.currentTarget.value })}
                  onChange={(e) => setMeasure(i, { by: e.currentTarget.value })}
                />
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

// The inspection act (ст.87 248-FZ): drawn up on the spot, carries the ЕРКНМ number, names each
// violated requirement with its legal act and structural unit and whether it was remedied during
// the inspection, and records the subject's acknowledgement or refusal. Edit → review → PIN → sign.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import type { ActDraft, ActInput, InspectionScreen, PersonInput, ViolationInput } from "../bindings";
import { Loading } from "../components/Loading";
import { ErrorBox, useErrors } from "../errors";
import { useI18n } from "../lang";
import { ActDocument } from "./ActDocument";
import { ActReview, Summary } from "./ActReview";

type Ack = ActInput["acknowledgement"];
type Answer = { remedied: boolean | null; legal_act: string; unit: string };
const ACKS: { v: Ack; key: "ackAcknowledged" | "ackRefused" | "ackAbsent" }[] = [
  { v: "acknowledged", key: "ackAcknowledged" },
  { v: "refused", key: "ackRefused" },
  { v: "absent", key: "ackAbsent" },
];

export function ActScreen({ id }: { id: string }) {
  const { t } = useI18n();
  const { report, invalid, clear } = useErrors();
  const [ins, setIns] = useState<InspectionScreen | null>(null);
  const [draft, setDraft] = useState<ActDraft | null>(null);
  const [summary, setSummary] = useState("");
  const [present, setPresent] = useState<PersonInput[]>([{ name: "", role: "" }]);
  const [ack, setAck] = useState<Ack | null>(null);
  // Per violation (by finding id): remedied during the inspection (required), and the legal act
  // and unit when the checklist gives none.
  const [answers, setAnswers] = useState<Record<string, Answer>>({});
  // Per unanswered item (by code): why it was not checked.
  const [reasons, setReasons] = useState<Record<string, string>>({});
  const [review, setReview] = useState(false);

  const load = async () => {
    try {
      const i = await api.inspection(id);
      setIns(i);
      if (!i.act) {
        const d = await api.actDraft(id);
        setDraft(d);
        setSummary((s) => s || d.summary);
      }
    } catch (e) {
      report("act", e);
    }
  };
  useEffect(() => {
    load();
  }, [id]);

  if (!ins || (!ins.act && !draft))
    return (
      <section>
        <ErrorBox slot="act" />
        <Loading />
      </section>
    );
  if (ins.act) return <ActDocument ins={ins} />;
  const d = draft!;

  const people = present.map((p) => ({ name: p.name.trim(), role: p.role.trim() })).filter((p) => p.name);
  const answerOf = (finding: string): Answer => answers[finding] ?? { remedied: null, legal_act: "", unit: "" };
  const setAnswer = (finding: string, a: Partial<Answer>) => setAnswers({ ...answers, [finding]: { ...answerOf(finding), ...a } });
  const violations: ViolationInput[] = d.violations.map((v) => {
    const a = answerOf(v.finding);
    return {
      finding: v.finding,
      remedied: a.remedied === true,
      legal_act: v.legal_act ? null : a.legal_act.trim() || null,
      unit: v.unit ? null : a.unit.trim() || null,
    };
  });
  const not_checked = d.unanswered.map((u) => ({ item: u.item, reason: (reasons[u.item] ?? "").trim() }));
  const act: ActInput | null = ack
    ? { summary: summary.trim(), present: people, acknowledgement: ack, violations, not_checked }
    : null;

  const toReview = (e: Event) => {
    e.preventDefault();
    if (!d.erknm) return invalid("act", "actNoErknm");
    if (d.violations.some((v) => answerOf(v.finding).remedied === null)) return invalid("act", "errRemedied");
    if (violations.some((v, i) => !(d.violations[i].legal_act || v.legal_act) || !(d.violations[i].unit || v.unit)))
      return invalid("act", "errCitation");
    if (not_checked.some((n) => !n.reason)) return invalid("act", "errNotChecked");
    if (!summary.trim()) return invalid("act", "errSummary");
    if (!ack) return invalid("act", "errAck");
    clear();
    setReview(true);
    window.scrollTo(0, 0);
  };

  if (review && act)
    return <ActReview id={id} draft={d} act={act} onEdit={() => setReview(false)} onSigned={load} />;

  const setP = (i: number, p: Partial<PersonInput>) => setPresent(present.map((x, j) => (j === i ? { ...x, ...p } : x)));
  return (
    <section class="narrow-wide" aria-labelledby="act-title">
      <h1 id="act-title">{t("actTitle")}</h1>
      <h2 class="muted">{ins.subject.name}</h2>
      {d.erknm ? (
        <p data-testid="act-erknm">
          <b>{t("actErknm", { n: d.erknm })}</b>
        </p>
      ) : (
        <p class="warn-box" role="status" data-testid="act-no-erknm">
          {t("actNoErknm")}
        </p>
      )}
      <form class="form" onSubmit={toReview} noValidate>
        <Summary draft={d} list={false} />
        {d.violations.length > 0 ? (
          <fieldset class="panel" data-testid="act-violations">
            <legend>{t("actViolations")}</legend>
            {d.violations.map((v, i) => {
              const a = answerOf(v.finding);
              return (
                <div class="violation-answer" key={v.finding} data-testid={`violation-${i}`}>
                  <p>
                    <b>
                      {i + 1}. {v.requirement_text ?? v.requirement}
                    </b>
                    {v.legal_act || v.unit ? <span class="req-act"> ({[v.legal_act, v.unit].filter(Boolean).join(", ")})</span> : null}
                    {v.requirement_text ? <span class="muted small"> · {t("reqCode", { c: v.requirement })}</span> : null}
                  </p>
                  {!v.legal_act || !v.unit ? (
                    <div class="citation">
                      {!v.legal_act ? (
                        <label class="field">
                          <span>{t("reqLegalAct")}</span>
                          <input data-testid={`violation-${i}-act`} value={a.legal_act} onInput={(e) => setAnswer(v.finding, { legal_act: e.currentTarget.value })} />
                        </label>
                      ) : null}
                      {!v.unit ? (
                        <label class="field">
                          <span>{t("reqUnit")}</span>
                          <input data-testid={`violation-${i}-unit`} value={a.unit} onInput={(e) => setAnswer(v.finding, { unit: e.currentTarget.value })} />
                        </label>
                      ) : null}
                    </div>
                  ) : null}
                  <div class="radios" role="radiogroup" aria-label={t("remediedQ")}>
                    <span class="field">{t("remediedQ")}</span>
                    {([true, false] as const).map((yes) => (
                      <label class="radio" key={String(yes)}>
                        <input
                          type="radio"
                          name={`remedied-${i}`}
                          data-testid={`violation-${i}-remedied-${yes ? "yes" : "no"}`}
                          checked={a.remedied === yes}
                          onChange={() => setAnswer(v.finding, { remedied: yes })}
                        />
                        <span>{t(yes ? "yes" : "no")}</span>
                      </label>
                    ))}
                  </div>
                </div>
              );
            })}
          </fieldset>
        ) : null}
        {d.unanswered.length > 0 ? (
          <fieldset class="panel" data-testid="act-not-checked">
            <legend>{t("actNotCheckedTitle")}</legend>
            <p class="hint">{t("actNotCheckedIntro")}</p>
            {d.unanswered.map((u) => (
              <label class="field" key={u.item}>
                <span>
                  <b>{u.item}.</b> <span lang="ru">{u.question}</span>
                </span>
                <input
                  data-testid={`not-checked-${u.item}`}
                  placeholder={t("actNotCheckedReason")}
                  aria-label={`${t("actNotCheckedReason")}: ${u.item}`}
                  value={reasons[u.item] ?? ""}
                  onInput={(e) => setReasons({ ...reasons, [u.item]: e.currentTarget.value })}
                />
              </label>
            ))}
          </fieldset>
        ) : null}
        <label class="field">
          <span>{t("actSummary")}</span>
          <textarea
            data-testid="act-summary"
            rows={6}
            value={summary}
            onInput={(e) => setSummary(e.currentTarget.value)}
          />
        </label>
        <fieldset class="panel">
          <legend>{t("actPresent")}</legend>
          {present.map((p, i) => (
            <div class="measure" key={i}>
              <label class="field grow">
                <span>{t("presentName")}</span>
                <input data-testid={`present-name-${i}`} value={p.name} onInput={(e) => setP(i, { name: e.currentTarget.value })} />
              </label>
              <label class="field grow">
                <span>{t("presentRole")}</span>
                <input data-testid={`present-role-${i}`} value={p.role} onInput={(e) => setP(i, { role: e.currentTarget.value })} />
              </label>
              <button
                type="button"
                class="btn btn-icon"
                aria-label={`${t("remove")} ${i + 1}`}
                onClick={() => setPresent(present.filter((_, j) => j !== i))}
              >
                ✕
              </button>
            </div>
          ))}
          <button type="button" class="btn" data-testid="present-add" onClick={() => setPresent([...present, { name: "", role: "" }])}>
            + {t("presentAdd")}
          </button>
        </fieldset>
        <fieldset class="panel">
          <legend>{t("actAck")}</legend>
          <div class="radios">
            {ACKS.map((a) => (
              <label class="radio" key={a.v}>
                <input
                  type="radio"
                  name="ack"
                  value={a.v}
                  data-testid={`ack-${a.v}`}
                  checked={ack === a.v}
                  onChange={() => setAck(a.v)}
                />
                <span>{t(a.key)}</span>
              </label>
            ))}
          </div>
        </fieldset>
        <ErrorBox slot="act" />
        <button type="submit" class="btn btn-primary btn-big" data-testid="act-review">
          {t("actReview")}
        </button>
      </form>
    </section>
  );
}

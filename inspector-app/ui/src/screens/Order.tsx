// The remediation order (предписание, п.1 ч.2 ст.90 248-FZ): after an act that found violations,
// drawn up from the act's violations not remedied during the inspection (requirement, legal act and
// unit prefilled), naming the act; the inspector writes each measure and picks a deadline later than
// the order's date, then signs with the PIN asked again. One order per inspection.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import type { InspectionScreen, OrderDraft, RemedyInput } from "../bindings";
import { DateInput } from "../components/DateInput";
import { Loading } from "../components/Loading";
import { StateBadge } from "../components/StateBadge";
import { ErrorBox, useErrors } from "../errors";
import { addDays, date, dateTime } from "../format";
import { pickLang, useI18n } from "../lang";
import { notifyChanged } from "../nav";

export function OrderScreen({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const { report, invalid, clear } = useErrors();
  const [ins, setIns] = useState<InspectionScreen | null>(null);
  const [draft, setDraft] = useState<OrderDraft | null>(null);
  const [remedies, setRemedies] = useState<RemedyInput[]>([]);
  const [pin, setPin] = useState("");
  const [busy, setBusy] = useState(false);

  const load = async () => {
    try {
      const i = await api.inspection(id);
      setIns(i);
      if (!i.order) {
        const d = await api.orderDraft(id);
        setDraft(d);
        setRemedies((old) =>
          old.length > 0
            ? old
            : d.remedies.map((r) => ({ requirement: r.requirement, legal_act: r.legal_act ?? "", unit: r.unit ?? "", measure: "", deadline: "" })),
        );
      }
    } catch (e) {
      report("order", e);
    }
  };
  useEffect(() => {
    load();
  }, [id]);

  if (ins?.order) {
    const o = ins.order;
    return (
      <section class="narrow-wide" aria-labelledby="order-title">
        <div class="signed" data-testid="order-signed" data-state={o.state}>
          <h1 id="order-title">✓ {t("orderSigned")}</h1>
          <p>
            <span lang="ru">{ins.subject.name}</span> · {dateTime(o.at, lang)} · #{o.seq}
          </p>
          <p>{lang === "ru" ? o.summary : o.summary_en}</p>
          <StateBadge state={o.state} />
          {o.rejected_reason ? <p class="rejected">{t("rejectedReason", { r: pickLang(o.rejected_reason, lang) })}</p> : null}
        </div>
      </section>
    );
  }
  if (!ins || !draft)
    return (
      <section class="narrow-wide">
        <h1>{t("orderTitle")}</h1>
        <ErrorBox slot="order" />
        {ins ? null : <Loading />}
      </section>
    );

  const first = addDays(draft.issued_on, 1);
  const setR = (i: number, r: Partial<RemedyInput>) => setRemedies(remedies.map((x, j) => (j === i ? { ...x, ...r } : x)));
  const sign = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const out = remedies.map((r) => ({ ...r, legal_act: r.legal_act.trim(), unit: r.unit.trim(), measure: r.measure.trim() }));
    // ISO dates compare as strings.
    const bad = (r: RemedyInput) => !r.measure || !r.legal_act || !r.unit || !/^\d{4}-\d{2}-\d{2}$/.test(r.deadline) || r.deadline <= draft.issued_on;
    if (out.length === 0 || out.some(bad)) return invalid("order", "errOrderFill");
    if (!/^\d{4,12}$/.test(pin)) return invalid("order", "errActPin");
    clear();
    setBusy(true);
    try {
      await api.signOrder(id, { remedies: out }, pin);
      notifyChanged();
      await load();
    } catch (err) {
      setPin("");
      report("order", err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="narrow-wide" aria-labelledby="order-title">
      <h1 id="order-title">{t("orderTitle")}</h1>
      <h2 class="muted" lang="ru">
        {draft.subject.name}
      </h2>
      <div class="panel">
        <p>{t("orderByAct", { date: dateTime(draft.act_at, lang) })}</p>
        <p>
          <b>{t("erknm")}:</b> {draft.erknm ?? t("erknmNone")}
        </p>
        <p data-testid="order-date">
          <b>{t("orderDate", { d: date(draft.issued_on, lang) })}</b>
        </p>
      </div>
      <form class="form sign-form" onSubmit={sign} noValidate>
        <fieldset class="panel">
          <legend>{t("actViolations")}</legend>
          {draft.remedies.map((d, i) => {
            const r = remedies[i];
            if (!r) return null;
            return (
              <div class="remedy" key={i} data-testid={`remedy-${i}`}>
                <p>
                  <b>
                    {t("orderItem", { n: i + 1 })}: <span lang="ru">{d.requirement_text ?? d.requirement}</span>
                  </b>
                  {d.legal_act && d.unit ? (
                    <span class="req-act" lang="ru">
                      {" "}
                      ({d.legal_act}, {d.unit})
                    </span>
                  ) : null}
                  {d.requirement_text ? <span class="muted small"> · {t("reqCode", { c: d.requirement })}</span> : null}
                </p>
                {!d.legal_act || !d.unit ? (
                  <div class="citation">
                    {!d.legal_act ? (
                      <label class="field">
                        <span>{t("reqLegalAct")}</span>
                        <input data-testid={`remedy-${i}-act`} value={r.legal_act} onInput={(e) => setR(i, { legal_act: e.currentTarget.value })} />
                      </label>
                    ) : null}
                    {!d.unit ? (
                      <label class="field">
                        <span>{t("reqUnit")}</span>
                        <input data-testid={`remedy-${i}-unit`} value={r.unit} onInput={(e) => setR(i, { unit: e.currentTarget.value })} />
                      </label>
                    ) : null}
                  </div>
                ) : null}
                <label class="field">
                  <span>{t("orderMeasure")}</span>
                  <textarea data-testid={`remedy-${i}-measure`} rows={2} value={r.measure} onInput={(e) => setR(i, { measure: e.currentTarget.value })} />
                </label>
                <label class="field">
                  <span>{t("orderDeadline")}</span>
                  <DateInput testid={`remedy-${i}-deadline`} value={r.deadline} min={first} onChange={(deadline) => setR(i, { deadline })} />
                </label>
              </div>
            );
          })}
        </fieldset>
        <label class="field">
          <span>{t("actPin")}</span>
          <input
            data-testid="order-pin"
            class="pin-input"
            type="password"
            inputMode="numeric"
            pattern="[0-9]*"
            autoComplete="current-password"
            value={pin}
            onInput={(e) => setPin(e.currentTarget.value.replace(/\D/g, "").slice(0, 12))}
          />
        </label>
        <ErrorBox slot="order" />
        <button type="submit" class="btn btn-primary btn-big" data-testid="order-sign" disabled={busy}>
          {t("orderSign")}
        </button>
      </form>
    </section>
  );
}

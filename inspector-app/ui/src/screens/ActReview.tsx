// Read-only parts of the act: the counts and violations, and the review before signing.
import { useState } from "preact/hooks";
import { api } from "../api";
import type { ActDraft, ActInput } from "../bindings";
import { Sentence } from "../components/Sentence";
import { ErrorBox, useErrors } from "../errors";
import type { Key } from "../i18n";
import { useI18n } from "../lang";
import { notifyChanged } from "../nav";

export const ackKey: Record<ActInput["acknowledgement"], Key> = {
  acknowledged: "ackAcknowledged",
  refused: "ackRefused",
  absent: "ackAbsent",
};

// `act`: the answers to show beside each violation (review); `list: false` leaves the violations
// to the form that asks about them.
export function Summary({ draft, act, list = true }: { draft: ActDraft; act?: ActInput; list?: boolean }) {
  const { t } = useI18n();
  return (
    <div class="panel">
      <p class="counts" data-testid="act-counts">
        {t("actAnswered", { a: draft.total - draft.unanswered.length, b: draft.total })} ·{" "}
        {t("actCounts", { c: draft.compliant, v: draft.violation_count, n: draft.not_applicable })}
      </p>
      {draft.unanswered.length > 0 && !act ? (
        <p class="warn-box" data-testid="act-unanswered">
          ⚠ {t("actUnanswered", { list: draft.unanswered.map((u) => u.item).join(", ") })}
        </p>
      ) : null}
      {act && act.not_checked.length > 0 ? (
        <>
          <h3>{t("actNotCheckedList")}</h3>
          <ul class="plain" data-testid="act-review-not-checked">
            {act.not_checked.map((n) => (
              <li key={n.item}>
                <b>{n.item}.</b> <span lang="ru">{draft.unanswered.find((u) => u.item === n.item)?.question}</span> —{" "}
                <Sentence k="docReason" slot="r" data={n.reason} />
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {/* Never "no violations" over items that were not checked. */}
      {draft.violations.length === 0 && draft.unanswered.length === 0 ? <p class="muted">{t("actNoViolations")}</p> : null}
      {list && draft.violations.length > 0 ? (
        <>
          <h3>{t("actViolations")}</h3>
          <ol class="violations">
            {draft.violations.map((v) => {
              const a = act?.violations.find((x) => x.finding === v.finding);
              const cited = [v.legal_act ?? a?.legal_act, v.unit ?? a?.unit].filter(Boolean).join(", ");
              return (
                <li key={v.finding}>
                  <b>{v.requirement_text ?? v.requirement}</b>
                  {cited ? <span class="req-act"> ({cited})</span> : null}
                  <span class="muted small"> · {t("reqCode", { c: v.requirement })}</span>
                  {a ? (
                    <div>
                      <b>{t(a.remedied ? "remediedYes" : "remediedNo")}</b>
                    </div>
                  ) : null}
                  {v.note ? <div class="muted">{v.note}</div> : null}
                </li>
              );
            })}
          </ol>
        </>
      ) : null}
    </div>
  );
}

type ReviewProps = { id: string; draft: ActDraft; act: ActInput; onEdit: () => void; onSigned: () => void };

export function ActReview({ id, draft, act, onEdit, onSigned }: ReviewProps) {
  const { t } = useI18n();
  const { report, invalid, clear } = useErrors();
  const [pin, setPin] = useState("");
  const [busy, setBusy] = useState(false);
  const sign = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    if (!/^\d{4,12}$/.test(pin)) return invalid("act-sign", "errActPin");
    clear();
    setBusy(true);
    try {
      await api.signAct(id, act, pin);
      notifyChanged();
      onSigned();
    } catch (err) {
      setPin("");
      report("act-sign", err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="narrow-wide" aria-labelledby="review-title" data-testid="act-review-screen">
      <h1 id="review-title">{t("actReviewTitle")}</h1>
      {draft.erknm ? (
        <p>
          <b>{t("actErknm", { n: draft.erknm })}</b>
        </p>
      ) : null}
      <Summary draft={draft} act={act} />
      <div class="panel">
        <h3>{t("actSummary")}</h3>
        <p class="pre" lang="ru">
          {act.summary}
        </p>
        <h3>{t("actPresent")}</h3>
        {act.present.length === 0 ? <p class="muted">{t("none")}</p> : null}
        <ul class="plain">
          {act.present.map((p, i) => (
            <li key={i}>
              {p.name}
              {p.role ? ` — ${p.role}` : ""}
            </li>
          ))}
        </ul>
        <h3>{t("actAck")}</h3>
        <p>{t(ackKey[act.acknowledgement])}</p>
      </div>
      <form class="form sign-form" onSubmit={sign} noValidate>
        <label class="field">
          <span>{t("actPin")}</span>
          <input
            data-testid="act-pin"
            class="pin-input"
            type="password"
            inputMode="numeric"
            pattern="[0-9]*"
            autoComplete="current-password"
            value={pin}
            onInput={(e) => setPin(e.currentTarget.value.replace(/\D/g, "").slice(0, 12))}
          />
        </label>
        <ErrorBox slot="act-sign" />
        <div class="btn-row">
          <button type="submit" class="btn btn-primary btn-big" data-testid="act-sign" disabled={busy}>
            {t("actSign")}
          </button>
          <button type="button" class="btn btn-big" onClick={onEdit} disabled={busy}>
            {t("actEdit")}
          </button>
        </div>
      </form>
    </section>
  );
}

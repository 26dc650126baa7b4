// A preventive visit (ст.52 248-FZ): not a control measure, so no checklist walk, act or order.
// The screen shows whom and where the visit concerns and when, takes what was discussed (the
// requirements, the self-assessment, the advice given) and signs it as the visit's record; a
// visit that is not mandatory may instead be refused by the subject, a mandatory one never
// (ст.52.1), and the screen says so. Once recorded the visit shows as done, offline.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import type { VisitScreen as Visit } from "../bindings";
import { Loading } from "../components/Loading";
import { ControlTypeName } from "../components/Names";
import { RecordList } from "../components/RecordList";
import { StateBadge } from "../components/StateBadge";
import { ErrorBox, useErrors } from "../errors";
import { date, dateRange, dateTime } from "../format";
import { code, pickLang, useI18n } from "../lang";
import { groundName, kindName, statusName } from "../names";
import { notifyChanged } from "../nav";
import { summaryError, visitState } from "../visit";

export function VisitScreen({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const { report, invalid, clear } = useErrors();
  const [v, setV] = useState<Visit | null>(null);
  const [summary, setSummary] = useState("");
  const [busy, setBusy] = useState(false);
  const load = () => api.visit(id).then(setV, (e) => report("visit", e));
  useEffect(() => {
    load();
  }, [id]);

  const st = visitState(v);
  if (!v)
    return (
      <section data-testid="visit" data-stage={st.stage}>
        <ErrorBox slot="visit" />
        <Loading />
      </section>
    );

  const sign = async (refused: boolean) => {
    if (busy) return;
    const bad = summaryError(summary);
    if (bad) return invalid("visit", bad);
    clear();
    setBusy(true);
    try {
      await (refused ? api.refuseVisit(id, summary.trim()) : api.holdVisit(id, summary.trim()));
      notifyChanged();
      await load();
    } catch (e) {
      report("visit", e);
    } finally {
      setBusy(false);
    }
  };

  const done = v.visit;
  return (
    <section class="visit narrow-wide" data-testid="visit" data-stage={st.stage} aria-labelledby="visit-title">
      <h1 id="visit-title" lang="ru">
        {v.subject.name}
      </h1>
      <p class="muted">
        {kindName(t, lang, v.kind, v.kind_name)} · {dateRange(v.starts_on, v.ends_on, lang)}
      </p>
      <p>
        <span class="tag tag-visit">{t("tagVisit")}</span>{" "}
        <span class={v.mandatory ? "tag tag-info" : "tag"} data-testid="visit-mandatory" data-mandatory={v.mandatory}>
          {t(v.mandatory ? "visitMandatory" : "visitOptional")}
        </span>
      </p>
      {v.note ? (
        <p class="note-box" lang="ru">
          {v.note}
        </p>
      ) : null}

      {done && st.done ? (
        <div class="signed" data-testid="visit-done" data-outcome={done.outcome} data-state={done.record.state} data-record={done.record.id}>
          <h2>✓ {t(st.done)}</h2>
          <p>
            {dateTime(done.record.at, lang)} · #{done.record.seq}
          </p>
          <p class="pre" lang="ru" data-testid="visit-done-summary">
            {done.summary}
          </p>
          <StateBadge state={done.record.state} />
          {done.record.rejected_reason ? (
            <p class="rejected">{t("rejectedReason", { r: pickLang(done.record.rejected_reason, lang) })}</p>
          ) : null}
        </div>
      ) : null}

      <div class="info-grid">
        <div class="panel" data-testid="visit-info">
          <h2>{t("visitInfo")}</h2>
          <dl class="dl dl-stack">
            <dt>{t("visitDate")}</dt>
            <dd data-testid="visit-date">{v.starts_on === v.ends_on ? date(v.starts_on, lang) : dateRange(v.starts_on, v.ends_on, lang)}</dd>
            <dt>{t("ground")}</dt>
            <dd>{groundName(t, lang, v.ground, v.ground_name, v.basis)}</dd>
            {v.erknm ? (
              <>
                <dt>{t("erknm")}</dt>
                <dd>{v.erknm}</dd>
              </>
            ) : null}
            <dt>{t("controlType")}</dt>
            <dd>
              <ControlTypeName code={v.control_type} name={v.control_type_name} />
            </dd>
            <dt>{t("status")}</dt>
            <dd>{statusName(t, v.status)}</dd>
          </dl>
        </div>
        <div class="panel" data-testid="visit-subject">
          <h2>{t("subject")}</h2>
          <dl class="dl">
            <dt>{t("inn")}</dt>
            <dd>{v.subject.inn}</dd>
            <dt>{t("ogrn")}</dt>
            <dd>{v.subject.ogrn ?? "—"}</dd>
            <dt>{t("sizeClass")}</dt>
            <dd>{v.subject.size_class ? code(t, "size", v.subject.size_class) : "—"}</dd>
          </dl>
        </div>
        <div class="panel" data-testid="visit-objects">
          <h2>{t("objects")}</h2>
          <ul class="plain">
            {v.objects.map((o) => (
              <li key={o.key}>
                <b lang="ru">{o.address}</b>
                <br />
                {t("district")}: <span lang="ru">{o.district}</span> · {t("riskCategory")}:{" "}
                {code(t, "risk", o.risk_category ?? "low")}
              </li>
            ))}
          </ul>
        </div>
      </div>

      {st.canHold ? (
        <form
          class="form"
          onSubmit={(e) => {
            e.preventDefault();
            sign(false);
          }}
          noValidate
        >
          <label class="field">
            <span>{t("visitSummary")}</span>
            <span class="hint">{t("visitSummaryHint")}</span>
            <textarea
              data-testid="visit-summary"
              rows={7}
              value={summary}
              onInput={(e) => setSummary(e.currentTarget.value)}
            />
          </label>
          {st.rule ? (
            <p class={st.canRefuse ? "hint" : "note-box"} data-testid="visit-rule" data-rule={st.rule}>
              {t(st.rule)}
            </p>
          ) : null}
          <ErrorBox slot="visit" />
          <div class="btn-row visit-actions">
            <button type="submit" class="btn btn-primary btn-big" data-testid="visit-hold" disabled={busy}>
              {t("visitHold")}
            </button>
            {st.canRefuse ? (
              <button type="button" class="btn btn-big" data-testid="visit-refuse" disabled={busy} onClick={() => sign(true)}>
                {t("visitRefuse")}
              </button>
            ) : null}
          </div>
        </form>
      ) : (
        <ErrorBox slot="visit" />
      )}

      <details class="records-details">
        <summary>
          {t("records")} ({v.records.length})
        </summary>
        <RecordList records={v.records} lang={lang} />
      </details>
    </section>
  );
}

// One inspection: the measure's ground and ЕРКНМ number, the controlled persons, objects, history,
// interaction time, the checklist and the way to the warning, the act and the order.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import type { InspectionScreen } from "../bindings";
import { ChecklistItem } from "../components/ChecklistItem";
import { InteractionPanel } from "../components/Interaction";
import { Loading } from "../components/Loading";
import { RecordList } from "../components/RecordList";
import { StateBadge } from "../components/StateBadge";
import { ErrorBox, useErrors } from "../errors";
import { date, dateRange } from "../format";
import { code, useI18n } from "../lang";
import { ControlTypeName } from "../components/Names";
import { checklistTitle, groundName, kindName, statusName } from "../names";
import { notifyChanged, useNav } from "../nav";

export function InspectionView({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const { report } = useErrors();
  const nav = useNav();
  const [ins, setIns] = useState<InspectionScreen | null>(null);
  const [busy, setBusy] = useState(false);
  const load = () => api.inspection(id).then(setIns, (e) => report("inspection", e));
  useEffect(() => {
    load();
  }, [id]);

  if (!ins)
    return (
      <section data-testid="inspection">
        <ErrorBox slot="inspection" />
        <Loading />
      </section>
    );

  const start = async () => {
    setBusy(true);
    try {
      await api.startInspection(id);
      notifyChanged();
      await load();
    } catch (e) {
      report("inspection", e);
    } finally {
      setBusy(false);
    }
  };

  const photos = new Map(ins.photos.map((p) => [p.sha256, p]));
  const locked = ins.act !== null;
  const answered = ins.checklist.filter((i) => i.current).length;
  return (
    <section class="inspection" data-testid="inspection" data-started={ins.started} aria-labelledby="insp-title">
      {nav.flash ? (
        <p class="flash" role="status">
          {nav.flash}
        </p>
      ) : null}
      <h1 id="insp-title" lang="ru">{ins.subjects.length > 1 ? ins.subjects.map((s) => s.name).join("; ") : ins.subject.name}</h1>
      <p class="muted">
        {kindName(t, lang, ins.kind, ins.kind_name)} · {dateRange(ins.starts_on, ins.ends_on, lang)}
      </p>
      {ins.note ? (
        <p class="note-box" lang="ru">
          {ins.note}
        </p>
      ) : null}
      <div class="start-row">
        {!ins.started ? (
          <button type="button" class="btn btn-primary btn-big" data-testid="start-inspection" onClick={start} disabled={busy || locked}>
            {t("startInspection")}
          </button>
        ) : (
          <span class="tag tag-info">✓ {t("started")}</span>
        )}
      </div>

      <div class="info-grid">
        <div class="panel" data-testid="measure-info">
          <h2>{t("measureInfo")}</h2>
          <dl class="dl dl-stack">
            <dt>{t("ground")}</dt>
            {/* An assignment pulled before grounds existed has only planned/unplanned. */}
            <dd data-testid="ground">{groundName(t, lang, ins.ground, ins.ground_name, ins.basis)}</dd>
            <dt>{t("erknm")}</dt>
            <dd data-testid="erknm">{ins.erknm ?? <span class="warn-text">{t("erknmNone")}</span>}</dd>
            {ins.prosecutor_agreement ? (
              <>
                <dt>{t("prosecutorAgreement")}</dt>
                <dd data-testid="prosecutor-agreement">
                  {t("agreementText", { ref: ins.prosecutor_agreement.reference, date: date(ins.prosecutor_agreement.date, lang) })}
                </dd>
              </>
            ) : null}
            <dt>{t("controlType")}</dt>
            <dd data-testid="control-type">
              <ControlTypeName code={ins.control_type} name={ins.control_type_name} />
            </dd>
            <dt>{t("status")}</dt>
            <dd data-testid="status">{statusName(t, ins.status)}</dd>
          </dl>
        </div>
        <div class="panel" data-testid="subjects">
          <h2>{ins.subjects.length > 1 ? t("subjects") : t("subject")}</h2>
          {(ins.subjects.length > 0 ? ins.subjects : [ins.subject]).map((s) => (
            <dl class="dl subject-card" key={s.inn}>
              {ins.subjects.length > 1 ? (
                <dd class="subject-name" lang="ru">
                  {s.name}
                </dd>
              ) : null}
              <dt>{t("inn")}</dt>
              <dd>{s.inn}</dd>
              <dt>{t("ogrn")}</dt>
              <dd>{s.ogrn ?? "—"}</dd>
              <dt>{t("sizeClass")}</dt>
              <dd>{s.size_class ? code(t, "size", s.size_class) : "—"}</dd>
            </dl>
          ))}
        </div>
        <div class="panel">
          <h2>{t("objects")}</h2>
          <ul class="plain">
            {ins.objects.map((o) => (
              <li key={o.key}>
                <b lang="ru">{o.address}</b>
                <br />
                {t("district")}: <span lang="ru">{o.district}</span> · {t("riskCategory")}: {o.risk_category ? code(t, "risk", o.risk_category) : code(t, "risk", "low")}
              </li>
            ))}
          </ul>
        </div>
        <div class="panel">
          <h2>{t("pastViolations")}</h2>
          {ins.past_violations.length === 0 ? <p class="muted">{t("none")}</p> : null}
          <ul class="plain">
            {ins.past_violations.map((v, i) => (
              <li key={i}>
                <b lang="ru">{ins.checklist.find((i) => i.code === v.item)?.question ?? v.item}</b> · {date(v.at.slice(0, 10), lang)}
                {v.note ? <span lang="ru"> — {v.note}</span> : null}
              </li>
            ))}
          </ul>
          <h2>{t("openOrders")}</h2>
          {ins.open_orders.length === 0 ? <p class="muted">{t("none")}</p> : null}
          <ul class="plain">
            {ins.open_orders.map((o) => (
              <li key={o.record}>
                {date(o.at.slice(0, 10), lang)} — <span lang="ru">{o.summary}</span>
              </li>
            ))}
          </ul>
        </div>
      </div>

      {ins.interaction ? (
        <InteractionPanel inspection={id} initial={ins.interaction} subjects={ins.subjects} locked={locked} onChanged={load} />
      ) : null}

      <ErrorBox slot="inspection" />
      {locked && ins.act ? (
        <p class="locked-note" role="status">
          {t("actSignedNote")} <StateBadge state={ins.act.state} />
        </p>
      ) : null}
      {ins.order_due ? (
        <p class="warn-box" role="status" data-testid="order-due">
          {t("orderDueNote")}
        </p>
      ) : null}

      <h2 class="section-title">
        {t("checklist")} <span class="muted">({t("checklistCount", { a: answered, b: ins.checklist.length })})</span>
      </h2>
      {checklistTitle(ins.checklist_name) ? (
        <p class="muted checklist-name" lang="ru">
          {checklistTitle(ins.checklist_name)}
        </p>
      ) : null}
      {ins.checklist.length === 0 ? <p class="muted">{t("noChecklist")}</p> : null}
      <div class="items">
        {ins.checklist.map((item) => (
          <ChecklistItem key={item.code} inspection={id} item={item} photos={photos} locked={locked} onChanged={load} />
        ))}
      </div>

      {ins.warnings.length > 0 ? (
        <>
          <h2 class="section-title">{t("warnings")}</h2>
          <RecordList records={ins.warnings} lang={lang} />
        </>
      ) : null}
      <details class="records-details">
        <summary>
          {t("records")} ({ins.records.length})
        </summary>
        <RecordList records={ins.records} lang={lang} />
      </details>

      <div class="action-bar">
        {/* A warning is prevention: only in a measure without interaction (ст.49, ст.56). */}
        {ins.warning_allowed ? (
          <button type="button" class="btn" data-testid="open-warning" onClick={() => nav.go({ name: "warning", id })}>
            {t("openWarning")}
          </button>
        ) : null}
        <button type="button" class={ins.order_due ? "btn" : "btn btn-primary"} data-testid="open-act" onClick={() => nav.go({ name: "act", id })}>
          {ins.act ? `✓ ${t("actShowDocument")}` : t("openAct")}
        </button>
        {ins.order_due || ins.order ? (
          <button type="button" class={ins.order_due ? "btn btn-primary" : "btn"} data-testid="open-order" onClick={() => nav.go({ name: "order", id })}>
            {t("openOrder")}
            {ins.order ? ` ✓` : ""}
          </button>
        ) : null}
      </div>
    </section>
  );
}

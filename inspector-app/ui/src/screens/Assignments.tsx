// Today's assignments, read offline from the local store.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import type { AssignmentSummary } from "../bindings";
import { Loading } from "../components/Loading";
import { ErrorBox, useErrors } from "../errors";
import { dateRange } from "../format";
import { useI18n } from "../lang";
import { ControlTypeName } from "../components/Names";
import { kindName } from "../names";
import { useNav } from "../nav";

export function Assignments() {
  const { t } = useI18n();
  const { report } = useErrors();
  const [list, setList] = useState<AssignmentSummary[] | null>(null);
  const load = () => api.assignments().then(setList, (e) => report("assignments", e));
  useEffect(() => {
    load();
  }, []);

  return (
    <section aria-labelledby="assignments-title">
      <h1 id="assignments-title">{t("assignmentsTitle")}</h1>
      <ErrorBox slot="assignments" />
      {list === null ? (
        <Loading />
      ) : (
        <ul class="cards" data-testid="assignments">
          {list.length === 0 ? <li class="empty">{t("assignmentsEmpty")}</li> : null}
          {list.map((a) => (
            <li key={a.id}>
              <Card a={a} />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Where a visit stands: recorded (held or refused) or still to be held. */
function VisitBadge({ a }: { a: AssignmentSummary }) {
  const { t } = useI18n();
  if (a.visit_outcome === "held") return <span class="tag tag-ok">✓ {t("badgeVisitHeld")}</span>;
  if (a.visit_outcome === "refused") return <span class="tag tag-bad">{t("badgeVisitRefused")}</span>;
  return <span class="tag">{t("badgeVisitOpen")}</span>;
}

function Card({ a }: { a: AssignmentSummary }) {
  const { t, lang } = useI18n();
  const nav = useNav();
  const pct = a.checklist_items > 0 ? Math.round((a.answered_items * 100) / a.checklist_items) : 0;
  // A preventive visit has no checklist: its own screen, its own label, no progress bar.
  const visit = a.preventive_visit;
  return (
    <button
      type="button"
      class={visit ? "card card-visit" : "card"}
      data-testid={`assignment-${a.id}`}
      data-visit={visit}
      onClick={() => nav.go({ name: visit ? "visit" : "inspection", id: a.id })}
    >
      <span class="card-head">
        <span class="card-title" lang="ru">
          {a.subject_name}
        </span>
        <span class="badges">
          {visit ? (
            <VisitBadge a={a} />
          ) : a.act_signed ? (
            <span class="tag tag-ok">✓ {t("badgeActSigned")}</span>
          ) : a.started ? (
            <span class="tag tag-info">{t("badgeStarted")}</span>
          ) : (
            <span class="tag">{t("badgeNotStarted")}</span>
          )}
        </span>
      </span>
      {visit ? (
        <span class="card-line">
          <span class="tag tag-visit" data-testid={`visit-tag-${a.id}`}>
            {t("tagVisit")}
          </span>
        </span>
      ) : null}
      <span class="card-line">
        {t("inn")} {a.subject_inn} · {kindName(t, lang, a.kind, a.kind_name)}
      </span>
      <span class="card-line muted">
        <ControlTypeName code={a.control_type} name={a.control_type_name} /> · {t("dates")}: {dateRange(a.starts_on, a.ends_on, lang)}
      </span>
      {a.addresses.map((addr) => (
        <span class="card-line addr" key={addr}>
          <svg aria-hidden="true" viewBox="0 0 24 24" width="18" height="18">
            <path fill="currentColor" d="M12 2a7 7 0 0 0-7 7c0 5 7 13 7 13s7-8 7-13a7 7 0 0 0-7-7zm0 9.5A2.5 2.5 0 1 1 12 6.5a2.5 2.5 0 0 1 0 5z" />
          </svg>
          <span lang="ru">{addr}</span>
        </span>
      ))}
      {visit ? null : (
        <span class="progress" aria-hidden="true">
          <span class="progress-bar" style={{ width: `${pct}%` }} />
        </span>
      )}
      <span class="card-line card-foot">
        <span>{visit ? t("visitNoChecklist") : t("progress", { a: a.answered_items, b: a.checklist_items })}</span>
        {a.pending_records > 0 ? (
          <span class="tag tag-pending">{t("pendingRecords", { n: a.pending_records })}</span>
        ) : null}
      </span>
    </button>
  );
}

// Interaction time (ст.73 248-FZ): start/stop of each on-site interval, the running total against
// the limit, and a warning banner (not a modal) from 80 % of the limit and again when it is reached.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import type { InteractionView, SubjectView } from "../bindings";
import { ErrorBox, useErrors } from "../errors";
import { dateTime, duration } from "../format";
import { useI18n } from "../lang";
import { notifyChanged } from "../nav";
import { StateBadge } from "./StateBadge";

type Props = {
  inspection: string;
  initial: InteractionView;
  subjects: SubjectView[];
  locked: boolean;
  onChanged: () => void;
};

// How often the running total is refreshed while an interval is under way.
const REFRESH_MS = 30_000;

export function InteractionPanel({ inspection, initial, subjects, locked, onChanged }: Props) {
  const { t, lang } = useI18n();
  const { report, invalid, clear } = useErrors();
  const [view, setView] = useState(initial);
  const [subject, setSubject] = useState("");
  const [busy, setBusy] = useState(false);
  useEffect(() => setView(initial), [initial]);
  const open = view.open_since !== null;
  useEffect(() => {
    if (!open) return;
    const timer = setInterval(
      () => api.interaction(inspection).then(setView, () => {}), // advisory: the next action reports errors
      REFRESH_MS,
    );
    return () => clearInterval(timer);
  }, [open, inspection]);

  const several = subjects.length > 1;
  const nameOf = (inn: string | null) => subjects.find((s) => s.inn === inn)?.name ?? inn;
  const act = async (start: boolean) => {
    if (busy) return;
    if (start && several && !subject) return invalid("interaction", "errPickSubject");
    clear("interaction");
    setBusy(true);
    try {
      setView(start ? await api.startInteraction(inspection, several ? subject : null) : await api.stopInteraction(inspection));
      notifyChanged();
      onChanged();
    } catch (e) {
      report("interaction", e);
    } finally {
      setBusy(false);
    }
  };

  const limit = view.limit_minutes;
  const used = limit ? Math.min(100, Math.floor((view.total_minutes * 100) / limit)) : 0;
  return (
    <div class="panel interaction" data-testid="interaction" data-level={view.level} data-open={open}>
      <h2>{t("interactionTitle")}</h2>
      <p class="counts" data-testid="interaction-total">
        {limit !== null
          ? t("interactionTotal", { total: duration(view.total_minutes, t), limit: duration(limit, t) })
          : t("interactionTotalNoLimit", { total: duration(view.total_minutes, t) })}
      </p>
      {limit !== null ? (
        <span class="progress" aria-hidden="true">
          <span class={`progress-bar level-${view.level}`} style={{ width: `${used}%` }} />
        </span>
      ) : null}
      {view.level === "near" && limit !== null ? (
        <p class="warn-box" role="status" data-testid="interaction-near">
          ⚠ {t("interactionNear", { p: used, left: duration(limit - view.total_minutes, t) })}
        </p>
      ) : null}
      {view.level === "reached" && limit !== null ? (
        <p class="error" role="alert" data-testid="interaction-reached">
          ⚠ {t("interactionReached", { limit: duration(limit, t) })}
        </p>
      ) : null}
      {open ? (
        <p class="tag tag-info">
          {t("interactionRunning", { t: dateTime(view.open_since, lang) })}
          {view.open_subject ? ` · ${nameOf(view.open_subject)}` : ""}
        </p>
      ) : null}
      {!open && several && !locked ? (
        <label class="field">
          <span>{t("interactionWith")}</span>
          <select data-testid="interaction-subject" value={subject} onChange={(e) => setSubject(e.currentTarget.value)}>
            <option value="">{t("interactionChoose")}</option>
            {subjects.map((s) => (
              <option key={s.inn} value={s.inn}>
                {s.name} ({t("inn")} {s.inn})
              </option>
            ))}
          </select>
        </label>
      ) : null}
      <ErrorBox slot="interaction" />
      {!locked || open ? (
        <div class="btn-row">
          {open ? (
            <button type="button" class="btn btn-primary btn-big" data-testid="interaction-stop" disabled={busy} onClick={() => act(false)}>
              ■ {t("interactionStop")}
            </button>
          ) : (
            <button type="button" class="btn btn-big" data-testid="interaction-start" disabled={busy} onClick={() => act(true)}>
              ▶ {t("interactionStart")}
            </button>
          )}
        </div>
      ) : null}
      {view.intervals.length > 0 ? (
        <details class="records-details">
          <summary>{t("interactionIntervals", { n: view.intervals.length })}</summary>
          <ul class="records">
            {view.intervals.map((i) => (
              <li key={i.record} class="record" data-state={i.state}>
                <span class="record-main">
                  {dateTime(i.started_at, lang)} – {dateTime(i.ended_at, lang)} · <b>{duration(i.minutes, t)}</b>
                  {i.subject ? ` · ${nameOf(i.subject)}` : ""}
                </span>
                <StateBadge state={i.state} />
              </li>
            ))}
          </ul>
        </details>
      ) : null}
    </div>
  );
}

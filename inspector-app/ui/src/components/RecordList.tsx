// Records with their sync state; rejected ones show the server's reason.
import type { ObjectionView, RecordView } from "../bindings";
import { date, dateTime } from "../format";
import { code, pickLang, useI18n } from "../lang";
import type { Lang } from "../lang";
import { StateBadge } from "./StateBadge";

// `ids` adds the record-<id> test ids; only one list per screen may carry them.
export function RecordList({ records, lang, ids }: { records: RecordView[]; lang: Lang; ids?: boolean }) {
  const { t } = useI18n();
  if (records.length === 0) return <p class="muted">{t("syncNoRecords")}</p>;
  return (
    <ul class="records">
      {records.map((r) => (
        <li key={r.id} class="record" data-testid={ids ? `record-${r.id}` : undefined} data-state={r.state}>
          <span class="record-main">
            <b>
              #{r.seq} {code(t, "kind", r.kind)}
            </b>{" "}
            <span class="muted">{dateTime(r.at, lang)}</span>
            <br />
            <Summary text={lang === "ru" ? r.summary : r.summary_en} />
            {r.rejected_reason ? (
              <span class="rejected"> — {t("rejectedReason", { r: pickLang(r.rejected_reason, lang) })}</span>
            ) : null}
            {r.objection ? <Objection o={r.objection} lang={lang} testid={ids ? `objection-${r.id}` : undefined} /> : null}
          </span>
          <StateBadge state={r.state} />
        </li>
      ))}
    </ul>
  );
}

/** The business's objection to a warning, and the agency's decision on it (ст.49). */
function Objection({ o, lang, testid }: { o: ObjectionView; lang: Lang; testid?: string }) {
  const { t } = useI18n();
  return (
    <span class="objection" data-status={o.status} data-testid={testid}>
      {t("objectionFiled", { d: date(o.filed_on, lang) })}: <b>{code(t, "objection", o.status)}</b>
      {o.decided_on ? <>, {t("objectionDecided", { d: date(o.decided_on, lang) })}</> : null}
      {o.reasons ? (
        <>
          <br />
          <span lang="ru">{t("objectionReasons", { r: o.reasons })}</span>
        </>
      ) : null}
    </span>
  );
}

/** "Label: what was written": the label is the UI's, the rest may quote the inspector's words. */
function Summary({ text }: { text: string }) {
  const i = text.indexOf(": ");
  if (i < 0) return <span>{text}</span>;
  const rest = text.slice(i + 2);
  return (
    <span>
      {text.slice(0, i + 2)}
      <span lang={/[А-Яа-яЁё]/.test(rest) ? "ru" : undefined}>{rest}</span>
    </span>
  );
}

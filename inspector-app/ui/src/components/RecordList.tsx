// Records with their sync state; rejected ones show the server's reason.
import type { RecordView } from "../bindings";
import { dateTime } from "../format";
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
          </span>
          <StateBadge state={r.state} />
        </li>
      ))}
    </ul>
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

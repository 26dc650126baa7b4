// One checklist item: requirement, one-tap result buttons, note, photos and the item's history.
// A tap signs a finding at once; a change of a recorded result goes through CorrectionDialog.
import { useState } from "preact/hooks";
import { api, fileToBase64 } from "../api";
import type { ChecklistItemView, FindingResultView as FindingResult, FindingView, PhotoView, PhotoWarningView } from "../bindings";
import { getDraft, putDraft } from "../drafts";
import { ErrorBox, useErrors } from "../errors";
import { dateTime } from "../format";
import { useI18n } from "../lang";
import { notifyChanged } from "../nav";
import { CorrectionDialog } from "./CorrectionDialog";
import { PhotoFigure } from "./PhotoFigure";
import { Sentence } from "./Sentence";
import { PhotoWarningsDialog } from "./PhotoWarnings";
import { RESULTS, resultKey } from "./results";
import { StateBadge } from "./StateBadge";

type Props = {
  inspection: string;
  item: ChecklistItemView;
  photos: Map<string, PhotoView>;
  locked: boolean;
  onChanged: () => void;
};

export function ChecklistItem({ inspection, item, photos, locked, onChanged }: Props) {
  const { t, lang } = useI18n();
  const { report, clear } = useErrors();
  const slot = `item-${item.code}`;
  const [draft, setDraftState] = useState(() => getDraft(inspection, item.code, item.current?.note ?? null));
  const [correcting, setCorrecting] = useState<FindingResult | null>(null);
  const [busy, setBusy] = useState(false);
  const setDraft = (d: typeof draft) => {
    putDraft(inspection, item.code, d);
    setDraftState(d);
  };
  const cur = item.current;

  const record = async (result: FindingResult, reason: string | null) => {
    setBusy(true);
    clear(slot);
    // A correction replaces the whole finding, so it keeps the photos already attached.
    const shas = [...(reason !== null && cur ? cur.photos : []), ...draft.photos.map((p) => p.sha256)];
    const note = draft.note.trim() || null;
    try {
      await api.recordFinding(inspection, item.code, result, note, [...new Set(shas)], reason !== null && cur ? cur.id : null, reason);
      setDraft({ note: draft.note, photos: [] });
      setCorrecting(null);
      notifyChanged();
      onChanged();
    } catch (e) {
      report(slot, e); // the draft stays as it was
    } finally {
      setBusy(false);
    }
  };

  const tap = (r: FindingResult) => {
    if (locked || busy) return;
    if (cur) setCorrecting(r);
    else record(r, null);
  };

  // A doubtful photo waits here, unsigned, until the inspector keeps or drops it.
  const [doubtful, setDoubtful] = useState<{ data: string; warnings: PhotoWarningView[] } | null>(null);

  // `accepted`: the kinds of warning the inspector has seen and keeps the photo despite.
  const attachPhoto = async (data: string, accepted: string[]) => {
    setBusy(true);
    clear(slot);
    try {
      const out = await api.addPhoto(inspection, data, item.code, accepted);
      if (out.added) {
        const p = out.added;
        setDoubtful(null);
        setDraft({ note: draft.note, photos: [...draft.photos.filter((x) => x.sha256 !== p.sha256), p] });
        notifyChanged();
      } else {
        setDoubtful({ data, warnings: out.warnings });
      }
    } catch (err) {
      setDoubtful(null);
      report(slot, err);
    } finally {
      setBusy(false);
    }
  };

  const addPhoto = async (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    try {
      await attachPhoto(await fileToBase64(file), []);
    } catch (err) {
      report(slot, err);
    } finally {
      input.value = ""; // allow picking the same file again after an error
    }
  };

  const attached = (cur?.photos ?? []).map((s) => photos.get(s)).filter((p): p is PhotoView => !!p);
  // `article` is the full reference with its unit ("п. 4", "п. 1 ст. 10", "разд. I"), as the act
  // prints it: no "article" word in front.
  const reqLine = [item.legal_act, item.article].filter(Boolean).join(", ");

  return (
    <article class="item" data-testid={`item-${item.code}`} data-result={cur?.result ?? "none"} aria-labelledby={`${slot}-q`}>
      <h3 id={`${slot}-q`} class="item-q">
        <span class="item-code">{item.code}</span> <span lang="ru">{item.question}</span>
      </h3>
      {item.requirement_text || reqLine ? (
        <p class="req" lang="ru">
          {item.requirement_text}
          {reqLine ? <span class="req-act"> — {reqLine}</span> : null}
        </p>
      ) : null}
      <div class="results" role="group" aria-labelledby={`${slot}-q`}>
        {RESULTS.map((r) => (
          <button
            type="button"
            key={r}
            class={`res res-${r}${cur?.result === r ? " res-on" : ""}`}
            data-testid={`item-${item.code}-${r}`}
            aria-pressed={cur?.result === r}
            disabled={locked || busy}
            onClick={() => tap(r)}
          >
            {cur?.result === r ? "✓ " : ""}
            {t(resultKey[r])}
          </button>
        ))}
      </div>
      {cur ? (
        <p class="cur">
          {t("currentResult")}: <b>{t(resultKey[cur.result])}</b> · {dateTime(cur.at, lang)} <StateBadge state={cur.state} />
        </p>
      ) : null}
      {correcting ? (
        <CorrectionDialog
          slot={slot}
          result={correcting}
          busy={busy}
          onCancel={() => setCorrecting(null)}
          onSave={(reason) => record(correcting, reason)}
        />
      ) : null}
      <ErrorBox slot={slot} />
      <div class="item-inputs">
        <label class="field">
          <span>{t("note")}</span>
          <textarea
            data-testid={`item-${item.code}-note`}
            rows={2}
            value={draft.note}
            disabled={locked}
            onInput={(e) => setDraft({ ...draft, note: e.currentTarget.value })}
          />
        </label>
        {!locked ? (
          <label class="field photo-field">
            <span class="file-wrap">
            <input
              type="file"
              class="file"
              data-testid={`item-${item.code}-photo`}
              accept="image/jpeg,image/png,image/webp"
              capture="environment"
              aria-label={`${t("addPhoto")}: ${item.code}`}
              onChange={addPhoto}
            />
            {/* Our own caption over the input: the native "Choose file" text follows the OS locale. */}
            <span class="file-face" aria-hidden="true">
              <svg viewBox="0 0 24 24" width="26" height="26">
                <path fill="currentColor" d="M9 3 7.2 5H4a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h16a2 2 0 0 0 2-2V7a2 2 0 0 0-2-2h-3.2L15 3zm3 5a5 5 0 1 1 0 10 5 5 0 0 1 0-10zm0 2a3 3 0 1 0 0 6 3 3 0 0 0 0-6z" />
              </svg>
              {busy ? t("photoBusy") : t("addPhoto")}
            </span>
            </span>
          </label>
        ) : null}
      </div>
      {doubtful ? (
        <PhotoWarningsDialog
          warnings={doubtful.warnings}
          busy={busy}
          onKeep={() => attachPhoto(doubtful.data, doubtful.warnings.map((w) => w.kind))}
          onDrop={() => setDoubtful(null)}
        />
      ) : null}
      {attached.length + draft.photos.length > 0 ? (
        <div class="photos">
          {attached.map((p) => <PhotoFigure key={p.sha256} p={p} />)}
          {draft.photos.map((p) => <PhotoFigure key={p.sha256} p={p} />)}
        </div>
      ) : null}
      {draft.photos.length > 0 && !locked ? (
        cur ? (
          <div class="offer">
            <span>{t("photoOfferCorrection")}</span>
            <button type="button" class="btn" onClick={() => setCorrecting(cur.result)} disabled={busy}>
              {t("photoOfferButton")}
            </button>
          </div>
        ) : (
          <p class="hint">{t("photoDraft")}</p>
        )
      ) : null}
      <History code={item.code} history={item.history} />
    </article>
  );
}

function History({ code, history }: { code: string; history: FindingView[] }) {
  const { t, lang } = useI18n();
  const byId = new Map(history.map((f) => [f.id, f]));
  return (
    <div class="history">
      <h4>{t("history")}</h4>
      <ol data-testid={`item-${code}-history`}>
        {history.length === 0 ? <li class="muted">{t("historyEmpty")}</li> : null}
        {history.map((f) => {
          const next = f.superseded_by ? byId.get(f.superseded_by) : undefined;
          const body = (
            <>
              {t(resultKey[f.result])} · {dateTime(f.at, lang)}
              {f.note ? <span lang="ru"> · {f.note}</span> : null}
              {f.photos.length ? ` · ${t("photosCount", { n: f.photos.length })}` : ""}
            </>
          );
          return (
            <li key={f.id} data-finding={f.id} data-superseded={f.superseded_by ? "true" : "false"}>
              {f.superseded_by ? <s>{body}</s> : <span>{body}</span>}{" "}
              <StateBadge state={f.state} />
              {f.superseded_by ? (
                <span class="corrected">
                  {" "}
                  <Sentence k="corrected" slot="r" data={next?.correction_reason ?? "—"} />
                </span>
              ) : null}
            </li>
          );
        })}
      </ol>
    </div>
  );
}

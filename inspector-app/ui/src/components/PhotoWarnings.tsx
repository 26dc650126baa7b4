// What may make a photo mislead (damaged, taken outside the inspection's dates, far from the
// object), in words: in the dialog before the photo is kept, on its thumbnail and in the viewer.
import { useEffect, useRef } from "preact/hooks";
import type { PhotoWarningView } from "../bindings";
import { date, dateTime } from "../format";
import type { Key } from "../i18n";
import type { Lang, T } from "../lang";
import { useI18n } from "../lang";
import { Sentence } from "./Sentence";

export function distance(t: T, metres: number, lang: Lang): string {
  const locale = lang === "ru" ? "ru-RU" : "en-GB";
  if (metres < 1_000) return t("distanceM", { n: metres.toLocaleString(locale) });
  const km = metres >= 10_000 ? Math.round(metres / 1000) : Math.round(metres / 100) / 10;
  return t("distanceKm", { n: km.toLocaleString(locale) });
}

/** One warning as a sentence. */
export function warningText(t: T, lang: Lang, w: PhotoWarningView): string {
  switch (w.kind) {
    case "damaged":
      return t("photoWarnDamaged");
    case "taken_outside_dates":
      return t("photoWarnOutside", {
        t: dateTime(w.taken_at, lang),
        from: date(w.from ?? "", lang),
        to: date(w.to ?? "", lang),
      });
    case "far_from_object":
      return t("photoWarnFar", { d: distance(t, w.distance_m ?? 0, lang), o: w.object_address || w.object || "—" });
    default:
      return t("photoWarnOther");
  }
}

const markKey = (kind: string): Key =>
  (["damaged", "taken_outside_dates", "far_from_object"].includes(kind) ? `photoMark_${kind}` : "photoMark_other") as Key;

/** Short marks for a thumbnail. */
export function PhotoMarks({ warnings }: { warnings: PhotoWarningView[] }) {
  const { t } = useI18n();
  if (warnings.length === 0) return null;
  return (
    <span class="photo-marks">
      {warnings.map((w, i) => (
        <span key={i} class={`photo-mark photo-mark-${w.kind}`} data-testid={`photo-mark-${w.kind}`}>
          ⚠ {t(markKey(w.kind))}
        </span>
      ))}
    </span>
  );
}

/** A sentence whose `{o}` is the object's address: the address is the agency's data (lang=ru). */
function WarningSentence({ w }: { w: PhotoWarningView }) {
  const { t, lang } = useI18n();
  if (w.kind !== "far_from_object") return <>{warningText(t, lang, w)}</>;
  return <Sentence k="photoWarnFar" slot="o" data={w.object_address || w.object || "—"} params={{ d: distance(t, w.distance_m ?? 0, lang) }} />;
}

/** The full list, each in a sentence (the decoder's words as secondary text). */
export function PhotoWarningList({ warnings }: { warnings: PhotoWarningView[] }) {
  const { t } = useI18n();
  return (
    <ul class="photo-warnings">
      {warnings.map((w, i) => (
        <li key={i} data-testid={`photo-warning-${w.kind}`}>
          <b>{t(markKey(w.kind))}.</b> <WarningSentence w={w} />
          {w.kind === "damaged" && w.reason ? (
            <div class="muted small">
              {t("photoWarnDamagedDetail", { r: "" })}
              <span lang="en">{w.reason}</span>
            </div>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

type DialogProps = { warnings: PhotoWarningView[]; busy: boolean; onKeep: () => void; onDrop: () => void };

/** Shown before a doubtful photo is signed: attach it with the mark, or not at all. */
export function PhotoWarningsDialog({ warnings, busy, onKeep, onDrop }: DialogProps) {
  const { t } = useI18n();
  // The dialog takes the focus, on the safe choice, so a screen reader announces it.
  const drop = useRef<HTMLButtonElement>(null);
  useEffect(() => drop.current?.focus(), []);
  return (
    <div class="photo-check warn-box" role="alertdialog" aria-labelledby="photo-check-title" data-testid="photo-check">
      <h4 id="photo-check-title">⚠ {t("photoWarnTitle")}</h4>
      <PhotoWarningList warnings={warnings} />
      <p class="small">{t("photoWarnNote")}</p>
      <div class="btn-row">
        <button type="button" class="btn" data-testid="photo-keep" onClick={onKeep} disabled={busy}>
          {t("photoWarnKeep")}
        </button>
        <button type="button" class="btn btn-primary" ref={drop} data-testid="photo-drop" onClick={onDrop} disabled={busy}>
          {t("photoWarnDrop")}
        </button>
      </div>
    </div>
  );
}

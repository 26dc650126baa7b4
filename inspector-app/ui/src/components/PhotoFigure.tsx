// A photo thumbnail in its own aspect ratio, with the provenance an act reviewer asks about (where
// its time and position came from) and any mark it was kept with; a tap opens it full size.
import { useState } from "preact/hooks";
import type { PhotoView } from "../bindings";
import { coords, dateTime } from "../format";
import type { Key } from "../i18n";
import { useI18n } from "../lang";
import { PhotoViewer } from "./PhotoViewer";
import { PhotoMarks } from "./PhotoWarnings";
import { StateBadge } from "./StateBadge";

const upload: Record<PhotoView["upload_state"], Key> = {
  pending: "uploadPending",
  uploading: "uploadUploading",
  uploaded: "uploadUploaded",
};

/** The thumbnail box: the long side is 160 px, the other follows the photo. */
const BOX = 160;

export function PhotoFigure({ p }: { p: PhotoView }) {
  const { t, lang } = useI18n();
  const [open, setOpen] = useState(false);
  const src = (s: "exif" | "device") => t(s === "exif" ? "srcExif" : "srcDevice");
  const pos = coords(p.lat_e7, p.lon_e7);
  const ratio = p.width && p.height ? p.width / p.height : 4 / 3;
  const [w, h] = ratio >= 1 ? [BOX, Math.round(BOX / ratio)] : [Math.round(BOX * ratio), BOX];
  return (
    <figure
      class={`photo${p.warnings.length ? " photo-warned" : ""}`}
      data-testid={`photo-${p.sha256}`}
      data-upload={p.upload_state}
      data-warnings={p.warnings.map((x) => x.kind).join(" ")}
    >
      <button type="button" class="photo-open" aria-label={t("photoOpen")} data-testid={`photo-open-${p.sha256}`} onClick={() => setOpen(true)}>
        <img src={p.thumbnail} alt={p.caption ?? t("viewerTitle")} width={w} height={h} />
      </button>
      <figcaption>
        <PhotoMarks warnings={p.warnings} />
        <span>{t("timeSource", { t: dateTime(p.taken_at, lang), s: src(p.time_source) })}</span>
        <span>
          {pos && p.position_source ? t("posSource", { p: pos, s: src(p.position_source) }) : t("posNone")}
        </span>
        <span class={`upload upload-${p.upload_state}`}>{t(upload[p.upload_state])}</span>
        <StateBadge state={p.record_state} />
      </figcaption>
      {open ? <PhotoViewer p={p} onClose={() => setOpen(false)} /> : null}
    </figure>
  );
}

// A photo thumbnail with the provenance an act reviewer asks about: where time and position came from.
import type { PhotoView } from "../bindings";
import { coords, dateTime } from "../format";
import type { Key } from "../i18n";
import { useI18n } from "../lang";
import { StateBadge } from "./StateBadge";

const upload: Record<PhotoView["upload_state"], Key> = {
  pending: "uploadPending",
  uploading: "uploadUploading",
  uploaded: "uploadUploaded",
};

export function PhotoFigure({ p }: { p: PhotoView }) {
  const { t, lang } = useI18n();
  const src = (s: "exif" | "device") => t(s === "exif" ? "srcExif" : "srcDevice");
  const pos = coords(p.lat_e7, p.lon_e7);
  return (
    <figure class="photo" data-testid={`photo-${p.sha256}`} data-upload={p.upload_state}>
      <img src={p.thumbnail} alt={p.caption ?? p.sha256.slice(0, 12)} width={160} height={120} />
      <figcaption>
        <span>{t("timeSource", { t: dateTime(p.taken_at, lang), s: src(p.time_source) })}</span>
        <span>
          {pos && p.position_source ? t("posSource", { p: pos, s: src(p.position_source) }) : t("posNone")}
        </span>
        <span class={`upload upload-${p.upload_state}`}>{t(upload[p.upload_state])}</span>
        <StateBadge state={p.record_state} />
      </figcaption>
    </figure>
  );
}

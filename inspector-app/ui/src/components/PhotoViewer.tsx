// A photo full size, over the screen: the original (the webview applies its EXIF orientation),
// zoom by buttons, wheel or two-finger pinch, and what the photo's metadata says: when, where,
// from which source, and any mark it was kept with.
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api";
import type { PhotoView } from "../bindings";
import { ErrorBox, useErrors } from "../errors";
import { coords, dateTime } from "../format";
import { useI18n } from "../lang";
import { Loading } from "./Loading";
import { PhotoWarningList } from "./PhotoWarnings";

const MIN = 0.25;
const MAX = 8;
const clamp = (z: number) => Math.min(MAX, Math.max(MIN, z));

export function PhotoViewer({ p, onClose }: { p: PhotoView; onClose: () => void }) {
  const { t, lang } = useI18n();
  const { report } = useErrors();
  const [src, setSrc] = useState<string | null>(null);
  // null: fit to the screen; a number: that many screen pixels per image pixel.
  const [zoom, setZoom] = useState<number | null>(null);
  const box = useRef<HTMLDivElement>(null);
  const pinch = useRef<{ d: number; z: number } | null>(null);
  const pointers = useRef(new Map<number, { x: number; y: number }>());
  const closeBtn = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    api.photoOriginal(p.sha256).then(setSrc, (e) => report("viewer", e));
    closeBtn.current?.focus();
    const key = (e: KeyboardEvent) => {
      if (e.key === "Escape") onClose();
    };
    window.addEventListener("keydown", key);
    return () => window.removeEventListener("keydown", key);
  }, [p.sha256]);

  // The scale that fits the whole photo in the box, for the buttons to start from.
  const fit = () => {
    const el = box.current;
    if (!el || !p.width || !p.height) return 1;
    return Math.min(el.clientWidth / p.width, el.clientHeight / p.height, 1);
  };
  const current = () => zoom ?? fit();
  const by = (f: number) => setZoom(clamp(current() * f));

  const onPointerDown = (e: PointerEvent) => {
    pointers.current.set(e.pointerId, { x: e.clientX, y: e.clientY });
    if (pointers.current.size === 2) {
      const [a, b] = [...pointers.current.values()];
      pinch.current = { d: Math.hypot(a.x - b.x, a.y - b.y), z: current() };
    }
  };
  const onPointerMove = (e: PointerEvent) => {
    if (!pointers.current.has(e.pointerId)) return;
    pointers.current.set(e.pointerId, { x: e.clientX, y: e.clientY });
    if (pinch.current && pointers.current.size === 2) {
      const [a, b] = [...pointers.current.values()];
      const d = Math.hypot(a.x - b.x, a.y - b.y);
      if (pinch.current.d > 0) setZoom(clamp((pinch.current.z * d) / pinch.current.d));
    }
  };
  const onPointerUp = (e: PointerEvent) => {
    pointers.current.delete(e.pointerId);
    if (pointers.current.size < 2) pinch.current = null;
  };
  const onWheel = (e: WheelEvent) => {
    if (!e.ctrlKey && !e.metaKey) return; // plain wheel scrolls the enlarged photo
    e.preventDefault();
    by(e.deltaY < 0 ? 1.25 : 0.8);
  };

  const src2 = (s: "exif" | "device") => t(s === "exif" ? "srcExif" : "srcDevice");
  const pos = coords(p.lat_e7, p.lon_e7);
  const style =
    zoom === null
      ? { maxWidth: "100%", maxHeight: "100%" }
      : { width: `${Math.round(p.width * zoom)}px`, height: `${Math.round(p.height * zoom)}px`, maxWidth: "none", maxHeight: "none" };
  return (
    <div class="viewer" role="dialog" aria-modal="true" aria-labelledby="viewer-title" data-testid="photo-viewer">
      <div class="viewer-bar">
        <h2 id="viewer-title">
          {t("viewerTitle")}
          {p.caption ? ` · ${p.caption}` : ""}
        </h2>
        <span class="viewer-zoom" data-testid="viewer-zoom">
          {t("viewerZoom", { p: Math.round(current() * 100) })}
        </span>
        <button type="button" class="btn btn-icon" aria-label={t("viewerZoomOut")} data-testid="viewer-zoom-out" onClick={() => by(0.8)}>
          −
        </button>
        <button type="button" class="btn btn-icon" aria-label={t("viewerZoomIn")} data-testid="viewer-zoom-in" onClick={() => by(1.25)}>
          +
        </button>
        <button type="button" class="btn" data-testid="viewer-fit" onClick={() => setZoom(null)}>
          {t("viewerFit")}
        </button>
        <button type="button" class="btn btn-primary" ref={closeBtn} data-testid="viewer-close" onClick={onClose}>
          ✕ {t("viewerClose")}
        </button>
      </div>
      <div
        class={`viewer-image${zoom === null ? " viewer-fit" : ""}`}
        ref={box}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
        onWheel={onWheel}
      >
        <ErrorBox slot="viewer" />
        {src ? (
          <img src={src} alt={p.caption ?? t("viewerTitle")} style={style} data-testid="viewer-img" draggable={false} />
        ) : (
          <Loading />
        )}
      </div>
      <dl class="viewer-facts">
        <dt>{t("viewerTaken")}</dt>
        <dd data-testid="viewer-taken">
          {dateTime(p.taken_at, lang)} ({src2(p.time_source)})
        </dd>
        <dt>{t("viewerPlace")}</dt>
        <dd data-testid="viewer-place">{pos && p.position_source ? `${pos} (${src2(p.position_source)})` : t("posNone")}</dd>
        <dt>{t("viewerSize")}</dt>
        <dd>{t("viewerSizeValue", { w: p.width, h: p.height })}</dd>
        {p.warnings.length > 0 ? (
          <>
            <dt>{t("viewerWarnings")}</dt>
            <dd>
              <PhotoWarningList warnings={p.warnings} />
            </dd>
          </>
        ) : null}
      </dl>
    </div>
  );
}

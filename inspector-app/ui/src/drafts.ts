// Unsaved per-item input (note, photos already signed but not yet attached to a finding).
// Kept outside components so it survives going to the Warning/Act screens and back, and errors.
import type { PhotoView } from "./bindings";

export type Draft = { note: string; photos: PhotoView[] };
const store = new Map<string, Draft>();
const k = (inspection: string, item: string) => `${inspection}\u0000${item}`;

export function getDraft(inspection: string, item: string, note: string | null): Draft {
  return store.get(k(inspection, item)) ?? { note: note ?? "", photos: [] };
}

export function putDraft(inspection: string, item: string, d: Draft) {
  store.set(k(inspection, item), d);
}

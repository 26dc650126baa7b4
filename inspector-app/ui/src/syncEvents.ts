// The core's "sync-changed" event (src-tauri/src/events.rs: a sync started or ended, a record was
// signed), listened to once and handed to every widget that shows the sync state.
import { events } from "./bindings";
import type { SyncStatus } from "./bindings";

type Listener = (s: SyncStatus) => void;
const listeners = new Set<Listener>();
let listening = false;

/** Calls `fn` with each new sync status; returns the function that stops it. */
export function onSyncChanged(fn: Listener): () => void {
  listeners.add(fn);
  if (!listening) {
    listening = true;
    events.syncChanged
      .listen((e) => listeners.forEach((l) => l(e.payload.status)))
      .catch(() => {
        listening = false; // no event channel: the widgets' polls still run
      });
  }
  return () => {
    listeners.delete(fn);
  };
}

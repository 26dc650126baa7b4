// Sync state of a record as icon + text (never colour alone: readable in sunlight and by colour-blind users).
import type { RecordStateView as RecordState } from "../bindings";
import type { Key } from "../i18n";
import { useI18n } from "../lang";

const labels: Record<RecordState, Key> = {
  pending: "statePending",
  sent: "stateSent",
  receipted: "stateReceipted",
  rejected: "stateRejected",
};

// Simple shapes so no emoji font is needed on the device.
const icons: Record<RecordState, string> = {
  pending: "M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm1 5v5.4l3.6 2.1-1 1.7L11 13.5V7z",
  sent: "M12 3l7 7h-4v8H9v-8H5z",
  receipted: "M9.5 16.2L4.8 11.5l-1.8 1.8 6.5 6.5L21 8.3l-1.8-1.8z",
  rejected: "M6.4 5l-1.4 1.4L10.6 12 5 17.6 6.4 19l5.6-5.6 5.6 5.6 1.4-1.4-5.6-5.6L19 6.4 17.6 5 12 10.6z",
};

export function StateBadge({ state }: { state: RecordState }) {
  const { t } = useI18n();
  return (
    <span class={`state state-${state}`} data-state={state}>
      <svg aria-hidden="true" viewBox="0 0 24 24" width="20" height="20">
        <path d={icons[state]} fill="currentColor" />
      </svg>
      {t(labels[state])}
    </span>
  );
}

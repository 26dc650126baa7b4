// One visible error at a time, shown next to the action that failed. Each form or item owns a
// "slot"; reporting into a slot replaces any other error, so the page never shows stale alerts.
import { createContext } from "preact";
import type { ComponentChildren } from "preact";
import { useCallback, useContext, useMemo, useState } from "preact/hooks";
import { ApiError } from "./api";
import type { Key } from "./i18n";
import { pickLang, useI18n } from "./lang";

type Shown = { slot: string; key?: Key; text?: string; kind?: string };
type Ctx = {
  shown: Shown | null;
  report: (slot: string, e: unknown) => void;
  invalid: (slot: string, key: Key) => void;
  clear: (slot?: string) => void;
};

const ErrorContext = createContext<Ctx>({ shown: null, report: () => {}, invalid: () => {}, clear: () => {} });

export function ErrorProvider({ children }: { children: ComponentChildren }) {
  const [shown, setShown] = useState<Shown | null>(null);
  const report = useCallback((slot: string, e: unknown) => {
    if (e instanceof ApiError) setShown({ slot, text: e.message, kind: e.kind });
    else setShown({ slot, text: e instanceof Error ? e.message : String(e) });
  }, []);
  const invalid = useCallback((slot: string, key: Key) => setShown({ slot, key }), []);
  const clear = useCallback(
    (slot?: string) => setShown((s) => (slot === undefined || s?.slot === slot ? null : s)),
    [],
  );
  const value = useMemo(() => ({ shown, report, invalid, clear }), [shown, report, invalid, clear]);
  return <ErrorContext.Provider value={value}>{children}</ErrorContext.Provider>;
}

export const useErrors = () => useContext(ErrorContext);

/** The visible error box (role=alert) for one slot; renders nothing when the slot is clean. */
export function ErrorBox({ slot }: { slot: string }) {
  const { shown } = useErrors();
  const { t, lang } = useI18n();
  if (!shown || shown.slot !== slot) return null;
  const text = shown.key ? t(shown.key) : pickLang(shown.text ?? "", lang);
  return (
    <div class="error" role="alert" data-testid="error" data-kind={shown.kind ?? "invalid"}>
      <svg aria-hidden="true" viewBox="0 0 24 24" width="28" height="28">
        <circle cx="12" cy="12" r="11" fill="currentColor" />
        <rect x="10.8" y="5.5" width="2.4" height="8.5" fill="#fff" />
        <rect x="10.8" y="16" width="2.4" height="2.5" fill="#fff" />
      </svg>
      <span>{text}</span>
    </div>
  );
}

// One visible error at a time, shown next to the action that failed. Each form or item owns a
// "slot"; reporting into a slot replaces any other error, so the page never shows stale alerts.
// An error is shown by its kind where the UI has words for it (the screen's own first, then the
// general ones), else as the current language's half of the Rust message (which carries the
// details: a refusal's reason, seconds to wait).
import { createContext } from "preact";
import type { ComponentChildren } from "preact";
import { useCallback, useContext, useMemo, useState } from "preact/hooks";
import { ApiError } from "./api";
import type { ErrorKind } from "./bindings";
import type { Key } from "./i18n";
import type { Lang, T } from "./lang";
import { pickLang, useI18n } from "./lang";

type Kind = ErrorKind | "client";

const byKind: Partial<Record<Kind, Key>> = {
  server_unreachable: "errorUnreachable",
  server_timeout: "errorTimeout",
  network: "errorNetwork",
  not_knd_server: "errorNotKnd",
  bad_server_answer: "errorBadAnswer",
  server_error: "errorServerFailed",
  device_refused: "errorDeviceRefused",
  enroll_code_unknown: "errorEnrollCodeUnknown",
  enroll_code_used: "errorEnrollCodeUsed",
  enroll_code_expired: "errorEnrollCodeExpired",
};

/** A screen's own words for a kind, by error slot: what to do there. */
const bySlot: Record<string, Partial<Record<Kind, Key>>> = {
  enroll: { server_unreachable: "errorEnrollUnreachable", not_knd_server: "errorEnrollNotKnd" },
  sync: {
    server_unreachable: "errorSyncUnreachable",
    server_timeout: "errorSyncTimeout",
    network: "errorSyncNetwork",
    server_error: "errorSyncServerFailed",
    not_knd_server: "errorSyncNotKnd",
  },
};

/** What the inspector reads for an error of `kind` with the Rust `message`, in `slot`. */
export function errorText(t: T, lang: Lang, kind: string | undefined, message: string, slot?: string): string {
  const k = kind as Kind | undefined;
  const key = k && ((slot && bySlot[slot]?.[k]) || byKind[k]);
  if (key) return t(key);
  if (k === "client") return t("errorClient", { detail: message });
  // Rust messages are lowercase, as errors are in logs; on the screen a message starts a sentence.
  const text = pickLang(message, lang);
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** The last sync's error as the core stores it: `{kind, message}` JSON (plain text before). */
export function storedError(s: string): { kind?: string; message: string } {
  try {
    const v: unknown = JSON.parse(s);
    if (v && typeof v === "object" && "kind" in v && "message" in v) {
      const { kind, message } = v as { kind: unknown; message: unknown };
      if (typeof kind === "string" && typeof message === "string") return { kind, message };
    }
  } catch {
    /* plain text */
  }
  return { message: s };
}

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
    else setShown({ slot, text: e instanceof Error ? e.message : String(e), kind: "client" });
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
  const text = shown.key ? t(shown.key) : errorText(t, lang, shown.kind, shown.text ?? "", shown.slot);
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

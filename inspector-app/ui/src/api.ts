// Thin wrapper over the generated bindings: unwraps Result into a value or a thrown ApiError,
// so screens can use plain async/await and one catch per action.
import { commands } from "./bindings";
import type { AppError as CommandError } from "./bindings";

/** What every generated command resolves to. */
type Result<T, E> = { status: "ok"; data: T } | { status: "error"; error: E };

// Derived rather than imported, so a rename of the Rust enum does not break the UI.
type ErrorKind = CommandError["kind"];

export class ApiError extends Error {
  readonly kind: ErrorKind | "client";
  constructor(kind: ErrorKind | "client", message: string) {
    super(message);
    this.kind = kind;
  }
}

// Listeners told when Rust says the session is locked (e.g. auto-lock), so the app can show Unlock.
const lockedListeners = new Set<() => void>();
export function onNotUnlocked(fn: () => void): () => void {
  lockedListeners.add(fn);
  return () => lockedListeners.delete(fn);
}

async function unwrap<T>(p: Promise<Result<T, CommandError>>): Promise<T> {
  let r: Result<T, CommandError>;
  try {
    r = await p;
  } catch (e) {
    // invoke throws a real Error only for transport problems (e.g. no Tauri runtime).
    throw new ApiError("client", String(e)); // shown as errorClient (errors.tsx)
  }
  if (r.status === "ok") return r.data;
  const err = r.error;
  // A plain string can still arrive if a command panics or returns a non-typed error.
  if (typeof err !== "object" || err === null || !("kind" in err)) {
    throw new ApiError("internal", String(err));
  }
  if (err.kind === "not_unlocked") lockedListeners.forEach((fn) => fn());
  throw new ApiError(err.kind, err.message);
}

/** Same names as `commands`, but each returns the data or throws ApiError. */
type Unwrapped = {
  [K in keyof typeof commands]: (
    ...args: Parameters<(typeof commands)[K]>
  ) => Promise<
    Awaited<ReturnType<(typeof commands)[K]>> extends Result<infer T, CommandError> ? T : never
  >;
};

export const api: Unwrapped = new Proxy({} as Unwrapped, {
  get(_t, name: string) {
    const fn = (commands as Record<string, (...a: unknown[]) => Promise<Result<unknown, CommandError>>>)[name];
    return (...args: unknown[]) => unwrap(fn(...args));
  },
});

/** Reads a File into base64 without blowing the call stack on large camera images. */
export async function fileToBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let bin = "";
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    bin += String.fromCharCode.apply(null, bytes.subarray(i, i + chunk) as unknown as number[]);
  }
  return btoa(bin);
}

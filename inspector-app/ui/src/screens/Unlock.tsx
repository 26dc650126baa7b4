// Unlock the device key with the PIN. Shows failures, the lockout countdown and the wiped state
// (after too many failures Rust destroys the key; only re-enrollment helps then). One message at a
// time, from the PIN counter in AppStatus: a wrong PIN or a lockout is not repeated as an error
// box, so «Войти» stays on the screen.
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, api } from "../api";
import type { AppStatus } from "../bindings";
import { Keypad } from "../components/Keypad";
import { ErrorBox, useErrors } from "../errors";
import { countdown } from "../format";
import { useI18n } from "../lang";

type Props = { status: AppStatus; onStatus: (s: AppStatus) => void; onReenroll: () => void };

export function Unlock({ status, onStatus, onReenroll }: Props) {
  const { t } = useI18n();
  const { report, invalid, clear } = useErrors();
  const [pin, setPin] = useState("");
  const [busy, setBusy] = useState(false);
  const [left, setLeft] = useState(status.locked_for_seconds ?? 0);
  const input = useRef<HTMLInputElement>(null);

  // Local countdown from locked_for_seconds; ask Rust again when it runs out.
  useEffect(() => setLeft(status.locked_for_seconds ?? 0), [status.locked_for_seconds]);
  useEffect(() => {
    if (left <= 0) return;
    const timer = setTimeout(() => {
      if (left === 1) api.appStatus().then(onStatus, () => {});
      setLeft(left - 1);
    }, 1000);
    return () => clearTimeout(timer);
  }, [left]);

  const wipeLeft = Math.max(0, status.wipe_after - status.failures);
  const locked = left > 0;
  const submit = async (e?: Event) => {
    e?.preventDefault();
    if (busy || locked || status.wiped) return;
    if (!/^\d{4,12}$/.test(pin)) return invalid("unlock", "errPin");
    setBusy(true);
    clear();
    try {
      onStatus(await api.unlock(pin));
    } catch (err) {
      // The counter below says it; anything else (a damaged key file…) goes to the error box.
      const counted = err instanceof ApiError && (err.kind === "wrong_pin" || err.kind === "locked_out");
      if (!counted) report("unlock", err);
      setPin("");
      // Failures, lockout or wipe changed on the Rust side: show them.
      api.appStatus().then(onStatus, () => {});
    } finally {
      setBusy(false);
      input.current?.focus();
    }
  };

  if (status.wiped) {
    return (
      <section class="narrow" aria-labelledby="unlock-title">
        <h1 id="unlock-title">{t("unlockTitle")}</h1>
        <div class="error" role="alert" data-testid="error" data-kind="key_wiped">
          <span>{t("unlockWiped")}</span>
        </div>
        <button type="button" class="btn btn-primary btn-big" onClick={onReenroll}>
          {t("unlockReenroll")}
        </button>
      </section>
    );
  }

  const setDigits = (v: string) => setPin(v.replace(/\D/g, "").slice(0, 12));
  return (
    <section class="narrow unlock" aria-labelledby="unlock-title">
      <h1 id="unlock-title">{t("unlockTitle")}</h1>
      {status.device_name ? (
        <p class="muted">
          {t("unlockDevice")} <span lang="ru">{status.device_name}</span>
        </p>
      ) : null}
      <form class="form" onSubmit={submit} noValidate>
        <label class="field">
          <span>{t("unlockPin")}</span>
          <input
            ref={input}
            class="pin-input"
            data-testid="unlock-pin"
            type="password"
            inputMode="numeric"
            pattern="[0-9]*"
            autoComplete="current-password"
            autoFocus
            value={pin}
            disabled={locked}
            onInput={(e) => {
              const el = e.currentTarget;
              const v = el.value.replace(/\D/g, "").slice(0, 12);
              if (el.value !== v) el.value = v;
              setPin(v);
            }}
          />
        </label>
        {/* One message: the failures (or the lockout's countdown) and what the next ones cost. */}
        {locked ? (
          <p class="error" role="status" data-testid="unlock-locked">
            {t("unlockLocked", { n: status.failures, time: countdown(left) })} {t("unlockWipeLeft", { n: wipeLeft })}
          </p>
        ) : status.failures > 0 ? (
          <p class="error" role="alert" data-testid="unlock-failures">
            {t("unlockFailures", { n: status.failures })} {t("unlockWipeLeft", { n: wipeLeft })}
          </p>
        ) : null}
        <ErrorBox slot="unlock" />
        <Keypad
          disabled={locked || busy}
          onDigit={(d) => setDigits(pin + d)}
          onBackspace={() => setPin(pin.slice(0, -1))}
          onClear={() => setPin("")}
        />
        <button
          type="submit"
          class="btn btn-primary btn-big"
          data-testid="unlock-submit"
          disabled={locked || busy}
        >
          {t("unlockSubmit")}
        </button>
      </form>
    </section>
  );
}

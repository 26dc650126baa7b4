// First run: register the device with the agency's server using a one-time code. A refusal says
// what to do (errors.tsx words it by kind) and puts the cursor in the field to correct.
import { useRef, useState } from "preact/hooks";
import { ApiError, api } from "../api";
import type { AppStatus } from "../bindings";
import { ErrorBox, useErrors } from "../errors";
import { useI18n } from "../lang";

const PIN_RE = /^\d{4,12}$/;

/** The field to correct after a refusal of each kind. */
const fieldOf: Partial<Record<string, "server" | "code">> = {
  server_unreachable: "server",
  server_timeout: "server",
  not_knd_server: "server",
  invalid_input: "server",
  enroll_code_unknown: "code",
  enroll_code_used: "code",
  enroll_code_expired: "code",
};

export function Enroll({ onDone }: { onDone: (s: AppStatus) => void }) {
  const { t } = useI18n();
  const { report, invalid, clear } = useErrors();
  const [server, setServer] = useState("");
  const [code, setCode] = useState("");
  const [name, setName] = useState(t("enrollNameDefault"));
  const [pin, setPin] = useState("");
  const [pin2, setPin2] = useState("");
  const [busy, setBusy] = useState(false);
  const serverInput = useRef<HTMLInputElement>(null);
  const codeInput = useRef<HTMLInputElement>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    if (!/^https?:\/\/\S+$/i.test(server.trim())) return invalid("enroll", "errServer");
    if (!code.trim()) return invalid("enroll", "errCode");
    if (!name.trim()) return invalid("enroll", "errName");
    if (!PIN_RE.test(pin)) return invalid("enroll", "errPin");
    if (pin !== pin2) return invalid("enroll", "errPinMatch");
    clear();
    setBusy(true);
    try {
      onDone(await api.enroll(server.trim(), code.trim(), name.trim(), pin));
    } catch (err) {
      report("enroll", err);
      const field = err instanceof ApiError ? fieldOf[err.kind] : undefined;
      (field === "server" ? serverInput : field === "code" ? codeInput : null)?.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  // Keep only digits; write back to the DOM too, since an unchanged state would not re-render.
  const digits = (el: HTMLInputElement) => {
    const v = el.value.replace(/\D/g, "").slice(0, 12);
    if (el.value !== v) el.value = v;
    return v;
  };
  return (
    <section class="narrow" aria-labelledby="enroll-title">
      <h1 id="enroll-title">{t("enrollTitle")}</h1>
      <p>{t("enrollIntro")}</p>
      <form class="form" onSubmit={submit} noValidate>
        <label class="field">
          <span>{t("enrollServer")}</span>
          <input
            ref={serverInput}
            data-testid="enroll-server"
            type="url"
            inputMode="url"
            autoComplete="url"
            placeholder="https://knd.example.ru"
            value={server}
            onInput={(e) => setServer(e.currentTarget.value)}
            required
          />
        </label>
        <label class="field">
          <span>{t("enrollCode")}</span>
          <input
            ref={codeInput}
            data-testid="enroll-code"
            autoComplete="one-time-code"
            autoCapitalize="characters"
            spellcheck={false}
            value={code}
            onInput={(e) => setCode(e.currentTarget.value)}
            required
          />
        </label>
        <label class="field">
          <span>{t("enrollName")}</span>
          <input data-testid="enroll-name" value={name} onInput={(e) => setName(e.currentTarget.value)} required />
        </label>
        <div class="row2">
          <label class="field">
            <span>{t("enrollPin")}</span>
            <input
              data-testid="enroll-pin"
              type="password"
              inputMode="numeric"
              pattern="[0-9]*"
              autoComplete="new-password"
              value={pin}
              onInput={(e) => setPin(digits(e.currentTarget))}
              required
            />
          </label>
          <label class="field">
            <span>{t("enrollPin2")}</span>
            <input
              data-testid="enroll-pin2"
              type="password"
              inputMode="numeric"
              pattern="[0-9]*"
              autoComplete="new-password"
              value={pin2}
              onInput={(e) => setPin2(digits(e.currentTarget))}
              required
            />
          </label>
        </div>
        <p class="hint">{t("enrollPinNote")}</p>
        <ErrorBox slot="enroll" />
        <button type="submit" class="btn btn-primary btn-big" data-testid="enroll-submit" disabled={busy}>
          {busy ? t("enrollBusy") : t("enrollSubmit")}
        </button>
      </form>
    </section>
  );
}

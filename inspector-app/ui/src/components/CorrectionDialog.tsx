// Asks why a recorded result changes. The old finding is never edited: a new one supersedes it.
import { useEffect, useRef, useState } from "preact/hooks";
import type { FindingResultView as FindingResult } from "../bindings";
import { useErrors } from "../errors";
import { useI18n } from "../lang";
import { resultKey } from "./results";

type Props = {
  slot: string;
  result: FindingResult;
  busy: boolean;
  onSave: (reason: string) => void;
  onCancel: () => void;
};

export function CorrectionDialog({ slot, result, busy, onSave, onCancel }: Props) {
  const { t } = useI18n();
  const { invalid } = useErrors();
  const [reason, setReason] = useState("");
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => ref.current?.focus(), []);
  const id = `${slot}-corr`;
  return (
    <div
      class="dialog"
      role="dialog"
      aria-labelledby={`${id}-title`}
      onKeyDown={(e) => e.key === "Escape" && onCancel()}
    >
      <h4 id={`${id}-title`}>{t("correctionTitle", { r: t(resultKey[result]) })}</h4>
      <p class="hint">{t("correctionHint")}</p>
      <form
        class="form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          if (!reason.trim()) return invalid(slot, "errReason");
          onSave(reason.trim());
        }}
      >
        <label class="field">
          <span>{t("correctionReason")}</span>
          <input
            ref={ref}
            data-testid="correction-reason"
            value={reason}
            onInput={(e) => setReason(e.currentTarget.value)}
          />
        </label>
        <div class="btn-row">
          <button type="submit" class="btn btn-primary" data-testid="correction-save" disabled={busy}>
            {t("correctionSave")}
          </button>
          <button type="button" class="btn" onClick={onCancel}>
            {t("cancel")}
          </button>
        </div>
      </form>
    </div>
  );
}

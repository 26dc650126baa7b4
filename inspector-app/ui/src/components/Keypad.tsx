// Big on-screen digit keys for the PIN: gloves and a wet screen make the system keyboard hard to use.
import { useI18n } from "../lang";

type Props = { onDigit: (d: string) => void; onBackspace: () => void; onClear: () => void; disabled?: boolean };

export function Keypad({ onDigit, onBackspace, onClear, disabled }: Props) {
  const { t } = useI18n();
  const key = (d: string) => (
    <button
      type="button"
      class="key"
      data-testid={`keypad-${d}`}
      disabled={disabled}
      onClick={() => onDigit(d)}
    >
      {d}
    </button>
  );
  return (
    <div class="keypad" role="group" aria-label={t("unlockPin")}>
      {["1", "2", "3", "4", "5", "6", "7", "8", "9"].map(key)}
      <button type="button" class="key key-fn" disabled={disabled} onClick={onClear} aria-label={t("keypadClear")}>
        C
      </button>
      {key("0")}
      <button
        type="button"
        class="key key-fn"
        disabled={disabled}
        onClick={onBackspace}
        aria-label={t("keypadBackspace")}
      >
        ⌫
      </button>
    </div>
  );
}

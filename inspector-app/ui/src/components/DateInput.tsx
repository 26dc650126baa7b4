// A calendar date typed as the app's language writes it (ДД.ММ.ГГГГ in Russian, DD/MM/YYYY in
// English), not the system date picker, whose format follows the operating system's locale
// (MM/DD/YYYY on a Russian screen). Numeric keyboard; separators are put in as digits are typed,
// since a numeric keypad may have no "." key. The value is "YYYY-MM-DD" once the text is a real
// date, "" when empty, and the text itself otherwise, so a screen's own check refuses it; the
// reason is shown beside the field.
import { useEffect, useState } from "preact/hooks";
import { autoSeparate, date, parseDate } from "../format";
import type { Lang } from "../lang";
import { useI18n } from "../lang";
import "./DateInput.css";

type Props = {
  /** "" | "YYYY-MM-DD" | the text typed while it is not a date. */
  value: string;
  onChange: (value: string) => void;
  testid: string;
  /** "YYYY-MM-DD": an earlier date is refused beside the field. */
  min?: string;
};

/** What the screen gets for a text. */
function valueOf(text: string): string {
  const p = parseDate(text);
  return p.ok === "date" ? p.ymd : p.ok === "empty" ? "" : text.trim();
}

/** Keeps digits and separators; puts the separators in while the parts are typed in full. */
function tidy(raw: string, lang: Lang): string {
  const v = raw.replace(/[^\d./-]/g, "");
  const groups = v.split(/[./-]/);
  const whole = groups.length <= 3 && groups.slice(0, -1).every((g) => g.length === 2);
  return whole ? autoSeparate(v.replace(/\D/g, ""), lang) : v.slice(0, 10);
}

export function DateInput({ value, onChange, testid, min }: Props) {
  const { t, lang } = useI18n();
  const [text, setText] = useState(() => date(value, lang));
  const [blurred, setBlurred] = useState(false);

  // A value set from outside, or the language switched: show it in the language's form.
  useEffect(() => {
    if (valueOf(text) !== value || parseDate(text).ok === "date") setText(date(value, lang));
  }, [value, lang]);

  const p = parseDate(text);
  const complete = text.replace(/\D/g, "").length >= 8;
  let problem: string | null = null;
  if (p.ok === "no_such_day" && (complete || blurred)) problem = t("errDateNone");
  else if (p.ok === "form" && (complete || blurred)) problem = t("errDateForm");
  else if (p.ok === "date" && min && p.ymd < min) problem = t("errDateMin", { d: date(min, lang) });
  const errorId = `${testid}-error`;

  return (
    <>
      <input
        class="date-input"
        data-testid={testid}
        type="text"
        inputMode="numeric"
        autoComplete="off"
        spellcheck={false}
        maxLength={10}
        placeholder={t("datePlaceholder")}
        value={text}
        aria-invalid={problem ? "true" : undefined}
        aria-describedby={problem ? errorId : undefined}
        onInput={(e) => {
          const el = e.currentTarget;
          const v = tidy(el.value, lang);
          if (el.value !== v) el.value = v;
          setText(v);
          onChange(valueOf(v));
        }}
        onBlur={() => {
          setBlurred(true);
          if (p.ok === "date") setText(date(p.ymd, lang));
        }}
      />
      {problem ? (
        <span class="date-error" id={errorId} role="alert" data-testid={errorId}>
          {problem}
        </span>
      ) : null}
    </>
  );
}

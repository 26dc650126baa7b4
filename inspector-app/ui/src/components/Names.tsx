// A name that may be the server's own (Russian) words: marked lang="ru" when the UI shows it
// untranslated on an English screen, as every other piece of the agency's data is.
import { ru } from "../i18n";
import { useI18n } from "../lang";
import { controlTypeName } from "../names";

export function ControlTypeName({ code, name }: { code: string; name: string | null }) {
  const { t, lang } = useI18n();
  const translated = lang === "en" && `ctype_${code}` in ru;
  return <span lang={translated ? undefined : "ru"}>{controlTypeName(t, lang, code, name)}</span>;
}

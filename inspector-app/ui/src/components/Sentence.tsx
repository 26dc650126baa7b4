// A translated sentence with a piece of the agency's or the inspector's own words inside it: the
// words are marked lang="ru" wherever the sentence puts them.
import type { ComponentChildren } from "preact";
import type { Key } from "../i18n";
import { useI18n } from "../lang";

const MARK = "\u0001";

/** `t(k, {...params, [slot]: data})` with `data` in a span of its own. */
export function Sentence({ k, slot, data, params }: { k: Key; slot: string; data: ComponentChildren; params?: Record<string, string | number> }) {
  const { t } = useI18n();
  const [before, after = ""] = t(k, { ...params, [slot]: MARK }).split(MARK);
  return (
    <>
      {before}
      <span lang="ru">{data}</span>
      {after}
    </>
  );
}

import { useI18n } from "../lang";

export function Loading() {
  const { t } = useI18n();
  return (
    <p class="loading" role="status" aria-busy="true">
      {t("loading")}
    </p>
  );
}

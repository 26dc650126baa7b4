// App header on every screen: back, navigation, sync badge, language switch and lock.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import type { SyncStatus } from "../bindings";
import { useI18n } from "../lang";
import { useNav } from "../nav";
import { onSyncChanged } from "../syncEvents";

/** The badge follows the core's sync-changed event (a sync started or ended, a record was signed);
 *  the poll is only a fallback, should an event be missed. */
const FALLBACK_POLL_MS = 30_000;

function SyncBadge() {
  const { t } = useI18n();
  const nav = useNav();
  const [st, setSt] = useState<SyncStatus | null>(null);
  useEffect(() => {
    let alive = true;
    const load = () =>
      api.syncStatus().then(
        (s) => alive && setSt(s),
        () => {}, // the badge is advisory; the sync screen shows errors
      );
    load();
    const timer = setInterval(load, FALLBACK_POLL_MS);
    const stop = onSyncChanged((s) => alive && setSt(s));
    window.addEventListener("knd:changed", load);
    return () => {
      alive = false;
      clearInterval(timer);
      stop();
      window.removeEventListener("knd:changed", load);
    };
  }, []);
  const pending = st?.pending ?? 0;
  const bad = (st?.rejected ?? 0) > 0 || !!st?.last_error;
  const cls = bad ? "badge-warn" : pending > 0 ? "badge-pending" : "badge-ok";
  return (
    <button
      type="button"
      class={`sync-badge ${cls}`}
      data-testid="sync-badge"
      data-pending={pending}
      aria-label={t("syncBadge", { n: pending })}
      onClick={() => nav.go({ name: "sync" })}
    >
      <svg aria-hidden="true" viewBox="0 0 24 24" width="22" height="22">
        <path
          fill="currentColor"
          d="M12 4V1L8 5l4 4V6a6 6 0 0 1 6 6 6 6 0 0 1-.7 2.8l1.5 1.5A8 8 0 0 0 20 12a8 8 0 0 0-8-8zm0 14a6 6 0 0 1-6-6c0-1 .25-1.97.7-2.8L5.2 7.7A8 8 0 0 0 4 12a8 8 0 0 0 8 8v3l4-4-4-4z"
        />
      </svg>
      <span class="sync-badge-n">{pending}</span>
      {bad ? <span aria-hidden="true">!</span> : null}
      {st?.syncing ? <span class="sr-only">{t("syncing")}</span> : null}
    </button>
  );
}

export function Header({ unlocked, onLock }: { unlocked: boolean; onLock: () => void }) {
  const { t, lang, setLang } = useI18n();
  const nav = useNav();
  const r = nav?.route.name;
  return (
    <header class="header">
      {unlocked && nav.canBack ? (
        <button type="button" class="hbtn" onClick={nav.back} aria-label={t("back")}>
          <span aria-hidden="true">←</span> <span class="hide-narrow">{t("back")}</span>
        </button>
      ) : null}
      <span class="brand">{t("appTitle")}</span>
      {unlocked ? (
        <nav class="hnav" aria-label={t("appTitle")}>
          <button
            type="button"
            class="hbtn"
            data-testid="nav-assignments"
            aria-current={r === "assignments" ? "page" : undefined}
            onClick={() => nav.go({ name: "assignments" })}
          >
            {t("navAssignments")}
          </button>
          <button
            type="button"
            class="hbtn"
            data-testid="nav-sync"
            aria-current={r === "sync" ? "page" : undefined}
            onClick={() => nav.go({ name: "sync" })}
          >
            {t("navSync")}
          </button>
          <SyncBadge />
        </nav>
      ) : (
        <span class="spacer" />
      )}
      <button
        type="button"
        class="hbtn"
        data-testid="lang-switch"
        lang={lang === "ru" ? "en" : "ru"}
        aria-label={t("langSwitchLabel")}
        onClick={() => setLang(lang === "ru" ? "en" : "ru")}
      >
        {lang === "ru" ? "EN" : "RU"}
      </button>
      {unlocked ? (
        <button type="button" class="hbtn" data-testid="lock" onClick={onLock} aria-label={t("lock")}>
          <svg aria-hidden="true" viewBox="0 0 24 24" width="22" height="22">
            <path
              fill="currentColor"
              d="M12 2a5 5 0 0 0-5 5v3H5v12h14V10h-2V7a5 5 0 0 0-5-5zm-3 5a3 3 0 0 1 6 0v3H9zm3 7a2 2 0 0 1 1 3.7V20h-2v-2.3A2 2 0 0 1 12 14z"
            />
          </svg>
          <span class="hide-narrow">{t("lock")}</span>
        </button>
      ) : null}
    </header>
  );
}

// Sync status and every record on the device with its state (pending / sent / receipted / rejected).
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import type { RecordView, SyncStatus } from "../bindings";
import { Loading } from "../components/Loading";
import { RecordList } from "../components/RecordList";
import { ErrorBox, errorText, storedError, useErrors } from "../errors";
import { dateTime } from "../format";
import { useI18n } from "../lang";
import { notifyChanged } from "../nav";
import { onSyncChanged } from "../syncEvents";

// Receipts carry the server time; beyond this the act's timestamps become questionable.
const SKEW_WARN_MS = 2 * 60 * 1000;

export function SyncScreen() {
  const { t, lang } = useI18n();
  const { report, clear } = useErrors();
  const [st, setSt] = useState<SyncStatus | null>(null);
  const [recs, setRecs] = useState<RecordView[] | null>(null);
  const [busy, setBusy] = useState(false);

  const load = () =>
    Promise.all([api.syncStatus(), api.records(null)]).then(
      ([s, r]) => {
        setSt(s);
        setRecs(r);
      },
      (e) => report("sync", e),
    );
  useEffect(() => {
    load();
    // A sync that ends (or a record signed) shows at once; the poll keeps the countdown moving.
    const stop = onSyncChanged(() => load());
    const timer = setInterval(load, 5000);
    return () => {
      stop();
      clearInterval(timer);
    };
  }, []);

  const syncNow = async () => {
    setBusy(true);
    clear("sync");
    try {
      setSt(await api.syncNow());
      setRecs(await api.records(null));
      notifyChanged();
    } catch (e) {
      report("sync", e);
    } finally {
      setBusy(false);
    }
  };

  if (!st)
    return (
      <section data-testid="sync">
        <ErrorBox slot="sync" />
        <Loading />
      </section>
    );

  const skew = st.clock_skew_ms;
  const skewBad = skew !== null && Math.abs(skew) > SKEW_WARN_MS;
  const online = st.online === null ? t("onlineUnknown") : st.online ? t("online") : t("offline");
  const lastError = st.last_error ? storedError(st.last_error) : null;
  return (
    <section data-testid="sync" aria-labelledby="sync-title">
      <div class="title-row">
        <h1 id="sync-title">{t("syncTitle")}</h1>
        <span class={`online online-${st.online === null ? "unknown" : st.online ? "yes" : "no"}`} data-testid="sync-online">
          <span class="dot" aria-hidden="true" /> {online}
        </span>
      </div>
      <div class="stats">
        <Stat label={t("syncPending")} cls="pending" testid="sync-pending" n={st.pending} />
        <Stat label={t("syncSent")} cls="sent" n={st.sent} />
        <Stat label={t("syncReceipted")} cls="receipted" n={st.receipted} />
        <Stat label={t("syncRejected")} cls="rejected" n={st.rejected} />
        <Stat label={t("syncPhotos")} cls="pending" n={st.photos_pending} />
      </div>
      <dl class="dl panel">
        <dt>{t("syncLast")}</dt>
        <dd data-testid="sync-last">{st.last_sync_at ? dateTime(st.last_sync_at, lang) : t("never")}</dd>
        <dt>{t("syncSkew")}</dt>
        <dd data-testid="sync-skew" data-warn={skewBad ? "true" : "false"} class={skewBad ? "warn-text" : ""}>
          {skew === null
            ? t("unknown")
            : skewBad
              ? `⚠ ${t("syncSkewWarn", { n: Math.round(Math.abs(skew) / 60000) })}`
              : t("syncSkewOk", { n: Math.round(skew / 1000) })}
        </dd>
        {st.syncing || st.next_attempt_in_seconds !== null ? (
          <>
            <dt>{t("status")}</dt>
            <dd>
              {st.syncing ? t("syncing") : t("nextAttempt", { n: st.next_attempt_in_seconds ?? 0 })}
            </dd>
          </>
        ) : null}
        {lastError ? (
          <>
            <dt>{t("syncError")}</dt>
            <dd data-testid="sync-error" data-kind={lastError.kind} class="error-text">
              {errorText(t, lang, lastError.kind, lastError.message, "sync")}
            </dd>
          </>
        ) : null}
      </dl>
      <ErrorBox slot="sync" />
      <button type="button" class="btn btn-primary btn-big" data-testid="sync-now" onClick={syncNow} disabled={busy || st.syncing}>
        {busy || st.syncing ? t("syncBusy") : t("syncNow")}
      </button>
      <h2 class="section-title">{t("syncRecords")}</h2>
      {recs ? <RecordList records={recs} lang={lang} ids /> : <Loading />}
    </section>
  );
}

function Stat({ label, n, cls, testid }: { label: string; n: number; cls: string; testid?: string }) {
  return (
    <div class={`stat stat-${cls}`}>
      <span class="stat-n" data-testid={testid}>
        {n}
      </span>
      <span class="stat-l">{label}</span>
    </div>
  );
}

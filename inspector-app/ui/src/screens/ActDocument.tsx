// The signed act as a document to show the person present (ст.88): the whole act in large,
// adjustable text, every finding it rests on, the items not checked and why, and the signature:
// signed on this device, and once synced, the server's receipt with the log entry.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import type { ActDocumentView, InspectionScreen } from "../bindings";
import { Loading } from "../components/Loading";
import { PhotoWarningList } from "../components/PhotoWarnings";
import { resultKey } from "../components/results";
import { Sentence } from "../components/Sentence";
import { StateBadge } from "../components/StateBadge";
import { ErrorBox, useErrors } from "../errors";
import { dateRange, dateTime } from "../format";
import type { Key } from "../i18n";
import { pickLang, useI18n } from "../lang";
import { ControlTypeName } from "../components/Names";
import { groundName, kindName } from "../names";
import { useNav } from "../nav";
import { onSyncChanged } from "../syncEvents";
import { ackKey } from "./ActReview";

const SIZES = [1, 1.15, 1.3, 1.5, 1.75];

export function ActDocument({ ins }: { ins: InspectionScreen }) {
  const { t, lang } = useI18n();
  const { report } = useErrors();
  const nav = useNav();
  const [doc, setDoc] = useState<ActDocumentView | null>(null);
  const [size, setSize] = useState(1);
  useEffect(() => {
    const load = () => api.actDocument(ins.id).then(setDoc, (e) => report("act-doc", e));
    load();
    // The receipt arrives with a sync, possibly while the act is being shown.
    return onSyncChanged(() => {
      load();
    });
  }, [ins.id]);
  if (!doc)
    return (
      <section>
        <ErrorBox slot="act-doc" />
        <Loading />
      </section>
    );
  const remedied = (r: boolean | null) => t(r === null ? "remediedUnknown" : r ? "remediedYes" : "remediedNo");
  const ack = (ackKey as Record<string, Key>)[doc.acknowledgement];
  return (
    <section class="narrow-wide" aria-labelledby="doc-title">
      <div class="doc-tools" role="group" aria-label={t("docTextBigger")}>
        <button type="button" class="btn" data-testid="doc-smaller" onClick={() => setSize(SIZES[Math.max(0, SIZES.indexOf(size) - 1)])} disabled={size === SIZES[0]}>
          A− {t("docTextSmaller")}
        </button>
        <button
          type="button"
          class="btn"
          data-testid="doc-bigger"
          onClick={() => setSize(SIZES[Math.min(SIZES.length - 1, SIZES.indexOf(size) + 1)])}
          disabled={size === SIZES[SIZES.length - 1]}
        >
          A+ {t("docTextBigger")}
        </button>
      </div>
      <article class="act-doc" data-testid="act-signed" data-state={doc.state} style={{ fontSize: `${size * 1.15}rem` }}>
        <h1 id="doc-title">{t("docTitle")}</h1>
        <p class="doc-erknm" data-testid="act-signed-erknm">
          <b>{t("erknm")}:</b> {doc.erknm ?? t("erknmNone")}
        </p>
        <dl class="dl dl-stack doc-head">
          <dt>{t("docMeasure")}</dt>
          <dd>{kindName(t, lang, doc.kind, doc.kind_name)}</dd>
          <dt>{t("ground")}</dt>
          <dd>{groundName(t, lang, doc.ground, doc.ground_name, ins.basis)}</dd>
          <dt>{t("docControlType")}</dt>
          <dd>
            <ControlTypeName code={doc.control_type} name={doc.control_type_name} />
          </dd>
          <dt>{t("docDates")}</dt>
          <dd>{dateRange(doc.starts_on, doc.ends_on, lang)}</dd>
          <dt>{t("docSubject")}</dt>
          <dd>
            {doc.subjects.map((s) => (
              <div key={s.inn}>
                <span lang="ru">{s.name}</span>, {t("inn")} {s.inn}
                {s.ogrn ? `, ${t("ogrn")} ${s.ogrn}` : ""}
              </div>
            ))}
          </dd>
          <dt>{t("docObjects")}</dt>
          <dd>
            {doc.objects.map((o) => (
              <div key={o.key} lang="ru">
                {o.address}
              </div>
            ))}
          </dd>
        </dl>

        <h2>{t("docFindings")}</h2>
        <ol class="doc-list" data-testid="doc-findings">
          {doc.findings.map((f) => (
            <li key={f.record} data-result={f.result}>
              <b>{f.item.item}.</b> <span lang="ru">{f.item.question}</span> — <b>{t(resultKey[f.result])}</b>
              {f.corrected ? <span class="muted"> ({t("docCorrected")})</span> : null}
              {f.photos > 0 ? <span class="muted"> · {t("photosCount", { n: f.photos })}</span> : null}
              {f.photo_warnings.length > 0 ? (
                <div class="doc-photo-warnings" data-testid={`doc-photo-warnings-${f.item.item}`}>
                  <PhotoWarningList warnings={f.photo_warnings} />
                </div>
              ) : null}
              {f.note ? (
                <div class="muted" lang="ru">
                  {f.note}
                </div>
              ) : null}
            </li>
          ))}
        </ol>

        {doc.not_checked.length > 0 ? (
          <>
            <h2>{t("docNotChecked")}</h2>
            <ul class="doc-list" data-testid="doc-not-checked">
              {doc.not_checked.map((n) => (
                <li key={n.item.item}>
                  <b>{n.item.item}.</b> <span lang="ru">{n.item.question}</span>
                  <div>
                    <Sentence k="docReason" slot="r" data={n.reason} />
                  </div>
                </li>
              ))}
            </ul>
          </>
        ) : null}

        <h2>{t("docViolations")}</h2>
        {doc.violations.length === 0 ? (
          <p>{doc.not_checked.length === 0 ? t("docNoViolations") : doc.findings.length === 0 ? t("docNothingChecked") : t("docNoViolationsChecked")}</p>
        ) : (
          <ol class="doc-list" data-testid="doc-violations">
            {doc.violations.map((v, i) => (
              <li key={i}>
                <span lang="ru">{v.requirement_text ?? v.requirement}</span>
                {v.legal_act || v.unit ? (
                  <span class="req-act" lang="ru">
                    {" "}
                    ({[v.legal_act, v.unit].filter(Boolean).join(", ")})
                  </span>
                ) : null}
                {" — "}
                <b>{remedied(v.remedied)}</b>
                {v.note ? (
                  <div class="muted" lang="ru">
                    {v.note}
                  </div>
                ) : null}
              </li>
            ))}
          </ol>
        )}

        <h2>{t("docSummary")}</h2>
        <p class="pre" lang="ru" data-testid="doc-summary">
          {doc.summary}
        </p>

        <h2>{t("docPresent")}</h2>
        {doc.present.length === 0 ? <p>{t("none")}</p> : null}
        <ul class="plain">
          {doc.present.map((p, i) => (
            <li key={i} lang="ru">
              {p.name}
              {p.role ? ` — ${p.role}` : ""}
            </li>
          ))}
        </ul>
        <p>
          <b>{t("docAck")}:</b> {ack ? t(ack) : doc.acknowledgement}
        </p>

        <div class="doc-signature" data-testid="doc-signature">
          <h2>✓ {t("docSignature")}</h2>
          <p>
            {t("docSignedDevice")} «<span lang="ru">{doc.device_name}</span>», {dateTime(doc.signed_at, lang)}
          </p>
          <p class="small">
            {t("docRecord")}: <code>{doc.record}</code>
          </p>
          <p class="small">
            {t("docHash")}: <code class="hash">{doc.hash}</code>
          </p>
          <p>
            <StateBadge state={doc.state} />
          </p>
          {doc.receipt ? (
            <p data-testid="doc-receipt">{t("docReceipt", { i: doc.receipt.log_index, t: dateTime(doc.receipt.received_at, lang) })}</p>
          ) : (
            <p class="muted" data-testid="doc-no-receipt">
              {t("docNoReceipt")}
            </p>
          )}
          {doc.rejected_reason ? <p class="rejected">{t("rejectedReason", { r: pickLang(doc.rejected_reason, lang) })}</p> : null}
        </div>
      </article>
      {ins.order_due ? (
        <div class="panel">
          <p class="warn-box" role="status">
            {t("orderDueNote")}
          </p>
          <button type="button" class="btn btn-primary btn-big" data-testid="act-offer-order" onClick={() => nav.go({ name: "order", id: ins.id })}>
            {t("actOfferOrder")}
          </button>
        </div>
      ) : null}
    </section>
  );
}

// Dev tool only (never bundled): a stateful stand-in for the Rust commands, injected by
// preview.mjs through addInitScript as window.__TAURI_INTERNALS__ so dist/ runs in a plain browser.
(() => {
  const now = () => new Date().toISOString();
  const uuid = () => "r-" + Math.random().toString(16).slice(2, 10);
  const bad = (kind, ru, en) => ({ kind, message: `${ru} / ${en}` });
  const st = {
    status: { enrolled: false, unlocked: false, device_name: null, server_url: null, device_id: null,
      failures: 0, locked_for_seconds: null, wiped: false },
    seq: 0, records: [], photos: [], findings: {}, act: null, actContents: null, order: null, started: {},
    intervals: [], openSince: null,
  };
  // As the core words it (app/error.rs).
  const wrongPin = () => {
    const n = st.status.failures;
    const ru = { one: "неверная попытка", few: "неверные попытки" }[new Intl.PluralRules("ru").select(n)] ?? "неверных попыток";
    return bad("wrong_pin", `неверный PIN-код: ${n} ${ru} подряд; после 10 неверных попыток подряд ключ подписи будет уничтожен`,
      `wrong PIN: ${n} wrong attempt${n === 1 ? "" : "s"} in a row; after 10 wrong attempts in a row the signing key is destroyed`);
  };
  const LIMIT = 50 * 60; // small enterprise, field check (ст.73)
  const INS = "0192f39e-1111-7000-8000-000000000001";
  const items = [
    { code: "1.1", question: "Имеется ли утверждённый план мероприятий по охране атмосферного воздуха?",
      requirement: "REQ-7-1", requirement_text: "Юридическое лицо обязано разработать и утвердить план мероприятий по уменьшению выбросов загрязняющих веществ",
      legal_act: "Федеральный закон от 04.05.1999 № 96-ФЗ «Об охране атмосферного воздуха»", article: "ст.19 ч.3" },
    { code: "1.2", question: "Ведётся ли учёт образования отходов производства и потребления?",
      requirement: "REQ-8-4", requirement_text: "Учёт в области обращения с отходами ведётся по установленной форме",
      legal_act: "Федеральный закон от 24.06.1998 № 89-ФЗ «Об отходах производства и потребления»", article: "ст.19" },
    { code: "2.1", question: "Оборудованы ли места накопления отходов в соответствии с требованиями?",
      requirement: null, requirement_text: null, legal_act: "СанПиН 2.1.3684-21", article: null },
  ];
  const addRecord = (kind, summary, inspection = INS) => {
    const en = { inspection_started: "Inspection started", inspection_finished: "Inspection finished", finding: "Item result",
      correction: "Correction", photo: "Photo", warning: "Warning", act: "Act", order: "Order", interaction: "Interaction" };
    const r = { id: uuid(), seq: ++st.seq, kind, at: now(), state: "pending", inspection, summary,
      summary_en: en[kind] ?? kind, rejected_reason: null, objection: null };
    st.records.push(r);
    syncChanged();
    return r;
  };
  // Tauri events (the core's "sync-changed", src-tauri/src/events.rs): listeners registered through
  // plugin:event|listen, called with { event, id, payload } like Tauri does.
  const callbacks = {};
  const eventListeners = [];
  const emit = (event, payload) =>
    eventListeners.filter((l) => l.event === event).forEach((l) => callbacks[l.handler]?.({ event, id: l.handler, payload }));
  const syncChanged = () => setTimeout(() => emit("sync-changed", { status: sync() }), 0);
  const ensureStarted = () => {
    if (!st.started[INS]) { st.started[INS] = true; addRecord("inspection_started", "Начало проверки"); }
  };
  const findingsOf = (code) => st.findings[code] ?? [];
  const checklist = () => items.map((i) => {
    const h = findingsOf(i.code);
    const cur = h.find((f) => !f.superseded_by) ?? null;
    return { ...i, current: cur, history: h };
  });
  const minutesBetween = (a, b) => Math.max(0, Math.floor((new Date(b) - new Date(a)) / 60000));
  const interaction = () => {
    const signed = st.intervals.reduce((n, i) => n + i.minutes, 0) + (st.priorMinutes ?? 0);
    const total = signed + (st.openSince ? minutesBetween(st.openSince, now()) : 0);
    const level = total >= LIMIT ? "reached" : total * 5 >= LIMIT * 4 ? "near" : "within";
    return { limit_minutes: LIMIT, signed_minutes: signed, open_since: st.openSince, open_subject: null,
      total_minutes: total, level, intervals: st.intervals };
  };
  // A planned preventive visit (ст.52): no checklist; `visitOptional` (preview.mjs) makes it one
  // the subject may refuse.
  const VISIT = "0192f39e-3333-7000-8000-000000000003";
  const visitScreen = () => ({
    id: VISIT, kind: "preventive_visit", kind_name: "Обязательный профилактический визит", ground: "plan", basis: "planned",
    ground_name: "п.2 ч.1 ст.57 248-ФЗ — план на 2026 год", erknm: null, status: "scheduled",
    control_type: "fire", control_type_name: "Федеральный государственный пожарный надзор",
    starts_on: "2026-03-04", ends_on: "2026-03-04", note: "",
    subject: { inn: "7707083893", ogrn: "1027700132195", name: "ООО «Детский сад „Солнышко“»", size_class: "micro" },
    objects: [{ key: "o3", address: "г. Москва, ул. Садовая, д. 5", district: "Басманный", risk_category: "significant" }],
    mandatory: !st.visitOptional, visit: st.visit ?? null,
    records: st.records.filter((r) => r.inspection === VISIT),
  });
  const signVisit = (summary, refused) => {
    if (st.visit) throw bad("invalid_input", "визит уже оформлен: его запись подписана", "the visit is already recorded: its record is signed");
    if (!summary.trim()) throw bad("invalid_input", "опишите, что обсуждалось на визите, или отказ от него", "summarise what the visit discussed, or the refusal");
    if (refused && !st.visitOptional) throw bad("invalid_input", "от обязательного профилактического визита отказаться нельзя (ст.52.1 248-ФЗ)", "a mandatory preventive visit cannot be refused (ст.52.1 248-FZ)");
    const r = addRecord("preventive_visit", `${refused ? "Отказ от профилактического визита" : "Профилактический визит проведён"}: ${summary}`, VISIT);
    r.summary_en = `${refused ? "Preventive visit refused" : "Preventive visit held"}: ${summary}`;
    st.visit = { record: r, outcome: refused ? "refused" : "held", summary };
    return r;
  };
  const orderDue = () => !!st.actContents && !st.order && st.actContents.violations.some((v) => v.remedied !== true);
  const screen = () => ({
    id: INS, basis: "planned", status: "in_progress", control_type: "ecology", control_type_name: "Региональный экологический контроль",
    kind: st.observation ? "observation" : "field_check", ground: "plan",
    ground_name: "п.2 ч.1 ст.57 248-ФЗ — план проведения плановых контрольных (надзорных) мероприятий на 2026 год",
    erknm: "77260000000100000001", prosecutor_agreement: null,
    subjects: [{ inn: "7701234567", ogrn: "1027700123456", name: "ООО «Северный завод металлоконструкций»", size_class: "small" }],
    // `observation`: preview.mjs switches the fake to a measure without interaction (warnings allowed).
    kind_name: st.observation ? "Наблюдение за соблюдением обязательных требований" : "Выездная проверка",
    warning_allowed: !!st.observation, act_contents: st.actContents, order: st.order, order_due: orderDue(),
    interaction: st.observation ? null : interaction(),
    starts_on: "2026-03-02", ends_on: "2026-03-13", note: "Проверка по плану на 2026 год, п. 14",
    subject: { inn: "7701234567", ogrn: "1027700123456", name: "ООО «Северный завод металлоконструкций»", size_class: "small" },
    objects: [
      { key: "o1", address: "г. Москва, ул. Заводская, д. 12, стр. 3", district: "Южнопортовый", risk_category: "high" },
      { key: "o2", address: "г. Москва, Промышленный проезд, д. 4", district: "Печатники", risk_category: null },
    ],
    past_violations: [{ item: "1.2", note: "журнал учёта отходов не вёлся с 2023 года", at: "2024-05-14T10:00:00Z" }],
    open_orders: [{ record: "ord-1", at: "2024-05-20T10:00:00Z", summary: "Предписание № 12/24: организовать учёт отходов до 01.09.2024" }],
    checklist_name: "Проверочный лист № 3 (приказ Росприроднадзора)",
    checklist: checklist(), photos: st.photos,
    warnings: st.records.filter((r) => r.kind === "warning"), act: st.act, started: !!st.started[INS],
    records: st.records.filter((r) => r.inspection === INS),
  });
  const summaries = () => {
    const cl = checklist();
    return [
      { id: INS, kind: "field_check", kind_name: "Выездная проверка", status: "in_progress", control_type: "ecology", control_type_name: "Региональный экологический контроль",
        starts_on: "2026-03-02", ends_on: "2026-03-13", subject_name: "ООО «Северный завод металлоконструкций»", subject_inn: "7701234567",
        addresses: ["г. Москва, ул. Заводская, д. 12, стр. 3", "г. Москва, Промышленный проезд, д. 4"], checklist_items: cl.length,
        answered_items: cl.filter((i) => i.current).length, pending_records: st.records.filter((r) => r.state === "pending").length,
        started: !!st.started[INS], act_signed: !!st.act, preventive_visit: false, visit_outcome: null },
      { id: "0192f39e-2222-7000-8000-000000000002", kind: "inspection_visit", kind_name: "Инспекционный визит", status: "scheduled", control_type: "fire", control_type_name: "Федеральный государственный пожарный надзор",
        starts_on: "2026-03-02", ends_on: "2026-03-02", subject_name: "ИП Кузнецова Анна Сергеевна", subject_inn: "772812345678",
        addresses: ["г. Москва, ул. Лесная, д. 7"], checklist_items: 12, answered_items: 0, pending_records: 0, started: false, act_signed: false,
        preventive_visit: false, visit_outcome: null },
      { id: VISIT, kind: "preventive_visit", kind_name: "Обязательный профилактический визит", status: "scheduled", control_type: "fire",
        control_type_name: "Федеральный государственный пожарный надзор", starts_on: "2026-03-04", ends_on: "2026-03-04",
        subject_name: "ООО «Детский сад „Солнышко“»", subject_inn: "7707083893", addresses: ["г. Москва, ул. Садовая, д. 5"],
        checklist_items: 0, answered_items: 0, pending_records: st.records.filter((r) => r.inspection === VISIT && r.state === "pending").length,
        started: false, act_signed: false, preventive_visit: true, visit_outcome: st.visit?.outcome ?? null },
    ];
  };
  const sync = () => {
    const c = (s) => st.records.filter((r) => r.state === s).length;
    return { pending: c("pending"), sent: c("sent"), receipted: c("receipted"), rejected: c("rejected"),
      photos_pending: st.photos.filter((p) => p.upload_state !== "uploaded").length,
      last_sync_at: st.lastSync ?? null, last_error: st.lastError ?? null, clock_skew_ms: st.skew ?? null,
      syncing: false, online: st.online ?? null, next_attempt_in_seconds: st.lastError ? 30 : null };
  };
  const handlers = {
    app_status: () => st.status,
    enroll: ({ serverUrl, code, deviceName, pin }) => {
      // Refusals by what was typed: a code starting USED, OLD or BAD; a server at .invalid
      // (unreachable) or example.com (answers, but is not a KND server).
      if (/\.invalid\b/.test(serverUrl)) throw bad("server_unreachable", "сервер недоступен", "the server cannot be reached");
      if (/example\.com/.test(serverUrl)) throw bad("not_knd_server", "по этому адресу отвечает не сервер КНД", "the address does not answer as a KND server");
      if (/^USED/i.test(code)) throw bad("enroll_code_used", "код подключения уже использован", "the enrollment code has already been used");
      if (/^OLD/i.test(code)) throw bad("enroll_code_expired", "срок действия кода подключения истёк", "the enrollment code has expired");
      if (/^BAD/i.test(code)) throw bad("enroll_code_unknown", "неверный код подключения", "the enrollment code is not valid");
      st.pin = pin;
      Object.assign(st.status, { enrolled: true, unlocked: false, device_name: deviceName, server_url: serverUrl, device_id: "dev-1" });
      return st.status;
    },
    unlock: ({ pin }) => {
      if (pin !== st.pin) {
        st.status.failures++;
        if (st.status.failures >= 3) st.status.locked_for_seconds = 5;
        throw wrongPin();
      }
      Object.assign(st.status, { unlocked: true, failures: 0, locked_for_seconds: null });
      return st.status;
    },
    lock: () => { st.status.unlocked = false; return st.status; },
    assignments: () => summaries(),
    inspection: () => screen(),
    start_inspection: () => { ensureStarted(); return st.records[st.records.length - 1]; },
    record_finding: ({ item, result, note, photos, supersedes, reason }) => {
      if (st.act) throw bad("invalid_input", "Акт подписан: результаты нельзя изменить", "The act is signed");
      const h = findingsOf(item);
      const cur = h.find((f) => !f.superseded_by);
      if (cur && !supersedes) throw bad("invalid_input", "Результат уже записан: нужно исправление", "A result exists: record a correction");
      ensureStarted();
      const r = addRecord(supersedes ? "correction" : "finding", `${item}: ${result}`);
      const f = { id: r.id, seq: r.seq, at: r.at, result, note, photos, state: "pending", superseded_by: null, correction_reason: reason };
      if (cur) cur.superseded_by = f.id;
      st.findings[item] = [...h, f];
      return r;
    },
    add_photo: ({ dataBase64, caption, accepted }) => {
      if (!dataBase64.startsWith("/9j/") && !dataBase64.startsWith("iVBOR")) throw bad("photo_refused", "Файл не является изображением", "The file is not an image");
      // Every second photo is doubtful: damaged and taken far away, years before the inspection.
      const warnings = st.photos.length % 2 === 1 ? [
        { kind: "damaged", reason: "Unknown marker in bit stream", taken_at: null, from: null, to: null, distance_m: null, object: null, object_address: null },
        { kind: "taken_outside_dates", reason: null, taken_at: "2008-10-22T16:28:39.000Z", from: "2026-03-02", to: "2026-03-13", distance_m: null, object: null, object_address: null },
        { kind: "far_from_object", reason: null, taken_at: null, from: null, to: null, distance_m: 2497601, object: "o1", object_address: "г. Москва, ул. Заводская, д. 12, стр. 3" },
      ] : [];
      if (warnings.some((w) => !accepted.includes(w.kind))) return { added: null, warnings };
      ensureStarted();
      const sha = Array.from({ length: 64 }, (_, i) => "0123456789abcdef"[(dataBase64.length * (i + 7) + i * i) % 16]).join("");
      const exif = st.photos.length % 2 === 0;
      const p = { sha256: sha, mime: "image/jpeg", width: 640, height: 480, taken_at: "2026-03-02T09:41:12Z",
        time_source: exif ? "exif" : "device", lat_e7: exif ? 557558000 : null, lon_e7: exif ? 376176000 : null,
        position_source: exif ? "exif" : null, caption, thumbnail: `data:image/jpeg;base64,${dataBase64}`,
        upload_state: "pending", record_state: "pending", warnings };
      addRecord("photo", `Фото ${sha.slice(0, 8)}`);
      st.photos.push(p);
      return { added: p, warnings };
    },
    issue_warning: ({ requirements, text }) => {
      if (!st.observation) throw bad("invalid_input", "Предостережение не объявляется в ходе мероприятия со взаимодействием", "No warning in a measure with interaction");
      if (requirements.some((r) => !r.requirement || !r.legal_act || !r.unit)) throw bad("invalid_input", "Нужны акт и структурная единица", "Legal act and unit needed");
      ensureStarted();
      return addRecord("warning", `Предостережение: ${text.slice(0, 60)}`);
    },
    visit: () => visitScreen(),
    hold_visit: ({ summary }) => signVisit(summary, false),
    refuse_visit: ({ summary }) => signVisit(summary, true),
    interaction: () => interaction(),
    start_interaction: () => {
      if (st.act) throw bad("invalid_input", "Акт подписан", "The act is signed");
      if (st.openSince) throw bad("invalid_input", "Взаимодействие уже идёт", "An interaction is under way");
      ensureStarted();
      // The preview starts near the limit so the banner shows.
      st.priorMinutes ??= 41 * 60;
      st.openSince = new Date(Date.now() - 25 * 60000).toISOString();
      return interaction();
    },
    stop_interaction: () => {
      if (!st.openSince) throw bad("invalid_input", "Взаимодействие не начато", "No interaction is under way");
      const r = addRecord("interaction", `Взаимодействие: ${minutesBetween(st.openSince, now())} мин`);
      st.intervals.push({ record: r.id, started_at: st.openSince, ended_at: r.at, minutes: minutesBetween(st.openSince, r.at), subject: null, state: "pending" });
      st.openSince = null;
      return interaction();
    },
    act_draft: () => {
      const cl = checklist();
      const n = (r) => cl.filter((i) => i.current?.result === r).length;
      return { erknm: "77260000000100000001", summary: "В ходе выездной проверки установлено: ...", findings: cl.filter((i) => i.current).map((i) => i.current.id),
        violations: cl.filter((i) => i.current?.result === "violation").map((i) => ({ item: i.code, requirement: i.requirement ?? i.code,
          requirement_text: i.requirement_text, legal_act: i.legal_act, unit: i.article, finding: i.current.id, note: i.current.note })),
        compliant: n("compliant"), violation_count: n("violation"), not_applicable: n("not_applicable"),
        unanswered: cl.filter((i) => !i.current).map((i) => ({ item: i.code, question: i.question })), total: cl.length };
    },
    sign_act: ({ act, pin }) => {
      if (pin !== st.pin) { st.status.failures++; throw wrongPin(); }
      if (st.openSince) throw bad("invalid_input", "Завершите взаимодействие", "Stop the interaction first");
      const cl = checklist();
      const missing = cl.filter((i) => !i.current && !act.not_checked.some((n) => n.item === i.code && n.reason.trim()));
      if (missing.length) throw bad("invalid_input", `не на все пункты есть ответ (${missing.map((i) => i.code).join(", ")})`, `not every item is answered (${missing.map((i) => i.code).join(", ")})`);
      st.actInput = act;
      st.actContents = { erknm: "77260000000100000001", violations: act.violations.map((v) => {
        const item = cl.find((i) => i.current?.id === v.finding);
        return { requirement: item?.requirement ?? item?.code, legal_act: item?.legal_act ?? v.legal_act, unit: item?.article ?? v.unit, remedied: v.remedied };
      }) };
      st.act = addRecord("act", act.summary.slice(0, 80));
      addRecord("inspection_finished", "Окончание проверки");
      return st.act;
    },
    order_draft: () => {
      if (!st.act) throw bad("invalid_input", "Предписание выдаётся после подписания акта", "An order is issued after the act is signed");
      const cl = checklist();
      return { act: st.act.id, act_at: st.act.at, erknm: st.actContents.erknm, issued_on: new Date().toISOString().slice(0, 10),
        subject: screen().subject, remedies: st.actContents.violations.filter((v) => v.remedied !== true).map((v) => ({
          requirement: v.requirement, requirement_text: cl.find((i) => i.requirement === v.requirement)?.requirement_text ?? null,
          legal_act: v.legal_act, unit: v.unit })) };
    },
    sign_order: ({ order, pin }) => {
      if (pin !== st.pin) { st.status.failures++; throw wrongPin(); }
      if (st.order) throw bad("invalid_input", "Предписание уже выдано", "An order was already issued");
      const last = order.remedies.map((r) => r.deadline).sort().pop();
      st.order = addRecord("order", `Предписание: пунктов ${order.remedies.length}, последний срок ${last}`);
      return st.order;
    },
    sync_now: () => {
      st.records.forEach((r, i) => { r.state = i % 5 === 4 ? "rejected" : i % 2 ? "receipted" : "sent";
        if (r.state === "rejected") r.rejected_reason = "Нарушена цепочка записей (chain_break) / chain_break";
        // The business objected to a warning and the agency decided (what pull brings).
        if (r.kind === "warning" && r.state !== "rejected") r.objection = { status: "rejected", filed_on: "2026-12-02",
          decided_on: "2026-12-03", reasons: "Паспорта отходов не представлены ни при наблюдении, ни с возражением" }; });
      st.photos.forEach((p) => { p.upload_state = "uploaded"; p.record_state = "receipted"; });
      Object.values(st.findings).flat().forEach((f) => { f.state = "receipted"; });
      st.lastSync = now(); st.skew = -312000; st.online = false;
      st.lastError = JSON.stringify({ kind: "server_unreachable",
        message: "сервер недоступен: проверьте адрес сервера и подключение к сети / the server cannot be reached: check the server address and the network connection" });
      syncChanged();
      return sync();
    },
    sync_status: () => sync(),
    photo_original: ({ sha256 }) => st.photos.find((p) => p.sha256 === sha256)?.thumbnail ?? "",
    act_document: () => {
      if (!st.act) throw bad("not_found", "акт не подписан", "the act is not signed");
      const cl = checklist();
      const sc = screen();
      return { record: st.act.id, hash: "9f2c".repeat(16), signed_at: st.act.at, device_name: st.status.device_name ?? "Планшет",
        state: st.act.state, rejected_reason: st.act.rejected_reason,
        receipt: st.act.state === "receipted" ? { log_index: 1234, received_at: now() } : null,
        inspection: INS, kind: sc.kind, kind_name: sc.kind_name, ground: "plan", ground_name: sc.ground_name,
        erknm: "77260000000100000001", control_type: "ecology", control_type_name: sc.control_type_name,
        starts_on: sc.starts_on, ends_on: sc.ends_on, subjects: sc.subjects, objects: sc.objects, summary: st.actInput.summary,
        findings: cl.filter((i) => i.current).map((i) => ({ record: i.current.id, item: { item: i.code, question: i.question },
          result: i.current.result, note: i.current.note, corrected: !!i.current.correction_reason, photos: i.current.photos.length,
          photo_warnings: st.photos.filter((p) => i.current.photos.includes(p.sha256)).flatMap((p) => p.warnings ?? []) })),
        violations: st.actContents.violations.map((v) => ({ ...v, requirement_text: cl.find((i) => i.requirement === v.requirement)?.requirement_text ?? null, note: null })),
        not_checked: st.actInput.not_checked.map((n) => ({ item: { item: n.item, question: cl.find((i) => i.code === n.item)?.question ?? "" }, reason: n.reason })),
        present: st.actInput.present, acknowledgement: st.actInput.acknowledgement };
    },
    records: ({ inspection }) => st.records.filter((r) => !inspection || r.inspection === inspection).slice().reverse(),
  };
  handlers["plugin:event|listen"] = ({ event, handler }) => {
    eventListeners.push({ event, handler });
    return handler;
  };
  handlers["plugin:event|unlisten"] = ({ eventId }) => {
    const i = eventListeners.findIndex((l) => l.handler === eventId);
    if (i >= 0) eventListeners.splice(i, 1);
    return null;
  };
  let cb = 0;
  window.__TAURI_EVENT_PLUGIN_INTERNALS__ = { unregisterListener: () => {} };
  window.__TAURI_INTERNALS__ = {
    invoke: async (cmd, args) => {
      const h = handlers[cmd];
      if (!h) throw bad("internal", `нет команды ${cmd}`, `no command ${cmd}`);
      await new Promise((r) => setTimeout(r, 30));
      return JSON.parse(JSON.stringify(h(args ?? {})));
    },
    transformCallback: (fn) => {
      callbacks[++cb] = fn;
      return cb;
    },
    metadata: { currentWindow: { label: "main" }, currentWebview: { label: "main" } },
  };
  window.__FAKE__ = st;
  window.__FAKE_EMIT__ = emit;
})();

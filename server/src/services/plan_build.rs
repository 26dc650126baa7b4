//! Building the annual plans of year Y (ст.23-25, п.2 ч.1 ст.57, ст.52.1 248-FZ; ПП 1511): the
//! candidates (objects whose effective category allows a planned inspection under the
//! moratorium on its dates and whose periodicity makes one due in Y; objects due a mandatory
//! preventive visit), one inspection per subject and control type covering all its due
//! objects, the inspectors' capacity (working days of the production calendar less absences),
//! and the scheduler's placement. Both plans are scheduled in one pass on the same inspectors'
//! time; each is stored as a draft with every entry's reasons.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use knd_shared::calendar::iso_date;
use knd_shared::planning::due::{self, Due};
use knd_shared::planning::schedule::{self, Demand, Inspector, Schedule, Settings};
use knd_shared::registry::ObjectAttributes;
use knd_shared::{AgencyId, InspectionKind, ObjectId, RiskCategory, SubjectId, UserId};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::model::planning::{
    EntryStatus, FactsWindow, ObjectFactsRow, Plan, PlanEntry, PlanKind, PlanStatus,
};
use crate::model::{Actor, Role, User};
use crate::services::accounts;
use crate::services::policy::{self, Action};
use crate::services::risk::{TypeModel, type_models};
use crate::state::AppState;

const PAGE: u32 = 20_000;

/// The agency's planning settings (data, edited in the console).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanningSettings {
    /// An inspector's working minutes on an ordinary working day.
    pub minutes_per_day: u32,
    /// Travel minutes added to each day of a measure in a district.
    pub travel_minutes: BTreeMap<String, u32>,
    /// For a district not in the table.
    pub default_travel_minutes: u32,
}

impl Default for PlanningSettings {
    fn default() -> Self {
        Self {
            minutes_per_day: 480,
            travel_minutes: BTreeMap::new(),
            default_travel_minutes: 30,
        }
    }
}

impl PlanningSettings {
    pub fn validate(&self) -> ApiResult<()> {
        let ok = (60..=720).contains(&self.minutes_per_day)
            && self.default_travel_minutes <= 240
            && self.travel_minutes.values().all(|m| *m <= 240)
            && self
                .travel_minutes
                .keys()
                .all(|d| !d.trim().is_empty() && d.chars().count() <= 200);
        if ok {
            Ok(())
        } else {
            Err(ApiError::Unprocessable(
                "рабочий день — от 60 до 720 минут, дорога — до 240 минут на район / a working day is 60 to 720 minutes, travel up to 240 minutes per district".into(),
            ))
        }
    }
}

pub async fn settings(state: &AppState, agency: AgencyId) -> ApiResult<PlanningSettings> {
    Ok(match state.store.planning_settings(agency).await? {
        Some(v) => serde_json::from_value(v).map_err(|e| ApiError::Internal(e.to_string()))?,
        None => PlanningSettings::default(),
    })
}

/// Why an object is in the plan: its category, periodicity and what it was counted from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObjectWhy {
    pub object: ObjectId,
    pub object_key: String,
    pub category: RiskCategory,
    pub every_years: u32,
    /// `last_planned_inspection`, `category_decision`, `last_visit`, `activity_notice` or `none`.
    pub counted_from_kind: String,
    #[serde(default, with = "iso_date::option")]
    pub counted_from: Option<Date>,
    #[serde(with = "iso_date")]
    pub due_from: Date,
    pub overdue_days: u32,
    #[serde(with = "iso_date")]
    pub allowed_from: Date,
    #[serde(with = "iso_date")]
    pub allowed_to: Date,
    pub text_ru: String,
    pub text_en: String,
}

/// A candidate entry before scheduling.
struct Candidate {
    kind: PlanKind,
    subject: SubjectId,
    control_type: Uuid,
    measure: InspectionKind,
    objects: Vec<ObjectWhy>,
    districts: BTreeMap<String, u32>,
    category: RiskCategory,
}

/// What a build did, per plan and in all.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BuildOutcome {
    pub year: i32,
    pub inspections_plan: Uuid,
    pub visits_plan: Uuid,
    pub objects_read: u64,
    pub inspection_entries: u64,
    pub visit_entries: u64,
    pub left_out: u64,
    /// Objects due an inspection that the moratorium keeps from one in Y.
    pub moratorium_excluded: u64,
    pub capacity_minutes: u64,
    pub demand_minutes: u64,
    pub scheduled_minutes: u64,
    /// Scheduled minutes over min(capacity, demand).
    pub quality: f64,
    pub read_ms: u64,
    pub schedule_ms: u64,
    pub store_ms: u64,
}

fn counted_from(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "last_planned_inspection" => ("последней плановой проверки", "the last planned inspection"),
        "category_decision" => ("решения о категории", "the category decision"),
        "last_visit" => (
            "последнего профилактического визита",
            "the last preventive visit",
        ),
        "activity_notice" => (
            "уведомления о начале деятельности",
            "the notice of starting activity",
        ),
        _ => ("—", "—"),
    }
}

fn object_why(
    row: &ObjectFactsRow,
    category: RiskCategory,
    every_years: u32,
    kind: &str,
    due: (Date, u32, Option<Date>),
    window: (Date, Date),
) -> ObjectWhy {
    let (from_ru, from_en) = counted_from(kind);
    let (due_from, overdue_days, base) = due;
    let base_text = base.map_or("—".to_owned(), iso_date::format);
    let text_ru = if kind == "activity_notice" {
        format!(
            "Объект {}: уведомление о начале деятельности {}; визит в течение 6 месяцев, с {} по {} (не учитывается в периодичности).",
            row.object_key,
            base_text,
            iso_date::format(window.0),
            iso_date::format(window.1)
        )
    } else {
        format!(
            "Объект {}: категория «{}», периодичность — раз в {} г., отсчёт от {} ({}); срок наступает {}{}; допустимо с {} по {}.",
            row.object_key,
            category.name_ru(),
            every_years,
            from_ru,
            base_text,
            iso_date::format(due_from),
            if overdue_days > 0 {
                format!(", просрочено на {overdue_days} дн. к 1 января")
            } else {
                String::new()
            },
            iso_date::format(window.0),
            iso_date::format(window.1)
        )
    };
    let text_en = format!(
        "Object {}: {} risk, once per {} year(s), counted from {} ({}); due from {}{}; allowed {} to {}.",
        row.object_key,
        category.as_str().replace('_', " "),
        every_years,
        from_en,
        base_text,
        iso_date::format(due_from),
        if overdue_days > 0 {
            format!(", {overdue_days} days overdue on 1 January")
        } else {
            String::new()
        },
        iso_date::format(window.0),
        iso_date::format(window.1)
    );
    ObjectWhy {
        object: row.object,
        object_key: row.object_key.clone(),
        category,
        every_years,
        counted_from_kind: kind.to_owned(),
        counted_from: base,
        due_from,
        overdue_days,
        allowed_from: window.0,
        allowed_to: window.1,
        text_ru,
        text_en,
    }
}

/// The candidates of one object: an inspection (grouped by subject and control type) and
/// visits.
fn consider(
    row: &ObjectFactsRow,
    t: &TypeModel,
    year: i32,
    (_, last): (Date, Date),
    inspections: &mut HashMap<(SubjectId, Uuid), Candidate>,
    visits: &mut Vec<Candidate>,
    excluded: &mut u64,
) {
    let rules = &t.rules;
    let category = rules.effective_category(row.category);
    let Some(per) = rules.periodicity.get(&category) else {
        return;
    };
    let attributes: Option<serde_json::Value> = serde_json::from_str(&row.attributes).ok();
    let attrs = ObjectAttributes::from_json(attributes.as_ref()).unwrap_or_default();
    if let (Some(n), Some(measure)) = (
        per.inspection_every_years,
        rules.planning.kinds.get(&category),
    ) {
        if let Due::InYear {
            from,
            overdue_days,
            counted_from,
        } = due::inspection_due(Some(n), row.last_planned_inspection, row.decided_on, year)
        {
            match due::moratorium_window(rules, category, &attrs, year) {
                Some((a, b)) if from.max(a) <= b => {
                    let kind = match (row.last_planned_inspection, counted_from) {
                        (Some(_), _) => "last_planned_inspection",
                        (None, Some(_)) => "category_decision",
                        _ => "none",
                    };
                    let why = object_why(
                        row,
                        category,
                        n,
                        kind,
                        (from, overdue_days, counted_from),
                        (from.max(a), b),
                    );
                    let c = inspections
                        .entry((row.subject, row.control_type))
                        .or_insert_with(|| Candidate {
                            kind: PlanKind::Inspections,
                            subject: row.subject,
                            control_type: row.control_type,
                            measure: *measure,
                            objects: Vec::new(),
                            districts: BTreeMap::new(),
                            category,
                        });
                    if category > c.category {
                        c.category = category;
                        c.measure = *measure;
                    }
                    c.objects.push(why);
                    *c.districts.entry(row.district.clone()).or_default() += 1;
                }
                _ => *excluded += 1,
            }
        }
    }
    let mut visit = |why: ObjectWhy| {
        visits.push(Candidate {
            kind: PlanKind::Visits,
            subject: row.subject,
            control_type: row.control_type,
            measure: InspectionKind::PreventiveVisit,
            objects: vec![why],
            districts: BTreeMap::from([(row.district.clone(), 1)]),
            category,
        });
    };
    if let Some(n) = per.visit_every_years {
        if let Due::InYear {
            from,
            overdue_days,
            counted_from,
        } = due::visit_due(Some(n), row.last_counted_visit, row.decided_on, year)
        {
            let kind = match (row.last_counted_visit, row.decided_on) {
                (Some(v), Some(d)) if v >= d => "last_visit",
                (Some(_), None) => "last_visit",
                (_, Some(_)) => "category_decision",
                _ => "none",
            };
            visit(object_why(
                row,
                category,
                n,
                kind,
                (from, overdue_days, counted_from),
                (from, last),
            ));
            return;
        }
    }
    if let (Some(notice), false) = (row.activity_notice, row.visited_after_notice) {
        if let Some((a, b)) = due::startup_visit_window(notice, year) {
            visit(object_why(
                row,
                category,
                0,
                "activity_notice",
                (a, 0, Some(notice)),
                (a, b),
            ));
        }
    }
}

impl Candidate {
    fn district(&self) -> String {
        self.districts
            .iter()
            .max_by_key(|(d, n)| (**n, std::cmp::Reverse((*d).clone())))
            .map(|(d, _)| d.clone())
            .unwrap_or_default()
    }

    fn demand(&self, rules: &knd_shared::registry::ControlTypeRules, id: String) -> Demand {
        let load = if self.kind == PlanKind::Visits {
            rules.planning.visit
        } else {
            rules
                .planning
                .load(self.measure, self.objects.len())
                .unwrap_or(rules.planning.visit)
        };
        Demand {
            id,
            category: self.category,
            overdue_days: self
                .objects
                .iter()
                .map(|o| o.overdue_days)
                .max()
                .unwrap_or(0),
            earliest_start: self
                .objects
                .iter()
                .map(|o| o.allowed_from)
                .max()
                .unwrap_or(Date::MIN),
            latest_end: self
                .objects
                .iter()
                .map(|o| o.allowed_to)
                .min()
                .unwrap_or(Date::MAX),
            district: self.district(),
            working_days: load.working_days,
            minutes_per_day: load.minutes_per_day,
            inspectors: load.inspectors,
        }
    }
}

/// The agency's inspectors with their absences in the year.
async fn inspectors(
    state: &AppState,
    agency: AgencyId,
    year: i32,
    minutes_per_day: u32,
) -> ApiResult<Vec<(UserId, Inspector)>> {
    let (first, last) = due::year_bounds(year).ok_or(ApiError::BadRequest("year".into()))?;
    let mut away: HashMap<UserId, BTreeSet<Date>> = HashMap::new();
    for a in state.store.absences(agency, first, last).await? {
        away.entry(a.user).or_default().insert(a.day);
    }
    let mut users: Vec<_> = state
        .store
        .list_users(agency)
        .await?
        .into_iter()
        .filter(|u| u.role == Role::Inspector && u.disabled_at.is_none())
        .collect();
    users.sort_by(|a, b| a.login.cmp(&b.login));
    Ok(users
        .into_iter()
        .map(|u| {
            let inspector = Inspector {
                id: u.login.clone(),
                minutes_per_day,
                absences: away.remove(&u.id).unwrap_or_default(),
            };
            (u.id, inspector)
        })
        .collect())
}

fn ms(since: std::time::Instant) -> u64 {
    u64::try_from(since.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Builds (or rebuilds) the drafts of year `year` as a planner asks.
pub async fn build(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    year: i32,
) -> ApiResult<BuildOutcome> {
    policy::require(
        state,
        user,
        address,
        Action::BuildPlan,
        "plan.build",
        || format!("plan:{year}"),
    )
    .await?;
    let today = state.today();
    if !(today.year()..=today.year() + 1).contains(&year) {
        return Err(ApiError::Unprocessable(format!(
            "план составляется на текущий или следующий год ({} или {}) / a plan is built for this or next year ({} or {})",
            today.year(),
            today.year() + 1,
            today.year(),
            today.year() + 1
        )));
    }
    let outcome = build_year(state, user.agency, year, Some(user.id)).await?;
    let mut a = accounts::audit(
        Actor::User(user.id),
        Some(user.agency),
        "plan.build",
        address,
    );
    a.target = Some(format!("plan:{}", outcome.inspections_plan));
    a.detail = Some(
        json!({"year": year, "inspections": outcome.inspection_entries, "visits": outcome.visit_entries, "left_out": outcome.left_out}),
    );
    state.store.audit(&a).await?;
    Ok(outcome)
}

/// The build itself, without a caller's checks (the benchmark calls it).
pub async fn build_year(
    state: &AppState,
    agency: AgencyId,
    year: i32,
    built_by: Option<UserId>,
) -> ApiResult<BuildOutcome> {
    let bounds = due::year_bounds(year).ok_or(ApiError::BadRequest("year".into()))?;
    for p in state.store.plans(agency).await? {
        if p.year == year && p.status != PlanStatus::Draft {
            return Err(ApiError::Conflict(format!(
                "план на {year} г. уже направлен или утверждён: изменения вносятся поправками / the plan for {year} is past its draft: change it by amendments"
            )));
        }
    }
    let started = std::time::Instant::now();
    let types = type_models(state, agency).await?;
    let settings = settings(state, agency).await?;
    let window = FactsWindow::on(state.today());
    let mut groups: HashMap<(SubjectId, Uuid), Candidate> = HashMap::new();
    let mut visits = Vec::new();
    let mut excluded = 0u64;
    let mut objects_read = 0u64;
    let mut after = None;
    loop {
        let rows = state.store.facts_page(agency, after, PAGE, window).await?;
        let Some(last) = rows.last() else { break };
        after = Some(last.object);
        for row in &rows {
            objects_read += 1;
            if let Some(t) = types.get(&row.control_type) {
                consider(
                    row,
                    t,
                    year,
                    bounds,
                    &mut groups,
                    &mut visits,
                    &mut excluded,
                );
            }
        }
    }
    let mut candidates: Vec<Candidate> = groups.into_values().collect();
    // A stable order (the scheduler's ties go by index).
    candidates.sort_by_key(|c| (c.subject, c.control_type));
    candidates.extend(visits);
    let read_ms = ms(started);

    let started = std::time::Instant::now();
    let people = inspectors(state, agency, year, settings.minutes_per_day).await?;
    let demands: Vec<Demand> = candidates
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            types
                .get(&c.control_type)
                .map(|t| c.demand(&t.rules, i.to_string()))
        })
        .collect();
    let sched_settings = Settings {
        travel_minutes: settings.travel_minutes.clone(),
        default_travel_minutes: settings.default_travel_minutes,
    };
    let crew: Vec<Inspector> = people.iter().map(|(_, i)| i.clone()).collect();
    let plan = schedule::schedule(year, &state.calendar, &crew, &demands, &sched_settings)
        .map_err(|e| ApiError::Unprocessable(e.to_string()))?;
    let schedule_ms = ms(started);

    let started = std::time::Instant::now();
    let ids: Vec<UserId> = people.iter().map(|(id, _)| *id).collect();
    let (entries_i, entries_v) = entries(&candidates, &demands, &plan, &ids);
    let now = OffsetDateTime::now_utc();
    let header = |kind: PlanKind, entries: &[PlanEntry]| Plan {
        id: Uuid::now_v7(),
        agency,
        year,
        kind,
        status: PlanStatus::Draft,
        version: 1,
        summary: summary(
            kind,
            entries,
            &demands,
            &candidates,
            &plan,
            &crew,
            &sched_settings,
        ),
        built_by,
        built_at: now,
        sent_on: None,
        approved_on: None,
        approved_by: None,
        published_on: None,
        record: None,
    };
    let (plan_i, plan_v) = (
        header(PlanKind::Inspections, &entries_i),
        header(PlanKind::Visits, &entries_v),
    );
    let actor = built_by.map_or(Actor::Operator, Actor::User);
    for (p, e) in [(&plan_i, &entries_i), (&plan_v, &entries_v)] {
        let mut a = accounts::audit(actor.clone(), Some(agency), "plan.draft", None);
        a.target = Some(format!("plan:{}", p.id));
        if !state.store.save_draft_plan(p, e, &a).await? {
            return Err(ApiError::Conflict(format!(
                "план на {year} г. уже направлен или утверждён / the plan for {year} is past its draft"
            )));
        }
    }
    let left_out = entries_i
        .iter()
        .chain(&entries_v)
        .filter(|e| e.status == EntryStatus::LeftOut)
        .count() as u64;
    Ok(BuildOutcome {
        year,
        inspections_plan: plan_i.id,
        visits_plan: plan_v.id,
        objects_read,
        inspection_entries: entries_i.len() as u64,
        visit_entries: entries_v.len() as u64,
        left_out,
        moratorium_excluded: excluded,
        capacity_minutes: plan.capacity_minutes,
        demand_minutes: plan.demand_minutes,
        scheduled_minutes: plan.scheduled_minutes,
        quality: plan.quality(),
        read_ms,
        schedule_ms,
        store_ms: ms(started),
    })
}

/// The entries of both plans, numbered from 1 in each, from the scheduler's result.
fn entries(
    candidates: &[Candidate],
    demands: &[Demand],
    plan: &Schedule,
    ids: &[UserId],
) -> (Vec<PlanEntry>, Vec<PlanEntry>) {
    let placed: HashMap<usize, &schedule::Placement> =
        plan.placements.iter().map(|p| (p.demand, p)).collect();
    let left: HashMap<usize, &schedule::LeftOut> =
        plan.left_out.iter().map(|l| (l.demand, l)).collect();
    let (mut inspections, mut visits) = (Vec::new(), Vec::new());
    for (i, d) in demands.iter().enumerate() {
        let Some(c) = d.id.parse::<usize>().ok().and_then(|k| candidates.get(k)) else {
            continue;
        };
        let objects_why: Vec<&ObjectWhy> = c.objects.iter().collect();
        let (status, starts_on, ends_on, inspectors, schedule_why) = match (
            placed.get(&i),
            left.get(&i),
        ) {
            (Some(p), _) => (
                EntryStatus::Planned,
                Some(p.start),
                Some(p.end),
                p.inspectors
                    .iter()
                    .filter_map(|k| ids.get(*k).copied())
                    .collect(),
                json!({"placed": p.why, "text_ru": p.why.text_ru(), "text_en": p.why.text_en()}),
            ),
            (None, Some(l)) => (
                EntryStatus::LeftOut,
                None,
                None,
                Vec::new(),
                json!({"left_out": l.reason, "text_ru": l.reason.text_ru(), "text_en": l.reason.text_en()}),
            ),
            (None, None) => continue,
        };
        let list = if c.kind == PlanKind::Inspections {
            &mut inspections
        } else {
            &mut visits
        };
        list.push(PlanEntry {
            no: u32::try_from(list.len() + 1).unwrap_or(u32::MAX),
            subject: c.subject,
            control_type: c.control_type,
            objects: c.objects.iter().map(|o| o.object).collect(),
            category: c.category,
            kind: c.measure,
            district: d.district.clone(),
            status,
            starts_on,
            ends_on,
            inspectors,
            why: json!({"objects": objects_why, "schedule": schedule_why}),
            inspection: None,
        });
    }
    (inspections, visits)
}

/// A plan's figures: its demand and what was scheduled of it, the shared capacity, the load
/// per inspector and month (the capacity chart), and the left-out reasons counted.
fn summary(
    kind: PlanKind,
    entries: &[PlanEntry],
    demands: &[Demand],
    candidates: &[Candidate],
    plan: &Schedule,
    crew: &[Inspector],
    settings: &Settings,
) -> serde_json::Value {
    let minutes = |d: &Demand| {
        u64::from(d.working_days)
            * u64::from(d.inspectors)
            * u64::from(d.minutes_per_day + settings.travel(&d.district))
    };
    let mine = |i: &usize| {
        demands[*i]
            .id
            .parse::<usize>()
            .ok()
            .and_then(|k| candidates.get(k))
            .is_some_and(|c| c.kind == kind)
    };
    let demand: u64 = (0..demands.len())
        .filter(mine)
        .map(|i| minutes(&demands[i]))
        .sum();
    let scheduled: u64 = plan
        .placements
        .iter()
        .filter(|p| mine(&p.demand))
        .map(|p| minutes(&demands[p.demand]))
        .sum();
    let mut reasons: BTreeMap<String, u64> = BTreeMap::new();
    for l in plan.left_out.iter().filter(|l| mine(&l.demand)) {
        let key = serde_json::to_value(&l.reason)
            .ok()
            .and_then(|v| v.get("kind").and_then(|k| k.as_str()).map(str::to_owned))
            .unwrap_or_default();
        *reasons.entry(key).or_default() += 1;
    }
    let bound = plan.capacity_minutes.min(demand);
    json!({
        "entries": entries.len(),
        "planned": entries.iter().filter(|e| e.status == EntryStatus::Planned).count(),
        "left_out": entries.iter().filter(|e| e.status == EntryStatus::LeftOut).count(),
        "left_out_reasons": reasons,
        "capacity_minutes": plan.capacity_minutes,
        "demand_minutes": demand,
        "scheduled_minutes": scheduled,
        "bound_minutes": bound,
        "quality": if bound == 0 { 1.0 } else { scheduled as f64 / bound as f64 },
        "all_plans": {
            "demand_minutes": plan.demand_minutes,
            "scheduled_minutes": plan.scheduled_minutes,
            "quality": plan.quality(),
        },
        "inspectors": crew.iter().map(|i| i.id.clone()).collect::<Vec<_>>(),
        "load": plan.load,
    })
}

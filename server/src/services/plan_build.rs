//! Building the annual plans of year Y (ст.23-25, п.2 ч.1 ст.57, ст.52.1 248-FZ; ПП 1511): the
//! candidates (objects whose effective category allows a planned inspection under the
//! moratorium on its dates and whose periodicity makes one due in Y; objects due a mandatory
//! preventive visit), one inspection per subject and control type covering all its due
//! objects, the inspectors' capacity (working days of the production calendar less absences),
//! and the scheduler's placement. Both plans are scheduled in one pass on the same inspectors'
//! time; each is stored as a draft with every entry's reasons.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use knd_shared::planning::due;
use knd_shared::planning::schedule::{self, Demand, Inspector, Schedule, Settings};
use knd_shared::{AgencyId, SubjectId, UserId};
use serde::{Deserialize, Serialize};
use serde_json::json;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::model::plan_why::{self, ScheduleWhy};
use crate::model::planning::{EntryStatus, FactsWindow, Plan, PlanEntry, PlanKind, PlanStatus};
use crate::model::{Actor, Role, User};
use crate::services::accounts;
use crate::services::facts_pages::FactsPages;
use crate::services::plan_candidates::{Candidate, consider};
use crate::services::policy::{self, Action};
use crate::services::risk::{self, ScoreSummary, Scorer, type_models};
use crate::state::AppState;

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
    /// The scoring run made in the same pass over the objects, when the build was asked to
    /// re-score (its time is within `read_ms`).
    pub scoring: Option<ScoreSummary>,
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

/// Builds (or rebuilds) the drafts of year `year` as a planner asks; `rescore` also scores
/// every object in the same pass (as `risk::score_all` does, with its permission and audit).
pub async fn build(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    year: i32,
    rescore: bool,
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
    if rescore {
        risk::may_score(state, user, address).await?;
    }
    let outcome = build_year(state, user.agency, year, Some(user.id), rescore).await?;
    if let Some(s) = &outcome.scoring {
        risk::audit_scoring(state, user, address, s).await?;
    }
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

/// The build itself, without a caller's checks (the benchmark calls it); `rescore` scores
/// every object on the pages the build reads.
pub async fn build_year(
    state: &AppState,
    agency: AgencyId,
    year: i32,
    built_by: Option<UserId>,
    rescore: bool,
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
    let mut scorer = if rescore {
        Some(Scorer::new(state, agency, &types)?)
    } else {
        None
    };
    let mut pages = FactsPages::new(state, agency, window).await?;
    while let Some(rows) = pages.next().await? {
        if let Some(s) = scorer.as_mut() {
            s.page(state, &rows).await?;
        }
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
    // A stable order (the scheduler's ties go by index), whatever order the pages came in.
    let mut candidates: Vec<Candidate> = groups.into_values().collect();
    for c in &mut candidates {
        c.objects.sort_by_key(|o| o.object);
    }
    candidates.sort_by_key(|c| (c.subject, c.control_type));
    visits.sort_by_key(|c| c.objects.first().map(|o| o.object));
    candidates.extend(visits);
    let scoring = match scorer {
        Some(s) => Some(s.finish(state).await?),
        None => None,
    };
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
    let header = |kind: PlanKind, entries: &[PlanEntry<String>]| Plan {
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
    // What the outcome reports; the rest of the build is let go before the entries are written.
    let totals = (
        plan.capacity_minutes,
        plan.demand_minutes,
        plan.scheduled_minutes,
        plan.quality(),
    );
    // Freeing the build's million small allocations is the other core's work.
    tokio::task::spawn_blocking(move || drop((plan, candidates, demands, crew)));
    let left_out = entries_i
        .iter()
        .chain(&entries_v)
        .filter(|e| e.status == EntryStatus::LeftOut)
        .count() as u64;
    let (inspection_entries, visit_entries) = (entries_i.len() as u64, entries_v.len() as u64);
    let actor = built_by.map_or(Actor::Operator, Actor::User);
    // The large visits draft first: the checkpointer, nudged after each commit, then copies the
    // WAL beside the small inspections draft rather than beside the large one (store phase
    // 1.88 s against 2.03 s on average over 12 and 8 runs of the 1M benchmark).
    for (p, e) in [(&plan_v, entries_v), (&plan_i, entries_i)] {
        let mut a = accounts::audit(actor.clone(), Some(agency), "plan.draft", None);
        a.target = Some(format!("plan:{}", p.id));
        if !state.store.save_draft_plan(p, e, &a).await? {
            return Err(ApiError::Conflict(format!(
                "план на {year} г. уже направлен или утверждён / the plan for {year} is past its draft"
            )));
        }
    }
    super::plan_purge::spawn(state);
    Ok(BuildOutcome {
        year,
        inspections_plan: plan_i.id,
        visits_plan: plan_v.id,
        objects_read,
        inspection_entries,
        visit_entries,
        left_out,
        moratorium_excluded: excluded,
        capacity_minutes: totals.0,
        demand_minutes: totals.1,
        scheduled_minutes: totals.2,
        quality: totals.3,
        read_ms,
        schedule_ms,
        store_ms: ms(started),
        scoring: scoring.map(|s| ScoreSummary {
            milliseconds: read_ms,
            ..s
        }),
    })
}

/// The entries of both plans, numbered from 1 in each, from the scheduler's result. Writing
/// 150,000 entries' reasons as JSON is most of it: the two halves of the demands are written
/// on two threads, then numbered in order.
fn entries(
    candidates: &[Candidate],
    demands: &[Demand],
    plan: &Schedule,
    ids: &[UserId],
) -> (Vec<PlanEntry<String>>, Vec<PlanEntry<String>>) {
    let placed: HashMap<usize, &schedule::Placement> =
        plan.placements.iter().map(|p| (p.demand, p)).collect();
    let left: HashMap<usize, &schedule::LeftOut> =
        plan.left_out.iter().map(|l| (l.demand, l)).collect();
    let range = |from: usize, to: usize| {
        (from..to)
            .filter_map(|i| entry(candidates, &demands[i], placed.get(&i), left.get(&i), ids))
            .collect::<Vec<_>>()
    };
    let half = demands.len() / 2;
    let (first, second) = std::thread::scope(|s| {
        let first = s.spawn(|| range(0, half));
        let second = range(half, demands.len());
        (first.join(), second)
    });
    let first = first.unwrap_or_else(|p| std::panic::resume_unwind(p));
    let (mut inspections, mut visits) = (Vec::new(), Vec::new());
    for (kind, mut e) in first.into_iter().chain(second) {
        let list = if kind == PlanKind::Inspections {
            &mut inspections
        } else {
            &mut visits
        };
        e.no = u32::try_from(list.len() + 1).unwrap_or(u32::MAX);
        list.push(e);
    }
    (inspections, visits)
}

/// One demand's entry (not yet numbered) and the plan it belongs to; none for a demand the
/// scheduler neither placed nor left out, or without its candidate.
fn entry(
    candidates: &[Candidate],
    d: &Demand,
    placed: Option<&&schedule::Placement>,
    left: Option<&&schedule::LeftOut>,
    ids: &[UserId],
) -> Option<(PlanKind, PlanEntry<String>)> {
    let c = d.id.parse::<usize>().ok().and_then(|k| candidates.get(k))?;
    let (status, starts_on, ends_on, inspectors, schedule_why) = match (placed, left) {
        (Some(p), _) => (
            EntryStatus::Planned,
            Some(p.start),
            Some(p.end),
            p.inspectors
                .iter()
                .filter_map(|k| ids.get(*k).copied())
                .collect(),
            ScheduleWhy::Placed(&p.why),
        ),
        (None, Some(l)) => (
            EntryStatus::LeftOut,
            None,
            None,
            Vec::new(),
            ScheduleWhy::LeftOut(&l.reason),
        ),
        (None, None) => return None,
    };
    Some((
        c.kind,
        PlanEntry {
            no: 0,
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
            why: plan_why::stored(&c.objects, schedule_why),
            inspection: None,
        },
    ))
}

/// A plan's figures: its demand and what was scheduled of it, the shared capacity, the load
/// per inspector and month (the capacity chart), and the left-out reasons counted.
fn summary(
    kind: PlanKind,
    entries: &[PlanEntry<String>],
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
        *reasons.entry(l.reason.kind().to_owned()).or_default() += 1;
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

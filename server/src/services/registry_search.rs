//! Finding subjects and objects in the agency's registry (the console's one search box), and
//! what an object's page shows (`object.rs`). Every read asks the policy first (ReadRegistry);
//! the inspections an object's page lists are narrowed like every inspection read.
//!
//! The box understands ИНН and ОГРН (digits, by prefix), an object key (by prefix), a name
//! fragment (subjects) and an address fragment (objects). Fragments need 3 characters (the
//! indexes are trigram indexes); shorter text is looked up as the start of a key only, and the
//! answer says so.

mod object;

pub use object::{NEIGHBOURS, Neighbour, ObjectPage, distance_m, object_page};

use crate::error::{ApiError, ApiResult};
use crate::model::{ControlObject, Subject, User};
use crate::services::policy::{self, Action};
use crate::state::AppState;
use crate::store::search::{ObjectMatch, ObjectSearch, RiskFilter, SubjectMatch, SubjectSearch};

/// The shortest fragment the trigram indexes find.
pub const MIN_FRAGMENT: usize = 3;
/// The longest text the box takes.
const MAX_TEXT: usize = 200;

/// What the text of the box is taken for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SearchBy {
    /// Decided from the text: digits are an ИНН or ОГРН, a key's start is a key, anything else
    /// a name or address fragment.
    #[default]
    Auto,
    Inn,
    Ogrn,
    Key,
    Name,
    Address,
}

impl SearchBy {
    pub fn parse(s: &str) -> Option<SearchBy> {
        Some(match s {
            "" | "auto" => SearchBy::Auto,
            "inn" => SearchBy::Inn,
            "ogrn" => SearchBy::Ogrn,
            "key" => SearchBy::Key,
            "name" => SearchBy::Name,
            "address" => SearchBy::Address,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SearchBy::Auto => "auto",
            SearchBy::Inn => "inn",
            SearchBy::Ogrn => "ogrn",
            SearchBy::Key => "key",
            SearchBy::Name => "name",
            SearchBy::Address => "address",
        }
    }

    pub const ALL: [SearchBy; 6] = [
        SearchBy::Auto,
        SearchBy::Inn,
        SearchBy::Ogrn,
        SearchBy::Key,
        SearchBy::Name,
        SearchBy::Address,
    ];
}

/// A search as the registry page asks it.
#[derive(Debug, Clone, Default)]
pub struct Query {
    pub text: String,
    pub by: SearchBy,
    pub control_type: Option<String>,
    pub district: Option<String>,
    pub risk: Option<RiskFilter>,
    /// The keyset cursors of the two lists (the last ИНН, the last key shown).
    pub subjects_after: Option<String>,
    pub objects_after: Option<String>,
    pub limit: u32,
}

/// What a search found: `None` for a list it did not search.
#[derive(Debug, Clone)]
pub struct Found {
    /// What the text was taken for (the next pages keep it).
    pub by: SearchBy,
    pub subjects: Option<Vec<Subject>>,
    pub objects: Option<Vec<ControlObject>>,
    /// Why a list was not searched or the text was read narrowly ("русский / English").
    pub notice: Option<&'static str>,
}

const SHORT: &str = "фрагмент короче 3 символов: ищется только начало ключа объекта, ИНН или ОГРН \
                     / a fragment shorter than 3 characters: only the start of an object key, INN \
                     or OGRN is searched";
const NOT_DIGITS: &str = "ИНН и ОГРН состоят из цифр / an INN or OGRN is digits only";

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// The lists a resolved search asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Plan {
    subjects: Option<SubjectMatch>,
    objects: Option<ObjectMatch>,
    notice: Option<&'static str>,
}

/// What `text` searched `by` asks (`Auto` is resolved by the caller first).
fn plan(text: &str, by: SearchBy) -> Plan {
    let fragment_ok = text.chars().count() >= MIN_FRAGMENT;
    let none = |notice| Plan {
        subjects: None,
        objects: None,
        notice: Some(notice),
    };
    if text.is_empty() {
        return Plan {
            subjects: Some(SubjectMatch::All),
            objects: Some(ObjectMatch::All),
            notice: None,
        };
    }
    match by {
        SearchBy::Inn | SearchBy::Ogrn if !is_digits(text) => none(NOT_DIGITS),
        SearchBy::Inn => Plan {
            subjects: Some(SubjectMatch::InnPrefix(text.to_owned())),
            objects: None,
            notice: None,
        },
        SearchBy::Ogrn => Plan {
            subjects: Some(SubjectMatch::OgrnPrefix(text.to_owned())),
            objects: None,
            notice: None,
        },
        SearchBy::Key | SearchBy::Auto => Plan {
            subjects: None,
            objects: Some(ObjectMatch::KeyPrefix(text.to_owned())),
            notice: None,
        },
        SearchBy::Name | SearchBy::Address if !fragment_ok => none(SHORT),
        SearchBy::Name => Plan {
            subjects: Some(SubjectMatch::Name(text.to_owned())),
            objects: None,
            notice: None,
        },
        SearchBy::Address => Plan {
            subjects: None,
            objects: Some(ObjectMatch::Address(text.to_owned())),
            notice: None,
        },
    }
}

/// Finds the agency's subjects and objects.
pub async fn search(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    q: &Query,
) -> ApiResult<Found> {
    policy::require(
        state,
        user,
        address,
        Action::ReadRegistry,
        "registry.search",
        || format!("agency:{}", user.agency),
    )
    .await?;
    let text: String = q.text.trim().chars().take(MAX_TEXT).collect();
    let mut by = q.by;
    let mut notice = None;
    if by == SearchBy::Auto && !text.is_empty() {
        by = if is_digits(&text) {
            if matches!(text.len(), 13 | 15) {
                SearchBy::Ogrn
            } else {
                SearchBy::Inn
            }
        } else if key_exists(state, user, &text).await? {
            SearchBy::Key
        } else if text.chars().count() >= MIN_FRAGMENT {
            SearchBy::Auto // both lists, by fragment (below)
        } else {
            notice = Some(SHORT);
            SearchBy::Key
        };
    }
    let mut p = if by == SearchBy::Auto && !text.is_empty() {
        Plan {
            subjects: Some(SubjectMatch::Name(text.clone())),
            objects: Some(ObjectMatch::Address(text.clone())),
            notice: None,
        }
    } else {
        plan(&text, by)
    };
    let limit = q.limit.clamp(1, 200);
    let subjects = match p.subjects.take() {
        Some(matching) => Some(
            state
                .store
                .search_subjects(
                    user.agency,
                    &SubjectSearch {
                        matching,
                        after: q.subjects_after.clone(),
                        limit,
                    },
                )
                .await?,
        ),
        None => None,
    };
    // Digits that start no ИНН may start an ОГРН.
    let subjects = match subjects {
        Some(found) if found.is_empty() && q.by == SearchBy::Auto && by == SearchBy::Inn => {
            by = SearchBy::Ogrn;
            Some(
                state
                    .store
                    .search_subjects(
                        user.agency,
                        &SubjectSearch {
                            matching: SubjectMatch::OgrnPrefix(text.clone()),
                            after: q.subjects_after.clone(),
                            limit,
                        },
                    )
                    .await?,
            )
        }
        other => other,
    };
    // A whole ИНН or ОГРН of one subject: its objects too.
    if p.objects.is_none() && q.subjects_after.is_none() {
        if let Some([one]) = subjects.as_deref() {
            if one.inn == text || one.ogrn.as_deref() == Some(text.as_str()) {
                p.objects = Some(ObjectMatch::SubjectInn(one.inn.clone()));
            }
        }
    }
    let objects = match p.objects {
        Some(matching) => Some(
            state
                .store
                .search_objects(
                    user.agency,
                    &ObjectSearch {
                        matching,
                        control_type: q.control_type.clone(),
                        district: q.district.clone(),
                        risk: q.risk,
                        after: q.objects_after.clone(),
                        limit,
                    },
                )
                .await?,
        ),
        None => None,
    };
    Ok(Found {
        by,
        subjects,
        objects,
        notice: notice.or(p.notice),
    })
}

/// Whether some object's key starts with `text` (to read the box's text as a key).
async fn key_exists(state: &AppState, user: &User, text: &str) -> ApiResult<bool> {
    let probe = ObjectSearch {
        matching: ObjectMatch::KeyPrefix(text.to_owned()),
        control_type: None,
        district: None,
        risk: None,
        after: None,
        limit: 1,
    };
    Ok(!state
        .store
        .search_objects(user.agency, &probe)
        .await?
        .is_empty())
}

/// A subject of the agency with its objects in key order after `after`; 404 without one.
pub async fn subject_with_objects(
    state: &AppState,
    user: &User,
    address: Option<&str>,
    inn: &str,
    after: Option<String>,
    limit: u32,
) -> ApiResult<(Subject, Vec<ControlObject>)> {
    policy::require(
        state,
        user,
        address,
        Action::ReadRegistry,
        "registry.read",
        || format!("subject:{}", inn.escape_debug()),
    )
    .await?;
    let subject = state
        .store
        .subject_by_inn(user.agency, inn)
        .await?
        .ok_or(ApiError::NotFound)?;
    let objects = state
        .store
        .search_objects(
            user.agency,
            &ObjectSearch {
                matching: ObjectMatch::SubjectInn(subject.inn.clone()),
                control_type: None,
                district: None,
                risk: None,
                after,
                limit: limit.clamp(1, 200),
            },
        )
        .await?;
    Ok((subject, objects))
}

/// The districts of the agency's objects and its control types (the page's filters).
pub async fn filters(
    state: &AppState,
    user: &User,
    address: Option<&str>,
) -> ApiResult<(Vec<String>, Vec<crate::model::ControlType>)> {
    policy::require(
        state,
        user,
        address,
        Action::ReadRegistry,
        "registry.read",
        || format!("agency:{}", user.agency),
    )
    .await?;
    Ok((
        state.store.districts(user.agency, 500).await?,
        state.store.list_control_types(user.agency).await?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans() {
        let p = plan("7701", SearchBy::Inn);
        assert_eq!(p.subjects, Some(SubjectMatch::InnPrefix("7701".into())));
        assert_eq!(plan("77a", SearchBy::Inn).notice, Some(NOT_DIGITS));
        assert_eq!(plan("ул", SearchBy::Address).notice, Some(SHORT));
        assert_eq!(
            plan("Киров", SearchBy::Address).objects,
            Some(ObjectMatch::Address("Киров".into()))
        );
        assert_eq!(plan("", SearchBy::Name).subjects, Some(SubjectMatch::All));
        assert_eq!(
            plan("FIRE-", SearchBy::Key).objects,
            Some(ObjectMatch::KeyPrefix("FIRE-".into()))
        );
        for by in SearchBy::ALL {
            assert_eq!(SearchBy::parse(by.as_str()), Some(by));
        }
    }
}

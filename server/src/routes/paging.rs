//! One way to page a list: `after` (the `next` of the previous page) and `limit` (1 to the
//! endpoint's `MAX`, 100 when absent), beside the endpoint's own filters `F`. A bad value
//! answers 400 before the handler runs; a full page carries the cursor of the next one.

use axum::extract::FromRequestParts;
use axum::http::Uri;
use axum::http::request::Parts;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use utoipa::IntoParams;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::{ObjectBuilder, Required, Type};

use crate::error::{ApiError, ApiResult};

/// The page size when the client names none.
pub(super) const DEFAULT_LIMIT: u32 = 100;

/// A list request: the page wanted and the endpoint's filters.
#[derive(Debug)]
pub(super) struct Paged<F, const MAX: u32> {
    /// The `next` of the previous page, as the client sent it.
    pub(super) after: Option<String>,
    pub(super) limit: u32,
    pub(super) filter: F,
}

/// An endpoint without filters: any other parameter is refused.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
pub(super) struct NoFilter {}

/// The paging parameters alone.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    // `before` is the audit log's older name for its cursor.
    #[serde(alias = "before")]
    after: Option<String>,
    limit: Option<String>,
}

/// Reads `query` (pairs as in a URL) as `T`, refusing what `T` does not take.
fn read<T: DeserializeOwned>(query: &str) -> ApiResult<T> {
    let uri: Uri = format!("/?{query}").parse().map_err(|_| {
        ApiError::BadRequest("строка запроса не разбирается / the query string is malformed".into())
    })?;
    Ok(axum::extract::Query::<T>::try_from_uri(&uri)?.0)
}

impl<S, F, const MAX: u32> FromRequestParts<S> for Paged<F, MAX>
where
    S: Send + Sync,
    F: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        // The paging pairs for us, the others for the endpoint's filter: each side refuses
        // names it does not know (serde's `flatten` would let unknown ones through).
        let (paging, filter): (Vec<&str>, Vec<&str>) = parts
            .uri
            .query()
            .unwrap_or("")
            .split('&')
            .filter(|pair| !pair.is_empty())
            .partition(|pair| matches!(pair.split('=').next(), Some("after" | "before" | "limit")));
        let raw: Raw = read(&paging.join("&"))?;
        let limit = match raw.limit.as_deref() {
            None => DEFAULT_LIMIT.min(MAX),
            Some(l) => l
                .parse::<u32>()
                .ok()
                .filter(|l| (1..=MAX).contains(l))
                .ok_or_else(|| {
                    ApiError::BadRequest(format!("limit — от 1 до {MAX} / limit is 1 to {MAX}"))
                })?,
        };
        Ok(Paged {
            after: raw.after,
            limit,
            filter: read(&filter.join("&"))?,
        })
    }
}

impl<F, const MAX: u32> Paged<F, MAX> {
    /// The cursor as the endpoint reads it; 400 naming `what` it should be otherwise.
    pub(super) fn cursor<T>(
        &self,
        what: &str,
        parse: impl FnOnce(&str) -> Option<T>,
    ) -> ApiResult<Option<T>> {
        self.after
            .as_deref()
            .map(|a| {
                parse(a).ok_or_else(|| {
                    ApiError::BadRequest(format!(
                        "after — не курсор этого списка / after is {what}"
                    ))
                })
            })
            .transpose()
    }

    /// The cursor of the next page: that of the last item when the page is full.
    pub(super) fn next<T, C>(&self, items: &[T], cursor: impl FnOnce(&T) -> C) -> Option<C> {
        if items.len() == self.limit as usize {
            items.last().map(cursor)
        } else {
            None
        }
    }
}

impl<F: IntoParams, const MAX: u32> IntoParams for Paged<F, MAX> {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let after = ParameterBuilder::new()
            .name("after")
            .parameter_in(ParameterIn::Query)
            .required(Required::False)
            .description(Some("The `next` of the previous page."))
            .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
            .build();
        let limit = ParameterBuilder::new()
            .name("limit")
            .parameter_in(ParameterIn::Query)
            .required(Required::False)
            .description(Some(format!(
                "Page size, 1 to {MAX} (default {DEFAULT_LIMIT})."
            )))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(1))
                    .maximum(Some(MAX)),
            ))
            .build();
        let mut params = F::into_params(|| Some(ParameterIn::Query));
        params.extend([after, limit]);
        params
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Request;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Filter {
        district: Option<String>,
    }

    async fn paged<F: DeserializeOwned + Send>(query: &str) -> ApiResult<Paged<F, 500>> {
        let (mut parts, ()) = Request::get(format!("/x?{query}"))
            .body(())
            .unwrap()
            .into_parts();
        Paged::from_request_parts(&mut parts, &()).await
    }

    #[tokio::test]
    async fn pages_and_filters() {
        let p = paged::<Filter>("after=K1&limit=7&district=Хамовники")
            .await
            .unwrap();
        assert_eq!((p.after.as_deref(), p.limit), (Some("K1"), 7));
        assert_eq!(p.filter.district.as_deref(), Some("Хамовники"));
        let p = paged::<NoFilter>("").await.unwrap();
        assert_eq!((p.after, p.limit), (None, DEFAULT_LIMIT));
        assert_eq!(
            paged::<NoFilter>("before=9")
                .await
                .unwrap()
                .after
                .as_deref(),
            Some("9")
        );
    }

    #[tokio::test]
    async fn bad_values_are_refused() {
        for q in [
            "limit=0",
            "limit=501",
            "limit=x",
            "limit=-1",
            "colour=red",
            "after=1&after=2",
        ] {
            let e = paged::<NoFilter>(q).await.unwrap_err();
            assert!(matches!(e, ApiError::BadRequest(_)), "{q}: {e:?}");
        }
        assert!(paged::<Filter>("district=A&colour=red").await.is_err());
        let e = paged::<Filter>("limit=501").await.unwrap_err();
        assert_eq!(e.to_string(), "limit — от 1 до 500 / limit is 1 to 500");
    }

    #[test]
    fn the_next_cursor_is_on_full_pages_only() {
        let p = Paged::<NoFilter, 500> {
            after: None,
            limit: 2,
            filter: NoFilter {},
        };
        assert_eq!(p.next(&[1, 2], |i| *i), Some(2));
        assert_eq!(p.next(&[1], |i| *i), None);
    }
}

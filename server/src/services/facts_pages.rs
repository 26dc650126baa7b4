//! The agency's objects with their risk facts, page by page, read by two readers at once (one
//! from the first object, one from the middle of id order), each reading its next page while
//! the caller works on this one: reading a million objects is most of scoring and planning,
//! and the reads run on the store's own threads, so both cores read. Pages come in no
//! particular order; callers that need one sort what they keep.

use knd_shared::{AgencyId, ObjectId};
use tokio::task::JoinHandle;
use uuid::Uuid;

use crate::error::{ApiError, ApiResult};
use crate::model::planning::{FactsWindow, ObjectFactsRow};
use crate::state::AppState;
use crate::store::StoreResult;

/// Objects per page.
const PAGE: u32 = 20_000;

type Read = JoinHandle<StoreResult<Vec<ObjectFactsRow>>>;

/// One reader: its read in flight and where it stops (the other's first object).
struct Stream {
    next: Option<Read>,
    until: Option<ObjectId>,
}

pub(crate) struct FactsPages {
    state: AppState,
    agency: AgencyId,
    window: FactsWindow,
    streams: Vec<Stream>,
    turn: usize,
    page: u32,
}

/// The id just before `id`: a page "after" it starts at `id`.
fn before(id: ObjectId) -> ObjectId {
    ObjectId::from(Uuid::from_u128(id.as_uuid().as_u128().saturating_sub(1)))
}

impl FactsPages {
    pub(crate) async fn new(
        state: &AppState,
        agency: AgencyId,
        window: FactsWindow,
    ) -> ApiResult<Self> {
        Self::with_page(state, agency, window, PAGE).await
    }

    /// Pages of `page` objects (tests take small ones).
    pub(crate) async fn with_page(
        state: &AppState,
        agency: AgencyId,
        window: FactsWindow,
        page: u32,
    ) -> ApiResult<Self> {
        let mut pages = Self {
            state: state.clone(),
            agency,
            window,
            streams: Vec::new(),
            turn: 0,
            page,
        };
        let middle = state.store.facts_midpoint(agency).await?;
        let first = Stream {
            next: Some(pages.read(None)),
            until: middle,
        };
        pages.streams.push(first);
        if let Some(m) = middle {
            let second = Stream {
                next: Some(pages.read(Some(before(m)))),
                until: None,
            };
            pages.streams.push(second);
        }
        Ok(pages)
    }

    fn read(&self, after: Option<ObjectId>) -> Read {
        let (store, agency, window, page) = (
            self.state.store.clone(),
            self.agency,
            self.window,
            self.page,
        );
        tokio::spawn(async move { store.facts_page(agency, after, page, window).await })
    }

    /// The next page of either reader; `None` after both have read their last.
    pub(crate) async fn next(&mut self) -> ApiResult<Option<Vec<ObjectFactsRow>>> {
        for _ in 0..self.streams.len() {
            let k = self.turn % self.streams.len();
            self.turn += 1;
            let Some(read) = self.streams[k].next.take() else {
                continue;
            };
            let mut rows = read
                .await
                .map_err(|e| ApiError::Internal(e.to_string()))??;
            let read_len = rows.len();
            if let Some(u) = self.streams[k].until {
                rows.retain(|r| r.object < u);
            }
            // A full page wholly before where this reader stops: there may be more.
            let full = read_len == self.page as usize && rows.len() == read_len;
            if let (true, Some(last)) = (full, rows.last()) {
                self.streams[k].next = Some(self.read(Some(last.object)));
            }
            if !rows.is_empty() {
                return Ok(Some(rows));
            }
        }
        Ok(None)
    }
}

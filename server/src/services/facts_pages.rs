//! The agency's objects with their risk facts, page by page in id order, the next page read
//! while the caller works on this one (the reads run on the store's own threads, so scoring or
//! planning a page overlaps reading the next on a second core).

use knd_shared::AgencyId;
use tokio::task::JoinHandle;

use crate::error::{ApiError, ApiResult};
use crate::model::planning::{FactsWindow, ObjectFactsRow};
use crate::state::AppState;
use crate::store::StoreResult;

/// Objects per page.
const PAGE: u32 = 20_000;

type Read = JoinHandle<StoreResult<Vec<ObjectFactsRow>>>;

pub(crate) struct FactsPages {
    state: AppState,
    agency: AgencyId,
    window: FactsWindow,
    next: Option<Read>,
}

impl FactsPages {
    pub(crate) fn new(state: &AppState, agency: AgencyId, window: FactsWindow) -> Self {
        let mut pages = Self {
            state: state.clone(),
            agency,
            window,
            next: None,
        };
        pages.next = Some(pages.read(None));
        pages
    }

    fn read(&self, after: Option<knd_shared::ObjectId>) -> Read {
        let (store, agency, window) = (self.state.store.clone(), self.agency, self.window);
        tokio::spawn(async move { store.facts_page(agency, after, PAGE, window).await })
    }

    /// The next page; `None` after the last.
    pub(crate) async fn next(&mut self) -> ApiResult<Option<Vec<ObjectFactsRow>>> {
        let Some(read) = self.next.take() else {
            return Ok(None);
        };
        let rows = read
            .await
            .map_err(|e| ApiError::Internal(e.to_string()))??;
        match rows.last() {
            Some(last) if rows.len() == PAGE as usize => {
                self.next = Some(self.read(Some(last.object)));
            }
            Some(_) => {}
            None => return Ok(None),
        }
        Ok(Some(rows))
    }
}

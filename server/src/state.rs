//! Shared application state handed to every handler.

use std::sync::{Arc, Mutex};

use knd_shared::note::NoteSigner;
use metrics_exporter_prometheus::PrometheusHandle;
use object_store::ObjectStore;

use crate::config::Config;
use crate::services::throttle::Throttle;
use crate::services::upload_files::UploadFiles;
use crate::store::{ServerChain, Store};

#[derive(Clone, Debug)]
pub struct AppState(pub Arc<Inner>);

pub struct Inner {
    pub store: Arc<dyn Store>,
    pub config: Config,
    /// The server's own chain: its device id and key (the log key).
    pub server: ServerChain,
    /// Signs checkpoints with the same key, named by the log origin.
    pub note_signer: NoteSigner,
    /// Which reverse proxies may name the client.
    pub proxies: crate::client::Proxies,
    pub throttle: Throttle,
    /// Failed enrollment codes, per address.
    pub enroll_throttle: Throttle,
    /// The last checkpoint note signed, by tree size.
    pub checkpoint: Mutex<Option<(u64, String)>>,
    pub metrics: PrometheusHandle,
    /// The production calendar: working days for inspection terms and legal deadlines, with the
    /// region's own non-working days when one is configured.
    pub calendar: knd_shared::calendar::Calendar,
    /// The agency's time zone: whose date "today" is (ГК ст.194).
    pub zone: knd_shared::calendar::zone::AgencyZone,
    /// Serialises projector runs.
    pub projector: tokio::sync::Mutex<()>,
    /// Wakes the projector when records were accepted.
    pub projector_wake: Arc<tokio::sync::Notify>,
    /// The bytes of blobs (photos), by SHA-256.
    pub blobs: Arc<dyn ObjectStore>,
    /// Unfinished uploads under `DATA_DIR/uploads`.
    pub uploads: UploadFiles,
}

impl Inner {
    /// The agency's local date now (ГК ст.194): "today" of every rule and period.
    pub fn today(&self) -> time::Date {
        self.zone.today()
    }

    /// The agency's time zone, as devices get it.
    pub fn time_zone_name(&self) -> &str {
        self.zone.name()
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("config", &self.config)
            .field("server_device", &self.server.identity.device)
            .finish_non_exhaustive()
    }
}

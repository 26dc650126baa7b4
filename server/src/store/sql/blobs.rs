//! Blobs (photos) and their uploaders: statements and row mapping.

use knd_shared::Sha256;

use super::Sql;
use crate::model::Blob;
use crate::store::StoreResult;
use crate::store::cols::Cols;

pub(crate) static BLOB: Sql = Sql::new("SELECT size, mime FROM blobs WHERE sha256 = ?1");

pub(crate) fn blob(sha256: &Sha256, r: &impl Cols) -> StoreResult<Blob> {
    Ok(Blob {
        sha256: *sha256,
        size: r.u64(0)?,
        mime: r.text(1)?,
    })
}

/// The first upload of an agency is the one kept: later ones add nothing it may read.
pub(crate) static INSERT_UPLOAD: Sql = Sql::new(
    "INSERT INTO blob_uploads (sha256, agency_id, device_id, at) VALUES (?1, ?2, ?3, ?4)
     ON CONFLICT (sha256, agency_id) DO NOTHING",
);

/// Two devices finishing the same photo at once both insert it: the bytes are the same.
pub(crate) static INSERT_BLOB: Sql = Sql::new(
    "INSERT INTO blobs (sha256, size, mime, stored_at) VALUES (?1, ?2, ?3, ?4)
     ON CONFLICT (sha256) DO NOTHING",
);

/// A business's first upload of a blob is the one kept, as for an agency.
pub(crate) static INSERT_BUSINESS_UPLOAD: Sql = Sql::new(
    "INSERT INTO business_uploads (sha256, subject_inn, api_key_id, at) VALUES (?1, ?2, ?3, ?4)
     ON CONFLICT (sha256, subject_inn) DO NOTHING",
);

/// An agency reads what its devices uploaded and what the filings it received carry (looked up
/// from the blob: SQLite keeps a CROSS JOIN's order, so a read never walks the agency's filings).
pub(crate) static VISIBLE: Sql = Sql::new(
    "SELECT EXISTS (SELECT 1 FROM blob_uploads WHERE sha256 = ?1 AND agency_id = ?2)
         OR EXISTS (SELECT 1 FROM filing_attachments a CROSS JOIN filings f
                    WHERE a.sha256 = ?1 AND f.id = a.filing_id AND f.agency_id = ?2)",
);

/// A business reads and attaches only what it uploaded itself.
pub(crate) static BUSINESS_VISIBLE: Sql = Sql::new(
    "SELECT EXISTS (SELECT 1 FROM business_uploads WHERE sha256 = ?1 AND subject_inn = ?2)",
);

/// A file a filing or one of its steps carries.
pub(crate) static INSERT_ATTACHMENT: Sql = Sql::new(
    "INSERT INTO filing_attachments (filing_id, sha256) VALUES (?1, ?2)
     ON CONFLICT (filing_id, sha256) DO NOTHING",
);

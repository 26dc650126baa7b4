//! Transparency-log maths: RFC 6962 / RFC 9162 Merkle trees (DESIGN.md section 6).
//!
//! Leaf hash = SHA-256(0x00 ‖ leaf input), node hash = SHA-256(0x01 ‖ left ‖ right); the leaf
//! inputs of the KND log are the 32 raw bytes of record hashes, in acceptance order.
//!
//! The algorithms come from the `tlog_tiles` crate (Cloudflare's port of Go's
//! `golang.org/x/mod/sumdb/tlog`, the code behind the Go checksum database). Its storage model fits
//! a database: every completed subtree's hash is kept once, at a fixed "stored hash index", so a
//! root or a proof for a tree of millions of leaves reads O(log n) hashes and never the whole
//! tree. [`HashStore`] is the small trait a store implements (a `Vec` in [`MemoryLog`], a table
//! on the server); appending leaf `n` writes the hashes [`stored_hashes_for_leaf`] returns at
//! `stored_hash_index(0, n)` onwards.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::fmt;

use tlog_tiles::tlog;

use crate::keys::Sha256;

/// Why a log operation or a proof check failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LogError {
    #[error("proof does not verify")]
    InvalidProof,
    #[error("invalid request: {0}")]
    InvalidInput(String),
    #[error("hash store: {0}")]
    Store(String),
}

/// The largest tree this module works with: 2^62 leaves. The stored-hash arithmetic of larger trees
/// overflows 64 bits, and a size comes from requests (`?size=N`), so it is checked, not trusted.
pub const MAX_TREE_SIZE: u64 = 1 << 62;

fn check_size(size: u64) -> Result<(), LogError> {
    if size > MAX_TREE_SIZE {
        Err(LogError::InvalidInput(format!(
            "a tree of {size} leaves is beyond the supported {MAX_TREE_SIZE}"
        )))
    } else {
        Ok(())
    }
}

/// Reads stored hashes by their stored-hash index (see the module documentation).
pub trait HashStore {
    /// Returns the hashes at `indexes`, in the same order. Must return exactly one hash per index
    /// or an error.
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Sha256>, LogError>;
}

/// The RFC 6962 leaf hash of a leaf input.
pub fn leaf_hash(leaf_input: &[u8]) -> Sha256 {
    Sha256::from_bytes(tlog::record_hash(leaf_input).0)
}

/// The RFC 6962 interior node hash.
pub fn node_hash(left: &Sha256, right: &Sha256) -> Sha256 {
    Sha256::from_bytes(tlog::node_hash(to_tlog(left), to_tlog(right)).0)
}

/// The root of the empty tree: SHA-256 of the empty string.
pub fn empty_root() -> Sha256 {
    Sha256::from_bytes(tlog::EMPTY_HASH.0)
}

/// The position of the hash of the subtree at `level` covering leaves `[n·2^level, (n+1)·2^level)`.
pub fn stored_hash_index(level: u8, n: u64) -> u64 {
    tlog::stored_hash_index(level, n)
}

/// How many stored hashes a tree of `size` leaves has.
pub fn stored_hash_count(size: u64) -> u64 {
    tlog::stored_hash_count(size)
}

/// The hashes to store when appending leaf number `n` (0-based) with `leaf_hash`: the leaf hash
/// and the hashes of the subtrees it completes. Reads at most log2(n) earlier hashes.
pub fn stored_hashes_for_leaf(
    n: u64,
    leaf_hash: &Sha256,
    store: &impl HashStore,
) -> Result<Vec<Sha256>, LogError> {
    check_size(n.saturating_add(1))?;
    with_reader(store, |r| {
        tlog::stored_hashes_for_record_hash(n, to_tlog(leaf_hash), r)
    })
    .map(|hs| hs.into_iter().map(|h| Sha256::from_bytes(h.0)).collect())
}

/// The root hash of the tree of the first `size` leaves.
pub fn tree_root(size: u64, store: &impl HashStore) -> Result<Sha256, LogError> {
    check_size(size)?;
    with_reader(store, |r| tlog::tree_hash(size, r)).map(|h| Sha256::from_bytes(h.0))
}

/// The inclusion proof (RFC 9162 §2.1.3) of leaf `index` in the tree of `size` leaves.
pub fn inclusion_proof(
    index: u64,
    size: u64,
    store: &impl HashStore,
) -> Result<Vec<Sha256>, LogError> {
    check_size(size)?;
    if index >= size {
        return Err(LogError::InvalidInput(format!(
            "leaf {index} is not in a tree of {size}"
        )));
    }
    with_reader(store, |r| tlog::prove_record(size, index, r)).map(from_tlog_vec)
}

/// The consistency proof (RFC 9162 §2.1.4) that the tree of `old_size` leaves is a prefix of the
/// tree of `new_size` leaves. Empty when the sizes are equal or the old tree is empty.
pub fn consistency_proof(
    old_size: u64,
    new_size: u64,
    store: &impl HashStore,
) -> Result<Vec<Sha256>, LogError> {
    check_size(new_size)?;
    if old_size > new_size {
        return Err(LogError::InvalidInput(format!(
            "tree of {old_size} cannot be a prefix of a tree of {new_size}"
        )));
    }
    if old_size == 0 {
        return Ok(Vec::new());
    }
    with_reader(store, |r| tlog::prove_tree(new_size, old_size, r)).map(from_tlog_vec)
}

/// Checks that `leaf_hash` is leaf `index` of the tree of `size` leaves whose root is `root`.
pub fn verify_inclusion(
    leaf_hash: &Sha256,
    index: u64,
    size: u64,
    proof: &[Sha256],
    root: &Sha256,
) -> Result<(), LogError> {
    check_size(size)?;
    if index >= size {
        return Err(LogError::InvalidInput(format!(
            "leaf {index} is not in a tree of {size}"
        )));
    }
    // A valid proof is never longer than the tree is high; refuse early rather than recurse.
    if proof.len() > 64 {
        return Err(LogError::InvalidProof);
    }
    let proof = to_tlog_vec(proof);
    tlog::check_record(&proof, size, to_tlog(root), index, to_tlog(leaf_hash))
        .map_err(map_check_error)
}

/// Checks that the tree of `old_size` leaves with root `old_root` is a prefix of the tree of
/// `new_size` leaves with root `new_root`.
pub fn verify_consistency(
    old_size: u64,
    new_size: u64,
    old_root: &Sha256,
    new_root: &Sha256,
    proof: &[Sha256],
) -> Result<(), LogError> {
    check_size(new_size)?;
    if old_size > new_size {
        return Err(LogError::InvalidInput(format!(
            "tree of {old_size} cannot be a prefix of a tree of {new_size}"
        )));
    }
    if old_size == 0 {
        // Every tree extends the empty one; there is nothing to prove.
        return if proof.is_empty() && *old_root == empty_root() {
            Ok(())
        } else {
            Err(LogError::InvalidProof)
        };
    }
    if proof.len() > 128 {
        return Err(LogError::InvalidProof);
    }
    let proof = to_tlog_vec(proof);
    tlog::check_tree(
        &proof,
        new_size,
        to_tlog(new_root),
        old_size,
        to_tlog(old_root),
    )
    .map_err(map_check_error)
}

/// The stored-hash indexes an operation will read, for stores that cannot answer synchronously
/// (an async database client): collect them with this, fetch them, then run the operation again
/// over the fetched hashes (e.g. a `BTreeMap<u64, Sha256>`). Which indexes an operation reads
/// depends only on the sizes and positions, never on the hash values, so the two runs agree.
///
/// ```
/// # use knd_shared::log::{self, MemoryLog, HashStore};
/// # let mut tree = MemoryLog::new();
/// # for i in 0u8..10 { tree.append(&[i]); }
/// let needed = log::indexes_read_by(|store| log::inclusion_proof(3, 10, store));
/// let fetched: std::collections::BTreeMap<_, _> =
///     needed.iter().zip(tree.read_hashes(&needed).unwrap()).map(|(i, h)| (*i, h)).collect();
/// assert_eq!(log::inclusion_proof(3, 10, &fetched), log::inclusion_proof(3, 10, &tree));
/// ```
pub fn indexes_read_by<T>(op: impl FnOnce(&IndexRecorder) -> Result<T, LogError>) -> Vec<u64> {
    let recorder = IndexRecorder(RefCell::new(Vec::new()));
    // The operation's result over placeholder hashes is meaningless; only the reads matter.
    let _ = op(&recorder);
    let mut indexes = recorder.0.into_inner();
    indexes.sort_unstable();
    indexes.dedup();
    indexes
}

/// A [`HashStore`] that answers every read with a placeholder and remembers the indexes asked
/// for; see [`indexes_read_by`].
#[derive(Debug)]
pub struct IndexRecorder(RefCell<Vec<u64>>);

impl HashStore for IndexRecorder {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Sha256>, LogError> {
        self.0.borrow_mut().extend_from_slice(indexes);
        Ok(vec![Sha256::ZERO; indexes.len()])
    }
}

impl HashStore for BTreeMap<u64, Sha256> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Sha256>, LogError> {
        indexes
            .iter()
            .map(|i| {
                self.get(i)
                    .copied()
                    .ok_or_else(|| LogError::Store(format!("no stored hash {i}")))
            })
            .collect()
    }
}

/// An in-memory log: the stored hashes in a `Vec`. For tests, tools and benchmarks; the server
/// keeps the same hashes in its database.
#[derive(Clone, Default)]
pub struct MemoryLog {
    hashes: Vec<Sha256>,
    size: u64,
}

impl MemoryLog {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a leaf input; returns its index.
    pub fn append(&mut self, leaf_input: &[u8]) -> u64 {
        self.append_leaf_hash(&leaf_hash(leaf_input))
    }

    /// Appends an already hashed leaf; returns its index.
    pub fn append_leaf_hash(&mut self, leaf_hash: &Sha256) -> u64 {
        let n = self.size;
        // Reading from our own Vec cannot fail: the indexes asked for are all below n's.
        let new = stored_hashes_for_leaf(n, leaf_hash, self).unwrap_or_default();
        debug_assert_eq!(self.hashes.len() as u64, stored_hash_index(0, n));
        self.hashes.extend(new);
        self.size += 1;
        n
    }

    /// Number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Root of the tree of the first `size` leaves.
    pub fn root_at(&self, size: u64) -> Result<Sha256, LogError> {
        if size > self.size {
            return Err(LogError::InvalidInput(format!(
                "the log has {} leaves, not {size}",
                self.size
            )));
        }
        tree_root(size, self)
    }

    /// Root of the whole tree.
    pub fn root(&self) -> Sha256 {
        tree_root(self.size, self).unwrap_or_else(|_| empty_root())
    }
}

impl HashStore for MemoryLog {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<Sha256>, LogError> {
        indexes
            .iter()
            .map(|&i| {
                usize::try_from(i)
                    .ok()
                    .and_then(|i| self.hashes.get(i))
                    .copied()
                    .ok_or_else(|| LogError::Store(format!("no stored hash {i}")))
            })
            .collect()
    }
}

impl fmt::Debug for MemoryLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MemoryLog(size {}, root {})", self.size, self.root())
    }
}

/// Adapts a [`HashStore`] to tlog's reader, keeping the store's own error.
struct Reader<'a, S> {
    store: &'a S,
    error: RefCell<Option<LogError>>,
}

impl<S: HashStore> tlog::HashReader for Reader<'_, S> {
    fn read_hashes(&self, indexes: &[u64]) -> Result<Vec<tlog::Hash>, tlog::Error> {
        match self.store.read_hashes(indexes) {
            Ok(hs) if hs.len() == indexes.len() => Ok(to_tlog_vec(&hs)),
            Ok(hs) => {
                *self.error.borrow_mut() = Some(LogError::Store(format!(
                    "asked for {} hashes, got {}",
                    indexes.len(),
                    hs.len()
                )));
                Err(tlog::Error::IndexesNotInTree)
            }
            Err(e) => {
                *self.error.borrow_mut() = Some(e);
                Err(tlog::Error::IndexesNotInTree)
            }
        }
    }
}

fn with_reader<S: HashStore, T>(
    store: &S,
    f: impl FnOnce(&Reader<'_, S>) -> Result<T, tlog::Error>,
) -> Result<T, LogError> {
    let reader = Reader {
        store,
        error: RefCell::new(None),
    };
    f(&reader).map_err(|e| {
        reader
            .error
            .take()
            .unwrap_or_else(|| LogError::InvalidInput(e.to_string()))
    })
}

fn map_check_error(e: tlog::Error) -> LogError {
    match e {
        tlog::Error::InvalidInput(msg) => LogError::InvalidInput(msg),
        _ => LogError::InvalidProof,
    }
}

fn to_tlog(h: &Sha256) -> tlog::Hash {
    tlog::Hash(*h.as_bytes())
}

fn to_tlog_vec(hs: &[Sha256]) -> Vec<tlog::Hash> {
    hs.iter().map(to_tlog).collect()
}

fn from_tlog_vec(hs: Vec<tlog::Hash>) -> Vec<Sha256> {
    hs.into_iter().map(|h| Sha256::from_bytes(h.0)).collect()
}

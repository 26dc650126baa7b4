//! The server's signing key: it signs the log checkpoints, the receipts and the server's own chain
//! of records. Kept in `DATA_DIR/server.key` (hex seed), created on first start, owner-only.

use std::io::Write as _;
use std::path::Path;

use anyhow::{Context as _, bail};
use knd_shared::DeviceKey;

const KEY_FILE: &str = "server.key";

/// Loads the key, creating the data directory and the key on first start.
pub fn load_or_create(data_dir: &Path) -> anyhow::Result<DeviceKey> {
    create_private_dir(data_dir)?;
    let path = data_dir.join(KEY_FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let mut seed = [0u8; 32];
            hex::decode_to_slice(text.trim(), &mut seed)
                .with_context(|| format!("{} does not hold a 32-byte hex key", path.display()))?;
            Ok(DeviceKey::from_seed(&seed))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = DeviceKey::generate();
            let mut file = open_new_private(&path)?;
            writeln!(file, "{}", hex::encode(key.seed()))
                .and_then(|()| file.sync_all())
                .with_context(|| format!("cannot write {}", path.display()))?;
            tracing::info!(path = %path.display(), "created the server signing key");
            Ok(key)
        }
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// The data directory holds the database, the blobs and the key: owner-only, like the key file.
#[cfg(unix)]
fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
    if dir.is_dir() {
        let mode = std::fs::metadata(dir)?.permissions().mode();
        if mode & 0o077 != 0 {
            tracing::warn!(dir = %dir.display(), mode = format!("{:o}", mode & 0o777), "restricting the data directory to its owner");
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                .with_context(|| format!("cannot chmod 700 {}", dir.display()))?;
        }
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("cannot create {}", dir.display()))
}

#[cfg(unix)]
fn open_new_private(path: &Path) -> anyhow::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))
}

#[cfg(not(unix))]
fn open_new_private(path: &Path) -> anyhow::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .with_context(|| format!("cannot create {}", path.display()))
}

/// Refuses to run with a key file readable by others.
#[cfg(unix)]
pub fn check_permissions(data_dir: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    let path = data_dir.join(KEY_FILE);
    let mode = std::fs::metadata(&path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        bail!(
            "{} is accessible by other users (mode {:o}); chmod 600 it",
            path.display(),
            mode & 0o777
        );
    }
    Ok(())
}

#[cfg(not(unix))]
pub fn check_permissions(_: &Path) -> anyhow::Result<()> {
    Ok(())
}

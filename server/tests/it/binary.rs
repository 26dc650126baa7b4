//! The `knd-server` binary's operator commands, run as processes.

use std::io::Write as _;
use std::process::{Command, Stdio};

fn server(dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_knd-server"));
    c.env("KND__DATA_DIR", dir)
        .env("KND_LOG", "warn")
        .env_remove("KND__DATABASE_URL");
    c
}

#[test]
fn migrate_and_bootstrap_from_the_command_line() {
    let dir = tempfile::TempDir::new().unwrap();
    let out = server(dir.path()).arg("migrate").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "migrations applied\n"
    );
    assert!(dir.path().join("knd.sqlite3").exists());

    let out = server(dir.path())
        .args(["admin", "create-agency", "Управление"])
        .output()
        .unwrap();
    let line = String::from_utf8(out.stdout).unwrap();
    let agency = line
        .trim()
        .strip_prefix("agency created: ")
        .unwrap()
        .to_owned();

    // The password comes from stdin.
    let mut child = server(dir.path())
        .args([
            "admin",
            "create-user",
            "--agency",
            &agency,
            "--login",
            "petrov",
            "--role",
            "inspector",
            "--json",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a long password\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let user: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(user["login"], "petrov");
    assert_eq!(user["role"], "inspector");

    let out = server(dir.path())
        .args(["admin", "enrollment-code", "--user", "petrov", "--json"])
        .output()
        .unwrap();
    let code: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(code["code"].as_str().unwrap().len(), 14);

    // Mistakes are one clear line and a failure status.
    for (args, message) in [
        (
            vec![
                "admin",
                "create-user",
                "--agency",
                &agency,
                "--login",
                "x1",
                "--role",
                "king",
            ],
            "--role",
        ),
        (
            vec![
                "admin",
                "create-user",
                "--agency",
                "nope",
                "--login",
                "x1",
                "--role",
                "admin",
            ],
            "--agency",
        ),
        (
            vec!["admin", "enrollment-code", "--user", "nobody"],
            "no user with login",
        ),
        (vec!["admin", "issue-api-key", "--subject", "123"], "inn"),
    ] {
        let out = server(dir.path())
            .args(&args)
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert!(!out.status.success(), "{args:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
    // The key file is the owner's only.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.path().join("server.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let mode = std::fs::metadata(dir.path()).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0);
    }
}

#[test]
fn an_unknown_database_scheme_is_a_clear_start_up_error() {
    let dir = tempfile::TempDir::new().unwrap();
    let out = server(dir.path())
        .arg("migrate")
        .env("KND__DATABASE_URL", "mysql://localhost/knd")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("unsupported database url"), "{stderr}");
}

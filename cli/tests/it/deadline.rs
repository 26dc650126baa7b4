use predicates::prelude::*;

use crate::knd;

#[track_caller]
fn check(args: &[&str], expected: &str) {
    knd()
        .arg("deadline")
        .args(args)
        .assert()
        .success()
        .stdout(format!("{expected}\n"));
}

#[test]
fn deadlines() {
    check(&["2025-12-30", "--working-days", "1"], "2026-01-12");
    check(&["2026-04-30", "--working-days", "10"], "2026-05-18");
    check(&["2025-10-31", "--working-days", "1"], "2025-11-01");
    check(&["2025-04-01", "--calendar-days", "30"], "2025-05-05");
    check(&["2025-12-20", "--calendar-days", "15"], "2026-01-12");
    // 2027 as decreed (ПП 1187): across the New Year, and the working Saturday 20 February.
    check(&["2026-12-30", "--working-days", "1"], "2027-01-11");
    check(&["2026-12-25", "--working-days", "10"], "2027-01-19");
    check(&["2027-02-19", "--working-days", "1"], "2027-02-20");
    check(&["2027-02-12", "--calendar-days", "10"], "2027-02-24");
}

/// 2028 as ТК ст.112 alone gives it, before its decree: provisional.
const PROVISIONAL_2028: &str = r#"{
  "year": 2028,
  "source": "ТК РФ ст.112 без постановления о переносе (пример для теста)",
  "provisional": true,
  "holidays": ["2028-01-01", "2028-01-02", "2028-01-03", "2028-01-04", "2028-01-05", "2028-01-06",
    "2028-01-07", "2028-01-08", "2028-02-23", "2028-03-08", "2028-05-01", "2028-05-09",
    "2028-06-12", "2028-11-04"],
  "days_off": ["2028-01-03", "2028-01-04", "2028-01-05", "2028-01-06", "2028-01-07", "2028-02-23",
    "2028-03-08", "2028-05-01", "2028-05-09", "2028-06-12", "2028-11-06"],
  "working_weekends": [],
  "working_days": 249
}"#;

#[test]
fn provisional_years_need_consent_and_warn() {
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("2028.json");
    std::fs::write(&path, PROVISIONAL_2028).unwrap();
    knd()
        .args(["deadline", "2027-12-30", "--working-days", "1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no data for 2028"));
    knd()
        .args([
            "deadline",
            "2027-12-30",
            "--working-days",
            "1",
            "--calendar",
        ])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("2028 is provisional"));
    knd()
        .args([
            "deadline",
            "2027-12-30",
            "--working-days",
            "1",
            "--allow-provisional",
            "--calendar",
        ])
        .arg(&path)
        .assert()
        .success()
        .stdout("2028-01-10\n")
        .stderr(predicate::str::contains("warning: 2028 is provisional"));
}

#[test]
fn a_calendar_file_replaces_a_year() {
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("2027.json");
    let mut doc: serde_json::Value =
        serde_json::from_str(include_str!("../../../shared/src/calendar/years/2027.json")).unwrap();
    // A decree that left 31 December 2027 worked.
    doc["source"] = "a decree for the test".into();
    doc["days_off"]
        .as_array_mut()
        .unwrap()
        .retain(|d| d != "2027-12-31");
    doc["working_days"] = 248.into();
    std::fs::write(&path, doc.to_string()).unwrap();
    knd()
        .args([
            "deadline",
            "2027-12-30",
            "--working-days",
            "1",
            "--calendar",
        ])
        .arg(&path)
        .assert()
        .success()
        .stdout("2027-12-31\n")
        .stderr("");
    knd()
        .args(["calendar", "--calendar"])
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "2027 248 working days: a decree for the test",
        ));
    std::fs::write(&path, "{\"year\": 2027}").unwrap();
    knd()
        .args([
            "deadline",
            "2027-11-03",
            "--working-days",
            "1",
            "--calendar",
        ])
        .arg(&path)
        .assert()
        .code(2)
        .stderr(predicate::str::starts_with("error: calendar file"));
}

#[test]
fn bad_input_exits_2() {
    for args in [
        vec!["2022-12-30", "--working-days", "1"],
        vec!["2026-02-30", "--working-days", "1"],
        vec!["yesterday", "--calendar-days", "1"],
        vec!["2026-03-02", "--working-days", "0"],
    ] {
        let out = knd().arg("deadline").args(&args).assert().code(2);
        let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
    // Usage errors (clap) also exit 2, on one line.
    for args in [
        vec!["deadline", "2026-03-02"],
        vec![
            "deadline",
            "2026-03-02",
            "--working-days",
            "1",
            "--calendar-days",
            "1",
        ],
        vec!["verify", "record", "x.json"],
        vec!["verify", "frobnicate"],
    ] {
        let out = knd().args(&args).assert().code(2);
        let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
        assert!(stderr.starts_with("error: "), "{args:?}: {stderr}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
    }
    knd()
        .args(["deadline", "2026-03-02", "--working-days", "-1"])
        .assert()
        .code(2);
}

#[test]
fn calendar_lists_sources() {
    knd()
        .arg("calendar")
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "2025 247 working days: Постановление Правительства РФ от 04.10.2024 № 1335",
        ))
        .stdout(predicate::str::contains(
            "2027 247 working days: Постановление Правительства РФ от 17.09.2026 № 1187",
        ))
        .stdout(predicate::str::contains("provisional").not());
}

#[test]
fn help_is_real() {
    knd()
        .args(["verify", "chain", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("invalid at seq N"));
    knd()
        .args(["deadline", "--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("ГК ст.193"));
}

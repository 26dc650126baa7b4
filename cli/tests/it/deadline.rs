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

#[test]
fn months_and_years() {
    // ГК ст.192: no 31 February, so Saturday 28 February 2026, then Monday 2 March (ст.193).
    check(&["2026-01-31", "--months", "1"], "2026-03-02");
    check(&["2024-01-31", "--months", "1"], "2024-02-29");
    check(&["2026-01-15", "--months", "1"], "2026-02-16");
    // 31 December 2026 is a day off: past the New Year holidays.
    check(&["2026-10-31", "--months", "2"], "2027-01-11");
    check(&["2025-12-31", "--years", "1"], "2027-01-11");
    check(&["2024-02-29", "--years", "1"], "2025-02-28");
    check(&["2026-11-04", "--years", "1"], "2027-11-08");
    knd()
        .args(["deadline", "2027-03-01", "--years", "1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no data for 2028"));
}

#[test]
fn regions() {
    // Ураза-байрам, Friday 20 March 2026, is off in Tatarstan and Bashkortostan.
    check(&["2026-03-19", "--working-days", "1"], "2026-03-20");
    check(
        &["2026-03-19", "--working-days", "1", "--region", "tatarstan"],
        "2026-03-23",
    );
    check(
        &[
            "2026-03-19",
            "--working-days",
            "1",
            "--region",
            "bashkortostan",
        ],
        "2026-03-23",
    );
    check(
        &["2026-11-03", "--working-days", "3", "--region", "tatarstan"],
        "2026-11-10",
    );
    check(
        &[
            "2026-05-17",
            "--calendar-days",
            "10",
            "--region",
            "tatarstan",
        ],
        "2026-05-28",
    );
    check(
        &["2026-02-20", "--months", "1", "--region", "tatarstan"],
        "2026-03-23",
    );
    // Bashkortostan moves Курбан-байрам of Sunday 16 May 2027 to Monday 17 May.
    check(
        &[
            "2027-05-14",
            "--working-days",
            "1",
            "--region",
            "bashkortostan",
        ],
        "2027-05-18",
    );
    // Tatarstan 2027 has only its fixed days: provisional.
    knd()
        .args([
            "deadline",
            "2026-12-30",
            "--working-days",
            "1",
            "--region",
            "tatarstan",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "the region tatarstan for 2027 is provisional",
        ));
    knd()
        .args([
            "deadline",
            "2026-12-30",
            "--working-days",
            "1",
            "--region",
            "tatarstan",
            "--allow-provisional",
        ])
        .assert()
        .success()
        .stdout("2027-01-11\n")
        .stderr("warning: 2027 is provisional for the region tatarstan: its regional days off are not all in the data, so this date may move\n");
    let out = knd()
        .args([
            "deadline",
            "2026-03-19",
            "--working-days",
            "1",
            "--region",
            "moscow",
        ])
        .assert()
        .code(2);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert_eq!(
        stderr,
        "error: unknown region \"moscow\"; the regions known are: bashkortostan, tatarstan\n"
    );
}

#[test]
fn calendar_lists_regions_and_their_days() {
    knd()
        .arg("calendar")
        .assert()
        .success()
        .stdout(predicate::str::contains("regions (--region CODE):\n"))
        .stdout(predicate::str::contains(
            "bashkortostan Республика Башкортостан [2023, 2024, 2025, 2026, 2027]: Закон Республики Башкортостан от 27.02.1992 № ВС-10/21",
        ))
        .stdout(predicate::str::contains(
            "tatarstan Республика Татарстан [2023, 2024, 2025, 2026, 2027 provisional]: Закон Республики Татарстан от 19.02.1992 № 1448-XII",
        ));
    knd()
        .args(["calendar", "--region", "bashkortostan"])
        .assert()
        .success()
        .stdout(predicate::str::starts_with(
            "bashkortostan Республика Башкортостан: Закон Республики Башкортостан",
        ))
        .stdout(predicate::str::contains(
            "  2027-05-17 Курбан-байрам (перенос с воскресенья 16 мая): ст.1 Закона Республики Башкортостан от 27.02.1992 № ВС-10/21; Постановление Правительства Республики Башкортостан от 16.06.2026 № 205\n",
        ))
        .stdout(predicate::str::contains("  2023-10-11 День Республики: "))
        .stdout(predicate::str::contains("working days").not());
    knd()
        .args(["calendar", "--region", "tatarstan"])
        .assert()
        .success()
        .stdout(predicate::str::contains("2027 (provisional): "))
        .stdout(predicate::str::contains(
            "  2026-03-20 Ураза-байрам: Закон Республики Татарстан от 19.02.1992 № 1448-XII\n",
        ));
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
        vec!["2026-03-02", "--months", "0"],
        vec!["2026-03-02", "--years", "0"],
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
        vec!["deadline", "2026-03-02", "--months", "1", "--years", "1"],
        vec!["deadline", "2026-03-02", "--region", "tatarstan"],
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
        .stdout(predicate::str::contains("working days (provisional)").not());
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
        .stdout(predicate::str::contains("ГК ст.193"))
        .stdout(predicate::str::contains("ГК ст.192"))
        .stdout(predicate::str::contains("--region <CODE>"));
}

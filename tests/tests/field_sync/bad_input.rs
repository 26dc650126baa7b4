//! Bad input to the app's commands is refused with a clear kind and changes nothing: no record
//! signed, no file written.

use knd_inspector_core::app::views::{FindingResultView, MeasureInput, WarningRequirementInput};
use knd_inspector_core::app::{AppError, ErrorKind};

use crate::common::{World, b64, chain_len, config, enrolled_app, photo};

fn photo_files(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir.join("photos"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn req(requirement: &str) -> WarningRequirementInput {
    WarningRequirementInput {
        requirement: requirement.into(),
        legal_act: "Постановление Правительства РФ от 16.09.2020 № 1479".into(),
        unit: "п. 60".into(),
    }
}

fn measure(by: &str) -> Vec<MeasureInput> {
    vec![MeasureInput {
        what: "Перезарядить огнетушители".into(),
        by: Some(by.into()),
    }]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_and_changes_nothing() {
    let w = World::new().await;
    let (app, dir) = enrolled_app(&w, &w.url(""), config()).await;
    app.sync_now().await.unwrap();
    let id = w.inspection.clone();
    app.start_inspection(&id).unwrap();
    let good = app
        .add_photo(
            &id,
            &b64(&photo("Canon_40D.jpg")),
            None,
            knd_inspector_core::app::all_photo_warnings(),
        )
        .unwrap()
        .added
        .unwrap();
    let chain = chain_len(&dir);
    let files = photo_files(dir.path());
    let pending = app.sync_status().unwrap().pending;

    let check = |what: &str, result: Result<(), AppError>, kind: ErrorKind| {
        let e = result.expect_err(what);
        assert_eq!(e.kind, kind, "{what}: {e:?}");
        assert!(!e.message.is_empty(), "{what}");
        assert_eq!(chain_len(&dir), chain, "{what} signed a record");
        assert_eq!(photo_files(dir.path()), files, "{what} left a file");
    };

    let mut truncated = photo("DSCN0010.jpg");
    truncated.truncate(4096);
    for (what, bytes) in [
        ("a text file", b"Not a photo at all, just text.\n".to_vec()),
        ("testdata's README.md", photo("README.md")),
        ("a JPEG cut after its header", truncated),
        ("nothing", Vec::new()),
    ] {
        check(
            &format!("add_photo: {what}"),
            app.add_photo(
                &id,
                &b64(&bytes),
                None,
                knd_inspector_core::app::all_photo_warnings(),
            )
            .map(drop),
            ErrorKind::PhotoRefused,
        );
    }
    // A JPEG cut short decodes only in part: nothing is recorded until the inspector has seen
    // that it is damaged.
    let mut cut_short = photo("DSCN0010.jpg");
    cut_short.truncate(cut_short.len() * 2 / 3);
    let cut = app.add_photo(&id, &b64(&cut_short), None, vec![]).unwrap();
    assert!(cut.added.is_none(), "a damaged photo was recorded unasked");
    assert_eq!(cut.warnings[0].kind, "damaged");
    assert_eq!(chain_len(&dir), chain, "the damaged photo signed a record");
    assert_eq!(
        photo_files(dir.path()),
        files,
        "the damaged photo left a file"
    );
    check(
        "add_photo: not base64",
        app.add_photo(
            &id,
            "@@@ not base64 @@@",
            None,
            knd_inspector_core::app::all_photo_warnings(),
        )
        .map(drop),
        ErrorKind::InvalidInput,
    );
    check(
        "add_photo: the same photo again",
        app.add_photo(
            &id,
            &b64(&photo("Canon_40D.jpg")),
            None,
            knd_inspector_core::app::all_photo_warnings(),
        )
        .map(drop),
        ErrorKind::InvalidInput,
    );
    check(
        "finding: unknown item",
        app.record_finding(
            &id,
            "99",
            FindingResultView::Compliant,
            None,
            vec![],
            None,
            None,
        )
        .map(drop),
        ErrorKind::InvalidInput,
    );
    check(
        "finding: a photo not added",
        app.record_finding(
            &id,
            "1",
            FindingResultView::Violation,
            None,
            vec!["ab".repeat(32)],
            None,
            None,
        )
        .map(drop),
        ErrorKind::InvalidInput,
    );
    check(
        "finding: unknown inspection",
        app.record_finding(
            "0192f39e-1111-7000-8000-000000000001",
            "1",
            FindingResultView::Compliant,
            None,
            vec![],
            None,
            None,
        )
        .map(drop),
        ErrorKind::NotFound,
    );
    check(
        "warning: no requirements",
        app.issue_warning(&id, vec![], "Предостережение", measure("2027-03-01"))
            .map(drop),
        ErrorKind::InvalidInput,
    );
    check(
        "warning: blank requirements",
        app.issue_warning(
            &id,
            vec![req("  ")],
            "Предостережение",
            measure("2027-03-01"),
        )
        .map(drop),
        ErrorKind::InvalidInput,
    );
    check(
        "warning: a past measure date",
        app.issue_warning(
            &id,
            vec![req("R1")],
            "Предостережение",
            measure("2020-01-15"),
        )
        .map(drop),
        ErrorKind::InvalidInput,
    );
    check(
        "warning: a date not in ISO form",
        app.issue_warning(
            &id,
            vec![req("R1")],
            "Предостережение",
            measure("01.03.2027"),
        )
        .map(drop),
        ErrorKind::InvalidInput,
    );
    check(
        "warning: no text",
        app.issue_warning(&id, vec![req("R1")], "   ", measure("2027-03-01"))
            .map(drop),
        ErrorKind::InvalidInput,
    );
    // A correction without a reason, after a real answer.
    let f = app
        .record_finding(
            &id,
            "1",
            FindingResultView::Compliant,
            None,
            vec![],
            None,
            None,
        )
        .unwrap();
    let chain = chain_len(&dir);
    let e = app
        .record_finding(
            &id,
            "1",
            FindingResultView::Violation,
            None,
            vec![good.sha256.clone()],
            Some(f.id.clone()),
            Some("   ".into()),
        )
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput, "{e:?}");
    let e = app
        .record_finding(
            &id,
            "1",
            FindingResultView::Violation,
            None,
            vec![],
            None,
            None,
        )
        .unwrap_err();
    assert_eq!(
        e.kind,
        ErrorKind::InvalidInput,
        "a second answer without supersedes: {e:?}"
    );
    assert_eq!(chain_len(&dir), chain);
    assert_eq!(app.sync_status().unwrap().pending, pending + 1);
    let screen = app.inspection(&id).unwrap();
    assert_eq!(screen.photos.len(), 1);
    assert_eq!(screen.warnings.len(), 0);
}

/// A photo already added to another inspection (the store keys photos by SHA-256) is refused,
/// and the `inspection_started` it would have signed first is refused with it: both are made in
/// one transaction.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_photo_does_not_start_the_inspection() {
    let w = World::new().await;
    let other = w.another_inspection().await;
    let (app, dir) = enrolled_app(&w, &w.url(""), config()).await;
    app.sync_now().await.unwrap();
    assert_eq!(app.assignments().unwrap().len(), 2);
    let bytes = photo("Canon_40D.jpg");
    app.add_photo(
        &w.inspection,
        &b64(&bytes),
        None,
        knd_inspector_core::app::all_photo_warnings(),
    )
    .unwrap();
    let chain = chain_len(&dir);

    let e = app
        .add_photo(
            &other,
            &b64(&bytes),
            None,
            knd_inspector_core::app::all_photo_warnings(),
        )
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::InvalidInput, "{e:?}");
    assert_eq!(chain_len(&dir), chain, "the refused photo signed a record");
    assert!(!app.inspection(&other).unwrap().started);
}

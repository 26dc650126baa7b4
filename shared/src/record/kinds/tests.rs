//! The kinds' bodies: old shapes still read, the legal contents checked, unknown kinds refused.
use super::*;
use serde_json::json;

fn body(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => unreachable!(),
    }
}

#[test]
fn old_document_shapes_still_read() {
    let ins = "0192f39e-1111-7000-8000-000000000001";
    let old_warning = body(json!({
        "subject": "7707083893", "requirements": ["ППР-1479 п.60"], "text": "t",
        "measures": [{"what": "m", "by": "2026-04-01"}]
    }));
    let w: Warning = decode_body(&old_warning).unwrap();
    assert_eq!(
        w.requirements,
        [WarningRequirement::Reference("ППР-1479 п.60".into())]
    );
    assert!(
        w.check_contents().is_err(),
        "the old shape lacks the legal act and unit"
    );
    // Re-serialising the old shape gives the same members back.
    assert_eq!(
        serde_json::to_value(&w).unwrap(),
        Value::Object(old_warning)
    );
    let old_act = body(json!({
        "inspection": ins, "summary": "s", "findings": [],
        "violations": [{"requirement": "r", "legal_act": "ППР"}],
        "present": [], "acknowledgement": "absent"
    }));
    let a: Act = decode_body(&old_act).unwrap();
    assert_eq!(serde_json::to_value(&a).unwrap(), Value::Object(old_act));
    let old_order = body(json!({
        "inspection": ins, "subject": "7707083893",
        "remedies": [{"requirement": "r", "measure": "m", "deadline": "2026-05-01"}]
    }));
    let o: Order = decode_body(&old_order).unwrap();
    assert_eq!(serde_json::to_value(&o).unwrap(), Value::Object(old_order));
}

#[track_caller]
fn check_warning(v: Value, ok: bool) {
    let w: Warning = decode_body(&body(v.clone())).unwrap();
    assert_eq!(w.check_contents().is_ok(), ok, "{v}");
}

#[test]
fn warnings_name_requirements_acts_units_and_measures() {
    let req = json!({"requirement": "1.2", "legal_act": "ППР № 1479", "unit": "п.60"});
    let m = json!({"what": "провести инструктаж"});
    let w = |reqs: Value, text: &str, measures: Value| json!({"subject": "7707083893", "requirements": reqs, "text": text, "measures": measures});
    check_warning(w(json!([req]), "t", json!([m])), true);
    check_warning(
        w(
            json!([req]),
            "t",
            json!([{"what": "x", "by": "2027-01-11"}]),
        ),
        true,
    );
    check_warning(w(json!([]), "t", json!([m])), false);
    check_warning(w(json!([req]), "t", json!([])), false);
    check_warning(w(json!([req]), " ", json!([m])), false);
    check_warning(w(json!(["ППР п.60"]), "t", json!([m])), false);
    check_warning(
        w(
            json!([{"requirement": "1.2", "legal_act": "ППР", "unit": ""}]),
            "t",
            json!([m]),
        ),
        false,
    );
}

#[test]
fn acts_and_orders_carry_what_the_law_requires() {
    let ins = "0192f39e-1111-7000-8000-000000000001";
    let rec = "0192f3a0-7c1e-7d2a-9b1e-3f6a1c2b4d01";
    let act = |v: Value| -> Act {
        decode_body(&body(json!({
            "inspection": ins, "summary": "s", "findings": [], "violations": [v],
            "present": [], "acknowledgement": "acknowledged", "erknm": "77260000000100000001"
        })))
        .unwrap()
    };
    let full = json!({"requirement": "r", "legal_act": "ППР", "unit": "п.1", "remedied": false});
    assert!(act(full).check_contents().is_ok());
    assert!(
        act(json!({"requirement": "r", "legal_act": "ППР", "unit": "п.1"}))
            .check_contents()
            .is_err()
    );
    assert!(
        act(json!({"requirement": "r", "legal_act": "ППР", "remedied": true}))
            .check_contents()
            .is_err()
    );
    let order = |act: Option<&str>, deadline: &str| -> Order {
        decode_body(&body(json!({
            "inspection": ins, "subject": "7707083893", "act": act,
            "remedies": [{"requirement": "r", "legal_act": "ППР", "unit": "п.1",
                          "measure": "m", "deadline": deadline}]
        })))
        .unwrap()
    };
    let day = crate::calendar::iso_date::parse("2027-01-11").unwrap();
    assert!(order(Some(rec), "2027-02-11").check_contents(day).is_ok());
    assert!(
        order(Some(rec), "2027-01-11").check_contents(day).is_err(),
        "same day"
    );
    assert!(
        order(None, "2027-02-11").check_contents(day).is_err(),
        "no act"
    );
}

#[test]
fn photo_warnings_and_unchecked_items_read_and_are_checked() {
    let ins = "0192f39e-1111-7000-8000-000000000001";
    let sha = "ab".repeat(32);
    let photo = body(json!({
        "inspection": ins, "sha256": sha, "bytes": 10, "mime": "image/jpeg",
        "warnings": [
            {"kind": "damaged", "reason": "bad Huffman code"},
            {"kind": "taken_outside_dates", "taken_at": "2008-10-22T16:28:39.000Z",
             "from": "2026-03-02", "to": "2026-03-13"},
            {"kind": "far_from_object", "distance_m": 2_402_113, "object": "OBJ-1"},
            {"kind": "blurred", "score": 3}
        ]
    }));
    assert_eq!(check_body("photo", &photo), Ok(RecordKind::Photo));
    let p: Photo = decode_body(&photo).unwrap();
    assert_eq!(p.warnings.len(), 4);
    assert_eq!(
        p.warnings[2],
        PhotoWarning::FarFromObject {
            distance_m: 2_402_113,
            object: "OBJ-1".into()
        }
    );
    assert_eq!(p.warnings[3], PhotoWarning::Other, "a newer app's warning");
    let plain = body(json!({"inspection": ins, "sha256": sha, "bytes": 10, "mime": "image/jpeg"}));
    assert!(
        !serde_json::to_value(decode_body::<Photo>(&plain).unwrap())
            .unwrap()
            .as_object()
            .unwrap()
            .contains_key("warnings"),
        "a photo without warnings signs as before"
    );

    let act = |not_checked: Value| -> Act {
        decode_body(&body(json!({
            "inspection": ins, "summary": "s", "findings": [], "violations": [],
            "present": [], "acknowledgement": "absent", "not_checked": not_checked
        })))
        .unwrap()
    };
    assert!(
        act(json!([{"item": "1.2", "reason": "помещение закрыто"}]))
            .check_contents()
            .is_ok()
    );
    assert!(
        act(json!([{"item": "1.2", "reason": "  "}]))
            .check_contents()
            .is_err()
    );
}

#[test]
fn registry_round_trips() {
    for &k in RecordKind::ALL {
        assert_eq!(RecordKind::parse(k.as_str()), Some(k));
    }
    assert!(RecordKind::parse("inspection_paused").is_none());
}

#[test]
fn bodies_are_checked() {
    let ins = "0192f39e-1111-7000-8000-000000000001";
    let ok = body(json!({"inspection": ins, "item": "1.2", "result": "violation"}));
    assert_eq!(check_body("finding", &ok), Ok(RecordKind::Finding));
    let bad = body(json!({"inspection": ins, "item": "1.2", "result": "maybe"}));
    assert!(matches!(
        check_body("finding", &bad),
        Err(BodyError::Invalid { .. })
    ));
    assert!(matches!(
        check_body("gossip", &ok),
        Err(BodyError::UnknownKind(_))
    ));
    let warning = body(json!({
        "subject": "7707083894", "requirements": [], "text": "t", "measures": []
    }));
    assert!(
        check_body("warning", &warning).is_err(),
        "bad INN check digit"
    );
    let interaction = body(json!({
        "inspection": ins, "started_at": "2026-03-02T09:15:00.000Z",
        "ended_at": "2026-03-02T11:45:00.000Z"
    }));
    assert_eq!(
        check_body("interaction", &interaction),
        Ok(RecordKind::Interaction)
    );
    let typed: Interaction = decode_body(&interaction).unwrap();
    assert_eq!(typed.minutes(), Some(150));
    let started = body(json!({"inspection": ins, "lat_e7": 557558000, "lon_e7": 376176000}));
    let typed: InspectionStarted = decode_body(&started).unwrap();
    assert_eq!(typed.position.map(|p| p.lat_e7), Some(557_558_000));
}

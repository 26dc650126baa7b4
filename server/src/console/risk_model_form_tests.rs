use super::*;

fn set(p: &mut Pairs, name: &str, value: &str) {
    p.retain(|(k, _)| k != name);
    p.push((name.to_owned(), value.to_owned()));
}

#[test]
fn the_rules_in_force_read_back_unchanged() {
    let rules = ControlTypeRules::default();
    let parsed = read(&pairs_of(&rules)).unwrap();
    assert_eq!(parsed.model, rules.risk_model());
    assert_eq!(parsed.indicators, rules.indicators);
    assert_eq!(parsed.planning, rules.planning);
}

#[test]
fn blank_and_removed_rows_are_dropped_and_a_new_row_is_read() {
    let rules = ControlTypeRules::default();
    let mut p = pairs_of(&rules);
    set(&mut p, "sev_rows", "4");
    set(&mut p, "sev0_del", "1");
    set(&mut p, "ind_rows", "5");
    set(&mut p, "ind3_code", "sensor_30");
    set(&mut p, "ind3_ru", "2 превышения за 30 дней");
    set(&mut p, "ind3_event", "sensor_exceedance");
    set(&mut p, "ind3_thr", "2");
    set(&mut p, "ind3_win", "30");
    let parsed = read(&p).unwrap();
    assert_eq!(parsed.model.severity.len(), 2);
    assert_eq!(parsed.model.severity[0].attribute, "people");
    assert_eq!(parsed.indicators.len(), 4);
    let added = &parsed.indicators[3];
    assert_eq!(
        (added.threshold, added.window_days, added.name_en.as_str()),
        (2, 30, "2 превышения за 30 дней"),
        "an English name left blank is the Russian one"
    );
}

#[test]
fn errors_stand_beside_their_fields() {
    let mut p = pairs_of(&ControlTypeRules::default());
    set(&mut p, "prob_thr", "4; десять");
    set(&mut p, "w_violations_cap", "");
    set(&mut p, "m2_3", "");
    set(&mut p, "ind0_event", "picnic");
    set(&mut p, "sev1_thr", "50; 300,5");
    let errors = read(&p).unwrap_err();
    let fields: Vec<&str> = errors.keys().map(String::as_str).collect();
    assert_eq!(
        fields,
        ["ind0_event", "m2_3", "prob_thr", "w_violations_cap"]
    );
    assert!(errors["prob_thr"].contains("точку с запятой"));
}

#[test]
fn the_matrix_keeps_the_shape_it_was_posted_in() {
    let mut p = pairs_of(&ControlTypeRules::default());
    set(&mut p, "severity_classes", "5");
    let parsed = read(&p).unwrap();
    assert_eq!(
        parsed.model.matrix.len(),
        4,
        "the service refuses the shape"
    );
    assert_eq!(parsed.model.severity_classes, 5);
}

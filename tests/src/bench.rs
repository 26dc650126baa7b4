//! What every benchmark in `tests/benches` uses: sizes from the environment and percentiles.

use std::time::Duration;

/// The variable `name` as a number, or `default` when it is unset or not a number.
pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The `p` quantile (0 to 1, nearest rank) of `sorted` durations; zero for none.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let i = ((sorted.len() as f64 - 1.0) * p.clamp(0.0, 1.0)).round() as usize;
    sorted[i]
}

/// `12.3 ms`.
pub fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

/// An agency on `server` with a planner signed in and the demo's control types in place: what a
/// registry benchmark starts from. The HTTP client and the planner's token.
///
/// # Panics
/// When the server refuses.
pub async fn planner_with_demo_types(server: &crate::Server) -> (reqwest::Client, String) {
    let state = &server.state;
    let agency = crate::admin::agency(state, "Bench agency").await;
    crate::admin::user(state, agency, "planner", knd_server::model::Role::Planner).await;
    let http = reqwest::Client::new();
    let token = crate::Client::new(http.clone(), server.addr)
        .login("planner")
        .await;
    for t in &knd_server::demo::data::demo_data()
        .expect("the demo data")
        .control_types
    {
        let resp = http
            .put(server.url(&format!("/api/v1/control-types/{}", t.code)))
            .bearer_auth(&token)
            .json(&serde_json::json!({"name": t.name, "rules": t.rules()}))
            .send()
            .await
            .expect("a response");
        assert!(resp.status().is_success(), "control type {}", t.code);
    }
    (http, token)
}

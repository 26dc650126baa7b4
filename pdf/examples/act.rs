//! Writes the tests' typical act to a file, to look at:
//! `cargo run -p knd-pdf --example act -- act.pdf`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    unreachable_pub
)]

#[path = "../tests/it/sample.rs"]
mod sample;

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "act.pdf".to_owned());
    let pdf = knd_pdf::render(&sample::act()).expect("renders");
    std::fs::write(&path, &pdf).expect("writes");
    println!("{path}: {} bytes", pdf.len());
}

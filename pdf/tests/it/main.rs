//! The rendered PDFs read back: parsed and page 1 rasterised with hayro, the QR code decoded
//! with rqrr.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_docs,
    unreachable_pub
)]

mod sample;

use std::sync::Arc;

use hayro::hayro_interpret::InterpreterSettings;
use hayro::hayro_syntax::Pdf;
use hayro::vello_cpu::color::palette::css::WHITE;
use hayro::{PixmapSettings, RenderCache, RenderSettings};
use knd_pdf::{Block, Document, PdfError, Verification, render};

fn parse(pdf: &[u8]) -> Pdf {
    Pdf::new(Arc::new(pdf.to_vec())).expect("hayro parses the PDF")
}

fn page_count(pdf: &[u8]) -> usize {
    parse(pdf).pages().len()
}

/// The contents of every QR code found on page `index`, rasterised at 144 dpi.
fn qr_codes(pdf: &[u8], index: usize) -> Vec<String> {
    let pdf = parse(pdf);
    let pixmap = hayro::render(
        &pdf.pages()[index],
        &RenderCache::new(),
        &InterpreterSettings::default(),
        &RenderSettings::default(),
        &PixmapSettings {
            x_scale: 2.0,
            y_scale: 2.0,
            bg_color: WHITE,
        },
    );
    let (width, height) = (pixmap.width() as usize, pixmap.height() as usize);
    let rgba = pixmap.data_as_u8_slice();
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(width, height, |x, y| {
        rgba[(y * width + x) * 4]
    });
    image
        .detect_grids()
        .iter()
        .map(|grid| grid.decode().expect("the QR code decodes").1)
        .collect()
}

fn count(haystack: &[u8], needle: &[u8]) -> usize {
    haystack
        .windows(needle.len())
        .filter(|window| *window == needle)
        .count()
}

fn doc(blocks: Vec<Block>) -> Document {
    Document {
        title: "Предписание № 1".to_owned(),
        subtitle: None,
        blocks,
        verify: sample::verification(),
    }
}

#[test]
fn typical_act() {
    let pdf = render(&sample::act()).unwrap();
    assert!(pdf.starts_with(b"%PDF-"));
    // Both faces embedded (TrueType font programs) and subset: every name of the font has the
    // subset's tag (six capitals and '+') before it, and the file is a fraction of the fonts'
    // 400 KB.
    assert_eq!(count(&pdf, b"/FontFile2"), 2);
    let names: Vec<usize> = (0..pdf.len())
        .filter(|&at| pdf[at..].starts_with(b"NotoSans"))
        .collect();
    assert!(names.len() >= 2);
    for at in names {
        let tag = &pdf[at - 7..at];
        assert!(
            tag[..6].iter().all(u8::is_ascii_uppercase) && tag[6] == b'+',
            "{tag:?}"
        );
    }
    assert!(count(&pdf, b"NotoSans-Bold") >= 1);
    assert!(pdf.len() < 200_000, "{} bytes", pdf.len());
    assert_eq!(count(&pdf, b"/Creator(KND)"), 1);
    assert_eq!(page_count(&pdf), 2);
    assert_eq!(qr_codes(&pdf, 0), [sample::URL]);
}

#[test]
fn rendering_is_deterministic() {
    assert_eq!(
        render(&sample::act()).unwrap(),
        render(&sample::act()).unwrap()
    );
}

#[test]
fn a_table_of_200_rows_runs_over_several_pages() {
    let pdf = render(&doc(vec![
        Block::Paragraph("Перечень проверенных объектов.".to_owned()),
        sample::findings(200),
    ]))
    .unwrap();
    let pages = page_count(&pdf);
    assert!((6..=15).contains(&pages), "{pages} pages");
    assert!(pdf.len() < 200_000, "{} bytes", pdf.len());
    assert_eq!(qr_codes(&pdf, 0), [sample::URL]);
}

#[test]
fn one_empty_paragraph() {
    let pdf = render(&Document {
        blocks: vec![Block::Paragraph(String::new())],
        verify: sample::verification(),
        ..Document::default()
    })
    .unwrap();
    assert_eq!(page_count(&pdf), 1);
    assert_eq!(qr_codes(&pdf, 0), [sample::URL]);
}

#[test]
fn everything_empty() {
    let empty = Document {
        title: String::new(),
        subtitle: Some(String::new()),
        blocks: vec![
            Block::Heading(String::new()),
            Block::Paragraph(String::new()),
            Block::Fields(vec![]),
            Block::Fields(vec![(String::new(), String::new())]),
            Block::Table {
                header: vec![],
                rows: vec![],
            },
            Block::Table {
                header: vec![String::new()],
                rows: vec![vec![]],
            },
            Block::Signature {
                signer: String::new(),
                at: String::new(),
            },
        ],
        verify: Verification::default(),
    };
    let pdf = render(&empty).unwrap();
    assert_eq!(page_count(&pdf), 1);
    assert_eq!(qr_codes(&pdf, 0), [""]);
}

#[test]
fn hostile_text() {
    let long_word = "Сверхдлинноеслово".repeat(300);
    let odd = "emoji 😀 漢字 عربي é (e\u{301}) \u{0}\u{7}\u{1b}[31m tab\there soft\u{ad}hyphen \
               zero\u{200b}width \u{feff}bom \u{202e}rtl \u{fffd} \u{10ffff}";
    let blocks = vec![
        Block::Heading(long_word.clone()),
        Block::Paragraph(format!("{odd} {long_word}")),
        Block::Fields(vec![
            (long_word.clone(), long_word.clone()),
            (odd.to_owned(), odd.to_owned()),
            ("Пусто".to_owned(), String::new()),
        ]),
        Block::Table {
            header: vec!["А".to_owned(), odd.to_owned()],
            // Ragged rows: one cell, three cells, a cell longer than a page when wrapped.
            rows: vec![
                vec![long_word.clone()],
                vec!["1".to_owned(), odd.to_owned(), "лишняя".to_owned()],
                vec![String::new(), "Очень длинная ячейка. ".repeat(800)],
            ],
        },
        Block::Signature {
            signer: long_word.clone(),
            at: odd.to_owned(),
        },
    ];
    let pdf = render(&Document {
        title: odd.to_owned(),
        subtitle: Some(long_word.clone()),
        blocks,
        verify: Verification {
            url: "https://knd.example.invalid/verify/ё?q=😀".to_owned(),
            record_id: odd.to_owned(),
            sha256: long_word.clone(),
            issuer: odd.to_owned(),
        },
    })
    .unwrap();
    assert!(page_count(&pdf) > 2);
    assert_eq!(
        qr_codes(&pdf, 0),
        ["https://knd.example.invalid/verify/ё?q=😀"]
    );
}

#[test]
fn a_long_url_puts_the_code_after_the_last_block() {
    let url = format!(
        "https://knd.example.invalid/verify?{}",
        "token=0123456789abcdef&".repeat(20)
    );
    let mut act = sample::act();
    act.verify.url = url.clone();
    let pdf = render(&act).unwrap();
    let last = page_count(&pdf) - 1;
    assert!(qr_codes(&pdf, 0).is_empty());
    assert_eq!(qr_codes(&pdf, last), [url]);
}

#[test]
fn a_url_too_long_for_a_qr_code_is_an_error() {
    let mut act = sample::act();
    act.verify.url = format!("https://knd.example.invalid/{}", "x".repeat(3000));
    let len = act.verify.url.len();
    assert!(matches!(render(&act), Err(PdfError::UrlTooLong { len: l }) if l == len));
}

use super::*;
use crate::font::faces;

fn lay_out(doc: &Document) -> Vec<Vec<Op>> {
    let (regular, bold) = faces().expect("the bundled fonts parse");
    let grid = QrGrid::encode(&doc.verify.url).expect("the URL encodes");
    layout(doc, grid, regular, bold)
}

fn doc(blocks: Vec<Block>) -> Document {
    Document {
        title: "Акт".to_owned(),
        subtitle: None,
        blocks,
        verify: Verification {
            url: "https://knd.example.invalid/verify/1".to_owned(),
            record_id: "1".to_owned(),
            sha256: "00".repeat(32),
            issuer: "Орган".to_owned(),
        },
    }
}

/// The texts of each page, in drawing order, with their baselines.
fn texts(pages: &[Vec<Op>]) -> Vec<Vec<(f32, String)>> {
    pages
        .iter()
        .map(|page| {
            page.iter()
                .filter_map(|op| match op {
                    Op::Text { baseline, text, .. } => Some((*baseline, text.clone())),
                    _ => None,
                })
                .collect()
        })
        .collect()
}

fn page_of(pages: &[Vec<(f32, String)>], text: &str) -> Vec<usize> {
    pages
        .iter()
        .enumerate()
        .filter(|(_, page)| page.iter().any(|(_, line)| line == text))
        .map(|(index, _)| index)
        .collect()
}

fn words(n: usize) -> String {
    (0..n)
        .map(|i| format!("слово{i}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn everything_stays_inside_the_margins() {
    let mut typical = doc(vec![
        Block::Paragraph(words(2000)),
        Block::Fields((0..40).map(|i| (format!("Поле {i}"), words(30))).collect()),
        Block::Table {
            header: vec!["А".to_owned(), "Б".to_owned(), "В".to_owned()],
            rows: (0..60)
                .map(|i| vec![i.to_string(), words(i % 7), words(25)])
                .collect(),
        },
        Block::Signature {
            signer: words(20),
            at: words(3),
        },
    ]);
    // Absurdly long: the verification's text (the URL too, with the code at the end), a title,
    // a label, a signer.
    let mut absurd = typical.clone();
    absurd.title = words(300);
    absurd.verify.url = format!("https://knd.example.invalid/{}", "ю".repeat(1000));
    absurd.verify.issuer = words(500);
    absurd.verify.sha256 = "ab".repeat(3000);
    absurd
        .blocks
        .push(Block::Fields(vec![(words(400), words(10))]));
    absurd.blocks.push(Block::Signature {
        signer: words(800),
        at: words(200),
    });
    typical.blocks.push(Block::Heading(words(5)));
    for doc in [typical, absurd] {
        let pages = lay_out(&doc);
        assert!(pages.len() > 5);
        assert_inside_margins(&pages);
    }
}

fn assert_inside_margins(pages: &[Vec<Op>]) {
    let (regular, bold) = faces().expect("the bundled fonts parse");
    for page in pages {
        for op in page {
            match op {
                Op::Text {
                    x,
                    baseline,
                    style,
                    text,
                } => {
                    let face = if style.bold { bold } else { regular };
                    let right = x + face.width(text, style.size);
                    assert!(
                        *x >= LEFT - 0.01 && right <= RIGHT + 0.01,
                        "{text:?} at {x}..{right}"
                    );
                    if *style != FOOTER {
                        assert!(
                            *baseline > TOP && *baseline < BOTTOM,
                            "{text:?} at {baseline}"
                        );
                    }
                }
                Op::Line { from, to, .. } => {
                    for (x, y) in [from, to] {
                        assert!((LEFT - 0.01..=RIGHT + 0.01).contains(x));
                        assert!((TOP - 0.01..=BOTTOM + 0.01).contains(y), "line at {y}");
                    }
                }
                Op::Fill { y, height, .. } => assert!(*y >= TOP && y + height <= BOTTOM + 0.01),
                Op::Qr { x, y, module, grid } => {
                    let side = grid.width() as f32 * module;
                    assert!(*x >= LEFT && x + side <= RIGHT + 0.01);
                    assert!(*y >= TOP && y + side <= BOTTOM + 0.01);
                }
            }
        }
    }
}

#[test]
fn table_rows_are_never_split_and_the_header_repeats() {
    let rows = 200;
    let pages = lay_out(&doc(vec![
        Block::Paragraph(words(50)),
        Block::Table {
            header: vec![
                "Начало".to_owned(),
                "Середина".to_owned(),
                "Конец".to_owned(),
            ],
            rows: (0..rows)
                .map(|i| vec![format!("R{i}"), words(i % 40), format!("E{i}")])
                .collect(),
        },
    ]));
    let pages = texts(&pages);
    assert!(pages.len() > 5);
    for i in 0..rows {
        let start = page_of(&pages, &format!("R{i}"));
        assert_eq!(start.len(), 1);
        assert_eq!(start, page_of(&pages, &format!("E{i}")), "row {i} split");
    }
    // The header once on each page the table reaches, at the top of the continuation pages.
    let header = page_of(&pages, "Середина");
    assert_eq!(header, (0..pages.len()).collect::<Vec<_>>());
    for page in &pages[1..] {
        assert_eq!(page[0].1, "Начало");
    }
}

#[test]
fn a_row_taller_than_a_page_is_split_line_by_line() {
    let cell: Vec<String> = (0..300).map(|i| format!("строка{i}")).collect();
    let pages = lay_out(&doc(vec![Block::Table {
        header: vec!["Номер".to_owned(), "Текст".to_owned()],
        rows: vec![
            vec!["1".to_owned(), cell.join("\n")],
            vec!["2".to_owned(), "после".to_owned()],
        ],
    }]));
    let pages = texts(&pages);
    assert!(pages.len() >= 4);
    let drawn: Vec<usize> = cell.iter().flat_map(|line| page_of(&pages, line)).collect();
    assert_eq!(drawn.len(), cell.len(), "every line once");
    assert!(drawn.windows(2).all(|pair| pair[0] <= pair[1]), "in order");
    assert_eq!(
        page_of(&pages, "Номер"),
        (0..pages.len()).collect::<Vec<_>>()
    );
}

#[test]
fn a_heading_stays_with_what_follows() {
    let tall = (0..6)
        .map(|i| format!("строка {i}"))
        .collect::<Vec<_>>()
        .join("\n");
    let followers = [
        Block::Paragraph("Первая строка".to_owned()),
        Block::Table {
            header: vec!["Первая строка".to_owned(), "Б".to_owned()],
            rows: vec![vec!["1".to_owned(), tall.clone()]],
        },
        Block::Fields(vec![("Первая строка".to_owned(), tall)]),
        Block::Signature {
            signer: "Первая строка".to_owned(),
            at: "сегодня".to_owned(),
        },
    ];
    for follower in followers {
        // Fill the first page to a little more each time, then the heading and what follows.
        for filler in 30..60 {
            let pages = texts(&lay_out(&doc(vec![
                Block::Paragraph(words(filler * 9)),
                Block::Heading("Заголовок".to_owned()),
                follower.clone(),
            ])));
            let heading = page_of(&pages, "Заголовок");
            assert_eq!(heading.len(), 1);
            assert_eq!(
                heading,
                page_of(&pages, "Первая строка"),
                "{filler} {follower:?}"
            );
        }
    }
}

#[test]
fn the_code_goes_top_right_or_after_everything() {
    let qr = |pages: &[Vec<Op>]| -> Vec<(usize, f32, f32)> {
        pages
            .iter()
            .enumerate()
            .flat_map(|(index, page)| {
                page.iter().filter_map(move |op| match op {
                    Op::Qr { x, y, .. } => Some((index, *x, *y)),
                    _ => None,
                })
            })
            .collect()
    };
    let blocks = vec![Block::Paragraph(words(1500))];
    let short = lay_out(&doc(blocks.clone()));
    let [(0, x, y)] = qr(&short)[..] else {
        panic!("{:?}", qr(&short))
    };
    assert!(x > LEFT + CONTENT_WIDTH / 2.0 && (y - TOP).abs() < 0.01);

    let mut long = doc(blocks);
    long.verify.url = format!("https://knd.example.invalid/verify/{}", "x".repeat(400));
    let long = lay_out(&long);
    let [(page, _, y)] = qr(&long)[..] else {
        panic!("{:?}", qr(&long))
    };
    assert_eq!(page, long.len() - 1);
    let last_text = texts(&long)[page]
        .iter()
        .filter(|(_, text)| text.starts_with("слово"))
        .map(|(baseline, _)| *baseline)
        .fold(0.0, f32::max);
    assert!(y > last_text);
}

#[test]
fn every_page_has_its_footer() {
    let pages = texts(&lay_out(&doc(vec![Block::Paragraph(words(3000))])));
    let total = pages.len();
    assert!(total > 2);
    for (index, page) in pages.iter().enumerate() {
        let footer = format!("стр. {} из {total} · 1", index + 1);
        assert_eq!(
            page.iter().filter(|(_, text)| *text == footer).count(),
            1,
            "{footer}"
        );
    }
}

#[test]
fn column_widths_fill_the_width_and_respect_words() {
    let (regular, _) = faces().expect("the bundled fonts parse");
    let widths = |rows: &[Vec<String>]| {
        column_widths(
            rows.iter().map(|row| (row, CELL)),
            rows[0].len(),
            |text, style| regular.widest_line(text, style.size),
            |text, style| regular.widest_word(text, style.size),
        )
    };
    let row = |cells: &[&str]| {
        cells
            .iter()
            .map(|cell| (*cell).to_owned())
            .collect::<Vec<_>>()
    };

    // Narrow content: widths in proportion to it.
    let narrow = widths(&[row(&["№", "Пункт", "Результат"])]);
    assert!((narrow.iter().sum::<f32>() - CONTENT_WIDTH).abs() < 0.01);
    assert!(narrow[0] < narrow[1] && narrow[1] < narrow[2]);

    // Wide content: the short column keeps its widest word, the long one takes the rest.
    let wide = widths(&[row(&["12345", &words(200), &words(30)])]);
    assert!((wide.iter().sum::<f32>() - CONTENT_WIDTH).abs() < 0.01);
    assert!(wide[0] >= regular.width("12345", CELL.size) + 2.0 * CELL_PAD_X);
    assert!(wide[1] > wide[2]);

    // Words too long for any share: equal shares.
    let long = "ы".repeat(500);
    let equal = widths(&[row(&[&long, &long])]);
    assert!((equal[0] - equal[1]).abs() < 0.01);
}

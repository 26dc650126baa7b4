//! The laid-out pages written as PDF with krilla.

use krilla::color::luma;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;

use crate::font::Face;
use crate::layout::{Op, PAGE_HEIGHT, PAGE_WIDTH, Rule};
use crate::{Document, PdfError};

pub(crate) fn write(
    doc: &Document,
    pages: &[Vec<Op>],
    regular: &Face,
    bold: &Face,
) -> Result<Vec<u8>, PdfError> {
    let mut pdf = krilla::Document::new();
    let mut metadata = Metadata::new()
        .creator("KND".to_owned())
        .language("ru".to_owned());
    let title = regular.clean(&doc.title, false);
    if !title.trim().is_empty() {
        metadata = metadata.title(title);
    }
    pdf.set_metadata(metadata);
    let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT)
        .ok_or_else(|| PdfError::Write("the page size".to_owned()))?;
    for ops in pages {
        let mut page = pdf.start_page_with(settings.clone());
        let mut surface = page.surface();
        for op in ops {
            draw(&mut surface, op, regular, bold);
        }
        surface.finish();
        page.finish();
    }
    pdf.finish()
        .map_err(|error| PdfError::Write(format!("{error:?}")))
}

fn gray(level: u8) -> Fill {
    Fill {
        paint: luma::Color::new(level).into(),
        ..Fill::default()
    }
}

fn draw(surface: &mut Surface<'_>, op: &Op, regular: &Face, bold: &Face) {
    match op {
        Op::Text {
            x,
            baseline,
            style,
            text,
        } => {
            let face = if style.bold { bold } else { regular };
            surface.set_stroke(None);
            surface.set_fill(Some(gray(style.gray)));
            surface.draw_glyphs(
                Point::from_xy(*x, *baseline),
                &face.glyphs(text),
                face.font.clone(),
                text,
                style.size,
                false,
            );
        }
        Op::Line {
            from,
            to,
            rule: Rule { width, gray: level },
        } => {
            let mut path = PathBuilder::new();
            path.move_to(from.0, from.1);
            path.line_to(to.0, to.1);
            if let Some(path) = path.finish() {
                surface.set_fill(None);
                surface.set_stroke(Some(Stroke {
                    paint: luma::Color::new(*level).into(),
                    width: *width,
                    ..Stroke::default()
                }));
                surface.draw_path(&path);
            }
        }
        Op::Fill {
            x,
            y,
            width,
            height,
            gray: level,
        } => {
            let mut path = PathBuilder::new();
            if let Some(rect) = Rect::from_xywh(*x, *y, *width, *height) {
                path.push_rect(rect);
            }
            if let Some(path) = path.finish() {
                surface.set_stroke(None);
                surface.set_fill(Some(gray(*level)));
                surface.draw_path(&path);
            }
        }
        Op::Qr { x, y, module, grid } => {
            let mut path = PathBuilder::new();
            for (row, column, length) in grid.runs() {
                let rect = Rect::from_xywh(
                    x + column as f32 * module,
                    y + row as f32 * module,
                    length as f32 * module,
                    *module,
                );
                if let Some(rect) = rect {
                    path.push_rect(rect);
                }
            }
            if let Some(path) = path.finish() {
                surface.set_stroke(None);
                surface.set_fill(Some(gray(0)));
                surface.draw_path(&path);
            }
        }
    }
}

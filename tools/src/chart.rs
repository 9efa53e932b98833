//! Charts as PNG images, drawn with plotters on a bitmap in memory with a
//! font shipped in the repository (nothing is read from the system).

use std::sync::Once;

use base64::Engine;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

const FONT: &[u8] = include_bytes!("../assets/DejaVuSans.ttf");
const SIZE: (u32, u32) = (720, 400);

/// Why a chart could not be drawn.
#[derive(Debug, thiserror::Error)]
#[error("could not draw the chart: {0}")]
pub struct ChartError(String);

fn font() {
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        // The font is compiled in; registering it cannot meet a bad file.
        let _ = register_font("sans-serif", FontStyle::Normal, FONT);
    });
}

/// Lines over working days: each series is (label, points (day, value), colour index).
pub fn lines(
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[(&str, Vec<(f64, f64)>)],
) -> Result<String, ChartError> {
    let x_max = series
        .iter()
        .flat_map(|(_, p)| p.iter().map(|q| q.0))
        .fold(1.0, f64::max);
    let y_max = series
        .iter()
        .flat_map(|(_, p)| p.iter().map(|q| q.1))
        .fold(1.0, f64::max)
        * 1.1;
    draw(title, 0.0..x_max, 0.0..y_max, |chart| {
        chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc(y_label)
            .label_style(("sans-serif", 13))
            .draw()
            .map_err(err)?;
        for (i, (label, points)) in series.iter().enumerate() {
            let colour = Palette99::pick(i).to_rgba().stroke_width(3);
            chart
                .draw_series(LineSeries::new(points.iter().copied(), colour))
                .map_err(err)?
                .label(*label)
                .legend(move |(x, y)| {
                    PathElement::new(
                        vec![(x, y), (x + 18, y)],
                        Palette99::pick(i).stroke_width(3),
                    )
                });
        }
        Ok(())
    })
}

/// Bars per name: `value` filled, `reference` as an outline (e.g. capacity).
pub fn bars(
    title: &str,
    y_label: &str,
    rows: &[(String, f64, f64)],
    legend: (&str, &str),
) -> Result<String, ChartError> {
    // Headroom above the tallest bar for the legend.
    let y_max = rows.iter().map(|r| r.1.max(r.2)).fold(1.0, f64::max) * 1.4;
    let n = rows.len().max(1);
    draw(title, 0.0..n as f64, 0.0..y_max, |chart| {
        let names: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n * 2 + 1)
            .x_label_formatter(&|x| {
                let i = (*x - 0.5).round();
                if (x - 0.5 - i).abs() < 1e-6 && i >= 0.0 {
                    names.get(i as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_desc(y_label)
            .label_style(("sans-serif", 13))
            .draw()
            .map_err(err)?;
        let value_colour = Palette99::pick(0).mix(0.8);
        chart
            .draw_series(rows.iter().enumerate().map(|(i, r)| {
                let x = i as f64;
                Rectangle::new([(x + 0.15, 0.0), (x + 0.85, r.1)], value_colour.filled())
            }))
            .map_err(err)?
            .label(legend.0)
            .legend(move |(x, y)| {
                Rectangle::new([(x, y - 5), (x + 14, y + 5)], value_colour.filled())
            });
        chart
            .draw_series(rows.iter().enumerate().map(|(i, r)| {
                let x = i as f64;
                Rectangle::new([(x + 0.1, 0.0), (x + 0.9, r.2)], BLACK.stroke_width(2))
            }))
            .map_err(err)?
            .label(legend.1)
            .legend(|(x, y)| Rectangle::new([(x, y - 5), (x + 14, y + 5)], BLACK.stroke_width(2)));
        Ok(())
    })
}

type Chart<'a, 'b> =
    ChartContext<'a, BitMapBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// Draws a titled chart over `x` × `y` on a white bitmap (`paint` adds the
/// mesh and series, the legend follows) and returns it as base64 PNG.
fn draw(
    title: &str,
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
    paint: impl FnOnce(&mut Chart<'_, '_>) -> Result<(), ChartError>,
) -> Result<String, ChartError> {
    font();
    let mut pixels = vec![0u8; (SIZE.0 * SIZE.1 * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, SIZE).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d(x, y)
            .map_err(err)?;
        paint(&mut chart)?;
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .label_font(("sans-serif", 14))
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(err)?;
        root.present().map_err(err)?;
    }
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, SIZE.0, SIZE.1);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder
        .write_header()
        .and_then(|mut w| w.write_image_data(&pixels))
        .map_err(err)?;
    Ok(base64::engine::general_purpose::STANDARD.encode(png))
}

fn err(e: impl std::fmt::Display) -> ChartError {
    ChartError(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_png_images() {
        let decode = |b64: String| {
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .unwrap()
        };
        let line = decode(
            lines(
                "Burn-down",
                "working days",
                "hours",
                &[("P50", vec![(0.0, 40.0), (5.0, 0.0)])],
            )
            .unwrap(),
        );
        assert_eq!(&line[1..4], b"PNG");
        let bar = decode(
            bars(
                "Workload",
                "hours",
                &[("Alice".into(), 30.0, 32.0)],
                ("open", "capacity"),
            )
            .unwrap(),
        );
        assert_eq!(&bar[1..4], b"PNG");
        assert!(bar.len() > 1000);
    }
}

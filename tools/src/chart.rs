//! Charts as PNG images, drawn with plotters on a bitmap in memory with a
//! font shipped in the repository (nothing is read from the system).

use std::sync::Once;

use base64::Engine;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
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
    draw(title, 0.0..x_max, 0.0..y_max, Layout::default(), |chart| {
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
    let layout = Layout::default();
    draw(title, 0.0..n as f64, 0.0..y_max, layout, |chart| {
        let names: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n * 2 + 1)
            .x_label_formatter(&|x| category_at(&names, *x, false))
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

/// A heatmap of counts, e.g. a confusion matrix (`rows` = actual classes,
/// `columns` = predicted classes, `values[r][c]` = count). Each cell is
/// shaded by its share of its row's total and shows the count.
///
/// Refuses empty or ragged input and negative or non-finite values.
pub fn heatmap(
    title: &str,
    rows: &[String],
    columns: &[String],
    values: &[Vec<f64>],
    x_label: &str,
    y_label: &str,
) -> Result<String, ChartError> {
    check_grid(rows, columns, values)?;
    font();
    let (n_rows, n_cols) = (rows.len(), columns.len());
    let row_names: Vec<String> = rows.iter().map(|r| shorten(r, 24)).collect();
    let col_names: Vec<String> = columns.iter().map(|c| shorten(c, 16)).collect();
    let layout = Layout {
        y_label_area: label_area(&row_names) + 24,
        legend: false,
        ..Layout::default()
    };
    draw(
        title,
        0.0..n_cols as f64,
        0.0..n_rows as f64,
        layout,
        |chart| {
            chart
                .configure_mesh()
                .disable_mesh()
                .x_labels(n_cols * 2 + 1)
                .y_labels(n_rows * 2 + 1)
                .x_label_formatter(&|x| category_at(&col_names, *x, false))
                .y_label_formatter(&|y| category_at(&row_names, *y, true))
                .x_desc(x_label)
                .y_desc(y_label)
                .label_style(("sans-serif", 13))
                .draw()
                .map_err(err)?;
            let (width, height) = chart.plotting_area().dim_in_pixel();
            let (cell_w, cell_h) = (width as usize / n_cols, height as usize / n_rows);
            let text_size = (cell_h / 2).min(cell_w / 4).clamp(8, 16) as f64;
            let cells = heat_cells(values);
            chart
                .draw_series(cells.iter().map(|&(x, y, _, share)| {
                    Rectangle::new([(x, y), (x + 1.0, y + 1.0)], shade(share).filled())
                }))
                .map_err(err)?;
            chart
                .draw_series(cells.iter().map(|&(x, y, _, _)| {
                    Rectangle::new([(x, y), (x + 1.0, y + 1.0)], WHITE.stroke_width(1))
                }))
                .map_err(err)?;
            // Counts are written only where a cell is big enough to hold them.
            if cell_w >= 18 && cell_h >= 12 {
                chart
                    .draw_series(cells.iter().map(|&(x, y, v, share)| {
                        let colour = if share > 0.55 { WHITE } else { BLACK };
                        let style = ("sans-serif", text_size)
                            .into_font()
                            .color(&colour)
                            .pos(Pos::new(HPos::Center, VPos::Center));
                        Text::new(count(v), (x + 0.5, y + 0.5), style)
                    }))
                    .map_err(err)?;
            }
            Ok(())
        },
    )
}

/// A heatmap's rows, columns and counts agree in shape, and the counts are
/// finite and never negative; otherwise what is wrong.
fn check_grid(rows: &[String], columns: &[String], values: &[Vec<f64>]) -> Result<(), ChartError> {
    if rows.is_empty() || columns.is_empty() {
        return Err(ChartError(
            "a heatmap needs at least one row and one column".into(),
        ));
    }
    if values.len() != rows.len() {
        return Err(ChartError(format!(
            "{} rows of values for {} row labels",
            values.len(),
            rows.len()
        )));
    }
    if let Some((r, v)) = values
        .iter()
        .enumerate()
        .find(|(_, v)| v.len() != columns.len())
    {
        return Err(ChartError(format!(
            "row {:?} has {} values for {} columns",
            rows[r],
            v.len(),
            columns.len()
        )));
    }
    if values.iter().flatten().any(|v| !v.is_finite() || *v < 0.0) {
        return Err(ChartError(
            "heatmap values must be finite counts, zero or more".into(),
        ));
    }
    Ok(())
}

/// Each cell's position (row 0 at the top), count and share of its row.
fn heat_cells(values: &[Vec<f64>]) -> Vec<(f64, f64, f64, f64)> {
    let n_rows = values.len();
    let mut cells = Vec::new();
    for (r, row) in values.iter().enumerate() {
        let total: f64 = row.iter().sum();
        // Row r is drawn from the top: its band is (n - r - 1)..(n - r).
        let y = (n_rows - r - 1) as f64;
        for (c, &v) in row.iter().enumerate() {
            let share = if total > 0.0 { v / total } else { 0.0 };
            cells.push((c as f64, y, v, share));
        }
    }
    cells
}

/// Points (x, y), e.g. predicted against actual values or residuals against
/// predictions. With `reference_line`, both axes share one range and the
/// line y = x is drawn (perfect predictions lie on it).
///
/// Refuses no points and non-finite coordinates.
pub fn scatter(
    title: &str,
    points: &[(f64, f64)],
    x_label: &str,
    y_label: &str,
    reference_line: bool,
) -> Result<String, ChartError> {
    if points.is_empty() {
        return Err(ChartError("a scatter plot needs at least one point".into()));
    }
    if points.iter().any(|p| !p.0.is_finite() || !p.1.is_finite()) {
        return Err(ChartError("scatter points must be finite numbers".into()));
    }
    let span = |values: &mut dyn Iterator<Item = f64>| {
        let (low, high) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
            (l.min(v), h.max(v))
        });
        padded(low, high)
    };
    let (x, y) = if reference_line {
        let both = span(&mut points.iter().flat_map(|p| [p.0, p.1]));
        (both.clone(), both)
    } else {
        (
            span(&mut points.iter().map(|p| p.0)),
            span(&mut points.iter().map(|p| p.1)),
        )
    };
    let layout = Layout {
        y_label_area: 64,
        legend: reference_line,
        ..Layout::default()
    };
    let diagonal = [x.start, x.end];
    draw(title, x, y, layout, |chart| {
        chart
            .configure_mesh()
            .x_desc(x_label)
            .y_desc(y_label)
            .label_style(("sans-serif", 13))
            .draw()
            .map_err(err)?;
        // Translucent points so that dense regions show as darker.
        let colour = Palette99::pick(0).mix(0.55);
        chart
            .draw_series(points.iter().map(|&p| Circle::new(p, 3, colour.filled())))
            .map_err(err)?;
        if reference_line {
            let line = BLACK.mix(0.7).stroke_width(2);
            chart
                .draw_series(std::iter::once(PathElement::new(
                    diagonal.map(|v| (v, v)).to_vec(),
                    line,
                )))
                .map_err(err)?
                .label("y = x")
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], line));
        }
        Ok(())
    })
}

/// Horizontal bars, one per label from the top down (e.g. feature
/// importances, most important first), with optional error whiskers
/// (`errors[i]` is the half-width around `values[i]`). Values may be
/// negative. Long labels are shortened; the image grows taller with many
/// bars, but about 30 bars is the most that stays readable.
///
/// Refuses no bars, mismatched lengths, non-finite values and negative or
/// non-finite errors.
pub fn hbars(
    title: &str,
    labels: &[String],
    values: &[f64],
    errors: Option<&[f64]>,
    x_label: &str,
) -> Result<String, ChartError> {
    if labels.is_empty() {
        return Err(ChartError("a bar chart needs at least one bar".into()));
    }
    if values.len() != labels.len() {
        return Err(ChartError(format!(
            "{} values for {} labels",
            values.len(),
            labels.len()
        )));
    }
    if values.iter().any(|v| !v.is_finite()) {
        return Err(ChartError("bar values must be finite numbers".into()));
    }
    if let Some(e) = errors {
        if e.len() != labels.len() {
            return Err(ChartError(format!(
                "{} error widths for {} labels",
                e.len(),
                labels.len()
            )));
        }
        if e.iter().any(|v| !v.is_finite() || *v < 0.0) {
            return Err(ChartError(
                "error widths must be finite numbers, zero or more".into(),
            ));
        }
    }
    font();
    let n = labels.len();
    let width = |i: usize| errors.map_or(0.0, |e| e[i]);
    let low = (0..n).map(|i| values[i] - width(i)).fold(0.0, f64::min);
    let high = (0..n).map(|i| values[i] + width(i)).fold(0.0, f64::max);
    let x = padded(low, high);
    let x = if low >= 0.0 { 0.0..x.end } else { x };
    let names: Vec<String> = labels.iter().map(|l| shorten(l, 40)).collect();
    let layout = Layout {
        size: (SIZE.0, (110 + 24 * n as u32).clamp(SIZE.1, 1400)),
        y_label_area: label_area(&names),
        legend: false,
    };
    draw(title, x, 0.0..n as f64, layout, |chart| {
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n * 2 + 1)
            .y_label_formatter(&|y| category_at(&names, *y, true))
            .x_desc(x_label)
            .label_style(("sans-serif", 13))
            .draw()
            .map_err(err)?;
        // Bar i is drawn from the top: its band is (n - i - 1)..(n - i).
        let band = |i: usize| (n - i - 1) as f64;
        let colour = Palette99::pick(0).mix(0.8);
        chart
            .draw_series(values.iter().enumerate().map(|(i, &v)| {
                let y = band(i);
                Rectangle::new([(0.0, y + 0.2), (v, y + 0.8)], colour.filled())
            }))
            .map_err(err)?;
        if low < 0.0 {
            // A zero line separates helpful from harmful values.
            chart
                .draw_series(std::iter::once(PathElement::new(
                    vec![(0.0, 0.0), (0.0, n as f64)],
                    BLACK.stroke_width(1),
                )))
                .map_err(err)?;
        }
        if let Some(errors) = errors {
            let whisker = BLACK.stroke_width(2);
            chart
                .draw_series(errors.iter().enumerate().flat_map(|(i, &e)| {
                    let (y, v) = (band(i) + 0.5, values[i]);
                    let cap =
                        |x: f64| PathElement::new(vec![(x, y - 0.15), (x, y + 0.15)], whisker);
                    [
                        PathElement::new(vec![(v - e, y), (v + e, y)], whisker),
                        cap(v - e),
                        cap(v + e),
                    ]
                }))
                .map_err(err)?;
        }
        Ok(())
    })
}

/// The category label at axis position `at` when categories occupy unit
/// bands and labels sit at band centres (`at` = i + 0.5); empty elsewhere.
/// `top_down` counts bands from the top of a vertical axis.
fn category_at(names: &[String], at: f64, top_down: bool) -> String {
    let i = (at - 0.5).round();
    if (at - 0.5 - i).abs() > 1e-6 || i < 0.0 || i as usize >= names.len() {
        return String::new();
    }
    let i = i as usize;
    let i = if top_down { names.len() - 1 - i } else { i };
    names.get(i).cloned().unwrap_or_default()
}

/// `text`, cut to `max` characters with an ellipsis.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_string()
    } else {
        let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

/// Pixels needed left of the plot for these y labels (13 px font), within
/// sensible bounds.
fn label_area(labels: &[String]) -> u32 {
    let font = ("sans-serif", 13).into_font();
    let widest = labels
        .iter()
        .map(|l| {
            font.box_size(l)
                .map_or(l.chars().count() as u32 * 8, |(w, _)| w)
        })
        .max()
        .unwrap_or(0);
    (widest + 20).clamp(56, 300)
}

/// A range around `low..high` with 5% room either side (one unit when they
/// are equal).
fn padded(low: f64, high: f64) -> std::ops::Range<f64> {
    let pad = (high - low) * 0.05;
    if pad > 0.0 {
        low - pad..high + pad
    } else {
        low - 1.0..high + 1.0
    }
}

/// White for a share of 0, deep blue for 1.
fn shade(share: f64) -> RGBColor {
    let share = share.clamp(0.0, 1.0);
    let mix = |from: f64, to: f64| (from + (to - from) * share).round() as u8;
    RGBColor(mix(255.0, 8.0), mix(255.0, 69.0), mix(255.0, 148.0))
}

/// A count as written in a cell: whole numbers without decimals.
fn count(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

type Chart<'a, 'b> =
    ChartContext<'a, BitMapBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// The frame around a chart's plotting area.
#[derive(Debug, Clone, Copy)]
struct Layout {
    /// Image size in pixels.
    size: (u32, u32),
    /// Width of the area left of the plot for the y labels.
    y_label_area: u32,
    /// Whether series carry labels to show in a legend box.
    legend: bool,
}

impl Default for Layout {
    fn default() -> Self {
        Self {
            size: SIZE,
            y_label_area: 56,
            legend: true,
        }
    }
}

/// Draws a titled chart over `x` × `y` on a white bitmap (`paint` adds the
/// mesh and series, the legend follows if the layout has one) and returns
/// it as base64 PNG.
fn draw(
    title: &str,
    x: std::ops::Range<f64>,
    y: std::ops::Range<f64>,
    layout: Layout,
    paint: impl FnOnce(&mut Chart<'_, '_>) -> Result<(), ChartError>,
) -> Result<String, ChartError> {
    font();
    let size = layout.size;
    let mut pixels = vec![0u8; (size.0 * size.1 * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, size).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(layout.y_label_area)
            .build_cartesian_2d(x, y)
            .map_err(err)?;
        paint(&mut chart)?;
        if layout.legend {
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperRight)
                .label_font(("sans-serif", 14))
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK)
                .draw()
                .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    let mut png = Vec::new();
    let mut encoder = png::Encoder::new(&mut png, size.0, size.1);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder.set_compression(png::Compression::Best);
    encoder.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
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

    #[test]
    fn a_simple_bar_chart_is_small() {
        let team: Vec<(String, f64, f64)> = [
            "Alice Johnson",
            "Bob Smith",
            "Carol Diaz",
            "Dave Lee",
            "Erin Park",
        ]
        .iter()
        .enumerate()
        .map(|(i, n)| (n.to_string(), 10.0 + 7.0 * i as f64, 32.0 + i as f64))
        .collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(bars("Workload", "hours", &team, ("open", "capacity")).unwrap())
            .unwrap();
        eprintln!("bar chart: {} bytes", bytes.len());
        assert!(bytes.len() <= 60_000, "{} bytes", bytes.len());
    }

    /// Decodes a chart and checks it is a PNG of plausible size; returns its
    /// (width, height).
    fn png_size(b64: &str) -> (u32, u32) {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        assert!(bytes.len() > 2000, "only {} bytes", bytes.len());
        let decoder = png::Decoder::new(bytes.as_slice());
        let reader = decoder.read_info().unwrap();
        let info = reader.info();
        (info.width, info.height)
    }

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn heatmap_draws_a_confusion_matrix() {
        let classes = names(&[
            "churned",
            "stayed",
            "a very long class name indeed, longer than most",
        ]);
        let values = vec![
            vec![40.0, 5.0, 1.0],
            vec![3.0, 120.0, 0.0],
            vec![0.0, 0.0, 0.0],
        ];
        let chart = heatmap(
            "Confusion matrix",
            &classes,
            &classes,
            &values,
            "predicted",
            "actual",
        )
        .unwrap();
        assert_eq!(png_size(&chart), SIZE);
        // Many classes: cells too small for counts are still shaded.
        let many: Vec<String> = (0..60).map(|i| format!("class {i}")).collect();
        let grid = vec![vec![1.0; 60]; 60];
        assert_eq!(
            png_size(&heatmap("Big", &many, &many, &grid, "p", "a").unwrap()),
            SIZE
        );
    }

    #[test]
    fn heatmap_refuses_bad_input() {
        let two = names(&["a", "b"]);
        let ok = [vec![1.0, 2.0], vec![3.0, 4.0]];
        assert!(heatmap("t", &[], &two, &[], "x", "y").is_err());
        assert!(heatmap("t", &two, &[], &[vec![], vec![]], "x", "y").is_err());
        assert!(heatmap("t", &two, &two, &ok[..1], "x", "y").is_err());
        let ragged = vec![vec![1.0, 2.0], vec![3.0]];
        let err = heatmap("t", &two, &two, &ragged, "x", "y").unwrap_err();
        assert!(err.to_string().contains("row \"b\" has 1 values"), "{err}");
        let nan = vec![vec![1.0, f64::NAN], vec![3.0, 4.0]];
        assert!(heatmap("t", &two, &two, &nan, "x", "y").is_err());
        let negative = vec![vec![1.0, -2.0], vec![3.0, 4.0]];
        assert!(heatmap("t", &two, &two, &negative, "x", "y").is_err());
    }

    #[test]
    fn scatter_draws_points_with_and_without_a_reference_line() {
        let points: Vec<(f64, f64)> = (0..200)
            .map(|i| {
                let x = i as f64;
                (x, x + (i % 7) as f64 - 3.0)
            })
            .collect();
        let chart = scatter("Predicted vs actual", &points, "actual", "predicted", true).unwrap();
        assert_eq!(png_size(&chart), SIZE);
        let residuals: Vec<(f64, f64)> = points.iter().map(|p| (p.1, p.0 - p.1)).collect();
        let chart = scatter("Residuals", &residuals, "predicted", "residual", false).unwrap();
        assert_eq!(png_size(&chart), SIZE);
        // A single point (a degenerate range) still draws.
        assert_eq!(
            png_size(&scatter("One", &[(2.0, 2.0)], "x", "y", true).unwrap()),
            SIZE
        );
    }

    #[test]
    fn scatter_refuses_bad_input() {
        assert!(scatter("t", &[], "x", "y", true).is_err());
        assert!(scatter("t", &[(1.0, f64::INFINITY)], "x", "y", false).is_err());
        assert!(scatter("t", &[(f64::NAN, 1.0)], "x", "y", true).is_err());
    }

    #[test]
    fn hbars_draw_importances_with_whiskers() {
        let labels = names(&[
            "monthly_charges_including_taxes_and_fees_for_the_last_quarter",
            "tenure",
            "contract",
            "noise",
        ]);
        let values = [0.21, 0.12, 0.05, -0.004];
        let errors = [0.02, 0.01, 0.015, 0.003];
        let chart = hbars(
            "Permutation importance",
            &labels,
            &values,
            Some(&errors),
            "drop in AUC",
        )
        .unwrap();
        assert_eq!(png_size(&chart), SIZE);
        let chart = hbars("Importance", &labels, &values, None, "drop in AUC").unwrap();
        assert_eq!(png_size(&chart), SIZE);
        // Many bars: the image grows taller.
        let many: Vec<String> = (0..40).map(|i| format!("feature_{i}")).collect();
        let values: Vec<f64> = (0..40).map(|i| 40.0 - i as f64).collect();
        let (w, h) = png_size(&hbars("Many", &many, &values, None, "x").unwrap());
        assert_eq!(w, SIZE.0);
        assert!(h > SIZE.1);
        // All zero still draws.
        assert!(hbars("Zero", &many[..2], &[0.0, 0.0], None, "x").is_ok());
    }

    #[test]
    fn hbars_refuse_bad_input() {
        let two = names(&["a", "b"]);
        assert!(hbars("t", &[], &[], None, "x").is_err());
        assert!(hbars("t", &two, &[1.0], None, "x").is_err());
        assert!(hbars("t", &two, &[1.0, f64::NAN], None, "x").is_err());
        assert!(hbars("t", &two, &[1.0, 2.0], Some(&[0.1]), "x").is_err());
        assert!(hbars("t", &two, &[1.0, 2.0], Some(&[0.1, -0.1]), "x").is_err());
    }

    #[test]
    fn category_labels_sit_at_band_centres() {
        let n = names(&["a", "b", "c"]);
        assert_eq!(category_at(&n, 0.5, false), "a");
        assert_eq!(category_at(&n, 0.5, true), "c");
        assert_eq!(category_at(&n, 2.5, true), "a");
        assert_eq!(category_at(&n, 1.0, false), "");
        assert_eq!(category_at(&n, 3.5, false), "");
        assert_eq!(shorten("abcdef", 4), "abc…");
        assert_eq!(shorten("abc", 4), "abc");
    }
}

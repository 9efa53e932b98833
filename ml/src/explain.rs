//! Model explanations in terms of the user's own columns.
//!
//! Models are black boxes here: they are called on a [`Frame`] of raw text
//! cells, so every explanation speaks of the columns the user gave, never of
//! encoded features.
//!
//! - [`permutation_importance`]: how much a score drops when one column's
//!   cells are shuffled between rows.
//! - [`partial_dependence`]: the average prediction as one column is set to
//!   each value on a grid.
//! - [`contributions`]: Shapley values for one row, estimated by sampling
//!   permutations against background rows.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::column::Column;
use crate::frame::Frame;
use crate::profile::parse_number;
use crate::rng::Rng;

/// How much a model relies on one column: the drop in score when the
/// column's cells are shuffled between rows, over several shuffles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Importance {
    /// The column.
    pub feature: String,
    /// Mean drop in score (baseline − shuffled); near 0 or below means unused.
    pub mean: f64,
    /// Standard deviation of the drop over the shuffles (0 with one shuffle).
    pub std: f64,
    /// Lower end of a ~95% interval for the mean: mean − 1.96·std/√repeats.
    pub low: f64,
    /// Upper end of a ~95% interval for the mean: mean + 1.96·std/√repeats.
    pub high: f64,
}

/// Permutation importance of each feature.
///
/// `score` is higher-is-better (ROC AUC, R², −RMSE…) and is computed on the
/// whole `frame` (which must hold the model's inputs and whatever `score`
/// needs, e.g. the target). For each feature its cells are shuffled between
/// rows `repeats` times (at least once) with a permutation seeded from
/// `seed` and the feature's name, and the model re-scored; the importance is
/// baseline − shuffled score. Features not in the frame are left out.
///
/// Sorted by mean importance, most important first (a NaN mean last).
pub fn permutation_importance(
    frame: &Frame,
    features: &[String],
    score: impl Fn(&Frame) -> f64,
    repeats: usize,
    seed: u64,
) -> Vec<Importance> {
    let repeats = repeats.max(1);
    let baseline = score(frame);
    let mut work = frame.clone();
    let mut importances = Vec::with_capacity(features.len());
    let mut seen = Vec::new();
    for feature in features {
        let Some(index) = frame.index_of(feature) else {
            continue;
        };
        if seen.contains(&index) {
            continue;
        }
        seen.push(index);
        let original = frame.column_at(index);
        let mut rng = Rng::new(seed ^ name_hash(&frame.names()[index]));
        let drops: Vec<f64> = (0..repeats)
            .map(|_| {
                let mut cells = original.to_vec();
                rng.shuffle(&mut cells);
                work.set_column(index, cells);
                baseline - score(&work)
            })
            .collect();
        work.set_column(index, original.clone());
        importances.push(summarise(&frame.names()[index], &drops));
    }
    let key = |i: &Importance| {
        if i.mean.is_nan() {
            f64::NEG_INFINITY
        } else {
            i.mean
        }
    };
    importances.sort_by(|a, b| key(b).total_cmp(&key(a)));
    importances
}

/// Mean, sample standard deviation and ~95% interval of the score drops.
fn summarise(feature: &str, drops: &[f64]) -> Importance {
    let n = drops.len() as f64;
    let mean = drops.iter().sum::<f64>() / n;
    let std = if drops.len() > 1 {
        (drops.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
    } else {
        0.0
    };
    let half = 1.96 * std / n.sqrt();
    Importance {
        feature: feature.to_string(),
        mean,
        std,
        low: mean - half,
        high: mean + half,
    }
}

/// A stable hash of a name (FNV-1a), so that a feature's shuffles do not
/// depend on where it sits in the list.
fn name_hash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// How the average prediction changes with one column's value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PartialDependence {
    /// The column.
    pub feature: String,
    /// Whether the grid is numeric (quantiles) rather than categories.
    pub numeric: bool,
    /// One point per grid value, in grid order (ascending for numbers, most
    /// frequent first for categories).
    pub points: Vec<PdPoint>,
}

/// The average prediction with the column set to one value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PdPoint {
    /// The cell as the user wrote it.
    pub value: String,
    /// The value as a number, for numeric features.
    pub x: Option<f64>,
    /// The mean prediction over the sampled rows with this value.
    pub mean: f64,
}

/// Partial dependence of the predictions on `feature`.
///
/// Takes up to `sample` rows (evenly spaced, so the result is
/// deterministic); for each grid value sets the whole column to it and
/// averages `predict` over those rows. All grid values go to `predict` in
/// one frame. The grid is, for a `numeric` feature, up to `grid` quantiles
/// (5% to 95%) of the values that parse as numbers (each point keeps the
/// cell's own text); otherwise the up to `grid` most frequent values.
///
/// No points when the feature is not in the frame, the frame is empty,
/// `grid` is 0 or the column has no usable value. `predict` must return one
/// prediction per row; points whose predictions are missing are left out.
pub fn partial_dependence(
    frame: &Frame,
    feature: &str,
    numeric: bool,
    predict: impl Fn(&Frame) -> Vec<f64>,
    grid: usize,
    sample: usize,
) -> PartialDependence {
    let mut result = PartialDependence {
        feature: feature.to_string(),
        numeric,
        points: Vec::new(),
    };
    let Some(index) = frame.index_of(feature) else {
        return result;
    };
    result.feature = frame.names()[index].clone();
    let n = frame.rows();
    if n == 0 || grid == 0 {
        return result;
    }
    let cells = frame.column_at(index);
    let values = if numeric {
        numeric_grid(cells, grid)
    } else {
        categorical_grid(cells, grid)
    };
    if values.is_empty() {
        return result;
    }
    let k = sample.clamp(1, n);
    let rows: Vec<usize> = (0..k).map(|i| i * n / k).collect();
    let repeated: Vec<usize> = values.iter().flat_map(|_| rows.iter().copied()).collect();
    let mut batch = frame.take_rows(&repeated);
    batch.set_column(
        index,
        values
            .iter()
            .flat_map(|(text, _)| std::iter::repeat_n(Some(text.as_str()), k))
            .collect::<Column>(),
    );
    let predictions = predict(&batch);
    result.points = values
        .into_iter()
        .enumerate()
        .filter_map(|(g, (value, x))| {
            let block = predictions.get(g * k..(g + 1) * k)?;
            Some(PdPoint {
                value,
                x,
                mean: block.iter().sum::<f64>() / k as f64,
            })
        })
        .collect();
    result
}

/// Up to `grid` distinct quantiles (5%..95%) of the cells that are finite
/// numbers, ascending, each with an observed cell's text.
fn numeric_grid(cells: &Column, grid: usize) -> Vec<(String, Option<f64>)> {
    let mut numbers: Vec<(f64, &str)> = cells
        .iter()
        .flatten()
        .filter_map(|c| parse_number(c).filter(|x| x.is_finite()).map(|x| (x, c)))
        .collect();
    if numbers.is_empty() {
        return Vec::new();
    }
    numbers.sort_by(|a, b| a.0.total_cmp(&b.0));
    let g = grid.min(numbers.len());
    let last = (numbers.len() - 1) as f64;
    let mut values: Vec<(String, Option<f64>)> = Vec::with_capacity(g);
    for i in 0..g {
        let q = if g == 1 {
            0.5
        } else {
            0.05 + 0.9 * i as f64 / (g - 1) as f64
        };
        let (x, text) = numbers[(q * last).round() as usize];
        if values.last().is_none_or(|v| v.1 != Some(x)) {
            values.push((text.to_string(), Some(x)));
        }
    }
    values
}

/// The up to `grid` most frequent values (ties in order of first
/// appearance), most frequent first.
fn categorical_grid(cells: &Column, grid: usize) -> Vec<(String, Option<f64>)> {
    let mut counts: HashMap<&str, (usize, usize)> = HashMap::new();
    for (i, cell) in cells.iter().enumerate() {
        if let Some(c) = cell {
            counts.entry(c).or_insert((0, i)).0 += 1;
        }
    }
    let mut ranked: Vec<(&str, (usize, usize))> = counts.into_iter().collect();
    ranked.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.1.1.cmp(&b.1.1)));
    ranked
        .into_iter()
        .take(grid)
        .map(|(v, _)| (v.to_string(), None))
        .collect()
}

/// Why one row got its prediction: each feature's share of the difference
/// between the prediction and the average prediction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contributions {
    /// The mean prediction over the background rows.
    pub baseline: f64,
    /// The prediction for the row; `baseline + Σ effects = prediction`.
    pub prediction: f64,
    /// One entry per feature, largest |effect| first.
    pub values: Vec<Contribution>,
}

/// One feature's part in a row's prediction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Contribution {
    /// The column.
    pub feature: String,
    /// The row's cell in that column.
    pub value: Option<String>,
    /// How much the row's value moves the prediction from the baseline
    /// (Shapley value).
    pub effect: f64,
}

/// A feature taking part in the explanation: its column in the row and in
/// the background.
struct Player {
    in_row: usize,
    in_background: usize,
    slot: usize,
}

/// Interventional Shapley values of `features` for the one row in `row`
/// (the first row if it has more), against `background` (a sample of
/// training rows; the features are found by name).
///
/// For each feature permutation and background row b, the walk starts from
/// the row with the features' cells taken from b and switches them to the
/// row's cells in the permutation's order, crediting each feature with the
/// change in prediction. With at least `d!` `permutations` (d features) all
/// orders are walked and the values are exact; otherwise `permutations`
/// orders are sampled with `seed`, each followed by its reverse (antithetic
/// pairs). One `predict` call per permutation.
///
/// Efficiency holds exactly: `baseline + Σ effects = prediction`, where
/// `prediction` is the row's prediction and `baseline` is the mean
/// prediction over the background rows. Columns outside `features` keep the
/// row's cells throughout, so the baseline is the mean over the background
/// of exactly those features; it equals the plain mean prediction over the
/// background whenever the model reads only `features`.
///
/// Features missing from the row or the background get no effect. With no
/// background rows every effect is 0 and the baseline is the prediction;
/// an empty `row` gives no values. `predict` must return one prediction per
/// row (missing ones count as NaN).
pub fn contributions(
    row: &Frame,
    background: &Frame,
    features: &[String],
    predict: impl Fn(&Frame) -> Vec<f64>,
    permutations: usize,
    seed: u64,
) -> Contributions {
    let at = |p: &[f64], i: usize| p.get(i).copied().unwrap_or(f64::NAN);
    if row.rows() == 0 {
        let baseline = if background.rows() == 0 {
            0.0
        } else {
            mean(&predict(background))
        };
        return Contributions {
            baseline,
            prediction: baseline,
            values: Vec::new(),
        };
    }
    let row = row.take_rows(&[0]);
    let prediction = at(&predict(&row), 0);
    let n_bg = background.rows();

    let (mut values, players) = players(&row, background, features);
    let d = players.len();
    let baseline = if d == 0 || n_bg == 0 {
        prediction
    } else {
        // Start of every walk: the row with all players' cells from b.
        let mut start = row.take_rows(&vec![0; n_bg]);
        for p in &players {
            start.set_column(p.in_row, background.column_at(p.in_background).to_vec());
        }
        let start_predictions = predict(&start);
        let starts: Vec<f64> = (0..n_bg).map(|b| at(&start_predictions, b)).collect();
        let baseline = mean(&starts);
        let orders = orders(d, permutations.max(1), seed);
        let mut effects = vec![0.0; d];
        // Intermediate states k = 1..d-1 (k players switched), one row per
        // (state, background row); the end state is the row itself.
        let template = (d > 1).then(|| row.take_rows(&vec![0; (d - 1) * n_bg]));
        for order in &orders {
            let predictions = match &template {
                Some(template) => {
                    predict(&walk_states(template, &row, background, &players, order))
                }
                None => Vec::new(),
            };
            for (b, &first) in starts.iter().enumerate() {
                let mut before = first;
                for (k, &p) in order.iter().enumerate() {
                    let after = if k + 1 == d {
                        prediction
                    } else {
                        at(&predictions, k * n_bg + b)
                    };
                    effects[p] += after - before;
                    before = after;
                }
            }
        }
        let walks = (orders.len() * n_bg) as f64;
        for (player, effect) in players.iter().zip(effects) {
            values[player.slot].effect = effect / walks;
        }
        baseline
    };
    values.sort_by(|a, b| b.effect.abs().total_cmp(&a.effect.abs()));
    Contributions {
        baseline,
        prediction,
        values,
    }
}

/// Every feature once, as a contribution with no effect yet, and the ones
/// both frames have as players (none without background rows).
fn players(
    row: &Frame,
    background: &Frame,
    features: &[String],
) -> (Vec<Contribution>, Vec<Player>) {
    let n_bg = background.rows();
    let mut values: Vec<Contribution> = Vec::new();
    let mut players: Vec<Player> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for feature in features {
        let in_row = row.index_of(feature);
        let name = in_row.map_or_else(|| feature.clone(), |i| row.names()[i].clone());
        if seen.contains(&name) {
            continue;
        }
        seen.push(name.clone());
        if let (Some(in_row), Some(in_background)) = (in_row, background.index_of(feature))
            && n_bg > 0
        {
            players.push(Player {
                in_row,
                in_background,
                slot: values.len(),
            });
        }
        values.push(Contribution {
            feature: name,
            value: in_row.and_then(|i| row.column_at(i).get(0).map(str::to_string)),
            effect: 0.0,
        });
    }
    (values, players)
}

/// The intermediate states of one walk, `order`: for k = 1..d-1 the row
/// with the first k players of the order switched to its own cells, the
/// others from each background row (one row per state and background row).
fn walk_states(
    template: &Frame,
    row: &Frame,
    background: &Frame,
    players: &[Player],
    order: &[usize],
) -> Frame {
    let d = players.len();
    let mut batch = template.clone();
    let mut position = vec![0; d];
    for (k, &p) in order.iter().enumerate() {
        position[p] = k;
    }
    for (p, player) in players.iter().enumerate() {
        let own = row.column_at(player.in_row).get(0);
        let theirs = background.column_at(player.in_background);
        let cells: Column = (1..d)
            .flat_map(|k| {
                let switched = position[p] < k;
                theirs.iter().map(move |t| if switched { own } else { t })
            })
            .collect();
        batch.set_column(player.in_row, cells);
    }
    batch
}

/// The feature orders to walk: all `d!` when there are no more than
/// `wanted`, otherwise `wanted` sampled ones in antithetic pairs (an order,
/// then its reverse).
fn orders(d: usize, wanted: usize, seed: u64) -> Vec<Vec<usize>> {
    let all = (1..=d).try_fold(1usize, |f, i| f.checked_mul(i).filter(|&f| f <= wanted));
    if all.is_some() {
        let mut order: Vec<usize> = (0..d).collect();
        let mut orders = vec![order.clone()];
        while next_permutation(&mut order) {
            orders.push(order.clone());
        }
        return orders;
    }
    let mut rng = Rng::new(seed);
    let mut orders = Vec::with_capacity(wanted);
    while orders.len() < wanted {
        let mut order: Vec<usize> = (0..d).collect();
        rng.shuffle(&mut order);
        let reverse: Vec<usize> = order.iter().rev().copied().collect();
        orders.push(order);
        if orders.len() < wanted {
            orders.push(reverse);
        }
    }
    orders
}

/// Advances `v` to the next lexicographic permutation; false after the last.
fn next_permutation(v: &mut [usize]) -> bool {
    let Some(i) = (1..v.len()).rev().find(|&i| v[i - 1] < v[i]) else {
        return false;
    };
    let Some(j) = (i..v.len()).rev().find(|&j| v[j] > v[i - 1]) else {
        return false;
    };
    v.swap(i - 1, j);
    v[i..].reverse();
    true
}

/// The mean (0 for none).
fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        0.0
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(columns: &[(&str, Vec<&str>)]) -> Frame {
        Frame::new(
            columns.iter().map(|c| c.0.to_string()).collect(),
            columns
                .iter()
                .map(|c| {
                    c.1.iter()
                        .map(|v| (!v.is_empty()).then(|| v.to_string()))
                        .collect()
                })
                .collect(),
        )
        .unwrap()
    }

    /// The additive model 2·a + (b == "x" ? 3 : 0); `c` is ignored.
    fn additive(f: &Frame) -> Vec<f64> {
        let a = f.column("a").unwrap();
        let b = f.column("b").unwrap();
        a.iter()
            .zip(b.iter())
            .map(|(a, b)| {
                let a: f64 = a.and_then(|v| v.parse().ok()).unwrap_or(0.0);
                2.0 * a + if b == Some("x") { 3.0 } else { 0.0 }
            })
            .collect()
    }

    /// A deterministic training set for the additive model.
    fn data(rows: usize) -> Frame {
        let a: Vec<String> = (0..rows).map(|i| ((i * 7) % 10).to_string()).collect();
        let b: Vec<&str> = (0..rows)
            .map(|i| ["x", "y", "z"][(i * 5 + i / 3) % 3])
            .collect();
        let c: Vec<String> = (0..rows).map(|i| ((i * 3) % 11).to_string()).collect();
        frame(&[
            ("a", a.iter().map(String::as_str).collect()),
            ("b", b),
            ("c", c.iter().map(String::as_str).collect()),
        ])
    }

    fn names(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn effect(c: &Contributions, feature: &str) -> f64 {
        c.values
            .iter()
            .find(|v| v.feature == feature)
            .unwrap()
            .effect
    }

    #[test]
    fn contributions_are_exact_for_an_additive_model() {
        let background = data(30);
        let row = frame(&[("a", vec!["9"]), ("b", vec!["x"]), ("c", vec!["4"])]);
        let mean_a = background
            .column("a")
            .unwrap()
            .iter()
            .map(|v| v.unwrap().parse::<f64>().unwrap())
            .sum::<f64>()
            / 30.0;
        let share_x = background
            .column("b")
            .unwrap()
            .iter()
            .filter(|v| v.as_deref() == Some("x"))
            .count() as f64
            / 30.0;
        let features = names(&["a", "b", "c"]);
        // All 3! orders (exact) and sampled antithetic orders agree: an
        // additive model has the same effect in every order.
        for permutations in [6, 4, 1] {
            let c = contributions(&row, &background, &features, additive, permutations, 7);
            assert!((effect(&c, "a") - 2.0 * (9.0 - mean_a)).abs() < 1e-9);
            assert!((effect(&c, "b") - 3.0 * (1.0 - share_x)).abs() < 1e-9);
            assert_eq!(effect(&c, "c"), 0.0);
            assert_eq!(c.prediction, 21.0);
            let baseline = additive(&background).iter().sum::<f64>() / 30.0;
            assert!((c.baseline - baseline).abs() < 1e-9);
            let total: f64 = c.values.iter().map(|v| v.effect).sum();
            assert!((c.baseline + total - c.prediction).abs() < 1e-9);
            assert_eq!(c.values[0].feature, "a");
            assert_eq!(c.values[0].value.as_deref(), Some("9"));
        }
    }

    #[test]
    fn contributions_are_efficient_for_an_interacting_model() {
        // a·b-style interaction: per-order effects differ, the sum does not.
        let model = |f: &Frame| -> Vec<f64> {
            let num = |name: &str, i: usize| -> f64 {
                f.column(name)
                    .unwrap()
                    .get(i)
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0.0)
            };
            (0..f.rows())
                .map(|i| num("a", i) * num("c", i) + num("a", i).powi(2))
                .collect()
        };
        let background = data(20);
        let row = frame(&[("a", vec!["8"]), ("b", vec!["q"]), ("c", vec!["10"])]);
        let features = names(&["a", "b", "c", "not there"]);
        let calls = std::cell::Cell::new(0);
        let counted = |f: &Frame| {
            calls.set(calls.get() + 1);
            model(f)
        };
        let c = contributions(&row, &background, &features, counted, 5, 3);
        // One call for the row, one for the start, one per order.
        assert_eq!(calls.get(), 2 + 5);
        let total: f64 = c.values.iter().map(|v| v.effect).sum();
        assert!((c.baseline + total - c.prediction).abs() < 1e-9);
        assert_eq!(c.prediction, 144.0);
        assert_eq!(effect(&c, "b"), 0.0);
        assert_eq!(effect(&c, "not there"), 0.0);
        assert_eq!(c.values.len(), 4);
        // Deterministic for a seed.
        let again = contributions(&row, &background, &features, model, 5, 3);
        assert_eq!(c, again);
    }

    #[test]
    fn contributions_without_background_or_row() {
        let row = frame(&[("a", vec!["1"]), ("b", vec!["x"])]);
        let empty = frame(&[("a", vec![]), ("b", vec![])]);
        let features = names(&["a", "b"]);
        let c = contributions(&row, &empty, &features, additive, 10, 1);
        assert_eq!((c.baseline, c.prediction), (5.0, 5.0));
        assert!(c.values.iter().all(|v| v.effect == 0.0));
        let c = contributions(&empty, &row, &features, additive, 10, 1);
        assert_eq!((c.baseline, c.prediction), (5.0, 5.0));
        assert!(c.values.is_empty());
    }

    #[test]
    fn permutation_importance_ranks_used_features_first() {
        let frame = data(60);
        let truth = additive(&frame);
        // Higher is better: minus the mean squared error against the truth.
        let score = |f: &Frame| {
            let p = additive(f);
            -p.iter()
                .zip(&truth)
                .map(|(p, t)| (p - t).powi(2))
                .sum::<f64>()
                / p.len() as f64
        };
        let features = names(&["c", "b", "a", "missing"]);
        let importances = permutation_importance(&frame, &features, score, 5, 42);
        let order: Vec<&str> = importances.iter().map(|i| i.feature.as_str()).collect();
        assert_eq!(order, ["a", "b", "c"]);
        let c = &importances[2];
        assert_eq!((c.mean, c.std, c.low, c.high), (0.0, 0.0, 0.0, 0.0));
        for i in &importances[..2] {
            assert!(i.mean > 0.0 && i.std >= 0.0);
            assert!(i.low <= i.mean && i.mean <= i.high);
            let half = 1.96 * i.std / 5f64.sqrt();
            assert!((i.high - i.mean - half).abs() < 1e-12);
        }
        // Same seed, same answer; the order of the features does not matter.
        let again = permutation_importance(&frame, &names(&["a", "b", "c"]), score, 5, 42);
        assert_eq!(importances, again);
    }

    #[test]
    fn partial_dependence_follows_the_model() {
        let frame = data(50);
        let pd = partial_dependence(&frame, "A", true, additive, 5, 20);
        assert_eq!(pd.feature, "a");
        assert!(pd.numeric);
        assert_eq!(pd.points.len(), 5);
        for pair in pd.points.windows(2) {
            assert!(pair[1].x > pair[0].x);
            assert!(pair[1].mean > pair[0].mean);
            // Slope 2 in `a`.
            let (x0, x1) = (pair[0].x.unwrap(), pair[1].x.unwrap());
            assert!((pair[1].mean - pair[0].mean - 2.0 * (x1 - x0)).abs() < 1e-9);
        }
        assert_eq!(pd.points[0].value, "0");
        assert_eq!(pd.points[4].value, "9");

        let flat = partial_dependence(&frame, "c", true, additive, 4, 1000);
        assert_eq!(flat.points.len(), 4);
        assert!(
            flat.points
                .iter()
                .all(|p| (p.mean - flat.points[0].mean).abs() < 1e-12)
        );

        let b = partial_dependence(&frame, "b", false, additive, 2, 1000);
        assert_eq!(b.points.len(), 2);
        assert!(b.points.iter().all(|p| p.x.is_none()));
        let x = b.points.iter().find(|p| p.value == "x");
        let other = b.points.iter().find(|p| p.value != "x");
        if let (Some(x), Some(other)) = (x, other) {
            assert!((x.mean - other.mean - 3.0).abs() < 1e-9);
        }
    }

    #[test]
    fn partial_dependence_edge_cases() {
        let frame = frame(&[("a", vec!["1", "", "n/a", "2", "2"]), ("b", vec!["x"; 5])]);
        // Text cells are skipped, duplicates collapse.
        let pd = partial_dependence(&frame, "a", true, additive, 10, 10);
        let xs: Vec<Option<f64>> = pd.points.iter().map(|p| p.x).collect();
        assert_eq!(xs, [Some(1.0), Some(2.0)]);
        assert!(
            partial_dependence(&frame, "zzz", true, additive, 10, 10)
                .points
                .is_empty()
        );
        assert!(
            partial_dependence(&frame, "a", true, additive, 0, 10)
                .points
                .is_empty()
        );
        assert!(
            partial_dependence(&frame, "b", true, additive, 5, 10)
                .points
                .is_empty()
        );
        // A model that returns too few predictions loses the points it missed.
        let short = |f: &Frame| additive(f).into_iter().take(5).collect::<Vec<_>>();
        assert_eq!(
            partial_dependence(&frame, "a", true, short, 10, 5)
                .points
                .len(),
            1
        );
    }

    #[test]
    fn permutations_are_enumerated_or_sampled_in_pairs() {
        assert_eq!(orders(3, 6, 0).len(), 6);
        assert_eq!(orders(3, 100, 0).len(), 6);
        let sampled = orders(4, 5, 9);
        assert_eq!(sampled.len(), 5);
        let reversed: Vec<usize> = sampled[0].iter().rev().copied().collect();
        assert_eq!(sampled[1], reversed);
        assert_eq!(orders(0, 3, 0), vec![Vec::<usize>::new()]);
        assert_eq!(orders(40, 2, 0).len(), 2);
    }
}

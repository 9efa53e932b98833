//! Feature discovery: which columns tell the most about a target.
//!
//! [`discover`] scores every usable column against the target three ways and
//! ranks them by the mean of the three rank positions:
//!
//! * **association** (0..1): |Pearson r| between numeric-like columns (numbers,
//!   booleans as 0/1, dates as days) and a numeric or two-class target (the
//!   positive class as 1); the correlation ratio *eta* between a category and a
//!   number (either way round); Cramér's V between a category and classes.
//!   Eta and Cramér's V are bias-corrected (adjusted eta², Bergsma's corrected
//!   V), so columns with many categories do not look associated by chance.
//! * **mutual information** in nats, on binned values: numbers (and numeric
//!   targets) in up to 10 quantile bins, categories as they are, missing cells
//!   as a bin of their own (so "missing means something" shows). Less the
//!   value expected by chance for that many bins, and floored at 0.
//! * **importance**: each column's share of the total split gain of a
//!   gradient-boosted tree ensemble (forust-ml) trained on all usable columns
//!   together. It sees interactions and non-linear effects, and shares credit
//!   between redundant columns.
//!
//! Rows whose target is missing are left out.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use forust_ml::gradientbooster::ImportanceMethod;
use forust_ml::objective::ObjectiveType;
use forust_ml::{GradientBooster, Matrix};
use serde::Serialize;

use crate::error::{MlError, Result};
use crate::frame::Frame;
use crate::learner::Task;
use crate::profile::{
    Kind, days_since_epoch, distinct_numbers, infer_kind, parse_bool, parse_date, parse_number,
};
use crate::target::{Target, TargetValues};

/// Quantile bins for numbers in mutual information.
const MI_BINS: usize = 10;
/// Boosting rounds in total (shared out between one-vs-rest boosters).
const ITERATIONS: usize = 100;
/// At most this many one-vs-rest boosters for a multiclass target.
const MAX_ONE_VS_REST: usize = 5;

/// How much one column tells about the target.
#[derive(Debug, Clone, Serialize)]
pub struct FeatureScore {
    /// The column name.
    pub feature: String,
    /// The column's inferred kind.
    pub kind: Kind,
    /// Pearson r with the target, for a numeric, boolean (0/1) or date (days)
    /// column against a numeric or two-class target (the positive class,
    /// [`Discovery::positive_class`], counts as 1). `None` otherwise, or when
    /// either side does not vary.
    pub correlation: Option<f64>,
    /// Strength of association, 0..1: |r| for numeric pairs, the correlation
    /// ratio eta for a category against a number (or a number against
    /// classes), Cramér's V for a category against classes.
    pub association: f64,
    /// Mutual information with the target in nats (numbers binned into up to
    /// 10 quantile bins, missing cells as their own bin, less the value expected
    /// by chance).
    pub mutual_information: f64,
    /// Share (0..1, summing to 1 over the features) of the total split gain in
    /// a gradient-boosted tree ensemble trained on the features together (all
    /// 0 if the ensemble found no useful split).
    pub importance: f64,
    /// Position by the mean of the importance, mutual information and
    /// association rank positions; 1 is best.
    pub rank: usize,
    /// A short plain sentence on what the scores say.
    pub reason: String,
}

/// The features of a target, best first, and the columns left out.
#[derive(Debug, Clone, Serialize)]
pub struct Discovery {
    /// The target column's name (as spelled in the frame).
    pub target: String,
    /// What predicting the target would be, as [`crate::Target::resolve`]
    /// decides it for training: classes for booleans, categories and whole
    /// numbers with at most 10 distinct values (binary or multiclass),
    /// regression for other numbers.
    pub task: Task,
    /// For a two-class target, the class that counts as 1 in
    /// [`FeatureScore::correlation`] (the positive class of
    /// [`crate::Target::positive`]: true for a boolean target, as written; the
    /// larger number; otherwise the later label in sort order). `None` for
    /// other tasks.
    pub positive_class: Option<String>,
    /// The usable columns, ranked (rank 1 first).
    pub features: Vec<FeatureScore>,
    /// Columns left out and why ("excluded", "an identifier…", "free text…",
    /// "constant…", "all missing"), in column order.
    pub skipped: Vec<(String, String)>,
}

/// Ranks every usable column of `frame` by how much it tells about `target`.
///
/// Skips the target, the `exclude`d columns, identifiers, free text, and
/// columns that are constant or all missing (on the rows where the target has
/// a value); those are listed in [`Discovery::skipped`].
///
/// The task follows the target as [`crate::Target::resolve`] reads it for
/// training: numbers with more than 10 distinct values (or fractions) are a
/// regression (squared loss on the standardised target); otherwise the values
/// are classes (two: log loss; more: one-vs-rest log-loss boosters for the 5
/// most frequent classes, whose gain shares are averaged). The boosters are
/// deterministic (fixed seed, single-threaded, 100 rounds in all, depth 4,
/// learning rate 0.1, 64 bins); numbers go in as they are with NaN for
/// missing, booleans as 0/1, dates as days since 1970, categories as codes in
/// sorted label order (missing as NaN). A column with one value and gaps goes
/// in as a filled-in indicator.
///
/// Errors: an unknown target or excluded column, or a target with no values
/// (`MlError::Data`, naming the closest column where one is close); a target
/// that is constant, an identifier, free text, dates or has too many classes
/// (`MlError::Request`); a failed fit (`MlError::Fit`).
pub fn discover(frame: &Frame, target: &str, exclude: &[String]) -> Result<Discovery> {
    let t = frame.require(target)?;
    let mut excluded = HashSet::new();
    for name in exclude {
        excluded.insert(frame.require(name)?);
    }
    let (y, rows) = Goal::new(frame, t)?;

    let mut skipped = Vec::new();
    let mut columns = Vec::new();
    for (i, name) in frame.names().iter().enumerate() {
        if i == t {
            continue;
        }
        if excluded.contains(&i) {
            skipped.push((name.clone(), "excluded".to_string()));
            continue;
        }
        let cells = frame.column_at(i);
        let kind = infer_kind(name, cells);
        let skip = match kind {
            Kind::Id => Some("an identifier (a different value on every row)".to_string()),
            Kind::Text => Some("free text (words, not categories)".to_string()),
            _ => {
                let column = Column::new(name, kind, cells, &rows);
                let why = column.unusable();
                if why.is_none() {
                    columns.push(column);
                }
                why
            }
        };
        if let Some(why) = skip {
            skipped.push((name.clone(), why));
        }
    }

    let importance = importance(&columns, &y)?;
    let scores: Vec<FeatureScore> = columns
        .iter()
        .zip(importance)
        .map(|(c, imp)| score(c, &y, imp))
        .collect();
    let strongest = scores.iter().map(|f| f.importance).fold(0.0, f64::max);
    let features = rank_order(&scores)
        .into_iter()
        .enumerate()
        .map(|(position, i)| {
            let mut f = scores[i].clone();
            f.rank = position + 1;
            f.reason = reason(&f, &columns[i], &y, strongest);
            f
        })
        .collect();
    Ok(Discovery {
        task: y.task,
        positive_class: y.positive.map(|p| y.classes[p].clone()),
        target: y.name,
        features,
        skipped,
    })
}

/// The target on the rows where it has a value, as [`Target::resolve`] reads
/// it (so the task and classes agree with training).
struct Goal {
    name: String,
    task: Task,
    /// Numbers for Pearson r and eta: the values (regression) or 0/1 (binary,
    /// the positive class as 1).
    numbers: Option<Vec<f64>>,
    /// Bins for mutual information: quantile bins (regression) or class indices.
    bins: Vec<usize>,
    /// Class labels (empty for regression).
    classes: Vec<String>,
    /// The class counted as 1 for a binary target.
    positive: Option<usize>,
}

impl Goal {
    /// The target and the frame rows where it has a value.
    fn new(frame: &Frame, index: usize) -> Result<(Self, Vec<usize>)> {
        let name = frame.names()[index].clone();
        refuse_constant(&name, frame.column_at(index))?;
        let (target, values) = Target::resolve(frame, &name)?;
        let rows = values.present();
        let goal = match values {
            TargetValues::Values(v) => {
                let xs: Vec<f64> = rows.iter().filter_map(|&r| v[r]).collect();
                Self {
                    name,
                    task: Task::Regression,
                    bins: quantile_bins(&xs, MI_BINS).0,
                    numbers: Some(xs),
                    classes: Vec::new(),
                    positive: None,
                }
            }
            TargetValues::Classes(c) => {
                let bins: Vec<usize> = rows.iter().filter_map(|&r| c[r]).collect();
                let positive = target
                    .positive()
                    .and_then(|p| target.classes.iter().position(|c| c == p));
                let numbers =
                    positive.map(|p| bins.iter().map(|&b| f64::from(u8::from(b == p))).collect());
                Self {
                    name,
                    task: target.task,
                    numbers,
                    bins,
                    classes: target.classes,
                    positive,
                }
            }
        };
        Ok((goal, rows))
    }

    fn classes(&self) -> usize {
        self.classes.len()
    }

    /// How a higher value of a feature goes with the target, for a sentence.
    fn direction(&self, up: bool) -> String {
        match (self.task, self.positive) {
            (Task::Binary, Some(p)) => format!(
                "{} = {} {}",
                self.name,
                self.classes[p],
                if up { "more often" } else { "less often" }
            ),
            _ => format!("{} {}", if up { "higher" } else { "lower" }, self.name),
        }
    }
}

/// Refuses a target with a single value (compared as booleans or numbers
/// where the column holds them, so `yes`/`Yes` or `1`/`1.0` are one value).
fn refuse_constant(name: &str, cells: &crate::Column) -> Result<()> {
    let values: Vec<&str> = cells.iter().flatten().collect();
    let Some(first) = values.first() else {
        return Ok(());
    };
    let same = match infer_kind(name, cells) {
        Kind::Boolean => values.iter().all(|v| parse_bool(v) == parse_bool(first)),
        Kind::Numeric => values
            .iter()
            .all(|v| parse_number(v) == parse_number(first)),
        _ => values.iter().all(|v| v == first),
    };
    if same {
        return Err(MlError::Request(format!(
            "{name:?} is constant (always {first:?} where it has a value), so it cannot be predicted; pick a target that varies"
        )));
    }
    Ok(())
}

/// A feature column on the rows where the target has a value.
struct Column {
    name: String,
    kind: Kind,
    values: Values,
    /// How a boolean column most often writes true (`yes`, `True`, `1`).
    true_label: String,
}

enum Values {
    /// Numbers, booleans as 0/1, dates as days; NaN when missing.
    Numbers(Vec<f64>),
    /// Category codes into `labels` (sorted); `None` when missing.
    Codes {
        codes: Vec<Option<usize>>,
        labels: Vec<String>,
    },
}

impl Column {
    fn new(name: &str, kind: Kind, cells: &crate::Column, rows: &[usize]) -> Self {
        let kept = rows.iter().map(|&r| cells.get(r));
        let number = |f: fn(&str) -> Option<f64>| -> Vec<f64> {
            kept.clone()
                .map(|c| c.and_then(f).unwrap_or(f64::NAN))
                .collect()
        };
        let values = match kind {
            Kind::Numeric => Values::Numbers(number(parse_number)),
            Kind::Boolean => {
                Values::Numbers(number(|c| parse_bool(c).map(|b| f64::from(u8::from(b)))))
            }
            Kind::Date => Values::Numbers(number(|c| parse_date(c).map(days_since_epoch))),
            Kind::Categorical | Kind::Text | Kind::Id => {
                let labels: Vec<String> = kept
                    .clone()
                    .flatten()
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .map(str::to_string)
                    .collect();
                let codes = kept
                    .map(|c| c.and_then(|c| labels.binary_search_by(|l| l.as_str().cmp(c)).ok()))
                    .collect();
                Values::Codes { codes, labels }
            }
        };
        let mut spellings: BTreeMap<&str, usize> = BTreeMap::new();
        if kind == Kind::Boolean {
            for c in rows.iter().filter_map(|&r| cells.get(r)) {
                if parse_bool(c) == Some(true) {
                    *spellings.entry(c).or_default() += 1;
                }
            }
        }
        // The most frequent spelling; ties go to the first in sort order.
        let true_label = spellings
            .iter()
            .rev()
            .max_by_key(|(_, n)| **n)
            .map_or("true", |(c, _)| *c)
            .to_string();
        Self {
            name: name.to_string(),
            kind,
            values,
            true_label,
        }
    }

    fn missing(&self) -> usize {
        match &self.values {
            Values::Numbers(xs) => xs.iter().filter(|x| x.is_nan()).count(),
            Values::Codes { codes, .. } => codes.iter().filter(|c| c.is_none()).count(),
        }
    }

    fn len(&self) -> usize {
        match &self.values {
            Values::Numbers(xs) => xs.len(),
            Values::Codes { codes, .. } => codes.len(),
        }
    }

    fn distinct(&self) -> usize {
        match &self.values {
            Values::Numbers(xs) => {
                let present: Vec<f64> = xs.iter().copied().filter(|x| !x.is_nan()).collect();
                distinct_numbers(&present)
            }
            Values::Codes { codes, labels } => {
                let mut seen = vec![false; labels.len()];
                codes.iter().flatten().for_each(|c| seen[*c] = true);
                seen.into_iter().filter(|s| *s).count()
            }
        }
    }

    /// Why the column cannot help, if it cannot: no values, or one value on
    /// every row. (One value plus missing cells still says something: whether
    /// the cell is filled in.)
    fn unusable(&self) -> Option<String> {
        let missing = self.missing();
        if missing == self.len() {
            return Some("all missing".to_string());
        }
        if missing == 0 && self.distinct() <= 1 {
            let only = match &self.values {
                Values::Numbers(xs) => xs.first().map(|x| x.to_string()),
                Values::Codes { labels, .. } => labels.first().cloned(),
            };
            return Some(format!("constant (always {:?})", only.unwrap_or_default()));
        }
        None
    }

    /// The column as the booster takes it: numbers with NaN for missing,
    /// categories as codes; a single value with gaps as a filled-in indicator.
    fn for_trees(&self) -> Vec<f64> {
        let indicator = self.distinct() <= 1;
        match &self.values {
            Values::Numbers(xs) if indicator => xs
                .iter()
                .map(|x| f64::from(u8::from(!x.is_nan())))
                .collect(),
            Values::Numbers(xs) => xs.clone(),
            Values::Codes { codes, .. } => codes
                .iter()
                .map(|c| match c {
                    Some(c) if indicator => f64::from(u8::from(*c == 0)),
                    Some(c) => *c as f64,
                    None if indicator => 0.0,
                    None => f64::NAN,
                })
                .collect(),
        }
    }

    /// Bins for mutual information (missing cells in a bin of their own).
    fn bins(&self) -> Vec<usize> {
        match &self.values {
            Values::Numbers(xs) => quantile_bins(xs, MI_BINS).0,
            Values::Codes { codes, labels } => {
                codes.iter().map(|c| c.unwrap_or(labels.len())).collect()
            }
        }
    }
}

/// Scores one column (everything but rank and reason).
fn score(column: &Column, y: &Goal, importance: f64) -> FeatureScore {
    let bins = column.bins();
    let (correlation, association) = match (&column.values, &y.numbers, y.task) {
        (Values::Numbers(xs), Some(ys), Task::Regression | Task::Binary) => {
            let r = pearson(xs, ys);
            (r, r.map_or(0.0, f64::abs))
        }
        (Values::Numbers(xs), _, _) => (None, eta(&y.bins, xs)),
        (Values::Codes { .. }, Some(ys), Task::Regression) => (None, eta(&bins, ys)),
        (Values::Codes { .. }, _, _) => (None, cramers_v(&bins, &y.bins)),
    };
    FeatureScore {
        feature: column.name.clone(),
        kind: column.kind,
        correlation,
        association,
        mutual_information: mutual_information(&bins, &y.bins),
        importance,
        rank: 0,
        reason: String::new(),
    }
}

/// Gain shares from forust-ml boosters trained on all the columns.
fn importance(columns: &[Column], y: &Goal) -> Result<Vec<f64>> {
    if columns.is_empty() {
        return Ok(Vec::new());
    }
    let rows = columns[0].len();
    let data: Vec<f64> = columns.iter().flat_map(Column::for_trees).collect();
    let matrix = Matrix::new(&data, rows, columns.len());
    let fit = |objective: ObjectiveType, target: &[f64], iterations: usize| -> Result<Vec<f64>> {
        let mut booster = GradientBooster::default()
            .set_objective_type(objective)
            .set_iterations(iterations)
            .set_learning_rate(0.1)
            .set_max_depth(4)
            .set_nbins(64)
            .set_parallel(false)
            .set_seed(0);
        booster
            .fit_unweighted(&matrix, target, None)
            .map_err(|e| MlError::Fit {
                family: "gradient-boosted trees",
                message: e.to_string(),
            })?;
        let gains = booster.calculate_feature_importance(ImportanceMethod::TotalGain, false);
        let gain: Vec<f64> = (0..columns.len())
            .map(|i| gains.get(&i).map_or(0.0, |g| f64::from(*g).max(0.0)))
            .collect();
        Ok(shares(&gain))
    };
    match (y.task, &y.numbers) {
        // Standardised, so that gains stay in range whatever the target's scale.
        (Task::Regression, Some(ys)) => {
            fit(ObjectiveType::SquaredLoss, &standardise(ys), ITERATIONS)
        }
        (Task::Binary, Some(ys)) => fit(ObjectiveType::LogLoss, ys, ITERATIONS),
        _ => {
            // One-vs-rest for the most frequent classes; shares averaged.
            let mut counts = vec![0usize; y.classes()];
            for &b in &y.bins {
                counts[b] += 1;
            }
            let mut order: Vec<usize> = (0..y.classes()).collect();
            order.sort_by(|a, b| counts[*b].cmp(&counts[*a]).then(a.cmp(b)));
            order.truncate(MAX_ONE_VS_REST);
            let each = (ITERATIONS / order.len()).max(20);
            let mut total = vec![0.0; columns.len()];
            for class in &order {
                let ys: Vec<f64> = y
                    .bins
                    .iter()
                    .map(|&b| f64::from(u8::from(b == *class)))
                    .collect();
                for (t, s) in total
                    .iter_mut()
                    .zip(fit(ObjectiveType::LogLoss, &ys, each)?)
                {
                    *t += s;
                }
            }
            Ok(shares(&total))
        }
    }
}

/// Values less their mean, over their standard deviation (as they are if
/// they do not vary).
fn standardise(values: &[f64]) -> Vec<f64> {
    let n = values.len().max(1) as f64;
    let mean = values.iter().sum::<f64>() / n;
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
    if sd > 0.0 && sd.is_finite() {
        values.iter().map(|v| (v - mean) / sd).collect()
    } else {
        values.to_vec()
    }
}

/// Values as shares of their sum (all 0 when the sum is 0).
fn shares(values: &[f64]) -> Vec<f64> {
    let sum: f64 = values.iter().sum();
    values
        .iter()
        .map(|v| if sum > 0.0 { v / sum } else { 0.0 })
        .collect()
}

/// Feature indices, best first, by the mean rank position of importance,
/// mutual information and association; ties by importance, then column order.
fn rank_order(features: &[FeatureScore]) -> Vec<usize> {
    let positions =
        |f: fn(&FeatureScore) -> f64| rank_positions(&features.iter().map(f).collect::<Vec<_>>());
    let by_importance = positions(|f| f.importance);
    let by_mi = positions(|f| f.mutual_information);
    let by_association = positions(|f| f.association);
    let combined: Vec<f64> = (0..features.len())
        .map(|i| (by_importance[i] + by_mi[i] + by_association[i]) / 3.0)
        .collect();
    let mut order: Vec<usize> = (0..features.len()).collect();
    order.sort_by(|&a, &b| {
        combined[a]
            .total_cmp(&combined[b])
            .then(features[b].importance.total_cmp(&features[a].importance))
            .then(a.cmp(&b))
    });
    order
}

/// 1-based positions, largest value first; ties share their mean position.
fn rank_positions(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|a, b| values[*b].total_cmp(&values[*a]));
    let mut positions = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        let mean = (start + 1 + end) as f64 / 2.0;
        for &i in &order[start..end] {
            positions[i] = mean;
        }
        start = end;
    }
    positions
}

/// Below these, a feature is called weak.
const WEAK_ASSOCIATION: f64 = 0.05;
const WEAK_MI: f64 = 0.005;
/// From this association on, a feature may be leaking the target.
const LEAK_ASSOCIATION: f64 = 0.95;

/// A short sentence on what the scores say.
fn reason(f: &FeatureScore, column: &Column, y: &Goal, strongest: f64) -> String {
    let gain = percent(f.importance);
    if f.association < WEAK_ASSOCIATION && f.mutual_information < WEAK_MI {
        let mut s = format!(
            "weak: little association with {} (MI {} nats)",
            y.name,
            nats(f.mutual_information)
        );
        if f.importance >= 0.05 {
            s.push_str(&format!(
                "; the trees still give it {gain} of gain, which may be fitting noise"
            ));
        }
        return s;
    }
    let lead = if f.importance > 0.0 && f.importance >= strongest {
        format!("strongest predictor in the tree ensemble ({gain} of gain)")
    } else if f.importance >= 0.15 {
        format!("major predictor in the tree ensemble ({gain} of gain)")
    } else if f.importance >= 0.05 {
        format!("useful predictor ({gain} of the ensemble's gain)")
    } else if f.importance > 0.0 {
        format!("minor predictor ({gain} of the ensemble's gain)")
    } else {
        "associated, but the tree ensemble gave it no gain (other columns explained the target first)".to_string()
    };
    let detail = match (&column.values, f.correlation) {
        (Values::Numbers(_), Some(r)) if r.abs() >= WEAK_ASSOCIATION => {
            let subject = match column.kind {
                Kind::Boolean => format!("{} = {}", f.feature, column.true_label),
                Kind::Date => format!("later {}", f.feature),
                _ => format!("higher {}", f.feature),
            };
            Some(format!(
                "{subject} goes with {} (r = {r:+.2})",
                y.direction(r > 0.0)
            ))
        }
        (Values::Numbers(_), Some(r)) => Some(format!(
            "no straight-line trend (r = {r:+.2}) but {} varies with it (MI {} nats)",
            y.name,
            nats(f.mutual_information)
        )),
        (Values::Numbers(_), None) if y.task == Task::Multiclass => Some(format!(
            "the classes of {} differ in {} (eta {:.2})",
            y.name, f.feature, f.association
        )),
        (Values::Numbers(_), None) if column.missing() > 0 => Some(format!(
            "{} varies with whether {} is filled in (MI {} nats)",
            y.name,
            f.feature,
            nats(f.mutual_information)
        )),
        (Values::Numbers(_), None) => None,
        (Values::Codes { codes, labels }, _) => {
            let measure = if y.task == Task::Regression {
                "eta"
            } else {
                "Cramér's V"
            };
            let summary = format!("{measure} {:.2}", f.association);
            Some(match category_contrast(codes, labels, y, &f.feature) {
                Some(contrast) => format!("{contrast} ({summary})"),
                None => format!("{summary} with {}", y.name),
            })
        }
    };
    let mut sentence = match detail {
        Some(d) => format!("{lead}; {d}"),
        None => lead,
    };
    if f.association >= LEAK_ASSOCIATION {
        sentence.push_str(&format!(
            "; it almost determines {}: check that it is known before {} is (a possible leak)",
            y.name, y.name
        ));
    }
    sentence
}

/// The category whose target rate (binary) or mean (regression) stands out
/// most from the overall one, among categories on enough rows.
fn category_contrast(
    codes: &[Option<usize>],
    labels: &[String],
    y: &Goal,
    feature: &str,
) -> Option<String> {
    let ys = y.numbers.as_ref()?;
    let n = ys.len();
    let min_rows = (n / 50).max(5);
    let mut groups: BTreeMap<Option<usize>, (usize, f64)> = BTreeMap::new();
    for (c, v) in codes.iter().zip(ys) {
        let g = groups.entry(*c).or_default();
        g.0 += 1;
        g.1 += v;
    }
    let overall = ys.iter().sum::<f64>() / n as f64;
    let (code, mean) = groups
        .iter()
        .filter(|(_, (count, _))| *count >= min_rows)
        .map(|(c, (count, sum))| (*c, sum / *count as f64))
        .max_by(|a, b| (a.1 - overall).abs().total_cmp(&(b.1 - overall).abs()))?;
    let label = match code {
        Some(c) => format!("{feature} = {}", labels.get(c)?),
        None => format!("{feature} is missing"),
    };
    Some(match (y.task, y.positive) {
        (Task::Binary, Some(p)) => format!(
            "{} = {} on {} of rows where {label} vs {} overall",
            y.name,
            y.classes[p],
            percent(mean),
            percent(overall)
        ),
        _ => format!(
            "{} averages {} where {label} vs {} overall",
            y.name,
            number(mean),
            number(overall)
        ),
    })
}

/// Mutual information for a sentence: `0`, `<0.001` or three decimals.
fn nats(mi: f64) -> String {
    if mi <= 0.0 {
        "0".to_string()
    } else if mi < 0.001 {
        "<0.001".to_string()
    } else {
        format!("{mi:.3}")
    }
}

fn percent(share: f64) -> String {
    if share > 0.0 && share < 0.005 {
        "<1%".to_string()
    } else {
        format!("{:.0}%", share * 100.0)
    }
}

/// A number with about four significant digits.
fn number(x: f64) -> String {
    let a = x.abs();
    if a >= 1000.0 {
        format!("{x:.0}")
    } else if a >= 100.0 {
        format!("{x:.1}")
    } else if a >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    }
}

/// Bins numbers by up to `max_bins` quantiles (each distinct value its own
/// bin when there are that few); NaN goes to a bin after the others.
/// Returns the bins and the bin count (including the missing bin).
fn quantile_bins(xs: &[f64], max_bins: usize) -> (Vec<usize>, usize) {
    let mut sorted: Vec<f64> = xs.iter().copied().filter(|x| !x.is_nan()).collect();
    sorted.sort_by(f64::total_cmp);
    let mut distinct = sorted.clone();
    distinct.dedup();
    let mut cuts: Vec<f64> = if distinct.len() <= max_bins {
        distinct.into_iter().skip(1).collect()
    } else {
        (1..max_bins)
            .map(|k| sorted[k * sorted.len() / max_bins])
            .collect()
    };
    cuts.dedup();
    let missing = cuts.len() + 1;
    let bins = xs
        .iter()
        .map(|x| {
            if x.is_nan() {
                missing
            } else {
                cuts.partition_point(|c| c <= x)
            }
        })
        .collect();
    (bins, missing + 1)
}

/// Pearson r over rows where both are present; `None` with fewer than 3
/// such rows or when either side does not vary.
fn pearson(xs: &[f64], ys: &[f64]) -> Option<f64> {
    let pairs: Vec<(f64, f64)> = xs
        .iter()
        .zip(ys)
        .filter(|(x, y)| x.is_finite() && y.is_finite())
        .map(|(x, y)| (*x, *y))
        .collect();
    if pairs.len() < 3 {
        return None;
    }
    let n = pairs.len() as f64;
    let mx = pairs.iter().map(|p| p.0).sum::<f64>() / n;
    let my = pairs.iter().map(|p| p.1).sum::<f64>() / n;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (x, y) in &pairs {
        sxy += (x - mx) * (y - my);
        sxx += (x - mx).powi(2);
        syy += (y - my).powi(2);
    }
    (sxx > 0.0 && syy > 0.0).then(|| (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}

/// Correlation ratio eta of `values` grouped by `groups` (rows with a NaN
/// value left out), from the adjusted eta² (like adjusted R²) floored at 0.
fn eta(groups: &[usize], values: &[f64]) -> f64 {
    let mut sums: Vec<(usize, f64)> = vec![(0, 0.0); groups.iter().max().map_or(0, |m| m + 1)];
    let (mut n, mut total) = (0usize, 0.0);
    for (g, v) in groups.iter().zip(values) {
        if v.is_nan() {
            continue;
        }
        sums[*g].0 += 1;
        sums[*g].1 += v;
        n += 1;
        total += v;
    }
    sums.retain(|(c, _)| *c > 0);
    let k = sums.len();
    if n <= k || k < 2 {
        return 0.0;
    }
    let mean = total / n as f64;
    let ss_total: f64 = values
        .iter()
        .filter(|v| !v.is_nan())
        .map(|v| (v - mean).powi(2))
        .sum();
    if ss_total <= 0.0 {
        return 0.0;
    }
    let ss_between: f64 = sums
        .iter()
        .map(|(c, s)| *c as f64 * (s / *c as f64 - mean).powi(2))
        .sum();
    let eta2 = (ss_between / ss_total).min(1.0);
    let adjusted = 1.0 - (1.0 - eta2) * (n - 1) as f64 / (n - k) as f64;
    adjusted.max(0.0).sqrt()
}

/// Joint and marginal counts of two binnings.
struct Table {
    n: f64,
    /// Occupied cells: (a bin, b bin, count).
    joint: Vec<(usize, usize, usize)>,
    /// Counts per a bin and per b bin (zero for unused bins).
    a: Vec<usize>,
    b: Vec<usize>,
}

impl Table {
    fn new(a: &[usize], b: &[usize]) -> Self {
        let width = b.iter().max().map_or(1, |m| m + 1);
        let mut counts = vec![0; a.iter().max().map_or(0, |m| m + 1)];
        let mut b_counts = vec![0; width];
        let mut cells: Vec<usize> = Vec::with_capacity(a.len());
        for (x, y) in a.iter().zip(b) {
            counts[*x] += 1;
            b_counts[*y] += 1;
            cells.push(x * width + y);
        }
        // Sorting the cell keys counts the joint table without a dense
        // (a bins × b bins) array.
        cells.sort_unstable();
        let mut joint: Vec<(usize, usize, usize)> = Vec::new();
        for key in cells {
            match joint.last_mut() {
                Some(last) if last.0 * width + last.1 == key => last.2 += 1,
                _ => joint.push((key / width, key % width, 1)),
            }
        }
        Self {
            n: a.len().min(b.len()) as f64,
            joint,
            a: counts,
            b: b_counts,
        }
    }

    /// Occupied bins of a and of b.
    fn occupied(&self) -> (f64, f64) {
        let used = |v: &[usize]| v.iter().filter(|c| **c > 0).count() as f64;
        (used(&self.a), used(&self.b))
    }
}

/// Mutual information in nats, less what independent columns with as many
/// (occupied) bins would show by chance, `(bx − 1)(by − 1) / 2n` (the mean
/// of the chi-square approximation), floored at 0.
fn mutual_information(a: &[usize], b: &[usize]) -> f64 {
    let t = Table::new(a, b);
    if t.n == 0.0 {
        return 0.0;
    }
    let plugin: f64 = t
        .joint
        .iter()
        .map(|&(x, y, c)| {
            let c = c as f64;
            c / t.n * (c * t.n / (t.a[x] as f64 * t.b[y] as f64)).ln()
        })
        .sum();
    let (bx, by) = t.occupied();
    let chance = (bx - 1.0) * (by - 1.0) / (2.0 * t.n);
    (plugin - chance).max(0.0)
}

/// Cramér's V with Bergsma's bias correction.
fn cramers_v(a: &[usize], b: &[usize]) -> f64 {
    let t = Table::new(a, b);
    let (r, k) = t.occupied();
    if r < 2.0 || k < 2.0 || t.n < 2.0 {
        return 0.0;
    }
    let phi2: f64 = t
        .joint
        .iter()
        .map(|&(x, y, c)| (c as f64).powi(2) / (t.a[x] as f64 * t.b[y] as f64))
        .sum::<f64>()
        - 1.0;
    let n1 = t.n - 1.0;
    let phi2 = (phi2 - (k - 1.0) * (r - 1.0) / n1).max(0.0);
    let r = r - (r - 1.0).powi(2) / n1;
    let k = k - (k - 1.0).powi(2) / n1;
    let d = (r - 1.0).min(k - 1.0);
    if d <= 0.0 {
        0.0
    } else {
        (phi2 / d).sqrt().min(1.0)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    /// A small deterministic generator (xorshift64*).
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> f64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64 / (1u64 << 53) as f64
        }

        /// Roughly standard normal (sum of 12 uniforms).
        fn normal(&mut self) -> f64 {
            (0..12).map(|_| self.next()).sum::<f64>() - 6.0
        }
    }

    fn col(values: impl IntoIterator<Item = String>) -> Vec<Option<String>> {
        values.into_iter().map(Some).collect()
    }

    /// `churned` depends strongly on `support_calls`, weakly on `plan`, not
    /// on `noise`; plus an id, free text, a constant and an empty column.
    fn churn_frame(rows: usize, regression: bool) -> Frame {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut names = vec![
            "customer_id",
            "support_calls",
            "plan",
            "noise",
            "churned",
            "notes",
            "region",
            "gone",
        ];
        let mut columns: Vec<Vec<Option<String>>> = vec![Vec::new(); names.len()];
        for i in 0..rows {
            let calls = (rng.next() * 10.0).floor();
            let plan = ["basic", "pro", "team"][(rng.next() * 3.0) as usize % 3];
            let noise = rng.normal();
            let plan_effect = if plan == "basic" { 0.6 } else { 0.0 };
            let score = (calls - 4.5) * 0.9 + plan_effect + rng.normal() * 0.8;
            columns[0].push(Some(format!("{}", 10_000 + i)));
            columns[1].push(Some(format!("{calls}")));
            columns[2].push(Some(plan.to_string()));
            columns[3].push(Some(format!("{noise:.4}")));
            columns[4].push(Some(if regression {
                format!("{:.3}", score * 10.0)
            } else if score > 0.0 {
                "yes".to_string()
            } else {
                "no".to_string()
            }));
            columns[5].push(Some(format!("customer note number {i} about the account")));
            columns[6].push(Some("north".to_string()));
            columns[7].push(None);
        }
        if regression {
            names[4] = "revenue";
        }
        Frame::new(names.into_iter().map(String::from).collect(), columns).unwrap()
    }

    fn check_ranking(d: &Discovery) {
        let order: Vec<&str> = d.features.iter().map(|f| f.feature.as_str()).collect();
        assert_eq!(order, ["support_calls", "plan", "noise"], "{d:#?}");
        let ranks: Vec<usize> = d.features.iter().map(|f| f.rank).collect();
        assert_eq!(ranks, [1, 2, 3]);
        let skipped: HashMap<&str, &str> = d
            .skipped
            .iter()
            .map(|(c, r)| (c.as_str(), r.as_str()))
            .collect();
        assert!(
            skipped["customer_id"].starts_with("an identifier"),
            "{skipped:?}"
        );
        assert!(skipped["notes"].starts_with("free text"), "{skipped:?}");
        assert!(skipped["region"].starts_with("constant"), "{skipped:?}");
        assert_eq!(skipped["gone"], "all missing");
        let total: f64 = d.features.iter().map(|f| f.importance).sum();
        assert!((total - 1.0).abs() < 1e-6, "importance sums to {total}");
        for f in &d.features {
            assert!((0.0..=1.0).contains(&f.association), "{f:?}");
            assert!(
                f.mutual_information >= 0.0 && f.mutual_information.is_finite(),
                "{f:?}"
            );
            assert!(!f.reason.is_empty());
        }
        let strong = &d.features[0];
        assert!(strong.association > 0.5, "{strong:?}");
        assert!(strong.correlation.unwrap() > 0.5, "{strong:?}");
        assert!(
            strong.reason.starts_with("strongest predictor"),
            "{}",
            strong.reason
        );
        let noise = &d.features[2];
        assert!(
            noise.association < 0.1 && noise.mutual_information < 0.02,
            "{noise:?}"
        );
        assert!(noise.reason.starts_with("weak"), "{}", noise.reason);
        assert_eq!(d.features[1].correlation, None);
    }

    #[test]
    fn ranks_a_binary_target() {
        let frame = churn_frame(2000, false);
        let d = discover(&frame, "churned", &[]).unwrap();
        assert_eq!(d.task, Task::Binary);
        assert_eq!(d.positive_class.as_deref(), Some("yes"));
        check_ranking(&d);
        assert!(
            d.features[0]
                .reason
                .contains("higher support_calls goes with churned = yes more often"),
            "{}",
            d.features[0].reason
        );
        assert!(
            d.features[1].reason.contains("plan = basic"),
            "{}",
            d.features[1].reason
        );
        let json = serde_json::to_string(&d).unwrap();
        assert!(json.contains("\"task\":\"binary\""), "{json}");
    }

    #[test]
    fn ranks_a_numeric_target() {
        let frame = churn_frame(2000, true);
        let d = discover(&frame, "Revenue", &[]).unwrap();
        assert_eq!((d.task, d.target.as_str()), (Task::Regression, "revenue"));
        check_ranking(&d);
        assert!(
            d.features[0]
                .reason
                .contains("goes with higher revenue (r = +"),
            "{}",
            d.features[0].reason
        );
        assert!(
            d.features[1].reason.contains("revenue averages"),
            "{}",
            d.features[1].reason
        );
    }

    #[test]
    fn ranks_a_multiclass_target() {
        let mut frame = churn_frame(1500, true);
        let revenue = frame.index_of("revenue").unwrap();
        let bands: Vec<Option<String>> = frame
            .column_at(revenue)
            .iter()
            .map(|c| {
                let v = c.and_then(parse_number).unwrap_or(0.0);
                Some(
                    if v < -20.0 {
                        "low"
                    } else if v < 20.0 {
                        "mid"
                    } else {
                        "high"
                    }
                    .to_string(),
                )
            })
            .collect();
        frame.set_column(revenue, bands);
        let d = discover(&frame, "revenue", &["plan".to_string()]).unwrap();
        assert_eq!(d.task, Task::Multiclass);
        let order: Vec<&str> = d.features.iter().map(|f| f.feature.as_str()).collect();
        assert_eq!(order, ["support_calls", "noise"]);
        assert!(
            d.skipped
                .contains(&("plan".to_string(), "excluded".to_string()))
        );
        assert!(d.features[0].association > 0.5 && d.features[0].correlation.is_none());
    }

    #[test]
    fn describes_booleans_dates_and_missing_cells() {
        let mut rng = Rng(7);
        let (mut promo, mut signup, mut cancelled, mut churned) = (vec![], vec![], vec![], vec![]);
        for i in 0..600 {
            let p = rng.next() < 0.5;
            let month = 1 + i % 12;
            let churn = rng.next() + if p { 0.3 } else { 0.0 } - month as f64 * 0.03 > 0.5;
            promo.push(Some(if p { "Yes" } else { "No" }.to_string()));
            signup.push(Some(format!("2023-{month:02}-15")));
            // Filled in only for churners: a leak that shows as "missing".
            cancelled.push(churn.then(|| "cancelled".to_string()));
            churned.push(Some(if churn { "1" } else { "0" }.to_string()));
        }
        let names = ["promo", "signup", "cancel_note", "churned"]
            .map(String::from)
            .to_vec();
        let frame = Frame::new(names, vec![promo, signup, cancelled, churned]).unwrap();
        let d = discover(&frame, "churned", &[]).unwrap();
        assert_eq!(d.positive_class.as_deref(), Some("1"));
        let reason = |name: &str| {
            d.features
                .iter()
                .find(|f| f.feature == name)
                .map(|f| f.reason.clone())
                .unwrap_or_default()
        };
        assert_eq!(d.features[0].feature, "cancel_note", "{d:#?}");
        assert!(
            reason("cancel_note")
                .contains("churned = 1 on 100% of rows where cancel_note = cancelled"),
            "{}",
            reason("cancel_note")
        );
        assert!(
            reason("cancel_note").contains("a possible leak"),
            "{}",
            reason("cancel_note")
        );
        assert!(
            reason("promo").contains("promo = Yes goes with churned = 1 more often (r = +"),
            "{}",
            reason("promo")
        );
        assert!(
            reason("signup").contains("later signup goes with churned = 1 less often (r = -"),
            "{}",
            reason("signup")
        );
    }

    #[test]
    fn skips_rows_without_a_target() {
        let mut frame = churn_frame(300, false);
        let t = frame.index_of("churned").unwrap();
        let mut cells = frame.column_at(t).to_vec();
        for c in cells.iter_mut().step_by(3) {
            *c = None;
        }
        frame.set_column(t, cells);
        let d = discover(&frame, "churned", &[]).unwrap();
        assert_eq!(d.features[0].feature, "support_calls");
    }

    #[test]
    fn explains_bad_requests() {
        let frame = churn_frame(50, false);
        let err = discover(&frame, "churn", &[]).unwrap_err();
        assert!(matches!(err, MlError::Data(_)));
        assert!(
            err.to_string().contains("did you mean \"churned\""),
            "{err}"
        );

        let err = discover(&frame, "churned", &["nois".to_string()]).unwrap_err();
        assert!(err.to_string().contains("\"noise\""), "{err}");

        let err = discover(&frame, "region", &[]).unwrap_err();
        assert!(matches!(err, MlError::Request(_)));
        assert!(err.to_string().contains("constant"), "{err}");

        let err = discover(&frame, "customer_id", &[]).unwrap_err();
        assert!(err.to_string().contains("identifier"), "{err}");

        let err = discover(&frame, "gone", &[]).unwrap_err();
        assert!(err.to_string().contains("no values"), "{err}");
    }

    #[test]
    fn measures_agree_with_hand_computed_values() {
        // Perfect dependence and independence.
        let a = [0, 0, 1, 1, 2, 2, 0, 1, 2, 0, 1, 2];
        assert!(cramers_v(&a, &a) > 0.95);
        let b = [0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1];
        let c = [0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1];
        assert_eq!(cramers_v(&b, &c), 0.0);
        assert_eq!(mutual_information(&b, &c), 0.0);
        // Two balanced classes predicted exactly: MI near ln 2 (less the correction).
        let mi = mutual_information(&b, &b);
        assert!((mi - (2f64.ln() - 1.0 / 24.0)).abs() < 1e-12, "{mi}");
        assert_eq!(
            pearson(&[1.0, 2.0, 3.0, f64::NAN], &[2.0, 4.0, 6.0, 1.0]),
            Some(1.0)
        );
        assert_eq!(pearson(&[1.0, 1.0, 1.0], &[2.0, 4.0, 6.0]), None);
        assert!((eta(&[0, 0, 1, 1], &[1.0, 1.0, 5.0, 5.0]) - 1.0).abs() < 1e-12);
        let (bins, count) = quantile_bins(&[3.0, 1.0, f64::NAN, 2.0, 1.0], 10);
        assert_eq!((bins, count), (vec![2, 0, 3, 1, 0], 4));
        let xs: Vec<f64> = (0..100).map(f64::from).collect();
        let (bins, _) = quantile_bins(&xs, 10);
        assert_eq!((bins[0], bins[9], bins[10], bins[99]), (0, 0, 1, 9));
        assert_eq!(rank_positions(&[0.5, 0.9, 0.5, 0.1]), [2.5, 1.0, 2.5, 4.0]);
    }

    #[test]
    fn discovers_quickly_on_5000_rows() {
        // 5000 × 12: the churn frame plus four numeric, a date and a boolean column.
        let base = churn_frame(5000, false);
        let mut names: Vec<String> = base.names().to_vec();
        let mut columns: Vec<Vec<Option<String>>> = (0..names.len())
            .map(|i| base.column_at(i).to_vec())
            .collect();
        let mut rng = Rng(42);
        for k in 0..4 {
            names.push(format!("x{k}"));
            columns.push(col(
                (0..5000).map(|_| format!("{:.3}", rng.normal() * 100.0))
            ));
        }
        names.push("signup".into());
        columns.push(col(
            (0..5000).map(|i| format!("2023-{:02}-{:02}", 1 + i % 12, 1 + i % 28))
        ));
        names.push("promo".into());
        columns.push(col(
            (0..5000).map(|i| if i % 3 == 0 { "yes" } else { "no" }.to_string())
        ));
        let frame = Frame::new(names, columns).unwrap();
        assert_eq!((frame.rows(), frame.names().len()), (5000, 14));
        let start = std::time::Instant::now();
        let d = discover(&frame, "churned", &[]).unwrap();
        let elapsed = start.elapsed();
        eprintln!("discover on 5000 rows x 14 columns (9 usable features): {elapsed:?}");
        assert_eq!(d.features.len(), 9);
        assert_eq!(d.features[0].feature, "support_calls");
        assert!(elapsed.as_secs_f64() < 10.0, "{elapsed:?}");
    }
}

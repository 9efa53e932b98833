//! AutoML: detect the task, then search learner families and their
//! hyper-parameters inside a wall-clock budget, cheap configurations first
//! (FLAML's lesson), and refit the winner on every row. Small data is scored
//! by k-fold cross-validation, pruning a trial after its first folds when it
//! trails the best; large data on one stratified holdout, with trials on
//! samples of the training rows that grow as the search goes on.

mod cv;
mod search;
mod space;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use ndarray::{Array1, Array2, Axis};
use serde::Serialize;
use serde_json::Value;

use crate::error::{MlError, Result};
use crate::frame::Frame;
use crate::learner::{Output, Params, Task};
use crate::metrics::{Metric, Truth};
use crate::pipeline::{Candidate, Pipeline, Ys};
use crate::prep::{Parsed, PrepOptions, Preprocessor, Typed};
use crate::target::{Target, TargetValues, select_features};

use search::Search;

/// What to learn and how long to search.
#[derive(Debug, Clone)]
pub struct Spec {
    /// Column to predict.
    pub target: String,
    /// Metric to optimise (the task's default when `None`).
    pub metric: Option<Metric>,
    /// Wall-clock budget for the whole run, refit included.
    pub budget: Duration,
    /// Cross-validation folds.
    pub folds: usize,
    /// Seed for folds and learners.
    pub seed: u64,
    /// Columns never used as features.
    pub exclude: Vec<String>,
}

/// One evaluated configuration.
#[derive(Debug, Clone, Serialize)]
pub struct Trial {
    /// Order in which it was tried (1-based).
    pub n: usize,
    /// Learner family.
    pub family: String,
    /// Hyper-parameters.
    pub params: Value,
    /// Mean score over the folds (the metric's own scale).
    pub cv_score: f64,
    /// Standard deviation over the folds.
    pub cv_std: f64,
    /// Mean seconds to fit one fold (predicting its test rows not included).
    pub fit_s: f64,
    /// The configuration.
    #[serde(skip)]
    pub candidate: Candidate,
    /// Per-fold scores.
    #[serde(skip)]
    fold_scores: Vec<f64>,
    /// Rows the configuration was trained on (a sample on large data).
    pub train_rows: usize,
}

/// How configurations are scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Validation {
    /// k-fold cross-validation on every row.
    Folds {
        /// Folds.
        k: usize,
    },
    /// One stratified holdout, on data of at least [`HOLDOUT_FROM`] rows;
    /// trials train on samples of the other rows, growing from
    /// [`FIRST_SAMPLE`] rows.
    Holdout {
        /// Rows held out.
        rows: usize,
    },
}

/// Rows from which one holdout replaces k-fold cross-validation.
pub const HOLDOUT_FROM: usize = 50_000;

/// Training rows of the first sample on large data.
pub const FIRST_SAMPLE: usize = 10_000;

/// Rows a holdout keeps at least (a tenth of the data when that is more).
const HOLDOUT_MIN: usize = 10_000;

/// Parts of a holdout scored separately for the estimate's spread.
const HOLDOUT_PARTS: usize = 5;

impl Validation {
    /// The validation for `rows` rows with a target, `k` folds asked for.
    fn for_rows(rows: usize, k: usize) -> Self {
        if rows < HOLDOUT_FROM {
            Validation::Folds { k }
        } else {
            let k = (rows / HOLDOUT_MIN).clamp(5, 10);
            Validation::Holdout { rows: rows / k }
        }
    }

    /// In words, for notes.
    pub fn describe(&self) -> String {
        match self {
            Validation::Folds { k } => format!("{k}-fold CV"),
            Validation::Holdout { rows } => format!("holdout of {rows} rows"),
        }
    }
}

/// Reports while the search runs.
#[derive(Debug)]
pub enum Progress<'a> {
    /// The task was found and the search starts.
    Started {
        /// Task.
        task: Task,
        /// Metric optimised.
        metric: Metric,
        /// Rows with a target.
        rows: usize,
        /// Feature columns used.
        features: usize,
    },
    /// A trial finished all its folds.
    Trial {
        /// The trial.
        trial: &'a Trial,
        /// The best so far (may be this one).
        best: &'a Trial,
        /// Seconds since the start.
        elapsed: f64,
    },
    /// The winner is being refit on every row.
    Refit {
        /// Winning family.
        family: &'a str,
    },
}

/// The result of a run.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The winner, refit on every row.
    pub pipeline: Pipeline,
    /// The metric optimised.
    pub metric: Metric,
    /// The winning trial.
    pub best: Trial,
    /// Every completed trial, best first (those trained on more rows first:
    /// scores on different samples do not compare).
    pub leaderboard: Vec<Trial>,
    /// Configurations tried (including ones pruned after their first folds).
    pub trials: usize,
    /// Seconds for the whole run.
    pub elapsed_s: f64,
    /// The search was interrupted (the best so far was kept).
    pub interrupted: bool,
    /// Columns left out, with the reason.
    pub dropped: Vec<(String, String)>,
    /// Rows used (those with a target).
    pub rows: usize,
    /// Every reported metric for the winner: (metric, mean, std over folds).
    pub metrics: Vec<(Metric, f64, f64)>,
    /// Whether every row has an out-of-fold prediction (a first trial cut
    /// short by the budget scores only some folds).
    pub oof_complete: bool,
    /// The winner's out-of-fold predictions, aligned with `truth`.
    pub oof: Output,
    /// True targets of the scored rows, in row order (class indices as floats, or values).
    pub truth: Vec<f64>,
    /// The frame's rows that `oof` and `truth` are for (the holdout on
    /// large data, every row with a target otherwise).
    pub scored_rows: Vec<usize>,
    /// Plain notes about the data (dropped rows, capped categories…).
    pub notes: Vec<String>,
    /// The learner families the search set out to try, in its order (those
    /// missing from the leaderboard were not reached within the budget).
    pub families: Vec<String>,
    /// How configurations were scored.
    pub validation: Validation,
    /// Seconds from the start until the first configuration was scored.
    pub first_model_s: Option<f64>,
}

/// A fold's training and test rows; `order` is the training rows shuffled,
/// whose first rows are the fold's samples (on large data only).
struct FoldData {
    train: Vec<usize>,
    test: Vec<usize>,
    order: Vec<usize>,
}

impl FoldData {
    /// The fold's first `rows` training rows in sample order, sorted (every
    /// training row when `rows` covers them).
    fn sample(&self, rows: usize) -> Vec<usize> {
        if rows >= self.train.len() || self.order.is_empty() {
            return self.train.clone();
        }
        let mut sample = self.order[..rows].to_vec();
        sample.sort_unstable();
        sample
    }
}

/// Training rows above which at most one encoding is cached: the encodings
/// of large samples are what a search's memory is made of.
const CACHE_ALL_UNDER: usize = 50_000;

/// A fold's training and test rows, encoded by a preprocessor fitted on
/// the training rows.
struct Encoded {
    prep: Preprocessor,
    train: Array2<f64>,
    test: Array2<f64>,
}

/// One fold of a trial: its score, what it cost and its predictions.
struct FoldResult {
    score: f64,
    /// Seconds to fit (what a refit on more rows repeats).
    fit_s: f64,
    /// Seconds to fit and predict the fold's test rows (what a trial costs).
    seconds: f64,
    out: Output,
    /// The fitted model, kept only where a refit can start from it (see
    /// [`warm_startable`]).
    model: Option<Pipeline>,
}

/// Whether a refit of `candidate` on every row can start from its fit on a
/// holdout's sample: logistic regression (its solver takes a starting
/// point). Other models are not kept past their trial.
fn warm_startable(folds: &Folds, candidate: &Candidate) -> bool {
    folds.holdout()
        && folds.target.task != Task::Regression
        && matches!(candidate.params, Params::Linear { .. })
}

/// The folds of a search (one, the holdout, on large data), each fold's
/// encoded data cached by preprocessing options and training rows.
struct Folds<'a> {
    target: &'a Target,
    typed: &'a Typed,
    values: &'a TargetValues,
    data: Vec<FoldData>,
    /// The holdout split in parts, for the spread of its estimate (empty under k-fold).
    parts: Vec<FoldData>,
    metric: Metric,
    seed: u64,
    cache: HashMap<(PrepOptions, usize, usize), Arc<Encoded>>,
    /// The most seconds per row that learning and applying an encoding took
    /// (the refit does both on every row).
    encode_s_per_row: f64,
}

/// Threads used to evaluate folds side by side.
fn workers() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(2))
}

impl Folds<'_> {
    /// Fold `fold` encoded for `options`, trained on `rows` of its training rows.
    fn encoded(&mut self, options: PrepOptions, fold: usize, rows: usize) -> Arc<Encoded> {
        let key = (options, fold, rows);
        if let Some(encoded) = self.cache.get(&key) {
            return encoded.clone();
        }
        // Samples only grow, so smaller samples' encodings are done with;
        // above CACHE_ALL_UNDER rows one encoding is kept at a time.
        self.cache
            .retain(|k, _| k.2 == rows && rows <= CACHE_ALL_UNDER);
        let start = Instant::now();
        let data = &self.data[fold];
        let train = data.sample(rows);
        let prep = Preprocessor::fit(self.typed, &train, options);
        let encoded = Arc::new(Encoded {
            train: prep.encode(self.typed, &train).0,
            test: prep.encode(self.typed, &data.test).0,
            prep,
        });
        let per_row = start.elapsed().as_secs_f64() / (train.len() + data.test.len()) as f64;
        self.encode_s_per_row = self.encode_s_per_row.max(per_row);
        self.cache.insert(key, encoded.clone());
        encoded
    }

    /// Training rows of a fold (the first fold's, which all have within one).
    fn train_rows(&self) -> usize {
        self.data[0].train.len()
    }

    /// Rows the winner is refit on: a fold's training and test rows.
    fn all_rows(&self) -> usize {
        self.data[0].train.len() + self.data[0].test.len()
    }

    /// Whether trials are scored on one holdout.
    fn holdout(&self) -> bool {
        !self.parts.is_empty()
    }

    /// `metric` on each of the holdout's parts, for predictions `out` of the holdout rows.
    fn part_scores(&self, metric: Metric, out: &Output) -> Vec<f64> {
        let test = &self.data[0].test;
        self.parts
            .iter()
            .map(|part| {
                let at: Vec<usize> = part
                    .test
                    .iter()
                    .filter_map(|r| test.binary_search(r).ok())
                    .collect();
                let truth = Ys::gather(self.values, &part.test);
                metric_score(metric, &truth, &select(out, &at))
            })
            .filter(|s| s.is_finite())
            .collect()
    }

    /// `candidate` fitted on `rows` training rows of folds `fold_ids` and
    /// scored on their test rows, two folds at a time; a [`FoldResult`] per
    /// fold (with its model only where a refit can start from it).
    fn run(
        &mut self,
        candidate: &Candidate,
        fold_ids: &[usize],
        rows: usize,
    ) -> Result<Vec<FoldResult>> {
        let data: Vec<_> = fold_ids
            .iter()
            .map(|&f| self.encoded(candidate.prep_options(), f, rows))
            .collect();
        let (target, values, metric, seed) = (self.target, self.values, self.metric, self.seed);
        let folds = &self.data;
        let keep = warm_startable(self, candidate);
        let mut results = Vec::new();
        for chunk in fold_ids
            .iter()
            .zip(&data)
            .collect::<Vec<_>>()
            .chunks(workers())
        {
            let outs: Vec<Result<FoldResult>> = std::thread::scope(|s| {
                let handles: Vec<_> = chunk
                    .iter()
                    .map(|&(&f, d)| {
                        s.spawn(move || {
                            let fold = &folds[f];
                            let start = Instant::now();
                            let y = Ys::gather(values, &fold.sample(rows));
                            let model = Pipeline::train(
                                target,
                                candidate,
                                d.prep.clone(),
                                d.train.view(),
                                &y,
                                seed,
                                None,
                            )?;
                            let fit_s = start.elapsed().as_secs_f64();
                            let out = model.predict_encoded(d.test.view());
                            let truth = Ys::gather(values, &fold.test);
                            Ok(FoldResult {
                                score: metric_score(metric, &truth, &out),
                                fit_s,
                                seconds: start.elapsed().as_secs_f64(),
                                out,
                                model: keep.then_some(model),
                            })
                        })
                    })
                    .collect();
                handles
                    .into_iter()
                    .map(|h| {
                        h.join().unwrap_or_else(|_| {
                            Err(MlError::Fit {
                                family: candidate.params.family(),
                                message: "the learner crashed".into(),
                            })
                        })
                    })
                    .collect()
            });
            for o in outs {
                results.push(o?);
            }
        }
        Ok(results)
    }
}

fn metric_score(metric: Metric, truth: &Ys, out: &Output) -> f64 {
    match truth {
        Ys::Classes(y) => metric.score(&Truth::Classes(y.view()), out),
        Ys::Values(y) => metric.score(&Truth::Values(y.view()), out),
    }
}

/// Higher is better, whatever the metric.
fn oriented(metric: Metric, score: f64) -> f64 {
    if !score.is_finite() {
        f64::NEG_INFINITY
    } else if metric.higher_is_better() {
        score
    } else {
        -score
    }
}

/// The rows `at` of predictions.
fn select(out: &Output, at: &[usize]) -> Output {
    match out {
        Output::Probabilities(p) => Output::Probabilities(p.select(Axis(0), at)),
        Output::Values(v) => Output::Values(v.select(Axis(0), at)),
    }
}

fn mean_std(v: &[f64]) -> (f64, f64) {
    let n = v.len().max(1) as f64;
    let mean = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
    (mean, var.sqrt())
}

/// Runs AutoML on `frame`. `progress` hears about every trial; setting
/// `cancel` stops the search and keeps the best so far.
pub fn run(
    frame: &Frame,
    spec: &Spec,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<Outcome> {
    let start = Instant::now();
    let data = Prepared::of(frame, spec)?;
    let metric = data.metric;
    let typed = Typed::parse(frame, &data.features);
    let validation = Validation::for_rows(data.rows.len(), spec.folds);
    let folds = Folds::split(&data, &typed, validation, spec.seed);
    progress(Progress::Started {
        task: data.target.task,
        metric,
        rows: data.rows.len(),
        features: data.features.len(),
    });
    let shape = shape_of(&typed, &data.values, &data.rows, data.target.task);
    let classes = data.target.classes.len();
    let mut search = Search::new(folds, spec, (shape, classes), metric, start);
    let interrupted = search.run(progress, cancel);
    search.release();
    let best = search.best.take().ok_or(if interrupted {
        MlError::Cancelled
    } else {
        MlError::Request(format!(
            "no model could be trained on {} within {} s; give it a longer budget",
            data.target.name,
            spec.budget.as_secs()
        ))
    })?;
    refit(&data, &typed, search, best, interrupted, progress)
}

impl<'a> Folds<'a> {
    /// The folds of `validation` over the rows of `data` with a target.
    fn split(data: &'a Prepared, typed: &'a Typed, validation: Validation, seed: u64) -> Self {
        let fold = |test: Vec<usize>, shuffled: bool| {
            let train = cv::complement(&data.rows, &test);
            let mut order = Vec::new();
            if shuffled {
                order = train.clone();
                crate::rng::Rng::new(seed ^ 0x5a17).shuffle(&mut order);
            }
            FoldData { train, test, order }
        };
        let (folds, parts) = match validation {
            Validation::Folds { k } => (
                cv::folds(&data.rows, &data.values, k, seed)
                    .into_iter()
                    .map(|test| fold(test, false))
                    .collect(),
                Vec::new(),
            ),
            Validation::Holdout { rows } => {
                let k = data.rows.len() / rows;
                let test = cv::folds(&data.rows, &data.values, k, seed).swap_remove(0);
                let parts = cv::folds(&test, &data.values, HOLDOUT_PARTS, seed)
                    .into_iter()
                    .map(|test| FoldData {
                        train: Vec::new(),
                        test,
                        order: Vec::new(),
                    })
                    .collect();
                (vec![fold(test, true)], parts)
            }
        };
        Folds {
            target: &data.target,
            typed,
            values: &data.values,
            data: folds,
            parts,
            metric: data.metric,
            seed,
            cache: HashMap::new(),
            encode_s_per_row: 0.0,
        }
    }
}

/// What a search works on, checked: the target and its values, the metric,
/// the features (and those left out, with why), the rows with a target value.
struct Prepared {
    target: Target,
    values: TargetValues,
    metric: Metric,
    features: Vec<(String, crate::profile::Kind)>,
    dropped: Vec<(String, String)>,
    rows: Vec<usize>,
    notes: Vec<String>,
}

impl Prepared {
    /// The search's data, or an error that says what to change.
    fn of(frame: &Frame, spec: &Spec) -> Result<Self> {
        if spec.folds < 2 {
            return Err(MlError::Request(
                "cross-validation needs at least 2 folds; use --folds 5".into(),
            ));
        }
        let (target, values) = Target::resolve(frame, &spec.target)?;
        let metric = spec.metric.unwrap_or(Metric::default_for(target.task));
        if !metric.applies_to(target.task) {
            return Err(MlError::Request(format!(
                "{} is a {} target, which {} cannot score; use {}",
                target.name,
                match target.task {
                    Task::Regression => "numeric",
                    _ => "class",
                },
                metric.name(),
                Metric::reported(target.task)
                    .iter()
                    .map(|m| m.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
        let (features, dropped) = select_features(frame, &target.name, &spec.exclude)?;
        let rows = values.present();
        let mut notes = Vec::new();
        if rows.len() < frame.rows() {
            notes.push(format!(
                "{} rows without a {} value were left out",
                frame.rows() - rows.len(),
                target.name
            ));
        }
        if rows.len() < spec.folds * 2 {
            return Err(MlError::Data(format!(
                "only {} rows have a {} value; {}-fold cross-validation needs at least {}",
                rows.len(),
                target.name,
                spec.folds,
                spec.folds * 2
            )));
        }
        Ok(Self {
            target,
            values,
            metric,
            features,
            dropped,
            rows,
            notes,
        })
    }
}

/// The search's outcome: its best trial refitted on every row, with its
/// out-of-fold metrics and the leaderboard, best first.
fn refit(
    data: &Prepared,
    typed: &Typed,
    mut search: Search<'_>,
    (best, oof, covered, warm): search::Best,
    interrupted: bool,
    progress: &mut dyn FnMut(Progress),
) -> Result<Outcome> {
    progress(Progress::Refit {
        family: &best.family,
    });
    let mut notes = data.notes.clone();
    let prep = Preprocessor::fit(typed, &data.rows, best.candidate.prep_options());
    for (column, kept) in prep.capped() {
        notes.push(format!(
            "{column} has many categories: the {kept} most frequent were kept, the rest grouped as other"
        ));
    }
    let x = prep.encode(typed, &data.rows).0;
    let y = Ys::gather(&data.values, &data.rows);
    let seed = search.folds().seed;
    // The sample's coefficients start the solver only when they read the
    // same inputs (levels and logs can differ on every row).
    let warm = warm.filter(|w| w.prep.same_layout(&prep));
    let pipeline = Pipeline::train(
        &data.target,
        &best.candidate,
        prep,
        x.view(),
        &y,
        seed,
        warm.as_ref(),
    )?;
    let folds = search.folds();
    let folds_done = &folds.data[..best.fold_scores.len()];
    let scored = Ys::gather(&data.values, &covered);
    let truth: Vec<f64> = match &scored {
        Ys::Classes(c) => c.iter().map(|&v| v as f64).collect(),
        Ys::Values(v) => v.to_vec(),
    };
    if let Validation::Holdout { rows } = search.validation() {
        notes.push(format!(
            "the data is large, so configurations were scored on a holdout of {rows} rows and trained on samples of up to {} of the other {} rows; the winner was then refit on all {} rows",
            best.train_rows,
            folds.train_rows(),
            data.rows.len()
        ));
    } else if covered.len() < data.rows.len() {
        notes.push(format!(
            "there was only time to score {} of the {} folds; give it a longer budget for a full estimate",
            folds_done.len(),
            search.folds().data.len()
        ));
    }
    let metrics = match folds.holdout() {
        true => holdout_metrics(folds, &scored, &oof, data.target.task),
        false => fold_metrics(folds_done, &covered, &scored, &oof, data.target.task),
    };
    let metric = data.metric;
    let validation = search.validation();
    search.leaderboard.sort_by(|a, b| {
        b.train_rows
            .cmp(&a.train_rows)
            .then(oriented(metric, b.cv_score).total_cmp(&oriented(metric, a.cv_score)))
    });
    Ok(Outcome {
        pipeline,
        metric,
        best,
        elapsed_s: search.elapsed_s(),
        leaderboard: search.leaderboard,
        trials: search.tried,
        interrupted,
        dropped: data.dropped.clone(),
        rows: data.rows.len(),
        metrics,
        oof_complete: covered.len() == data.rows.len(),
        oof,
        truth,
        scored_rows: covered,
        notes,
        validation,
        first_model_s: search.first_model_s,
        families: search.families,
    })
}

fn perfect(metric: Metric) -> f64 {
    if metric.higher_is_better() { 1.0 } else { 0.0 }
}

/// Records a family's latest score: a better one becomes the incumbent with
/// a wider step; a worse one narrows the step (it never drops below 2%).
fn improve_step(family_best: &mut Vec<(Candidate, f64, f64)>, candidate: &Candidate, score: f64) {
    let family = candidate.params.family();
    match family_best
        .iter_mut()
        .find(|f| f.0.params.family() == family && f.0.log_target == candidate.log_target)
    {
        Some(entry) if score > entry.1 => {
            *entry = (candidate.clone(), score, (entry.2 * 1.2).min(0.5))
        }
        Some(entry) => entry.2 = (entry.2 * 0.85).max(0.02),
        None if score.is_finite() => family_best.push((candidate.clone(), score, 0.25)),
        None => {}
    }
}

/// The test rows of `folds`, in row order.
fn covered_rows(folds: &[FoldData]) -> Vec<usize> {
    let mut rows: Vec<usize> = folds.iter().flat_map(|f| f.test.iter().copied()).collect();
    rows.sort_unstable();
    rows
}

/// Joins per-fold predictions into the order of `rows` (the folds' test rows).
fn stitch(folds: &[FoldData], rows: &[usize], outs: Vec<Output>) -> Output {
    let position: HashMap<usize, usize> = rows.iter().enumerate().map(|(i, &r)| (r, i)).collect();
    match outs.first() {
        Some(Output::Probabilities(p)) => {
            let mut all = Array2::zeros((rows.len(), p.ncols()));
            for (fold, out) in folds.iter().zip(&outs) {
                if let Output::Probabilities(p) = out {
                    for (i, &r) in fold.test.iter().enumerate() {
                        all.row_mut(position[&r]).assign(&p.row(i));
                    }
                }
            }
            Output::Probabilities(all)
        }
        _ => {
            let mut all = Array1::zeros(rows.len());
            for (fold, out) in folds.iter().zip(&outs) {
                if let Output::Values(v) = out {
                    for (i, &r) in fold.test.iter().enumerate() {
                        all[position[&r]] = v[i];
                    }
                }
            }
            Output::Values(all)
        }
    }
}

/// Every reported metric of out-of-fold predictions, as mean and std over folds.
fn fold_metrics(
    folds: &[FoldData],
    rows: &[usize],
    y: &Ys,
    oof: &Output,
    task: Task,
) -> Vec<(Metric, f64, f64)> {
    let position: HashMap<usize, usize> = rows.iter().enumerate().map(|(i, &r)| (r, i)).collect();
    Metric::reported(task)
        .iter()
        .map(|&m| {
            let scores: Vec<f64> = folds
                .iter()
                .map(|f| {
                    let idx: Vec<usize> = f.test.iter().map(|r| position[r]).collect();
                    let out = select(oof, &idx);
                    let truth = match y {
                        Ys::Classes(c) => Ys::Classes(c.select(Axis(0), &idx)),
                        Ys::Values(v) => Ys::Values(v.select(Axis(0), &idx)),
                    };
                    metric_score(m, &truth, &out)
                })
                .filter(|s| s.is_finite())
                .collect();
            let (mean, std) = mean_std(&scores);
            (m, mean, std)
        })
        .collect()
}

/// Every reported metric of holdout predictions: its score on the whole
/// holdout, and the spread over the holdout's parts.
fn holdout_metrics(folds: &Folds, y: &Ys, out: &Output, task: Task) -> Vec<(Metric, f64, f64)> {
    Metric::reported(task)
        .iter()
        .map(|&m| {
            (
                m,
                metric_score(m, y, out),
                mean_std(&folds.part_scores(m, out)).1,
            )
        })
        .collect()
}

/// Whether the features or the target are skewed enough to try logs.
fn shape_of(typed: &Typed, values: &TargetValues, rows: &[usize], task: Task) -> space::Shape {
    let skewed =
        |v: &[f64]| v.iter().all(|&x| x >= 0.0) && crate::prep::skewness(v) > crate::prep::SKEWED;
    let skewed_features = typed.columns.iter().any(|(_, kind, parsed)| {
        *kind == crate::profile::Kind::Numeric
            && matches!(parsed, Parsed::Number(v) if skewed(&rows.iter().filter_map(|&r| Parsed::number(v, r)).collect::<Vec<_>>()))
    });
    let skewed_target = match values {
        TargetValues::Values(v) => skewed(&rows.iter().filter_map(|&r| v[r]).collect::<Vec<_>>()),
        TargetValues::Classes(_) => false,
    };
    let width = Preprocessor::fit(
        typed,
        rows,
        PrepOptions {
            scale: true,
            one_hot: true,
            log_skewed: false,
        },
    )
    .encode(typed, &rows[..1.min(rows.len())])
    .0
    .ncols();
    space::Shape {
        task,
        rows: rows.len(),
        width,
        skewed_features,
        skewed_target,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_nested_and_large_data_is_held_out() {
        let fold = FoldData {
            train: (0..100).collect(),
            test: Vec::new(),
            order: (0..100).rev().collect(),
        };
        let small = fold.sample(10);
        assert_eq!(small, (90..100).collect::<Vec<_>>());
        assert!(small.iter().all(|r| fold.sample(40).contains(r)));
        assert_eq!(fold.sample(1_000), fold.train);
        assert_eq!(
            Validation::for_rows(HOLDOUT_FROM - 1, 5),
            Validation::Folds { k: 5 }
        );
        assert_eq!(
            Validation::for_rows(800_000, 5),
            Validation::Holdout { rows: 80_000 }
        );
        assert_eq!(
            Validation::for_rows(60_000, 5),
            Validation::Holdout { rows: 10_000 }
        );
    }
}

//! The search loop: which configuration to try next, whether the budget
//! still allows it, how it scores (pruned after its first folds when it
//! trails), and the leaderboard and best trial it leaves. On large data the
//! search climbs samples: each sample size gets a share of the time left,
//! then the best configuration of the three best families moves on to a
//! sample four times larger, until the whole training split.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::{
    FIRST_SAMPLE, FoldResult, Folds, Progress, Spec, Trial, Validation, covered_rows, improve_step,
    mean_std, oriented, perfect, space, stitch, workers,
};
use crate::learner::Output;
use crate::metrics::Metric;
use crate::pipeline::{Candidate, Pipeline};
use crate::rng::Rng;

/// The best trial with its out-of-fold predictions, the rows they cover and,
/// when scored on the holdout, its model (the refit starts from it).
pub(super) type Best = (Trial, Output, Vec<usize>, Option<Pipeline>);

/// Share of the time left that a sample smaller than the training split may use.
const SAMPLE_SHARE: f64 = 0.35;

/// How much larger each sample is than the one before.
const SAMPLE_GROWTH: usize = 4;

/// What a family's trials cost: seconds to fit and predict per unit of its
/// size (see [`space::size`]) on `rows` training rows, and how its fits
/// grow with the rows (as `rows^exponent`, once measured on two sample
/// sizes; predicting the fixed holdout does not grow).
#[derive(Debug, Clone, Copy)]
struct Timing {
    rows: usize,
    per_size: f64,
    /// Seconds to fit, per size unit.
    fit_per_size: f64,
    /// Seconds of the fits behind `fit_per_size`.
    fit_s: f64,
    exponent: Option<f64>,
}

/// One measurement for [`Timing`]: a trial's mean seconds per fold to fit
/// and predict, and to fit alone, per unit of its configuration's size.
#[derive(Debug, Clone, Copy)]
struct Measured {
    per_size: f64,
    fit_per_size: f64,
    fit_s: f64,
}

/// Fits shorter than this are too noisy to measure growth from: a tenth
/// of a second either way on a 10k-row fit compounds over the 80-fold step
/// to every row.
const MIN_TIMED_S: f64 = 0.25;

/// The refit's reserve over its estimate: a logistic fit's solver steps
/// vary with the rows (a cold 880k-row refit took 9× a 160k-row fit's
/// time, 5.5× the rows; the warm start from the best trial's coefficients
/// brings it well under the reserve).
const REFIT_MARGIN: f64 = 1.5;

/// How a trial's time is taken to grow with rows until its family is timed
/// on two sample sizes (a little faster than linear: a trial is only tried
/// when it surely fits).
const DEFAULT_EXPONENT: f64 = 1.2;

impl Timing {
    /// Seconds per size unit on `rows` training rows.
    fn at(&self, rows: usize) -> f64 {
        let exponent = self.exponent.unwrap_or(DEFAULT_EXPONENT);
        self.per_size * (rows as f64 / self.rows as f64).powf(exponent)
    }

    /// The first measurement, on `rows` rows.
    fn new(rows: usize, m: Measured) -> Self {
        Self {
            rows,
            per_size: m.per_size,
            fit_per_size: m.fit_per_size,
            fit_s: m.fit_s,
            exponent: None,
        }
    }

    /// Folds in a measurement on `rows` rows: averaged on the same rows; on
    /// other rows it also measures how fits grow (kept between linear and
    /// quadratic) when both fits were long enough to time.
    fn update(&mut self, rows: usize, m: Measured) {
        if rows == self.rows {
            self.per_size = (self.per_size + m.per_size) / 2.0;
            self.fit_per_size = (self.fit_per_size + m.fit_per_size) / 2.0;
            self.fit_s = (self.fit_s + m.fit_s) / 2.0;
            return;
        }
        let growth =
            (m.fit_per_size / self.fit_per_size).ln() / (rows as f64 / self.rows as f64).ln();
        if growth.is_finite() && self.fit_s.min(m.fit_s) >= MIN_TIMED_S {
            self.exponent = Some(growth.clamp(1.0, 2.0));
        }
        *self = Self {
            rows,
            exponent: self.exponent,
            ..Self::new(rows, m)
        };
    }
}

/// Whether a candidate fits in what is left of the budget.
enum Affordable {
    /// Try it.
    Yes,
    /// Not this one; another may fit.
    Skip,
    /// Nothing more fits: the search is over.
    Stop,
}

/// A search in progress: the queue of configurations, what each family's
/// fits cost, the leaderboard and the best trial so far.
pub(super) struct Search<'a> {
    folds: Folds<'a>,
    spec: &'a Spec,
    shape: space::Shape,
    classes: usize,
    metric: Metric,
    start: Instant,
    deadline: Instant,
    queue: VecDeque<Candidate>,
    /// Each family's incumbent, its oriented score and its neighbourhood step.
    family_best: Vec<(Candidate, f64, f64)>,
    /// What each family's fits cost, as measured.
    timing: HashMap<&'static str, Timing>,
    /// Training rows of the current sample (a fold's training rows under k-fold).
    rows: usize,
    /// The most memory a model may take (see [`space::memory_cap`]).
    memory_cap: f64,
    /// When the current sample's share of the time ends (only while it is
    /// smaller than the training split).
    sample_ends: Instant,
    rng: Rng,
    turn: usize,
    /// The families the search sets out to try, in its order.
    pub families: Vec<String>,
    /// Trials started (pruned ones included).
    pub tried: usize,
    /// Every trial scored on all the folds it had time for.
    pub leaderboard: Vec<Trial>,
    /// The best of them: the best on the largest sample scored.
    pub best: Option<Best>,
    /// Seconds from the start until the first trial was scored.
    pub first_model_s: Option<f64>,
}

impl<'a> Search<'a> {
    /// A search over `folds`, from the cheap configurations for `shape`,
    /// within the budget counted from `start`.
    pub fn new(
        folds: Folds<'a>,
        spec: &'a Spec,
        (shape, classes): (space::Shape, usize),
        metric: Metric,
        start: Instant,
    ) -> Self {
        let queue: VecDeque<Candidate> = space::initial(&shape).into();
        let mut families: Vec<String> = Vec::new();
        for c in &queue {
            let family = c.params.family().to_string();
            if !families.contains(&family) {
                families.push(family);
            }
        }
        let deadline = start + spec.budget.mul_f64(0.98);
        let rows = match folds.holdout() {
            true => folds.train_rows().min(FIRST_SAMPLE),
            false => folds.train_rows(),
        };
        Self {
            memory_cap: space::memory_cap(&shape),
            queue,
            families,
            rows,
            sample_ends: start + (deadline - start).mul_f64(SAMPLE_SHARE),
            first_model_s: None,
            folds,
            spec,
            shape,
            classes,
            metric,
            start,
            // Aimed a little short of the budget: fits cannot be stopped
            // midway and their cost is only estimated.
            deadline,
            family_best: Vec::new(),
            timing: HashMap::new(),
            rng: Rng::new(spec.seed),
            turn: 0,
            tried: 0,
            leaderboard: Vec::new(),
            best: None,
        }
    }

    /// Seconds since the search started.
    pub fn elapsed_s(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    /// The folds the search scores on.
    pub fn folds(&self) -> &Folds<'a> {
        &self.folds
    }

    /// How the search scores configurations.
    pub fn validation(&self) -> Validation {
        match self.folds.holdout() {
            true => Validation::Holdout {
                rows: self.folds.data[0].test.len(),
            },
            false => Validation::Folds {
                k: self.folds.data.len(),
            },
        }
    }

    /// Frees the encoded folds (before the refit encodes every row).
    pub fn release(&mut self) {
        self.folds.cache.clear();
    }

    /// Whether the current sample has had its share of the time (with the
    /// queue done) and a larger one remains.
    fn sample_spent(&self) -> bool {
        self.rows < self.folds.train_rows()
            && self.queue.is_empty()
            && Instant::now() >= self.sample_ends
    }

    /// Moves on to a sample four times larger (the whole training split
    /// when that is more than half of it), starting from the best
    /// configuration of each of the three best families so far.
    fn grow_sample(&mut self) {
        let full = self.folds.train_rows();
        let next = self.rows * SAMPLE_GROWTH;
        self.rows = if next * 2 > full { full } else { next };
        self.family_best.sort_by(|a, b| b.1.total_cmp(&a.1));
        // Three families, not one family twice (with and without a log target).
        let mut families = Vec::new();
        self.queue = self
            .family_best
            .drain(..)
            .filter(|f| {
                let family = f.0.params.family();
                let new = !families.contains(&family);
                families.push(family);
                new
            })
            .take(3)
            .map(|f| f.0)
            .collect();
        let now = Instant::now();
        self.sample_ends = now
            + self
                .deadline
                .saturating_duration_since(now)
                .mul_f64(SAMPLE_SHARE);
    }

    /// Runs trials until the budget, the space or a perfect score ends the
    /// search, or `cancel` is set (then it says it was interrupted).
    pub fn run(&mut self, progress: &mut dyn FnMut(Progress), cancel: &AtomicBool) -> bool {
        loop {
            if cancel.load(Ordering::Relaxed) {
                return true;
            }
            if self.sample_spent() {
                self.grow_sample();
            }
            let Some(candidate) = self.next_trial() else {
                return false;
            };
            match self.affordable(&candidate) {
                Affordable::Yes => {}
                Affordable::Skip => continue,
                Affordable::Stop => return false,
            }
            let Some(results) = self.evaluate(&candidate) else {
                continue;
            };
            let score = self.record(candidate, results, progress);
            if oriented(self.metric, score) >= oriented(self.metric, perfect(self.metric)) {
                return false;
            }
        }
    }

    /// The next configuration: the queue's, then a neighbour of one of the
    /// three best families' incumbents in turn; none when nothing has scored.
    fn next_trial(&mut self) -> Option<Candidate> {
        if let Some(c) = self.queue.pop_front() {
            return Some(c);
        }
        if self.family_best.is_empty() {
            return None;
        }
        self.family_best.sort_by(|a, b| b.1.total_cmp(&a.1));
        let pick = self.turn % self.family_best.len().min(3);
        self.turn += 1;
        let (incumbent, _, step) = &self.family_best[pick];
        Some(space::neighbour(
            incumbent,
            self.shape.task,
            *step,
            &mut self.rng,
        ))
    }

    /// Seconds reserved for refitting the winner on every row: encoding
    /// every row and its fit's time scaled to them, with a margin. Until its
    /// family's growth is measured, fits are taken to grow linearly: a
    /// guessed faster growth compounds over the 80-fold step from the first
    /// sample to every row, and the reserve would end the search before
    /// larger samples measure it.
    fn refit_reserve(&self) -> f64 {
        let all = self.folds.all_rows();
        self.best
            .as_ref()
            .map_or(0.0, |(t, ..)| {
                let exponent = self
                    .timing
                    .get(t.family.as_str())
                    .and_then(|t| t.exponent)
                    .unwrap_or(1.0);
                let fit = t.fit_s * (all as f64 / t.train_rows.max(1) as f64).powf(exponent);
                REFIT_MARGIN * (fit + self.folds.encode_s_per_row * all as f64)
            })
            .max(self.spec.budget.as_secs_f64() * 0.05)
    }

    /// Seconds one fold of a timed family's configuration takes on the current sample.
    fn fold_seconds(&self, candidate: &Candidate) -> Option<f64> {
        self.timing
            .get(candidate.params.family())
            .map(|t| t.at(self.rows) * space::size(&candidate.params))
    }

    /// Seconds a candidate's cross-validation would take: timed families by
    /// their own measured cost, others through priors from a family already
    /// timed (the linear model, when it is).
    fn estimate(&self, candidate: &Candidate) -> Option<f64> {
        self.fold_seconds(candidate)
            .or_else(|| {
                let (timed, timing) = self
                    .timing
                    .get_key_value("linear")
                    .or(self.timing.iter().next())?;
                Some(space::prior(
                    &candidate.params,
                    self.rows,
                    self.classes,
                    timed,
                    timing.at(self.rows),
                ))
            })
            .map(|fold| fold * self.folds.data.len().div_ceil(workers()) as f64)
    }

    /// Whether `candidate` fits in the time left and, refit on every row, in
    /// the memory a model may take; a family too slow or too large for it
    /// narrows its step, so its next neighbour is cheaper.
    fn affordable(&mut self, candidate: &Candidate) -> Affordable {
        let left = self
            .deadline
            .saturating_duration_since(Instant::now())
            .as_secs_f64()
            - self.refit_reserve();
        // A family's first configuration is always weighed; its neighbours
        // only while their model stays within the memory a model may take.
        let all = self.folds.all_rows();
        let family = candidate.params.family();
        let tried = self
            .family_best
            .iter()
            .any(|f| f.0.params.family() == family);
        if tried && space::model_bytes(&candidate.params, all, self.classes) > self.memory_cap {
            self.narrow_step(candidate);
            return match left <= 0.0 {
                true => Affordable::Stop,
                false => Affordable::Skip,
            };
        }
        match self.estimate(candidate) {
            Some(e) if e > left => {
                self.narrow_step(candidate);
                if left <= 0.0 || self.queue.is_empty() && self.nothing_fits(left) {
                    Affordable::Stop
                } else {
                    Affordable::Skip
                }
            }
            _ if left <= 0.0 && self.best.is_some() => Affordable::Stop,
            _ => Affordable::Yes,
        }
    }

    /// Narrows the step of `candidate`'s family (with or without a log
    /// target, as it is), so its next neighbour is closer to its incumbent.
    fn narrow_step(&mut self, candidate: &Candidate) {
        let family = candidate.params.family();
        if let Some(entry) = self
            .family_best
            .iter_mut()
            .find(|f| f.0.params.family() == family && f.0.log_target == candidate.log_target)
        {
            entry.2 = (entry.2 * 0.7).max(0.02);
        }
    }

    /// Whether every family's incumbent would take longer than `left`.
    fn nothing_fits(&self, left: f64) -> bool {
        let rounds = self.folds.data.len().div_ceil(workers()) as f64;
        self.family_best
            .iter()
            .all(|f| self.fold_seconds(&f.0).is_some_and(|s| s * rounds > left))
    }

    /// `candidate` scored on its first folds, then — unless it clearly
    /// trails the best on the same folds — on the others when they fit (the
    /// first trial keeps the folds it has rather than leave no model).
    /// `None` when it failed, was pruned or there was no time for it.
    fn evaluate(&mut self, candidate: &Candidate) -> Option<Vec<FoldResult>> {
        self.tried += 1;
        let folds = self.folds.data.len();
        let all: Vec<usize> = (0..folds).collect();
        let first = &all[..workers().min(folds)];
        let mut results = self.folds.run(candidate, first, self.rows).ok()?;
        self.time(candidate, &results);
        if first.len() < folds && self.trails(&results) {
            improve_step(&mut self.family_best, candidate, f64::NEG_INFINITY);
            return None;
        }
        // Scored on every fold (the holdout's one included): done.
        if first.len() == folds {
            return Some(results);
        }
        // The slower of the first folds, with a margin: folds vary.
        let slowest = results.iter().map(|r| r.seconds).fold(0.0, f64::max);
        let rest = 1.25 * slowest * (folds - first.len()) as f64 / workers() as f64;
        if Instant::now() + Duration::from_secs_f64(rest + self.refit_reserve()) <= self.deadline {
            results.extend(
                self.folds
                    .run(candidate, &all[first.len()..], self.rows)
                    .ok()?,
            );
        } else if self.best.is_some() {
            return None;
        }
        Some(results)
    }

    /// Folds in what the candidate's first folds cost into its family's timing.
    fn time(&mut self, candidate: &Candidate, results: &[FoldResult]) {
        let mean =
            |f: fn(&FoldResult) -> f64| results.iter().map(f).sum::<f64>() / results.len() as f64;
        let size = space::size(&candidate.params);
        let fit_s = mean(|r| r.fit_s);
        let m = Measured {
            per_size: mean(|r| r.seconds) / size,
            fit_per_size: fit_s / size,
            fit_s,
        };
        let rows = self.rows;
        self.timing
            .entry(candidate.params.family())
            .and_modify(|t| t.update(rows, m))
            .or_insert(Timing::new(rows, m));
    }

    /// Whether first-fold results trail the best trial's on the same folds
    /// by more than half its spread.
    fn trails(&self, results: &[FoldResult]) -> bool {
        let Some((best, ..)) = &self.best else {
            return false;
        };
        let metric = self.metric;
        let oriented_mean = |scores: &mut dyn Iterator<Item = f64>| {
            mean_std(&scores.map(|s| oriented(metric, s)).collect::<Vec<_>>()).0
        };
        let partial = oriented_mean(&mut results.iter().map(|r| r.score));
        let theirs = oriented_mean(&mut best.fold_scores[..results.len()].iter().copied());
        partial < theirs - (0.5 * best.cv_std).max(0.002)
    }

    /// Puts a scored candidate on the leaderboard (and in the lead when it
    /// beats the best); returns its score.
    fn record(
        &mut self,
        candidate: Candidate,
        results: Vec<FoldResult>,
        progress: &mut dyn FnMut(Progress),
    ) -> f64 {
        let metric = self.metric;
        let scores: Vec<f64> = results.iter().map(|r| r.score).collect();
        let (mut cv_score, mut cv_std) = mean_std(&scores);
        if self.folds.holdout() {
            cv_std = mean_std(&self.folds.part_scores(metric, &results[0].out)).1;
            cv_score = scores[0];
        }
        improve_step(
            &mut self.family_best,
            &candidate,
            oriented(metric, cv_score),
        );
        let trial = Trial {
            n: self.tried,
            family: candidate.params.family().to_string(),
            params: candidate.describe(),
            cv_score,
            cv_std,
            fit_s: results.iter().map(|r| r.fit_s).sum::<f64>() / results.len() as f64,
            candidate,
            fold_scores: scores,
            train_rows: self.rows,
        };
        self.first_model_s.get_or_insert(self.elapsed_s());
        // A trial on a larger sample replaces the best of smaller ones:
        // scores on different samples do not compare.
        let better = self.best.as_ref().is_none_or(|(b, ..)| {
            b.train_rows < self.rows || oriented(metric, cv_score) > oriented(metric, b.cv_score)
        });
        if better {
            let done = &self.folds.data[..results.len()];
            let covered = covered_rows(done);
            let mut model = None;
            let mut outs = Vec::new();
            for r in results {
                outs.push(r.out);
                model = r.model;
            }
            let oof = stitch(done, &covered, outs);
            self.best = Some((trial.clone(), oof, covered, model));
        }
        self.leaderboard.push(trial);
        if let (Some(t), Some((b, ..))) = (self.leaderboard.last(), &self.best) {
            progress(Progress::Trial {
                trial: t,
                best: b,
                elapsed: self.start.elapsed().as_secs_f64(),
            });
        }
        cv_score
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timing_learns_how_cost_grows_with_rows() {
        // Fits of `s` seconds (predicting adds a second), size 1.
        let m = |s: f64| Measured {
            per_size: s + 1.0,
            fit_per_size: s,
            fit_s: s,
        };
        let mut t = Timing::new(10_000, m(1.0));
        t.update(10_000, m(3.0));
        assert_eq!(t.fit_per_size, 2.0, "the same rows average");
        assert_eq!(t.per_size, 3.0);
        assert_eq!(t.exponent, None, "one size measures no growth");
        assert!((t.at(40_000) - 3.0 * 4f64.powf(DEFAULT_EXPONENT)).abs() < 1e-9);
        // Four times the rows took eight times as long to fit: growth 1.5
        // (measured on the fits, not on the predictions that do not grow).
        t.update(40_000, m(16.0));
        assert!((t.exponent.unwrap() - 1.5).abs() < 1e-9);
        assert!((t.at(160_000) - 17.0 * 8.0).abs() < 1e-6);
        // Growth is kept between linear and quadratic.
        t.update(160_000, m(1.0));
        assert_eq!(t.exponent, Some(1.0));
        // Fits too short to time measure no growth.
        let mut quick = Timing::new(10_000, m(0.1));
        quick.update(40_000, m(0.8));
        assert_eq!(quick.exponent, None);
        assert_eq!((quick.rows, quick.fit_per_size), (40_000, 0.8));
    }
}

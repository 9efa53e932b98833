//! The search loop: which configuration to try next, whether the budget
//! still allows it, how it scores (pruned after its first folds when it
//! trails), and the leaderboard and best trial it leaves.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use super::{
    FoldResult, Folds, Progress, Spec, Trial, covered_rows, improve_step, mean_std, oriented,
    perfect, space, stitch, workers,
};
use crate::learner::Output;
use crate::metrics::Metric;
use crate::pipeline::Candidate;
use crate::rng::Rng;

/// The best trial with its out-of-fold predictions and the rows they cover.
pub(super) type Best = (Trial, Output, Vec<usize>);

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
    /// Seconds a fold takes per unit of a family's size, as measured.
    seconds_per_size: HashMap<&'static str, f64>,
    rng: Rng,
    turn: usize,
    /// The families the search sets out to try, in its order.
    pub families: Vec<String>,
    /// Trials started (pruned ones included).
    pub tried: usize,
    /// Every trial scored on all the folds it had time for.
    pub leaderboard: Vec<Trial>,
    /// The best of them.
    pub best: Option<Best>,
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
        Self {
            queue,
            families,
            folds,
            spec,
            shape,
            classes,
            metric,
            start,
            // Aimed a little short of the budget: fits cannot be stopped
            // midway and their cost is only estimated.
            deadline: start + spec.budget.mul_f64(0.98),
            family_best: Vec::new(),
            seconds_per_size: HashMap::new(),
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

    /// Runs trials until the budget, the space or a perfect score ends the
    /// search, or `cancel` is set (then it says it was interrupted).
    pub fn run(&mut self, progress: &mut dyn FnMut(Progress), cancel: &AtomicBool) -> bool {
        loop {
            if cancel.load(Ordering::Relaxed) {
                return true;
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

    /// Seconds reserved for refitting the winner on every row.
    fn refit_reserve(&self) -> f64 {
        self.best
            .as_ref()
            .map_or(0.0, |(t, ..)| t.fit_s * 2.0)
            .max(self.spec.budget.as_secs_f64() * 0.05)
    }

    /// Seconds a candidate's cross-validation would take: timed families by
    /// their own measured cost, others through priors from a family already
    /// timed (the linear model, when it is).
    fn estimate(&self, candidate: &Candidate) -> Option<f64> {
        let family = candidate.params.family();
        self.seconds_per_size
            .get(family)
            .map(|s| s * space::size(&candidate.params))
            .or_else(|| {
                let (timed, seconds) = self
                    .seconds_per_size
                    .get_key_value("linear")
                    .or(self.seconds_per_size.iter().next())?;
                Some(space::prior(
                    &candidate.params,
                    self.shape.rows,
                    self.classes,
                    timed,
                    *seconds,
                ))
            })
            .map(|fold| fold * self.spec.folds as f64 / workers() as f64)
    }

    /// Whether `candidate` fits in the time left; a family too slow for it
    /// narrows its step, so its next neighbour is cheaper.
    fn affordable(&mut self, candidate: &Candidate) -> Affordable {
        let left = self
            .deadline
            .saturating_duration_since(Instant::now())
            .as_secs_f64()
            - self.refit_reserve();
        match self.estimate(candidate) {
            Some(e) if e > left => {
                let family = candidate.params.family();
                if let Some(entry) = self
                    .family_best
                    .iter_mut()
                    .find(|f| f.0.params.family() == family)
                {
                    entry.2 = (entry.2 * 0.7).max(0.02);
                }
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

    /// Whether every family's incumbent would take longer than `left`.
    fn nothing_fits(&self, left: f64) -> bool {
        let par = workers() as f64;
        self.family_best.iter().all(|f| {
            self.seconds_per_size
                .get(f.0.params.family())
                .is_some_and(|s| s * space::size(&f.0.params) * self.spec.folds as f64 / par > left)
        })
    }

    /// `candidate` scored on its first folds, then — unless it clearly
    /// trails the best on the same folds — on the others when they fit (the
    /// first trial keeps the folds it has rather than leave no model).
    /// `None` when it failed, was pruned or there was no time for it.
    fn evaluate(&mut self, candidate: &Candidate) -> Option<Vec<FoldResult>> {
        self.tried += 1;
        let folds = self.spec.folds;
        let all: Vec<usize> = (0..folds).collect();
        let first = &all[..workers().min(folds)];
        let mut results = self.folds.run(candidate, first).ok()?;
        self.time(candidate, &results);
        if self.trails(&results) {
            improve_step(&mut self.family_best, candidate, f64::NEG_INFINITY);
            return None;
        }
        // The slower of the first folds, with a margin: folds vary.
        let slowest = results.iter().map(|r| r.1).fold(0.0, f64::max);
        let rest = 1.25 * slowest * (folds - first.len()) as f64 / workers() as f64;
        if Instant::now() + Duration::from_secs_f64(rest + self.refit_reserve()) <= self.deadline {
            results.extend(self.folds.run(candidate, &all[first.len()..]).ok()?);
        } else if self.best.is_some() {
            return None;
        }
        Some(results)
    }

    /// Folds in what the candidate's first folds cost into its family's timing.
    fn time(&mut self, candidate: &Candidate, results: &[FoldResult]) {
        let per_size = results.iter().map(|r| r.1).sum::<f64>()
            / results.len() as f64
            / space::size(&candidate.params);
        self.seconds_per_size
            .entry(candidate.params.family())
            .and_modify(|s| *s = (*s + per_size) / 2.0)
            .or_insert(per_size);
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
        let partial = oriented_mean(&mut results.iter().map(|r| r.0));
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
        let scores: Vec<f64> = results.iter().map(|r| r.0).collect();
        let (cv_score, cv_std) = mean_std(&scores);
        let metric = self.metric;
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
            fit_s: results.iter().map(|r| r.1).sum::<f64>() / results.len() as f64,
            candidate,
            fold_scores: scores,
        };
        let better = self
            .best
            .as_ref()
            .is_none_or(|(b, ..)| oriented(metric, cv_score) > oriented(metric, b.cv_score));
        if better {
            let done = &self.folds.data[..results.len()];
            let covered = covered_rows(done);
            let oof = stitch(done, &covered, results.into_iter().map(|r| r.2).collect());
            self.best = Some((trial.clone(), oof, covered));
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

//! Who should take a task: a conditional logit over the team. Each person's
//! score adds a learnt weight for every (person, word or tag) pair of the
//! task — what they took on before, with the workload of the day accounted
//! for — to their skill match, their open workload against capacity and their
//! speed. Fitted with Adam on the history's real choices.

use std::collections::HashMap;

use serde::Serialize;

use super::{Insight, Member, WorkItem, Workload};

/// Dense features per (task, person): load, skill match, log speed.
const DENSE: usize = 3;
/// A word or tag gets its own weights once it appears this often.
const MIN_TOKEN_COUNT: usize = 3;
/// L2 penalty on the (person, token) weights.
const L2: f64 = 0.001;

/// One ranked person and why.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    /// The person.
    pub name: String,
    /// How likely they are the one a lead would pick, judging by past
    /// choices (sums to 1 over the team).
    pub score: f64,
    /// Short reasons, strongest first.
    pub reasons: Vec<String>,
}

/// One person as a candidate for one task.
struct Candidate {
    dense: [f64; DENSE],
    /// Indices of the (person, token) weights that apply.
    sparse: Vec<usize>,
}

/// The trained ranker.
pub struct Assigner {
    /// Reads tags too (for tasks that have them), or only the words.
    tags: bool,
    /// Token → column; the weight of (person p, token t) is at
    /// `DENSE + p * tokens.len() + t`.
    tokens: HashMap<String, usize>,
    weights: Vec<f64>,
    /// Completed tasks per person and token, for the reasons.
    counts: Vec<HashMap<String, usize>>,
    /// Median actual/estimate per person.
    speed: Vec<f64>,
}

impl Assigner {
    /// Learns from `items[history]` (completed, assigned, in creation order),
    /// reading their tags or (`tags` false) only their words.
    pub fn train(items: &[WorkItem], history: &[usize], team: &[Member], tags: bool) -> Self {
        let index = |name: &str| team.iter().position(|m| m.name.eq_ignore_ascii_case(name));
        let mut counts = vec![HashMap::<String, usize>::new(); team.len()];
        let mut seen: HashMap<String, usize> = HashMap::new();
        let mut ratios = vec![Vec::new(); team.len()];
        for &i in history {
            let item = &items[i];
            let Some(p) = item.assignee.as_deref().and_then(index) else {
                continue;
            };
            for token in learnable(item, tags) {
                *counts[p].entry(token.clone()).or_default() += 1;
                *seen.entry(token).or_default() += 1;
            }
            if let (Some(e), Some(a)) = (item.estimate, item.actual)
                && e > 0.0
            {
                ratios[p].push(a / e);
            }
        }
        let mut vocabulary: Vec<String> = seen
            .into_iter()
            .filter(|(_, n)| *n >= MIN_TOKEN_COUNT)
            .map(|(t, _)| t)
            .collect();
        vocabulary.sort();
        let tokens: HashMap<String, usize> = vocabulary
            .into_iter()
            .enumerate()
            .map(|(i, t)| (t, i))
            .collect();
        let mut model = Self {
            tags,
            weights: vec![0.0; DENSE + team.len() * tokens.len()],
            tokens,
            counts,
            speed: ratios.into_iter().map(super::median_or_one).collect(),
        };
        let examples: Vec<(Vec<Candidate>, usize)> = history
            .iter()
            .filter_map(|&i| {
                let chosen = index(items[i].assignee.as_deref()?)?;
                let open = Insight::workload_before(items, i);
                Some((model.candidates(&items[i], &open, team), chosen))
            })
            .collect();
        model.fit(&examples);
        model
    }

    /// Adam on the mean log-likelihood of the real choices, with L2 on the
    /// (person, token) weights.
    fn fit(&mut self, examples: &[(Vec<Candidate>, usize)]) {
        if examples.is_empty() {
            return;
        }
        let (rate, beta1, beta2) = (0.05, 0.9, 0.999);
        let mut m = vec![0.0; self.weights.len()];
        let mut v = vec![0.0; self.weights.len()];
        for step in 1..=300 {
            let mut gradient = vec![0.0; self.weights.len()];
            for (candidates, chosen) in examples {
                let p = softmax(candidates.iter().map(|c| self.score(c)));
                for (j, c) in candidates.iter().enumerate() {
                    let g = f64::from(j == *chosen) - p[j];
                    for (k, f) in c.dense.iter().enumerate() {
                        gradient[k] += g * f;
                    }
                    for &k in &c.sparse {
                        gradient[k] += g;
                    }
                }
            }
            let n = examples.len() as f64;
            for k in 0..self.weights.len() {
                let penalty = if k >= DENSE {
                    L2 * self.weights[k]
                } else {
                    0.0
                };
                let g = gradient[k] / n - penalty;
                m[k] = beta1 * m[k] + (1.0 - beta1) * g;
                v[k] = beta2 * v[k] + (1.0 - beta2) * g * g;
                let m_hat = m[k] / (1.0 - beta1.powi(step));
                let v_hat = v[k] / (1.0 - beta2.powi(step));
                self.weights[k] += rate * m_hat / (v_hat.sqrt() + 1e-8);
            }
        }
    }

    fn score(&self, c: &Candidate) -> f64 {
        let dense: f64 = c.dense.iter().zip(&self.weights).map(|(f, w)| f * w).sum();
        dense + c.sparse.iter().map(|&k| self.weights[k]).sum::<f64>()
    }

    /// Every team member as a candidate for `item`.
    fn candidates(&self, item: &WorkItem, open: &Workload, team: &[Member]) -> Vec<Candidate> {
        let words = learnable(item, self.tags);
        let tokens: Vec<usize> = words
            .iter()
            .filter_map(|t| self.tokens.get(t).copied())
            .collect();
        team.iter()
            .enumerate()
            .map(|(p, member)| {
                let skilled = words
                    .iter()
                    .any(|t| member.skills.iter().any(|s| t.trim_start_matches('#') == s));
                Candidate {
                    dense: [
                        // Estimated hours: what the lead saw when assigning.
                        (open.estimated(&member.name) / member.capacity).min(4.0),
                        f64::from(skilled),
                        self.speed[p].ln(),
                    ],
                    sparse: tokens
                        .iter()
                        .map(|t| DENSE + p * self.tokens.len() + t)
                        .collect(),
                }
            })
            .collect()
    }

    /// Whether `item` has a tag this ranker learnt.
    pub fn knows_tags_of(&self, item: &WorkItem) -> bool {
        self.tags
            && learnable(item, true)
                .iter()
                .any(|t| t.starts_with('#') && self.tokens.contains_key(t))
    }

    /// The team ranked for `item`, best first.
    pub fn suggest(&self, item: &WorkItem, open: &Workload, team: &[Member]) -> Vec<Suggestion> {
        let candidates = self.candidates(item, open, team);
        let p = softmax(candidates.iter().map(|c| self.score(c)));
        let mut ranked: Vec<Suggestion> = team
            .iter()
            .enumerate()
            .map(|(i, member)| Suggestion {
                name: member.name.clone(),
                score: p[i],
                reasons: self.reasons(i, member, item, &candidates[i], open),
            })
            .collect();
        ranked.sort_by(|a, b| b.score.total_cmp(&a.score));
        ranked
    }

    fn reasons(
        &self,
        p: usize,
        member: &Member,
        item: &WorkItem,
        c: &Candidate,
        open: &Workload,
    ) -> Vec<String> {
        // The word that speaks most for this person (by learnt weight).
        let weight = |t: &str| {
            self.tokens.get(t).map_or(f64::NEG_INFINITY, |&i| {
                self.weights[DENSE + p * self.tokens.len() + i]
            })
        };
        let similar = learnable(item, self.tags)
            .into_iter()
            .map(|t| (self.counts[p].get(&t).copied().unwrap_or(0), t))
            .filter(|(n, _)| *n > 0)
            .max_by(|a, b| weight(&a.1).total_cmp(&weight(&b.1)));
        let mut reasons = vec![match similar {
            Some((n, word)) => format!(
                "completed {n} task(s) about “{}”",
                word.trim_start_matches('#')
            ),
            None => "has not done similar work".into(),
        }];
        if c.dense[1] > 0.0 {
            reasons.push(format!("skills: {}", member.skills.join(", ")));
        }
        let hours = open.expected(&member.name);
        reasons.push(format!(
            "{hours:.0} h open of {:.0} h/week",
            member.capacity
        ));
        if (self.speed[p] - 1.0).abs() >= 0.05 {
            reasons.push(format!("usually takes {:.2}× the estimate", self.speed[p]));
        }
        reasons
    }
}

/// The tokens that say what a task is about: title words and (with `tags`)
/// tags, never the project.
fn learnable(item: &WorkItem, tags: bool) -> Vec<String> {
    let mut tokens: Vec<String> = item
        .tokens()
        .into_iter()
        .filter(|t| !t.starts_with('@') && (tags || !t.starts_with('#')))
        .collect();
    tokens.sort();
    tokens.dedup();
    tokens
}

/// Probabilities from scores.
fn softmax(scores: impl Iterator<Item = f64>) -> Vec<f64> {
    let s: Vec<f64> = scores.collect();
    let max = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let exp: Vec<f64> = s.iter().map(|x| (x - max).exp()).collect();
    let total: f64 = exp.iter().sum();
    exp.iter().map(|e| e / total).collect()
}

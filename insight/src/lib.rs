//! Work intelligence: who should take a task, how long it will take and
//! whether it will miss its due date, learnt from the workspace's own
//! completed tasks.
//!
//! Everything works on [`WorkItem`]s, built from stored tasks or from an
//! imported history, so the same models serve the tools and `maestro eval work`.

#![deny(missing_docs)]

mod assign;
mod duration;
pub mod evaluate;
mod risk;

use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};

use maestro_store::{NewTask, Person, Priority, Task};

pub use assign::Suggestion;
pub use duration::Estimate;
pub use risk::RiskAssessment;

/// Hours assumed for a task with neither an estimate nor a prediction.
pub const DEFAULT_HOURS: f64 = 4.0;

/// Completed tasks needed before the models are trained; below it the tools
/// fall back to estimates and say so.
pub const MIN_HISTORY: usize = 30;

/// A task as the models see it.
#[derive(Debug, Clone)]
pub struct WorkItem {
    /// The stored task's id, when it has one.
    pub id: Option<i64>,
    /// Title (and description, when there is one).
    pub text: String,
    /// Tags (topic and category for imported histories).
    pub tags: Vec<String>,
    /// Project.
    pub project: Option<String>,
    /// Priority.
    pub priority: Priority,
    /// Who did (or does) it.
    pub assignee: Option<String>,
    /// Estimated hours.
    pub estimate: Option<f64>,
    /// Day it was created.
    pub created: NaiveDate,
    /// Due day.
    pub due: Option<NaiveDate>,
    /// Day it was finished.
    pub completed: Option<NaiveDate>,
    /// Hours it really took.
    pub actual: Option<f64>,
    /// Hours the models expect it to take (set by [`Insight::annotate`]);
    /// workloads count these rather than raw estimates.
    pub expected: Option<f64>,
}

impl WorkItem {
    /// From a stored task.
    pub fn from_task(t: &Task) -> Self {
        Self {
            id: Some(t.id),
            text: join_text(&t.title, t.description.as_deref()),
            tags: t.tags.clone(),
            project: t.project.clone(),
            priority: t.priority,
            assignee: t.assignee.clone(),
            estimate: t.estimate_hours,
            created: t.created_at.date_naive(),
            due: t.due,
            completed: t.completed_at.map(|c| c.date_naive()),
            actual: t.actual_hours,
            expected: None,
        }
    }

    /// From an imported row; `today` stands in for a missing creation date.
    pub fn from_new(t: &NewTask, today: NaiveDate) -> Self {
        Self {
            id: None,
            text: join_text(&t.title, t.description.as_deref()),
            tags: t.tags.clone(),
            project: t.project.clone(),
            priority: t.priority.unwrap_or(Priority::Medium),
            assignee: t.assignee.clone(),
            estimate: t.estimate_hours,
            created: t.created_at.map_or(today, |c| c.date_naive()),
            due: t.due,
            completed: t.completed_at.map(|c| c.date_naive()),
            actual: t.actual_hours,
            expected: None,
        }
    }

    /// A task that does not exist yet, described in words.
    pub fn described(text: &str, created: NaiveDate) -> Self {
        Self {
            id: None,
            text: text.to_string(),
            tags: Vec::new(),
            project: None,
            priority: Priority::Medium,
            assignee: None,
            estimate: None,
            created,
            due: None,
            completed: None,
            actual: None,
            expected: None,
        }
    }

    /// Finished, with an assignee and real hours: something to learn from.
    pub fn is_history(&self) -> bool {
        self.completed.is_some() && self.assignee.is_some() && self.actual.is_some()
    }

    /// Open on `day`: created by then and not finished before.
    pub fn open_on(&self, day: NaiveDate) -> bool {
        self.created <= day && self.completed.is_none_or(|c| c > day)
    }

    /// The hours it weighs in someone's workload.
    pub fn load_hours(&self) -> f64 {
        // Never the real hours: while a task is open nobody knows them.
        self.expected.or(self.estimate).unwrap_or(DEFAULT_HOURS)
    }

    /// The words the models read: title words, tags and project, lower-cased.
    pub fn tokens(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .text
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.len() > 1)
            .map(str::to_lowercase)
            .collect();
        out.extend(self.tags.iter().map(|t| format!("#{}", t.to_lowercase())));
        if let Some(p) = &self.project {
            out.push(format!("@{}", p.to_lowercase()));
        }
        out
    }
}

fn join_text(title: &str, description: Option<&str>) -> String {
    match description {
        Some(d) if !d.trim().is_empty() => format!("{title} {d}"),
        _ => title.to_string(),
    }
}

/// A person as the models see them.
#[derive(Debug, Clone)]
pub struct Member {
    /// Name, as tasks name the assignee.
    pub name: String,
    /// Hours a week.
    pub capacity: f64,
    /// Skills, lower-cased.
    pub skills: Vec<String>,
}

impl From<&Person> for Member {
    fn from(p: &Person) -> Self {
        Self {
            name: p.name.clone(),
            capacity: p.capacity.max(1.0),
            skills: p.skills.iter().map(|s| s.trim().to_lowercase()).collect(),
        }
    }
}

/// Open work per person on a day, in estimated and in expected hours.
#[derive(Debug, Clone, Default)]
pub struct Workload {
    /// (name, estimated hours, expected hours); a team is small, so a list.
    people: Vec<(String, f64, f64)>,
}

impl Workload {
    fn find(&self, name: &str) -> Option<&(String, f64, f64)> {
        self.people
            .iter()
            .find(|(n, ..)| n.eq_ignore_ascii_case(name))
    }

    /// Open hours of `name` as estimated when the tasks were created.
    pub fn estimated(&self, name: &str) -> f64 {
        self.find(name).map_or(0.0, |p| p.1)
    }

    /// Open hours of `name` as the models expect them to take.
    pub fn expected(&self, name: &str) -> f64 {
        self.find(name).map_or(0.0, |p| p.2)
    }

    /// The same workload without `item` (when it is open on `day`).
    pub fn without(&self, item: &WorkItem, day: NaiveDate) -> Workload {
        let mut rest = self.clone();
        if item.open_on(day) {
            rest.count(item, -1.0);
        }
        rest
    }

    /// Adds (`sign` 1) or removes (`sign` -1) an open item's hours.
    fn count(&mut self, item: &WorkItem, sign: f64) {
        if let Some(who) = &item.assignee {
            let estimate = item.estimate.unwrap_or(DEFAULT_HOURS);
            self.add(who, sign * estimate, sign * item.load_hours());
        }
    }

    fn add(&mut self, name: &str, estimated: f64, expected: f64) {
        match self
            .people
            .iter_mut()
            .find(|(n, ..)| n.eq_ignore_ascii_case(name))
        {
            Some(p) => {
                p.1 += estimated;
                p.2 += expected;
            }
            None => self.people.push((name.to_string(), estimated, expected)),
        }
    }
}

/// The work open on `day` among `items`.
pub fn workload(items: &[WorkItem], day: NaiveDate) -> Workload {
    let mut open = Workload::default();
    for item in items.iter().filter(|i| i.open_on(day)) {
        open.count(item, 1.0);
    }
    open
}

/// Working days (Monday to Friday) from `from` to `to`; negative when `to` is earlier.
pub fn business_days(from: NaiveDate, to: NaiveDate) -> f64 {
    let (a, b, sign) = if to >= from {
        (from, to, 1.0)
    } else {
        (to, from, -1.0)
    };
    let days = a
        .iter_days()
        .skip(1)
        .take_while(|d| *d <= b)
        .filter(|d| d.weekday().num_days_from_monday() < 5)
        .count();
    sign * days as f64
}

/// The models, trained on a team's history.
pub struct Insight {
    team: Vec<Member>,
    /// Predicts hours from estimate-based workloads, to size open work.
    sizing: duration::DurationModel,
    /// Ranks by tags and words, for tasks with known tags (trained on
    /// first use: the workload report never needs it).
    assign: OnceLock<assign::Assigner>,
    /// Ranks by words alone, for tasks described in words (likewise).
    assign_by_words: OnceLock<assign::Assigner>,
    /// The annotated items and the indexes of the history, which the
    /// rankers learn from when first asked.
    items: Vec<WorkItem>,
    history: Vec<usize>,
    duration: duration::DurationModel,
    risk: risk::RiskModel,
    /// Completed tasks learnt from.
    pub trained_on: usize,
}

/// Why the models cannot be trained.
#[derive(Debug, thiserror::Error)]
pub enum InsightError {
    /// Not enough history.
    #[error(
        "only {0} completed task(s) with an assignee and actual hours; {MIN_HISTORY} are needed to learn from (import a history with `maestro import tasks FILE.csv`)"
    )]
    TooLittleHistory(usize),
    /// No people.
    #[error("the team is empty; add people first")]
    NoTeam,
    /// A model failed to fit.
    #[error("could not fit the {0} model: {1}")]
    Fit(&'static str, String),
}

impl Insight {
    /// Trains on the completed items of `items`, which must be in creation
    /// order (the others only count as workload).
    pub fn train(items: &[WorkItem], team: &[Member]) -> Result<Self, InsightError> {
        if team.is_empty() {
            return Err(InsightError::NoTeam);
        }
        let history: Vec<usize> = (0..items.len())
            .filter(|&i| items[i].is_history())
            .collect();
        if history.len() < MIN_HISTORY {
            return Err(InsightError::TooLittleHistory(history.len()));
        }
        let mut items = items.to_vec();
        let sizing = duration::DurationModel::train(&items, &history, team, true)?;
        annotate(&mut items, &sizing, team);
        let duration = duration::DurationModel::train(&items, &history, team, false)?;
        let risk = risk::RiskModel::train(&items, &history, team, &duration)?;
        Ok(Self {
            team: team.to_vec(),
            sizing,
            assign: OnceLock::new(),
            assign_by_words: OnceLock::new(),
            duration,
            risk,
            trained_on: history.len(),
            items,
            history,
        })
    }

    /// People ranked for `item`, best first, each with reasons; `open` gives
    /// the workload on `item.created`.
    pub fn suggest(&self, item: &WorkItem, open: &Workload) -> Vec<Suggestion> {
        let train =
            |by_tags| assign::Assigner::train(&self.items, &self.history, &self.team, by_tags);
        let by_tags = self.assign.get_or_init(|| train(true));
        let ranker = if by_tags.knows_tags_of(item) {
            by_tags
        } else {
            self.assign_by_words.get_or_init(|| train(false))
        };
        ranker.suggest(item, open, &self.team)
    }

    /// Hours `item` will take (with its assignee, if any) and an 80% interval.
    pub fn estimate(&self, item: &WorkItem, open: &Workload) -> Estimate {
        self.duration.estimate(item, open, &self.team)
    }

    /// The chance that `item` (open on `today`) misses its due date, with reasons.
    pub fn risk(
        &self,
        item: &WorkItem,
        open: &Workload,
        today: NaiveDate,
    ) -> Option<RiskAssessment> {
        let hours = self.estimate(item, open);
        self.risk.assess(item, open, &self.team, &hours, today)
    }

    /// The workload when `items[i]` was created (the items before it that were
    /// still open), for replaying history in creation order.
    pub fn workload_before(items: &[WorkItem], i: usize) -> Workload {
        workload(&items[..i], items[i].created)
    }

    /// Whether the history had due dates to learn lateness from.
    pub fn knows_lateness(&self) -> bool {
        self.risk.has_history()
    }

    /// Sets every item's expected hours (in creation order), so that
    /// workloads weigh open work by what it will really take.
    pub fn annotate(&self, items: &mut [WorkItem]) {
        annotate(items, &self.sizing, &self.team);
    }
}

fn annotate(items: &mut [WorkItem], sizing: &duration::DurationModel, team: &[Member]) {
    items.iter_mut().for_each(|item| item.expected = None);
    let hours: Vec<f64> = (0..items.len())
        .map(|i| {
            let open = Insight::workload_before(items, i);
            sizing.estimate(&items[i], &open, team).hours
        })
        .collect();
    for (item, h) in items.iter_mut().zip(hours) {
        item.expected = Some(h);
    }
}

/// The median of `ratios` (actual over estimated hours), 1 when there are none.
fn median_or_one(mut ratios: Vec<f64>) -> f64 {
    if ratios.is_empty() {
        return 1.0;
    }
    ratios.sort_by(f64::total_cmp);
    ratios[ratios.len() / 2].max(0.05)
}

/// The capacity of `name` in hours a week (40 for someone unknown).
fn capacity(team: &[Member], name: &str) -> f64 {
    team.iter()
        .find(|m| m.name.eq_ignore_ascii_case(name))
        .map_or(40.0, |m| m.capacity)
}

/// Expected open hours over weekly capacity for `name`.
fn load_ratio(team: &[Member], open: &Workload, name: &str) -> f64 {
    open.expected(name) / capacity(team, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn business_days_skip_weekends() {
        // Friday to Monday is one working day.
        assert_eq!(business_days(day("2026-11-27"), day("2026-11-30")), 1.0);
        assert_eq!(business_days(day("2026-11-30"), day("2026-11-27")), -1.0);
        assert_eq!(business_days(day("2026-11-23"), day("2026-12-07")), 10.0);
    }

    #[test]
    fn workload_counts_only_what_is_open() {
        let mut a = WorkItem::described("fix login", day("2026-11-02"));
        a.assignee = Some("Alice".into());
        a.estimate = Some(5.0);
        let mut b = a.clone();
        b.completed = Some(day("2026-11-04"));
        let open = workload(&[a.clone(), b], day("2026-11-05"));
        assert_eq!(open.estimated("Alice"), 5.0);
        assert_eq!(open.without(&a, day("2026-11-05")).estimated("alice"), 0.0);
        // An item not open that day takes nothing away.
        assert_eq!(open.without(&a, day("2026-11-01")).estimated("Alice"), 5.0);
    }
}

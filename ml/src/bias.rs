//! Bias checks for classifiers: selection rates, accuracy and error rates per
//! group of a sensitive column, the parity ratios between groups and the
//! four-fifths rule.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Groups with fewer rows are listed but left out of the comparisons.
const MIN_ROWS: usize = 5;

/// The four-fifths rule: a group's selection rate should be at least this
/// share of the most selected group's.
const FOUR_FIFTHS: f64 = 0.8;

/// The label given to rows whose group is missing.
const MISSING: &str = "(missing)";

/// How the classifier treats one group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupStats {
    /// The group's value (`(missing)` for rows without one).
    pub group: String,
    /// Rows in the group.
    pub rows: usize,
    /// Share of the group predicted positive.
    pub selection_rate: f64,
    /// Share of the group predicted correctly.
    pub accuracy: f64,
    /// True-positive rate: share of the actual positives predicted positive
    /// (None when the group has no actual positives).
    pub tpr: Option<f64>,
    /// False-positive rate: share of the actual negatives predicted positive
    /// (None when the group has no actual negatives).
    pub fpr: Option<f64>,
    /// Fewer than 5 rows: too few to judge, left out of the ratios.
    pub small: bool,
}

/// A classifier's fairness across the groups of one column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BiasReport {
    /// Every group, largest first.
    pub groups: Vec<GroupStats>,
    /// Lowest selection rate over the highest, among groups that are not
    /// small (None with fewer than two such groups or nobody selected).
    pub demographic_parity_ratio: Option<f64>,
    /// Lowest true-positive rate over the highest, among groups that are not
    /// small and have actual positives (None with fewer than two or all 0).
    pub equal_opportunity_ratio: Option<f64>,
    /// The group with the highest selection rate, that the others are
    /// compared with (None when there is nothing to compare).
    pub reference: Option<String>,
    /// Groups selected at less than 80% of the reference group's rate.
    pub four_fifths_violations: Vec<String>,
    /// The outcome in one plain sentence.
    pub verdict: String,
}

/// Checks a classifier's predictions for bias across `groups`.
///
/// `truth` and `predicted` are class indices, `groups` the sensitive
/// column's cell for each row (missing cells form the group `(missing)`),
/// and `positive` the favourable class (e.g. "approved"). If the three
/// slices differ in length only the rows they all have are used.
pub fn check(
    truth: &[usize],
    predicted: &[usize],
    groups: &[Option<String>],
    positive: usize,
) -> BiasReport {
    let mut tallies: BTreeMap<&str, Tally> = BTreeMap::new();
    for ((&t, &p), g) in truth.iter().zip(predicted).zip(groups) {
        let tally = tallies.entry(g.as_deref().unwrap_or(MISSING)).or_default();
        tally.add(t == positive, p == positive, t == p);
    }
    let mut groups: Vec<GroupStats> = tallies
        .into_iter()
        .map(|(group, tally)| tally.stats(group))
        .collect();
    groups.sort_by(|a, b| b.rows.cmp(&a.rows).then_with(|| a.group.cmp(&b.group)));

    let compared: Vec<&GroupStats> = groups.iter().filter(|g| !g.small).collect();
    let demographic_parity_ratio = ratio(compared.iter().map(|g| g.selection_rate));
    let equal_opportunity_ratio = ratio(compared.iter().filter_map(|g| g.tpr));
    let reference = (compared.len() >= 2)
        .then(|| {
            compared.iter().copied().reduce(|best, g| {
                if g.selection_rate > best.selection_rate {
                    g
                } else {
                    best
                }
            })
        })
        .flatten()
        .filter(|g| g.selection_rate > 0.0);
    let below: Vec<&GroupStats> = match reference {
        Some(r) => compared
            .iter()
            .copied()
            .filter(|g| g.selection_rate < FOUR_FIFTHS * r.selection_rate - 1e-12)
            .collect(),
        None => Vec::new(),
    };
    let verdict = verdict(&groups, &compared, reference, &below);
    BiasReport {
        four_fifths_violations: below.iter().map(|g| g.group.clone()).collect(),
        reference: reference.map(|r| r.group.clone()),
        groups,
        demographic_parity_ratio,
        equal_opportunity_ratio,
        verdict,
    }
}

/// Counts for one group.
#[derive(Debug, Default)]
struct Tally {
    rows: usize,
    selected: usize,
    correct: usize,
    positives: usize,
    true_positives: usize,
    negatives: usize,
    false_positives: usize,
}

impl Tally {
    fn add(&mut self, actual: bool, predicted: bool, correct: bool) {
        self.rows += 1;
        self.selected += usize::from(predicted);
        self.correct += usize::from(correct);
        if actual {
            self.positives += 1;
            self.true_positives += usize::from(predicted);
        } else {
            self.negatives += 1;
            self.false_positives += usize::from(predicted);
        }
    }

    fn stats(&self, group: &str) -> GroupStats {
        let share = |part: usize, whole: usize| (whole > 0).then(|| part as f64 / whole as f64);
        GroupStats {
            group: group.to_string(),
            rows: self.rows,
            selection_rate: share(self.selected, self.rows).unwrap_or(0.0),
            accuracy: share(self.correct, self.rows).unwrap_or(0.0),
            tpr: share(self.true_positives, self.positives),
            fpr: share(self.false_positives, self.negatives),
            small: self.rows < MIN_ROWS,
        }
    }
}

/// Lowest over highest of at least two rates (None when the highest is 0).
fn ratio(rates: impl Iterator<Item = f64>) -> Option<f64> {
    let (count, low, high) = rates.fold((0, f64::INFINITY, f64::NEG_INFINITY), |(n, l, h), r| {
        (n + 1, l.min(r), h.max(r))
    });
    (count >= 2 && high > 0.0).then(|| low / high)
}

/// The one-sentence outcome.
fn verdict(
    groups: &[GroupStats],
    compared: &[&GroupStats],
    reference: Option<&GroupStats>,
    below: &[&GroupStats],
) -> String {
    if groups.is_empty() {
        return "There are no rows to check.".into();
    }
    if compared.len() < 2 {
        return format!(
            "Cannot apply the four-fifths rule: fewer than two groups have at least {MIN_ROWS} rows."
        );
    }
    let Some(reference) = reference else {
        return "Cannot apply the four-fifths rule: no group has anyone predicted positive.".into();
    };
    if below.is_empty() {
        return format!(
            "Passes the four-fifths rule: every group is selected at least 80% as often as {} ({}).",
            reference.group,
            percent(reference.selection_rate)
        );
    }
    let each: Vec<String> = below
        .iter()
        .map(|g| {
            format!(
                "{} is selected at {} of {}'s rate ({} vs {})",
                g.group,
                percent(g.selection_rate / reference.selection_rate),
                reference.group,
                percent(g.selection_rate),
                percent(reference.selection_rate)
            )
        })
        .collect();
    format!("Fails the four-fifths rule: {}.", each.join("; "))
}

/// A share as a percentage (one decimal below 10%).
fn percent(share: f64) -> String {
    let p = share * 100.0;
    if p.abs() < 10.0 && p.fract().abs() > 1e-9 {
        format!("{p:.1}%")
    } else {
        format!("{p:.0}%")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Rows for one group: `selected` of `rows` predicted positive, of which
    /// `hits` are actual positives; `positives` actual positives in all.
    fn group(
        name: Option<&str>,
        rows: usize,
        selected: usize,
        positives: usize,
        hits: usize,
    ) -> Vec<(usize, usize, Option<String>)> {
        (0..rows)
            .map(|i| {
                let predicted = usize::from(i < selected);
                // Positives first among the selected (hits), then among the rest.
                let actual = if i < selected {
                    usize::from(i < hits)
                } else {
                    usize::from(i - selected < positives - hits)
                };
                (actual, predicted, name.map(str::to_string))
            })
            .collect()
    }

    fn run(parts: &[Vec<(usize, usize, Option<String>)>]) -> BiasReport {
        let rows: Vec<_> = parts.iter().flatten().cloned().collect();
        let truth: Vec<usize> = rows.iter().map(|r| r.0).collect();
        let predicted: Vec<usize> = rows.iter().map(|r| r.1).collect();
        let groups: Vec<Option<String>> = rows.iter().map(|r| r.2.clone()).collect();
        check(&truth, &predicted, &groups, 1)
    }

    fn stats<'a>(report: &'a BiasReport, name: &str) -> &'a GroupStats {
        report.groups.iter().find(|g| g.group == name).unwrap()
    }

    #[test]
    fn equal_rates_pass() {
        let report = run(&[
            group(Some("a"), 20, 10, 10, 8),
            group(Some("b"), 10, 5, 5, 4),
        ]);
        assert_eq!(report.demographic_parity_ratio, Some(1.0));
        assert_eq!(report.equal_opportunity_ratio, Some(1.0));
        assert!(report.four_fifths_violations.is_empty());
        assert_eq!(report.reference.as_deref(), Some("a"));
        assert!(report.verdict.starts_with("Passes"), "{}", report.verdict);
        let a = stats(&report, "a");
        assert_eq!((a.rows, a.selection_rate), (20, 0.5));
        assert_eq!(a.tpr, Some(0.8));
        // 2 false positives among 10 negatives; 8 + 8 correct of 20.
        assert_eq!(a.fpr, Some(0.2));
        assert_eq!(a.accuracy, 0.8);
        assert_eq!(report.groups[0].group, "a");
    }

    #[test]
    fn a_group_selected_at_half_the_rate_is_flagged() {
        let report = run(&[
            group(Some("men"), 20, 10, 10, 10),
            group(Some("women"), 20, 5, 10, 5),
            group(None, 10, 5, 5, 5),
        ]);
        assert_eq!(report.demographic_parity_ratio, Some(0.5));
        assert_eq!(report.equal_opportunity_ratio, Some(0.5));
        assert_eq!(report.four_fifths_violations, ["women"]);
        // A tie for the highest rate goes to the larger group.
        assert_eq!(report.reference.as_deref(), Some("men"));
        assert!(report.verdict.starts_with("Fails"), "{}", report.verdict);
        assert!(
            report.verdict.contains("women is selected at 50%"),
            "{}",
            report.verdict
        );
        assert!(
            report.verdict.contains("(25% vs 50%)"),
            "{}",
            report.verdict
        );
        assert_eq!(stats(&report, "(missing)").rows, 10);
    }

    #[test]
    fn undefined_rates_are_none() {
        // Group b has no actual positives (no TPR) and no negatives in c.
        let report = run(&[
            group(Some("a"), 10, 5, 5, 4),
            group(Some("b"), 10, 4, 0, 0),
            group(Some("c"), 6, 6, 6, 6),
        ]);
        assert_eq!(stats(&report, "b").tpr, None);
        assert_eq!(stats(&report, "b").fpr, Some(0.4));
        assert_eq!(stats(&report, "c").fpr, None);
        assert_eq!(stats(&report, "c").tpr, Some(1.0));
        // TPRs 0.8 and 1.0 compared; b has none.
        assert_eq!(report.equal_opportunity_ratio, Some(0.8));
        let json = serde_json::to_string(&report).unwrap();
        assert!(!json.contains("NaN"));
    }

    #[test]
    fn small_groups_are_listed_but_not_compared() {
        let report = run(&[
            group(Some("a"), 20, 10, 10, 8),
            group(Some("b"), 20, 9, 10, 8),
            group(Some("tiny"), 3, 0, 1, 0),
        ]);
        let tiny = stats(&report, "tiny");
        assert!(tiny.small);
        assert_eq!(tiny.selection_rate, 0.0);
        assert!(!stats(&report, "a").small);
        assert_eq!(report.demographic_parity_ratio, Some(0.9));
        assert!(report.four_fifths_violations.is_empty());
        assert!(report.verdict.starts_with("Passes"), "{}", report.verdict);
    }

    #[test]
    fn too_little_to_compare() {
        let only = run(&[
            group(Some("a"), 20, 10, 10, 8),
            group(Some("b"), 4, 0, 2, 0),
        ]);
        assert_eq!(only.demographic_parity_ratio, None);
        assert_eq!(only.reference, None);
        assert!(only.verdict.starts_with("Cannot"), "{}", only.verdict);
        let nobody = run(&[group(Some("a"), 10, 0, 5, 0), group(Some("b"), 10, 0, 5, 0)]);
        assert_eq!(nobody.demographic_parity_ratio, None);
        assert_eq!(nobody.equal_opportunity_ratio, None);
        assert!(
            nobody.verdict.contains("no group has anyone"),
            "{}",
            nobody.verdict
        );
        let empty = check(&[], &[], &[], 1);
        assert!(empty.groups.is_empty());
        assert_eq!(empty.verdict, "There are no rows to check.");
        // Mismatched lengths use the rows all three have.
        let short = check(&[1, 0, 1], &[1, 1], &[None, None, None], 1);
        assert_eq!(short.groups[0].rows, 2);
    }
}

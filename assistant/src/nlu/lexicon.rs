//! The workspace's names, as the recognisers look them up: people (full and
//! first names, Slack ids, e-mails, close misspellings), projects, skills,
//! datasets with their columns, and models. Built once per turn.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use maestro_tools::{Person, Platform};

use super::dates::Conventions;

/// Everything a request's names are matched against.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    /// The team.
    pub people: Vec<Person>,
    /// Who is speaking (a name on the team), if known.
    pub actor: Option<String>,
    /// Project names.
    pub projects: Vec<String>,
    /// Skills someone on the team has (lower case).
    pub skills: Vec<String>,
    /// Datasets with their column names.
    pub datasets: Vec<(String, Vec<String>)>,
    /// Model names.
    pub models: Vec<String>,
    /// Today, in the workspace's time zone.
    pub today: NaiveDate,
    /// Now, in the workspace's time zone (for "at 3pm", "in 2 hours").
    pub now: NaiveDateTime,
    /// How dates are written and counted here.
    pub dates: Conventions,
}

/// Words too common to be a misspelt name.
const COMMON: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "bug", "but", "by", "can", "cab", "car", "care",
    "cart", "date", "day", "days", "do", "done", "dove", "due", "for", "from", "get", "give", "go",
    "good", "had", "has", "have", "he", "her", "him", "his", "how", "i", "if", "in", "is", "it",
    "its", "job", "jobs", "just", "let", "like", "list", "live", "love", "made", "make", "me",
    "more", "move", "my", "new", "no", "not", "now", "of", "off", "ok", "on", "one", "or", "our",
    "out", "pls", "put", "save", "says", "see", "set", "she", "show", "so", "take", "task", "that",
    "the", "them", "then", "they", "this", "to", "too", "two", "up", "us", "was", "we", "what",
    "when", "who", "why", "will", "with", "you", "your", "rob", "bin", "pro", "plan", "plans",
    "eric", "all", "any", "alive", "alike", "slice", "dive", "data", "card", "cards",
];

/// Whether a word is too common to be a name (or part of a column's name).
pub fn is_common_word(word: &str) -> bool {
    COMMON.contains(&word)
}

impl Lexicon {
    /// The workspace's names as they are `now`, for `actor`.
    pub fn of(platform: &Platform, actor: Option<&str>, now: DateTime<Utc>) -> Self {
        let names = platform.lookup(actor);
        let datasets = names
            .datasets()
            .unwrap_or_default()
            .into_iter()
            .map(|d| {
                let columns = d
                    .profile
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|p| p["name"].as_str().map(str::to_string))
                    .collect();
                (d.name, columns)
            })
            .collect();
        let mut models: Vec<String> = names
            .models()
            .unwrap_or_default()
            .into_iter()
            .map(|m| m.name)
            .collect();
        models.dedup();
        Self {
            datasets,
            models,
            ..Self::of_team(platform, actor, now)
        }
    }

    /// The team's names only (people, skills, projects), for a caller that
    /// has read the datasets and models already.
    pub fn of_team(platform: &Platform, actor: Option<&str>, now: DateTime<Utc>) -> Self {
        let names = platform.lookup(actor);
        let zone = platform.workspace_settings().unwrap_or_default().zone;
        let now = now.with_timezone(&zone).naive_local();
        let people = names.people().unwrap_or_default();
        let mut skills: Vec<String> = people
            .iter()
            .flat_map(|p| p.skills.iter().map(|s| s.to_lowercase()))
            .collect();
        skills.sort();
        skills.dedup();
        Self {
            people,
            actor: actor.map(str::to_string),
            projects: names.project_names().unwrap_or_default(),
            skills,
            today: now.date(),
            now,
            dates: Conventions::of(platform),
            ..Self::default()
        }
    }

    /// Every word of the workspace's names of things, in lower case:
    /// projects, skills, datasets and their columns, models. (People are
    /// matched by [`Self::person`], which asks about a name it cannot place.)
    pub fn words(&self) -> HashSet<String> {
        let names = self
            .projects
            .iter()
            .map(String::as_str)
            .chain(self.skills.iter().map(String::as_str))
            .chain(self.models.iter().map(String::as_str))
            .chain(
                self.datasets
                    .iter()
                    .flat_map(|(d, columns)| std::iter::once(d).chain(columns))
                    .map(String::as_str),
            );
        names
            .flat_map(|n| n.split(|c: char| !c.is_alphanumeric()))
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect()
    }

    /// The person a word (or words) names: full name, first name only one
    /// person has, last name, Slack id, e-mail, or a close misspelling that
    /// fits exactly one person. `None` when it names nobody on the team.
    pub fn person(&self, words: &str) -> Option<&Person> {
        let wanted = words.trim().trim_start_matches('@').to_lowercase();
        if wanted.is_empty() {
            return None;
        }
        if let Some(p) = maestro_tools::store::names::find_person(&self.people, &wanted) {
            return Some(p);
        }
        let by_last: Vec<&Person> = self
            .people
            .iter()
            .filter(|p| {
                p.name
                    .split_whitespace()
                    .skip(1)
                    .any(|n| n.to_lowercase() == wanted)
            })
            .collect();
        if let [only] = by_last.as_slice() {
            return Some(only);
        }
        self.misspelt(&wanted)
    }

    fn misspelt(&self, wanted: &str) -> Option<&Person> {
        if wanted.chars().count() < 3
            || is_common_word(wanted)
            || !wanted.chars().all(char::is_alphabetic)
        {
            return None;
        }
        let close: Vec<&Person> = self
            .people
            .iter()
            .filter(|p| {
                let lower = p.name.to_lowercase();
                let first = lower.split_whitespace().next().unwrap_or("");
                strsim::damerau_levenshtein(wanted, first) == 1 && first.len() >= 3
            })
            .collect();
        match close.as_slice() {
            [only] => Some(only),
            _ => None,
        }
    }

    /// Close names on the team, for asking about a name nobody has.
    pub fn close_people(&self, name: &str) -> Vec<String> {
        maestro_tools::store::names::close_names(name, self.people.iter().map(|p| p.name.as_str()))
    }

    /// The columns of `dataset`, or of every dataset when `None`.
    pub fn columns<'a>(&'a self, dataset: Option<&str>) -> Vec<&'a str> {
        self.datasets
            .iter()
            .filter(|(name, _)| dataset.is_none_or(|d| d == name))
            .flat_map(|(_, cols)| cols.iter().map(String::as_str))
            .collect()
    }
}

/// A column name as words: lower case, `_` as spaces, a trailing unit in
/// brackets dropped ("petal length (cm)" → "petal length").
pub fn column_words(column: &str) -> String {
    let lower = column.to_lowercase().replace('_', " ");
    let base = match lower.find(" (") {
        Some(i) if lower.ends_with(')') => &lower[..i],
        _ => &lower,
    };
    base.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn team() -> Lexicon {
        let person = |n: &str, slack: &str| Person {
            name: n.into(),
            email: Some(format!(
                "{}@acme.io",
                n.split(' ').next().unwrap().to_lowercase()
            )),
            slack_id: Some(slack.into()),
            skills: vec![],
            capacity: 40.0,
            timezone: None,
        };
        Lexicon {
            people: vec![
                person("Alice Johnson", "U01ALICE"),
                person("Bob Smith", "U02BOB"),
                person("Carol Diaz", "U03CAROL"),
                person("Dave Kim", "U04DAVE"),
            ],
            ..Lexicon::default()
        }
    }

    #[test]
    fn people_by_name_id_mail_and_misspelling_but_never_a_common_word() {
        let lex = team();
        let name = |w: &str| lex.person(w).map(|p| p.name.clone());
        assert_eq!(name("bob").as_deref(), Some("Bob Smith"));
        assert_eq!(name("Diaz").as_deref(), Some("Carol Diaz"));
        assert_eq!(name("U04DAVE").as_deref(), Some("Dave Kim"));
        assert_eq!(name("@carol").as_deref(), Some("Carol Diaz"));
        assert_eq!(name("bbo").as_deref(), Some("Bob Smith"));
        assert_eq!(name("dve").as_deref(), Some("Dave Kim"));
        assert_eq!(name("carrol").as_deref(), Some("Carol Diaz"));
        for word in ["have", "save", "date", "job", "zed", "bugs"] {
            assert_eq!(name(word), None, "{word}");
        }
    }

    #[test]
    fn column_words_drop_units_and_underscores() {
        assert_eq!(column_words("petal length (cm)"), "petal length");
        assert_eq!(column_words("tenure_months"), "tenure months");
    }
}

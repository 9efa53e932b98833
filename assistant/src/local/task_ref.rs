//! Tasks named the way people name them in chat: a bare number left once
//! the other parts are read ("bump 9 to urgent", "done w/ 10"), and words
//! that only resemble the title ("push notifs" for "Push notifications for
//! iOS", "2fa" for "Add two-factor authentication").

use maestro_tools::{Platform, TaskFilter};

use crate::nlu::spans::number_word;

/// The task a lone number in `words` names, if there is exactly one number,
/// it is not a count ("the 3 docs tasks") and a task has it.
pub fn bare_number(words: &str, platform: &Platform) -> Option<i64> {
    let id = lone_number(words)?;
    platform.lookup(None).task(id).ok().map(|t| t.id)
}

/// The one number in `words` that is not a count of something plural.
fn lone_number(words: &str) -> Option<i64> {
    const NOT_PLURAL: &[&str] = &["is", "was", "has", "its", "as", "this", "yes", "us"];
    let parts: Vec<&str> = words
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
        .filter(|w| !w.is_empty())
        .collect();
    let plural = |w: &&str| {
        let w = w.to_lowercase();
        w.len() > 2 && w.ends_with('s') && !NOT_PLURAL.contains(&w.as_str())
    };
    let mut numbers = parts.iter().enumerate().filter_map(|(i, w)| {
        let n = w.trim_start_matches('#').parse::<i64>().ok()?;
        // "3 docs", "3 remaining docs": a count.
        let counts = parts[i + 1..].iter().take(2).any(plural);
        Some((n, counts))
    });
    let (id, counts) = numbers.next()?;
    if numbers.next().is_some() {
        return None;
    }
    (!counts).then_some(id)
}

/// Words that say nothing about which task is meant.
const STOP: &[&str] = &[
    "a", "an", "the", "and", "for", "with", "to", "of", "on", "in", "task", "tasks", "ticket",
    "it", "is", "are", "this", "that", "my", "our", "your", "i", "we", "me",
];

/// The task whose title resembles a request best, by shared word stems and
/// acronyms, when one stands out: half of its `content` words (those that
/// can only name a task) found, or two of all its `words` ("knock the push
/// notifs priority down": "push", "notifs").
pub fn resembling(content: &[String], words: &[String], platform: &Platform) -> Option<i64> {
    let words: Vec<String> = words
        .iter()
        .filter(|w| !STOP.contains(&w.as_str()))
        .cloned()
        .collect();
    let tasks = platform.lookup(None).tasks(&TaskFilter::default()).ok()?;
    let mut scored: Vec<(f32, i64)> = tasks
        .iter()
        .filter_map(|t| {
            let share = resemblance(content, &t.title) as f32 / content.len().max(1) as f32;
            let found = resemblance(&words, &t.title);
            (share >= 0.5 || found >= 2).then_some((found as f32 + share, t.id))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    match scored.as_slice() {
        [(best, id), rest @ ..] if rest.first().is_none_or(|(next, _)| next < best) => Some(*id),
        _ => None,
    }
}

/// How many `content` words are found in `title`: the same word, one
/// sharing a stem ("notifs", "notifications"), or the title's initials
/// ("2fa", "two-factor authentication").
fn resemblance(content: &[String], title: &str) -> usize {
    let words: Vec<String> = title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let initials: String = words.iter().map(|w| initial(w)).collect();
    content
        .iter()
        .filter(|q| {
            words.iter().any(|w| same_stem(q, w))
                || (q.len() >= 2 && q.len() <= 5 && initials.contains(q.as_str()))
        })
        .count()
}

/// A word's initial, a number word as its digit ("two" → '2').
fn initial(word: &str) -> char {
    number_word(word)
        .filter(|n| (0.0..10.0).contains(n) && word.chars().all(char::is_alphabetic))
        .and_then(|n| char::from_digit(n as u32, 10))
        .unwrap_or_else(|| word.chars().next().unwrap_or(' '))
}

/// Whether two words are the same, or the shorter (of five letters or more)
/// is, all but its last letter, the start of the other ("notifs").
fn same_stem(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let shared = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    let shorter = a.chars().count().min(b.chars().count());
    shorter >= 5 && shared + 1 >= shorter
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        text.split_whitespace().map(str::to_string).collect()
    }

    #[test]
    fn a_lone_number_is_a_task_unless_it_counts_something() {
        assert_eq!(lone_number("bump 9 to urgent"), Some(9));
        assert_eq!(lone_number("done w/ #10"), Some(10));
        assert_eq!(lone_number("9 is done"), Some(9));
        assert_eq!(lone_number("finish the 3 remaining docs"), None);
        assert_eq!(lone_number("close the 2 login tasks"), None);
        assert_eq!(lone_number("move 3 and 7"), None);
        assert_eq!(lone_number("the login bug"), None);
    }

    #[test]
    fn stems_and_initials_resemble_a_title_and_other_words_do_not() {
        let title = "Push notifications for iOS";
        assert_eq!(resemblance(&words("knock push notifs down"), title), 2);
        assert_eq!(
            resemblance(&words("2fa"), "Add two-factor authentication"),
            1
        );
        assert_eq!(resemblance(&words("billing invoices"), title), 0);
        assert!(!same_stem("post", "postgres"), "a short word is not a stem");
        assert!(same_stem("design", "designs"));
    }
}

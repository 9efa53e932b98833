//! Tasks named the way people name them in chat: a bare number left once
//! the other parts are read ("bump 9 to urgent", "done w/ 10"), and words
//! that only resemble the title ("push notifs" for "Push notifications for
//! iOS", "2fa" for "Add two-factor authentication").

use maestro_tools::{Platform, TaskFilter};

/// The task a lone number in `words` names, if there is exactly one number
/// and a task has it.
pub fn bare_number(words: &str, platform: &Platform) -> Option<i64> {
    let mut numbers = words
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '#'))
        .filter_map(|w| w.trim_start_matches('#').parse::<i64>().ok());
    let id = numbers.next()?;
    if numbers.next().is_some() {
        return None;
    }
    platform.store().get_task(id).ok().map(|t| t.id)
}

/// The task whose title `content` (words that may name a task) resembles
/// best, by shared word stems and acronyms, when one stands out.
pub fn resembling(content: &[String], platform: &Platform) -> Option<i64> {
    let tasks = platform.store().list_tasks(&TaskFilter::default()).ok()?;
    let mut scored: Vec<(f32, i64)> = tasks
        .iter()
        .map(|t| (resemblance(content, &t.title), t.id))
        .filter(|(score, _)| *score >= 0.5)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    match scored.as_slice() {
        [(best, id), rest @ ..] if rest.first().is_none_or(|(next, _)| next < best) => Some(*id),
        _ => None,
    }
}

/// The share of `content` words found in `title`: the same word, one
/// sharing a stem ("notifs", "notifications"), or the title's initials
/// ("2fa", "two-factor authentication").
fn resemblance(content: &[String], title: &str) -> f32 {
    let words: Vec<String> = title
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let initials: String = words.iter().map(|w| initial(w)).collect();
    let found = content
        .iter()
        .filter(|q| {
            words.iter().any(|w| same_stem(q, w))
                || (q.len() >= 2 && q.len() <= 5 && initials.contains(q.as_str()))
        })
        .count();
    found as f32 / content.len().max(1) as f32
}

/// A word's initial, a number word as its digit ("two" → '2').
fn initial(word: &str) -> char {
    const NUMBERS: &[(&str, char)] = &[
        ("one", '1'),
        ("two", '2'),
        ("three", '3'),
        ("four", '4'),
        ("five", '5'),
    ];
    NUMBERS
        .iter()
        .find(|(w, _)| *w == word)
        .map_or_else(|| word.chars().next().unwrap_or(' '), |(_, d)| *d)
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
    fn stems_and_initials_resemble_a_title_and_other_words_do_not() {
        let notifs = resemblance(&words("push notifs"), "Push notifications for iOS");
        assert!((notifs - 1.0).abs() < 1e-6);
        let acronym = resemblance(&words("2fa"), "Add two-factor authentication");
        assert!((acronym - 1.0).abs() < 1e-6);
        assert!(resemblance(&words("billing invoices"), "Push notifications for iOS") < 0.5);
        assert!(!same_stem("post", "postgres"), "a short word is not a stem");
        assert!(same_stem("design", "designs"));
    }
}

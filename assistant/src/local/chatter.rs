//! The chat around a request: greetings and fillers before it ("hey
//! maestro,", "yo", "ok so", "@maestro"), emoji and Slack shortcodes
//! anywhere, and thanks or reactions after it ("pls 🙏", "thx!", ":)").
//! None of it says what to do, and left in it ends up in titles.

/// Words that open a chat message without being part of the request.
const OPENERS: &[&[&str]] = &[
    &["ok", "so"],
    &["okay", "so"],
    &["quick", "one"],
    &["@maestro"],
    &["maestro"],
    &["ok"],
    &["okay"],
    &["so"],
    &["um"],
    &["umm"],
    &["hmm"],
    &["pls"],
    &["plz"],
    &["please"],
];

/// Greetings, dropped with the assistant's name after them ("hey maestro").
const GREETINGS: &[&str] = &["hey", "hi", "hello", "gm", "morning", "yo"];

/// Whom a greeting is addressed to ("gm team"): a greeting and these alone ask nothing.
const ADDRESSEES: &[&str] = &[
    "team", "all", "everyone", "folks", "y'all", "guys", "maestro",
];

/// Words that close a chat message without being part of the request.
const CLOSERS: &[&[&str]] = &[
    &["thank", "you"],
    &["pls"],
    &["plz"],
    &["please"],
    &["thx"],
    &["thanks"],
    &["ty"],
    &["tia"],
    &["cheers"],
];

/// `text` without the chat around the request (see the module docs).
pub fn without_chatter(text: &str) -> String {
    let mut stripped: String = text.chars().filter(|c| !is_emoji(*c)).collect();
    let codes: Vec<(usize, usize)> = words(&stripped)
        .filter(|(_, w)| is_shortcode(w))
        .map(|(at, w)| (at, w.len()))
        .collect();
    for (at, len) in codes.into_iter().rev() {
        stripped.replace_range(at..at + len, "");
    }
    // What was taken out leaves no double spaces behind.
    let mut cleaned = stripped.replace("  ", " ");
    while cleaned.contains("  ") {
        cleaned = cleaned.replace("  ", " ");
    }
    let words: Vec<(usize, &str)> = words(&cleaned).collect();
    let key = |w: &str| w.trim_matches(|c: char| ",:;!.".contains(c)).to_lowercase();
    let starts_with = |at: usize, phrase: &[&str]| {
        phrase
            .iter()
            .enumerate()
            .all(|(i, p)| words.get(at + i).is_some_and(|(_, w)| key(w) == *p))
    };
    let mut start = 0;
    loop {
        let greeting = words
            .get(start)
            .is_some_and(|(_, w)| GREETINGS.contains(&key(w).as_str()));
        if greeting {
            start += 1;
            let rest: Vec<String> = words[start..].iter().map(|(_, w)| key(w)).collect();
            if !rest.is_empty() && rest.iter().all(|w| ADDRESSEES.contains(&w.as_str())) {
                return String::new();
            }
            continue;
        }
        match OPENERS.iter().find(|p| starts_with(start, p)) {
            // Keep at least one word: "ok" on its own is an answer.
            Some(p) if start + p.len() < words.len() => start += p.len(),
            _ => break,
        }
    }
    let mut end = words.len();
    while end > start + 1 {
        let last = words[end - 1].1;
        if !last.chars().any(char::is_alphanumeric) {
            end -= 1;
            continue;
        }
        match CLOSERS
            .iter()
            .find(|p| p.len() < end - start && starts_with(end - p.len(), p))
        {
            Some(p) => end -= p.len(),
            None => break,
        }
    }
    if start >= end {
        return cleaned.trim().to_string();
    }
    let first = words[start].0;
    let (last_at, last) = words[end - 1];
    // The request's own spacing stays (line breaks split clauses).
    cleaned[first..last_at + last.len()]
        .trim_end_matches([',', ':', ';'])
        .to_string()
}

/// Words of `text` with their byte offsets.
fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_whitespace()
        .map(move |w| (w.as_ptr() as usize - text.as_ptr() as usize, w))
}

/// Pictographs, symbols and the joiners and selectors that build emoji.
fn is_emoji(c: char) -> bool {
    matches!(c as u32, 0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2B00..=0x2BFF | 0xFE0F | 0x200D)
}

/// A Slack emoji shortcode such as `:pray:` or `:+1:`.
fn is_shortcode(word: &str) -> bool {
    let inner = word.trim_end_matches([',', '.', '!']);
    inner.len() > 2
        && inner.starts_with(':')
        && inner.ends_with(':')
        && inner[1..inner.len() - 1]
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_+-".contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chat_around_a_request_goes_and_the_request_stays() {
        for (text, want) in [
            (
                "hey maestro can u make a task for dave, p0 🔥",
                "can u make a task for dave, p0",
            ),
            (
                "yo make a task to update the docs, low prio",
                "make a task to update the docs, low prio",
            ),
            (
                "task pls: prep slides 🎤 due fri",
                "task pls: prep slides due fri",
            ),
            (
                "@maestro ticket: load test the gateway :pray:",
                "ticket: load test the gateway",
            ),
            (
                "ok so what's dave working on? thx!",
                "what's dave working on?",
            ),
            ("delete task 3 please 🙏", "delete task 3"),
            ("ok", "ok"),
            ("gm team 🌞", ""),
            ("thanks", "thanks"),
            ("task 12 → @bob", "task 12 → @bob"),
            (
                "a few things:\n- fix x\n- fix y",
                "a few things:\n- fix x\n- fix y",
            ),
        ] {
            assert_eq!(without_chatter(text), want, "{text}");
        }
    }
}

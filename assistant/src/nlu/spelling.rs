//! Spelling: a word that neither Maestro's training nor the workspace knows
//! is read as the well-known word one edit away ("platfrom" → "platform",
//! "monady" → "monday", "eirn" → "erin"), before anything else reads the
//! request. Quoted text, names with digits or symbols, acronyms and short
//! words are left as typed; so is a word with two equally likely readings.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

/// Seen this often in training, a word is known and never corrected…
const KNOWN: u32 = 3;
/// …and this often, it is a word a misspelling may be read as.
const TARGET: u32 = 20;
/// Shorter words are too easily another word to correct.
const MIN_LEN: usize = 4;

/// The committed vocabulary, written by `maestro nlu train`.
static SHIPPED: &str = include_str!("../../data/nlu/vocab.txt");

/// How often each word occurs in the training requests.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Vocabulary {
    counts: HashMap<String, u32>,
}

/// A word as typed and as read.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Fix {
    /// The word as typed.
    pub typed: String,
    /// The word it is read as.
    pub read: String,
}

impl Vocabulary {
    /// Counts the words of `texts` (lower case).
    pub fn count<'a>(texts: impl IntoIterator<Item = &'a str>) -> Self {
        let mut vocabulary = Self::default();
        vocabulary.add(texts);
        vocabulary
    }

    /// Counts the words of more texts.
    pub fn add<'a>(&mut self, texts: impl IntoIterator<Item = &'a str>) {
        for text in texts {
            for (_, word) in words(text) {
                *self.counts.entry(word.to_ascii_lowercase()).or_insert(0) += 1;
            }
        }
    }

    /// Adds the words of a dictionary that a misspelling could be taken
    /// for ("predictors" is one edit from "predictor"), as known words that
    /// are never a reading themselves.
    pub fn protect(&mut self, dictionary: &str) {
        let targets: HashSet<&str> = self
            .counts
            .iter()
            .filter(|(_, n)| **n >= TARGET)
            .map(|(w, _)| w.as_str())
            .collect();
        let mut protected = Vec::new();
        for word in dictionary.lines().map(str::trim) {
            let lower = word.to_ascii_lowercase();
            if lower.len() >= MIN_LEN
                && lower.bytes().all(|b| b.is_ascii_lowercase())
                && self.count_of(&lower) < KNOWN
                && edits(&lower).iter().any(|e| targets.contains(e.as_str()))
            {
                protected.push(lower);
            }
        }
        for word in protected {
            self.counts.insert(word, KNOWN);
        }
    }

    /// Keeps `words` (people's names) known but never a reading: a name
    /// that is not on the team is asked about, not taken for one that is.
    pub fn demote(&mut self, words: impl IntoIterator<Item = String>) {
        for word in words {
            self.counts.insert(word.to_ascii_lowercase(), KNOWN);
        }
    }

    /// The vocabulary file: the known words with their counts, one per line.
    pub fn to_text(&self) -> String {
        let mut known: Vec<(&String, &u32)> =
            self.counts.iter().filter(|(_, n)| **n >= KNOWN).collect();
        known.sort();
        known.iter().map(|(w, n)| format!("{w} {n}\n")).collect()
    }

    /// Reads a vocabulary file; lines that are not "word count" are skipped.
    pub fn from_text(text: &str) -> Self {
        let counts = text
            .lines()
            .filter_map(|line| {
                let (word, n) = line.split_once(' ')?;
                Some((word.to_string(), n.parse().ok()?))
            })
            .collect();
        Self { counts }
    }

    /// The vocabulary shipped with Maestro.
    pub fn shipped() -> &'static Vocabulary {
        static VOCABULARY: LazyLock<Vocabulary> = LazyLock::new(|| Vocabulary::from_text(SHIPPED));
        &VOCABULARY
    }

    fn count_of(&self, word: &str) -> u32 {
        self.counts.get(word).copied().unwrap_or(0)
    }
}

/// `text` with its misspelt words read as known ones, and the fixes made.
/// `names` are the workspace's words in lower case: known however rare,
/// and preferred as readings.
pub fn correct<'t>(
    text: &'t str,
    vocabulary: &Vocabulary,
    names: &HashSet<String>,
) -> (Cow<'t, str>, Vec<Fix>) {
    let mut fixes = Vec::new();
    let mut out = String::new();
    let mut copied = 0;
    for (at, word) in words(text) {
        if !correctable(text, at, word) {
            continue;
        }
        let lower = word.to_ascii_lowercase();
        if names.contains(&lower) || vocabulary.count_of(&lower) >= KNOWN {
            continue;
        }
        let Some(read) = reading(&lower, vocabulary, names) else {
            continue;
        };
        let read = if word.starts_with(|c: char| c.is_ascii_uppercase()) {
            capitalised(&read)
        } else {
            read
        };
        out.push_str(&text[copied..at]);
        out.push_str(&read);
        copied = at + word.len();
        fixes.push(Fix {
            typed: word.to_string(),
            read,
        });
    }
    if fixes.is_empty() {
        return (Cow::Borrowed(text), fixes);
    }
    out.push_str(&text[copied..]);
    (Cow::Owned(out), fixes)
}

/// `text` with the fixes in it undone: a title keeps the words as typed.
pub fn as_typed(text: &str, fixes: &[Fix]) -> String {
    let mut out = String::new();
    let mut copied = 0;
    for (at, word) in words(text) {
        if let Some(fix) = fixes.iter().find(|f| f.read == word) {
            out.push_str(&text[copied..at]);
            out.push_str(&fix.typed);
            copied = at + word.len();
        }
    }
    out.push_str(&text[copied..]);
    out
}

/// The words of `text` (runs of ASCII letters) with their byte offsets.
fn words(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let bytes = text.as_bytes();
    let mut i = 0;
    std::iter::from_fn(move || {
        while i < bytes.len() && !bytes[i].is_ascii_alphabetic() {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
            i += 1;
        }
        (start < i).then(|| (start, &text[start..i]))
    })
}

/// Whether the word at `at` is plain prose: long enough, not an acronym,
/// not part of a name with digits or symbols ("db-3", "#ops", "@bob",
/// "churn.csv", "U04DAVE") and not inside quotes.
fn correctable(text: &str, at: usize, word: &str) -> bool {
    let before = text[..at].chars().next_back();
    let after = text[at + word.len()..].chars().next();
    let joined = |c: Option<char>| {
        c.is_some_and(|c| c.is_alphanumeric() || "@#_./\\-<>:".contains(c) || !c.is_ascii())
    };
    let acronym = word.len() > 1 && word.chars().skip(1).any(|c| c.is_ascii_uppercase());
    // A capital inside a sentence starts a name ("Carl", "Trent").
    let name = word.starts_with(|c: char| c.is_ascii_uppercase())
        && text[..at]
            .trim_end()
            .ends_with(|c: char| c.is_alphanumeric() || c == ',');
    word.len() >= MIN_LEN
        && !acronym
        && !name
        && !joined(before)
        && !joined(after.filter(|c| *c != ':'))
        && !quoted(&text[..at])
}

/// Whether an open quote comes before the end of `head`. A single quote
/// opens after a space and closes before a non-letter ("carol's" is neither).
fn quoted(head: &str) -> bool {
    let (mut double, mut single) = (false, false);
    let mut before = ' ';
    let mut chars = head.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' | '“' | '”' => double = !double,
            '\'' if before.is_whitespace() => single = true,
            '\'' if chars.peek().is_none_or(|n| !n.is_alphanumeric()) => single = false,
            _ => {}
        }
        before = c;
    }
    double || single
}

/// The one best known word one edit from `word`, if there is exactly one.
fn reading(word: &str, vocabulary: &Vocabulary, names: &HashSet<String>) -> Option<String> {
    let score = |w: &str| {
        if names.contains(w) {
            u32::MAX
        } else {
            vocabulary.count_of(w)
        }
    };
    let mut best: Option<(u32, String)> = None;
    let mut tied = false;
    for candidate in edits(word) {
        let s = score(&candidate);
        if s < TARGET || candidate.len() < MIN_LEN || inflected(word, &candidate) {
            continue;
        }
        match &best {
            Some((b, w)) if s == *b && *w != candidate => tied = true,
            Some((b, _)) if s <= *b => {}
            _ => {
                best = Some((s, candidate));
                tied = false;
            }
        }
    }
    best.filter(|_| !tied).map(|(_, w)| w)
}

/// Every word one deletion, transposition, substitution or insertion away
/// from `word`; a four-letter word only by transposition or insertion
/// ("taks", "davd"), since a swapped letter there is as often another word.
fn edits(word: &str) -> Vec<String> {
    let w = word.as_bytes();
    let short = w.len() <= MIN_LEN;
    let mut out = Vec::new();
    let text = |b: Vec<u8>| String::from_utf8(b).expect("ASCII letters");
    for i in 0..=w.len() {
        for c in b'a'..=b'z' {
            let mut inserted = w.to_vec();
            inserted.insert(i, c);
            out.push(text(inserted));
        }
        if i + 1 < w.len() {
            let mut swapped = w.to_vec();
            swapped.swap(i, i + 1);
            out.push(text(swapped));
        }
        if short || i == w.len() {
            continue;
        }
        let mut deleted = w.to_vec();
        deleted.remove(i);
        out.push(text(deleted));
        for c in b'a'..=b'z' {
            let mut replaced = w.to_vec();
            replaced[i] = c;
            out.push(text(replaced));
        }
    }
    out
}

/// Whether one word is the other with an ending ("predictors",
/// "minutes", "churnd"): another form of a word, not a misspelling of it.
fn inflected(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() < b.len() { (a, b) } else { (b, a) };
    long.strip_prefix(short)
        .is_some_and(|end| matches!(end, "s" | "d"))
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocabulary() -> Vocabulary {
        let mut text = String::new();
        for word in [
            "platform",
            "monday",
            "everything",
            "before",
            "dashboard",
            "report",
            "task",
            "tasks",
            "passed",
        ] {
            text.push_str(&format!(
                "{word} {}\n",
                if word == "tasks" { 40 } else { 50 }
            ));
        }
        text.push_str("paused 1\n");
        Vocabulary::from_text(&text)
    }

    fn fixed(text: &str) -> String {
        let names = HashSet::from(["erin".to_string()]);
        correct(text, &vocabulary(), &names).0.into_owned()
    }

    #[test]
    fn misspelt_words_are_read_as_the_known_word_one_edit_away() {
        assert_eq!(
            fixed("whats todo for platfrom befor monady"),
            "whats todo for platform before monday"
        );
        assert_eq!(fixed("Dashbaord reprot"), "Dashboard report");
        assert_eq!(fixed("give it to eirn"), "give it to erin");
        assert_eq!(fixed("the taks"), "the task");
    }

    #[test]
    fn names_quotes_acronyms_symbols_and_rare_targets_stay_as_typed() {
        for text in [
            "create 'fix the dashbaord' now",
            "\"platfrom\" please",
            "the PLATFROM team",
            "#platfrom tag",
            "db-platfrom",
            "platfrom.csv",
            "the prod box",
            "carol pausd it",
            "ask Reprot about it",
        ] {
            assert_eq!(fixed(text), text);
        }
    }

    #[test]
    fn dictionary_words_near_a_known_word_are_never_corrected() {
        let mut v = vocabulary();
        assert_eq!(correct("the reprot", &v, &HashSet::new()).0, "the report");
        assert_eq!(correct("the reports", &v, &HashSet::new()).0, "the reports");
        assert_eq!(correct("the repost", &v, &HashSet::new()).0, "the report");
        v.protect("repost\nReport\nzebra\n");
        assert_eq!(correct("the repost", &v, &HashSet::new()).0, "the repost");
        assert_eq!(correct("the zebar", &v, &HashSet::new()).0, "the zebar");
    }

    #[test]
    fn a_title_gets_its_words_back_as_typed() {
        let (read, fixes) = correct("fix the dashbaord", &vocabulary(), &HashSet::new());
        assert_eq!(read, "fix the dashboard");
        assert_eq!(as_typed("the dashboard", &fixes), "the dashbaord");
    }

    #[test]
    fn the_vocabulary_file_keeps_the_known_words() {
        let v = Vocabulary::count(["the task", "the task", "the task", "a typo"]);
        let text = v.to_text();
        assert_eq!(text, "task 3\nthe 3\n");
        assert_eq!(
            Vocabulary::from_text(&text),
            Vocabulary::count(["the task"; 3])
        );
    }
}

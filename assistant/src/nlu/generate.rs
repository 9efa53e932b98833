//! The training corpus: every tool's phrasing templates expanded with slot
//! values and the noise of real chat (fillers, "pls", emoji, lower case,
//! typos), the tools' example requests, chit-chat that asks for nothing
//! (the `none` class), and the hand-written development corpora.
//!
//! The held-out corpora (`*_holdout.jsonl`) are never read here.

use maestro_tools::Registry;

use super::pools;
use super::rng::Rng;
use super::template::{Placed, Template, TemplateError};

/// The label of requests that ask for no tool.
pub const NONE: &str = "none";

/// Chit-chat templates: requests that ask Maestro for nothing.
const CHITCHAT: &str = include_str!("../../data/chitchat.txt");
/// Plain requests that ask for no action.
const UNRELATED: &str = include_str!("../../data/unrelated.txt");

/// One training request.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// The request.
    pub text: String,
    /// The tool it asks for, or [`NONE`].
    pub label: String,
    /// Where its slot values are (empty for hand-written requests).
    pub slots: Vec<Placed>,
    /// Whether a typo was made in it on purpose.
    pub misspelt: bool,
}

/// How much to generate.
#[derive(Debug, Clone, Copy)]
pub struct Sizes {
    /// Generated requests per tool (spread over its templates).
    pub per_tool: usize,
    /// Generated requests that ask for nothing.
    pub none: usize,
}

impl Default for Sizes {
    fn default() -> Self {
        Self {
            per_tool: 1500,
            none: 5000,
        }
    }
}

/// Lines of a file that are not blank or `#` comments.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// The generated corpus for `registry`'s tools, the same for the same seed.
pub fn corpus(registry: &Registry, sizes: Sizes, seed: u64) -> Result<Vec<Example>, TemplateError> {
    let mut rng = Rng::new(seed);
    let mut out = Vec::new();
    for tool in registry.iter() {
        let templates = tool
            .phrasings()
            .iter()
            .map(|t| Template::parse_with(t, pools::KINDS))
            .collect::<Result<Vec<_>, _>>()?;
        expand_all(&templates, tool.name(), sizes.per_tool, &mut rng, &mut out);
        for example in tool.examples() {
            for _ in 0..3 {
                out.push(noisy(example, tool.name(), Vec::new(), &mut rng));
            }
        }
    }
    let chitchat = lines(CHITCHAT)
        .map(|t| Template::parse_with(t, pools::KINDS))
        .collect::<Result<Vec<_>, _>>()?;
    expand_all(&chitchat, NONE, sizes.none, &mut rng, &mut out);
    for line in lines(UNRELATED) {
        for _ in 0..2 {
            out.push(noisy(line, NONE, Vec::new(), &mut rng));
        }
    }
    Ok(out)
}

fn expand_all(
    templates: &[Template],
    label: &str,
    total: usize,
    rng: &mut Rng,
    out: &mut Vec<Example>,
) {
    if templates.is_empty() {
        return;
    }
    for i in 0..total {
        let template = &templates[i % templates.len()];
        // Every kind was checked against `pools::KINDS` when the template was read.
        let (text, slots) = template.expand(rng, &mut |kind, rng| {
            pools::value(kind, rng).unwrap_or_default()
        });
        out.push(noisy(&text, label, slots, rng));
    }
}

const OPENERS: &[&str] = &[
    "hey",
    "hey maestro,",
    "hi,",
    "ok so",
    "quick one:",
    "yo",
    "so",
    "um",
    "pls",
    "please",
    "can you",
    "could you",
    "can u",
    "hey, can you",
    "@maestro",
    "morning!",
    "ok",
    "hmm",
];

const CLOSERS: &[&str] = &[
    "pls",
    "please",
    "thx",
    "thanks",
    "🙏",
    "!",
    "?",
    ":pray:",
    "ty",
    "👍",
    "thank you",
    "🔥",
    "when you get a chance",
    "asap",
    ":)",
    "!!",
];

/// `text` as someone might type it in chat; slot ranges move with the edits.
fn noisy(text: &str, label: &str, mut slots: Vec<Placed>, rng: &mut Rng) -> Example {
    let mut text = text.to_string();
    if rng.chance(0.5) {
        text = text.to_lowercase();
    }
    if rng.chance(0.3) {
        let opener = format!("{} ", rng.pick(OPENERS));
        shift(&mut slots, 0, opener.len() as isize);
        text.insert_str(0, &opener);
    }
    if rng.chance(0.3) {
        let closer = rng.pick(CLOSERS);
        let glue = if closer.chars().next().is_some_and(char::is_alphanumeric) {
            " "
        } else {
            ""
        };
        text = format!("{text}{glue}{closer}");
    }
    let misspelt = rng.chance(0.2);
    if misspelt {
        typo(&mut text, &mut slots, rng);
    }
    Example {
        text,
        label: label.to_string(),
        slots,
        misspelt,
    }
}

fn shift(slots: &mut [Placed], from: usize, by: isize) {
    for s in slots.iter_mut().filter(|s| s.range.start >= from) {
        s.range = (s.range.start as isize + by) as usize..(s.range.end as isize + by) as usize;
    }
}

/// One slip of the keyboard in a word of four or more letters outside the slots.
fn typo(text: &mut String, slots: &mut [Placed], rng: &mut Rng) {
    let words: Vec<(usize, &str)> = text
        .split(' ')
        .scan(0, |at, w| {
            let start = *at;
            *at += w.len() + 1;
            Some((start, w))
        })
        .filter(|(start, w)| {
            w.len() >= 4
                && w.chars().all(|c| c.is_ascii_lowercase())
                && !slots.iter().any(|s| s.range.contains(start))
        })
        .collect();
    if words.is_empty() {
        return;
    }
    let (start, word) = *rng.pick(&words);
    let mut chars: Vec<char> = word.chars().collect();
    let at = 1 + rng.below(chars.len() - 2);
    let by = match rng.below(3) {
        0 => {
            chars.swap(at, at + 1);
            0
        }
        1 => {
            chars.remove(at);
            -1
        }
        _ => {
            chars.insert(at, chars[at]);
            1
        }
    };
    let new: String = chars.into_iter().collect();
    text.replace_range(start..start + word.len(), &new);
    shift(slots, start + 1, by);
}

#[cfg(test)]
mod tests {
    use super::*;
    use maestro_tools::{Clock, Platform};

    #[test]
    fn every_tool_and_none_get_examples_with_slots_in_place() {
        let platform = Platform::in_memory(Clock::System).unwrap();
        let sizes = Sizes {
            per_tool: 40,
            none: 100,
        };
        let corpus = corpus(platform.registry(), sizes, 1).unwrap();
        for tool in platform.registry().iter() {
            let n = corpus.iter().filter(|e| e.label == tool.name()).count();
            assert!(n >= 40, "{}: {n}", tool.name());
        }
        assert!(corpus.iter().filter(|e| e.label == NONE).count() >= 100);
        for e in corpus.iter().filter(|e| !e.slots.is_empty()) {
            for s in &e.slots {
                assert!(
                    e.text.is_char_boundary(s.range.start) && e.text.is_char_boundary(s.range.end),
                    "{e:?}"
                );
            }
        }
        let again = super::corpus(platform.registry(), sizes, 1).unwrap();
        assert_eq!(corpus, again, "the same seed gives the same corpus");
    }
}

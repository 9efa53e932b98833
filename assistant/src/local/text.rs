//! A clause being taken apart: slots are cut out one by one, and what
//! remains is the title, the name or the task reference.

use regex::{Captures, Regex};

/// A request clause with the parts already understood blanked out.
#[derive(Debug, Clone)]
pub struct Clause {
    original: String,
    rest: String,
}

/// One match cut out of a clause: the whole text and its capture groups.
#[derive(Debug, Clone)]
pub struct Cut {
    groups: Vec<Option<String>>,
}

impl Cut {
    /// Capture group `i` (0 is the whole match), as typed.
    pub fn get(&self, i: usize) -> Option<&str> {
        self.groups.get(i).and_then(|g| g.as_deref())
    }

    /// Capture group `i`, lower-cased, or "".
    pub fn lower(&self, i: usize) -> String {
        self.get(i).unwrap_or("").to_lowercase()
    }
}

impl Clause {
    /// A clause of `text`.
    pub fn new(text: &str) -> Self {
        Self {
            original: text.to_string(),
            rest: text.to_string(),
        }
    }

    /// The whole clause as typed.
    pub fn original(&self) -> &str {
        &self.original
    }

    /// What has not been cut out yet (cut parts are spaces).
    pub fn rest(&self) -> &str {
        &self.rest
    }

    /// Finds `re` in what remains, cuts it out and returns it.
    pub fn cut(&mut self, re: &Regex) -> Option<Cut> {
        let caps = re.captures(&self.rest)?;
        let cut = self.to_cut(&caps);
        let whole = caps.get(0)?.range();
        self.blank(whole);
        Some(cut)
    }

    /// Cuts out every match of `re`.
    pub fn cut_all(&mut self, re: &Regex) -> Vec<Cut> {
        std::iter::from_fn(|| self.cut(re).filter(|c| !c.get(0).unwrap_or("").is_empty())).collect()
    }

    /// Finds `re` without cutting.
    pub fn peek(&self, re: &Regex) -> Option<Cut> {
        re.captures(&self.rest).map(|c| self.to_cut(&c))
    }

    /// Cuts out the byte range `range` of the remaining text.
    pub fn blank(&mut self, range: std::ops::Range<usize>) {
        let spaces = " ".repeat(range.len());
        self.rest.replace_range(range, &spaces);
    }

    /// Cuts capture group `group` of the first match of `re` (keeping the rest of the match).
    pub fn cut_group(&mut self, re: &Regex, group: usize) -> Option<Cut> {
        let caps = re.captures(&self.rest)?;
        let cut = self.to_cut(&caps);
        let range = caps.get(group)?.range();
        self.blank(range);
        Some(cut)
    }

    fn to_cut(&self, caps: &Captures<'_>) -> Cut {
        // Cut text is taken from the original so the user's casing survives.
        let groups = (0..caps.len())
            .map(|i| caps.get(i).map(|m| self.original[m.range()].to_string()))
            .collect();
        Cut { groups }
    }

    /// What remains, whitespace collapsed and stray punctuation trimmed.
    pub fn remainder(&self) -> String {
        let collapsed = self.rest.split_whitespace().collect::<Vec<_>>().join(" ");
        let collapsed = collapsed
            .replace(" ,", ",")
            .replace(" .", ".")
            .replace(" ?", "?")
            .replace(" !", "!");
        trim_punctuation(&collapsed).to_string()
    }
}

/// `text` without leading/trailing punctuation and spaces.
pub fn trim_punctuation(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_whitespace() || ",.;:!?-–—()".contains(c))
}

/// Words of the details people tack onto a title ("…, platform project,
/// ~6h", "…, high prio", "…, tags ios, ux"): once their values are read,
/// what is left of them is not part of the title.
const DETAIL_WORDS: &[&str] = &[
    "project",
    "proj",
    "prio",
    "pri",
    "priority",
    "high",
    "low",
    "medium",
    "urgent",
    "est",
    "estimate",
    "estimated",
    "due",
    "by",
    "h",
    "hrs",
    "hours",
    "assignee",
    "owner",
    "for",
    "in",
    "and",
    "give",
    "it",
    "to",
    "assign",
    "assigned",
    "hand",
    "make",
    "put",
    "on",
];
/// Words that start a list of tags: every detail after them is a tag.
const TAG_WORDS: &[&str] = &["tag", "tags", "tagged", "label", "labels"];

/// `title` without the trailing details the slots were read from: segments
/// after ",", ";" or " - " made only of detail words or of `names` (projects,
/// people), a tag list, and a "(Billing)" naming one of `names`.
pub fn without_detail_tail(title: &str, names: &[String]) -> String {
    let bare = |w: &str| {
        w.trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase()
    };
    let is_name = |text: &str| {
        let text = text.trim().to_lowercase();
        text.is_empty() || names.iter().any(|n| n.to_lowercase() == text)
    };
    let is_detail = |segment: &str| {
        let rest: Vec<String> = segment
            .split_whitespace()
            .map(bare)
            .filter(|w| !w.is_empty() && !DETAIL_WORDS.contains(&w.as_str()))
            .collect();
        is_name(&rest.join(" "))
    };
    // Segments as (start, text): the title is cut at a segment's start.
    let mut cuts: Vec<(usize, usize)> = title
        .match_indices([',', ';'])
        .chain(title.match_indices(" - "))
        .map(|(at, sep)| (at, sep.len()))
        .collect();
    cuts.sort();
    let mut segments: Vec<(usize, &str)> = Vec::new();
    let mut start = 0;
    for (at, len) in cuts {
        segments.push((start, &title[start..at]));
        start = at + len;
    }
    segments.push((start, &title[start..]));
    if let Some(at) = segments.iter().position(|(_, s)| {
        s.split_whitespace()
            .next()
            .is_some_and(|w| TAG_WORDS.contains(&bare(w).as_str()))
    }) {
        segments.truncate(at.max(1));
    }
    while segments.len() > 1 && segments.last().is_some_and(|(_, s)| is_detail(s)) {
        segments.pop();
    }
    let (last_at, last) = segments.last().copied().unwrap_or((0, ""));
    let mut out = title[..last_at + last.len()].to_string();
    if let Some(open) = out.rfind('(')
        && out.trim_end().ends_with(')')
        && is_name(&out[open + 1..out.trim_end().len() - 1])
        && open > 0
    {
        out.truncate(open);
    }
    trim_punctuation(&out).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_tacked_onto_a_title_go_and_its_words_stay() {
        let names = [
            "Platform".to_string(),
            "Mobile App".into(),
            "Billing".into(),
            "Bob".into(),
        ];
        for (title, want) in [
            (
                "migrate the cron jobs, platform project, ~",
                "migrate the cron jobs",
            ),
            (
                "add haptics, project Mobile App, tags ios, ux",
                "add haptics",
            ),
            ("Reconcile payouts (Billing), high", "Reconcile payouts"),
            ("localise the app,, Mobile App", "localise the app"),
            (
                "write terraform for the new VPC, Platform",
                "write terraform for the new VPC",
            ),
            ("fix the build, then ship it", "fix the build, then ship it"),
            ("talk to Bob about pricing", "talk to Bob about pricing"),
            ("write a postmortem, give it to bob", "write a postmortem"),
            ("Platform", "Platform"),
            (
                "Bob - new task - fix the build - high",
                "Bob - new task - fix the build",
            ),
        ] {
            assert_eq!(without_detail_tail(title, &names), want, "{title}");
        }
    }

    #[test]
    fn cutting_keeps_the_original_casing_and_offsets() {
        let mut c = Clause::new("Fix Ünïcode bug for BOB by Friday!");
        let re = Regex::new(r"(?i)\bfor (bob)\b").unwrap();
        assert_eq!(c.cut(&re).unwrap().get(1), Some("BOB"));
        let by = Regex::new(r"(?i)\bby (friday)").unwrap();
        assert_eq!(c.cut(&by).unwrap().get(1), Some("Friday"));
        assert_eq!(c.remainder(), "Fix Ünïcode bug");
    }
}

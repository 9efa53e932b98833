//! The slot tagger: which argument each part of a request fills.
//!
//! A request is read as units — a recognised span is one unit, any other
//! word is one — and each unit is labelled with the argument it fills
//! (`title`, `assignee`, `due`, `id`, `target`, …) or `O`, left to right, each
//! label seeing the previous one (a maximum-entropy Markov tagger over the
//! same hashed logistic regression as the intent model). So "remind <person>
//! to renew the certs <date>" gives the person the role `assignee` and
//! "renew the certs" the role `title`, while in "move all of <person>'s tasks
//! to <person>" only the second person is the `assignee`.

use std::sync::LazyLock;

use super::features::fnv;
use super::linear::{FormatError, Linear, Training};
use super::spans::Span;
use super::template::Placed;
use super::tokens::Token;

/// The label of a unit that fills no argument.
pub const OUTSIDE: &str = "O";

/// Feature hash width.
const BITS: u32 = 18;

/// One unit of a request: a span or a word.
#[derive(Debug, Clone, PartialEq)]
pub struct Unit {
    /// What the tagger sees: the span's placeholder or the word in lower case.
    pub text: String,
    /// First token.
    pub start: usize,
    /// Just past its last token.
    pub end: usize,
    /// The span it is, if any (index into the spans).
    pub span: Option<usize>,
}

/// The request's units, punctuation left out (a question mark stays).
pub fn units(tokens: &[Token], spans: &[Span]) -> Vec<Unit> {
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        if let Some((k, span)) = spans.iter().enumerate().find(|(_, s)| s.start == i) {
            out.push(Unit {
                text: span.kind.placeholder().to_string(),
                start: span.start,
                end: span.end,
                span: Some(k),
            });
            i = span.end;
            continue;
        }
        let t = &tokens[i];
        // Punctuation that marks where a part ends ("task: …", "…, high")
        // stays; the rest (quotes, full stops, emoji) does not.
        if !t.is_punct() || t.text.chars().all(|c| ",:;?()-—–".contains(c)) {
            out.push(Unit {
                text: t.lower.clone(),
                start: i,
                end: i + 1,
                span: None,
            });
        }
        i += 1;
    }
    out
}

/// The gold labels of a generated example's units: the field of the slot
/// each unit overlaps (a quoted span's quotes lie just outside its slot).
pub fn gold(units: &[Unit], tokens: &[Token], slots: &[Placed]) -> Vec<String> {
    units
        .iter()
        .map(|u| {
            let (start, end) = (tokens[u.start].start, tokens[u.end - 1].end);
            slots
                .iter()
                .find(|s| s.range.start < end && start < s.range.end)
                .and_then(|s| s.field.clone())
                .unwrap_or_else(|| OUTSIDE.to_string())
        })
        .collect()
}

/// A trained tagger.
#[derive(Debug, Clone, PartialEq)]
pub struct Tagger {
    linear: Linear,
}

/// The committed tagger.
static SHIPPED: &[u8] = include_bytes!("../../data/nlu/tagger.bin");

/// One training sequence: the tool, the units' texts and their labels.
pub struct Sequence {
    /// The tool the request asks for.
    pub tool: String,
    /// The units' texts.
    pub units: Vec<String>,
    /// Their labels.
    pub labels: Vec<String>,
}

impl Tagger {
    /// Trains on labelled sequences.
    pub fn train(sequences: &[Sequence]) -> Self {
        let mut labels: Vec<String> = sequences
            .iter()
            .flat_map(|s| s.labels.iter().cloned())
            .chain([OUTSIDE.to_string()])
            .collect();
        labels.sort();
        labels.dedup();
        let mut data = Vec::new();
        for s in sequences {
            for i in 0..s.units.len() {
                let prev = if i == 0 { "<s>" } else { &s.labels[i - 1] };
                let feats = features(&s.tool, &s.units, i, prev);
                let y = labels.binary_search(&s.labels[i]).unwrap_or(0);
                data.push((feats, y));
            }
        }
        let training = Training {
            epochs: 4,
            ..Training::default()
        };
        Self {
            linear: Linear::train(labels, BITS, &data, training),
        }
    }

    /// The tagger shipped with Maestro.
    pub fn shipped() -> Result<&'static Tagger, &'static FormatError> {
        static TAGGER: LazyLock<Result<Tagger, FormatError>> =
            LazyLock::new(|| Tagger::from_bytes(SHIPPED));
        TAGGER.as_ref()
    }

    /// Reads a tagger file.
    pub fn from_bytes(
        bytes: impl Into<std::borrow::Cow<'static, [u8]>>,
    ) -> Result<Self, FormatError> {
        Ok(Self {
            linear: Linear::from_bytes(bytes)?,
        })
    }

    /// The tagger file.
    pub fn to_bytes(&self) -> Vec<u8> {
        self.linear.to_bytes()
    }

    /// The most likely labels of a request's units for `tool`: a beam
    /// search left to right, so that one unsure label early on does not
    /// decide all the ones after it.
    pub fn tag(&self, tool: &str, units: &[Unit]) -> Vec<String> {
        let texts: Vec<String> = units.iter().map(|u| u.text.clone()).collect();
        let labels = self.linear.labels();
        // Each hypothesis: its labels (indices) and their log probability.
        let mut beam: Vec<(Vec<usize>, f32)> = vec![(Vec::with_capacity(units.len()), 0.0)];
        for i in 0..units.len() {
            let mut next: Vec<(Vec<usize>, f32)> = Vec::with_capacity(BEAM * BEAM);
            // Readings that end in the same label see the same next labels.
            let mut seen: Vec<(Option<usize>, Ranked)> = Vec::with_capacity(BEAM);
            for (path, score) in &beam {
                let last = path.last().copied();
                let ranked = match seen.iter().find(|(l, _)| *l == last) {
                    Some((_, ranked)) => ranked.clone(),
                    None => {
                        let prev = last.map_or("<s>", |k| labels[k].as_str());
                        let probs = self.linear.probabilities(&features(tool, &texts, i, prev));
                        let mut ranked: Vec<(usize, f32)> = probs.into_iter().enumerate().collect();
                        ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
                        ranked.truncate(BEAM);
                        seen.push((last, ranked.clone()));
                        ranked
                    }
                };
                for (k, p) in ranked {
                    let mut longer = path.clone();
                    longer.push(k);
                    next.push((longer, score + p.max(f32::MIN_POSITIVE).ln()));
                }
            }
            next.sort_by(|a, b| b.1.total_cmp(&a.1));
            next.truncate(BEAM);
            beam = next;
        }
        beam.into_iter()
            .next()
            .map(|(path, _)| path.into_iter().map(|k| labels[k].clone()).collect())
            .unwrap_or_default()
    }
}

/// The likeliest next labels (index, probability), best first.
type Ranked = Vec<(usize, f32)>;

/// How many readings the tagger keeps as it reads.
const BEAM: usize = 4;

fn features(tool: &str, units: &[String], i: usize, prev: &str) -> Vec<u32> {
    let mask = (1u64 << BITS) - 1;
    let at = |k: isize| -> &str {
        let j = i as isize + k;
        if j < 0 {
            "<s>"
        } else {
            units.get(j as usize).map_or("</s>", String::as_str)
        }
    };
    let w = at(0);
    let parts: [&[&str]; 14] = [
        &["bias"],
        &["w=", w],
        &["t=", tool, "|", w],
        &["p1=", at(-1)],
        &["n1=", at(1)],
        &["p2=", at(-2)],
        &["n2=", at(2)],
        &["p1w=", at(-1), "|", w],
        &["wn1=", w, "|", at(1)],
        &["pl=", prev],
        &["tpl=", tool, "|", prev],
        &["plw=", prev, "|", w],
        &["tp1=", tool, "|", at(-1), "|", w],
        &["pln1=", prev, "|", at(1)],
    ];
    let mut out: Vec<u32> = parts.iter().map(|p| (fnv(p) & mask) as u32).collect();
    out.sort_unstable();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seq(tool: &str, text: &str, labels: &str) -> Sequence {
        Sequence {
            tool: tool.into(),
            units: text.split(' ').map(str::to_string).collect(),
            labels: labels.split(' ').map(str::to_string).collect(),
        }
    }

    #[test]
    fn roles_depend_on_the_words_around_and_the_label_before() {
        let mut data = Vec::new();
        for verb in ["fix", "write", "review", "renew", "plan", "test"] {
            for obj in ["the docs", "the build", "the certs", "a report"] {
                let text = format!("remind <person> to {verb} {obj} <date>");
                data.push(seq(
                    "create_task",
                    &text,
                    "O assignee O title title title due",
                ));
                let text = "move <person> 's tasks to <person>";
                data.push(seq("update_tasks", text, "O O O O O assignee"));
            }
        }
        let tagger = Tagger::train(&data);
        let unit = |t: &str| Unit {
            text: t.into(),
            start: 0,
            end: 0,
            span: None,
        };
        let tag = |tool: &str, text: &str| {
            let units: Vec<Unit> = text.split(' ').map(unit).collect();
            tagger.tag(tool, &units).join(" ")
        };
        assert_eq!(
            tag("create_task", "remind <person> to clean the docs <date>"),
            "O assignee O title title title due"
        );
        assert_eq!(
            tag("update_tasks", "move <person> 's tasks to <person>"),
            "O O O O O assignee"
        );
    }
}

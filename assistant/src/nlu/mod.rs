//! Natural-language understanding that generalises: deterministic
//! recognisers turn a request into typed, resolved spans; a trained model
//! reads the text with those spans replaced by their kind.

pub mod dates;
pub mod features;
pub mod fill;
pub mod generate;
pub mod intent;
pub mod lexicon;
pub mod linear;
pub mod moments;
pub mod pools;
pub mod recurrence;
pub mod rng;
pub mod spans;
pub mod spelling;
pub mod tagger;
pub mod template;
pub mod tokens;
pub mod train;

use serde::Serialize;

use self::intent::IntentModel;
use self::lexicon::Lexicon;
use self::spans::{Span, SpanKind};
use self::tagger::Tagger;

/// A recognised span as `maestro parse` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct SpanView {
    /// The words, as typed.
    pub text: String,
    /// What they are.
    pub kind: SpanKind,
    /// What they mean.
    pub value: serde_json::Value,
}

/// What the recognisers and the intent model make of a request.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    /// Misspelt words and how they are read; the rest reads the corrected text.
    pub spelling: Vec<spelling::Fix>,
    /// The recognised spans, in text order.
    pub spans: Vec<SpanView>,
    /// The text as the intent model reads it.
    pub view: Vec<String>,
    /// The most likely intents with their probabilities.
    pub intents: Vec<(String, f32)>,
    /// Each unit of the text (a span or a word) with the argument the tagger
    /// gives it for the most likely intent (`O`: none).
    pub labels: Vec<(String, String)>,
}

/// Analyses `text` against the workspace names in `lex`, keeping the `top` intents.
pub fn analyse(
    text: &str,
    lex: &Lexicon,
    model: &IntentModel,
    tagger: &Tagger,
    top: usize,
) -> Analysis {
    let (text, fixes) = spelling::correct(text, spelling::Vocabulary::shipped(), &lex.words());
    let text = text.as_ref();
    let tokens = tokens::tokenize(text);
    let spans = spans::recognise(&tokens, lex);
    let intents = model.classify(&tokens, &spans);
    let units = tagger::units(&tokens, &spans);
    let tool = intents.first().map_or(generate::NONE, |(l, _)| l);
    let labels = tagger.tag(tool, &units);
    let span_view = |s: &Span| SpanView {
        text: text[tokens[s.start].start..tokens[s.end - 1].end].to_string(),
        kind: s.kind,
        value: s.value.clone(),
    };
    Analysis {
        spelling: fixes,
        spans: spans.iter().map(span_view).collect(),
        view: features::view(&tokens, &spans),
        intents: intents
            .iter()
            .take(top)
            .map(|(l, p)| (l.to_string(), *p))
            .collect(),
        labels: units
            .iter()
            .map(|u| text[tokens[u.start].start..tokens[u.end - 1].end].to_string())
            .zip(labels)
            .collect(),
    }
}

/// What `maestro parse` and `%parse` show: the analysis and the calls a turn
/// would make, with their statuses.
#[derive(Debug, Clone, Serialize)]
pub struct Parsed {
    /// What the recognisers and models read.
    #[serde(flatten)]
    pub analysis: Analysis,
    /// The calls the turn would make (nothing runs).
    pub calls: Vec<crate::Action>,
}

/// Reads `text` as a turn of `session` would, without running anything.
pub fn parse(
    assistant: &crate::Assistant,
    session: &str,
    text: &str,
    options: &crate::TurnOptions,
) -> Result<Parsed, String> {
    let platform = assistant.platform();
    let lex = Lexicon::of(platform, options.actor.as_deref(), platform.clock().now());
    let model = IntentModel::shipped().map_err(|e| e.to_string())?;
    let tagger = Tagger::shipped().map_err(|e| e.to_string())?;
    let calls = assistant.preview(session, text, options)?;
    Ok(Parsed {
        analysis: analyse(text, &lex, model, tagger, 5),
        calls,
    })
}

impl Parsed {
    /// The parse as lines of text.
    pub fn text(&self) -> String {
        let a = &self.analysis;
        let mut out = String::new();
        if !a.spelling.is_empty() {
            let fixes: Vec<String> = a
                .spelling
                .iter()
                .map(|f| format!("{} → {}", f.typed, f.read))
                .collect();
            out.push_str(&format!("spelling: {}\n", fixes.join(", ")));
        }
        out.push_str("spans:\n");
        for s in &a.spans {
            let kind = serde_json::to_value(s.kind).unwrap_or_default();
            out.push_str(&format!(
                "  {:<24} {:<10} {}\n",
                format!("{:?}", s.text),
                kind.as_str().unwrap_or(""),
                s.value
            ));
        }
        let intents: Vec<String> = a
            .intents
            .iter()
            .map(|(l, p)| format!("{l} {p:.2}"))
            .collect();
        let roles: Vec<String> = a.labels.iter().map(|(u, l)| format!("{u}/{l}")).collect();
        out.push_str(&format!("the model reads: {}\n", a.view.join(" ")));
        out.push_str(&format!("intents: {}\n", intents.join(", ")));
        out.push_str(&format!("roles:   {}\n", roles.join(" ")));
        out.push_str("calls:\n");
        if self.calls.is_empty() {
            out.push_str("  (none)\n");
        }
        for c in &self.calls {
            let status = serde_json::to_value(c.status).unwrap_or_default();
            out.push_str(&format!(
                "  {} {} ({})\n",
                c.tool,
                c.arguments,
                status.as_str().unwrap_or("")
            ));
        }
        out
    }
}

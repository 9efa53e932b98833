//! What the intent model sees of a request: its words with every recognised
//! span replaced by its kind ("remind <person> to renew the certs <date>"),
//! as hashed features: words, word pairs, the opening words, and character
//! n-grams of each word (so a typo still shares most of its features).

use super::spans::Span;
use super::tagger::units;
use super::tokens::Token;

/// The request as the model reads it: lower-case words and span placeholders,
/// punctuation dropped except what marks where a part ends (",", ":", "?", …).
pub fn view(tokens: &[Token], spans: &[Span]) -> Vec<String> {
    units(tokens, spans).into_iter().map(|u| u.text).collect()
}

/// Feature hashes (FNV-1a) of a view, each in `0..1 << bits`.
pub fn hashed(view: &[String], bits: u32) -> Vec<u32> {
    let mask = (1u64 << bits) - 1;
    let mut out = Vec::with_capacity(view.len() * 8);
    let mut add = |parts: &[&str]| out.push((fnv(parts) & mask) as u32);
    add(&["bias"]);
    let word = |i: usize| view.get(i).map_or("</s>", String::as_str);
    add(&["f=", word(0)]);
    add(&["f2=", word(0), " ", word(1)]);
    for (i, w) in view.iter().enumerate() {
        add(&["w=", w]);
        let prev = if i == 0 { "<s>" } else { &view[i - 1] };
        add(&["b=", prev, " ", w]);
        if !w.starts_with('<') && w.chars().count() >= 4 {
            let padded: Vec<char> = format!("^{w}$").chars().collect();
            for n in [3, 4] {
                for gram in padded.windows(n) {
                    let gram: String = gram.iter().collect();
                    add(&["c=", &gram]);
                }
            }
        }
    }
    add(&["b=", word(view.len().saturating_sub(1)), " </s>"]);
    out.sort_unstable();
    out.dedup();
    out
}

/// FNV-1a over the concatenated parts.
pub fn fnv(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::super::lexicon::Lexicon;
    use super::super::spans::recognise;
    use super::super::tokens::tokenize;
    use super::*;

    #[test]
    fn spans_become_their_kind_and_typos_keep_most_features() {
        let lex = Lexicon {
            today: chrono::NaiveDate::from_ymd_opt(2026, 12, 8).unwrap(),
            ..Lexicon::default()
        };
        let see = |text: &str| {
            let tokens = tokenize(text);
            view(&tokens, &recognise(&tokens, &lex))
        };
        assert_eq!(
            see("Remind me to renew the certs by EOM, pls!"),
            [
                "remind", "<me>", "to", "renew", "the", "certs", "by", "<date>", ",", "pls"
            ]
        );
        assert_eq!(see("what's due tmrw?"), ["what's", "due", "<date>", "?"]);
        let a = hashed(&see("complete the migration"), 18);
        let b = hashed(&see("complete the migartion"), 18);
        let shared = a.iter().filter(|h| b.contains(h)).count();
        assert!(shared * 2 > a.len(), "{shared} of {}", a.len());
    }
}

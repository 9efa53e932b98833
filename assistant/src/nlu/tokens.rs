//! Splitting a request into tokens that keep their place in the text.
//!
//! Words, numbers and the things people paste whole (e-mails, paths, `#12`,
//! `<@U02BOB>`, `12/15`, `7.2`) are one token each; punctuation around them is
//! a token of its own, and a possessive `'s` is split off (`bob's` → `bob`, `'s`).

/// One token of a request.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// As typed.
    pub text: String,
    /// Lower-cased, with curly apostrophes made straight.
    pub lower: String,
    /// Byte offset of its start in the request.
    pub start: usize,
    /// Byte offset just past its end.
    pub end: usize,
}

impl Token {
    /// Whether it is punctuation only.
    pub fn is_punct(&self) -> bool {
        self.text.chars().all(|c| !c.is_alphanumeric())
    }
}

/// Characters peeled off the ends of a word as tokens of their own.
fn is_edge_punct(c: char) -> bool {
    matches!(
        c,
        ',' | '.'
            | '!'
            | '?'
            | ':'
            | ';'
            | '('
            | ')'
            | '['
            | ']'
            | '"'
            | '“'
            | '”'
            | '\''
            | '‘'
            | '’'
            | '…'
    )
}

/// The request's tokens, in order.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut offset = 0;
    for piece in text.split_inclusive(char::is_whitespace) {
        let word = piece.trim_end();
        push_word(text, offset, word, &mut tokens);
        offset += piece.len();
    }
    tokens
}

fn push_word(text: &str, start: usize, word: &str, out: &mut Vec<Token>) {
    if word.is_empty() {
        return;
    }
    let mention = word.starts_with("<@") || word.starts_with("<#");
    if let Some(close) = word.find('>').filter(|_| mention) {
        let end = start + close + 1;
        out.push(token(text, start, end));
        return push_word(text, end, &word[close + 1..], out);
    }
    let lead = word.len() - word.trim_start_matches(is_edge_punct).len();
    let body_end = word.trim_end_matches(is_edge_punct).len().max(lead);
    for (i, _) in word[..lead].char_indices() {
        let c_end = next_boundary(word, i);
        out.push(token(text, start + i, start + c_end));
    }
    if body_end > lead {
        let body = &word[lead..body_end];
        let lower = body.to_lowercase().replace('’', "'");
        let possessive = lower
            .strip_suffix("'s")
            .filter(|stem| !stem.is_empty() && !CONTRACTED.contains(stem))
            .map(|stem| body.len() - stem.len());
        match possessive {
            Some(suffix) => {
                let cut = start + body_end - suffix;
                out.push(token(text, start + lead, cut));
                out.push(token(text, cut, start + body_end));
            }
            None => out.push(token(text, start + lead, start + body_end)),
        }
    }
    for (i, _) in word[body_end..].char_indices() {
        let c_end = next_boundary(&word[body_end..], i);
        out.push(token(text, start + body_end + i, start + body_end + c_end));
    }
}

/// Words whose `'s` means "is" or "us" ("what's", "let's"), not a possessive.
const CONTRACTED: &[&str] = &[
    "what", "that", "it", "he", "she", "there", "here", "who", "where", "when", "how", "let",
];

fn next_boundary(s: &str, i: usize) -> usize {
    s[i..].chars().next().map_or(i, |c| i + c.len_utf8())
}

fn token(text: &str, start: usize, end: usize) -> Token {
    let t = &text[start..end];
    Token {
        text: t.to_string(),
        lower: t.to_lowercase().replace(['’', '‘'], "'"),
        start,
        end,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<String> {
        tokenize(s).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn pasted_things_stay_whole_and_punctuation_comes_off() {
        assert_eq!(
            texts("hey, assign #12 to <@U02BOB>: due 12/15!"),
            [
                "hey",
                ",",
                "assign",
                "#12",
                "to",
                "<@U02BOB>",
                ":",
                "due",
                "12/15",
                "!"
            ]
        );
        assert_eq!(
            texts("register data/q4.csv (frank@acme.io) 'Plan it'"),
            [
                "register",
                "data/q4.csv",
                "(",
                "frank@acme.io",
                ")",
                "'",
                "Plan",
                "it",
                "'"
            ]
        );
    }

    #[test]
    fn possessives_split_and_offsets_point_into_the_text() {
        let text = "what's on bob’s plate";
        let tokens = tokenize(text);
        let words: Vec<&str> = tokens.iter().map(|t| t.lower.as_str()).collect();
        assert_eq!(words, ["what's", "on", "bob", "'s", "plate"]);
        for t in &tokens {
            assert_eq!(&text[t.start..t.end], t.text);
        }
    }
}

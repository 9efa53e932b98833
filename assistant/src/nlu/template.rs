//! Phrasing templates: the carrier phrases each tool declares beside itself.
//!
//! A template is text with `(a|b|c)` for alternatives, `[x]` (or `[x|y]`)
//! for an optional part, `<a|b|c>` for some of the parts in any order (each
//! after a separator such as ", " or " - ", the way people tack details onto
//! a request; a `>` outside them is text) and `{field:kind}` for a slot: an argument `field` filled with a value
//! of `kind` (`{kind}` alone is a value the request names without it being an
//! argument, like the person whose tasks are moved). For example
//! `(make|add) a task for {assignee:person} to {title:title} [by {due:date}]`.

use super::rng::Rng;

/// One part of a parsed template.
#[derive(Debug, Clone, PartialEq)]
enum Part {
    Text(String),
    Choice(Vec<Vec<Part>>),
    Optional(Vec<Part>),
    /// Some of the parts, shuffled, each after a separator.
    AnyOf(Vec<Vec<Part>>),
    Slot {
        field: Option<String>,
        kind: String,
    },
}

/// A parsed template.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    parts: Vec<Part>,
}

/// A template that cannot be read, with where and why.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("template {template:?}: {problem}")]
pub struct TemplateError {
    template: String,
    problem: String,
}

/// A slot as placed in one expansion.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    /// The argument it fills, if any.
    pub field: Option<String>,
    /// Its kind.
    pub kind: String,
    /// Byte range of its value in the text.
    pub range: std::ops::Range<usize>,
}

impl Template {
    /// Parses `text`, whose slots may only be of the `known` kinds.
    pub fn parse_with(text: &str, known: &[&str]) -> Result<Self, TemplateError> {
        let template = Self::parse(text)?;
        match template
            .slots()
            .into_iter()
            .find(|(_, k)| !known.contains(&k.as_str()))
        {
            Some((_, kind)) => Err(TemplateError {
                template: text.to_string(),
                problem: format!(
                    "there are no values for the slot kind {kind:?}; use one of {}",
                    known.join(", ")
                ),
            }),
            None => Ok(template),
        }
    }

    /// Parses `text`.
    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        let fail = |problem: &str| TemplateError {
            template: text.to_string(),
            problem: problem.to_string(),
        };
        let chars: Vec<char> = text.chars().collect();
        let mut at = 0;
        let parts = sequence(&chars, &mut at, None).map_err(|p| fail(&p))?;
        if at != chars.len() {
            return Err(fail(&format!("unexpected {:?}", chars[at])));
        }
        Ok(Self { parts })
    }

    /// The slots this template has (fields and kinds), in order.
    pub fn slots(&self) -> Vec<(Option<String>, String)> {
        let mut out = Vec::new();
        collect_slots(&self.parts, &mut out);
        out
    }

    /// One random expansion: the text, with each slot filled by `fill(kind)`.
    pub fn expand(
        &self,
        rng: &mut Rng,
        fill: &mut dyn FnMut(&str, &mut Rng) -> String,
    ) -> (String, Vec<Placed>) {
        let mut text = String::new();
        let mut placed = Vec::new();
        expand(&self.parts, rng, fill, &mut text, &mut placed);
        (squeeze(&text, &mut placed), placed)
    }
}

fn collect_slots(parts: &[Part], out: &mut Vec<(Option<String>, String)>) {
    for p in parts {
        match p {
            Part::Text(_) => {}
            Part::Choice(alts) => alts.iter().for_each(|a| collect_slots(a, out)),
            Part::Optional(inner) => collect_slots(inner, out),
            Part::AnyOf(items) => items.iter().for_each(|a| collect_slots(a, out)),
            Part::Slot { field, kind } => out.push((field.clone(), kind.clone())),
        }
    }
}

fn sequence(chars: &[char], at: &mut usize, until: Option<&[char]>) -> Result<Vec<Part>, String> {
    let mut parts = Vec::new();
    let mut text = String::new();
    while let Some(&c) = chars.get(*at) {
        if until.is_some_and(|u| u.contains(&c)) {
            break;
        }
        *at += 1;
        let part = match c {
            '(' => Part::Choice(alternatives(chars, at, ')')?),
            '[' => Part::Optional(vec![Part::Choice(alternatives(chars, at, ']')?)]),
            '<' => Part::AnyOf(alternatives(chars, at, '>')?),
            '{' => {
                let end = chars[*at..]
                    .iter()
                    .position(|&c| c == '}')
                    .ok_or("a '{' is not closed")?;
                let inside: String = chars[*at..*at + end].iter().collect();
                *at += end + 1;
                let (field, kind) = match inside.split_once(':') {
                    Some((f, k)) => (Some(f.trim().to_string()), k.trim().to_string()),
                    None => (None, inside.trim().to_string()),
                };
                if kind.is_empty() {
                    return Err("a slot needs a kind".into());
                }
                Part::Slot { field, kind }
            }
            ')' | ']' | '|' | '}' => return Err(format!("unexpected {c:?}")),
            _ => {
                text.push(c);
                continue;
            }
        };
        if !text.is_empty() {
            parts.push(Part::Text(std::mem::take(&mut text)));
        }
        parts.push(part);
    }
    if !text.is_empty() {
        parts.push(Part::Text(text));
    }
    Ok(parts)
}

/// `a|b|c` up to `end`, which is consumed.
fn alternatives(chars: &[char], at: &mut usize, end: char) -> Result<Vec<Vec<Part>>, String> {
    let mut alts = vec![sequence(chars, at, Some(&['|', end]))?];
    while chars.get(*at) == Some(&'|') {
        *at += 1;
        alts.push(sequence(chars, at, Some(&['|', end]))?);
    }
    close(chars, at, end)?;
    Ok(alts)
}

fn close(chars: &[char], at: &mut usize, want: char) -> Result<(), String> {
    if chars.get(*at) == Some(&want) {
        *at += 1;
        Ok(())
    } else {
        Err(format!("a {want:?} is missing"))
    }
}

fn expand(
    parts: &[Part],
    rng: &mut Rng,
    fill: &mut dyn FnMut(&str, &mut Rng) -> String,
    text: &mut String,
    placed: &mut Vec<Placed>,
) {
    for p in parts {
        match p {
            Part::Text(t) => text.push_str(t),
            Part::Choice(alts) => {
                let pick = rng.below(alts.len());
                expand(&alts[pick], rng, fill, text, placed);
            }
            Part::Optional(inner) => {
                if rng.chance(0.5) {
                    expand(inner, rng, fill, text, placed);
                }
            }
            Part::AnyOf(items) => {
                let mut chosen: Vec<&Vec<Part>> =
                    items.iter().filter(|_| rng.chance(0.55)).collect();
                rng.shuffle(&mut chosen);
                for item in chosen {
                    let at_start = text.trim_end().is_empty() || text.trim_end().ends_with(':');
                    let separator = if at_start { " " } else { rng.pick(SEPARATORS) };
                    text.push_str(separator);
                    expand(item, rng, fill, text, placed);
                }
            }
            Part::Slot { field, kind } => {
                let value = fill(kind, rng);
                let start = text.len();
                text.push_str(&value);
                placed.push(Placed {
                    field: field.clone(),
                    kind: kind.clone(),
                    range: start..text.len(),
                });
            }
        }
    }
}

/// What people put between the details they tack onto a request.
const SEPARATORS: &[&str] = &[", ", ", ", ", ", " ", " - ", "; ", ". "];

/// Collapses runs of spaces (left by empty options) and trims, moving the
/// slots' ranges along.
fn squeeze(text: &str, placed: &mut [Placed]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut map = vec![0usize; text.len() + 1];
    let mut last_space = true;
    for (i, c) in text.char_indices() {
        map[i] = out.len();
        if c == ' ' && last_space {
            continue;
        }
        last_space = c == ' ';
        out.push(c);
    }
    map[text.len()] = out.len();
    for i in (0..text.len()).rev() {
        if !text.is_char_boundary(i) {
            map[i] = map[i + 1];
        }
    }
    let trimmed_end = out.trim_end().len();
    out.truncate(trimmed_end);
    for p in placed.iter_mut() {
        let start = map[p.range.start].min(out.len());
        let end = map[p.range.end].min(out.len());
        p.range = start..end.max(start);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_expand_every_alternative_option_and_slot() {
        let t =
            Template::parse("(make|add) a task [for {assignee:person}] to {title:title}").unwrap();
        assert_eq!(
            t.slots(),
            [
                (Some("assignee".into()), "person".into()),
                (Some("title".into()), "title".into())
            ]
        );
        let mut rng = Rng::new(7);
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..200 {
            let (text, placed) = t.expand(&mut rng, &mut |kind, _| {
                if kind == "person" {
                    "Bob".into()
                } else {
                    "fix it".into()
                }
            });
            for p in &placed {
                let want = if p.kind == "person" { "Bob" } else { "fix it" };
                assert_eq!(&text[p.range.clone()], want, "{text}");
            }
            assert!(!text.contains("  "), "{text}");
            seen.insert(text);
        }
        assert_eq!(seen.len(), 4, "{seen:?}");
    }

    #[test]
    fn some_parts_come_in_any_order_after_separators() {
        let t = Template::parse("task: {title:title}<{due:date}|for {assignee:person}>").unwrap();
        let mut rng = Rng::new(3);
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..300 {
            let (text, placed) = t.expand(&mut rng, &mut |kind, _| {
                if kind == "person" { "Bob" } else { "fix it" }.into()
            });
            for p in &placed {
                let want = if p.kind == "person" { "Bob" } else { "fix it" };
                assert_eq!(&text[p.range.clone()], want, "{text}");
            }
            let order: Vec<&str> = placed.iter().map(|p| p.kind.as_str()).collect();
            seen.insert(order.join(" "));
        }
        for both in [
            "title date person",
            "title person date",
            "title",
            "title date",
        ] {
            assert!(seen.contains(both), "{both} in {seen:?}");
        }
    }

    #[test]
    fn broken_templates_say_what_is_wrong() {
        for (bad, why) in [
            ("(a|b", "')' is missing"),
            ("[x", "']' is missing"),
            ("{title", "not closed"),
            ("a) b", "unexpected ')'"),
            ("{field:}", "needs a kind"),
            ("<a|b", "'>' is missing"),
        ] {
            let err = Template::parse(bad).unwrap_err().to_string();
            assert!(err.contains(why), "{bad}: {err}");
        }
        let err = Template::parse_with("add {title:titel}", &["title"]).unwrap_err();
        assert!(
            err.to_string().contains("\"titel\"; use one of title"),
            "{err}"
        );
        assert!(Template::parse_with("add {title:title}", &["title"]).is_ok());
    }
}

//! The rules by which a name means a person: the one person a name, Slack
//! id or e-mail names, and the close names to offer when nobody has it.
//! Every front end and tool uses these, so "bob" means the same everywhere.

use crate::model::Person;

/// The one person `name` means: full name, Slack id or e-mail (any case), or
/// a first name only one person has. No guessing.
pub fn find_person<'a>(people: &'a [Person], name: &str) -> Option<&'a Person> {
    let wanted = name.trim().trim_start_matches('@').to_lowercase();
    let same = |s: Option<&str>| s.is_some_and(|s| s.to_lowercase() == wanted);
    if let Some(p) = people
        .iter()
        .find(|p| same(Some(&p.name)) || same(p.slack_id.as_deref()) || same(p.email.as_deref()))
    {
        return Some(p);
    }
    let mut by_first = people
        .iter()
        .filter(|p| same(p.name.split_whitespace().next()));
    match (by_first.next(), by_first.next()) {
        (Some(p), None) => Some(p),
        _ => None,
    }
}

/// Names among `names` within a small edit distance of `query` (full or first
/// name), closest first: the suggestions for a name nobody has.
pub fn close_names<'a>(query: &str, names: impl Iterator<Item = &'a str>) -> Vec<String> {
    let query = query.to_lowercase();
    let mut scored: Vec<(usize, &str)> = names
        .filter_map(|name| {
            let lower = name.to_lowercase();
            let first = lower.split_whitespace().next().unwrap_or("").to_string();
            let d = strsim::damerau_levenshtein(&query, &lower)
                .min(strsim::damerau_levenshtein(&query, &first));
            let limit = if query.chars().count() <= 4 { 1 } else { 2 };
            (d <= limit).then_some((d, name))
        })
        .collect();
    scored.sort();
    scored.into_iter().map(|(_, n)| n.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_names_tolerate_typos_in_full_and_first_names() {
        let team = ["Alice Johnson", "Bob Smith", "Carol Diaz"];
        assert_eq!(close_names("bbo", team.into_iter()), ["Bob Smith"]);
        assert_eq!(close_names("carl", team.into_iter()), ["Carol Diaz"]);
        assert_eq!(
            close_names("alice jonson", team.into_iter()),
            ["Alice Johnson"]
        );
        assert!(close_names("zed", team.into_iter()).is_empty());
    }
}

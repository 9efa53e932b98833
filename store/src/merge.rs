//! Importing people into a team that may have them already: the rules both
//! stores apply inside their transaction.

use super::StoreError;
use crate::{NewPerson, Person};

/// People imported: who was added, who was updated, how many were already so.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MergedPeople {
    /// New to the team.
    pub added: Vec<Person>,
    /// Already on the team (found by e-mail, Slack id or name), with what
    /// the import gave them.
    pub updated: Vec<Person>,
    /// Already on the team exactly as imported.
    pub unchanged: usize,
}

/// What importing one person does.
#[derive(Debug, PartialEq)]
pub(crate) enum Merge {
    /// Someone new.
    Add(NewPerson),
    /// Someone on the team, by their name there, with fields the import gives.
    Update(Person),
    /// Someone on the team exactly as imported.
    Same,
}

/// Matches each imported person to `team` — by e-mail, then Slack id, then
/// name, case-insensitively — in order, so a later row sees an earlier one
/// (and a later row for someone the import adds makes one addition).
/// A match keeps its name and takes the e-mail, Slack id, skills and
/// capacity the import gives (fields left empty change nothing).
pub(crate) fn plan(
    mut team: Vec<Person>,
    incoming: Vec<NewPerson>,
) -> Result<Vec<Merge>, StoreError> {
    let mut steps = Vec::with_capacity(incoming.len());
    // Where the people this import adds are: their place on the team and their step.
    let mut additions: Vec<(usize, usize)> = Vec::new();
    for new in incoming {
        let given_capacity = new.capacity;
        let person = new.clone().normalised()?;
        let same = |a: &Option<String>, b: &Option<String>| matches!((a, b), (Some(a), Some(b)) if a.trim().eq_ignore_ascii_case(b.trim()));
        let found = team
            .iter()
            .position(|p| same(&p.email, &person.email))
            .or_else(|| {
                team.iter()
                    .position(|p| same(&p.slack_id, &person.slack_id))
            })
            .or_else(|| {
                team.iter()
                    .position(|p| p.name.eq_ignore_ascii_case(&person.name))
            });
        let Some(i) = found else {
            additions.push((team.len(), steps.len()));
            team.push(person);
            steps.push(Merge::Add(new));
            continue;
        };
        let mut merged = team[i].clone();
        if !same(&person.email, &merged.email) {
            merged.email = person.email.or(merged.email);
        }
        if !same(&person.slack_id, &merged.slack_id) {
            merged.slack_id = person.slack_id.or(merged.slack_id);
        }
        if !person.skills.is_empty() {
            merged.skills = person.skills;
        }
        merged.capacity = given_capacity.unwrap_or(merged.capacity);
        merged.timezone = person.timezone.or(merged.timezone);
        if let Some(&(_, step)) = additions.iter().find(|(at, _)| *at == i) {
            // Someone an earlier row of this import adds: added once, with both rows' details.
            team[i] = merged.clone();
            steps[step] = Merge::Add(NewPerson {
                name: merged.name,
                email: merged.email,
                slack_id: merged.slack_id,
                skills: merged.skills,
                capacity: Some(merged.capacity),
                timezone: merged.timezone,
            });
        } else if merged == team[i] {
            steps.push(Merge::Same);
        } else {
            team[i] = merged.clone();
            steps.push(Merge::Update(merged));
        }
    }
    Ok(steps)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(name: &str, email: &str) -> Person {
        NewPerson {
            name: name.into(),
            email: Some(email.into()),
            skills: vec!["backend".into()],
            ..NewPerson::default()
        }
        .normalised()
        .unwrap()
    }

    #[test]
    fn people_are_found_by_email_then_slack_id_then_name() {
        let team = vec![
            person("Alice Johnson", "alice@acme.io"),
            person("Bob Smith", "bob@acme.io"),
        ];
        let incoming = vec![
            NewPerson {
                name: "Alice".into(),
                email: Some("ALICE@acme.io".into()),
                skills: vec!["Security".into()],
                ..NewPerson::default()
            },
            NewPerson {
                name: "bob smith".into(),
                ..NewPerson::default()
            },
            NewPerson {
                name: "Carol".into(),
                slack_id: Some("U1".into()),
                ..NewPerson::default()
            },
            NewPerson {
                name: "Caroline".into(),
                slack_id: Some("U1".into()),
                capacity: Some(20.0),
                ..NewPerson::default()
            },
        ];
        let steps = plan(team, incoming).unwrap();
        match &steps[0] {
            Merge::Update(p) => {
                assert_eq!(
                    (p.name.as_str(), p.skills.as_slice()),
                    ("Alice Johnson", &["security".to_string()][..])
                )
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(steps[1], Merge::Same, "a bare name changes nothing");
        // A later row that finds someone this import adds is part of that
        // addition: Carol is added once, with the second row's capacity.
        assert_eq!(steps.len(), 3, "{steps:?}");
        match &steps[2] {
            Merge::Add(p) => assert_eq!((p.name.as_str(), p.capacity), ("Carol", Some(20.0))),
            other => panic!("{other:?}"),
        }
    }
}

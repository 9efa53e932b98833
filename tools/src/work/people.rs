//! `add_person` and `list_people`.

use schemars::JsonSchema;
use serde::Deserialize;

use super::{NAME_MAX, check_hours, check_len, check_tags};
use crate::tool::{Context, Display, Effect, Table, ToolError, ToolOutput, TypedTool};
use maestro_store::{NewPerson, Person};

/// Arguments of `add_person`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddPersonArgs {
    /// Full name, e.g. "Frank Moore".
    pub name: String,
    /// E-mail address.
    pub email: Option<String>,
    /// Slack member id, e.g. "U0123ABCD".
    pub slack_id: Option<String>,
    /// Skills, e.g. ["rust", "sql"].
    pub skills: Option<Vec<String>>,
    /// Hours a week they can work (default 40).
    pub capacity: Option<f64>,
    /// Their IANA time zone, e.g. "Europe/Berlin" (default: the workspace's).
    pub timezone: Option<String>,
}

/// Adds someone to the team.
pub struct AddPerson;

impl TypedTool for AddPerson {
    type Args = AddPersonArgs;
    const NAME: &'static str = "add_person";
    const DESCRIPTION: &'static str = "Add a person (a teammate) to the workspace, with e-mail, Slack id, skills and weekly capacity.";
    const EXAMPLES: &'static [&'static str] = &[
        "add Frank Moore to the team",
        "new teammate: Grace Lee, grace@acme.io",
        "add a person called Henry Ford with skills rust and sql",
        "please add Ivy Chen, she works 20 hours a week",
        "onboard Jack Ryan as a team member",
        "register a new person named Kim Park with slack id U0999KP",
        "add Liam Neal to the people list",
        "we hired Mona Lisa, add her",
        "add a new member named Nora Jones, skills design",
        "add person Oscar Wilde email oscar@acme.io",
    ];
    const PHRASINGS: &'static [&'static str] = &[
        "add {name:new_person} to the team[, {email:email}]",
        "(we|I) [just] hired {name:new_person}[, (skills|they know|who knows) {skills:skills}]",
        "(add|create) (a|a new) (person|teammate|team member|user) {name:new_person} [with email {email:email}]",
        "{name:new_person} (is joining|joins|joined) the team[, {capacity:capacity}]",
        "new hire: {name:new_person}, {skills:skills}, {capacity:capacity}",
        "onboard {name:new_person} [(slack|slack id) {slack_id:slack_id}]",
        "(add|create) a new (person|teammate)",
    ];
    const EFFECT: Effect = Effect::Write;
    const OUTPUT: Option<fn() -> schemars::Schema> = Some(|| schemars::schema_for!(Person));

    fn run(&self, ctx: &Context<'_>, a: AddPersonArgs) -> Result<ToolOutput, ToolError> {
        if a.name.trim().is_empty() {
            return Err(ToolError::invalid(
                Self::NAME,
                "name",
                "give the person's name, e.g. \"Frank Moore\"",
            ));
        }
        if let Some(email) = &a.email
            && !email.contains('@')
        {
            return Err(ToolError::invalid(
                Self::NAME,
                "email",
                format!("{email:?} is not an e-mail address"),
            ));
        }
        for (field, text) in [
            ("name", Some(a.name.as_str())),
            ("email", a.email.as_deref()),
            ("slack_id", a.slack_id.as_deref()),
        ] {
            check_len(Self::NAME, field, text, NAME_MAX)?;
        }
        check_tags(Self::NAME, "skills", a.skills.as_deref())?;
        let capacity = check_hours(Self::NAME, "capacity", a.capacity)?;
        let person = ctx.platform.store().add_person(NewPerson {
            name: a.name,
            email: a.email,
            slack_id: a.slack_id,
            skills: a.skills.unwrap_or_default(),
            capacity,
            timezone: check_zone(Self::NAME, a.timezone)?,
        })?;
        ctx.platform.index_people(std::slice::from_ref(&person))?;
        Ok(ToolOutput::new(
            format!(
                "Added {} to the team ({} h/week).",
                person.name, person.capacity
            ),
            &person,
        ))
    }
}

/// Arguments of `list_people`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListPeopleArgs {
    /// Only people with this skill.
    pub skill: Option<String>,
}

/// Lists the team.
pub struct ListPeople;

impl TypedTool for ListPeople {
    type Args = ListPeopleArgs;
    const NAME: &'static str = "list_people";
    const DESCRIPTION: &'static str = "List the people on the team with their skills and capacity, optionally only those with a skill.";
    const EXAMPLES: &'static [&'static str] = &[
        "who is on the team",
        "list people",
        "show me everyone in the workspace",
        "list all team members",
        "who works here",
        "who knows postgres",
        "which people have frontend skills",
        "show the people and their skills",
        "team roster",
        "who can do design work",
    ];
    const PHRASINGS: &'static [&'static str] = &[
        "(who's|who is) on the team",
        "(list|show) [the] (people|team|teammates|everyone|members)",
        "(show me|who's in) the team",
        "who (knows|does|can do|is good at) {skill:skill}",
        "(anyone|anybody) (with|who knows|who does) {skill:skill} [skills]",
        "(list|show) (people|everyone) with {skill:skill} (skills|experience)",
    ];
    const EFFECT: Effect = Effect::Read;
    const OUTPUT: Option<fn() -> schemars::Schema> = Some(|| schemars::schema_for!(Vec<Person>));

    fn run(&self, ctx: &Context<'_>, a: ListPeopleArgs) -> Result<ToolOutput, ToolError> {
        let skill = a.skill.map(|s| s.trim().to_lowercase());
        let people: Vec<_> = ctx
            .platform
            .store()
            .list_people()?
            .into_iter()
            .filter(|p| skill.as_ref().is_none_or(|s| p.skills.contains(s)))
            .collect();
        let mut table = Table::new(&["name", "email", "slack", "skills", "h/week", "time zone"]);
        for p in &people {
            table.rows.push(vec![
                p.name.clone(),
                p.email.clone().unwrap_or_default(),
                p.slack_id.clone().unwrap_or_default(),
                p.skills.join(", "),
                p.capacity.to_string(),
                p.timezone.clone().unwrap_or_default(),
            ]);
        }
        let summary = match (&skill, people.len()) {
            (Some(s), 0) => format!("Nobody on the team has the skill {s:?}."),
            (None, 0) => super::EMPTY_TEAM.to_string(),
            (Some(s), n) => format!("{n} {} with {s}.", plural(n, "person", "people")),
            (None, n) => format!("{n} {} on the team.", plural(n, "person", "people")),
        };
        Ok(ToolOutput::new(summary, &people).with(Display::Table(table)))
    }
}

/// Arguments of `update_person`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePersonArgs {
    /// Who, by name as on the team.
    pub name: String,
    /// New e-mail address.
    pub email: Option<String>,
    /// New Slack member id.
    pub slack_id: Option<String>,
    /// New skills (replacing the old ones).
    pub skills: Option<Vec<String>>,
    /// New hours a week.
    pub capacity: Option<f64>,
    /// New IANA time zone, e.g. "Europe/Berlin".
    pub timezone: Option<String>,
}

/// Changes someone's details; fields left out stay as they are.
pub struct UpdatePerson;

impl TypedTool for UpdatePerson {
    type Args = UpdatePersonArgs;
    const NAME: &'static str = "update_person";
    const DESCRIPTION: &'static str =
        "Change a teammate's e-mail, Slack id, skills, weekly capacity or time zone.";
    const EXAMPLES: &'static [&'static str] = &[
        "Bob works from Berlin now, set his time zone to Europe/Berlin",
        "change Carol's capacity to 30 hours a week",
        "Dave's slack id is U0456DV",
    ];
    const PHRASINGS: &'static [&'static str] = &[
        "(set|change|update|switch) {name:person}'s (time zone|timezone|tz) to {timezone:zone}",
        "(set|change|update|switch) {name:me} (time zone|timezone|tz) to {timezone:zone}",
        "{name:person} (is|works) (in|from) {timezone:zone} [now]",
        "{name:person} (moved|relocated) to {timezone:zone}",
        "{name:i} (moved to|am in|work from|am working from) {timezone:zone} [now]",
        "(put|move) {name:person} (on|in|to) {timezone:zone} (time|timezone)",
        "(change|set|update) {name:person}'s capacity to {capacity:capacity}",
        "{name:person} (can only do|now works|works) {capacity:capacity}",
        "{name:person}'s (slack id|slack) is {slack_id:slack_id}",
        "(change|update) {name:person}'s email to {email:email}",
        "(update|change) {name:person}'s skills to {skills:skills}",
    ];
    const EFFECT: Effect = Effect::Write;
    const OUTPUT: Option<fn() -> schemars::Schema> = Some(|| schemars::schema_for!(Person));

    fn run(&self, ctx: &Context<'_>, a: UpdatePersonArgs) -> Result<ToolOutput, ToolError> {
        let person = ctx.platform.lookup(ctx.actor).person(&a.name)?;
        check_len(Self::NAME, "slack_id", a.slack_id.as_deref(), NAME_MAX)?;
        check_tags(Self::NAME, "skills", a.skills.as_deref())?;
        let change = NewPerson {
            name: person.name,
            email: a.email,
            slack_id: a.slack_id,
            skills: a.skills.unwrap_or_default(),
            capacity: check_hours(Self::NAME, "capacity", a.capacity)?,
            timezone: check_zone(Self::NAME, a.timezone)?,
        };
        let merged = ctx.platform.store().merge_people(vec![change])?;
        let Some(updated) = merged.updated.into_iter().next() else {
            return Err(ToolError::invalid(
                Self::NAME,
                "name",
                "nothing to change: give a new e-mail, Slack id, skills, capacity or time zone",
            ));
        };
        ctx.platform.index_people(std::slice::from_ref(&updated))?;
        let zone = updated
            .timezone
            .as_deref()
            .unwrap_or("the workspace's time zone");
        Ok(ToolOutput::new(
            format!(
                "Updated {}: {} h/week, {zone}.",
                updated.name, updated.capacity
            ),
            &updated,
        ))
    }
}

/// A time zone as given, checked to be a real IANA zone (and spelled as the
/// database spells it).
fn check_zone(tool: &'static str, zone: Option<String>) -> Result<Option<String>, ToolError> {
    zone.map(|z| {
        crate::autopilot::parse_zone(&z)
            .map(|tz| tz.name().to_string())
            .map_err(|e| ToolError::invalid(tool, "timezone", e))
    })
    .transpose()
}

pub(super) fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

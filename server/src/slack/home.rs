//! App Home: a person's open tasks by due date, the ones at risk with their
//! probability, and a Complete and a Snooze (+1 working day) button on each.
//! Published when the tab opens (`app_home_opened` → `views.publish`), after
//! its buttons, and after a Slack request changes a task of someone on the
//! team who has a Slack id.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use maestro_assistant::{Event, Status as ActionStatus};
use maestro_tools::Effect;
use maestro_tools::store::{StatusFilter, Task, TaskFilter};
use serde_json::{Value, json};

use super::blocks::{escape, section};
use super::{Seat, Slack, seat};
use crate::state::{AppState, blocking};

/// Action id of a task's Complete button (its value: the task's number).
pub const COMPLETE: &str = "home_complete";
/// Action id of a task's Snooze button.
pub const SNOOZE: &str = "home_snooze";
/// Tasks the tab lists (two blocks each; Slack allows 100 blocks a view).
const SHOWN: usize = 30;
/// From this probability of missing its due date, a task is at risk.
const AT_RISK: f64 = 0.5;

/// Publishes `user`'s home tab; a user who is not on the team is told how to be.
pub async fn publish(
    state: &Arc<AppState>,
    slack: &Slack,
    team: &str,
    user: &str,
) -> Result<(), String> {
    let blocks = match seat(state, slack, team, user).await? {
        Ok(seat) => match seat.actor.clone() {
            Some(person) => tab(&seat, &person).await?,
            None => vec![section(&format!(
                "You are not on the team in Maestro yet. An admin can add you with `maestro people add \"Your Name\" --slack-id {user}`."
            ))],
        },
        Err(refusal) => vec![section(&refusal)],
    };
    let view = json!({"type": "home", "blocks": blocks});
    slack
        .post("views.publish", &json!({"user_id": user, "view": view}))
        .await
        .map(|_| ())
}

/// The blocks of `person`'s tab: open tasks soonest due first, then those at risk.
async fn tab(seat: &Seat, person: &str) -> Result<Vec<Value>, String> {
    let (assistant, name) = (seat.assistant.clone(), person.to_string());
    let (tasks, risk) = blocking(move || {
        let platform = assistant.platform();
        let filter = TaskFilter {
            assignee: Some(name.clone()),
            status: Some(StatusFilter::Open),
            ..TaskFilter::default()
        };
        let mut tasks = platform.lookup(None).tasks(&filter)?;
        tasks.sort_by_key(|t| (t.due.is_none(), t.due, t.id));
        // No due dates, no history: no risk to show, which is not an error.
        let risk = platform
            .call(Some(&name), "assess_risk", json!({"limit": 1000}))
            .map(|out| probabilities(&out.data))
            .unwrap_or_default();
        Ok((tasks, risk))
    })
    .await
    .map_err(|p| p.detail)?;
    let mut blocks =
        vec![json!({"type": "header", "text": {"type": "plain_text", "text": "Your open tasks"}})];
    if tasks.is_empty() {
        blocks.push(section("Nothing open. Enjoy the quiet."));
    }
    for task in tasks.iter().take(SHOWN) {
        blocks.push(section(&line(task, risk.get(&task.id).copied())));
        blocks.push(buttons(task.id));
    }
    if tasks.len() > SHOWN {
        blocks.push(section(&format!(
            "{} more open tasks: `/maestro list my open tasks` shows them all.",
            tasks.len() - SHOWN
        )));
    }
    let at_risk: Vec<(&Task, f64)> = tasks
        .iter()
        .filter_map(|t| risk.get(&t.id).map(|p| (t, *p)))
        .filter(|(_, p)| *p >= AT_RISK)
        .collect();
    if !at_risk.is_empty() {
        blocks.push(json!({"type": "header", "text": {"type": "plain_text", "text": "At risk"}}));
        let lines: Vec<String> = at_risk
            .iter()
            .map(|(t, p)| {
                format!(
                    "• #{} {}: {:.0}% likely to miss its due date",
                    t.id,
                    escape(&t.title),
                    p * 100.0
                )
            })
            .collect();
        blocks.push(section(&lines.join("\n")));
    }
    Ok(blocks)
}

/// Task number → probability of missing its due date, from `assess_risk`'s data.
fn probabilities(data: &Value) -> HashMap<i64, f64> {
    data.as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| Some((r["id"].as_i64()?, r["probability"].as_f64()?)))
        .collect()
}

fn line(task: &Task, risk: Option<f64>) -> String {
    let due = task.due.map_or("no due date".to_string(), |d| {
        format!("due {}", d.format("%a %Y-%m-%d"))
    });
    let risk = risk
        .filter(|p| *p >= AT_RISK)
        .map(|p| format!(" · :warning: {:.0}% at risk", p * 100.0))
        .unwrap_or_default();
    format!(
        "*#{} {}*\n{due} · {}{risk}",
        task.id,
        escape(&task.title),
        task.priority.as_str()
    )
}

fn buttons(id: i64) -> Value {
    let value = id.to_string();
    json!({"type": "actions", "block_id": format!("task_{id}"), "elements": [
        {"type": "button", "action_id": COMPLETE, "value": value, "style": "primary",
         "text": {"type": "plain_text", "text": "Complete"}},
        {"type": "button", "action_id": SNOOZE, "value": value,
         "text": {"type": "plain_text", "text": "Snooze 1 day"}},
    ]})
}

/// The next working day after `day` (Monday after a Friday).
pub fn next_working_day(day: NaiveDate) -> NaiveDate {
    let mut next = day + Days::new(1);
    while matches!(next.weekday(), Weekday::Sat | Weekday::Sun) {
        next = next + Days::new(1);
    }
    next
}

/// Runs a home button (`action_id` on task `value`) as `user`, then
/// publishes the tab again; a failure is said to the user in a direct message.
pub async fn press(
    state: &Arc<AppState>,
    slack: &Slack,
    team: &str,
    user: &str,
    action_id: &str,
    value: &str,
) -> Result<(), String> {
    let seat = match seat(state, slack, team, user).await? {
        Ok(seat) => seat,
        Err(refusal) => return dm(slack, user, &refusal).await,
    };
    let id: i64 = value
        .parse()
        .map_err(|_| format!("a home button without a task number: {value:?}"))?;
    let (assistant, actor, action) = (
        seat.assistant.clone(),
        seat.acting(user),
        action_id.to_string(),
    );
    let done = blocking(move || {
        let platform = assistant.platform();
        let out = if action == COMPLETE {
            platform.call(Some(&actor), "complete_task", json!({"id": id}))?
        } else {
            let task = platform.lookup(None).task(id)?;
            let today = platform.clock().today();
            let from = task.due.map_or(today, |d| d.max(today));
            let due = next_working_day(from).to_string();
            platform.call(Some(&actor), "update_task", json!({"id": id, "due": due}))?
        };
        Ok(out.summary)
    })
    .await;
    if let Err(problem) = done {
        dm(slack, user, &problem.detail).await?;
    }
    publish(state, slack, team, user).await
}

async fn dm(slack: &Slack, user: &str, text: &str) -> Result<(), String> {
    slack
        .post("chat.postMessage", &json!({"channel": user, "text": text}))
        .await
        .map(|_| ())
}

/// Publishes again the tabs of the people (with Slack ids) whose tasks a
/// Slack request just changed; failures are logged, the answer goes on.
pub async fn republish_for(
    state: &Arc<AppState>,
    slack: &Slack,
    team: &str,
    seat: &Seat,
    events: &[Event],
) {
    let registry = seat.assistant.platform().registry();
    let changed = |tool: &str| {
        registry
            .get(tool)
            .is_some_and(|t| t.effect() != Effect::Read)
    };
    let touched: BTreeSet<&str> = events
        .iter()
        .filter_map(|e| match e {
            Event::Action(a) if a.status == ActionStatus::Ok && changed(&a.tool) => {
                a.result.as_ref()
            }
            _ => None,
        })
        .filter_map(|r| r["assignee"].as_str())
        .filter_map(|name| {
            seat.people
                .iter()
                .find(|p| p.name == name)?
                .slack_id
                .as_deref()
        })
        .collect();
    for user in touched {
        if let Err(e) = publish(state, slack, team, user).await {
            tracing::warn!(error = %e, user, "the App Home was not republished");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snoozing_skips_the_weekend() {
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(next_working_day(day("2026-12-03")), day("2026-12-04"));
        assert_eq!(
            next_working_day(day("2026-12-04")),
            day("2026-12-07"),
            "Friday → Monday"
        );
        assert_eq!(
            next_working_day(day("2026-12-05")),
            day("2026-12-07"),
            "Saturday → Monday"
        );
    }
}

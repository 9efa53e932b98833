//! App Home: a person's open tasks by due date, the ones at risk with their
//! probability, and a Complete and a Snooze (+1 working day) button on each.
//! Published when the tab opens (`app_home_opened` → `views.publish`), and
//! again after any change made through this server to a task it shows or
//! to a task of someone with a Slack id ([`watch`]), its buttons' included.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use maestro_tools::store::{StatusFilter, Task, TaskFilter};
use maestro_tools::{Change, Platform};
use serde_json::{Value, json};

use super::blocks::{escape, section};
use super::{Seat, Slack, bot, seat, seat_in};
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
        Ok(seat) => blocks_for(slack, &seat, user).await?,
        Err(refusal) => vec![section(&refusal)],
    };
    send(slack, user, blocks).await
}

/// Publishes `user`'s home tab in `workspace`.
async fn publish_in(
    state: &Arc<AppState>,
    slack: &Slack,
    workspace: &str,
    user: &str,
) -> Result<(), String> {
    let seat = seat_in(state, slack, workspace, user).await?;
    let blocks = blocks_for(slack, &seat, user).await?;
    send(slack, user, blocks).await
}

/// The tab of the person `user` is (its tasks remembered), or how to become one.
async fn blocks_for(slack: &Slack, seat: &Seat, user: &str) -> Result<Vec<Value>, String> {
    match seat.actor.clone() {
        Some(person) => {
            let (blocks, tasks) = tab(seat, &person).await?;
            let mut shown = slack.shown.lock().unwrap_or_else(|p| p.into_inner());
            shown.insert((seat.workspace.clone(), user.to_string()), tasks);
            Ok(blocks)
        }
        None => Ok(vec![section(&format!(
            "You are not on the team in Maestro yet. An admin can add you with `maestro people add \"Your Name\" --slack-id {user}`."
        ))]),
    }
}

async fn send(slack: &Slack, user: &str, blocks: Vec<Value>) -> Result<(), String> {
    let view = json!({"type": "home", "blocks": blocks});
    slack
        .post("views.publish", &json!({"user_id": user, "view": view}))
        .await
        .map(|_| ())
}

/// The blocks of `person`'s tab (open tasks soonest due first, then those
/// at risk) and the tasks it shows.
async fn tab(seat: &Seat, person: &str) -> Result<(Vec<Value>, BTreeSet<i64>), String> {
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
            .consult("assess_risk", json!({"limit": 1000}))
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
    let ids = tasks.iter().take(SHOWN).map(|t| t.id).collect();
    Ok((blocks, ids))
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
    // A change republishes the tab through the watcher; a refusal is told.
    match done {
        Ok(_) => Ok(()),
        Err(problem) => dm(slack, user, &problem.detail).await,
    }
}

async fn dm(slack: &Slack, user: &str, text: &str) -> Result<(), String> {
    slack
        .post("chat.postMessage", &json!({"channel": user, "text": text}))
        .await
        .map(|_| ())
}

/// Keeps the App Homes of `workspace`'s people current: after a change made
/// in this server (REST, the console, MCP, chat, Slack) to a task of someone
/// with a Slack id, their tab is published again. (Changes made by another
/// process, such as the CLI, show the next time the tab opens.)
pub fn watch(state: &Arc<AppState>, workspace: &str, platform: &Platform) {
    if state.slack.is_none() {
        return;
    }
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    // Weak: the state holds the platform, which holds this watcher.
    let (state, workspace) = (Arc::downgrade(state), workspace.to_string());
    let pending: Arc<Mutex<Pending>> = Arc::default();
    platform.watch(Arc::new(move |change: &Change<'_>| {
        let tasks = changed_tasks(change.data);
        if tasks.is_empty() {
            return;
        }
        if !pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .gather(tasks)
        {
            return;
        }
        let (state, workspace, pending) = (state.clone(), workspace.clone(), Arc::clone(&pending));
        runtime.spawn(async move {
            tokio::time::sleep(SETTLE).await;
            let tasks = pending.lock().unwrap_or_else(|p| p.into_inner()).drain();
            let Some(state) = state.upgrade() else {
                return;
            };
            if let Err(e) = republish(&state, &workspace, &tasks).await {
                tracing::warn!(error = %e, "an App Home was not republished");
            }
        });
    }));
}

/// How long changes gather before the tabs they touch are published: a
/// burst (a bulk edit, an import through the API) publishes each tab once.
const SETTLE: Duration = Duration::from_millis(500);

/// A workspace's changes waiting to be published.
#[derive(Default)]
struct Pending {
    tasks: Vec<Changed>,
    /// A publication is on its way and will take these too.
    scheduled: bool,
}

impl Pending {
    /// Adds changed tasks; true when no publication is on its way yet (the
    /// caller schedules one), false when the coming one will take them.
    fn gather(&mut self, tasks: Vec<Changed>) -> bool {
        self.tasks.extend(tasks);
        !std::mem::replace(&mut self.scheduled, true)
    }

    /// Everything gathered, for the publication now under way.
    fn drain(&mut self) -> Vec<Changed> {
        self.scheduled = false;
        std::mem::take(&mut self.tasks)
    }
}

/// A changed task: its number and its assignee now.
struct Changed {
    id: i64,
    assignee: Option<String>,
}

/// The tasks a change answered with (one, a list, or `{tasks: […]}`).
fn changed_tasks(data: &Value) -> Vec<Changed> {
    let tasks = match data {
        Value::Array(items) => items.iter().collect(),
        Value::Object(o) => match o.get("tasks") {
            Some(Value::Array(items)) => items.iter().collect(),
            _ => vec![data],
        },
        _ => Vec::new(),
    };
    tasks
        .into_iter()
        .filter_map(|t| {
            Some(Changed {
                id: t["id"].as_i64()?,
                assignee: t["assignee"].as_str().map(str::to_string),
            })
        })
        .collect()
}

/// Publishes the tabs the changed tasks touch: their assignees' (with Slack
/// ids), and those that showed them (a task that moved to someone else).
async fn republish(
    state: &Arc<AppState>,
    workspace: &str,
    tasks: &[Changed],
) -> Result<(), String> {
    let slack = bot(state)?;
    let assistant = state.assistant(workspace).await.map_err(|p| p.detail)?;
    let people = blocking(move || Ok(assistant.platform().lookup(None).people()?))
        .await
        .map_err(|p| p.detail)?;
    let mut users: BTreeSet<String> = people
        .iter()
        .filter(|p| {
            tasks
                .iter()
                .any(|t| t.assignee.as_deref() == Some(p.name.as_str()))
        })
        .filter_map(|p| p.slack_id.clone())
        .collect();
    let shown = slack
        .shown
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .clone();
    users.extend(
        shown
            .iter()
            .filter(|((w, _), ids)| w == workspace && tasks.iter().any(|t| ids.contains(&t.id)))
            .map(|((_, user), _)| user.clone()),
    );
    // One tab that cannot be published does not keep the others stale.
    let failed: Vec<String> = futures_util::future::join_all(
        users
            .iter()
            .map(|user| publish_in(state, slack, workspace, user)),
    )
    .await
    .into_iter()
    .filter_map(Result::err)
    .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(failed.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_of_changes_is_gathered_for_one_publication() {
        let task = |id| Changed { id, assignee: None };
        let mut pending = Pending::default();
        assert!(
            pending.gather(vec![task(1)]),
            "the first schedules a publication"
        );
        assert!(!pending.gather(vec![task(2)]) && !pending.gather(vec![task(3)]));
        let ids: Vec<i64> = pending.drain().iter().map(|t| t.id).collect();
        assert_eq!(ids, [1, 2, 3], "one publication takes them all");
        assert!(
            pending.gather(vec![task(4)]),
            "after it, the next change schedules again"
        );
    }

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

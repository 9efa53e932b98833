//! Whole turns through the assistant on the demo workspace: questions,
//! follow-ups, confirmations, several calls, and requests it must not act on.

use maestro_assistant::{Action, Assistant, Event, LocalPlanner, Status, TurnOptions};
use maestro_tools::{Clock, Platform, TaskFilter, import};

fn assistant() -> Assistant {
    let platform = Platform::in_memory(Clock::parse("2026-11-26T10:00:00Z").unwrap()).unwrap();
    import::load_demo(&platform).unwrap();
    let planner = LocalPlanner::new(platform.registry()).unwrap();
    Assistant::new(platform, Box::new(planner))
}

/// How Alice speaks in these tests.
fn as_alice() -> TurnOptions {
    TurnOptions {
        actor: Some("Alice".into()),
        ..Default::default()
    }
}

/// The calls a turn would make, without running them.
fn plan(a: &Assistant, text: &str) -> Vec<Action> {
    a.preview("plan", text, &as_alice()).unwrap()
}

fn say(a: &Assistant, session: &str, text: &str) -> (Vec<Action>, String) {
    let mut actions = Vec::new();
    let mut replies = Vec::new();
    for e in a.turn(session, text, as_alice()) {
        match e {
            Event::Action(x) => actions.push(x),
            Event::Reply { text } | Event::Error { message: text } => replies.push(text),
            _ => {}
        }
    }
    (actions, replies.join("\n"))
}

fn task_count(a: &Assistant) -> usize {
    a.platform()
        .query(None)
        .tasks(&TaskFilter::default())
        .unwrap()
        .len()
}

#[test]
fn the_headline_request_creates_the_right_task() {
    let a = assistant();
    let (actions, reply) = say(
        &a,
        "s",
        "create a high-priority task for Bob to fix the login bug by next Friday",
    );
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0].status, Status::Ok);
    let task = actions[0].result.as_ref().unwrap();
    assert_eq!(task["title"], "fix the login bug");
    assert_eq!(
        (
            task["assignee"].as_str(),
            task["priority"].as_str(),
            task["due"].as_str()
        ),
        (Some("Bob Smith"), Some("high"), Some("2026-12-04"))
    );
    assert!(reply.contains("Created task"), "{reply}");
}

#[test]
fn a_missing_title_is_asked_for_and_the_next_turn_answers_it() {
    let a = assistant();
    let before = task_count(&a);
    let (actions, reply) = say(&a, "s", "create a high priority task for Dave");
    assert_eq!(actions[0].status, Status::NeedsInput);
    assert!(reply.contains("What is the task"), "{reply}");
    assert_eq!(task_count(&a), before);
    let (actions, _) = say(&a, "s", "renew the TLS certificates");
    let task = actions[0].result.as_ref().unwrap();
    assert_eq!(
        (
            task["title"].as_str(),
            task["assignee"].as_str(),
            task["priority"].as_str()
        ),
        (
            Some("renew the TLS certificates"),
            Some("Dave Kim"),
            Some("high")
        )
    );
    // Another session knows nothing of this conversation.
    let (actions, _) = say(&a, "other", "renew the TLS certificates");
    assert!(
        actions.is_empty() || actions[0].tool != "create_task" || actions[0].status != Status::Ok
    );
}

#[test]
fn deleting_waits_for_yes_and_no_cancels() {
    let a = assistant();
    let before = task_count(&a);
    let (actions, reply) = say(&a, "s", "delete task 4");
    assert_eq!(actions[0].status, Status::NeedsConfirmation);
    assert!(
        reply.contains("Set up CI caching") && reply.contains("yes"),
        "{reply}"
    );
    let (_, reply) = say(&a, "s", "no");
    assert!(reply.contains("Cancelled"), "{reply}");
    assert_eq!(task_count(&a), before);
    let (_, reply) = say(&a, "s", "yes");
    assert!(
        !reply.contains("Deleted"),
        "a stale yes deletes nothing: {reply}"
    );
    say(&a, "s", "delete task 4");
    let (actions, _) = say(&a, "s", "yes");
    assert_eq!(
        (actions[0].tool.as_str(), actions[0].status),
        ("delete_task", Status::Ok)
    );
    assert_eq!(task_count(&a), before - 1);
}

#[test]
fn unknown_people_are_never_invented() {
    let a = assistant();
    let (actions, reply) = say(&a, "s", "assign task 8 to Zed");
    assert_eq!(actions[0].status, Status::NeedsInput);
    assert!(reply.contains("no Zed"), "{reply}");
    assert_eq!(a.platform().query(None).task(8).unwrap().assignee, None);
    // The follow-up names someone real.
    let (actions, _) = say(&a, "s", "Erin");
    assert_eq!(
        actions[0].result.as_ref().unwrap()["assignee"],
        "Erin Walsh"
    );
    let (_, reply) = say(&a, "s", "create a task for Bobb to fix the footer");
    assert!(
        reply.contains("Bob Smith") || task_count(&a) == 13,
        "a typo resolves or is asked about: {reply}"
    );
    // Nobody called marcus or zoe: asked, never given to the best fit or listed for everyone.
    let (actions, reply) = say(&a, "t", "have marcus take task 5");
    assert_eq!(actions[0].status, Status::NeedsInput, "{reply}");
    assert_eq!(
        a.platform()
            .query(None)
            .task(5)
            .unwrap()
            .assignee
            .as_deref(),
        Some("Erin Walsh")
    );
    let (actions, reply) = say(&a, "u", "what's zoe working on?");
    assert_eq!(actions[0].status, Status::NeedsInput, "{reply}");
}

#[test]
fn several_requests_in_one_sentence_run_in_order() {
    let a = assistant();
    let (actions, _) = say(&a, "s", "mark task 10 done and start task 3");
    let tools: Vec<&str> = actions.iter().map(|x| x.tool.as_str()).collect();
    assert_eq!(tools, ["complete_task", "update_task"]);
    assert!(actions.iter().all(|x| x.status == Status::Ok));
    assert_eq!(
        a.platform().query(None).task(3).unwrap().status,
        maestro_tools::Status::InProgress
    );
}

#[test]
fn it_in_a_later_clause_is_the_task_an_earlier_one_acted_on() {
    let a = assistant();
    let (actions, _) = say(&a, "s", "bump #9 to urgent and assign it to dave");
    let calls: Vec<(&str, &serde_json::Value)> = actions
        .iter()
        .map(|x| (x.tool.as_str(), &x.arguments["id"]))
        .collect();
    assert_eq!(
        calls,
        [
            ("update_task", &serde_json::json!(9)),
            ("assign_task", &serde_json::json!(9))
        ]
    );
    let task = a.platform().query(None).task(9).unwrap();
    assert_eq!(task.assignee.as_deref(), Some("Dave Kim"));
    // Two changes to one task in a row are one change, and "drop it to low" never deletes.
    let (actions, _) = say(
        &a,
        "t",
        "move task 5 to next tuesday and drop it to low priority",
    );
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert_eq!(actions[0].tool, "update_task");
    let task = a.platform().query(None).task(5).unwrap();
    assert_eq!(task.priority, maestro_tools::Priority::Low);
    assert_eq!(
        task.due.map(|d| d.to_string()).as_deref(),
        Some("2026-12-01")
    );
}
#[test]
fn requests_outside_the_platform_get_help_not_actions() {
    let a = assistant();
    for text in ["what's the weather in Rome", "tell me a joke", "qwertyuiop"] {
        let (actions, reply) = say(&a, "s", text);
        assert!(actions.is_empty(), "{text} acted: {actions:?}");
        assert!(reply.contains("help"), "{reply}");
    }
    let (actions, reply) = say(&a, "s", "");
    assert!(actions.is_empty() && reply.contains("empty"), "{reply}");
}

#[test]
fn a_data_question_is_answered_by_name_and_help_is_never_taken_as_the_answer() {
    let a = assistant();
    for file in ["iris", "wine"] {
        let path = format!("{}/../examples/data/{file}.csv", env!("CARGO_MANIFEST_DIR"));
        a.platform()
            .call(None, "register_dataset", serde_json::json!({"path": path}))
            .unwrap();
    }
    let (actions, reply) = say(&a, "s", "describe the dataset");
    assert_eq!(actions[0].status, Status::NeedsInput);
    assert!(reply.contains("iris") && reply.contains("wine"), "{reply}");
    let (actions, reply) = say(&a, "s", "help");
    assert!(
        actions.is_empty() || actions[0].tool == "help",
        "{actions:?}"
    );
    assert!(reply.contains("describe_dataset"), "{reply}");
    say(&a, "s", "describe the dataset");
    let (actions, reply) = say(&a, "s", "wine");
    assert_eq!(actions[0].tool, "describe_dataset");
    assert_eq!(actions[0].status, Status::Ok, "{reply}");
    assert!(reply.contains("178 rows"), "{reply}");
}

#[test]
fn the_language_model_is_offered_the_plan_then_the_intent_models_next_readings() {
    let platform = Platform::in_memory(Clock::parse("2026-11-26T10:00:00Z").unwrap()).unwrap();
    import::load_demo(&platform).unwrap();
    let planner = LocalPlanner::new(platform.registry()).unwrap();
    let focus = maestro_assistant::Focus::default();
    let request = |text| maestro_assistant::Request {
        text,
        platform: &platform,
        actor: Some("Alice Johnson"),
        now: platform.clock().now(),
        waiting: None,
        focus: &focus,
    };
    let likely = planner.likely_tools(&request("move all of bob's open tasks to dave"));
    assert_eq!(
        likely.first().map(String::as_str),
        Some("update_tasks"),
        "{likely:?}"
    );
    let mut unique = likely.clone();
    unique.dedup();
    assert_eq!(unique.len(), likely.len(), "{likely:?}");
    assert!(
        planner
            .likely_tools(&request("what's the capital of peru"))
            .is_empty(),
        "nothing is likely for a request that asks for nothing"
    );
}

#[test]
fn a_done_task_is_renamed_only_when_asked_to() {
    let a = assistant();
    let title = |a: &Assistant| a.platform().query(None).task(4).unwrap().title;
    let before = title(&a);
    let (actions, reply) = say(&a, "r1", "task 4: 'Cache the CI builds'");
    assert!(
        actions.iter().all(|x| x.status != Status::Ok),
        "{actions:?}"
    );
    assert!(reply.contains("rename task 4"), "{reply}");
    assert_eq!(title(&a), before);
    say(&a, "r2", "rename task 4 to 'Cache the CI builds'");
    assert_eq!(title(&a), "Cache the CI builds");
}

#[test]
fn a_dataset_named_in_one_clause_is_what_it_means_in_the_next() {
    let a = assistant();
    let path = format!("{}/../examples/data/iris.csv", env!("CARGO_MANIFEST_DIR"));
    a.platform()
        .call(None, "register_dataset", serde_json::json!({"path": path}))
        .unwrap();
    let planned = plan(
        &a,
        "describe the iris dataset then train a model on it predicting species",
    );
    let calls: Vec<(&str, &serde_json::Value)> = planned
        .iter()
        .map(|x| (x.tool.as_str(), &x.arguments["dataset"]))
        .collect();
    assert_eq!(
        calls,
        [
            ("describe_dataset", &serde_json::json!("iris")),
            ("run_automl", &serde_json::json!("iris"))
        ]
    );
}

#[test]
fn pushing_a_task_back_moves_its_own_due_date() {
    let a = assistant();
    let before = a.platform().query(None).task(3).unwrap().due.unwrap();
    let (actions, _) = say(&a, "s", "push task 3 back a week");
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert_eq!(actions[0].status, Status::Ok);
    let after = a.platform().query(None).task(3).unwrap().due.unwrap();
    assert_eq!(after - before, chrono::Duration::days(7));
    let (actions, _) = say(&a, "t", "slip task 3 by 2 days");
    assert_eq!(actions[0].status, Status::Ok);
    let later = a.platform().query(None).task(3).unwrap().due.unwrap();
    assert_eq!(later - after, chrono::Duration::days(2));
    // Task 8 has no due date: asked, not guessed.
    let (actions, reply) = say(&a, "u", "push task 8 back a week");
    assert_eq!(actions[0].status, Status::NeedsInput, "{reply}");
    assert!(reply.contains("no due date"), "{reply}");
}

#[test]
fn tasks_named_by_a_bare_number_or_words_like_their_title_are_found() {
    let a = assistant();
    let id_of = |text: &str| {
        let planned = plan(&a, text);
        assert_eq!(planned.len(), 1, "{text}: {planned:?}");
        planned[0].arguments["id"].clone()
    };
    assert_eq!(id_of("bump 9 to urgent"), 9);
    assert_eq!(id_of("done w/ 10"), 10);
    assert_eq!(id_of("@carol can take 12"), 12);
    assert_eq!(id_of("scrap the push notifs task"), 9);
    assert_eq!(id_of("assign 2fa to erin"), 6);
    // Two numbers, neither clearly the task: ask.
    let planned = plan(&a, "move 3 7 to friday");
    assert!(planned[0].arguments.get("id").is_none(), "{planned:?}");
}

#[test]
fn a_change_the_model_is_unsure_of_is_made_only_when_it_says_exactly_what() {
    let a = assistant();
    let planned = plan(&a, "knock the push notifs priority down to medium");
    assert_eq!(planned.len(), 1, "{planned:?}");
    assert_eq!(planned[0].tool, "update_task");
    assert_eq!(
        planned[0].arguments,
        serde_json::json!({"id": 9, "priority": "medium"})
    );
    // "deal with" says nothing about what to do with the task: nothing is done.
    let (actions, _) = say(&a, "t", "deal with task 9");
    assert!(
        actions
            .iter()
            .all(|x| x.tool != "complete_task" && x.tool != "delete_task"),
        "{actions:?}"
    );
    assert_ne!(
        a.platform().query(None).task(9).unwrap().status,
        maestro_tools::Status::Done
    );
}

#[test]
fn misspelt_words_are_read_right_and_a_title_keeps_them_as_typed() {
    let a = assistant();
    let actions = plan(
        &a,
        "new task in platfrom: fix the dashbaord filters befor monady",
    );
    assert_eq!(actions.len(), 1, "{actions:?}");
    let args = &actions[0].arguments;
    assert_eq!(actions[0].tool, "create_task");
    assert_eq!(args["project"], "Platform");
    assert_eq!(args["due"], "2026-11-30");
    assert_eq!(args["title"], "fix the dashbaord filters");
}

#[test]
fn a_change_the_phrasings_miss_is_read_by_the_tagger() {
    let a = assistant();
    let actions = plan(&a, "priority on 7 -> high");
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert_eq!(actions[0].tool, "update_task");
    assert_eq!(actions[0].arguments["id"], 7);
    assert_eq!(actions[0].arguments["priority"], "high");
}

#[test]
fn news_and_praise_with_work_words_ask_for_nothing() {
    let a = assistant();
    for text in [
        "the model card design from the research folks is lovely",
        "i trained for a triathlon all summer",
        "erin's bias audit slides were great",
    ] {
        assert!(plan(&a, text).is_empty(), "{text}");
    }
    let actions = plan(&a, "done with task 3");
    assert_eq!(actions.len(), 1);
    assert_eq!(actions[0].tool, "complete_task");
}

#[test]
fn pushing_to_a_weekday_never_moves_a_deadline_earlier() {
    use chrono::{Datelike, NaiveDate, Weekday};
    let a = assistant();
    let first_monday = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let task = a
        .platform()
        .query(None)
        .tasks(&TaskFilter::default())
        .unwrap()
        .into_iter()
        .find(|t| t.due.is_some_and(|d| d > first_monday))
        .expect("a demo task due after the first Monday");
    let due = task.due.unwrap();
    let actions = plan(&a, &format!("push task {} to monday", task.id));
    assert_eq!(actions.len(), 1, "{actions:?}");
    let pushed: NaiveDate = actions[0].arguments["due"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(pushed.weekday(), Weekday::Mon);
    assert!(
        pushed > due && (pushed - due).num_days() <= 7,
        "{pushed} after {due}"
    );
    // Moving (not pushing) to a weekday is taken as said.
    let moved = plan(&a, &format!("move task {} to monday", task.id));
    assert_eq!(moved[0].arguments["due"], "2026-11-30");
}

/// The actions of one turn with `options`.
fn act(a: &Assistant, session: &str, text: &str, options: TurnOptions) -> Vec<Action> {
    a.turn(session, text, options)
        .filter_map(|e| match e {
            Event::Action(x) => Some(x),
            _ => None,
        })
        .collect()
}

#[test]
fn with_confirm_by_id_only_the_questions_id_approves() {
    let a = assistant();
    let by_id = || TurnOptions {
        confirm_by_id: true,
        ..as_alice()
    };
    let ask = || {
        let asked = act(&a, "m", "delete task 1", by_id());
        asked[0].confirmation.clone().expect("a confirmation id")
    };
    let yes_to = |id: String| {
        let answering = Some(id);
        act(
            &a,
            "m",
            "yes",
            TurnOptions {
                answering,
                ..by_id()
            },
        )
    };
    let before = task_count(&a);
    let id = ask();
    // A typed "yes" (a model could type it) is a new request: nothing is deleted,
    // and the question it would have answered is gone.
    let typed = act(&a, "m", "yes", by_id());
    assert!(typed.iter().all(|x| x.tool != "delete_task"), "{typed:?}");
    assert_eq!(task_count(&a), before);
    let stale = yes_to(id);
    assert!(stale.is_empty(), "{stale:?}");
    assert_eq!(task_count(&a), before);
    // Asked again, the person's answer by the question's id deletes it.
    let done = yes_to(ask());
    assert_eq!(done[0].status, Status::Ok);
    assert_eq!(task_count(&a), before - 1);
}

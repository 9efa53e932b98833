//! End-to-end: the real `maestro` binary on a real SQLite home.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{Value, json};

const NOW: &str = "2026-11-26T10:00:00Z";

fn maestro(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_maestro"))
        .args(["--home", home.to_str().unwrap(), "--as", "Alice"])
        .args(args)
        .env("MAESTRO_NOW", NOW)
        .env_remove("MAESTRO_HOME")
        .env_remove("MAESTRO_USER")
        .env_remove("MAESTRO_LLM_BASE_URL")
        .env_remove("OPENAI_API_KEY")
        .env_remove("MAESTRO_DATABASE_URL")
        .output()
        .expect("maestro runs")
}

/// `maestro` with the language-model variables `vars` set.
fn maestro_llm(home: &Path, vars: &[(&str, &str)], args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_maestro"))
        .args(["--home", home.to_str().unwrap(), "--as", "Alice"])
        .args(args)
        .env("MAESTRO_NOW", NOW)
        .env_remove("OPENAI_API_KEY")
        .envs(vars.iter().copied())
        .output()
        .expect("maestro runs")
}

#[test]
fn a_misconfigured_language_model_is_reported_and_the_local_planner_answers() {
    let home = demo_home();
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", closed.local_addr().unwrap());
    drop(closed);
    // No model named: a warning that says what to set, then the local answer.
    let out = maestro_llm(
        home.path(),
        &[("MAESTRO_LLM_BASE_URL", &url)],
        &["ask", "who is on the team?"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("MAESTRO_LLM_MODEL is not set"),
        "{}",
        stderr(&out)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Bob Smith"));
    // Nothing listening: said in the reply, answered locally, the key never shown.
    let vars = [
        ("MAESTRO_LLM_BASE_URL", url.as_str()),
        ("MAESTRO_LLM_MODEL", "m"),
        ("OPENAI_API_KEY", "sk-cli-secret"),
    ];
    let out = maestro_llm(
        home.path(),
        &vars,
        &["ask", "--json", "who is on the team?"],
    );
    let answer = json(&out);
    let reply = answer["reply"].as_str().unwrap();
    assert!(
        reply.contains("cannot be reached") && reply.contains("local planner"),
        "{reply}"
    );
    assert_eq!(answer["actions"][0]["tool"], "list_people");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("sk-cli-secret"));
    assert!(!stderr(&out).contains("sk-cli-secret"));
    // No model turn ran, so no usage was recorded.
    let out = maestro(home.path(), &["usage", "--json"]);
    assert!(!String::from_utf8_lossy(&out.stdout).contains("-0.0"));
    let usage = json(&out);
    assert_eq!(usage["turns"], 0);
    assert_eq!(usage["records"], serde_json::json!([]));
}

fn maestro_stdin(home: &Path, args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_maestro"))
        .args(["--home", home.to_str().unwrap()])
        .args(args)
        .env("MAESTRO_NOW", NOW)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("maestro runs");
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

/// The JSON a command printed; it must have answered (done, or waiting for
/// a yes or an answer, or not understood), not failed.
fn json(out: &Output) -> Value {
    assert!(
        matches!(out.status.code(), Some(0 | 3 | 4 | 5)),
        "failed ({:?}): {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

fn demo_home() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    assert!(maestro(dir.path(), &["demo"]).status.success());
    dir
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn ask_json_has_the_contract_shape() {
    let home = demo_home();
    let out = json(&maestro(
        home.path(),
        &[
            "ask",
            "--json",
            "create a high-priority task for Bob to fix the login bug by next Friday",
        ],
    ));
    assert!(out["reply"].as_str().unwrap().contains("fix the login bug"));
    let action = &out["actions"][0];
    assert_eq!(action["tool"], "create_task");
    assert_eq!(action["status"], "ok");
    assert_eq!(action["arguments"]["due"], "2026-12-04");
    assert_eq!(action["result"]["assignee"], "Bob Smith");

    let read = json(&maestro(
        home.path(),
        &["ask", "--json", "what is Alice working on this week?"],
    ));
    assert_eq!(read["actions"][0]["tool"], "list_tasks");
    let titles: Vec<&str> = read["actions"][0]["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap())
        .collect();
    assert_eq!(
        titles,
        [
            "Clean up old feature flags",
            "Rotate the API keys",
            "Add two-factor authentication"
        ]
    );
}

#[test]
fn tasks_and_people_commands_print_the_contract_objects() {
    let home = demo_home();
    let tasks = json(&maestro(home.path(), &["tasks", "list", "--json"]));
    assert_eq!(
        tasks.as_array().unwrap().len(),
        12,
        "all tasks unless limited"
    );
    let first = tasks[0].as_object().unwrap();
    for key in [
        "id",
        "title",
        "description",
        "project",
        "assignee",
        "status",
        "priority",
        "due",
        "estimate_hours",
        "tags",
        "created_at",
        "updated_at",
        "completed_at",
    ] {
        assert!(first.contains_key(key), "task lacks {key}");
    }
    let limited = json(&maestro(
        home.path(),
        &[
            "tasks",
            "list",
            "--json",
            "--assignee",
            "Bob",
            "--status",
            "open",
            "--limit",
            "2",
        ],
    ));
    assert_eq!(limited.as_array().unwrap().len(), 2);
    assert!(
        limited
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["assignee"] == "Bob Smith")
    );

    let added = maestro(
        home.path(),
        &[
            "tasks",
            "add",
            "Write the runbook",
            "--assignee",
            "dave",
            "--due",
            "2026-12-01",
            "--priority",
            "high",
            "--tags",
            "ops,docs",
            "--estimate",
            "3",
            "--json",
        ],
    );
    let task = json(&added);
    assert_eq!(
        (task["assignee"].as_str(), task["tags"].clone()),
        (Some("Dave Kim"), serde_json::json!(["ops", "docs"]))
    );

    assert!(
        maestro(
            home.path(),
            &[
                "people",
                "add",
                "Frank Moore",
                "--email",
                "frank@acme.io",
                "--skills",
                "rust,sql",
                "--capacity",
                "30"
            ]
        )
        .status
        .success()
    );
    let people = json(&maestro(home.path(), &["people", "list", "--json"]));
    let frank = people
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "Frank Moore")
        .unwrap();
    assert_eq!(
        frank,
        &serde_json::json!({"name": "Frank Moore", "email": "frank@acme.io", "slack_id": null, "skills": ["rust", "sql"], "capacity": 30.0, "timezone": null})
    );
}

#[test]
fn a_session_carries_a_question_and_a_confirmation_across_invocations() {
    let home = demo_home();
    let q = json(&maestro(
        home.path(),
        &[
            "ask",
            "--json",
            "--session",
            "s1",
            "create a task for Carol",
        ],
    ));
    assert_eq!(q["actions"][0]["status"], "needs_input");
    let a = json(&maestro(
        home.path(),
        &[
            "ask",
            "--json",
            "--session",
            "s1",
            "rebuild the churn dashboard",
        ],
    ));
    assert_eq!(
        a["actions"][0]["result"]["title"],
        "rebuild the churn dashboard"
    );
    assert_eq!(a["actions"][0]["result"]["assignee"], "Carol Diaz");

    let d = json(&maestro(
        home.path(),
        &["ask", "--json", "--session", "s2", "delete task 4"],
    ));
    assert_eq!(d["actions"][0]["status"], "needs_confirmation");
    assert_eq!(
        json(&maestro(home.path(), &["tasks", "list", "--json"]))
            .as_array()
            .unwrap()
            .len(),
        13
    );
    let y = json(&maestro(
        home.path(),
        &["ask", "--json", "--session", "s2", "yes"],
    ));
    assert_eq!(y["actions"][0]["status"], "ok");
    let skip = json(&maestro(
        home.path(),
        &["ask", "--json", "--yes", "delete task 5"],
    ));
    assert_eq!(
        skip["actions"][0]["status"], "ok",
        "--yes skips the question"
    );
    assert_eq!(
        json(&maestro(home.path(), &["tasks", "list", "--json"]))
            .as_array()
            .unwrap()
            .len(),
        11
    );
}

#[test]
fn bad_input_fails_clearly_and_loses_nothing() {
    let home = demo_home();
    let empty = maestro(home.path(), &["ask", " "]);
    assert!(!empty.status.success() && stderr(&empty).contains("empty"));
    let long = maestro_stdin(
        home.path(),
        &["ask", "-"],
        "add a task ".repeat(100_000).as_bytes(),
    );
    assert!(
        !long.status.success() && stderr(&long).contains("characters"),
        "{}",
        stderr(&long)
    );
    let garbage: Vec<u8> = (0..4096u32).map(|i| (i * 7 % 256) as u8).collect();
    let binary = maestro_stdin(home.path(), &["ask", "-"], &garbage);
    assert!(
        !binary.status.success() && stderr(&binary).contains("UTF-8"),
        "{}",
        stderr(&binary)
    );
    let controls: String = (1..200u8).map(|b| char::from(b % 32)).collect();
    let binary = maestro_stdin(home.path(), &["ask", "-"], controls.as_bytes());
    assert!(
        !binary.status.success() && stderr(&binary).contains("binary"),
        "{}",
        stderr(&binary)
    );
    let unknown_id = maestro(home.path(), &["ask", "mark task 999 done"]);
    assert!(!unknown_id.status.success());
    assert!(String::from_utf8_lossy(&unknown_id.stdout).contains("no task 999"));
    let past = maestro(home.path(), &["tasks", "add", "x", "--due", "2020-01-01"]);
    assert!(!past.status.success() && stderr(&past).contains("in the past"));
    let nobody = maestro(home.path(), &["tasks", "add", "x", "--assignee", "Zed"]);
    assert!(!nobody.status.success() && stderr(&nobody).contains("not on the team"));
    assert_eq!(
        json(&maestro(home.path(), &["tasks", "list", "--json"]))
            .as_array()
            .unwrap()
            .len(),
        12,
        "nothing was added"
    );

    let corrupt = tempfile::tempdir().unwrap();
    let junk = vec![b'#'; 4096];
    std::fs::write(corrupt.path().join("maestro.db"), &junk).unwrap();
    let out = maestro(corrupt.path(), &["tasks", "list"]);
    assert!(
        !out.status.success() && stderr(&out).contains("not a Maestro database"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        std::fs::read(corrupt.path().join("maestro.db")).unwrap(),
        junk
    );

    let file = corrupt.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let out = maestro(&file, &["tasks", "list"]);
    assert!(
        !out.status.success() && stderr(&out).contains("--home"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn import_tasks_reads_history_and_refuses_bad_files_whole() {
    let home = demo_home();
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("history.csv");
    std::fs::write(&good, "title,project,assignee,priority,estimate_hours,created_at,due_at,completed_at,actual_hours\nMigrate churn model,Data,Dave Kim,medium,2.0,2024-12-02,2024-12-11,2024-12-03,2.25\n").unwrap();
    let out = maestro(home.path(), &["import", "tasks", good.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let done = json(&maestro(
        home.path(),
        &["tasks", "list", "--json", "--project", "Data"],
    ));
    assert_eq!(
        (done[0]["status"].as_str(), done[0]["due"].as_str()),
        (Some("done"), Some("2024-12-11"))
    );
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, b"title,assignee\n\xff\xfe,Dave Kim\n").unwrap();
    let out = maestro(home.path(), &["import", "tasks", bad.to_str().unwrap()]);
    assert!(
        !out.status.success() && stderr(&out).contains("UTF-8"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn tools_json_lists_names_descriptions_and_schemas() {
    let home = tempfile::tempdir().unwrap();
    let tools = json(&maestro(home.path(), &["tools", "--json"]));
    let create = tools
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "create_task")
        .unwrap();
    assert_eq!(create["effect"], "write");
    assert!(create["schema"]["properties"]["due"].is_object());
}

#[test]
fn eval_meets_the_targets_on_the_labelled_corpus() {
    let home = tempfile::tempdir().unwrap();
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/eval/work.jsonl");
    let report = json(&maestro(home.path(), &["eval", corpus, "--json"]));
    assert!(report["cases"].as_u64().unwrap() >= 200);
    assert!(
        report["exact_accuracy"].as_f64().unwrap() >= 0.95,
        "{}",
        report["exact_accuracy"]
    );
    assert!(
        report["tool_accuracy"].as_f64().unwrap() >= 0.98,
        "{}",
        report["tool_accuracy"]
    );
    assert_eq!(report["irrelevant_acted"], 0);
}

#[test]
fn eval_plays_sessions_turn_by_turn_on_a_fresh_workspace_each() {
    let home = tempfile::tempdir().unwrap();
    let corpus = home.path().join("sessions.jsonl");
    let lines = [
        r#"{"meta": {"now": "2026-11-26T10:00:00Z", "as": "Alice Johnson"}}"#,
        // A question answered in the next turn; the created task is the 13th.
        r#"{"session": [{"text": "create a task for Carol", "calls": [{"tool": "create_task", "arguments": {"assignee": "Carol Diaz"}}], "outcome": "needs_input"}, {"text": "rebuild the churn dashboard", "calls": [{"tool": "create_task", "arguments": {"assignee": "Carol Diaz", "title": "rebuild the churn dashboard"}}]}, {"text": "complete task 13", "calls": [{"tool": "complete_task", "arguments": {"id": 13}}]}]}"#,
        // The same again: a fresh workspace, so the task is the 13th again.
        r#"{"session": [{"text": "create a task for Carol", "calls": [{"tool": "create_task", "arguments": {"assignee": "Carol Diaz"}}], "outcome": "needs_input"}, {"text": "rebuild the churn dashboard", "calls": [{"tool": "create_task", "arguments": {"assignee": "Carol Diaz", "title": "rebuild the churn dashboard"}}]}]}"#,
        // A confirmation; the wrong expectation for "yes" is a miss.
        r#"{"session": [{"text": "delete task 4", "calls": [{"tool": "delete_task", "arguments": {"id": 4}}], "outcome": "needs_confirmation"}, {"text": "yes", "calls": [{"tool": "delete_task", "arguments": {"id": 5}}]}]}"#,
        r#"{"text": "delete task 4", "calls": [{"tool": "delete_task", "arguments": {"id": 4}}], "outcome": "needs_confirmation"}"#,
    ];
    std::fs::write(&corpus, lines.join("\n")).unwrap();
    let report = json(&maestro(
        home.path(),
        &["eval", corpus.to_str().unwrap(), "--json"],
    ));
    assert_eq!(report["cases"], 8, "{report:#}");
    assert_eq!(report["sessions"], 3);
    assert_eq!(report["sessions_exact"], 2, "{report:#}");
    assert_eq!(report["exact"], 7);
    let miss = &report["misses"][0];
    assert_eq!(miss["text"], "yes");
    assert_eq!(miss["got"]["calls"][0]["arguments"]["id"], 4.0);
    assert_eq!(miss["got"]["outcome"], "ok");
}

#[test]
fn parse_shows_spans_intents_and_calls_without_running_them() {
    let home = demo_home();
    let before = json(&maestro(home.path(), &["tasks", "list", "--json"]));
    let out = json(&maestro(
        home.path(),
        &[
            "parse",
            "--json",
            "pls remind dave to renew the TLS certs by EOM",
        ],
    ));
    let span = |kind: &str| {
        out["spans"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind} span in {out:#}"))
            .clone()
    };
    assert_eq!(span("person")["value"], "Dave Kim");
    assert_eq!(span("person")["text"], "dave");
    assert_eq!(span("date")["value"], "2026-11-30");
    assert!(out["view"].as_array().unwrap().contains(&json!("<person>")));
    assert_eq!(out["intents"][0][0], "create_task", "{out:#}");
    let call = &out["calls"][0];
    assert_eq!(call["tool"], "create_task");
    assert_eq!(call["arguments"]["assignee"], "Dave Kim");
    assert_eq!(call["arguments"]["title"], "renew the TLS certs");
    assert_eq!(call["arguments"]["due"], "2026-11-30");
    assert_eq!(call["status"], "ok");
    let after = json(&maestro(home.path(), &["tasks", "list", "--json"]));
    assert_eq!(before, after, "parse runs nothing");

    let text = maestro(home.path(), &["parse", "delete task 4"]);
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("delete_task"), "{text}");
    assert!(text.contains("needs_confirmation"), "{text}");
}

#[test]
fn nlu_train_refuses_held_out_corpora() {
    let home = tempfile::tempdir().unwrap();
    let holdout = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/eval/chat_holdout.jsonl"
    );
    let out_file = home.path().join("models");
    let out = maestro(
        home.path(),
        &[
            "nlu",
            "train",
            "--out",
            out_file.to_str().unwrap(),
            "--dev",
            holdout,
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("held-out"));
    assert!(!out_file.exists(), "nothing is written");
}

#[test]
fn a_one_shot_ask_never_answers_another_ones_question() {
    let home = demo_home();
    let first = json(&maestro(
        home.path(),
        &["ask", "--json", "create a task for Carol"],
    ));
    assert_eq!(first["actions"][0]["status"], "needs_input");
    maestro(
        home.path(),
        &["ask", "--json", "rebuild the churn dashboard"],
    );
    let tasks = json(&maestro(
        home.path(),
        &["tasks", "list", "--json", "--assignee", "carol"],
    ));
    assert!(
        !tasks
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["title"] == "rebuild the churn dashboard"),
        "{tasks:#}"
    );
    let delete = maestro(home.path(), &["ask", "delete task 4"]);
    assert!(String::from_utf8_lossy(&delete.stderr).contains("--session"));
    let yes = json(&maestro(home.path(), &["ask", "--json", "yes"]));
    assert!(
        yes["actions"].as_array().unwrap().is_empty(),
        "a one-shot yes confirms nothing: {yes:#}"
    );
    let four = maestro(home.path(), &["tasks", "list", "--json"]);
    assert!(String::from_utf8_lossy(&four.stdout).contains("Set up CI caching"));
}

#[test]
fn follow_ups_resolve_against_the_conversation() {
    let home = tempfile::tempdir().unwrap();
    let corpus = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/eval/sessions.jsonl"
    );
    let report = json(&maestro(home.path(), &["eval", corpus, "--json"]));
    assert!(report["sessions"].as_u64().unwrap() >= 10);
    assert!(
        report["exact_accuracy"].as_f64().unwrap() >= 0.85,
        "{:#}",
        report["misses"]
    );
}

#[test]
fn eval_work_beats_the_baselines_on_the_shipped_history() {
    let home = tempfile::tempdir().unwrap();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/history");
    let history = format!("{dir}/task_history.csv");
    let people = format!("{dir}/task_history_people.csv");
    let args = ["eval", "work", "--history", &history, "--people", &people];
    let out = maestro(home.path(), &[&args[..], &["--json"]].concat());
    let r = json(&out);
    assert_eq!(
        (r["n_train"].as_u64(), r["n_test"].as_u64()),
        (Some(3200), Some(800))
    );
    let f = |k: &str| r[k].as_f64().unwrap();
    assert!(f("assignment_top1") >= 0.65, "{r}");
    assert!(f("assignment_top3") >= 0.95, "{r}");
    assert!(f("assignment_top1") > 2.0 * f("baseline_top1"), "{r}");
    assert!(f("duration_mae") <= 0.7 * f("estimate_mae"), "{r}");
    assert!(f("risk_auc") >= 0.85 && f("risk_brier") < 0.15, "{r}");

    let out = maestro(home.path(), &[&args[..], &["--split", "1.5"]].concat());
    assert!(
        !out.status.success() && stderr(&out).contains("--split"),
        "{}",
        stderr(&out)
    );
    let out = maestro(
        home.path(),
        &["eval", "work", "--history", &people, "--people", &people],
    );
    assert!(
        !out.status.success() && stderr(&out).contains("title"),
        "{}",
        stderr(&out)
    );
}

/// `maestro` run from `dir` (so relative paths are relative to it).
fn maestro_in(dir: &Path, home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_maestro"))
        .current_dir(dir)
        .args(args)
        .env("MAESTRO_HOME", home)
        .env("MAESTRO_NOW", NOW)
        .env_remove("MAESTRO_USER")
        .output()
        .expect("maestro runs")
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

#[test]
fn data_automl_predict_and_models_commands_print_the_contract_objects() {
    let home = tempfile::tempdir().unwrap();
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let run = |args: &[&str]| maestro_in(root, home.path(), args);

    let added = run(&[
        "data",
        "add",
        "examples/data/iris.csv",
        "--description",
        "flowers",
    ]);
    assert!(added.status.success(), "{}", stderr(&added));
    assert!(String::from_utf8_lossy(&added.stdout).contains("Registered iris version 1"));

    let list = json(&run(&["data", "list", "--json"]));
    let datasets = list.as_array().unwrap();
    assert_eq!(datasets.len(), 1);
    assert_eq!(
        keys(&datasets[0]),
        ["columns", "description", "name", "path", "rows", "version"]
    );
    let iris = &datasets[0];
    assert_eq!(
        (
            iris["name"].as_str(),
            iris["version"].as_u64(),
            iris["rows"].as_u64(),
            iris["columns"].as_u64(),
            iris["description"].as_str()
        ),
        (Some("iris"), Some(1), Some(150), Some(5), Some("flowers"))
    );
    let path = Path::new(iris["path"].as_str().unwrap());
    assert!(
        path.is_absolute() && path.ends_with("examples/data/iris.csv"),
        "{path:?}"
    );

    let trained = json(&run(&[
        "automl", "iris", "--target", "target", "--budget", "2", "--json",
    ]));
    assert_eq!(
        keys(&trained),
        [
            "best",
            "cv_score",
            "cv_std",
            "elapsed_s",
            "first_model_s",
            "leaderboard",
            "metric",
            "model",
            "task",
            "trials",
            "validation",
            "version"
        ]
    );
    assert_eq!(
        (
            trained["model"].as_str(),
            trained["version"].as_u64(),
            trained["task"].as_str(),
            trained["metric"].as_str()
        ),
        (Some("iris"), Some(1), Some("multiclass"), Some("accuracy"))
    );
    let accuracy = trained["cv_score"].as_f64().unwrap();
    assert!((0.85..=1.0).contains(&accuracy), "accuracy {accuracy}");
    assert_eq!(keys(&trained["best"]), ["family", "params"]);
    assert!(trained["trials"].as_u64().unwrap() >= 1);
    assert!(trained["elapsed_s"].as_f64().unwrap() > 0.0);
    let board = trained["leaderboard"].as_array().unwrap();
    assert!(!board.is_empty());
    for t in board {
        assert_eq!(
            keys(t),
            ["cv_score", "family", "fit_s", "params", "train_rows"]
        );
    }

    let models = json(&run(&["models", "list", "--json"]));
    let models = models.as_array().unwrap();
    assert_eq!(models.len(), 1);
    assert_eq!(
        keys(&models[0]),
        [
            "created_at",
            "cv_score",
            "dataset",
            "metric",
            "name",
            "stage",
            "target",
            "task",
            "version"
        ]
    );
    assert_eq!(
        (
            models[0]["name"].as_str(),
            models[0]["dataset"].as_str(),
            models[0]["target"].as_str(),
            models[0]["stage"].as_str(),
            models[0]["created_at"].as_str()
        ),
        (
            Some("iris"),
            Some("iris"),
            Some("target"),
            Some("none"),
            Some(NOW)
        )
    );
    assert_eq!(models[0]["cv_score"], trained["cv_score"]);

    let dir = tempfile::tempdir().unwrap();
    let flowers = dir.path().join("flowers.csv");
    std::fs::write(
        &flowers,
        "sepal length (cm),sepal width (cm),petal length (cm),petal width (cm)\n\
         5.1,3.5,1.4,0.2\n6.7,3.0,5.2,2.3\n5.9,2.8,4.4,1.3\n",
    )
    .unwrap();
    let predicted = json(&run(&[
        "predict",
        "iris",
        flowers.to_str().unwrap(),
        "--json",
    ]));
    // The probabilities' columns are named by `classes`.
    assert_eq!(
        keys(&predicted),
        ["classes", "predictions", "probabilities"]
    );
    let classes: Vec<&str> = predicted["predictions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert_eq!(classes, ["0", "2", "1"], "three easy flowers");
    let probabilities = predicted["probabilities"].as_array().unwrap();
    assert_eq!(probabilities.len(), 3);
    for p in probabilities {
        let p: Vec<f64> = p
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        assert_eq!(p.len(), 3);
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{p:?}");
    }

    // A sentence reaches the same code.
    let asked = json(&run(&[
        "ask",
        "--json",
        "train a model on iris predicting target, 2 seconds",
    ]));
    let action = &asked["actions"][0];
    assert_eq!(
        (action["tool"].as_str(), action["status"].as_str()),
        (Some("run_automl"), Some("ok")),
        "{asked}"
    );
    assert_eq!(action["arguments"]["budget_seconds"], 2.0, "{asked}");
    assert_eq!(action["result"]["version"], 2, "{asked}");
    let versions: Vec<u64> = json(&run(&["models", "list", "--json"]))
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["version"].as_u64().unwrap())
        .collect();
    assert_eq!(versions, [1, 2]);
}

#[test]
fn ml_commands_refuse_bad_input_clearly() {
    let home = tempfile::tempdir().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let iris = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/data/iris.csv");
    let out = maestro(home.path(), &["data", "add", iris]);
    assert!(out.status.success(), "{}", stderr(&out));

    let out = maestro(
        home.path(),
        &["automl", "iris", "--target", "nope", "--budget", "2"],
    );
    assert!(
        !out.status.success() && stderr(&out).contains("no column \"nope\""),
        "{}",
        stderr(&out)
    );
    let out = maestro(
        home.path(),
        &["automl", "iris", "--target", "target", "--budget", "0.5"],
    );
    assert!(
        !out.status.success() && stderr(&out).contains("budget"),
        "{}",
        stderr(&out)
    );
    let out = maestro(
        home.path(),
        &["automl", "iris", "--target", "target", "--name", "my model"],
    );
    assert!(
        !out.status.success() && stderr(&out).contains("`name`"),
        "{}",
        stderr(&out)
    );
    let out = maestro(home.path(), &["automl", "irsi", "--target", "target"]);
    assert!(
        !out.status.success() && stderr(&out).contains("did you mean iris"),
        "{}",
        stderr(&out)
    );
    assert!(
        json(&maestro(home.path(), &["models", "list", "--json"]))
            .as_array()
            .unwrap()
            .is_empty(),
        "no model was registered"
    );

    let latin1 = dir.path().join("latin1.csv");
    std::fs::write(&latin1, b"name,city\nJos\xe9,M\xe1laga\n").unwrap();
    let out = maestro(home.path(), &["data", "add", latin1.to_str().unwrap()]);
    assert!(
        !out.status.success() && stderr(&out).contains("not UTF-8"),
        "{}",
        stderr(&out)
    );
    let out = maestro(home.path(), &["data", "add", "/no/such/file.csv"]);
    assert!(
        !out.status.success() && stderr(&out).contains("cannot read"),
        "{}",
        stderr(&out)
    );
    let out = maestro(home.path(), &["predict", "iris", iris]);
    assert!(
        !out.status.success() && stderr(&out).contains("automl"),
        "no model yet: {}",
        stderr(&out)
    );
    let list = json(&maestro(home.path(), &["data", "list", "--json"]));
    assert_eq!(list.as_array().unwrap().len(), 1, "only iris");
}

#[test]
fn workspaces_tokens_and_serve() {
    let home = tempfile::tempdir().unwrap();
    let out = maestro(
        home.path(),
        &["workspace", "create", "acme", "--slack-team", "T0123ABCD"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = maestro(home.path(), &["workspace", "create", "acme"]);
    assert!(
        !out.status.success() && stderr(&out).contains("already exists"),
        "{}",
        stderr(&out)
    );
    let out = maestro(home.path(), &["workspace", "create", "a/b"]);
    assert!(
        !out.status.success() && stderr(&out).contains("letters, digits"),
        "{}",
        stderr(&out)
    );
    let listed = json(&maestro(home.path(), &["workspace", "list", "--json"]));
    assert_eq!(
        listed,
        serde_json::json!([{"name": "acme", "slack_team": "T0123ABCD"}])
    );
    let created = json(&maestro(
        home.path(),
        &[
            "token",
            "create",
            "--workspace",
            "acme",
            "--name",
            "ci",
            "--json",
        ],
    ));
    let token = created["token"].as_str().unwrap().to_string();
    assert!(token.starts_with("mst_"), "{created}");
    assert_eq!(created["scope"], "write");
    let out = maestro(
        home.path(),
        &[
            "token",
            "create",
            "--workspace",
            "acme",
            "--name",
            "x",
            "--scope",
            "root",
        ],
    );
    assert!(!out.status.success() && stderr(&out).contains("read, write or admin"));
    let out = maestro(
        home.path(),
        &["token", "create", "--workspace", "nowhere", "--name", "x"],
    );
    assert!(
        !out.status.success() && stderr(&out).contains("no workspace"),
        "{}",
        stderr(&out)
    );
    // The token is stored hashed: the database never holds it.
    let db = std::fs::read(home.path().join("maestro.db")).unwrap();
    assert!(!db.windows(token.len()).any(|w| w == token.as_bytes()));

    // The server answers with the token, on the address it reports.
    let (mut server, addr) = serve(home.path(), None);
    let get = |auth: &str| http(&addr, &format!("GET /v1/tasks HTTP/1.1\r\n{auth}"), "");
    assert!(get(&format!("Authorization: Bearer {token}\r\n")).starts_with("HTTP/1.1 200"));
    let out = maestro(
        home.path(),
        &["token", "revoke", "--workspace", "acme", "--name", "ci"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(get(&format!("Authorization: Bearer {token}\r\n")).starts_with("HTTP/1.1 401"));
    server.kill().unwrap();
    server.wait().unwrap();
}

/// A `maestro serve` on a free port of 127.0.0.1 (on the PostgreSQL at `url`
/// when given) and the address it reports.
fn serve(home: &Path, url: Option<&str>) -> (std::process::Child, String) {
    let (server, addr, _log) = serve_with(home, url.map(|u| ("MAESTRO_DATABASE_URL", u)));
    (server, addr)
}

/// [`serve`] with one more variable set, and its log (stderr) after the first line.
fn serve_with(
    home: &Path,
    var: Option<(&str, &str)>,
) -> (
    std::process::Child,
    String,
    std::io::BufReader<std::process::ChildStderr>,
) {
    use std::io::{BufRead, BufReader};
    let mut command = Command::new(env!("CARGO_BIN_EXE_maestro"));
    command
        .args([
            "--home",
            home.to_str().unwrap(),
            "serve",
            "--addr",
            "127.0.0.1:0",
        ])
        .env("MAESTRO_NOW", NOW)
        .env_remove("SLACK_SIGNING_SECRET")
        .env_remove("SLACK_BOT_TOKEN")
        .env_remove("MAESTRO_LLM_BASE_URL")
        .env_remove("MAESTRO_DATABASE_URL")
        .env_remove("RUST_LOG")
        .stderr(std::process::Stdio::piped());
    if let Some((key, value)) = var {
        command.env(key, value);
    }
    let mut server = command.spawn().unwrap();
    let mut log = BufReader::new(server.stderr.take().unwrap());
    let mut line = String::new();
    log.read_line(&mut line).unwrap();
    let addr = line
        .split("http://")
        .nth(1)
        .unwrap_or_else(|| panic!("serve did not start: {line}"))
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    (server, addr, log)
}

#[test]
fn the_log_says_what_chose_each_tool_and_follows_each_request_by_its_id() {
    let home = demo_home();
    let ask = |vars: &[(&str, &str)]| {
        Command::new(env!("CARGO_BIN_EXE_maestro"))
            .args(["--home", home.path().to_str().unwrap(), "ask", "--json"])
            .arg("create a task for Bob to fix the login bug and show bob's tasks")
            .env("MAESTRO_NOW", NOW)
            .env_remove("MAESTRO_LLM_BASE_URL")
            .env_remove("MAESTRO_DATABASE_URL")
            .env_remove("RUST_LOG")
            .env_remove("MAESTRO_LOG")
            .envs(vars.iter().copied())
            .output()
            .unwrap()
    };
    let out = ask(&[
        ("RUST_LOG", "maestro_assistant=debug,maestro_tools=info"),
        ("MAESTRO_LOG", "json"),
    ]);
    // Standard output is still the answer alone; the log is JSON lines on stderr.
    let answer: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(answer["actions"].as_array().unwrap().len(), 2, "{answer}");
    let lines: Vec<Value> = stderr(&out)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let said = |message: &str, field: &str| -> Vec<String> {
        lines
            .iter()
            .filter(|l| l["fields"]["message"] == message)
            .map(|l| l["fields"][field].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(said("clause read", "tool"), ["create_task", "list_tasks"]);
    assert!(
        said("clause read", "chosen_by")
            .iter()
            .all(|by| !by.is_empty()),
        "{lines:?}"
    );
    assert_eq!(said("tool ran", "tool"), ["create_task", "list_tasks"]);
    assert!(
        lines.iter().all(|l| l["span"]["name"] == "turn"),
        "{lines:?}"
    );
    // By default a command logs nothing but warnings; a filter that cannot be
    // read is said once, and the answer still comes.
    assert_eq!(stderr(&ask(&[])), "");
    let out = ask(&[("RUST_LOG", "maestro_tools=[")]);
    assert!(out.status.success());
    assert!(stderr(&out).contains("RUST_LOG"), "{}", stderr(&out));

    // A server logs each request once, under the id its answer carried.
    let (mut server, addr, log) = serve_with(home.path(), Some(("MAESTRO_LOG", "json")));
    let answer = http(
        &addr,
        "GET /healthz HTTP/1.1\r\nX-Request-Id: probe-7\r\n",
        "",
    );
    assert!(answer.contains("x-request-id: probe-7"), "{answer}");
    server.kill().unwrap();
    server.wait().unwrap();
    let requests: Vec<Value> = std::io::BufRead::lines(log)
        .map_while(Result::ok)
        .filter_map(|l| serde_json::from_str::<Value>(&l).ok())
        .filter(|l| l["span"]["id"] == "probe-7")
        .collect();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(
        (
            &requests[0]["fields"]["status"],
            &requests[0]["span"]["route"]
        ),
        (&json!(200), &json!("/healthz"))
    );
}

/// The whole answer to one HTTP/1.1 request (`head` without its blank line).
fn http(addr: &str, head: &str, body: &str) -> String {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "{head}Host: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    answer
}

/// `maestro` in `workspace`, on the PostgreSQL at `url` when given.
fn maestro_on(url: Option<&str>, home: &Path, workspace: &str, args: &[&str]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_maestro"));
    command
        .args(["--home", home.to_str().unwrap(), "--workspace", workspace])
        .args(args)
        .env("MAESTRO_NOW", NOW)
        .env_remove("MAESTRO_DATABASE_URL");
    if let Some(url) = url {
        command.env("MAESTRO_DATABASE_URL", url);
    }
    command.output().expect("maestro runs")
}

#[test]
fn migrate_copies_a_workspace_into_postgres_whole_and_once() {
    let Some(url) = maestro_tools::store::test_database_url("migrate") else {
        return;
    };
    let home = tempfile::tempdir().unwrap();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let ws = format!("migrate-{}-{nanos}", std::process::id());
    let team = format!("T{nanos}");
    let h = home.path();
    let out = maestro_on(
        None,
        h,
        &ws,
        &["workspace", "create", &ws, "--slack-team", &team],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let token = json(&maestro_on(
        None,
        h,
        &ws,
        &[
            "token",
            "create",
            "--workspace",
            &ws,
            "--name",
            "ci",
            "--json",
        ],
    ));
    assert!(maestro_on(None, h, &ws, &["demo"]).status.success());
    let done = json(&maestro_on(
        None,
        h,
        &ws,
        &["ask", "--json", "--yes", "complete task 3"],
    ));
    assert_eq!(done["actions"][0]["status"], "ok", "{done}");
    let listing = |url| {
        let tasks = json(&maestro_on(url, h, &ws, &["tasks", "list", "--json"]));
        let people = json(&maestro_on(url, h, &ws, &["people", "list", "--json"]));
        (tasks, people)
    };
    let embedded = listing(None);
    assert!(embedded.0.as_array().unwrap().len() > 10);

    let out = maestro_on(Some(&url), h, &ws, &["migrate"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&format!("Copied workspace {ws}")),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert_eq!(
        listing(Some(&url)),
        embedded,
        "ids, timestamps and people kept"
    );
    // The workspace keeps its Slack team and its tokens.
    let workspaces = json(&maestro_on(
        Some(&url),
        h,
        &ws,
        &["workspace", "list", "--json"],
    ));
    assert!(
        workspaces
            .as_array()
            .unwrap()
            .contains(&serde_json::json!({"name": ws, "slack_team": team})),
        "{workspaces}"
    );
    let tokens = json(&maestro_on(
        Some(&url),
        h,
        &ws,
        &["token", "list", "--workspace", &ws, "--json"],
    ));
    assert_eq!(tokens[0]["name"], token["name"], "{tokens}");

    // A second copy is refused and changes nothing.
    let again = maestro_on(Some(&url), h, &ws, &["migrate"]);
    assert!(!again.status.success());
    assert!(stderr(&again).contains("already has"), "{}", stderr(&again));
    assert_eq!(listing(Some(&url)), embedded);
    // New tasks continue the numbering.
    let added = json(&maestro_on(
        Some(&url),
        h,
        &ws,
        &["tasks", "add", "After the move", "--json"],
    ));
    let highest = embedded
        .0
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_i64().unwrap())
        .max();
    assert_eq!(added["id"].as_i64(), highest.map(|h| h + 1));
}

#[test]
fn migrate_needs_a_postgres_url_and_an_embedded_database() {
    let home = tempfile::tempdir().unwrap();
    let out = maestro_on(None, home.path(), "default", &["migrate"]);
    assert!(
        !out.status.success() && stderr(&out).contains("MAESTRO_DATABASE_URL"),
        "{}",
        stderr(&out)
    );
    let out = maestro_on(
        Some("postgres://nobody@127.0.0.1:1/x"),
        home.path(),
        "default",
        &["migrate"],
    );
    assert!(
        !out.status.success() && stderr(&out).contains("no embedded database"),
        "{}",
        stderr(&out)
    );
    let out = maestro_on(
        Some("mysql://x"),
        home.path(),
        "default",
        &["tasks", "list"],
    );
    assert!(
        !out.status.success() && stderr(&out).contains("must be a postgres:// URL"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn reindex_rebuilds_a_lost_catalog_from_the_store() {
    let home = demo_home();
    let ask = |text: &str| json(&maestro(home.path(), &["ask", "--json", text]));
    let before = ask("search for login");
    std::fs::remove_file(home.path().join("catalog-default.db")).unwrap();
    let out = maestro(home.path(), &["reindex"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(said.contains("people") && said.contains("tasks"), "{said}");
    assert!(!said.contains(" 0 tasks"), "{said}");
    assert_eq!(ask("search for login"), before);
}

/// A name no other test run uses, for objects in the shared test database.
fn unique(prefix: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{prefix}{}x{nanos}", std::process::id())
}

#[test]
fn servers_on_postgres_share_workspaces_tokens_and_tasks() {
    let Some(url) = maestro_tools::store::test_database_url("serve on PostgreSQL") else {
        return;
    };
    let ws = unique("serve-");
    let team = unique("T");
    let on_pg = |home: &Path, args: &[&str]| maestro_on(Some(&url), home, "default", args);
    let admin = tempfile::tempdir().unwrap();
    let out = on_pg(
        admin.path(),
        &["workspace", "create", &ws, "--slack-team", &team],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = on_pg(
        admin.path(),
        &[
            "workspace",
            "create",
            &unique("other-"),
            "--slack-team",
            &team,
        ],
    );
    assert!(
        !out.status.success() && stderr(&out).contains("already maps to the workspace"),
        "{}",
        stderr(&out)
    );
    let created = json(&on_pg(
        admin.path(),
        &[
            "token",
            "create",
            "--workspace",
            &ws,
            "--name",
            "ci",
            "--json",
        ],
    ));
    let token = created["token"].as_str().unwrap().to_string();
    let out = on_pg(
        admin.path(),
        &["token", "create", "--workspace", &ws, "--name", "CI"],
    );
    assert!(
        !out.status.success() && stderr(&out).contains("already has a token"),
        "{}",
        stderr(&out)
    );
    // The administrator's home holds nothing: the state is in PostgreSQL.
    assert!(!admin.path().join("maestro.db").exists());

    // Two servers with homes of their own serve the same workspace.
    let (a_home, b_home) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (mut a, a_addr) = serve(a_home.path(), Some(&url));
    let (mut b, b_addr) = serve(b_home.path(), Some(&url));
    let auth = format!("Authorization: Bearer {token}\r\n");
    let made = http(
        &a_addr,
        &format!("POST /v1/tasks HTTP/1.1\r\n{auth}"),
        r#"{"title": "Written through server A"}"#,
    );
    assert!(made.starts_with("HTTP/1.1 201"), "{made}");
    let id = serde_json::from_str::<serde_json::Value>(made.split("\r\n\r\n").nth(1).unwrap())
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let read = http(
        &b_addr,
        &format!("GET /v1/tasks/{id} HTTP/1.1\r\n{auth}"),
        "",
    );
    assert!(
        read.starts_with("HTTP/1.1 200") && read.contains("Written through server A"),
        "{read}"
    );
    let out = on_pg(
        admin.path(),
        &["token", "revoke", "--workspace", &ws, "--name", "ci"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    for addr in [&a_addr, &b_addr] {
        let answer = http(addr, &format!("GET /v1/tasks HTTP/1.1\r\n{auth}"), "");
        assert!(
            answer.starts_with("HTTP/1.1 401"),
            "revoked everywhere: {answer}"
        );
    }
    for server in [&mut a, &mut b] {
        server.kill().unwrap();
        server.wait().unwrap();
    }
}

#[test]
fn workspace_settings_change_how_dates_are_read_and_bad_ones_are_refused() {
    let home = demo_home();
    let plan = |text: &str| {
        let out = json(&maestro(home.path(), &["ask", "--json", text]));
        out["actions"][0]["arguments"]["due"].clone()
    };
    let set = |key: &str, value: &str| maestro(home.path(), &["settings", "set", key, value]);
    assert_eq!(
        plan("create a task to renew the certs due 3/12"),
        "2027-03-12"
    );
    assert!(set("date_order", "day_first").status.success());
    assert_eq!(
        plan("create a task to rotate the keys due 3/12"),
        "2026-12-03"
    );
    // No sprint setting yet: the sprint is not a date, and the answer says
    // how to make it one.
    let refused = maestro(
        home.path(),
        &[
            "ask",
            "--json",
            "create a task to tidy the wiki by end of sprint",
        ],
    );
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    let unknown: Value = serde_json::from_slice(&refused.stdout).unwrap();
    assert_eq!(unknown["actions"][0]["status"], "error", "{unknown}");
    assert!(
        unknown["reply"]
            .as_str()
            .unwrap()
            .contains("settings set sprint_start"),
        "{unknown}"
    );
    assert!(set("sprint_start", "2026-11-23").status.success());
    assert_eq!(
        plan("create a task to tidy the backlog by end of sprint"),
        "2026-12-06"
    );
    assert_eq!(
        plan("create a task to plan the retro by next sprint"),
        "2026-12-20"
    );
    let bad = set("sprint_days", "ninety");
    assert!(!bad.status.success());
    assert!(
        stderr(&bad).contains("whole number of days"),
        "{}",
        stderr(&bad)
    );
    let list = json(&maestro(home.path(), &["settings", "list", "--json"]));
    let value = |key: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|s| s["key"] == key)
            .unwrap()["value"]
            .clone()
    };
    assert_eq!(value("date_order"), "day_first");
    assert_eq!(value("sprint_days"), "14");
}

#[test]
fn ask_exit_codes_tell_scripts_how_the_turn_ended() {
    let home = demo_home();
    let code = |args: &[&str]| maestro(home.path(), args).status.code();
    assert_eq!(code(&["ask", "list bob's open tasks"]), Some(0));
    assert_eq!(
        code(&["ask", "delete task 4"]),
        Some(3),
        "needs confirmation"
    );
    assert_eq!(
        code(&["ask", "create a task for Zed to water the plants"]),
        Some(4),
        "needs input"
    );
    assert_eq!(
        code(&["ask", "what's the weather like in Paris?"]),
        Some(5),
        "not understood"
    );
    assert_eq!(
        code(&["ask", "--yes", "delete task 999"]),
        Some(1),
        "failed"
    );
    assert_eq!(
        code(&["ask", "--json", "delete task 4"]),
        Some(3),
        "the same with --json"
    );
}

#[test]
fn an_empty_workspace_says_how_to_add_people_or_load_the_demo() {
    let home = tempfile::tempdir().unwrap();
    let out = maestro(
        home.path(),
        &[
            "ask",
            "create a high-priority task for Bob to fix the login bug",
        ],
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("maestro people add") && said.contains("maestro demo"),
        "{said}"
    );
    let listed = maestro(home.path(), &["ask", "who is on the team?"]);
    let said = String::from_utf8_lossy(&listed.stdout);
    assert!(
        said.contains("maestro demo") && !said.contains("add_person"),
        "{said}"
    );
}

#[test]
fn tasks_add_reads_due_dates_as_people_write_them() {
    let home = demo_home();
    // MAESTRO_NOW is Thursday 26 November 2026.
    let task = json(&maestro(
        home.path(),
        &[
            "tasks",
            "add",
            "Write the runbook",
            "--due",
            "next tuesday",
            "--json",
        ],
    ));
    assert_eq!(task["due"], "2026-12-01");
    let task = json(&maestro(
        home.path(),
        &[
            "tasks",
            "add",
            "Renew the certs",
            "--due",
            "2026-12-18",
            "--json",
        ],
    ));
    assert_eq!(task["due"], "2026-12-18");
    let bad = maestro(home.path(), &["tasks", "add", "x", "--due", "soonish"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(stderr(&bad).contains("YYYY-MM-DD"), "{}", stderr(&bad));
}

#[test]
fn importing_people_updates_those_already_on_the_team() {
    let home = demo_home();
    let before = json(&maestro(home.path(), &["people", "list", "--json"]));
    let file = home.path().join("people.csv");
    std::fs::write(
        &file,
        "name,email,skills,capacity\nAlice,ALICE@acme.io,\"backend,rust\",30\nBob Smith,,,\nFrank Moore,frank@acme.io,sql,20\n",
    )
    .unwrap();
    let out = maestro(home.path(), &["import", "people", file.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("1 added, 1 updated, 1 already as given"),
        "{said}"
    );
    let after = json(&maestro(home.path(), &["people", "list", "--json"]));
    let people = after.as_array().unwrap();
    assert_eq!(people.len(), before.as_array().unwrap().len() + 1);
    let alice = people
        .iter()
        .find(|p| p["email"] == "alice@acme.io")
        .unwrap();
    assert_eq!(
        alice["name"], "Alice Johnson",
        "the name on the team is kept"
    );
    assert_eq!(
        (alice["skills"].clone(), alice["capacity"].clone()),
        (json!(["backend", "rust"]), json!(30.0))
    );
    assert!(!people.iter().any(|p| p["name"] == "Alice"));
    // A history that calls her "Alice" is hers: a first name nobody else has.
    let history = home.path().join("history.csv");
    std::fs::write(&history, "title,assignee\nRotate the keys,Alice\n").unwrap();
    let out = maestro(home.path(), &["import", "tasks", history.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let tasks = json(&maestro(
        home.path(),
        &["tasks", "list", "--json", "--assignee", "Alice Johnson"],
    ));
    assert!(
        tasks
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["title"] == "Rotate the keys"),
        "{tasks}"
    );
}

#[test]
fn help_on_a_tool_shows_its_description_arguments_and_examples() {
    let home = demo_home();
    for request in [
        "help create_task",
        "help with create task",
        "help on list_tasks",
    ] {
        let out = maestro(home.path(), &["ask", "--json", request]);
        let answer = json(&out);
        assert_eq!(answer["actions"][0]["tool"], "help", "{request}");
        assert!(
            answer["actions"][0]["arguments"]["topic"].is_string(),
            "{request}: {answer}"
        );
    }
    let out = maestro(home.path(), &["ask", "help create_task"]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(
        said.contains("Arguments") && said.contains("• title:") && said.contains("Try"),
        "{said}"
    );
    assert!(
        !said.contains("**"),
        "piped output drops the Markdown markup: {said}"
    );
}

#[test]
fn charts_are_saved_under_the_home_by_workspace_with_names_of_their_own() {
    let home = demo_home();
    let charts = |out: &Output| -> Vec<std::path::PathBuf> {
        json(out)["charts"]
            .as_array()
            .expect("ask --json lists the charts it saved")
            .iter()
            .map(|c| c["path"].as_str().unwrap().into())
            .collect()
    };
    let first = charts(&maestro(
        home.path(),
        &["ask", "--json", "show the team's workload"],
    ));
    let second = charts(&maestro(
        home.path(),
        &["ask", "--json", "show the team's workload"],
    ));
    assert_eq!((first.len(), second.len()), (1, 1));
    assert_ne!(
        first[0], second[0],
        "a later chart never overwrites an earlier one"
    );
    for path in first.iter().chain(&second) {
        assert!(
            path.starts_with(home.path().join("charts").join("default")),
            "{}",
            path.display()
        );
        let size = std::fs::metadata(path).unwrap().len();
        assert!(
            (1_000..=60_000).contains(&size),
            "{} is {size} bytes",
            path.display()
        );
    }
    let plain = maestro(home.path(), &["ask", "show the team's workload"]);
    let said = String::from_utf8_lossy(&plain.stdout);
    assert!(
        said.contains(&home.path().join("charts").display().to_string()),
        "{said}"
    );
}

#[test]
fn tasks_subcommands_change_list_and_delete_with_care() {
    let home = demo_home();
    let run = |args: &[&str]| maestro(home.path(), args);
    let task = json(&run(&[
        "tasks",
        "update",
        "3",
        "--due",
        "2026-12-18",
        "--priority",
        "urgent",
        "--json",
    ]));
    assert_eq!(
        (task["due"].clone(), task["priority"].clone()),
        (json!("2026-12-18"), json!("urgent"))
    );
    assert_eq!(
        json(&run(&["tasks", "complete", "3", "--json"]))["status"],
        "done"
    );
    assert_eq!(
        json(&run(&["tasks", "assign", "4", "carol", "--json"]))["assignee"],
        "Carol Diaz"
    );
    // Off a terminal, delete without --yes deletes nothing and says how.
    let refused = run(&["tasks", "delete", "4"]);
    assert_eq!(refused.status.code(), Some(3));
    assert!(stderr(&refused).contains("--yes"));
    assert!(run(&["tasks", "delete", "4", "--yes"]).status.success());
    // A person sees the open tasks; --all adds the done ones; JSON has every match.
    let seen = String::from_utf8_lossy(&run(&["tasks", "list"]).stdout).into_owned();
    let everything = String::from_utf8_lossy(&run(&["tasks", "list", "--all"]).stdout).into_owned();
    assert!(
        !seen.contains(" done ") && everything.contains(" done "),
        "{seen}"
    );
    let open = json(&run(&["tasks", "list", "--json", "--status", "open"]));
    let all = json(&run(&["tasks", "list", "--json"]));
    assert!(
        open.as_array()
            .unwrap()
            .iter()
            .all(|t| t["status"] != "done")
    );
    assert!(all.as_array().unwrap().len() > open.as_array().unwrap().len());
    assert!(
        all.as_array().unwrap().iter().all(|t| t["id"] != 4),
        "deleted"
    );
    let urgent = json(&run(&[
        "tasks",
        "list",
        "--all",
        "--priority",
        "urgent",
        "--json",
    ]));
    assert!(
        urgent.as_array().unwrap().iter().any(|t| t["id"] == 3),
        "{urgent}"
    );
    assert!(
        urgent
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["priority"] == "urgent")
    );
    // A terminal is shown 50 rows and told about the rest; JSON has every one.
    let csv: String = std::iter::once("title".to_string())
        .chain((0..60).map(|i| format!("Batch task {i}")))
        .collect::<Vec<_>>()
        .join("\n");
    let file = home.path().join("batch.csv");
    std::fs::write(&file, csv).unwrap();
    assert!(
        run(&["import", "tasks", file.to_str().unwrap()])
            .status
            .success()
    );
    let shown = String::from_utf8_lossy(&run(&["tasks", "list"]).stdout).into_owned();
    assert!(shown.contains("more — use --limit N or --all"), "{shown}");
    let rows = shown.lines().skip_while(|l| !l.starts_with("id ")).count() - 1;
    assert_eq!(rows, 50, "{shown}");
    assert!(
        json(&run(&["tasks", "list", "--json"]))
            .as_array()
            .unwrap()
            .len()
            > 60
    );
    let bad = run(&["tasks", "list", "--due-before", "someday"]);
    assert!(!bad.status.success() && stderr(&bad).contains("--due-before \"someday\""));
    assert!(stderr(&bad).contains("YYYY-MM-DD"));
}

#[test]
fn every_noun_command_has_help_with_examples() {
    let home = tempfile::tempdir().unwrap();
    for noun in ["tasks", "people", "data", "models"] {
        let out = maestro(home.path(), &[noun, "--help"]);
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && said.contains("Examples:"),
            "{noun}: {said}"
        );
        assert!(
            said.contains(&format!("maestro {noun}")) || noun == "data",
            "{noun}: {said}"
        );
    }
}

#[test]
fn predict_uses_the_production_version_unless_told_and_says_which() {
    let home = tempfile::tempdir().unwrap();
    let root = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let run = |args: &[&str]| maestro_in(root, home.path(), args);
    assert!(
        run(&["data", "add", "examples/data/iris.csv"])
            .status
            .success()
    );
    for _ in 0..2 {
        let trained = run(&[
            "automl", "iris", "--target", "target", "--budget", "1", "--folds", "2",
        ]);
        assert!(trained.status.success(), "{}", stderr(&trained));
    }
    let said = |args: &[&str]| {
        let out = run(args);
        assert!(out.status.success(), "{}", stderr(&out));
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let file = "examples/data/iris.csv";
    assert!(
        said(&["predict", "iris", file]).contains("iris version 2 (the latest; none is promoted)")
    );
    let promoted = run(&["ask", "promote iris version 1 to production"]);
    assert!(
        promoted.status.success(),
        "{}",
        String::from_utf8_lossy(&promoted.stdout)
    );
    assert!(said(&["predict", "iris", file]).contains("iris version 1 (production)"));
    assert!(said(&["predict", "iris@2", file]).contains("iris version 2 (asked for)"));
    let json_out = json(&run(&["predict", "iris@production", file, "--json"]));
    assert_eq!(json_out["classes"].as_array().map(Vec::len), Some(3));
    let missing = run(&["predict", "iris@staging", file]);
    assert!(!missing.status.success() && stderr(&missing).contains("no staging version"));
    let bad = run(&["predict", "iris@soon", file]);
    assert!(!bad.status.success() && stderr(&bad).contains("after @"));
    // Rows are named by the file's id column when it has one.
    let named = home.path().join("named.csv");
    let iris = std::fs::read_to_string(root.join(file)).unwrap();
    let rows: Vec<String> = iris
        .lines()
        .take(3)
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                format!("flower_id,{l}")
            } else {
                format!("F-{i},{l}")
            }
        })
        .collect();
    std::fs::write(&named, rows.join("\n")).unwrap();
    let table = said(&["predict", "iris", named.to_str().unwrap()]);
    assert!(
        table.contains("flower_id") && table.contains("F-2"),
        "{table}"
    );
}

#[test]
fn replies_are_wrapped_to_columns_when_asked_and_never_show_markup() {
    let home = demo_home();
    let out = maestro_llm(home.path(), &[("COLUMNS", "60")], &["ask", "help"]);
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("• create_task"), "{said}");
    assert!(said.lines().all(|l| l.chars().count() <= 60), "{said}");
    assert!(!said.contains("**") && !said.contains("## "), "{said}");
}

//! The REST API through a real HTTP client against a real server on
//! 127.0.0.1 over real SQLite files.

mod support;

use maestro_tools::Platform;
use maestro_tools::store::{Directory, Scope};
use reqwest::Method;
use serde_json::{Value, json};
use std::time::Duration;
use support::{clock, problem, send, serving_iris, start};

/// Two workspaces, each with a person and a task; returns their tokens and task ids.
async fn two_workspaces(s: &support::Server) -> ((String, i64), (String, i64)) {
    let a = s.workspace("acme", None, Scope::Write);
    let b = s.workspace("beta", None, Scope::Write);
    for (token, person) in [(&a, "Bob Smith"), (&b, "Carol Jones")] {
        let (status, _) = s
            .post(
                "/v1/people",
                token,
                json!({"name": person, "skills": ["ops"]}),
            )
            .await;
        assert_eq!(status, 201);
    }
    // Task numbers are per workspace: A's first one is gone, so A's task has
    // a number that B's workspace does not use.
    let (_, gone) = s.post("/v1/tasks", &a, json!({"title": "Scratch"})).await;
    let gone = gone["id"].as_i64().unwrap();
    let deleted = s
        .req(Method::DELETE, &format!("/v1/tasks/{gone}"), &a)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 200);
    let (status, ta) = s
        .post("/v1/tasks", &a, json!({"title": "Rotate the billing keys", "assignee": "Bob Smith", "project": "Billing"}))
        .await;
    assert_eq!(status, 201, "{ta}");
    let (_, tb) = s
        .post(
            "/v1/tasks",
            &b,
            json!({"title": "Water the plants", "project": "Office"}),
        )
        .await;
    (
        (a, ta["id"].as_i64().unwrap()),
        (b, tb["id"].as_i64().unwrap()),
    )
}

#[tokio::test]
async fn tokens_open_one_workspace_with_their_scope() {
    let s = start(|_| {}).await;
    let write = s.workspace("acme", None, Scope::Write);
    let read = s.token("acme", Scope::Read);
    let detail = problem(s.http.get(s.url("/v1/tasks")), 401).await;
    assert!(detail.contains("Bearer"), "{detail}");
    problem(s.req(Method::GET, "/v1/tasks", "mst_0000"), 401).await;
    problem(
        s.http
            .get(s.url("/v1/tasks"))
            .header("authorization", "Basic abc"),
        401,
    )
    .await;
    assert_eq!(s.get("/v1/tasks", &read).await.0, 200);
    let detail = problem(
        s.req(Method::POST, "/v1/tasks", &read)
            .json(&json!({"title": "x"})),
        403,
    )
    .await;
    assert!(detail.contains("write"), "{detail}");
    problem(
        s.req(Method::POST, "/v1/chat", &read)
            .json(&json!({"text": "help"})),
        403,
    )
    .await;
    assert_eq!(
        s.post("/v1/tasks", &write, json!({"title": "x"})).await.0,
        201
    );
    s.directory
        .revoke_token("acme", "t0", support::clock().now())
        .unwrap();
    problem(s.req(Method::GET, "/v1/tasks", &write), 401).await;
    let response = s.http.get(s.url("/v1/tasks")).send().await.unwrap();
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
}

#[tokio::test]
async fn no_endpoint_reaches_another_workspaces_objects() {
    let s = start(|_| {}).await;
    let ((a, task_a), (b, task_b)) = two_workspaces(&s).await;
    // Tasks: get, change, delete (through the resource and the tool) are 404s.
    let detail = problem(s.req(Method::GET, &format!("/v1/tasks/{task_a}"), &b), 404).await;
    assert_eq!(detail, format!("there is no task {task_a}"));
    problem(
        s.req(Method::PATCH, &format!("/v1/tasks/{task_a}"), &b)
            .json(&json!({"title": "pwned"})),
        404,
    )
    .await;
    problem(
        s.req(Method::DELETE, &format!("/v1/tasks/{task_a}"), &b),
        404,
    )
    .await;
    problem(
        s.req(Method::POST, "/v1/tools/delete_task?confirm=true", &b)
            .json(&json!({"id": task_a})),
        404,
    )
    .await;
    problem(
        s.req(Method::POST, "/v1/tools/update_task", &b)
            .json(&json!({"id": task_a, "title": "x"})),
        404,
    )
    .await;
    let (_, listed) = s.get("/v1/tasks", &b).await;
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["id"], task_b);
    // People and projects.
    problem(s.req(Method::GET, "/v1/people/Bob%20Smith", &b), 404).await;
    let (_, people) = s.get("/v1/people", &b).await;
    assert_eq!(
        people,
        json!([{"name": "Carol Jones", "email": null, "slack_id": null, "skills": ["ops"], "capacity": 40.0, "timezone": null}])
    );
    problem(s.req(Method::GET, "/v1/projects/Billing", &b), 404).await;
    assert_eq!(
        s.get("/v1/projects", &b).await.1,
        json!([{"name": "Office", "tasks": 1, "open_tasks": 1}])
    );
    // B cannot assign its task to A's person either.
    problem(
        s.req(Method::PATCH, &format!("/v1/tasks/{task_b}"), &b)
            .json(&json!({"assignee": "Bob Smith"})),
        422,
    )
    .await;
    // The catalog is per workspace: B's searches find nothing of A's.
    let kinds = |found: &Value| -> Vec<String> {
        found["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| format!("{} {}", e["kind"], e["payload"]))
            .collect()
    };
    let (status, found) = s
        .post(
            "/v1/tools/search_catalog",
            &b,
            json!({"query": "rotate billing keys"}),
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        !kinds(&found)
            .iter()
            .any(|k| k.contains("billing keys") || k.contains("Bob")),
        "{found}"
    );
    let (_, found) = s
        .post(
            "/v1/tools/search_catalog",
            &a,
            json!({"query": "rotate billing keys"}),
        )
        .await;
    assert!(
        kinds(&found)
            .iter()
            .any(|k| k.starts_with("\"task\"") && k.contains("Rotate the billing keys")),
        "{found}"
    );
    // Chat: B's turns neither see nor touch A's task.
    let (_, answer) = s
        .post("/v1/chat", &b, json!({"text": "list all tasks"}))
        .await;
    assert!(!answer.to_string().contains("billing"), "{answer}");
    let (_, answer) = s
        .post(
            "/v1/chat",
            &b,
            json!({"text": "delete the billing keys task", "session": "s"}),
        )
        .await;
    let (_, answer2) = s
        .post(
            "/v1/chat",
            &b,
            json!({"text": format!("delete task {task_a}"), "session": "s2"}),
        )
        .await;
    let (_, yes) = s
        .post("/v1/chat", &b, json!({"text": "yes", "session": "s2"}))
        .await;
    assert!(
        !answer.to_string().contains("Rotate the billing keys"),
        "{answer}"
    );
    assert!(
        !format!("{answer2}{yes}").contains("Rotate the billing keys"),
        "{answer2} {yes}"
    );
    assert_eq!(s.get(&format!("/v1/tasks/{task_a}"), &a).await.0, 200);
    // Sessions are per token: A's token cannot answer B's pending question.
    assert_eq!(s.get(&format!("/v1/tasks/{task_b}"), &b).await.0, 200);
}

#[tokio::test]
async fn datasets_and_models_stay_in_their_workspace() {
    let (_data, csv, s) = serving_iris().await;
    let ((a, _), (b, _)) = two_workspaces(&s).await;
    let (status, d) = s
        .post("/v1/datasets", &a, json!({"path": csv, "name": "iris"}))
        .await;
    assert_eq!(status, 201, "{d}");
    assert_eq!(
        (d["name"].clone(), d["version"].clone(), d["rows"].clone()),
        (json!("iris"), json!(1), json!(150))
    );
    let (status, m) = s
        .post(
            "/v1/tools/run_automl",
            &a,
            json!({"dataset": "iris", "target": "target", "budget_seconds": 2.0, "folds": 2}),
        )
        .await;
    assert_eq!(status, 200, "{m}");
    let model = m["data"]["model"].as_str().unwrap().to_string();
    assert_eq!(s.get(&format!("/v1/models/{model}"), &a).await.0, 200);
    // Predicting reads files under the roots only.
    let (status, p) = s
        .post(
            "/v1/tools/predict",
            &a,
            json!({"model": model, "path": csv}),
        )
        .await;
    assert_eq!(
        (status, p["data"]["predictions"].as_array().map(Vec::len)),
        (200, Some(150)),
        "{p}"
    );
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::copy(&csv, elsewhere.path().join("x.csv")).unwrap();
    let detail = problem(
        s.req(Method::POST, "/v1/tools/predict", &a)
            .json(&json!({"model": model, "path": elsewhere.path().join("x.csv")})),
        422,
    )
    .await;
    assert!(detail.contains("outside the directories"), "{detail}");
    assert_eq!(
        s.get("/v1/models?stage=none", &a)
            .await
            .1
            .as_array()
            .unwrap()
            .len(),
        1
    );
    // B sees none of it.
    problem(s.req(Method::GET, "/v1/datasets/iris", &b), 404).await;
    problem(s.req(Method::GET, &format!("/v1/models/{model}"), &b), 404).await;
    problem(
        s.req(Method::PATCH, &format!("/v1/models/{model}"), &b)
            .json(&json!({"stage": "production"})),
        404,
    )
    .await;
    problem(
        s.req(Method::DELETE, &format!("/v1/models/{model}"), &b),
        404,
    )
    .await;
    problem(
        s.req(Method::POST, "/v1/tools/predict", &b)
            .json(&json!({"model": model, "rows": [{"sepal_length": 5.0}]})),
        404,
    )
    .await;
    assert_eq!(s.get("/v1/datasets", &b).await.1, json!([]));
    assert_eq!(s.get("/v1/models", &b).await.1, json!([]));
    let (_, answer) = s
        .post("/v1/chat", &b, json!({"text": "list the models"}))
        .await;
    assert!(!answer.to_string().contains(&model), "{answer}");
    // A can change and delete its own.
    let (status, promoted) = send(
        s.req(Method::PATCH, &format!("/v1/models/{model}"), &a)
            .json(&json!({"stage": "production"})),
    )
    .await;
    assert_eq!(status, 200, "{promoted}");
    assert_eq!(
        s.get("/v1/models?stage=production", &a)
            .await
            .1
            .as_array()
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        send(s.req(Method::DELETE, &format!("/v1/models/{model}"), &a))
            .await
            .0,
        200
    );
    problem(s.req(Method::GET, &format!("/v1/models/{model}"), &a), 404).await;
}

#[tokio::test]
async fn remote_requests_read_files_only_under_the_data_roots() {
    let data = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let iris = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/data/iris.csv");
    std::fs::copy(iris, data.path().join("iris.csv")).unwrap();
    std::fs::copy(iris, outside.path().join("secret.csv")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(
        outside.path().join("secret.csv"),
        data.path().join("link.csv"),
    )
    .unwrap();
    // Unset: no file at all, and the error says what to set.
    let s = start(|_| {}).await;
    let t = s.workspace("acme", None, Scope::Write);
    let path = data.path().join("iris.csv");
    let detail = problem(
        s.req(Method::POST, "/v1/datasets", &t)
            .json(&json!({"path": path})),
        422,
    )
    .await;
    assert!(detail.contains("MAESTRO_DATA_ROOTS"), "{detail}");
    let (_, answer) = s
        .post(
            "/v1/chat",
            &t,
            json!({"text": format!("register the dataset {}", path.display())}),
        )
        .await;
    assert!(
        answer.to_string().contains("MAESTRO_DATA_ROOTS"),
        "{answer}"
    );
    // Set: inside is fine; `..`, symlinks and other places are not.
    let roots = Some(data.path().to_str().unwrap().to_string());
    let s =
        start(|c| c.files = maestro_tools::FileAccess::from_roots(roots.as_deref()).unwrap()).await;
    let t = s.workspace("acme", None, Scope::Write);
    assert_eq!(
        s.post("/v1/datasets", &t, json!({"path": path})).await.0,
        201
    );
    let escape = data
        .path()
        .join("..")
        .join(outside.path().file_name().unwrap())
        .join("secret.csv");
    // Outside the roots, a file that does not exist is refused exactly as one that does.
    for bad in [
        escape,
        outside.path().join("secret.csv"),
        outside.path().join("missing.csv"),
        data.path().join("link.csv"),
    ] {
        let detail = problem(
            s.req(Method::POST, "/v1/datasets", &t)
                .json(&json!({"path": bad})),
            422,
        )
        .await;
        assert!(detail.contains("outside the directories"), "{detail}");
        assert!(!detail.contains("No such file"), "{detail}");
    }
    let detail = problem(
        s.req(Method::POST, "/v1/datasets", &t)
            .json(&json!({"path": data.path().join("missing.csv")})),
        422,
    )
    .await;
    assert!(detail.contains("cannot read"), "{detail}");
    // A root configured through a symlink admits paths written through it.
    #[cfg(unix)]
    {
        let links = tempfile::tempdir().unwrap();
        let root = links.path().join("data");
        std::os::unix::fs::symlink(data.path(), &root).unwrap();
        let roots = Some(root.to_str().unwrap().to_string());
        let s =
            start(|c| c.files = maestro_tools::FileAccess::from_roots(roots.as_deref()).unwrap())
                .await;
        let t = s.workspace("acme", None, Scope::Write);
        let (status, body) = s
            .post("/v1/datasets", &t, json!({"path": root.join("iris.csv")}))
            .await;
        assert_eq!(status, 201, "{body}");
    }
}

#[tokio::test]
async fn listings_page_and_filter() {
    let s = start(|_| {}).await;
    let t = s.workspace("acme", None, Scope::Write);
    s.post("/v1/people", &t, json!({"name": "Bob Smith"})).await;
    for i in 0..5 {
        let assignee = if i % 2 == 0 {
            json!("Bob Smith")
        } else {
            Value::Null
        };
        let (status, _) = s
            .post("/v1/tasks", &t, json!({"title": format!("task {i}"), "assignee": assignee, "priority": if i == 4 { "urgent" } else { "low" }, "due": format!("2026-12-0{}", i + 1)}))
            .await;
        assert_eq!(status, 201);
    }
    let response = s
        .req(Method::GET, "/v1/tasks?limit=2", &t)
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-total-count"], "5");
    let link = response.headers()["link"].to_str().unwrap().to_string();
    assert_eq!(link, "</v1/tasks?limit=2&offset=2>; rel=\"next\"");
    let first: Vec<Value> = response.json().await.unwrap();
    assert_eq!(
        first.iter().map(|t| t["title"].clone()).collect::<Vec<_>>(),
        [json!("task 0"), json!("task 1")]
    );
    let (_, second) = s.get("/v1/tasks?limit=2&offset=2", &t).await;
    assert_eq!(second[0]["title"], "task 2");
    let last = s
        .req(Method::GET, "/v1/tasks?limit=2&offset=4", &t)
        .send()
        .await
        .unwrap();
    assert!(last.headers().get("link").is_none());
    let (_, bobs) = s.get("/v1/tasks?assignee=bob%20smith", &t).await;
    assert_eq!(bobs.as_array().unwrap().len(), 3);
    let (_, urgent) = s.get("/v1/tasks?priority=urgent", &t).await;
    assert_eq!(urgent[0]["title"], "task 4");
    let (_, due) = s.get("/v1/tasks?due_before=2026-12-02", &t).await;
    assert_eq!(due.as_array().unwrap().len(), 2);
    // Task JSON exactly as `maestro tasks list --json`.
    let keys: Vec<&String> = first[0].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "assignee",
            "completed_at",
            "created_at",
            "description",
            "due",
            "estimate_hours",
            "id",
            "priority",
            "project",
            "status",
            "tags",
            "title",
            "updated_at"
        ]
    );
    for bad in [
        "/v1/tasks?status=later",
        "/v1/tasks?limit=0",
        "/v1/tasks?colour=red",
        "/v1/tasks?due_before=friday",
        "/v1/tasks?limit=x",
    ] {
        problem(s.req(Method::GET, bad, &t), 400).await;
    }
    // An offset near the integer limit is refused, never wrapped back to page one.
    let detail = problem(
        s.req(
            Method::GET,
            "/v1/tasks?limit=2&offset=18446744073709551615",
            &t,
        ),
        422,
    )
    .await;
    assert!(detail.contains("offset must be at most"), "{detail}");
}

#[tokio::test]
async fn every_error_is_problem_json() {
    let s = start(|c| c.body_limit = 4096).await;
    let t = s.workspace("acme", None, Scope::Write);
    let detail = problem(s.req(Method::GET, "/v2/nothing", &t), 404).await;
    assert!(detail.contains("/openapi.json"), "{detail}");
    problem(s.req(Method::PUT, "/v1/tasks", &t), 405).await;
    problem(
        s.req(Method::POST, "/v1/tasks", &t)
            .header("content-type", "application/json")
            .body("{not json"),
        400,
    )
    .await;
    problem(s.req(Method::POST, "/v1/tasks", &t).body("{}"), 415).await;
    problem(
        s.req(Method::POST, "/v1/tasks", &t)
            .json(&json!(["a list"])),
        422,
    )
    .await;
    problem(s.req(Method::GET, "/v1/tasks/seven", &t), 400).await;
    let big = json!({"title": "x".repeat(10_000)});
    problem(s.req(Method::POST, "/v1/tasks", &t).json(&big), 413).await;
    problem(
        s.req(Method::POST, "/v1/chat", &t)
            .json(&json!({"text": "x".repeat(5000)})),
        413,
    )
    .await;
    problem(
        s.req(Method::POST, "/v1/chat", &t)
            .json(&json!({"text": "  "})),
        422,
    )
    .await;
    problem(
        s.req(Method::POST, "/v1/chat", &t)
            .json(&json!({"txt": "help"})),
        422,
    )
    .await;
    assert_eq!(s.get("/v1/tasks", &t).await.1, json!([]));
}

#[tokio::test]
async fn chat_answers_as_json_or_events_and_asks_before_deleting() {
    let s = start(|_| {}).await;
    let t = s.workspace("acme", None, Scope::Write);
    s.post("/v1/people", &t, json!({"name": "Bob Smith"})).await;
    let (status, answer) = s
        .post(
            "/v1/chat",
            &t,
            json!({"text": "create a task for Bob to update the runbook", "as": "bob"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(answer["actions"][0]["tool"], "create_task");
    assert_eq!(answer["actions"][0]["status"], "ok");
    assert_eq!(answer["actions"][0]["result"]["assignee"], "Bob Smith");
    assert!(
        answer["reply"]
            .as_str()
            .unwrap()
            .contains("update the runbook")
    );
    assert!(answer["session"].is_string());
    let id = answer["actions"][0]["result"]["id"].as_i64().unwrap();
    let (_, mine) = s
        .post(
            "/v1/chat",
            &t,
            json!({"text": "list my tasks", "as": "Bob Smith"}),
        )
        .await;
    assert_eq!(mine["actions"][0]["result"][0]["id"], id, "{mine}");
    problem(
        s.req(Method::POST, "/v1/chat", &t)
            .json(&json!({"text": "list my tasks", "as": "Zed"})),
        422,
    )
    .await;
    // A destructive request waits for a yes in the same session; a newer
    // one replaces it, and a "yes" naming the replaced one changes nothing.
    let (_, spare) = s.post("/v1/tasks", &t, json!({"title": "Spare"})).await;
    let spare = spare["id"].as_i64().unwrap();
    let (_, replaced) = s
        .post(
            "/v1/chat",
            &t,
            json!({"text": format!("delete task {spare}"), "session": "one"}),
        )
        .await;
    let (_, asked) = s
        .post(
            "/v1/chat",
            &t,
            json!({"text": format!("delete task {id}"), "session": "one"}),
        )
        .await;
    assert_eq!(asked["actions"][0]["status"], "needs_confirmation");
    assert_eq!(s.get(&format!("/v1/tasks/{id}"), &t).await.0, 200);
    let (_, stale) = s
        .post(
            "/v1/chat",
            &t,
            json!({"text": "yes", "session": "one", "confirmation": replaced["actions"][0]["confirmation"]}),
        )
        .await;
    assert!(stale["actions"].as_array().unwrap().is_empty(), "{stale}");
    assert!(
        stale["reply"]
            .as_str()
            .unwrap()
            .contains("no longer waiting")
    );
    for task in [spare, id] {
        assert_eq!(s.get(&format!("/v1/tasks/{task}"), &t).await.0, 200);
    }
    let (_, elsewhere) = s
        .post("/v1/chat", &t, json!({"text": "yes", "session": "two"}))
        .await;
    assert!(
        elsewhere["actions"].as_array().unwrap().is_empty(),
        "{elsewhere}"
    );
    assert_eq!(s.get(&format!("/v1/tasks/{id}"), &t).await.0, 200);
    let (_, done) = s
        .post(
            "/v1/chat",
            &t,
            json!({"text": "yes", "session": "one", "confirmation": asked["actions"][0]["confirmation"]}),
        )
        .await;
    assert_eq!(done["actions"][0]["tool"], "delete_task");
    assert_eq!(done["actions"][0]["status"], "ok");
    assert_eq!(s.get(&format!("/v1/tasks/{id}"), &t).await.0, 404);
    assert_eq!(s.get(&format!("/v1/tasks/{spare}"), &t).await.0, 200);
    // Server-sent events.
    let response = s
        .req(Method::POST, "/v1/chat", &t)
        .header("accept", "text/event-stream")
        .json(&json!({"text": "list tasks", "session": "sse"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["content-type"], "text/event-stream");
    let body = response.text().await.unwrap();
    let names: Vec<&str> = body
        .lines()
        .filter_map(|l| l.strip_prefix("event: "))
        .collect();
    assert_eq!(names.first(), Some(&"started"), "{body}");
    assert!(
        names.contains(&"action") && names.contains(&"reply"),
        "{body}"
    );
    assert_eq!(names.last(), Some(&"done"));
    assert!(body.contains("data: {\"session\":\"sse\"}"), "{body}");
}

#[tokio::test]
async fn tools_are_called_with_checked_arguments() {
    let s = start(|_| {}).await;
    let t = s.workspace("acme", None, Scope::Write);
    let read = s.token("acme", Scope::Read);
    let (_, tools) = s.get("/v1/tools", &read).await;
    let create = tools
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "create_task")
        .unwrap();
    assert!(create["schema"]["properties"]["title"].is_object());
    let detail = problem(
        s.req(Method::POST, "/v1/tools/create_task", &t)
            .json(&json!({"titel": "x"})),
        422,
    )
    .await;
    assert!(detail.contains("titel"), "{detail}");
    let detail = problem(
        s.req(Method::POST, "/v1/tools/create_task", &t)
            .json(&json!({"title": 3})),
        422,
    )
    .await;
    assert!(detail.contains("`title`"), "{detail}");
    problem(
        s.req(Method::POST, "/v1/tools/create_task", &t)
            .body("{oops"),
        400,
    )
    .await;
    problem(s.req(Method::POST, "/v1/tools/launch_rockets", &t), 404).await;
    problem(
        s.req(Method::POST, "/v1/tools/create_task", &read)
            .json(&json!({"title": "x"})),
        403,
    )
    .await;
    let (status, out) = s
        .post(
            "/v1/tools/create_task",
            &t,
            json!({"title": "Renew the certificate"}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(out["data"]["title"], "Renew the certificate");
    assert!(out["summary"].as_str().unwrap().starts_with("Created"));
    let id = out["data"]["id"].clone();
    assert_eq!(
        s.post("/v1/tools/list_tasks", &read, json!({})).await.1["data"][0]["id"],
        id
    );
    let detail = problem(
        s.req(Method::POST, "/v1/tools/delete_task", &t)
            .json(&json!({"id": id})),
        409,
    )
    .await;
    assert!(detail.contains("confirm=true"), "{detail}");
    assert_eq!(
        s.post("/v1/tools/delete_task?confirm=true", &t, json!({"id": id}))
            .await
            .0,
        200
    );
    assert_eq!(
        s.post("/v1/tools/list_tasks", &read, json!({})).await.1["data"],
        json!([])
    );
    // A bulk change to more than one task waits for ?confirm=true; to one, it runs.
    for title in ["Patch the kernel", "Patch the VPN"] {
        s.post(
            "/v1/tools/create_task",
            &t,
            json!({"title": title, "tags": ["ops"]}),
        )
        .await;
    }
    let bulk = json!({"filter": {"tag": "ops"}, "changes": {"priority": "urgent"}});
    let detail = problem(
        s.req(Method::POST, "/v1/tools/update_tasks", &t)
            .json(&bulk),
        409,
    )
    .await;
    assert!(
        detail.contains("2 tasks") && detail.contains("confirm=true"),
        "{detail}"
    );
    let urgent = json!({"priority": "urgent"});
    assert_eq!(
        s.post("/v1/tools/list_tasks", &read, urgent.clone())
            .await
            .1["data"],
        json!([]),
        "nothing changed before the confirmation"
    );
    let (status, out) = s
        .post("/v1/tools/update_tasks?confirm=true", &t, bulk)
        .await;
    assert_eq!(status, 200, "{out}");
    assert_eq!(
        s.post("/v1/tools/list_tasks", &read, urgent).await.1["data"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
}

#[tokio::test]
async fn openapi_health_and_metrics_describe_the_server() {
    let s = start(|_| {}).await;
    let t = s.workspace("acme", None, Scope::Read);
    assert_eq!(
        send(s.http.get(s.url("/healthz"))).await,
        (200, json!({"status": "ok"}))
    );
    let (status, doc) = send(s.http.get(s.url("/openapi.json"))).await;
    assert_eq!(status, 200);
    assert_eq!(doc["openapi"], "3.1.0");
    for (path, method) in [
        ("/v1/tasks/{id}", "patch"),
        ("/v1/tasks/{id}", "delete"),
        ("/v1/chat", "post"),
        ("/slack/events", "post"),
        ("/v1/models/{name}", "delete"),
    ] {
        assert!(doc["paths"][path][method].is_object(), "{path} {method}");
    }
    assert_eq!(
        doc["paths"]["/v1/tasks"]["get"]["security"],
        json!([{"bearer": ["read"]}])
    );
    assert!(doc["components"]["schemas"]["tool.create_task"]["properties"]["title"].is_object());
    // Every reference resolves inside the document.
    let text = doc.to_string();
    for reference in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = reference.split('"').next().unwrap();
        assert!(doc["components"]["schemas"][name].is_object(), "{name}");
    }
    assert!(!text.contains("#/$defs/"));
    s.get("/v1/tasks", &t).await;
    s.get("/v1/tasks/12", &t).await;
    s.get("/v1/tasks", "mst_bad").await;
    let metrics = metrics_text(&s).await;
    assert!(
        metrics.contains(
            "maestro_http_requests_total{method=\"GET\",route=\"/v1/tasks\",status=\"200\"} 1"
        ),
        "{metrics}"
    );
    assert!(metrics.contains(
        "maestro_http_requests_total{method=\"GET\",route=\"/v1/tasks\",status=\"401\"} 1"
    ));
    assert!(metrics.contains(
        "maestro_http_requests_total{method=\"GET\",route=\"/v1/tasks/{id}\",status=\"404\"} 1"
    ));
    assert!(metrics.contains("maestro_http_request_duration_seconds_count{route=\"/v1/tasks\"} 2"));
    // Made-up methods count as one label, not one each.
    for n in 0..20 {
        let method = Method::from_bytes(format!("BREW{n}").as_bytes()).unwrap();
        s.req(method, "/v1/tasks", &t).send().await.unwrap();
    }
    let metrics = metrics_text(&s).await;
    assert!(!metrics.contains("BREW"), "{metrics}");
    assert!(
        metrics.contains(
            "maestro_http_requests_total{method=\"other\",route=\"/v1/tasks\",status=\"405\"} 20"
        ),
        "{metrics}"
    );
}

async fn metrics_text(s: &support::Server) -> String {
    s.http
        .get(s.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn shutting_down_finishes_the_request_in_flight() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut s = start(|_| {}).await;
    let t = s.workspace("acme", None, Scope::Write);
    let body = json!({"title": "Finish me"}).to_string();
    let mut stream = tokio::net::TcpStream::connect(s.base.trim_start_matches("http://"))
        .await
        .unwrap();
    let head = format!(
        "POST /v1/tasks HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {t}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&body.as_bytes()[..5]).await.unwrap();
    // Wait until the server is serving it (the scrape itself is the other one in flight).
    loop {
        let m = metrics_text(&s).await;
        if m.contains("maestro_http_requests_in_flight 2") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    s.signal_stop();
    stream.write_all(&body.as_bytes()[5..]).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    assert!(answer.contains("Finish me"));
    s.stopped().await;
    assert!(s.http.get(s.url("/healthz")).send().await.is_err());
}

#[tokio::test]
async fn a_tokens_conversations_are_its_own_and_end_with_it() {
    let s = start(|_| {}).await;
    s.workspace("acme", None, Scope::Write);
    let make = |name: &str| {
        s.directory
            .create_token("acme", name, Scope::Write, support::clock().now())
            .unwrap()
            .0
    };
    let (_, task) = s
        .post(
            "/v1/tasks",
            &make("seed"),
            json!({"title": "Rotate the keys"}),
        )
        .await;
    let id = task["id"].as_i64().unwrap();
    let ci = make("ci");
    let (_, asked) = s
        .post(
            "/v1/chat",
            &ci,
            json!({"text": format!("delete task {id}"), "session": "x:s1"}),
        )
        .await;
    assert_eq!(asked["actions"][0]["status"], "needs_confirmation");
    // A token whose name and session spell the same joined text is another conversation.
    let (_, other) = s
        .post(
            "/v1/chat",
            &make("ci:x"),
            json!({"text": "yes", "session": "s1"}),
        )
        .await;
    assert!(other["actions"].as_array().unwrap().is_empty(), "{other}");
    // A new token given a revoked token's name starts afresh.
    s.directory
        .revoke_token("acme", "ci", support::clock().now())
        .unwrap();
    let (_, again) = s
        .post(
            "/v1/chat",
            &make("ci"),
            json!({"text": "yes", "session": "x:s1"}),
        )
        .await;
    assert!(again["actions"].as_array().unwrap().is_empty(), "{again}");
    assert_eq!(
        s.get(&format!("/v1/tasks/{id}"), &make("check")).await.0,
        200
    );
}

#[tokio::test]
async fn a_broken_store_fails_health_and_errors_carry_a_request_id() {
    let s = start(|_| {}).await;
    let t = s.workspace("acme", None, Scope::Write);
    assert_eq!(s.post("/v1/tasks", &t, json!({"title": "x"})).await.0, 201);
    let ok = s.http.get(s.url("/healthz")).send().await.unwrap();
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.headers()["x-request-id"].len(), 16);
    // The database file is overwritten under the running server.
    let db = s.home.path().join("maestro.db");
    let size = std::fs::metadata(&db).unwrap().len() as usize;
    std::fs::write(&db, vec![0x5a; size.max(8192)]).unwrap();
    for journal in ["maestro.db-wal", "maestro.db-shm"] {
        let path = s.home.path().join(journal);
        if path.exists() {
            let len = std::fs::metadata(&path).unwrap().len() as usize;
            std::fs::write(&path, vec![0x5a; len]).unwrap();
        }
    }
    let detail = problem(s.http.get(s.url("/healthz")), 503).await;
    assert!(detail.contains("cannot be read"), "{detail}");
    let response = s
        .req(Method::GET, "/v1/tasks", &t)
        .header("x-request-id", "report-42")
        .send()
        .await
        .unwrap();
    assert!(response.status().is_server_error(), "{}", response.status());
    assert_eq!(response.headers()["x-request-id"], "report-42");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["request_id"], "report-42", "{body}");
}

/// Reads until the server closes the connection (or `wait` passes); returns
/// what it sent and whether it closed.
async fn read_until_closed(stream: &mut tokio::net::TcpStream, wait: Duration) -> (String, bool) {
    use tokio::io::AsyncReadExt;
    let mut seen = Vec::new();
    let mut buf = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return (String::from_utf8_lossy(&seen).into(), true),
            Ok(Ok(n)) => seen.extend_from_slice(&buf[..n]),
            Err(_) => return (String::from_utf8_lossy(&seen).into(), false),
        }
    }
}

#[tokio::test]
async fn slow_and_idle_connections_are_closed_and_extra_ones_refused() {
    use tokio::io::AsyncWriteExt;
    let s = start(|c| {
        c.connections = maestro_server::Connections {
            max: 2,
            header_timeout: Duration::from_millis(500),
        }
    })
    .await;
    let addr = s.base.trim_start_matches("http://").to_string();
    let connect = || tokio::net::TcpStream::connect(addr.clone());
    // Headers that never end, and a connection that never speaks: both closed.
    let mut slow = connect().await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n")
        .await
        .unwrap();
    let mut silent = connect().await.unwrap();
    // Meanwhile a third connection is beyond the limit: a 503 problem, then closed.
    let mut extra = connect().await.unwrap();
    extra
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n")
        .await
        .unwrap();
    let (answer, closed) = read_until_closed(&mut extra, Duration::from_secs(5)).await;
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    assert!(
        answer.contains("application/problem+json") && answer.contains("limit of 2 connections")
    );
    assert!(closed);
    for stream in [&mut slow, &mut silent] {
        let (_, closed) = read_until_closed(stream, Duration::from_secs(5)).await;
        assert!(
            closed,
            "the server hangs up on a connection that sends no request in time"
        );
    }
    // Their places are free again.
    assert_eq!(
        s.http.get(s.url("/healthz")).send().await.unwrap().status(),
        200
    );
}

#[tokio::test]
async fn people_are_found_as_chat_finds_them_and_every_read_is_audited() {
    let s = start(|_| {}).await;
    let t = s.workspace("acme", None, Scope::Write);
    for name in ["Bob Smith", "Carol Jones", "Carol King"] {
        s.post("/v1/people", &t, json!({"name": name})).await;
    }
    // A first name only one person has is that person, as in chat ("assign it to bob").
    let (status, bob) = s.get("/v1/people/bob", &t).await;
    assert_eq!((status, bob["name"].as_str()), (200, Some("Bob Smith")));
    // Two Carols: not a guess, a 404 that names both.
    let detail = problem(s.req(Method::GET, "/v1/people/carol", &t), 404).await;
    assert!(
        detail.contains("Carol Jones") && detail.contains("Carol King"),
        "{detail}"
    );
    s.post(
        "/v1/tasks",
        &t,
        json!({"title": "Cut the release", "project": "Platform"}),
    )
    .await;
    let (status, project) = s.get("/v1/projects/platform", &t).await;
    assert_eq!(status, 200);
    assert_eq!(
        (project["tasks"].as_u64(), project["open_tasks"].as_u64()),
        (Some(1), Some(1))
    );
    // Reads are in the audit log beside the changes, with the token that made them.
    let platform = Platform::open(s.home.path(), "acme", clock()).unwrap();
    let log = platform.lookup(None).audit_log(10).unwrap();
    let reads: Vec<(&str, &str, Option<&str>)> = log
        .iter()
        .filter(|r| r.tool.starts_with("query."))
        .map(|r| (r.tool.as_str(), r.status.as_str(), r.actor.as_deref()))
        .collect();
    assert_eq!(
        reads,
        [
            ("query.project", "ok", Some("token:t0")),
            ("query.person", "error", Some("token:t0")),
            ("query.person", "ok", Some("token:t0")),
        ]
    );
}

/// `schema` with its `$ref` and `allOf` parts resolved and merged into one
/// (JSON Schema 2020-12 lets `$ref` stand beside other keywords).
fn merged(doc: &Value, schema: &Value) -> Value {
    let mut out = schema.clone();
    let Some(object) = out.as_object_mut() else {
        return out;
    };
    let mut parts: Vec<Value> = object
        .remove("allOf")
        .and_then(|a| a.as_array().cloned())
        .unwrap_or_default();
    if let Some(r) = object.remove("$ref") {
        let name = r
            .as_str()
            .unwrap()
            .trim_start_matches("#/components/schemas/");
        let target = &doc["components"]["schemas"][name];
        assert!(target.is_object(), "{r} is not in the document");
        parts.push(target.clone());
    }
    for part in parts {
        let part = merged(doc, &part);
        for (key, v) in part.as_object().unwrap() {
            match (key.as_str(), out.get_mut(key)) {
                ("properties", Some(Value::Object(mine))) => {
                    mine.extend(v.as_object().unwrap().clone());
                }
                ("required", Some(Value::Array(mine))) => {
                    mine.extend(v.as_array().unwrap().clone())
                }
                (_, Some(_)) => {}
                (_, None) => {
                    out[key] = v.clone();
                }
            }
        }
    }
    out
}

/// Whether `value` fits `schema` of the OpenAPI `doc`: every field it carries
/// is a property of its schema (and of the right type), every required one is there.
fn fits(doc: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    let schema = &merged(doc, schema);
    for key in ["anyOf", "oneOf"] {
        if let Some(options) = schema[key].as_array() {
            let errors: Vec<String> = options
                .iter()
                .filter_map(|o| fits(doc, o, value, at).err())
                .collect();
            return if errors.len() < options.len() {
                Ok(())
            } else {
                Err(errors.join(" / "))
            };
        }
    }
    if let Some(options) = schema["enum"].as_array()
        && !options.contains(value)
    {
        return Err(format!("{at}: {value} is not one of {options:?}"));
    }
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    let typed = types.is_empty()
        || types.contains(&kind)
        || (kind == "integer" && types.contains(&"number"));
    if !typed {
        return Err(format!("{at}: a {kind} where the schema says {types:?}"));
    }
    match value {
        Value::Object(fields) if schema["properties"].is_object() => {
            for (key, v) in fields {
                let Some(property) = schema["properties"].get(key) else {
                    return Err(format!("{at}.{key} is not in the schema"));
                };
                fits(doc, property, v, &format!("{at}.{key}"))?;
            }
            for required in schema["required"].as_array().into_iter().flatten() {
                let key = required.as_str().unwrap();
                if !fields.contains_key(key) {
                    return Err(format!("{at}.{key} is required but missing"));
                }
            }
            Ok(())
        }
        Value::Array(items) if schema["items"].is_object() => items
            .iter()
            .enumerate()
            .try_for_each(|(i, v)| fits(doc, &schema["items"], v, &format!("{at}[{i}]"))),
        _ => Ok(()),
    }
}

/// The answer to `method path` (the route `template`), checked against the
/// schema the document gives for `status`.
async fn conforms(
    s: &support::Server,
    doc: &Value,
    token: &str,
    (method, path, template): (Method, &str, &str),
    body: Option<Value>,
    status: u16,
) -> Value {
    let mut request = s.req(method.clone(), path, token);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let (got, value) = send(request).await;
    assert_eq!(got, status, "{method} {path}: {value}");
    let operation = &doc["paths"][template][method.as_str().to_lowercase()];
    let schema =
        &operation["responses"][status.to_string()]["content"]["application/json"]["schema"];
    assert!(schema.is_object(), "{method} {template} documents {status}");
    if let Err(e) = fits(doc, schema, &value, path) {
        let shown: String = value.to_string().chars().take(600).collect();
        panic!("{method} {path}: {e}\n{shown}");
    }
    value
}

#[tokio::test]
async fn every_field_a_response_carries_is_in_its_schema() {
    let (_data, csv, s) = serving_iris().await;
    let t = s.workspace("acme", None, Scope::Write);
    let (_, doc) = send(s.http.get(s.url("/openapi.json"))).await;
    let task = json!({"title": "Cut the release", "project": "Platform", "assignee": "Bob Smith", "due": "2026-12-01", "tags": ["ops"], "estimate_hours": 2});
    let automl = json!({"dataset": "iris", "target": "target", "budget_seconds": 1.0, "folds": 2});
    let calls: Vec<(Method, &str, &str, Option<Value>, u16)> = vec![
        (
            Method::POST,
            "/v1/people",
            "/v1/people",
            Some(json!({"name": "Bob Smith", "email": "bob@acme.io", "skills": ["ops"]})),
            201,
        ),
        (Method::POST, "/v1/tasks", "/v1/tasks", Some(task), 201),
        (Method::GET, "/v1/tasks", "/v1/tasks", None, 200),
        (Method::GET, "/v1/tasks/1", "/v1/tasks/{id}", None, 200),
        (
            Method::PATCH,
            "/v1/tasks/1",
            "/v1/tasks/{id}",
            Some(json!({"status": "done"})),
            200,
        ),
        (
            Method::POST,
            "/v1/recurring",
            "/v1/recurring",
            Some(
                json!({"title": "Back up", "rule": "FREQ=WEEKLY;BYDAY=FR;BYHOUR=17", "assignee": "Bob Smith", "tags": ["ops"]}),
            ),
            201,
        ),
        (Method::GET, "/v1/recurring", "/v1/recurring", None, 200),
        (
            Method::PATCH,
            "/v1/recurring/1",
            "/v1/recurring/{id}",
            Some(json!({"active": false})),
            200,
        ),
        (
            Method::DELETE,
            "/v1/recurring/1",
            "/v1/recurring/{id}",
            None,
            200,
        ),
        (
            Method::POST,
            "/v1/reminders",
            "/v1/reminders",
            Some(
                json!({"text": "call the broker", "at": "2026-11-27T15:00", "person": "Bob Smith"}),
            ),
            201,
        ),
        (Method::GET, "/v1/reminders", "/v1/reminders", None, 200),
        (
            Method::DELETE,
            "/v1/reminders/1",
            "/v1/reminders/{id}",
            None,
            200,
        ),
        (
            Method::GET,
            "/v1/digest/bob",
            "/v1/digest/{person}",
            None,
            200,
        ),
        (Method::GET, "/v1/outbox", "/v1/outbox", None, 200),
        (Method::GET, "/v1/people", "/v1/people", None, 200),
        (
            Method::GET,
            "/v1/people/bob",
            "/v1/people/{name}",
            None,
            200,
        ),
        (Method::GET, "/v1/projects", "/v1/projects", None, 200),
        (
            Method::GET,
            "/v1/projects/platform",
            "/v1/projects/{name}",
            None,
            200,
        ),
        (Method::GET, "/v1/tools", "/v1/tools", None, 200),
        (
            Method::POST,
            "/v1/tools/workload_report",
            "/v1/tools/{name}",
            Some(json!({})),
            200,
        ),
        (
            Method::POST,
            "/v1/datasets",
            "/v1/datasets",
            Some(json!({"path": csv, "name": "iris"})),
            201,
        ),
        (Method::GET, "/v1/datasets", "/v1/datasets", None, 200),
        (
            Method::GET,
            "/v1/datasets/iris",
            "/v1/datasets/{name}",
            None,
            200,
        ),
        (
            Method::POST,
            "/v1/tools/run_automl",
            "/v1/tools/{name}",
            Some(automl),
            200,
        ),
        (Method::GET, "/v1/models", "/v1/models", None, 200),
        (
            Method::POST,
            "/v1/chat",
            "/v1/chat",
            Some(json!({"text": "delete task 1"})),
            200,
        ),
        (Method::GET, "/healthz", "/healthz", None, 200),
    ];
    let mut model = None;
    for (method, path, template, body, status) in calls {
        let value = conforms(&s, &doc, &t, (method, path, template), body, status).await;
        model = model.or(value["data"]["model"].as_str().map(str::to_string));
    }
    let path = format!("/v1/models/{}", model.unwrap());
    conforms(
        &s,
        &doc,
        &t,
        (Method::GET, &path, "/v1/models/{name}"),
        None,
        200,
    )
    .await;
    // Problems too.
    let (got, value) = send(s.req(Method::GET, "/v1/tasks/99", &t)).await;
    assert_eq!(got, 404);
    let schema = json!({"$ref": "#/components/schemas/Problem"});
    fits(&doc, &schema, &value, "problem").unwrap();
    // And the checker does tell: a field the schema lacks is caught.
    let mut extra = value.clone();
    extra["colour"] = json!("red");
    assert!(fits(&doc, &schema, &extra, "problem").is_err());
}

#[tokio::test]
async fn every_route_enforces_the_scope_its_document_declares_before_reading_the_request() {
    let s = start(|_| {}).await;
    let read = s.workspace("acme", None, Scope::Read);
    let (_, doc) = send(s.http.get(s.url("/openapi.json"))).await;
    let mut checked = 0;
    for (template, methods) in doc["paths"].as_object().unwrap() {
        let path = template.replace("{id}", "1").replace("{name}", "x");
        for (method, operation) in methods.as_object().unwrap() {
            let Some(scope) = operation["security"][0]["bearer"][0].as_str() else {
                continue;
            };
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            // No token, or a malformed body: the token is judged first.
            let anonymous = s.http.request(method.clone(), s.url(&path)).body("{");
            problem(anonymous, 401).await;
            let with_read = s.req(method.clone(), &path, &read).body("{");
            if scope == "write" {
                let detail = problem(with_read, 403).await;
                assert!(
                    detail.contains("--scope write"),
                    "{method} {path}: {detail}"
                );
            } else {
                let (status, _) = send(with_read).await;
                assert_ne!(status, 403, "{method} {path} is a read");
            }
            checked += 1;
        }
    }
    assert!(checked >= 20, "{checked} routes declare a scope");
}

#[tokio::test]
async fn chat_changes_are_audited_as_the_token_unless_a_person_speaks() {
    let s = start(|_| {}).await;
    let t = s.workspace("acme", None, Scope::Write);
    s.post("/v1/people", &t, json!({"name": "Bob Smith"})).await;
    for body in [
        json!({"text": "create a task to renew the certificates"}),
        json!({"text": "create a task to water the plants", "as": "Bob"}),
    ] {
        let (status, answer) = s.post("/v1/chat", &t, body).await;
        assert_eq!(status, 200, "{answer}");
    }
    let platform = Platform::open(s.home.path(), "acme", clock()).unwrap();
    let log = platform.lookup(None).audit_log(20).unwrap();
    let creators: Vec<Option<&str>> = log
        .iter()
        .rev()
        .filter(|r| r.tool == "create_task")
        .map(|r| r.actor.as_deref())
        .collect();
    assert_eq!(creators, [Some("token:t0"), Some("Bob Smith")]);
}

#[tokio::test]
async fn a_csv_body_uploads_as_a_dataset_version() {
    let s = start(|_| {}).await;
    let t = s.workspace("acme", None, Scope::Write);
    let upload = |body: Vec<u8>, kind: &'static str| {
        s.req(
            Method::PUT,
            "/v1/datasets/sales?description=monthly+sales",
            &t,
        )
        .header("content-type", kind)
        .body(body)
    };
    let detail = problem(upload(b"a,b\n1,2\n".to_vec(), "application/json"), 415).await;
    assert!(detail.contains("text/csv"), "{detail}");
    // Larger than the 1 MiB limit of other bodies.
    let mut csv = String::from("region,amount\n");
    let mut n = 0;
    while csv.len() < 2 << 20 {
        csv.push_str(&format!("r{},{}\n", n % 7, n));
        n += 1;
    }
    let (status, first) = send(upload(csv.clone().into_bytes(), "text/csv; charset=utf-8")).await;
    assert_eq!(status, 201, "{first}");
    assert_eq!(
        (first["name"].as_str(), first["version"].as_u64()),
        (Some("sales"), Some(1))
    );
    assert_eq!(first["rows"].as_u64(), Some(n));
    assert_eq!(first["description"], "monthly sales");
    let (_, again) = send(upload(csv.clone().into_bytes(), "text/csv")).await;
    assert_eq!(
        again["version"].as_u64(),
        Some(1),
        "the same content is the same version"
    );
    csv.push_str("r1,5\n");
    let (_, changed) = send(upload(csv.into_bytes(), "text/csv")).await;
    assert_eq!(changed["version"].as_u64(), Some(2));
    let read = s.token("acme", Scope::Read);
    let refused = s
        .req(Method::PUT, "/v1/datasets/sales", &read)
        .header("content-type", "text/csv")
        .body("a\n1\n");
    problem(refused, 403).await;
}

#[tokio::test]
async fn a_tool_call_streams_its_progress_then_its_result() {
    let (_data, csv, s) = serving_iris().await;
    let t = s.workspace("acme", None, Scope::Write);
    let (status, _) = s
        .post("/v1/datasets", &t, json!({"path": csv, "name": "iris"}))
        .await;
    assert_eq!(status, 201);
    let stream = |tool: &str, args: Value| {
        let request = s
            .req(Method::POST, &format!("/v1/tools/{tool}"), &t)
            .header("accept", "text/event-stream")
            .json(&args);
        async move { request.send().await.unwrap().text().await.unwrap() }
    };
    let events = stream(
        "run_automl",
        json!({"dataset": "iris", "target": "target", "budget_seconds": 2}),
    )
    .await;
    let names: Vec<&str> = events
        .lines()
        .filter_map(|l| l.strip_prefix("event: "))
        .collect();
    assert!(
        names.iter().filter(|n| **n == "progress").count() >= 2,
        "{events}"
    );
    assert_eq!(names[names.len() - 2..], ["result", "done"], "{events}");
    let result = events
        .lines()
        .skip_while(|l| *l != "event: result")
        .nth(1)
        .and_then(|l| l.strip_prefix("data: "))
        .unwrap();
    let out: Value = serde_json::from_str(result).unwrap();
    assert_eq!(out["data"]["model"], "iris", "{out}");
    let failed = stream("run_automl", json!({"dataset": "nope", "target": "target"})).await;
    assert!(
        failed.contains("event: error") && failed.contains("nope"),
        "{failed}"
    );
}

#[tokio::test]
async fn a_client_that_leaves_a_streamed_automl_stops_it_with_the_best_model_kept() {
    let (_data, csv, s) = serving_iris().await;
    let t = s.workspace("acme", None, Scope::Write);
    s.post("/v1/datasets", &t, json!({"path": csv, "name": "iris"}))
        .await;
    let mut response = s
        .req(Method::POST, "/v1/tools/run_automl", &t)
        .header("accept", "text/event-stream")
        .json(&json!({"dataset": "iris", "target": "target", "budget_seconds": 120}))
        .send()
        .await
        .unwrap();
    let mut seen = String::new();
    while !seen.contains("event: progress") {
        let chunk = response
            .chunk()
            .await
            .unwrap()
            .expect("progress before the end");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    drop(response);
    // Far sooner than the 120 s budget: the run stopped and kept its best model.
    for _ in 0..300 {
        if s.get("/v1/models/iris", &t).await.0 == 200 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the run went on after its client left");
}

#[tokio::test]
async fn the_server_runs_the_scheduler_and_makes_each_occurrence_once() {
    let s = support::start(|c| c.scheduler = Some(std::time::Duration::from_millis(50))).await;
    let t = s.workspace("acme", None, Scope::Write);
    let (status, made) = s
        .post(
            "/v1/tools/create_recurring_task",
            &t,
            json!({"title": "check the inbox", "rule": "FREQ=DAILY"}),
        )
        .await;
    assert_eq!(status, 200, "{made}");
    let inbox = |tasks: &Value| {
        tasks
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["title"] == "check the inbox")
            .count()
    };
    let mut found = 0;
    for _ in 0..200 {
        found = inbox(&s.get("/v1/tasks", &t).await.1);
        if found > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(found, 1, "the scheduler made today's occurrence");
    // Later ticks at the same moment make nothing more.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(inbox(&s.get("/v1/tasks", &t).await.1), 1);
}

#[tokio::test]
async fn recurring_tasks_over_rest_are_checked_paused_and_cancelled() {
    let s = support::start(|_| {}).await;
    let t = s.workspace("acme", None, Scope::Write);
    let read = s.token("acme", Scope::Read);
    let bad = problem(
        s.req(Method::POST, "/v1/recurring", &t)
            .json(&json!({"title": "x", "rule": "every friday"})),
        422,
    )
    .await;
    assert!(bad.contains("FREQ=WEEKLY"), "{bad}");
    problem(
        s.req(Method::POST, "/v1/recurring", &read)
            .json(&json!({"title": "x", "rule": "FREQ=DAILY"})),
        403,
    )
    .await;
    let response = s
        .req(Method::POST, "/v1/recurring", &t)
        .json(&json!({"title": "back up", "rule": "FREQ=WEEKLY;BYDAY=FR"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["location"], "/v1/recurring/1");
    let (_, paused) = send(
        s.req(Method::PATCH, "/v1/recurring/1", &t)
            .json(&json!({"active": false})),
    )
    .await;
    assert_eq!(
        (paused["active"].clone(), paused["next_due"].clone()),
        (json!(false), Value::Null)
    );
    problem(
        s.req(Method::PATCH, "/v1/recurring/1", &t)
            .json(&json!({"id": 2, "active": true})),
        400,
    )
    .await;
    let (status, listed) = s.get("/v1/recurring", &read).await;
    assert_eq!(
        (status, listed[0]["title"].clone()),
        (200, json!("back up"))
    );
    let (status, _) = send(s.req(Method::DELETE, "/v1/recurring/1", &t)).await;
    assert_eq!(status, 200);
    assert_eq!(s.get("/v1/recurring", &read).await.1, json!([]));
    problem(s.req(Method::DELETE, "/v1/recurring/7", &t), 404).await;
}

#[tokio::test]
async fn reminders_digests_and_the_outbox_over_rest() {
    let s = support::start(|_| {}).await;
    let t = s.workspace("acme", None, Scope::Write);
    let read = s.token("acme", Scope::Read);
    let (status, _) = s
        .post(
            "/v1/people",
            &t,
            json!({"name": "Bob Smith", "timezone": "Europe/Berlin"}),
        )
        .await;
    assert_eq!(status, 201);
    let task = json!({"title": "Ship the release", "assignee": "Bob Smith", "due": "2026-11-27"});
    assert_eq!(s.post("/v1/tasks", &t, task).await.0, 201);
    let past = problem(
        s.req(Method::POST, "/v1/reminders", &t)
            .json(&json!({"text": "x", "at": "2026-11-26T09:00", "person": "Bob Smith"})),
        422,
    )
    .await;
    assert!(past.contains("has passed"), "{past}");
    problem(
        s.req(Method::POST, "/v1/reminders", &read)
            .json(&json!({"text": "x", "at": "2026-11-27T09:00", "person": "Bob Smith"})),
        403,
    )
    .await;
    let response = s
        .req(Method::POST, "/v1/reminders", &t)
        .json(&json!({"text": "call the broker", "at": "2026-11-27T09:00", "person": "bob", "timezone": "Europe/Berlin"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    assert_eq!(response.headers()["location"], "/v1/reminders/1");
    let (_, listed) = s.get("/v1/reminders?person=Bob%20Smith", &read).await;
    assert_eq!(
        (listed[0]["at"].clone(), listed[0]["timezone"].clone()),
        (json!("2026-11-27T09:00"), json!("Europe/Berlin"))
    );
    let (status, digest) = s.get("/v1/digest/bob", &read).await;
    assert_eq!(status, 200);
    assert_eq!(digest["person"], "Bob Smith");
    assert_eq!(digest["due_soon"][0]["title"], "Ship the release");
    assert_eq!(digest["changed_since_last"], true);
    let unknown = problem(s.req(Method::GET, "/v1/digest/zed", &read), 422).await;
    assert!(unknown.contains("zed"), "{unknown}");
    let (status, _) = send(s.req(Method::DELETE, "/v1/reminders/1", &t)).await;
    assert_eq!(status, 200);
    assert_eq!(s.get("/v1/reminders", &read).await.1, json!([]));
    problem(s.req(Method::DELETE, "/v1/reminders/7", &t), 404).await;
    assert_eq!(s.get("/v1/outbox", &read).await.1, json!([]));
    problem(s.req(Method::GET, "/v1/outbox?limit=0", &read), 400).await;
}

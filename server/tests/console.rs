//! The web console over real HTTP against a real server on 127.0.0.1:
//! sign-in, sessions, CSRF, scopes, escaping and every page's content.
//! (`tests/console/test_console.py` drives the same pages in Chromium.)

mod support;

use maestro_tools::store::{Directory, Scope};
use reqwest::header::{CONTENT_SECURITY_POLICY, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use serde_json::json;
use support::{Server, clock, serving_iris, start};

/// A browser without script: keeps the session cookie and the page's CSRF secret.
struct Browser {
    http: reqwest::Client,
    base: String,
    cookie: String,
    csrf: String,
}

/// The value a `Set-Cookie` header gives cookie `name`.
fn set_cookie(response: &reqwest::Response, name: &str) -> Option<(String, String)> {
    response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| {
            let value = v[name.len() + 1..].split(';').next().unwrap_or("");
            (value.to_string(), v.to_string())
        })
}

/// The `csrf` field of a page.
fn csrf_of(page: &str) -> String {
    let at = page.find("name=\"csrf\" value=\"").expect("a csrf field") + 19;
    page[at..at + 32].to_string()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

/// The sign-in form's answer to `token`, sent from a browser that loaded the form.
async fn try_sign_in(s: &Server, token: &str) -> reqwest::Response {
    let http = client();
    let form = http.get(s.url("/login")).send().await.unwrap();
    assert_eq!(form.status(), 200);
    let (login, _) = set_cookie(&form, "maestro_login").expect("the form's cookie");
    let page = form.text().await.unwrap();
    assert!(
        page.contains("API token") && page.contains("name=\"token\""),
        "{page}"
    );
    http.post(s.url("/login"))
        .header("cookie", format!("maestro_login={login}"))
        .form(&[("token", token), ("csrf", &csrf_of(&page))])
        .send()
        .await
        .unwrap()
}

async fn sign_in(s: &Server, token: &str) -> Browser {
    let response = try_sign_in(s, token).await;
    assert_eq!(response.status(), 303);
    let (cookie, line) = set_cookie(&response, "maestro_session").expect("a session cookie");
    assert!(
        line.contains("HttpOnly") && line.contains("SameSite=Strict"),
        "{line}"
    );
    let mut browser = Browser {
        http: client(),
        base: s.base.clone(),
        cookie,
        csrf: String::new(),
    };
    let (status, home) = browser.get("/").await;
    assert_eq!(status, 200, "{home}");
    browser.csrf = csrf_of(&home);
    browser
}

impl Browser {
    async fn get(&self, path: &str) -> (u16, String) {
        let r = self
            .http
            .get(format!("{}{path}", self.base))
            .header("cookie", format!("maestro_session={}", self.cookie))
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.text().await.unwrap())
    }

    /// Sends a chat message as the page's script does: the turn's event stream.
    async fn chat(&self, message: &str) -> String {
        self.http
            .post(format!("{}/chat", self.base))
            .header("cookie", format!("maestro_session={}", self.cookie))
            .header("accept", "text/event-stream")
            .header("x-csrf-token", &self.csrf)
            .form(&[("message", message)])
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// Posts a form (with the session's CSRF secret unless `fields` has one).
    async fn post(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
        let mut form: Vec<(&str, &str)> = fields.to_vec();
        if !fields.iter().any(|(k, _)| *k == "csrf") {
            form.push(("csrf", &self.csrf));
        }
        self.http
            .post(format!("{}{path}", self.base))
            .header("cookie", format!("maestro_session={}", self.cookie))
            .form(&form)
            .send()
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn signing_in_takes_a_live_token_from_a_form_this_browser_loaded() {
    let s = start(|_| {}).await;
    let token = s.workspace("acme", None, Scope::Write);
    let refused = try_sign_in(&s, "not-a-token").await;
    assert_eq!(refused.status(), 401);
    assert!(refused.text().await.unwrap().contains("not valid"));
    // A sign-in posted from elsewhere lacks this browser's form cookie.
    let forged = client()
        .post(s.url("/login"))
        .form(&[
            ("token", token.as_str()),
            ("csrf", "0123456789abcdef0123456789abcdef"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert!(set_cookie(&forged, "maestro_session").is_none());
    // Without a session every page sends the browser to sign in.
    let home = client().get(s.url("/tasks")).send().await.unwrap();
    assert_eq!(home.status(), 303);
    assert_eq!(home.headers()[LOCATION], "/login");
    let browser = sign_in(&s, &token).await;
    let (status, page) = browser.get("/tasks").await;
    assert_eq!(status, 200);
    assert!(page.contains("acme"), "the workspace is shown: {page}");
}

#[tokio::test]
async fn every_change_carries_the_session_csrf_secret() {
    let s = start(|_| {}).await;
    let token = s.workspace("acme", None, Scope::Write);
    let browser = sign_in(&s, &token).await;
    let forged = browser
        .post("/tasks", &[("title", "Forged"), ("csrf", "wrong")])
        .await;
    assert_eq!(forged.status(), 403);
    let made = browser
        .post("/tasks", &[("title", "Write the runbook")])
        .await;
    assert_eq!(made.status(), 303);
    let (_, tasks) = s.get("/v1/tasks", &token).await;
    let titles: Vec<&str> = tasks
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Write the runbook"], "only the genuine form acted");
    // The outcome shows once, on the page that follows; a link cannot write one.
    let (_, after) = browser.get("/tasks").await;
    assert!(after.contains("role=\"status\">Created task #1"), "{after}");
    assert!(!browser.get("/tasks").await.1.contains("Created task #1"));
    let (_, spoofed) = browser
        .get("/tasks?notice=Paste+your+token+at+evil.example")
        .await;
    assert!(!spoofed.contains("evil.example"), "{spoofed}");
}

#[tokio::test]
async fn a_read_token_sees_no_write_controls_and_its_writes_are_refused() {
    let s = start(|_| {}).await;
    let write = s.workspace("acme", None, Scope::Write);
    let (status, task) = s
        .post("/v1/tasks", &write, json!({"title": "Keep me"}))
        .await;
    assert_eq!(status, 201);
    let id = task["id"].as_i64().unwrap();
    let reader = sign_in(&s, &s.token("acme", Scope::Read)).await;
    for path in ["/", "/tasks", &format!("/tasks/{id}"), "/data", "/models"] {
        let (status, page) = reader.get(path).await;
        assert_eq!(status, 200, "{path}");
        for control in [
            "name=\"message\"",
            "Create task",
            ">Complete<",
            "Delete…",
            "Register",
        ] {
            assert!(!page.contains(control), "{path} shows {control}");
        }
    }
    for (path, fields) in [
        ("/tasks", vec![("title", "Sneaky")]),
        (&format!("/tasks/{id}/complete") as &str, vec![]),
        (&format!("/tasks/{id}/delete"), vec![]),
        ("/chat", vec![("message", "delete task 1")]),
    ] {
        let refused = reader.post(path, &fields).await;
        assert_eq!(refused.status(), 403, "{path}");
    }
    let (_, after) = s.get(&format!("/v1/tasks/{id}"), &write).await;
    assert_eq!(after["status"], "todo");
    assert_eq!(
        s.get("/v1/tasks", &write).await.1.as_array().unwrap().len(),
        1
    );
}

#[tokio::test]
async fn revoking_the_token_or_signing_out_ends_the_session() {
    let s = start(|_| {}).await;
    s.workspace("acme", None, Scope::Write);
    let (token, info) = s
        .directory
        .create_token("acme", "laptop", Scope::Write, clock().now())
        .unwrap();
    let browser = sign_in(&s, &token).await;
    s.directory
        .revoke_token("acme", &info.name, clock().now())
        .unwrap();
    assert_eq!(browser.get("/tasks").await.0, 303, "revoked: signed out");

    let other = sign_in(&s, &s.token("acme", Scope::Write)).await;
    let out = other.post("/logout", &[]).await;
    assert_eq!(out.status(), 303);
    assert!(
        set_cookie(&out, "maestro_session")
            .unwrap()
            .1
            .contains("Max-Age=0")
    );
    assert_eq!(other.get("/").await.0, 303, "signed out");
}

#[tokio::test]
async fn what_people_typed_shows_as_text_under_a_strict_policy() {
    let s = start(|_| {}).await;
    let token = s.workspace("acme", None, Scope::Write);
    let title = "<script>alert(1)</script>";
    s.post("/v1/tasks", &token, json!({"title": title})).await;
    let browser = sign_in(&s, &token).await;
    let response = browser
        .http
        .get(format!("{}/tasks", browser.base))
        .header("cookie", format!("maestro_session={}", browser.cookie))
        .send()
        .await
        .unwrap();
    let policy = response.headers()[CONTENT_SECURITY_POLICY]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        policy.contains("script-src 'self'") && !policy.contains("unsafe-inline"),
        "{policy}"
    );
    let page = response.text().await.unwrap();
    assert!(
        page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{page}"
    );
    assert!(!page.contains(title));
}

#[tokio::test]
async fn chat_streams_the_turn_and_keeps_the_conversation() {
    let s = start(|_| {}).await;
    let token = s.workspace("acme", None, Scope::Write);
    s.post("/v1/people", &token, json!({"name": "Bob Smith"}))
        .await;
    let browser = sign_in(&s, &token).await;
    let streamed = browser
        .chat("create a task for Bob to renew the certificates")
        .await;
    assert!(streamed.contains("event: part"), "{streamed}");
    assert!(streamed.contains("Created task #1"), "{streamed}");
    assert!(
        streamed.trim_end().ends_with("data: {}"),
        "ends with done: {streamed}"
    );
    let (_, home) = browser.get("/").await;
    assert!(home.contains("renew the certificates") && home.contains("Created task #1"));
    let (_, activity) = browser.get("/activity").await;
    assert!(
        activity.contains("<td>token:t0</td><td><code>create_task</code>"),
        "the chat's change is the token's: {activity}"
    );

    // A destructive request waits; its Confirm button names the confirmation.
    let streamed = browser.chat("delete task 1").await;
    let at = streamed
        .find("name=\"confirmation\" value=\"")
        .expect("a confirmation")
        + 27;
    let confirmation = &streamed[at..at + streamed[at..].find('"').unwrap()];
    assert_eq!(
        s.get("/v1/tasks/1", &token).await.0,
        200,
        "not before the yes"
    );
    let yes = browser
        .post(
            "/chat",
            &[("message", "yes"), ("confirmation", confirmation)],
        )
        .await;
    assert_eq!(yes.status(), 303, "without script: the page again");
    assert_eq!(
        s.get("/v1/tasks/1", &token).await.0,
        404,
        "deleted after the yes"
    );

    assert_eq!(browser.post("/chat/new", &[]).await.status(), 303);
    let (_, fresh) = browser.get("/").await;
    assert!(!fresh.contains("renew the certificates"), "started afresh");
}

#[tokio::test]
async fn tasks_are_created_edited_assigned_completed_and_deleted_from_the_page() {
    let s = start(|_| {}).await;
    let token = s.workspace("acme", None, Scope::Write);
    for name in ["Bob Smith", "Carol Jones"] {
        s.post("/v1/people", &token, json!({"name": name})).await;
    }
    let browser = sign_in(&s, &token).await;
    let made = browser
        .post(
            "/tasks",
            &[
                ("title", "Patch the VPN"),
                ("assignee", "Bob Smith"),
                ("priority", "high"),
                ("due", "2026-12-04"),
                ("project", ""),
            ],
        )
        .await;
    assert_eq!(made.status(), 303);
    let (_, board) = browser.get("/tasks").await;
    assert!(
        board.contains("Patch the VPN") && board.contains("Bob Smith"),
        "{board}"
    );
    let edited = browser
        .post(
            "/tasks/1",
            &[
                ("title", "Patch the VPN gateway"),
                ("status", "in_progress"),
                ("priority", "high"),
                ("due", "2026-12-04"),
                ("project", "Ops"),
                ("description", ""),
            ],
        )
        .await;
    assert_eq!(edited.status(), 303);
    let (_, task) = s.get("/v1/tasks/1", &token).await;
    assert_eq!(
        (
            task["title"].as_str(),
            task["status"].as_str(),
            task["project"].as_str()
        ),
        (
            Some("Patch the VPN gateway"),
            Some("in_progress"),
            Some("Ops")
        )
    );
    // Emptying a field the task has is not silently ignored.
    let emptied = [
        ("title", "Patch the VPN gateway"),
        ("status", "in_progress"),
        ("priority", "high"),
        ("due", ""),
        ("project", "Ops"),
        ("description", ""),
    ];
    browser.post("/tasks/1", &emptied).await;
    let (_, page) = browser.get("/tasks/1").await;
    assert!(
        page.contains("Nothing changed. Kept the due date: it can be changed here, not emptied."),
        "{page}"
    );
    browser
        .post("/tasks/1/assign", &[("assignee", "Carol Jones")])
        .await;
    assert_eq!(
        s.get("/v1/tasks/1", &token).await.1["assignee"],
        "Carol Jones"
    );
    let (_, table) = browser
        .get("/tasks?view=table&assignee=Carol+Jones&status=open")
        .await;
    assert!(table.contains("Patch the VPN gateway"), "{table}");
    let (_, none) = browser.get("/tasks?view=table&assignee=Bob+Smith").await;
    assert!(
        !none.contains("Patch the VPN gateway"),
        "the filter applies"
    );
    browser.post("/tasks/1/complete", &[]).await;
    assert_eq!(s.get("/v1/tasks/1", &token).await.1["status"], "done");
    let (_, question) = browser.get("/tasks/1/delete").await;
    assert!(
        question.contains("for good") && question.contains(">Confirm<"),
        "{question}"
    );
    assert_eq!(browser.post("/tasks/1/delete", &[]).await.status(), 303);
    assert_eq!(s.get("/v1/tasks/1", &token).await.0, 404);
    let (status, missing) = browser.get("/tasks/1").await;
    assert_eq!(status, 404, "{missing}");
    // A browser that strays off the console's paths still gets a page.
    let stray = browser
        .http
        .get(format!("{}/task/1", browser.base))
        .header("accept", "text/html,application/xhtml+xml")
        .send()
        .await
        .unwrap();
    assert_eq!(stray.status(), 404);
    assert!(stray.text().await.unwrap().contains("no page at /task/1"));
    let (status, page) = browser.get("/tasks/first").await;
    assert_eq!(status, 400);
    assert!(
        page.starts_with("<!DOCTYPE html>") && page.contains("Back to the console"),
        "{page}"
    );
    let refused = browser.post("/tasks/1/assign", &[]).await;
    assert_eq!(refused.status(), 422, "a form without its field");
    assert!(refused.text().await.unwrap().contains("assignee"));
}

#[tokio::test]
async fn data_models_people_and_activity_pages_show_the_workspace() {
    let (_data, csv, s) = serving_iris().await;
    let token = s.workspace("acme", None, Scope::Write);
    s.post(
        "/v1/people",
        &token,
        json!({"name": "Bob Smith", "skills": ["ml"]}),
    )
    .await;
    let browser = sign_in(&s, &token).await;
    let registered = browser
        .post(
            "/data",
            &[("path", csv.to_str().unwrap()), ("name", "iris")],
        )
        .await;
    assert_eq!(registered.status(), 303);
    let (_, data) = browser.get("/data/iris").await;
    assert!(data.contains("Histogram of sepal length (cm)"), "{data}");
    let (status, trained) = s
        .post(
            "/v1/tools/run_automl",
            &token,
            json!({"dataset": "iris", "target": "target", "budget_seconds": 1}),
        )
        .await;
    assert_eq!(status, 200, "{trained}");
    let (_, models) = browser.get("/models").await;
    assert!(models.contains("href=\"/models/iris\""), "{models}");
    let (_, model) = browser.get("/models/iris?explain=1").await;
    for part in [
        "Leaderboard",
        "Model card",
        "data:image/png;base64,",
        "Check bias",
    ] {
        assert!(model.contains(part), "{part}: {model}");
    }
    let promoted = browser
        .post(
            "/models/iris/promote",
            &[("version", "1"), ("stage", "production")],
        )
        .await;
    assert_eq!(promoted.status(), 303);
    assert_eq!(
        s.get("/v1/models/iris", &token).await.1["stage"],
        "production"
    );
    let (_, people) = browser.get("/people?task=train+a+churn+model").await;
    assert!(
        people.contains("Bob Smith") && people.contains("Workload"),
        "{people}"
    );
    let (_, activity) = browser.get("/activity").await;
    assert!(
        activity.contains("promote_model") && activity.contains("token:"),
        "{activity}"
    );
}

//! The Slack bot through signed requests, answering through a fake Slack Web
//! API on 127.0.0.1 that records what the bot posted.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::routing::{get, post};
use maestro_server::{SlackConfig, slack_signature};
use maestro_tools::store::{Directory, Scope};
use serde_json::{Value, json};
use support::{Server, problem, start};

const SECRET: &str = "test-signing-secret";

/// What the fake Slack received: (path, authorization, body).
type Posts = Arc<Mutex<Vec<(String, String, Value)>>>;

/// A fake Slack Web API: `chat.postMessage`, `views.publish` and
/// `views.open` (recorded), `users.info` (Ann's e-mail for U_ANN),
/// `chat.getPermalink`, and `/respond/{n}` standing for response URLs. It speaks Slack's
/// wire format (`{"ok": …}`).
async fn fake_slack(socket: Option<String>) -> (String, Posts) {
    let posts: Posts = Arc::default();
    /// `chat.postMessage`, `views.publish`, `views.open`: recorded by method.
    async fn post_api(
        State(p): State<Posts>,
        Path(method): Path<String>,
        headers: HeaderMap,
        Json(body): Json<Value>,
    ) -> Json<Value> {
        let auth = headers
            .get("authorization")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        // The bot is not a member of the private channel C_PRIVATE.
        let refused = method == "chat.postMessage" && body["channel"] == "C_PRIVATE";
        p.lock().unwrap().push((method, auth, body));
        if refused {
            return Json(json!({"ok": false, "error": "not_in_channel"}));
        }
        Json(json!({"ok": true, "ts": "1700000000.000200"}))
    }
    async fn upload_url(headers: HeaderMap, body: Bytes) -> Json<Value> {
        let q: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
        let host = headers["host"].to_str().unwrap().to_string();
        match q.iter().find(|(k, _)| k == "length") {
            Some((_, n)) if n.parse::<usize>().is_ok_and(|n| n > 0) => Json(
                json!({"ok": true, "upload_url": format!("http://{host}/upload/F1"), "file_id": "F1"}),
            ),
            _ => Json(json!({"ok": false, "error": "invalid_arguments"})),
        }
    }
    async fn upload(State(p): State<Posts>, Path(id): Path<String>, body: Bytes) -> &'static str {
        let png = body.starts_with(b"\x89PNG");
        p.lock().unwrap().push((
            format!("upload/{id}"),
            String::new(),
            json!({"bytes": body.len(), "png": png}),
        ));
        "OK - 123"
    }
    async fn permalink(Query(q): Query<Vec<(String, String)>>) -> Json<Value> {
        let get = |k: &str| {
            q.iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.replace('.', ""))
        };
        match (get("channel"), get("message_ts")) {
            (Some(c), Some(ts)) => Json(
                json!({"ok": true, "channel": c, "permalink": format!("https://acme.slack.com/archives/{c}/p{ts}")}),
            ),
            _ => Json(json!({"ok": false, "error": "invalid_arguments"})),
        }
    }
    async fn users_info(Query(q): Query<Vec<(String, String)>>) -> Json<Value> {
        match q.iter().find(|(k, _)| k == "user").map(|(_, v)| v.as_str()) {
            Some("U_ANN") => Json(
                json!({"ok": true, "user": {"id": "U_ANN", "profile": {"email": "ANN@example.com"}}}),
            ),
            _ => Json(json!({"ok": false, "error": "user_not_found"})),
        }
    }
    async fn respond(State(p): State<Posts>, Path(n): Path<String>, body: Bytes) -> &'static str {
        p.lock().unwrap().push((
            format!("respond/{n}"),
            String::new(),
            serde_json::from_slice(&body).unwrap(),
        ));
        "ok"
    }
    let app = axum::Router::new()
        .route("/api/users.info", get(users_info))
        .route("/api/chat.getPermalink", get(permalink))
        .route(
            "/api/apps.connections.open",
            post(
                move |State(p): State<Posts>, headers: HeaderMap| async move {
                    let auth = headers["authorization"].to_str().unwrap().to_string();
                    p.lock()
                        .unwrap()
                        .push(("apps.connections.open".into(), auth, json!({})));
                    Json(match &socket {
                        Some(url) => json!({"ok": true, "url": url}),
                        None => json!({"ok": false, "error": "not_allowed_token_type"}),
                    })
                },
            ),
        )
        .route("/api/files.getUploadURLExternal", post(upload_url))
        .route("/upload/{id}", post(upload))
        .route("/api/{method}", post(post_api))
        .route("/respond/{n}", post(respond))
        .with_state(Arc::clone(&posts));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, posts)
}

struct Bot {
    server: Server,
    slack: String,
    posts: Posts,
    token: String,
}

/// The server with the bot, the workspace `acme` for team T1 with Bob (by
/// Slack id) and Ann (by e-mail).
async fn bot() -> Bot {
    bot_with(None).await
}

/// [`bot`], connected over Socket Mode to `socket` when there is one.
async fn bot_with(socket: Option<String>) -> Bot {
    let app_token = socket.as_ref().map(|_| "xapp-test".to_string());
    let (slack, posts) = fake_slack(socket).await;
    let api_url = format!("{slack}/api");
    let server = start(|c| {
        c.slack = Some(SlackConfig {
            signing_secret: SECRET.into(),
            bot_token: "xoxb-test".into(),
            api_url,
            app_token,
        })
    })
    .await;
    let token = server.workspace("acme", Some("T1"), Scope::Write);
    server
        .post(
            "/v1/people",
            &token,
            json!({"name": "Bob Smith", "slack_id": "U_BOB"}),
        )
        .await;
    server
        .post(
            "/v1/people",
            &token,
            json!({"name": "Ann Lee", "email": "ann@example.com"}),
        )
        .await;
    Bot {
        server,
        slack,
        posts,
        token,
    }
}

fn now() -> i64 {
    support::clock().now().timestamp()
}

impl Bot {
    /// A request signed as Slack would sign it at `at`.
    fn signed(&self, path: &str, body: &str, kind: &str, at: i64) -> reqwest::RequestBuilder {
        self.server
            .http
            .post(self.server.url(path))
            .header("content-type", kind)
            .header("x-slack-request-timestamp", at.to_string())
            .header(
                "x-slack-signature",
                slack_signature(SECRET, at, body.as_bytes()),
            )
            .body(body.to_string())
    }

    fn event(&self, body: &Value) -> reqwest::RequestBuilder {
        self.signed(
            "/slack/events",
            &body.to_string(),
            "application/json",
            now(),
        )
    }

    fn form(&self, path: &str, fields: &[(&str, &str)]) -> reqwest::RequestBuilder {
        let body = serde_urlencoded::to_string(fields).unwrap();
        self.signed(path, &body, "application/x-www-form-urlencoded", now())
    }

    /// The form body of `/maestro TEXT` typed by Bob in C1, answered on `respond/{n}`.
    fn command_body(&self, n: &str, text: &str) -> String {
        let respond = format!("{}/respond/{n}", self.slack);
        serde_urlencoded::to_string([
            ("team_id", "T1"),
            ("channel_id", "C1"),
            ("user_id", "U_BOB"),
            ("command", "/maestro"),
            ("text", text),
            ("response_url", respond.as_str()),
        ])
        .unwrap()
    }

    /// Waits until the fake Slack holds `n` posts, and returns them.
    async fn posts(&self, n: usize) -> Vec<(String, String, Value)> {
        self.posts_of(n, |_| true).await
    }

    /// Waits until the fake Slack holds `n` messages (`chat.postMessage`),
    /// and returns them (App Home publications aside).
    async fn messages(&self, n: usize) -> Vec<(String, String, Value)> {
        self.posts_of(n, |method| method == "chat.postMessage")
            .await
    }

    /// How many posts the fake Slack holds now (for [`Bot::tab`]).
    fn mark(&self) -> usize {
        self.posts.lock().unwrap().len()
    }

    /// Waits until `user`'s App Home is published, after the first `since`
    /// posts, showing what `shows` accepts; returns its blocks as text.
    async fn tab(&self, since: usize, user: &str, shows: impl Fn(&str) -> bool) -> String {
        for _ in 0..1500 {
            let found =
                self.posts
                    .lock()
                    .unwrap()
                    .iter()
                    .skip(since)
                    .find_map(|(method, _, body)| {
                        let blocks = body["view"]["blocks"].to_string();
                        (method == "views.publish" && body["user_id"] == user && shows(&blocks))
                            .then_some(blocks)
                    });
            if let Some(blocks) = found {
                return blocks;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!(
            "{user}'s App Home was not published as expected: {:?}",
            self.posts.lock().unwrap()
        );
    }

    async fn posts_of(
        &self,
        n: usize,
        wanted: impl Fn(&str) -> bool,
    ) -> Vec<(String, String, Value)> {
        for _ in 0..1500 {
            {
                let posts: Vec<_> = self
                    .posts
                    .lock()
                    .unwrap()
                    .iter()
                    .filter(|p| wanted(&p.0))
                    .cloned()
                    .collect();
                if posts.len() >= n {
                    return posts;
                }
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!(
            "Slack received {:?}, expected {n} posts",
            self.posts.lock().unwrap()
        );
    }
}

fn mention(event_id: &str, ts: &str, text: &str) -> Value {
    json!({"type": "event_callback", "team_id": "T1", "event_id": event_id,
           "event": {"type": "app_mention", "user": "U_ANN", "channel": "C1", "ts": ts, "text": text}})
}

fn all_text(v: &Value) -> String {
    v.to_string()
}

#[tokio::test]
async fn url_verification_and_signatures() {
    let b = bot().await;
    let challenge = json!({"type": "url_verification", "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"});
    let answer: Value = b
        .event(&challenge)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        answer,
        json!({"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"})
    );
    let body = challenge.to_string();
    let bad = b
        .server
        .http
        .post(b.server.url("/slack/events"))
        .header("x-slack-request-timestamp", now().to_string())
        .header(
            "x-slack-signature",
            slack_signature("wrong secret", now(), body.as_bytes()),
        )
        .body(body.clone());
    assert!(problem(bad, 401).await.contains("signature"));
    let stale = b.signed("/slack/events", &body, "application/json", now() - 301);
    assert!(problem(stale, 401).await.contains("five minutes"));
    let unsigned = b
        .server
        .http
        .post(b.server.url("/slack/commands"))
        .body("text=help");
    problem(unsigned, 401).await;
    // A valid signature over another body does not carry over.
    let swapped = b
        .server
        .http
        .post(b.server.url("/slack/events"))
        .header("x-slack-request-timestamp", now().to_string())
        .header("x-slack-signature", slack_signature(SECRET, now(), b"{}"))
        .body(body);
    problem(swapped, 401).await;
}

#[tokio::test]
async fn a_mention_is_answered_in_its_thread_once() {
    let b = bot().await;
    let first = mention(
        "Ev1",
        "1700000000.000100",
        "<@UBOT> create a task for <@U_BOB> to update the runbook",
    );
    let ack = b.event(&first).send().await.unwrap();
    assert_eq!(ack.status(), 200);
    let posts = b.posts(1).await;
    let (path, auth, body) = &posts[0];
    assert_eq!(
        (path.as_str(), auth.as_str()),
        ("chat.postMessage", "Bearer xoxb-test")
    );
    assert_eq!(body["channel"], "C1");
    assert_eq!(body["thread_ts"], "1700000000.000100");
    assert!(
        body["text"]
            .as_str()
            .unwrap()
            .contains("update the runbook"),
        "{body}"
    );
    assert!(all_text(&body["blocks"]).contains("Bob Smith"), "{body}");
    // The retry of the same event is acknowledged and dropped.
    let retry = b
        .event(&first)
        .header("x-slack-retry-num", "1")
        .header("x-slack-retry-reason", "http_timeout");
    assert_eq!(retry.send().await.unwrap().status(), 200);
    // "me" is the speaker, known by the e-mail Slack has for them.
    let mine = mention(
        "Ev2",
        "1700000000.000300",
        "<@UBOT> create a task for me to call the vendor",
    );
    b.event(&mine).send().await.unwrap();
    let posts = b.messages(2).await;
    assert_eq!(posts[1].2["thread_ts"], "1700000000.000300");
    let (_, tasks) = b.server.get("/v1/tasks", &b.token).await;
    let assignees: Vec<Value> = tasks
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["assignee"].clone())
        .collect();
    assert_eq!(tasks.as_array().unwrap().len(), 2, "{tasks}");
    assert!(
        assignees.contains(&json!("Bob Smith")) && assignees.contains(&json!("Ann Lee")),
        "{tasks}"
    );
    let posts = b.posts.lock().unwrap().clone();
    let count = |method: &str| posts.iter().filter(|p| p.0 == method).count();
    assert_eq!(count("chat.postMessage"), 2, "the retry was dropped");
    // Bob's new task is on his App Home (Ann has no Slack id on the team).
    let published = b.posts_of(1, |m| m == "views.publish").await;
    assert_eq!(published.len(), 1, "{posts:?}");
    assert_eq!(published[0].2["user_id"], "U_BOB");
}

#[tokio::test]
async fn direct_messages_answer_and_the_bots_own_are_ignored() {
    let b = bot().await;
    let own = json!({"type": "event_callback", "team_id": "T1", "event_id": "Ev0",
        "event": {"type": "message", "channel_type": "im", "bot_id": "B1", "channel": "D1", "ts": "1.0", "text": "list tasks"}});
    b.event(&own).send().await.unwrap();
    let dm = json!({"type": "event_callback", "team_id": "T1", "event_id": "Ev1",
        "event": {"type": "message", "channel_type": "im", "user": "U_BOB", "channel": "D1", "ts": "2.0", "text": "help"}});
    b.event(&dm).send().await.unwrap();
    let posts = b.posts(1).await;
    assert_eq!(posts[0].2["channel"], "D1");
    assert_eq!(posts[0].2["thread_ts"], "2.0");
    assert_eq!(b.posts.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn slash_commands_and_buttons_confirm_a_deletion() {
    let b = bot().await;
    let (_, task) = b
        .server
        .post("/v1/tasks", &b.token, json!({"title": "Old report"}))
        .await;
    let id = task["id"].as_i64().unwrap();
    let respond = format!("{}/respond/1", b.slack);
    let text = format!("delete task {id}");
    let fields = [
        ("team_id", "T1"),
        ("channel_id", "C1"),
        ("user_id", "U_BOB"),
        ("command", "/maestro"),
        ("text", text.as_str()),
        ("response_url", respond.as_str()),
    ];
    let ack: Value = b
        .form("/slack/commands", &fields)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ack["response_type"], "ephemeral");
    let posts = b.posts(1).await;
    let message = &posts[0].2;
    assert_eq!(posts[0].0, "respond/1");
    let buttons = message["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["type"] == "actions")
        .expect("buttons")
        .clone();
    assert_eq!(
        b.server.get(&format!("/v1/tasks/{id}"), &b.token).await.0,
        200
    );
    let session = buttons["elements"][0]["value"].as_str().unwrap();
    let respond2 = format!("{}/respond/2", b.slack);
    let payload = json!({"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U_BOB"},
        "response_url": respond2, "actions": [{"action_id": "confirm", "value": session}]});
    let click = b
        .form("/slack/interactivity", &[("payload", &payload.to_string())])
        .send()
        .await
        .unwrap();
    assert_eq!(click.status(), 200);
    let posts = b.posts(2).await;
    assert_eq!(posts[1].0, "respond/2");
    assert_eq!(posts[1].2["replace_original"], true);
    assert!(
        posts[1].2["text"].as_str().unwrap().contains("Deleted"),
        "{:?}",
        posts[1]
    );
    assert_eq!(
        b.server.get(&format!("/v1/tasks/{id}"), &b.token).await.0,
        404
    );
}

#[tokio::test]
async fn malformed_and_unmapped_requests() {
    let b = bot().await;
    problem(
        b.signed("/slack/events", "{not json", "application/json", now()),
        400,
    )
    .await;
    problem(
        b.event(&json!({"type": "event_callback", "event": {}})),
        400,
    )
    .await;
    problem(b.event(&json!({"type": "something_else"})), 400).await;
    problem(b.form("/slack/commands", &[("text", "help")]), 400).await;
    problem(b.form("/slack/interactivity", &[("nothing", "here")]), 400).await;
    // The answer goes only to Slack: a response_url elsewhere is refused.
    let detail = problem(
        b.form(
            "/slack/commands",
            &[
                ("team_id", "T1"),
                ("channel_id", "C1"),
                ("user_id", "U_BOB"),
                ("text", "help"),
                ("response_url", "http://127.0.0.2:9/steal"),
            ],
        ),
        400,
    )
    .await;
    assert!(detail.contains("response_url"), "{detail}");
    let payload = json!({"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U_BOB"},
        "response_url": "http://127.0.0.1:9/x", "actions": [{"action_id": "confirm", "value": "api:t0:s"}]});
    problem(
        b.form("/slack/interactivity", &[("payload", &payload.to_string())]),
        400,
    )
    .await;
    // With two workspaces, a team without a mapping is told how to link it.
    b.server.workspace("beta", None, Scope::Read);
    let respond = format!("{}/respond/9", b.slack);
    let fields = [
        ("team_id", "T9"),
        ("channel_id", "C1"),
        ("user_id", "U_BOB"),
        ("text", "list tasks"),
        ("response_url", respond.as_str()),
    ];
    b.form("/slack/commands", &fields).send().await.unwrap();
    let posts = b.posts(1).await;
    assert!(
        posts[0].2["text"]
            .as_str()
            .unwrap()
            .contains("--slack-team T9"),
        "{:?}",
        posts[0]
    );
}

/// The confirm button of one message, from the fake Slack's post.
fn button_value(post: &Value) -> String {
    post["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["type"] == "actions")
        .expect("buttons")["elements"][0]["value"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn a_button_confirms_only_the_action_it_was_shown_for() {
    let b = bot().await;
    let mut ids = Vec::new();
    for title in ["Old report", "Older report"] {
        let (_, task) = b
            .server
            .post("/v1/tasks", &b.token, json!({"title": title}))
            .await;
        ids.push(task["id"].as_i64().unwrap());
    }
    let command = |n: usize, text: String| {
        let body = b.command_body(&n.to_string(), &text);
        b.signed(
            "/slack/commands",
            &body,
            "application/x-www-form-urlencoded",
            now(),
        )
    };
    // Two deletions asked in one conversation, each with its own buttons.
    command(1, format!("delete task {}", ids[0]))
        .send()
        .await
        .unwrap();
    b.posts(1).await;
    command(2, format!("delete task {}", ids[1]))
        .send()
        .await
        .unwrap();
    let posts = b.posts(2).await;
    let (first, second) = (button_value(&posts[0].2), button_value(&posts[1].2));
    assert_ne!(first, second);
    let click = |n: usize, value: &str| {
        let payload = json!({"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U_BOB"},
            "response_url": format!("{}/respond/{n}", b.slack),
            "actions": [{"action_id": "confirm", "value": value}]});
        b.form("/slack/interactivity", &[("payload", &payload.to_string())])
    };
    let exists = |id: i64| {
        let server = &b.server;
        let token = &b.token;
        async move { server.get(&format!("/v1/tasks/{id}"), token).await.0 == 200 }
    };
    // The first message's button is stale: it says so and deletes nothing.
    assert_eq!(click(3, &first).send().await.unwrap().status(), 200);
    let posts = b.posts(3).await;
    assert!(
        all_text(&posts[2].2).contains("no longer waiting"),
        "{:?}",
        posts[2]
    );
    assert!(exists(ids[0]).await && exists(ids[1]).await);
    // The second's deletes its own task only, once.
    click(4, &second).send().await.unwrap();
    let posts = b.posts(4).await;
    assert!(all_text(&posts[3].2).contains("Deleted"), "{:?}", posts[3]);
    assert!(exists(ids[0]).await && !exists(ids[1]).await);
    click(5, &second).send().await.unwrap();
    let posts = b.posts(5).await;
    assert!(
        all_text(&posts[4].2).contains("no longer waiting"),
        "{:?}",
        posts[4]
    );
    assert!(exists(ids[0]).await);
}

#[tokio::test]
async fn a_replayed_slash_command_runs_once() {
    let b = bot().await;
    let body = b.command_body("1", "create a task to water the plants");
    let at = now();
    for _ in 0..2 {
        let sent = b
            .signed(
                "/slack/commands",
                &body,
                "application/x-www-form-urlencoded",
                at,
            )
            .send()
            .await
            .unwrap();
        assert_eq!(sent.status(), 200);
    }
    b.posts(1).await;
    // A later request, answered after any job the replay could have started.
    b.event(&mention("Ev9", "9.0", "<@UBOT> list tasks"))
        .send()
        .await
        .unwrap();
    b.posts(2).await;
    let (_, tasks) = b.server.get("/v1/tasks", &b.token).await;
    let watering = tasks
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["title"].as_str().unwrap().contains("water"))
        .count();
    assert_eq!(watering, 1, "{tasks}");
    assert_eq!(b.posts.lock().unwrap().len(), 2);
}

/// Validly signed Slack requests with mutated bodies, through the real
/// server: never a server error, and the server stays healthy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fuzz_signed_slack_requests() {
    let b = bot().await;
    let respond = format!("{}/respond/fuzz", b.slack);
    let button = json!({"session": "slack:cmd:C1:U_BOB", "confirmation": "1-1"}).to_string();
    let payload = json!({"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U_BOB"},
        "response_url": respond, "actions": [{"action_id": "confirm", "value": button}]});
    let seeds: Vec<Vec<u8>> = [
        format!("e{}", mention("EvF", "1.0", "<@UBOT> help")),
        format!("e{}", json!({"type": "url_verification", "challenge": "c"})),
        format!("c{}", b.command_body("fuzz", "help")),
        format!(
            "i{}",
            serde_urlencoded::to_string([("payload", payload.to_string())]).unwrap()
        ),
    ]
    .into_iter()
    .map(String::into_bytes)
    .collect();
    let runtime = tokio::runtime::Handle::current();
    let check = |input: &[u8]| {
        let Some((route, body)) = input.split_first() else {
            return;
        };
        let (path, kind) = match route % 3 {
            0 => ("/slack/interactivity", "application/x-www-form-urlencoded"),
            1 => ("/slack/commands", "application/x-www-form-urlencoded"),
            _ => ("/slack/events", "application/json"),
        };
        let body = String::from_utf8_lossy(body);
        let status = tokio::task::block_in_place(|| {
            runtime.block_on(async {
                b.signed(path, &body, kind, now())
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        });
        assert!(!status.is_server_error(), "{status} for {path} {body}");
    };
    let dictionary = [
        "\"type\":",
        "\"event\":",
        "payload=",
        "&text=",
        "\"actions\":",
        "%7B",
    ];
    let report = maestro_fuzz::run("slack requests", &seeds, &dictionary, check);
    assert!(report.inputs > seeds.len());
    assert_eq!(
        b.server
            .http
            .get(b.server.url("/healthz"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
}

/// A signed interactivity payload.
fn interaction(b: &Bot, payload: &Value) -> reqwest::RequestBuilder {
    b.form("/slack/interactivity", &[("payload", &payload.to_string())])
}

/// The JSON the server answers an interactivity payload with (a modal's).
async fn answered(b: &Bot, payload: &Value) -> Value {
    interaction(b, payload)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_message_shortcut_makes_a_task_with_the_messages_permalink() {
    let b = bot().await;
    let payload = json!({"type": "message_action", "callback_id": "create_task_from_message",
        "trigger_id": "13345224609.738474920.8088930838d88f008e0", "response_url": format!("{}/respond/1", b.slack),
        "team": {"id": "T1"}, "user": {"id": "U_ANN"}, "channel": {"id": "C1"},
        "message": {"type": "message", "user": "U_CAROL", "ts": "1700000000.000300", "thread_ts": "1700000000.000250",
                    "text": "<@U_BOB> can you renew the TLS certificates by Friday? they expire soon"}});
    assert_eq!(
        interaction(&b, &payload).send().await.unwrap().status(),
        200
    );
    let posts = b.messages(1).await;
    let (_, _, reply) = &posts[0];
    assert_eq!(
        (reply["channel"].as_str(), reply["thread_ts"].as_str()),
        (Some("C1"), Some("1700000000.000250")),
        "in the thread the message belongs to"
    );
    assert!(
        reply["text"]
            .as_str()
            .unwrap()
            .starts_with("Created task #1"),
        "{reply}"
    );
    let (_, task) = b.server.get("/v1/tasks/1", &b.token).await;
    assert_eq!(
        task["assignee"], "Bob Smith",
        "the mentioned person: {task}"
    );
    assert!(
        task["title"]
            .as_str()
            .unwrap()
            .contains("renew the TLS certificates"),
        "{task}"
    );
    assert!(!task["title"].as_str().unwrap().contains("U_BOB"), "{task}");
    assert_eq!(
        task["description"],
        "From Slack: https://acme.slack.com/archives/C1/p1700000000000300"
    );
    assert!(task["due"].is_string(), "Friday was read: {task}");
    // In a channel the bot is not in, with Slack markup: told directly, nothing pinged.
    let private = json!({"type": "message_action", "callback_id": "create_task_from_message",
        "team": {"id": "T1"}, "user": {"id": "U_ANN"}, "channel": {"id": "C_PRIVATE"},
        "message": {"type": "message", "user": "U_CAROL", "ts": "1700000000.000400",
                    "text": "<!here> restart the <https://evil.example|status page> worker"}});
    interaction(&b, &private).send().await.unwrap();
    let posts = b.messages(3).await;
    let direct = &posts[2].2;
    assert_eq!(direct["channel"], "U_ANN", "{posts:?}");
    let told = direct["text"].as_str().unwrap();
    assert!(
        told.starts_with("Created task #2")
            && !told.contains("<!here>")
            && !told.contains("evil.example"),
        "{told}"
    );
    let (_, task) = b.server.get("/v1/tasks/2", &b.token).await;
    assert!(
        task["title"]
            .as_str()
            .unwrap()
            .contains("status page worker"),
        "{task}"
    );
}

#[tokio::test]
async fn the_app_home_lists_open_tasks_and_its_buttons_change_them() {
    let b = bot().await;
    for (title, due) in [
        ("Patch the VPN", "2026-11-30"),
        ("Write the runbook", "2026-11-27"),
    ] {
        let task = json!({"title": title, "assignee": "Bob Smith", "due": due});
        assert_eq!(b.server.post("/v1/tasks", &b.token, task).await.0, 201);
    }
    let opened = json!({"type": "event_callback", "team_id": "T1", "event_id": "EvHome1",
        "event": {"type": "app_home_opened", "user": "U_BOB", "channel": "D1", "tab": "home"}});
    let since = b.mark();
    assert_eq!(b.event(&opened).send().await.unwrap().status(), 200);
    let shown = b
        .tab(since, "U_BOB", |t| {
            t.contains("Write the runbook") && t.contains("Patch the VPN")
        })
        .await;
    let (runbook, vpn) = (
        shown.find("Write the runbook").unwrap(),
        shown.find("Patch the VPN").unwrap(),
    );
    assert!(runbook < vpn, "soonest due first: {shown}");
    // Friday 2026-11-27 snoozed: Monday; then Complete.
    let press = |action: &str, task: &str| {
        json!({"type": "block_actions", "team": {"id": "T1"}, "user": {"id": "U_BOB"},
               "view": {"type": "home"}, "actions": [{"action_id": action, "value": task, "type": "button"}]})
    };
    let runbook_id = b
        .server
        .get("/v1/tasks?assignee=Bob+Smith", &b.token)
        .await
        .1[0]["id"]
        .clone();
    let runbook_id = runbook_id.as_i64().unwrap().to_string();
    let since = b.mark();
    let snooze = interaction(&b, &press("home_snooze", &runbook_id))
        .send()
        .await
        .unwrap();
    assert_eq!(snooze.status(), 200);
    b.tab(since, "U_BOB", |t| {
        t.matches("due Mon 2026-11-30").count() == 2
    })
    .await;
    let (_, snoozed) = b
        .server
        .get(&format!("/v1/tasks/{runbook_id}"), &b.token)
        .await;
    assert_eq!(snoozed["due"], "2026-11-30");
    let since = b.mark();
    interaction(&b, &press("home_complete", &runbook_id))
        .send()
        .await
        .unwrap();
    b.tab(since, "U_BOB", |t| {
        !t.contains("Write the runbook") && t.contains("Patch the VPN")
    })
    .await;
    let (_, done) = b
        .server
        .get(&format!("/v1/tasks/{runbook_id}"), &b.token)
        .await;
    assert_eq!(done["status"], "done");
    // Someone not on the team is told how to join.
    let stranger = json!({"type": "event_callback", "team_id": "T1", "event_id": "EvHome2",
        "event": {"type": "app_home_opened", "user": "U_ZED", "channel": "D2", "tab": "home"}});
    b.event(&stranger).send().await.unwrap();
    b.tab(0, "U_ZED", |t| t.contains("--slack-id U_ZED")).await;
}

#[tokio::test]
async fn the_new_task_modal_checks_its_fields_and_creates_the_task() {
    let b = bot().await;
    let body = b.command_body("1", "new");
    let mut fields: Vec<(&str, String)> = serde_urlencoded::from_str(&body).unwrap();
    fields.push((
        "trigger_id",
        "13345224609.738474920.8088930838d88f008e0".into(),
    ));
    let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(
        b.form("/slack/commands", &fields)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let posts = b.posts(1).await;
    let (method, _, opened) = &posts[0];
    assert_eq!(
        (method.as_str(), opened["trigger_id"].as_str()),
        (
            "views.open",
            Some("13345224609.738474920.8088930838d88f008e0")
        )
    );
    assert_eq!(opened["view"]["callback_id"], "create_task");
    let submit = |values: Value| {
        json!({"type": "view_submission", "team": {"id": "T1"}, "user": {"id": "U_ANN"},
               "view": {"id": "V1", "callback_id": "create_task", "state": {"values": values}}})
    };
    let empty = submit(
        json!({"title": {"value": {"type": "plain_text_input", "value": "  "}},
                               "assignee": {"value": {"type": "users_select", "selected_user": "U_ZED"}}}),
    );
    let answer: Value = answered(&b, &empty).await;
    assert_eq!(answer["response_action"], "errors");
    assert!(answer["errors"]["title"].is_string(), "{answer}");
    assert!(
        answer["errors"]["assignee"]
            .as_str()
            .unwrap()
            .contains("not on the team"),
        "{answer}"
    );
    assert_eq!(
        b.server.get("/v1/tasks", &b.token).await.1,
        json!([]),
        "nothing made"
    );
    let good = submit(json!({
        "title": {"value": {"type": "plain_text_input", "value": "Rotate the billing keys"}},
        "assignee": {"value": {"type": "users_select", "selected_user": "U_BOB"}},
        "due": {"value": {"type": "datepicker", "selected_date": "2026-12-02"}},
        "priority": {"value": {"type": "static_select", "selected_option": {"value": "high"}}},
        "project": {"value": {"type": "plain_text_input", "value": null}}}));
    let closed = interaction(&b, &good).send().await.unwrap();
    assert_eq!(closed.status(), 200);
    assert_eq!(
        closed.text().await.unwrap(),
        "",
        "an empty answer closes the modal"
    );
    let (_, task) = b.server.get("/v1/tasks/1", &b.token).await;
    assert_eq!(
        (
            task["title"].as_str(),
            task["assignee"].as_str(),
            task["due"].as_str(),
            task["priority"].as_str()
        ),
        (
            Some("Rotate the billing keys"),
            Some("Bob Smith"),
            Some("2026-12-02"),
            Some("high")
        )
    );
    let posts = b.posts(3).await;
    let told = posts
        .iter()
        .find(|(m, _, body)| m == "chat.postMessage" && body["channel"] == "U_ANN")
        .unwrap();
    assert!(
        told.2["text"]
            .as_str()
            .unwrap()
            .starts_with("Created task #1")
    );
    b.tab(0, "U_BOB", |t| t.contains("Rotate the billing keys"))
        .await;
    let past = submit(
        json!({"title": {"value": {"type": "plain_text_input", "value": "Too late"}},
                              "due": {"value": {"type": "datepicker", "selected_date": "2020-01-01"}}}),
    );
    let answer: Value = answered(&b, &past).await;
    assert!(
        answer["errors"]["due"].is_string(),
        "the tool's complaint under its field: {answer}"
    );
}

#[test]
fn the_app_manifest_names_what_the_server_handles() {
    let manifest = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/slack/manifest.yaml"
    ))
    .unwrap();
    for needed in [
        "/slack/events",
        "/slack/commands",
        "/slack/interactivity",
        "callback_id: create_task_from_message",
        "command: /maestro",
        "- app_home_opened",
        "- app_mention",
        "- message.im",
        "home_tab_enabled: true",
        "- users:read.email",
        "- assistant_thread_started",
        "- assistant:write",
        "assistant_view:",
        "- files:write",
    ] {
        assert!(manifest.contains(needed), "the manifest lacks {needed}");
    }
}

#[tokio::test]
async fn an_assistant_thread_suggests_prompts_then_thinks_before_answering() {
    let b = bot().await;
    let started = json!({"type": "event_callback", "team_id": "T1", "event_id": "EvThread1",
        "event": {"type": "assistant_thread_started", "assistant_thread": {
            "user_id": "U_BOB", "channel_id": "D_BOB", "thread_ts": "1700000100.000100",
            "context": {"channel_id": "C1", "team_id": "T1"}}}});
    assert_eq!(b.event(&started).send().await.unwrap().status(), 200);
    let posts = b.posts(1).await;
    assert_eq!(posts[0].0, "assistant.threads.setSuggestedPrompts");
    assert_eq!(posts[0].2["thread_ts"], "1700000100.000100");
    assert!(posts[0].2["prompts"].as_array().unwrap().len() >= 2);
    let said = |id: &str, ts: &str, text: &str| {
        json!({"type": "event_callback", "team_id": "T1", "event_id": id,
               "event": {"type": "message", "channel_type": "im", "channel": "D_BOB", "user": "U_BOB",
                         "ts": ts, "thread_ts": "1700000100.000100", "text": text}})
    };
    b.event(&said(
        "EvThread2",
        "1700000101.000100",
        "create a task for me to renew the certificates",
    ))
    .send()
    .await
    .unwrap();
    let posts = b.messages(1).await;
    assert_eq!(
        posts[0].2["thread_ts"], "1700000100.000100",
        "answered in the thread"
    );
    let all = b.posts.lock().unwrap().clone();
    let status = all
        .iter()
        .position(|p| p.0 == "assistant.threads.setStatus")
        .expect("a status");
    let answer = all.iter().position(|p| p.0 == "chat.postMessage").unwrap();
    assert!(status < answer, "thinking first: {all:?}");
    assert_eq!(all[status].2["status"], "is thinking…");
    // The thread is one conversation: "it" is the task just made.
    b.event(&said("EvThread3", "1700000102.000100", "make it urgent"))
        .send()
        .await
        .unwrap();
    let posts = b.messages(2).await;
    assert!(
        posts[1].2["text"].as_str().unwrap().contains("urgent"),
        "{:?}",
        posts[1]
    );
    let (_, task) = b.server.get("/v1/tasks/1", &b.token).await;
    assert_eq!(task["priority"], "urgent");
}

#[tokio::test]
async fn long_work_in_a_thread_shows_progress_in_place_then_the_answer_and_its_charts() {
    let b = bot().await;
    let iris = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../examples/data/iris.csv"
    ))
    .unwrap();
    let uploaded = b
        .server
        .req(reqwest::Method::PUT, "/v1/datasets/iris", &b.token)
        .header("content-type", "text/csv")
        .body(iris)
        .send()
        .await
        .unwrap();
    assert_eq!(uploaded.status(), 201);
    let train = mention(
        "EvTrain",
        "1700000200.000100",
        "<@UBOT> train a model on iris predicting target with a 3 second budget",
    );
    b.event(&train).send().await.unwrap();
    let posts = b.posts_of(1, |m| m == "files.completeUploadExternal").await;
    let done = &posts[0].2;
    assert_eq!(
        (done["channel_id"].as_str(), done["thread_ts"].as_str()),
        (Some("C1"), Some("1700000200.000100"))
    );
    assert_eq!(done["files"][0]["id"], "F1");
    let all = b.posts.lock().unwrap().clone();
    let first = &all.iter().find(|p| p.0 == "chat.postMessage").unwrap().2;
    assert!(
        first["text"].as_str().unwrap().starts_with(":hourglass"),
        "progress first: {first}"
    );
    let updates: Vec<&Value> = all
        .iter()
        .filter(|p| p.0 == "chat.update")
        .map(|p| &p.2)
        .collect();
    let last = updates.last().expect("the answer replaces the progress");
    assert_eq!(last["ts"], "1700000000.000200", "the progress message's ts");
    assert!(
        last["text"].as_str().unwrap().contains("Trained iris"),
        "{last}"
    );
    assert_eq!(
        all.iter().filter(|p| p.0 == "chat.postMessage").count(),
        1,
        "one message, updated in place"
    );
    let bytes = &all.iter().find(|p| p.0 == "upload/F1").unwrap().2;
    assert_eq!(bytes["png"], true, "{bytes}");
}

#[tokio::test]
async fn socket_mode_acknowledges_envelopes_answers_and_survives_a_disconnect() {
    use futures_util::{SinkExt as _, StreamExt as _};
    use tokio_tungstenite::tungstenite::Message;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("ws://{}/link", listener.local_addr().unwrap());
    let (acks, mut acked) = tokio::sync::mpsc::unbounded_channel::<Value>();
    // The envelopes wait until the workspace and its people exist.
    let (ready, go) = tokio::sync::oneshot::channel::<()>();
    // A fake Slack socket: hello, one mention, the ack; then a disconnect
    // on the first connection, and the same on the next.
    tokio::spawn(async move {
        let mut go = Some(go);
        for round in 0..2 {
            let (tcp, _) = listener.accept().await.unwrap();
            let mut ws = tokio_tungstenite::accept_async(tcp).await.unwrap();
            let hello = json!({"type": "hello", "num_connections": 1});
            ws.send(Message::text(hello.to_string())).await.unwrap();
            if let Some(go) = go.take() {
                go.await.unwrap();
            }
            let payload = mention(
                &format!("EvSock{round}"),
                &format!("1700000400.00010{round}"),
                "<@UBOT> who is on the team?",
            );
            let envelope = json!({"envelope_id": format!("env-{round}"), "type": "events_api",
                                  "accepts_response_payload": false, "retry_attempt": 0, "payload": payload});
            ws.send(Message::text(envelope.to_string())).await.unwrap();
            let ack = loop {
                match ws.next().await {
                    Some(Ok(Message::Text(text))) => {
                        break serde_json::from_str::<Value>(&text).unwrap();
                    }
                    Some(Ok(_)) => continue,
                    other => panic!("no ack: {other:?}"),
                }
            };
            acks.send(ack).unwrap();
            let bye = json!({"type": "disconnect", "reason": "refresh_requested"});
            ws.send(Message::text(bye.to_string())).await.unwrap();
        }
    });
    let b = bot_with(Some(url)).await;
    ready.send(()).unwrap();
    let first = tokio::time::timeout(Duration::from_secs(20), acked.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(first, json!({"envelope_id": "env-0"}));
    let second = tokio::time::timeout(Duration::from_secs(20), acked.recv())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        second,
        json!({"envelope_id": "env-1"}),
        "reconnected after the disconnect"
    );
    let answers = b.messages(2).await;
    let mut threads: Vec<&str> = answers
        .iter()
        .map(|p| p.2["thread_ts"].as_str().unwrap())
        .collect();
    threads.sort();
    assert_eq!(threads, ["1700000400.000100", "1700000400.000101"]);
    assert!(
        answers
            .iter()
            .all(|a| a.2.to_string().contains("Bob Smith")),
        "{:?}",
        answers[0]
    );
    let posts = b.posts.lock().unwrap().clone();
    let opened: Vec<&str> = posts
        .iter()
        .filter(|p| p.0 == "apps.connections.open")
        .map(|p| p.1.as_str())
        .collect();
    assert!(
        opened.len() >= 2 && opened.iter().all(|auth| *auth == "Bearer xapp-test"),
        "{opened:?}"
    );
}

#[tokio::test]
async fn without_a_signing_secret_slacks_http_requests_are_refused() {
    let (slack, _posts) = fake_slack(None).await;
    let server = start(|c| {
        c.slack = Some(SlackConfig {
            signing_secret: String::new(),
            bot_token: "xoxb-test".into(),
            api_url: format!("{slack}/api"),
            app_token: Some("xapp-test".into()),
        })
    })
    .await;
    // Signed with the empty secret, as anyone could.
    let body = mention("EvForged", "1700000500.000100", "delete task 1").to_string();
    let forged = server
        .http
        .post(server.url("/slack/events"))
        .header("x-slack-request-timestamp", now().to_string())
        .header(
            "x-slack-signature",
            slack_signature("", now(), body.as_bytes()),
        )
        .body(body);
    assert!(problem(forged, 404).await.contains("Socket Mode"));
}

#[tokio::test]
async fn a_change_made_over_rest_republishes_the_assignees_app_home() {
    let b = bot().await;
    let (status, _) = b
        .server
        .post(
            "/v1/tasks",
            &b.token,
            json!({"title": "Order the new laptops", "assignee": "Bob Smith"}),
        )
        .await;
    assert_eq!(status, 201);
    let published = b.posts_of(1, |m| m == "views.publish").await;
    assert_eq!(published[0].2["user_id"], "U_BOB");
    assert!(
        published[0].2["view"]["blocks"]
            .to_string()
            .contains("Order the new laptops")
    );
    // Ann has no Slack id: her tasks publish nothing.
    b.server
        .post(
            "/v1/tasks",
            &b.token,
            json!({"title": "Book the venue", "assignee": "Ann Lee"}),
        )
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(b.posts_of(1, |m| m == "views.publish").await.len(), 1);
    // A task that leaves Bob leaves his tab too.
    let since = b.mark();
    let moved = b
        .server
        .req(reqwest::Method::PATCH, "/v1/tasks/1", &b.token)
        .json(&json!({"assignee": "Ann Lee"}))
        .send()
        .await
        .unwrap();
    assert_eq!(moved.status(), 200);
    b.tab(since, "U_BOB", |t| !t.contains("Order the new laptops"))
        .await;
}

#[tokio::test]
async fn a_burst_of_changes_ends_with_a_tab_that_shows_them_all() {
    let b = bot().await;
    for i in 0..12 {
        let task = json!({"title": format!("Imported task {i}"), "assignee": "Bob Smith"});
        assert_eq!(b.server.post("/v1/tasks", &b.token, task).await.0, 201);
    }
    let last = b.tab(0, "U_BOB", |t| t.contains("Imported task 11")).await;
    assert!(
        (0..12).all(|i| last.contains(&format!("Imported task {i}"))),
        "{last}"
    );
}

/// A home with the workspace `acme` (Slack team T1) where, an hour before
/// the tests' now, Bob (with a Slack id), Ann (without one) and Cy (whose
/// Slack id Slack refuses) were each given a task due tomorrow, and Bob a
/// reminder due a minute before now.
fn home_with_news() -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    maestro_tools::store::SqliteDirectory::open(&home.path().join("maestro.db"))
        .unwrap()
        .create_workspace("acme", Some("T1"))
        .unwrap();
    let earlier = maestro_tools::Clock::parse("2026-11-26T09:00:00Z").unwrap();
    let platform = maestro_tools::Platform::open(home.path(), "acme", earlier).unwrap();
    let call = |tool: &str, args: Value| platform.call(None, tool, args).unwrap();
    for (name, slack_id) in [
        ("Bob Smith", Some("U_BOB")),
        ("Ann Lee", None),
        ("Cy Park", Some("C_PRIVATE")),
    ] {
        call("add_person", json!({"name": name, "slack_id": slack_id}));
        call(
            "create_task",
            json!({"title": format!("{name}'s report"), "assignee": name, "due": "2026-11-27"}),
        );
    }
    call(
        "create_reminder",
        json!({"text": "call the broker", "at": "2026-11-26T09:59", "person": "Bob Smith"}),
    );
    home
}

#[tokio::test]
async fn the_schedulers_reminders_and_digests_reach_people_as_slack_dms_once() {
    let (slack, posts) = fake_slack(None).await;
    let server = support::start_in(home_with_news(), |c| {
        c.slack = Some(SlackConfig {
            signing_secret: SECRET.into(),
            bot_token: "xoxb-test".into(),
            api_url: format!("{slack}/api"),
            app_token: None,
        });
        c.scheduler = Some(Duration::from_millis(50));
    })
    .await;
    let token = server.token("acme", Scope::Read);
    let mut outbox = Value::Null;
    for _ in 0..400 {
        outbox = server.get("/v1/outbox", &token).await.1;
        let settled = outbox.as_array().is_some_and(|all| {
            all.len() == 4
                && all.iter().all(|m| m["state"] != "sending")
                && all.iter().filter(|m| m["state"] != "kept").count() == 3
        });
        if settled {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    let state = |person: &str, kind: &str| -> (String, String) {
        let m = outbox
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["person"] == person && m["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind} for {person}: {outbox}"));
        (
            m["state"].as_str().unwrap().to_string(),
            m["error"].as_str().unwrap_or_default().to_string(),
        )
    };
    assert_eq!(state("Bob Smith", "digest").0, "sent");
    assert_eq!(state("Bob Smith", "reminder").0, "sent");
    assert_eq!(
        state("Ann Lee", "digest").0,
        "kept",
        "no Slack id: the outbox"
    );
    let (cy, error) = state("Cy Park", "digest");
    assert_eq!(cy, "failed");
    assert!(error.contains("not_in_channel"), "{error}");
    // More ticks send nothing again.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let to_bob: Vec<Value> = posts
        .lock()
        .unwrap()
        .iter()
        .filter(|(method, _, body)| method == "chat.postMessage" && body["channel"] == "U_BOB")
        .map(|(_, auth, body)| {
            assert_eq!(auth, "Bearer xoxb-test");
            body.clone()
        })
        .collect();
    assert_eq!(to_bob.len(), 2, "{to_bob:?}");
    let digest = to_bob
        .iter()
        .find(|b| b["text"].as_str().unwrap().starts_with("Your digest"))
        .unwrap();
    assert_eq!(digest["blocks"][0]["type"], "header");
    assert_eq!(
        digest["blocks"][0]["text"]["text"],
        "Your digest for Thursday 26 November"
    );
    assert!(
        digest["blocks"].to_string().contains("Bob Smith's report"),
        "{digest}"
    );
    assert!(
        to_bob
            .iter()
            .any(|b| b["text"] == "Reminder: call the broker"),
        "{to_bob:?}"
    );
}

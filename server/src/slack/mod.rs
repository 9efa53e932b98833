//! The Slack bot: Events API (`url_verification`, `app_mention`, direct
//! messages, `app_home_opened`), the slash command, the confirm/cancel
//! buttons, the App Home ([`home`]), the message shortcut ([`shortcut`])
//! and the create-task modal ([`modal`]). Requests come over HTTP, each
//! signature verified ([`verify`]), or over Socket Mode ([`socket`]); both
//! go to the same handler ([`handle`]). The bot acknowledges at once and
//! posts the answer afterwards through `chat.postMessage` (threaded) or the
//! `response_url` (a modal's submission alone is answered in the
//! acknowledgement, as Slack requires).

mod blocks;
mod deliver;
mod handle;
mod home;
mod live;
mod modal;
mod people;
mod shortcut;
mod socket;
mod threads;
mod verify;

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use maestro_assistant::{Assistant, Event, TurnOptions};
use maestro_tools::{Display, Person};
use serde_json::{Value, json};

use crate::api::Route;
use crate::openapi::Doc;
use crate::problem::Problem;
use crate::state::{AppState, blocking};

pub use verify::sign;

/// Slack's own Web API.
pub const DEFAULT_API_URL: &str = "https://slack.com/api";

/// The bot's settings (`SLACK_SIGNING_SECRET`, `SLACK_BOT_TOKEN`, `SLACK_API_URL`).
#[derive(Clone)]
pub struct SlackConfig {
    /// Verifies that requests come from Slack.
    pub signing_secret: String,
    /// The bot's `xoxb-` token for the Web API.
    pub bot_token: String,
    /// The Web API's base URL (default [`DEFAULT_API_URL`]).
    pub api_url: String,
    /// The app-level `xapp-` token: with it the bot connects out over Socket
    /// Mode ([`socket`]) and needs no public URL.
    pub app_token: Option<String>,
}

/// The running bot.
pub struct Slack {
    config: SlackConfig,
    http: reqwest::Client,
    /// The tasks each App Home shows, by (workspace, Slack user): whose tab
    /// a change to a task touches, even when the task leaves them.
    shown: std::sync::Mutex<HashMap<(String, String), std::collections::BTreeSet<i64>>>,
}

impl Slack {
    /// The bot for `config`.
    pub fn new(config: SlackConfig) -> Self {
        // reqwest is built without a default crypto provider (no aws-lc): use ring.
        let _ = rustls::crypto::ring::default_provider().install_default();
        Self {
            config,
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(30))
                .build()
                .unwrap_or_default(),
            shown: std::sync::Mutex::default(),
        }
    }

    /// Posts JSON to a Web API method (e.g. `chat.postMessage`) with the bot token.
    async fn post(&self, method: &str, body: &Value) -> Result<Value, String> {
        let request = self.http.post(self.url(method)).json(body);
        self.api(method, request.bearer_auth(&self.config.bot_token))
            .await
    }

    /// Posts form fields to a Web API method that takes them (e.g.
    /// `files.getUploadURLExternal`) with the bot token.
    async fn post_form(&self, method: &str, fields: &[(&str, &str)]) -> Result<Value, String> {
        let request = self.http.post(self.url(method)).form(fields);
        self.api(method, request.bearer_auth(&self.config.bot_token))
            .await
    }

    /// A Socket Mode WebSocket URL (`apps.connections.open`, with the app token).
    async fn open_connection(&self) -> Result<String, String> {
        let token = self
            .config
            .app_token
            .as_deref()
            .ok_or("no SLACK_APP_TOKEN for Socket Mode")?;
        let method = "apps.connections.open";
        let request = self.http.post(self.url(method)).bearer_auth(token);
        let reply = self.api(method, request).await?;
        reply["url"]
            .as_str()
            .map(str::to_string)
            .ok_or_else(|| format!("{method} answered without a url"))
    }

    /// Reads a Web API method that takes query arguments (e.g. `users.info`).
    async fn get(&self, method: &str, query: &[(&str, &str)]) -> Result<Value, String> {
        let request = self.http.get(self.url(method)).query(query);
        self.api(method, request.bearer_auth(&self.config.bot_token))
            .await
    }

    fn url(&self, method: &str) -> String {
        format!("{}/{method}", self.config.api_url.trim_end_matches('/'))
    }

    /// Sends a Web API request (its token set); Slack answers `{"ok": …}`.
    async fn api(&self, method: &str, request: reqwest::RequestBuilder) -> Result<Value, String> {
        let response = request.send().await.map_err(|e| format!("{method}: {e}"))?;
        let reply: Value = response
            .json()
            .await
            .map_err(|e| format!("{method}: {e}"))?;
        if reply["ok"] == true {
            Ok(reply)
        } else {
            Err(format!("{method}: Slack said {}", reply["error"]))
        }
    }

    /// `url` as a `response_url` to answer on, when it is Slack's: on
    /// `hooks.slack.com` over HTTPS, or on the host of the configured Web API
    /// (`SLACK_API_URL`). Anything else is refused, so a request cannot make
    /// the server post elsewhere.
    fn response_url(&self, url: String) -> Result<String, Problem> {
        let origin = |u: &reqwest::Url| {
            (
                u.scheme().to_string(),
                u.host_str().map(str::to_string),
                u.port_or_known_default(),
            )
        };
        let parsed = reqwest::Url::parse(&url).ok();
        let api = reqwest::Url::parse(&self.config.api_url).ok();
        let slack = parsed
            .as_ref()
            .is_some_and(|u| u.scheme() == "https" && u.host_str() == Some("hooks.slack.com"));
        let same_as_api = matches!((&parsed, &api), (Some(u), Some(a)) if origin(u) == origin(a));
        if slack || same_as_api {
            Ok(url)
        } else {
            Err(malformed("a response_url that is not Slack's"))
        }
    }

    /// Sends a file's bytes to the upload URL `files.getUploadURLExternal`
    /// gave (Slack's own answer, so the address is Slack's).
    async fn upload(&self, url: &str, bytes: Vec<u8>) -> Result<(), String> {
        Self::sent("the file upload", self.http.post(url).body(bytes)).await
    }

    /// Posts to a `response_url` (slash commands and buttons).
    async fn respond(&self, url: &str, body: &Value) -> Result<(), String> {
        Self::sent("response_url", self.http.post(url).json(body)).await
    }

    /// Sends a request to an address Slack gave; any success status will do.
    async fn sent(what: &str, request: reqwest::RequestBuilder) -> Result<(), String> {
        let response = request.send().await.map_err(|e| format!("{what}: {e}"))?;
        if response.status().is_success() {
            Ok(())
        } else {
            Err(format!("{what} answered {}", response.status()))
        }
    }
}

pub use deliver::deliver;

/// The Slack routes (documented with the others).
pub fn table() -> Vec<Route> {
    vec![
        Route {
            doc: Doc::new(
                "POST",
                "/slack/events",
                "Slack Events API: url_verification, app_mention, direct messages, app_home_opened (publishes the user's App Home), assistant_thread_started (suggested prompts); signed by Slack; retries dropped by event_id.",
            ),
            handler: post(events),
        },
        Route {
            doc: Doc::new(
                "POST",
                "/slack/commands",
                "The /maestro slash command (signed form post); the answer follows on the response_url. `/maestro new` opens the create-task modal.",
            ),
            handler: post(command),
        },
        Route {
            doc: Doc::new(
                "POST",
                "/slack/interactivity",
                "Interactivity (signed form post with a payload): confirm or cancel buttons of a destructive action, App Home's Complete and Snooze buttons, the message shortcut create_task_from_message, and the create-task modal's submission (errors answered inside it).",
            ),
            handler: post(interactivity),
        },
    ]
}

/// Keeps the App Homes of a workspace's people current ([`home::watch`]).
pub fn watch_homes(state: &Arc<AppState>, workspace: &str, platform: &maestro_tools::Platform) {
    home::watch(state, workspace, platform);
}

/// Connects the bot over Socket Mode, in the background until the server
/// stops, when it has an app token (and a runtime to run in).
pub fn start_socket_mode(state: &Arc<AppState>) {
    let Some(slack) = &state.slack else {
        return;
    };
    if slack.config.app_token.is_none() {
        return;
    }
    match tokio::runtime::Handle::try_current() {
        Ok(runtime) => {
            runtime.spawn(socket::run(Arc::clone(state), state.config.stop.clone()));
        }
        Err(_) => tracing::error!("Slack Socket Mode needs a tokio runtime; it is off"),
    }
}

/// The bot, after checking the request's signature.
fn verified<'a>(
    state: &'a AppState,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<&'a Slack, Problem> {
    let slack = state.slack.as_ref().ok_or_else(|| {
        Problem::not_found(
            "the Slack bot is off; set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN and restart",
        )
    })?;
    // Socket Mode alone has no signing secret: no HTTP request can be trusted.
    if slack.config.signing_secret.is_empty() {
        return Err(Problem::not_found(
            "this Slack bot uses Socket Mode; set SLACK_SIGNING_SECRET to take Slack's HTTP requests too",
        ));
    }
    verify::verify(
        &slack.config.signing_secret,
        headers,
        body,
        state.config.clock.now().timestamp(),
    )?;
    Ok(slack)
}

fn malformed(what: &str) -> Problem {
    Problem::bad_request(format!("malformed Slack request: {what}"))
}

/// Where a turn's answer goes.
enum Reply {
    /// `chat.postMessage` in a channel, in a thread.
    Thread { channel: String, ts: String },
    /// A slash command's or button's `response_url`.
    Url { url: String, replace: bool },
}

/// One request to run in the background: the workspace's turn and where the answer goes.
struct Job {
    team: String,
    user: String,
    text: String,
    session: String,
    /// The pending confirmation a button answers.
    answering: Option<String>,
    reply: Reply,
    /// An assistant thread: show "is thinking…" until the answer.
    thinking: bool,
}

async fn events(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    verified(&state, &headers, &body)?;
    let payload: Value = serde_json::from_slice(&body)
        .map_err(|e| malformed(&format!("the body is not JSON ({e})")))?;
    Ok(acknowledge(handle::on_event(&state, payload).await?))
}

async fn command(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    let Some((slack, form)) = verified_form(&state, &headers, &body).await? else {
        return Ok(StatusCode::OK.into_response());
    };
    Ok(acknowledge(handle::on_command(&state, slack, &form).await?))
}

async fn interactivity(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    let Some((slack, form)) = verified_form(&state, &headers, &body).await? else {
        return Ok(StatusCode::OK.into_response());
    };
    let payload: Value = form
        .get("payload")
        .and_then(|p| serde_json::from_str(p).ok())
        .ok_or_else(|| malformed("no JSON payload field"))?;
    Ok(acknowledge(
        handle::on_interaction(&state, slack, payload).await?,
    ))
}

/// The HTTP acknowledgement: 200 with the body, if any.
fn acknowledge(body: Option<Value>) -> Response {
    match body {
        Some(body) => Json(body).into_response(),
        None => StatusCode::OK.into_response(),
    }
}

/// True the first time `key` is delivered to any server sharing the directory.
async fn first_delivery(state: &Arc<AppState>, key: String) -> Result<bool, Problem> {
    let (state, now) = (Arc::clone(state), state.config.clock.now());
    blocking(move || Ok(state.directory.first_delivery(&key, now)?)).await
}

/// A verified request's form fields (slash commands and button clicks post
/// forms), or `None` when the same signed request came before (a replay:
/// its signature covers its time and body, and Slack never resends these).
async fn verified_form<'a>(
    state: &'a Arc<AppState>,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<Option<(&'a Slack, HashMap<String, String>)>, Problem> {
    let slack = verified(state, headers, body)?;
    let form =
        serde_urlencoded::from_bytes(body).map_err(|e| malformed(&format!("not a form ({e})")))?;
    let signature = headers
        .get("x-slack-signature")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let first = first_delivery(state, format!("slack:signed:{signature}")).await?;
    Ok(first.then_some((slack, form)))
}

/// The bot, for work that runs after an acknowledgement.
fn bot(state: &AppState) -> Result<&Slack, String> {
    state
        .slack
        .as_ref()
        .ok_or_else(|| "the Slack bot is off".to_string())
}

/// Runs the job after the acknowledgement.
fn spawn(state: &Arc<AppState>, job: Job) {
    let state = Arc::clone(state);
    background(async move { run(&state, job).await });
}

/// Runs `work` after the acknowledgement, keeping the request's span (its
/// id); a failure is logged (there is no one to answer any more).
fn background(work: impl Future<Output = Result<(), String>> + Send + 'static) {
    let job = async move {
        if let Err(e) = work.await {
            tracing::error!(error = %e, "slack job failed");
        }
    };
    tokio::spawn(tracing::Instrument::in_current_span(job));
}

/// A home tab's Complete or Snooze button, run after the acknowledgement.
fn press_home(
    state: &Arc<AppState>,
    payload: &Value,
    action_id: &str,
) -> Result<Option<Value>, Problem> {
    let text = |v: &Value, what: &str| {
        v.as_str()
            .map(str::to_string)
            .ok_or_else(|| malformed(what))
    };
    let team = text(&payload["team"]["id"], "no team.id")?;
    let user = text(&payload["user"]["id"], "no user.id")?;
    let value = text(&payload["actions"][0]["value"], "a button without its task")?;
    let (state, action_id) = (Arc::clone(state), action_id.to_string());
    background(async move {
        let slack = bot(&state)?;
        home::press(&state, slack, &team, &user, &action_id, &value).await
    });
    Ok(None)
}

/// A Slack user in the team's workspace: its assistant, the team, and
/// the person the user is (when on the team).
pub struct Seat {
    /// The workspace's name.
    pub workspace: String,
    /// The workspace's assistant.
    pub assistant: Assistant,
    /// Everyone on the team.
    pub people: Vec<Person>,
    /// The Slack user as a person on the team.
    pub actor: Option<String>,
}

impl Seat {
    /// Who the audit log names for `user`'s changes: the person, else `slack:USER`.
    pub fn acting(&self, user: &str) -> String {
        self.actor
            .clone()
            .unwrap_or_else(|| format!("slack:{user}"))
    }
}

/// `user` of `team` in its workspace, or the sentence that says why there
/// is none (the team is linked to no workspace).
pub async fn seat(
    state: &Arc<AppState>,
    slack: &Slack,
    team: &str,
    user: &str,
) -> Result<Result<Seat, String>, String> {
    match workspace(state, team).await? {
        Ok(workspace) => seat_in(state, slack, &workspace, user).await.map(Ok),
        Err(refusal) => Ok(Err(refusal)),
    }
}

/// `user` in `workspace`.
pub async fn seat_in(
    state: &Arc<AppState>,
    slack: &Slack,
    workspace: &str,
    user: &str,
) -> Result<Seat, String> {
    let assistant = state.assistant(workspace).await.map_err(|p| p.detail)?;
    let reader = assistant.clone();
    let people = blocking(move || Ok(reader.platform().lookup(None).people()?))
        .await
        .map_err(|p| p.detail)?;
    let actor = people::speaker(slack, &people, user).await;
    Ok(Seat {
        workspace: workspace.to_string(),
        assistant,
        people,
        actor,
    })
}

/// " (<URL/tasks/ID|open it>)" when the console's public address is known.
pub fn task_link(state: &AppState, id: i64) -> String {
    match &state.config.public_url {
        Some(url) => format!(" <{url}/tasks/{id}|Open task #{id}>"),
        None => String::new(),
    }
}

async fn run(state: &Arc<AppState>, job: Job) -> Result<(), String> {
    let slack = bot(state)?;
    if let (true, Reply::Thread { channel, ts }) = (job.thinking, &job.reply)
        && let Err(e) = threads::thinking(slack, channel, ts).await
    {
        tracing::warn!(error = %e, "no thinking status");
    }
    // In a thread, progress shows as it comes and charts are attached.
    let mut live = match &job.reply {
        Reply::Thread { channel, ts } => Some(live::Live::new(slack, channel, ts)),
        Reply::Url { .. } => None,
    };
    // The turn's events, for its charts after the answer.
    let mut charts = None;
    let (text, blocks) = match seat(state, slack, &job.team, &job.user).await? {
        Ok(seat) => {
            let request = people::plain_mentions(&job.text, &seat.people);
            let options = TurnOptions {
                actor: seat.actor.clone(),
                answering: job.answering.clone(),
                ..Default::default()
            };
            let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Event>();
            seat.assistant
                .stream(&job.session, &request, options, move |e| {
                    let _ = tx.send(e);
                });
            let mut events = Vec::new();
            while let Some(event) = rx.recv().await {
                match (&event, live.as_mut()) {
                    (Event::Progress { line, .. }, Some(live)) => live.progress(line).await,
                    (Event::Delta { text }, Some(live)) => live.delta(text).await,
                    _ => {}
                }
                events.push(event);
            }
            let message = blocks::message(&events, &job.session, live.is_some());
            charts = Some(events);
            message
        }
        Err(refusal) => (
            refusal.clone(),
            vec![json!({"type": "section", "text": {"type": "mrkdwn", "text": refusal}})],
        ),
    };
    let answered = match (&job.reply, &live) {
        (_, Some(live)) => live.answer(&text, &blocks).await,
        (Reply::Url { url, replace }, None) => {
            slack
                .respond(url, &json!({"response_type": "in_channel", "replace_original": replace, "text": text, "blocks": blocks}))
                .await
        }
        (Reply::Thread { .. }, None) => Err("a thread's answer without its thread".into()),
    };
    if let (Some(events), Some(live)) = (charts, &live) {
        for event in &events {
            if let Event::Display(Display::Chart { title, png }) = event
                && let Err(e) = live.chart(title, png).await
            {
                tracing::warn!(error = %e, "a chart was not uploaded to Slack");
            }
        }
    }
    answered
}

/// The workspace of a Slack team: its mapping, or the only workspace there
/// is; otherwise the sentence to answer with.
async fn workspace(state: &Arc<AppState>, team: &str) -> Result<Result<String, String>, String> {
    let (state, team) = (Arc::clone(state), team.to_string());
    blocking(move || {
        if let Some(w) = state.directory.workspace_for_team(&team)? {
            return Ok(Ok(w.name));
        }
        let all = state.directory.list_workspaces()?;
        Ok(match all.as_slice() {
            [only] => Ok(only.name.clone()),
            _ => Err(format!(
                "This Slack team ({team}) is not linked to a Maestro workspace; an admin can link it with `maestro workspace create NAME --slack-team {team}`."
            )),
        })
    })
    .await
    .map_err(|p| p.detail)
}

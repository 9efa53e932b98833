//! Scale-out benchmark (not a test): several `maestro serve` processes on one
//! PostgreSQL, written to by concurrent REST clients, then a count that finds
//! any lost or duplicated row and any lost update; then the same load on one
//! `maestro serve` over the embedded SQLite file, for comparison.
//!
//! ```text
//! scripts/postgres.sh cargo bench -p maestro-cli --bench scale_out -- \
//!     [--servers 4] [--clients 32] [--tasks 8000]
//! ```
//!
//! PostgreSQL is `MAESTRO_TEST_DATABASE_URL` (which `scripts/postgres.sh`
//! sets); without it only the SQLite run happens, and the output says so.
//!
//! Each client creates its share of the tasks through `POST /v1/tasks`, then
//! marks each one done with its own tag (`PATCH`), sending request *i* to
//! server *(client + i) mod N*. Four shared tasks also get one patch from
//! every client, each client changing one field (priority, description,
//! estimate or due date): all four must survive. Each server has a home
//! directory of its own, so all they share is the database.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, ExitCode, Output, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const MAESTRO: &str = env!("CARGO_BIN_EXE_maestro");

/// The load to apply.
struct Load {
    clients: usize,
    tasks: usize,
}

/// `maestro` with `args`, on the PostgreSQL at `url` when given.
fn maestro(home: &Path, url: Option<&str>, args: &[&str]) -> Result<Output, String> {
    let mut command = Command::new(MAESTRO);
    command
        .args(["--home", &home.to_string_lossy()])
        .args(args)
        .env_remove("MAESTRO_DATABASE_URL")
        .env_remove("MAESTRO_LLM_BASE_URL");
    if let Some(url) = url {
        command.env("MAESTRO_DATABASE_URL", url);
    }
    let out = command.output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "maestro {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(out)
}

/// Running servers; killed when dropped.
struct Servers {
    children: Vec<Child>,
    bases: Vec<String>,
    _homes: Vec<tempfile::TempDir>,
}

impl Servers {
    /// `count` servers with homes of their own (or all in `shared_home`).
    fn start(count: usize, url: Option<&str>, shared_home: Option<&Path>) -> Result<Self, String> {
        let mut servers = Servers {
            children: Vec::new(),
            bases: Vec::new(),
            _homes: Vec::new(),
        };
        for _ in 0..count {
            let own = tempfile::tempdir().map_err(|e| e.to_string())?;
            let home = shared_home.unwrap_or(own.path()).to_path_buf();
            servers._homes.push(own);
            let mut command = Command::new(MAESTRO);
            command
                .args(["--home", &home.to_string_lossy()])
                .args(["serve", "--addr", "127.0.0.1:0"])
                .env_remove("MAESTRO_DATABASE_URL")
                .env_remove("MAESTRO_LLM_BASE_URL")
                .stderr(Stdio::piped());
            if let Some(url) = url {
                command.env("MAESTRO_DATABASE_URL", url);
            }
            let mut child = command.spawn().map_err(|e| e.to_string())?;
            let mut line = String::new();
            BufReader::new(child.stderr.take().expect("piped"))
                .read_line(&mut line)
                .map_err(|e| e.to_string())?;
            servers.children.push(child);
            let addr = line
                .split("http://")
                .nth(1)
                .and_then(|rest| rest.split_whitespace().next())
                .ok_or(format!("maestro serve did not start: {line}"))?;
            servers.bases.push(format!("http://{addr}"));
        }
        Ok(servers)
    }
}

impl Drop for Servers {
    fn drop(&mut self) {
        for child in &mut self.children {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// One request; its latency, or what went wrong.
async fn send(request: reqwest::RequestBuilder) -> Result<(Value, Duration), String> {
    let started = Instant::now();
    let response = request.send().await.map_err(|e| e.to_string())?;
    let status = response.status();
    let body: Value = response.json().await.map_err(|e| e.to_string())?;
    if !status.is_success() {
        return Err(format!("{status}: {body}"));
    }
    Ok((body, started.elapsed()))
}

/// The shared task patch client `c` sends: one field of four.
fn shared_patch(c: usize) -> Value {
    match c % 4 {
        0 => json!({"priority": "urgent"}),
        1 => json!({"description": "patched"}),
        2 => json!({"estimate_hours": 5.0}),
        _ => json!({"due": "2026-12-24"}),
    }
}

/// Client `c`'s work; the latencies of its requests.
async fn client(
    http: reqwest::Client,
    bases: Arc<Vec<String>>,
    token: Arc<String>,
    c: usize,
    share: usize,
    shared: Arc<Vec<i64>>,
) -> Result<Vec<Duration>, String> {
    let tag = format!("client-{c}");
    let mut latencies = Vec::with_capacity(2 * share + shared.len());
    for i in 0..share {
        let base = &bases[(c + i) % bases.len()];
        let (made, t) = send(
            http.post(format!("{base}/v1/tasks"))
                .bearer_auth(token.as_str())
                .json(&json!({"title": format!("{tag} task {i}")})),
        )
        .await?;
        latencies.push(t);
        let id = made["id"].as_i64().ok_or(format!("no id in {made}"))?;
        let base = &bases[(c + i + 1) % bases.len()];
        let (_, t) = send(
            http.patch(format!("{base}/v1/tasks/{id}"))
                .bearer_auth(token.as_str())
                .json(&json!({"status": "done", "tags": [tag]})),
        )
        .await?;
        latencies.push(t);
    }
    for (k, id) in shared.iter().enumerate() {
        let base = &bases[(c + k) % bases.len()];
        let (_, t) = send(
            http.patch(format!("{base}/v1/tasks/{id}"))
                .bearer_auth(token.as_str())
                .json(&shared_patch(c)),
        )
        .await?;
        latencies.push(t);
    }
    Ok(latencies)
}

/// Every task of the workspace, page by page.
async fn all_tasks(http: &reqwest::Client, base: &str, token: &str) -> Result<Vec<Value>, String> {
    let mut tasks = Vec::new();
    loop {
        let (page, _) = send(
            http.get(format!("{base}/v1/tasks?limit=1000&offset={}", tasks.len()))
                .bearer_auth(token),
        )
        .await?;
        let page = page.as_array().cloned().unwrap_or_default();
        let done = page.len() < 1000;
        tasks.extend(page);
        if done {
            return Ok(tasks);
        }
    }
}

/// The figures of one run, and whether anything was lost.
async fn measure(
    backend: &str,
    servers: &Servers,
    token: String,
    load: &Load,
) -> Result<bool, String> {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(load.clients)
        .build()
        .map_err(|e| e.to_string())?;
    let bases = Arc::new(servers.bases.clone());
    let token = Arc::new(token);
    let mut shared = Vec::new();
    for i in 0..4 {
        let (made, _) = send(
            http.post(format!("{}/v1/tasks", bases[0]))
                .bearer_auth(token.as_str())
                .json(&json!({"title": format!("shared {i}")})),
        )
        .await?;
        shared.push(made["id"].as_i64().ok_or("no id")?);
    }
    let shared = Arc::new(shared);
    // Warm up: each server opens the workspace before the clock starts.
    for base in bases.iter() {
        send(
            http.get(format!("{base}/v1/tasks?limit=1"))
                .bearer_auth(token.as_str()),
        )
        .await?;
    }
    let started = Instant::now();
    let workers: Vec<_> = (0..load.clients)
        .map(|c| {
            let share = load.tasks / load.clients + usize::from(c < load.tasks % load.clients);
            tokio::spawn(client(
                http.clone(),
                Arc::clone(&bases),
                Arc::clone(&token),
                c,
                share,
                Arc::clone(&shared),
            ))
        })
        .collect();
    let mut latencies = Vec::new();
    for w in workers {
        latencies.extend(w.await.map_err(|e| e.to_string())??);
    }
    let elapsed = started.elapsed().as_secs_f64();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];

    let tasks = all_tasks(&http, &bases[bases.len() - 1], &token).await?;
    let mut ids: Vec<i64> = tasks.iter().filter_map(|t| t["id"].as_i64()).collect();
    ids.sort_unstable();
    ids.dedup();
    let created: Vec<&Value> = tasks
        .iter()
        .filter(|t| {
            !t["title"]
                .as_str()
                .unwrap_or_default()
                .starts_with("shared ")
        })
        .collect();
    let lost_updates = created
        .iter()
        .filter(|t| {
            let owner = t["title"].as_str().unwrap_or_default().split(' ').next();
            t["status"] != "done" || t["tags"] != json!([owner])
        })
        .count();
    let shared_kept = shared.iter().all(|id| {
        tasks.iter().any(|t| {
            t["id"] == *id
                && t["priority"] == "urgent"
                && t["description"] == "patched"
                && t["estimate_hours"] == 5.0
                && t["due"] == "2026-12-24"
        })
    });
    println!(
        "{}",
        json!({
            "backend": backend,
            "servers": bases.len(),
            "clients": load.clients,
            "tasks_expected": load.tasks,
            "tasks_counted": created.len(),
            "distinct_ids": ids.len(),
            "rows": tasks.len(),
            "lost_updates": lost_updates,
            "shared_patches_kept": shared_kept,
            "requests": latencies.len(),
            "seconds": (elapsed * 100.0).round() / 100.0,
            "requests_per_second": (latencies.len() as f64 / elapsed).round(),
            "p50_ms": (at(0.5).as_secs_f64() * 1e4).round() / 10.0,
            "p99_ms": (at(0.99).as_secs_f64() * 1e4).round() / 10.0,
        })
    );
    Ok(created.len() == load.tasks && ids.len() == tasks.len() && lost_updates == 0 && shared_kept)
}

/// A workspace and a write token for it.
fn workspace(home: &Path, url: Option<&str>) -> Result<String, String> {
    let name = format!(
        "scale-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_err(|e| e.to_string())?
            .as_micros()
    );
    maestro(home, url, &["workspace", "create", &name])?;
    let out = maestro(
        home,
        url,
        &[
            "token",
            "create",
            "--workspace",
            &name,
            "--name",
            "bench",
            "--json",
        ],
    )?;
    let created: Value = serde_json::from_slice(&out.stdout).map_err(|e| e.to_string())?;
    created["token"]
        .as_str()
        .map(str::to_string)
        .ok_or("no token printed".into())
}

fn arg(name: &str, default: usize) -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(default)
}

fn run() -> Result<bool, String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let load = Load {
        clients: arg("--clients", 32).max(1),
        tasks: arg("--tasks", 8000).max(1),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let mut intact = true;
    match std::env::var("MAESTRO_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => {
            let admin = tempfile::tempdir().map_err(|e| e.to_string())?;
            let token = workspace(admin.path(), Some(&url))?;
            let servers = Servers::start(arg("--servers", 4).max(1), Some(&url), None)?;
            intact &= runtime.block_on(measure("postgres", &servers, token, &load))?;
        }
        _ => println!(
            "SKIPPED the PostgreSQL run: MAESTRO_TEST_DATABASE_URL is not set (run this through scripts/postgres.sh)"
        ),
    }
    let home = tempfile::tempdir().map_err(|e| e.to_string())?;
    let token = workspace(home.path(), None)?;
    let servers = Servers::start(1, None, Some(home.path()))?;
    intact &= runtime.block_on(measure("sqlite", &servers, token, &load))?;
    Ok(intact)
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("rows or updates were lost or duplicated");
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

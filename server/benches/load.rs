//! Load benchmark (not a test): 64 concurrent clients against `maestro
//! serve` on 127.0.0.1 over the demo workspace, for `GET /v1/tasks` and a
//! read-only `POST /v1/chat` ("list my overdue tasks"). Reports requests per
//! second, p50/p99 latency, errors and the server's resident memory.
//!
//! `cargo bench -p maestro-server --bench load -- [--seconds N] [--clients N]`
//!
//! The server runs in a child process (this binary again, with
//! `MAESTRO_BENCH_SERVE=HOME`), so the memory figures are the server's alone.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use maestro_server::ServerConfig;
use maestro_tools::store::{Directory, Scope, SqliteDirectory};
use maestro_tools::{Clock, Platform, import};
use serde_json::json;
use support::opener;

mod support;

const WORKSPACE: &str = "bench";

/// The child: serve `home` and print the address.
fn serve(home: &Path) {
    let clock = Clock::from_env().expect("MAESTRO_NOW");
    let directory = Arc::new(SqliteDirectory::open(&home.join("maestro.db")).expect("directory"));
    let result = maestro_server::run(
        "127.0.0.1:0",
        ServerConfig::new(clock),
        directory,
        opener(home, clock),
        |addr| println!("{addr}"),
    );
    if let Err(e) = result {
        eprintln!("server: {e}");
        std::process::exit(1);
    }
}

fn rss_kib(pid: u32, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

struct Outcome {
    latencies: Vec<Duration>,
    errors: usize,
    elapsed: Duration,
    peak_rss_kib: u64,
}

async fn run(
    name: &str,
    clients: usize,
    seconds: u64,
    pid: u32,
    make: Arc<dyn Fn(&reqwest::Client) -> reqwest::RequestBuilder + Send + Sync>,
) -> Outcome {
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(clients)
        .build()
        .unwrap();
    // Warm up: opens the workspace and fills the connection pool.
    for _ in 0..clients.min(8) {
        let _ = make(&http).send().await.map(|r| r.status());
    }
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let sampler = tokio::spawn(async move {
        let mut peak = 0;
        while Instant::now() < deadline {
            peak = peak.max(rss_kib(pid, "VmRSS:"));
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        peak
    });
    let workers: Vec<_> = (0..clients)
        .map(|_| {
            let (http, make) = (http.clone(), Arc::clone(&make));
            tokio::spawn(async move {
                let (mut latencies, mut errors) = (Vec::new(), 0);
                while Instant::now() < deadline {
                    let t = Instant::now();
                    match make(&http).send().await {
                        Ok(r) if r.status().is_success() => match r.bytes().await {
                            Ok(_) => latencies.push(t.elapsed()),
                            Err(_) => errors += 1,
                        },
                        _ => errors += 1,
                    }
                }
                (latencies, errors)
            })
        })
        .collect();
    let mut outcome = Outcome {
        latencies: Vec::new(),
        errors: 0,
        elapsed: Duration::ZERO,
        peak_rss_kib: 0,
    };
    for w in workers {
        let (l, e) = w.await.unwrap();
        outcome.latencies.extend(l);
        outcome.errors += e;
    }
    outcome.elapsed = started.elapsed();
    outcome.peak_rss_kib = sampler.await.unwrap();
    outcome.latencies.sort();
    let n = outcome.latencies.len();
    let at = |q: f64| {
        outcome
            .latencies
            .get(((n as f64 * q) as usize).min(n.saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    println!(
        "{name:<28} {clients:>3} clients {:>7.1} req/s  p50 {:>7.1} ms  p99 {:>7.1} ms  errors {}  server RSS peak {:.1} MiB",
        n as f64 / outcome.elapsed.as_secs_f64(),
        at(0.50).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        outcome.errors,
        outcome.peak_rss_kib as f64 / 1024.0
    );
    outcome
}

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(default)
}

fn main() {
    if let Ok(home) = std::env::var("MAESTRO_BENCH_SERVE") {
        serve(Path::new(&home));
        return;
    }
    let _ = rustls::crypto::ring::default_provider().install_default();
    let (seconds, clients) = (arg("--seconds", 10), arg("--clients", 64) as usize);
    let home = tempfile::tempdir().unwrap();
    let clock = Clock::from_env().unwrap();
    let directory = SqliteDirectory::open(&home.path().join("maestro.db")).unwrap();
    directory.create_workspace(WORKSPACE, None).unwrap();
    let (token, _) = directory
        .create_token(WORKSPACE, "bench", Scope::Write, clock.now())
        .unwrap();
    let platform = Platform::open(home.path(), WORKSPACE, clock).unwrap();
    let (people, tasks) = import::load_demo(&platform).unwrap();
    let speaker = platform.query(None).people().unwrap()[0].name.clone();
    drop(platform);
    println!("demo workspace: {people} people, {tasks} tasks; speaker {speaker}");

    let mut child: Child = Command::new(std::env::current_exe().unwrap())
        .env("MAESTRO_BENCH_SERVE", home.path())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let base = format!("http://{}", line.trim());
    let pid = child.id();
    println!(
        "server pid {pid} at {base}; idle RSS {:.1} MiB",
        rss_kib(pid, "VmRSS:") as f64 / 1024.0
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut errors = 0;
    runtime.block_on(async {
        // The chat request is the read it should be: one list_tasks call.
        let probe: serde_json::Value = reqwest::Client::new()
            .post(format!("{base}/v1/chat"))
            .bearer_auth(&token)
            .json(&json!({"text": "list my overdue tasks", "as": speaker}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(probe["actions"][0]["tool"], "list_tasks", "{probe}");
        println!(
            "chat probe: {}",
            probe["reply"]
                .as_str()
                .unwrap_or_default()
                .lines()
                .next()
                .unwrap_or_default()
        );
        let (url, t) = (format!("{base}/v1/tasks"), token.clone());
        let list = run(
            "GET /v1/tasks",
            clients,
            seconds,
            pid,
            Arc::new(move |h| h.get(&url).bearer_auth(&t)),
        )
        .await;
        let (url, t) = (format!("{base}/v1/chat"), token.clone());
        let body = json!({"text": "list my overdue tasks", "as": speaker, "session": "bench"});
        let chat = run(
            "POST /v1/chat (read-only)",
            clients,
            seconds,
            pid,
            Arc::new(move |h| h.post(&url).bearer_auth(&t).json(&body)),
        )
        .await;
        errors = list.errors + chat.errors;
    });
    println!(
        "server RSS high-water mark {:.1} MiB",
        rss_kib(pid, "VmHWM:") as f64 / 1024.0
    );
    let _ = child.kill();
    let _ = child.wait();
    if errors > 0 {
        eprintln!("{errors} requests failed");
        std::process::exit(1);
    }
}

//! Console page benchmark (not a test): each page of the web console loaded
//! 100 times in a row by one signed-in client, on the demo workspace and on
//! the shipped 4,000-task history, both with the churn dataset and a model.
//! Reports the answer time's p50 and p90 (server time plus one loopback round
//! trip; the first load of each page, which trains what it needs, included)
//! and the page's size.
//!
//! `cargo bench -p maestro-server --bench console -- [--loads N]`

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use maestro_server::ServerConfig;
use maestro_tools::store::{Directory, Scope, SqliteDirectory};
use maestro_tools::{Clock, Platform, import};
use reqwest::redirect::Policy;
use serde_json::json;
use support::opener;

mod support;

const WORKSPACE: &str = "bench";
const PEOPLE: &str = include_str!("../../examples/history/task_history_people.csv");
const HISTORY: &str = include_str!("../../examples/history/task_history.csv");
const CHURN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../examples/data/churn.csv");
const PAGES: [&str; 10] = [
    "/",
    "/tasks",
    "/tasks?view=table",
    "/tasks/1",
    "/people",
    "/data",
    "/data/churn",
    "/models",
    "/models/churn",
    "/activity",
];

/// What fills a workspace with work.
type Fill = fn(&Platform);

/// A home whose workspace holds `fill`'s work, the churn dataset and a model;
/// answers a write token.
fn prepare(home: &Path, clock: Clock, fill: Fill) -> String {
    let directory = SqliteDirectory::open(&home.join("maestro.db")).unwrap();
    directory.create_workspace(WORKSPACE, None).unwrap();
    let (token, _) = directory
        .create_token(WORKSPACE, "bench", Scope::Write, clock.now())
        .unwrap();
    let platform = Platform::open(home, WORKSPACE, clock).unwrap();
    fill(&platform);
    platform
        .call(
            None,
            "register_dataset",
            json!({"path": CHURN, "name": "churn"}),
        )
        .unwrap();
    let args = json!({"dataset": "churn", "target": "churned", "exclude": ["customer_id"], "budget_seconds": 3});
    platform.call(None, "run_automl", args).unwrap();
    token
}

fn demo(platform: &Platform) {
    import::load_demo(platform).unwrap();
}

fn history(platform: &Platform) {
    import::import_people(platform, PEOPLE).unwrap();
    import::import_tasks(platform, HISTORY).unwrap();
}

/// The cookie `name` a response sets.
fn cookie(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|v| v.strip_prefix(&format!("{name}=")))
        .and_then(|v| v.split(';').next())
        .unwrap_or_default()
        .to_string()
}

/// Signs in with `token`: the session cookie header.
async fn sign_in(http: &reqwest::Client, base: &str, token: &str) -> String {
    let form = http.get(format!("{base}/login")).send().await.unwrap();
    let login = cookie(&form, "maestro_login");
    let done = http
        .post(format!("{base}/login"))
        .header("cookie", format!("maestro_login={login}"))
        .form(&[("token", token), ("csrf", &login)])
        .send()
        .await
        .unwrap();
    format!("maestro_session={}", cookie(&done, "maestro_session"))
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

async fn measure(label: &str, base: &str, token: &str, loads: usize) {
    let http = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let session = sign_in(&http, base, token).await;
    println!(
        "\n{label}\n{:<20} {:>9} {:>9} {:>9}",
        "page", "p50 ms", "p90 ms", "KiB"
    );
    for page in PAGES {
        let mut times = Vec::with_capacity(loads);
        let mut bytes = 0;
        for _ in 0..loads {
            let started = Instant::now();
            let response = http
                .get(format!("{base}{page}"))
                .header("cookie", &session)
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200, "{page}");
            bytes = response.bytes().await.unwrap().len();
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{page:<20} {:>9.1} {:>9.1} {:>9.1}",
            percentile(&times, 0.5),
            percentile(&times, 0.9),
            bytes as f64 / 1024.0
        );
    }
}

fn main() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let loads = std::env::args()
        .skip_while(|a| a != "--loads")
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);
    let clock = Clock::parse("2026-11-26T10:00:00Z").unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let fills: [(&str, Fill); 2] = [
        ("demo workspace (14 tasks)", demo),
        ("task history (4,000 tasks)", history),
    ];
    for (label, fill) in fills {
        let home = tempfile::tempdir().unwrap();
        let token = prepare(home.path(), clock, fill);
        let directory = Arc::new(SqliteDirectory::open(&home.path().join("maestro.db")).unwrap());
        let config = ServerConfig::new(clock);
        let app = maestro_server::app(config, directory, opener(home.path(), clock));
        runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let base = format!("http://{}", listener.local_addr().unwrap());
            let stop = tokio_util::sync::CancellationToken::new();
            let stopped = stop.clone();
            let server = tokio::spawn(maestro_server::serve(
                listener,
                app,
                async move { stopped.cancelled().await },
                Default::default(),
            ));
            measure(label, &base, &token, loads).await;
            stop.cancel();
            let _ = server.await;
        });
    }
}

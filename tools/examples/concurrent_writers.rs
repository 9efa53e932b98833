//! Many writers on one workspace: task creations and updates from concurrent
//! clients spread over several OS processes, then a count that finds any lost
//! or duplicated row and any lost update.
//!
//! ```text
//! cargo run -p maestro-tools --example concurrent_writers -- \
//!     --database postgres://…|sqlite:PATH --processes 4 --clients 32 --tasks 8000
//! ```
//!
//! Each client creates its share of the tasks, then marks each one done with
//! its own tag. Four shared tasks also get one patch from every client, each
//! client changing one field (priority, description, estimate or due date):
//! all four must survive. Prints one JSON line with the figures.

use std::process::{Command, ExitCode};
use std::sync::Arc;
use std::time::Instant;

use chrono::{NaiveDate, Utc};
use maestro_tools::store::{PgStore, SqliteStore};
use maestro_tools::{NewTask, Priority, Status, Store, StoreError, TaskFilter, TaskPatch};

struct Args {
    database: String,
    workspace: String,
    processes: usize,
    clients: usize,
    tasks: usize,
    /// In a child: its first client and how many it runs, and the shared task ids.
    child: Option<(usize, usize, Vec<i64>)>,
}

fn parse() -> Result<Args, String> {
    let mut args = Args {
        database: String::new(),
        workspace: format!("bench-{}", Utc::now().timestamp_micros()),
        processes: 1,
        clients: 32,
        tasks: 8000,
        child: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        let number = |v: String| v.parse::<usize>().map_err(|e| format!("{flag}: {e}"));
        match flag.as_str() {
            "--database" => args.database = value()?,
            "--workspace" => args.workspace = value()?,
            "--processes" => args.processes = number(value()?)?,
            "--clients" => args.clients = number(value()?)?,
            "--tasks" => args.tasks = number(value()?)?,
            "--child" => {
                let v = value()?;
                let parts: Vec<&str> = v.split(':').collect();
                let [first, count, shared] = parts.as_slice() else {
                    return Err("--child FIRST:COUNT:ID,ID,…".into());
                };
                let ids = shared
                    .split(',')
                    .map(|s| s.parse::<i64>().map_err(|e| e.to_string()))
                    .collect::<Result<_, _>>()?;
                args.child = Some((number(first.to_string())?, number(count.to_string())?, ids));
            }
            other => return Err(format!("unknown flag {other}")),
        }
    }
    if args.database.is_empty() {
        return Err("--database postgres://… or sqlite:PATH is required".into());
    }
    if args.processes == 0 || args.clients < args.processes || args.tasks < args.clients {
        return Err("need 1 ≤ processes ≤ clients ≤ tasks".into());
    }
    Ok(args)
}

fn open(args: &Args) -> Result<Box<dyn Store>, StoreError> {
    Ok(match args.database.strip_prefix("sqlite:") {
        Some(path) => Box::new(SqliteStore::open(path.as_ref(), &args.workspace)?),
        None => Box::new(PgStore::connect(&args.database, &args.workspace)?),
    })
}

/// Client `c`'s work: create its tasks, mark each done with its tag, patch the shared tasks.
fn client(store: &dyn Store, args: &Args, c: usize, shared: &[i64]) -> Result<(), StoreError> {
    let share = args.tasks / args.clients + usize::from(c < args.tasks % args.clients);
    let tag = format!("client-{c}");
    for i in 0..share {
        let t = store.create_task(
            NewTask {
                title: format!("{tag} task {i}"),
                ..NewTask::default()
            },
            Utc::now(),
        )?;
        store.update_task(
            t.id,
            TaskPatch {
                status: Some(Status::Done),
                tags: Some(vec![tag.clone()]),
                ..TaskPatch::default()
            },
            Utc::now(),
        )?;
    }
    for &id in shared {
        let patch = match c % 4 {
            0 => TaskPatch {
                priority: Some(Priority::Urgent),
                ..TaskPatch::default()
            },
            1 => TaskPatch {
                description: Some("patched".into()),
                ..TaskPatch::default()
            },
            2 => TaskPatch {
                estimate_hours: Some(5.0),
                ..TaskPatch::default()
            },
            _ => TaskPatch {
                due: NaiveDate::from_ymd_opt(2026, 12, 24),
                ..TaskPatch::default()
            },
        };
        store.update_task(id, patch, Utc::now())?;
    }
    Ok(())
}

/// Runs clients `first..first + count` on threads, one store per process.
fn run_clients(args: &Args, first: usize, count: usize, shared: &[i64]) -> Result<(), String> {
    let store: Arc<dyn Store> = Arc::from(open(args).map_err(|e| e.to_string())?);
    std::thread::scope(|s| {
        let handles: Vec<_> = (first..first + count)
            .map(|c| {
                let store = Arc::clone(&store);
                s.spawn(move || client(store.as_ref(), args, c, shared))
            })
            .collect();
        handles.into_iter().try_for_each(|h| {
            h.join()
                .map_err(|_| "a client panicked".to_string())?
                .map_err(|e| e.to_string())
        })
    })
}

fn main() -> ExitCode {
    match parse().and_then(run) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(args: Args) -> Result<(), String> {
    if let Some((first, count, shared)) = &args.child {
        return run_clients(&args, *first, *count, shared);
    }
    let store = open(&args).map_err(|e| e.to_string())?;
    let shared: Vec<i64> = (0..4)
        .map(|i| {
            store
                .create_task(
                    NewTask {
                        title: format!("shared {i}"),
                        ..NewTask::default()
                    },
                    Utc::now(),
                )
                .map(|t| t.id)
        })
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    let ids = shared
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let started = Instant::now();
    if args.processes == 1 {
        run_clients(&args, 0, args.clients, &shared)?;
    } else {
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let per = args.clients / args.processes;
        let children: Vec<_> = (0..args.processes)
            .map(|p| {
                let first = p * per;
                let count = if p + 1 == args.processes {
                    args.clients - first
                } else {
                    per
                };
                Command::new(&exe)
                    .args(["--database", &args.database, "--workspace", &args.workspace])
                    .args([
                        "--clients",
                        &args.clients.to_string(),
                        "--tasks",
                        &args.tasks.to_string(),
                    ])
                    .args(["--child", &format!("{first}:{count}:{ids}")])
                    .spawn()
            })
            .collect::<Result<_, _>>()
            .map_err(|e| e.to_string())?;
        for mut child in children {
            let status = child.wait().map_err(|e| e.to_string())?;
            if !status.success() {
                return Err(format!("a writer process failed ({status})"));
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let tasks = store
        .list_tasks(&TaskFilter::default())
        .map_err(|e| e.to_string())?;
    let mut ids: Vec<i64> = tasks.iter().map(|t| t.id).collect();
    ids.sort_unstable();
    ids.dedup();
    let created: Vec<_> = tasks
        .iter()
        .filter(|t| !t.title.starts_with("shared "))
        .collect();
    let lost_updates = created
        .iter()
        .filter(|t| {
            let owner = t.title.split(' ').next().unwrap_or_default();
            t.status != Status::Done || t.tags != [owner.to_string()]
        })
        .count();
    let shared_intact = shared.iter().all(|id| {
        tasks.iter().any(|t| {
            t.id == *id
                && t.priority == Priority::Urgent
                && t.description.as_deref() == Some("patched")
                && t.estimate_hours == Some(5.0)
                && t.due == NaiveDate::from_ymd_opt(2026, 12, 24)
        })
    });
    let operations = 2 * args.tasks + args.clients * shared.len();
    println!(
        "{}",
        serde_json::json!({
            "backend": if args.database.starts_with("sqlite:") { "sqlite" } else { "postgres" },
            "processes": args.processes,
            "clients": args.clients,
            "tasks_expected": args.tasks,
            "tasks_counted": created.len(),
            "distinct_ids": ids.len() - shared.len(),
            "lost_updates": lost_updates,
            "shared_patches_kept": shared_intact,
            "operations": operations,
            "seconds": (elapsed * 100.0).round() / 100.0,
            "operations_per_second": (operations as f64 / elapsed).round(),
        })
    );
    if created.len() != args.tasks || ids.len() != tasks.len() || lost_updates > 0 || !shared_intact
    {
        return Err("rows or updates were lost or duplicated".into());
    }
    Ok(())
}

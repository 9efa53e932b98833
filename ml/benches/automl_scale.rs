//! AutoML at scale: churn sets of 10k, 100k, 200k and 1M rows (the generator in
//! `benches/scale/churn_scale.py`, a fixed 80/20 split), AutoML with a 60 s
//! budget on the train file, ROC AUC on the test file. Prints, per size:
//! holdout AUC, peak RSS, trials, the time to the first model and the wall
//! time, beside FLAML's and earlier figures measured on this kind of machine
//! (`benches/scale/anchors_scale.json`, with their protocol).
//!
//! `cargo bench -p maestro-ml --bench automl_scale -- [--rows 10000,100000,200000,1000000] [--budget 60]`
//! (`MAESTRO_SCALE_TRACE=1` prints each trial to stderr). FLAML's figures
//! come from `benches/scale/flaml_scale.py`.
//!
//! Each size runs in a child process (this binary again), so its peak RSS is
//! its own. The generator needs Python with numpy and pandas: `PYTHON`, else
//! the test command's `./.venv`, else `python3`. Sets are kept in
//! `target/automl-scale/` and made once.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use maestro_ml::automl::{self, Progress, Spec};
use maestro_ml::{Frame, Metric};
use serde_json::{Value, json};

/// Set in the child: the rows of the set it runs on.
const CHILD: &str = "MAESTRO_SCALE_ROWS";

fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let budget: f64 = arg(&args, "--budget")
        .and_then(|b| b.parse().ok())
        .unwrap_or(60.0);
    let dir = root().join("target/automl-scale");
    if let Ok(rows) = std::env::var(CHILD) {
        let report = run(&dir, &rows, budget);
        println!("{report}");
        return;
    }
    let sizes = arg(&args, "--rows").unwrap_or_else(|| "10000,100000,200000,1000000".into());
    let anchors: Value = serde_json::from_str(include_str!("scale/anchors_scale.json"))
        .expect("anchors_scale.json is valid");
    println!(
        "budget {budget} s; reference protocol: {}",
        anchors["protocol"]
    );
    println!(
        "| rows | holdout AUC | peak RSS MB | trials | first model s | wall s | best | FLAML AUC / RSS MB | earlier Maestro AUC / RSS MB |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    for rows in sizes.split(',').map(str::trim).filter(|r| !r.is_empty()) {
        generate(&dir, rows);
        // The child's stderr (its trace, or why it failed) goes to ours.
        let child = Command::new(std::env::current_exe().expect("this binary"))
            .env(CHILD, rows)
            .args(["--budget", &budget.to_string()])
            .stderr(Stdio::inherit())
            .output()
            .expect("the child runs");
        if !child.status.success() {
            eprintln!("{rows} rows failed (see above)");
            continue;
        }
        let line = String::from_utf8_lossy(&child.stdout);
        let r: Value = serde_json::from_str(line.trim()).expect("the child's report");
        let anchor = |who: &[&str]| {
            who.iter()
                .find(|w| !anchors[**w][rows].is_null())
                .map_or("–".to_string(), |w| {
                    let a = &anchors[*w][rows];
                    format!("{} / {} ({w})", a["holdout_auc"], a["peak_rss_mb"])
                })
        };
        println!(
            "| {rows} | {:.4} | {:.0} | {} | {:.1} | {:.1} | {} | {} | {} |",
            r["holdout_auc"].as_f64().unwrap_or(f64::NAN),
            r["peak_rss_mb"].as_f64().unwrap_or(f64::NAN),
            r["trials"],
            r["first_model_s"].as_f64().unwrap_or(f64::NAN),
            r["wall_s"].as_f64().unwrap_or(f64::NAN),
            r["best"].as_str().unwrap_or(""),
            anchor(&["flaml_2_7", "flaml_2_8"]),
            anchor(&["maestro_78ad26a"]),
        );
    }
}

/// Makes the set of `rows` rows unless it is there.
fn generate(dir: &Path, rows: &str) {
    if dir.join(format!("test_{rows}.csv")).exists() {
        return;
    }
    let venv = root().join(".venv/bin/python");
    let python = std::env::var("PYTHON").unwrap_or_else(|_| {
        if venv.exists() {
            venv.display().to_string()
        } else {
            "python3".into()
        }
    });
    let script = root().join("ml/benches/scale/churn_scale.py");
    let made = Command::new(&python)
        .arg(&script)
        .arg(rows)
        .arg(dir)
        .status()
        .expect("the generator runs");
    assert!(
        made.success(),
        "{python} {} failed; it needs numpy and pandas",
        script.display()
    );
}

/// The child: AutoML on the train file, scored on the test file, as one JSON line.
fn run(dir: &Path, rows: &str, budget: f64) -> Value {
    let started = Instant::now();
    let train = Frame::read_csv(&dir.join(format!("train_{rows}.csv"))).expect("train file");
    let test = Frame::read_csv(&dir.join(format!("test_{rows}.csv"))).expect("test file");
    if std::env::var_os("MAESTRO_SCALE_TRACE").is_some() {
        eprintln!(
            "files read in {:.1} s (peak {:.0} MB)",
            started.elapsed().as_secs_f64(),
            peak_rss_mb().unwrap_or(f64::NAN)
        );
    }
    let spec = Spec {
        target: "churned".into(),
        metric: Some(Metric::RocAuc),
        budget: Duration::from_secs_f64(budget),
        folds: 5,
        seed: 42,
        exclude: vec!["customer_id".into()],
    };
    let mut first_model = None;
    let trace = std::env::var_os("MAESTRO_SCALE_TRACE").is_some();
    let mut report = |p: Progress| {
        if let Progress::Trial { elapsed, trial, .. } = &p {
            first_model.get_or_insert(*elapsed);
            if trace {
                eprintln!(
                    "{elapsed:6.1} s  {} on {} rows: {:.4} ({:.2} s a fit, peak {:.0} MB) {}",
                    trial.family,
                    trial.train_rows,
                    trial.cv_score,
                    trial.fit_s,
                    peak_rss_mb().unwrap_or(f64::NAN),
                    trial.params
                );
            }
        }
        if let (true, Progress::Refit { family }) = (trace, &p) {
            eprintln!(
                "refit {family} (peak so far {:.0} MB)",
                peak_rss_mb().unwrap_or(f64::NAN)
            );
        }
    };
    let outcome =
        automl::run(&train, &spec, &mut report, &AtomicBool::new(false)).expect("automl runs");
    let auc = outcome
        .pipeline
        .score(&test, Metric::RocAuc)
        .expect("scores");
    json!({
        "rows": rows,
        "holdout_auc": auc,
        "cv_auc": outcome.best.cv_score,
        "best": outcome.best.family,
        "trials": outcome.trials,
        "first_model_s": first_model,
        "search_s": outcome.elapsed_s,
        "wall_s": started.elapsed().as_secs_f64(),
        "peak_rss_mb": peak_rss_mb(),
    })
}

/// This process's peak resident memory (`VmHWM`), in MB.
fn peak_rss_mb() -> Option<f64> {
    std::fs::read_to_string("/proc/self/status")
        .ok()?
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .split_whitespace()
        .next()?
        .parse::<f64>()
        .ok()
        .map(|kib| kib / 1024.0)
}

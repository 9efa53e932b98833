//! AutoML against the scikit-learn and FLAML reference figures
//! (`benches/anchors.json`): CV score and wall time at 10 s and 30 s budgets on
//! every example dataset, plus a held-out check (train on 80%, score on the
//! other 20%) that the CV estimate is not an optimistic artefact.
//!
//! `cargo bench -p maestro-ml --bench automl [-- DATASET…] [--budgets 10,30] [--trace]`
//! prints a Markdown table and writes `target/automl-bench.json`.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use maestro_ml::automl::{self, Spec};
use maestro_ml::{Frame, Metric};
use serde_json::{Value, json};

/// (name, target, columns left out as in the reference runs).
const SETS: &[(&str, &str, &[&str])] = &[
    ("iris", "target", &[]),
    ("wine", "target", &[]),
    ("breast_cancer", "target", &[]),
    ("digits", "target", &[]),
    ("diabetes", "target", &[]),
    ("churn", "churned", &["customer_id", "gender"]),
    (
        "task_durations",
        "actual_hours",
        &[
            "task_id",
            "title",
            "created_at",
            "due_at",
            "completed_at",
            "missed_deadline",
        ],
    ),
];

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let budgets_at = args.iter().position(|a| a == "--budgets").map(|i| i + 1);
    let budgets: Vec<f64> = budgets_at
        .and_then(|i| args.get(i))
        .map_or(vec![10.0, 30.0], |b| {
            b.split(',').filter_map(|v| v.parse().ok()).collect()
        });
    // Dataset names: the arguments that are neither flags nor the budgets.
    let only: Vec<&String> = args
        .iter()
        .enumerate()
        .filter(|(i, a)| !a.starts_with("--") && Some(*i) != budgets_at)
        .map(|(_, a)| a)
        .collect();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let anchors: Value =
        serde_json::from_str(include_str!("anchors.json")).expect("anchors.json is valid");
    let mut rows = Vec::new();
    println!(
        "| dataset | metric | budget | CV score ± std | wall s | trials | best | FLAML | linear | held-out (CV on 80%) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for &(name, target, exclude) in SETS {
        if !only.is_empty() && !only.iter().any(|o| o.as_str() == name) {
            continue;
        }
        let frame = Frame::read_csv(&root.join(format!("../examples/data/{name}.csv")))
            .expect("example data reads");
        let anchor = &anchors["datasets"][name];
        let metric =
            Metric::parse(anchor["metric"].as_str().unwrap_or("accuracy")).expect("anchor metric");
        for &budget in &budgets {
            let spec = Spec {
                target: target.into(),
                metric: Some(metric),
                budget: Duration::from_secs_f64(budget),
                folds: 5,
                seed: 42,
                exclude: exclude.iter().map(|s| s.to_string()).collect(),
            };
            let trace = args.iter().any(|a| a == "--trace");
            let mut report = |p: automl::Progress| match p {
                automl::Progress::Trial { trial, elapsed, .. } if trace => eprintln!(
                    "{elapsed:6.2} s  trial {:>3} {:<11} {:.4}  fit {:.3} s  {}",
                    trial.n, trial.family, trial.cv_score, trial.fit_s, trial.params
                ),
                _ => {}
            };
            let run = automl::run(&frame, &spec, &mut report, &AtomicBool::new(false))
                .expect("automl runs");
            // Held out: every fifth row is kept aside; AutoML sees the rest.
            let test: Vec<usize> = (0..frame.rows()).step_by(5).collect();
            let train: Vec<usize> = (0..frame.rows()).filter(|r| r % 5 != 0).collect();
            let inner = automl::run(
                &frame.take_rows(&train),
                &spec,
                &mut |_| {},
                &AtomicBool::new(false),
            )
            .expect("automl runs");
            let held_out = inner
                .pipeline
                .score(&frame.take_rows(&test), metric)
                .expect("scores");
            let flaml = &anchor[if budget >= 30.0 { "flaml30" } else { "flaml10" }]["score"];
            println!(
                "| {name} | {} | {budget:.0} s | {:.4} ± {:.4} | {:.1} | {} | {} | {} | {} | {held_out:.4} ({:.4}) |",
                metric.name(),
                run.best.cv_score,
                run.best.cv_std,
                run.elapsed_s,
                run.trials,
                run.best.family,
                flaml,
                anchor["linear"]["score"],
                inner.best.cv_score
            );
            rows.push(json!({
                "dataset": name, "metric": metric.name(), "budget_s": budget,
                "cv_score": run.best.cv_score, "cv_std": run.best.cv_std, "elapsed_s": run.elapsed_s,
                "trials": run.trials, "best": {"family": run.best.family, "params": run.best.params},
                "flaml": flaml, "linear": anchor["linear"]["score"],
                "held_out": held_out, "held_out_cv": inner.best.cv_score, "held_out_elapsed_s": inner.elapsed_s,
            }));
        }
    }
    let out = root.join("../target/automl-bench.json");
    if let Err(e) = std::fs::write(
        &out,
        serde_json::to_string_pretty(&rows).unwrap_or_default(),
    ) {
        eprintln!("could not write {}: {e}", out.display());
    }
}

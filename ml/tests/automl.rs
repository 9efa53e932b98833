//! AutoML end to end on the example datasets: task detection, search quality,
//! honest cross-validation, interruption, refusals of bad input with messages
//! a person can act on, predicting on imperfect data, and saving models.
//!
//! Budgets are small (1–3 s) so the file runs quickly even in a debug build;
//! quality thresholds are ones a reasonable search reaches well within them.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use maestro_ml::automl::{self, FIRST_SAMPLE, HOLDOUT_FROM, Outcome, Progress, Spec, Validation};
use maestro_ml::pipeline::{Candidate, Ys};
use maestro_ml::prep::{Preprocessor, Typed};
use maestro_ml::target::{Target, select_features};
use maestro_ml::{Frame, Metric, MlError, Output, Params, Pipeline, Task};

/// Reads one of `examples/data/*.csv`.
macro_rules! data {
    ($name:literal) => {
        Frame::read_csv(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../examples/data/",
            $name,
            ".csv"
        )))
        .expect(concat!("examples/data/", $name, ".csv is readable"))
    };
}

fn spec(target: &str, budget_s: f64) -> Spec {
    Spec {
        target: target.into(),
        metric: None,
        budget: Duration::from_secs_f64(budget_s),
        folds: 5,
        seed: 42,
        exclude: Vec::new(),
    }
}

fn try_run(frame: &Frame, spec: &Spec) -> maestro_ml::Result<Outcome> {
    automl::run(frame, spec, &mut |_| {}, &AtomicBool::new(false))
}

/// Runs AutoML, checks what every successful run must satisfy, returns the outcome.
fn run(frame: &Frame, spec: &Spec) -> Outcome {
    let outcome = try_run(frame, spec).unwrap_or_else(|e| panic!("automl failed: {e}"));
    check_invariants(&outcome);
    outcome
}

fn check_invariants(o: &Outcome) {
    // How well the budget is kept is measured by the benchmark, not asserted here.
    assert!(!o.leaderboard.is_empty(), "no completed trial");
    assert!(o.trials >= o.leaderboard.len());
    let oriented = |s: f64| {
        if o.metric.higher_is_better() { s } else { -s }
    };
    // Best first among trials on as many rows; larger samples first.
    for pair in o.leaderboard.windows(2) {
        assert!(pair[0].train_rows >= pair[1].train_rows);
        assert!(
            pair[0].train_rows > pair[1].train_rows
                || oriented(pair[0].cv_score) >= oriented(pair[1].cv_score),
            "leaderboard not sorted best first: {} before {}",
            pair[0].cv_score,
            pair[1].cv_score
        );
    }
    assert_eq!(o.leaderboard[0].cv_score, o.best.cv_score);
    assert_eq!(o.pipeline.candidate, o.best.candidate);
    assert!(o.best.cv_score.is_finite() && o.best.cv_std >= 0.0);
    // Every row has an out-of-fold prediction, or on large data every row
    // of the holdout.
    let scored = match o.validation {
        Validation::Folds { .. } if o.oof_complete => o.rows,
        Validation::Folds { .. } => o.scored_rows.len(),
        Validation::Holdout { rows } => rows,
    };
    assert_eq!(o.scored_rows.len(), scored);
    assert_eq!(o.truth.len(), scored);
    let oof_rows = match &o.oof {
        Output::Probabilities(p) => {
            assert_eq!(p.ncols(), o.pipeline.target.classes.len());
            p.nrows()
        }
        Output::Values(v) => v.len(),
    };
    assert_eq!(oof_rows, scored);
    // The reported metrics are computed from the winner's out-of-fold
    // predictions on the same folds, so the optimised one matches its score.
    let (_, mean, _) = metric(o, o.metric);
    assert!(
        (mean - o.best.cv_score).abs() < 1e-9,
        "{} of out-of-fold predictions is {mean}, the best trial scored {}",
        o.metric.name(),
        o.best.cv_score
    );
}

fn metric(o: &Outcome, m: Metric) -> (Metric, f64, f64) {
    *o.metrics
        .iter()
        .find(|x| x.0 == m)
        .unwrap_or_else(|| panic!("no {} in the outcome's metrics", m.name()))
}

fn dropped_reason<'a>(o: &'a Outcome, column: &str) -> Option<&'a str> {
    o.dropped
        .iter()
        .find(|(c, _)| c == column)
        .map(|(_, r)| r.as_str())
}

fn error_of(frame: &Frame, spec: &Spec) -> String {
    match try_run(frame, spec) {
        Ok(o) => panic!(
            "expected an error, got a {} model scoring {}",
            o.best.family, o.best.cv_score
        ),
        Err(e) => e.to_string(),
    }
}

fn assert_mentions(message: &str, words: &[&str]) {
    for w in words {
        assert!(message.contains(w), "{message:?} does not mention {w:?}");
    }
}

/// A frame from string columns (`None` for missing cells).
fn frame_of(columns: Vec<(&str, Vec<Option<String>>)>) -> Frame {
    let (names, cells) = columns.into_iter().map(|(n, c)| (n.to_string(), c)).unzip();
    Frame::new(names, cells).unwrap()
}

/// A frame with the columns of `frame` except `drop`, with `edit` applied to each cell.
fn rebuild(
    frame: &Frame,
    drop: &[&str],
    edit: impl Fn(&str, usize, Option<&str>) -> Option<String>,
) -> Frame {
    let mut names = Vec::new();
    let mut columns = Vec::new();
    for (i, name) in frame.names().iter().enumerate() {
        if drop.contains(&name.as_str()) {
            continue;
        }
        names.push(name.clone());
        columns.push(
            frame
                .column_at(i)
                .iter()
                .enumerate()
                .map(|(r, c)| edit(name, r, c))
                .collect(),
        );
    }
    Frame::new(names, columns).unwrap()
}

fn probabilities(output: &Output) -> &ndarray::Array2<f64> {
    match output {
        Output::Probabilities(p) => p,
        Output::Values(_) => panic!("expected class probabilities, got values"),
    }
}

/// The churn model (gender excluded), trained once and shared by several
/// tests, with a budget that lets the first trial finish every fold even on a
/// loaded machine (5,000 rows).
fn churn() -> &'static (Frame, Outcome) {
    static CHURN: OnceLock<(Frame, Outcome)> = OnceLock::new();
    CHURN.get_or_init(|| {
        let frame = data!("churn");
        let spec = Spec {
            exclude: vec!["gender".into()],
            ..spec("churned", 5.0)
        };
        let outcome = run(&frame, &spec);
        (frame, outcome)
    })
}

#[test]
fn iris_is_multiclass_and_learnt_well() {
    let frame = data!("iris");
    let spec = spec("target", 2.0);
    let o = run(&frame, &spec);
    assert_eq!(o.pipeline.target.task, Task::Multiclass);
    assert_eq!(o.pipeline.target.classes, ["0", "1", "2"]);
    assert_eq!(o.metric, Metric::Accuracy);
    assert_eq!(o.rows, 150);
    assert!(o.dropped.is_empty(), "dropped {:?}", o.dropped);
    assert!(
        o.best.cv_score >= 0.93,
        "cv accuracy {} ({})",
        o.best.cv_score,
        o.best.family
    );
    // A cheap, well-regularised model is tried first.
    let first = o.leaderboard.iter().min_by_key(|t| t.n).unwrap();
    assert_eq!(first.n, 1);
    assert_eq!(first.family, "linear");
    for m in [
        Metric::Accuracy,
        Metric::F1,
        Metric::RocAuc,
        Metric::LogLoss,
    ] {
        let (_, mean, std) = metric(&o, m);
        assert!(
            mean.is_finite() && std.is_finite(),
            "{}: {mean} ± {std}",
            m.name()
        );
    }
    assert!(metric(&o, Metric::RocAuc).1 > 0.95);
    assert!(metric(&o, Metric::LogLoss).1 > 0.0);

    let prediction = o.pipeline.predict(&frame).unwrap();
    assert_eq!(prediction.report, Default::default());
    let p = probabilities(&prediction.output);
    assert_eq!(p.dim(), (150, 3));
    for row in p.rows() {
        assert!(row.iter().all(|&v| (0.0..=1.0).contains(&v)));
        assert!((row.sum() - 1.0).abs() < 1e-9, "row sums to {}", row.sum());
    }
    let train_accuracy = o.pipeline.score(&frame, Metric::Accuracy).unwrap();
    assert!(train_accuracy >= 0.93, "refit accuracy {train_accuracy}");
}

#[test]
fn churn_is_binary_and_drops_identifiers() {
    let (_, o) = churn();
    assert_eq!(o.pipeline.target.task, Task::Binary);
    assert_eq!(o.pipeline.target.classes, ["no", "yes"]);
    assert_eq!(o.pipeline.target.positive(), Some("yes"));
    assert_eq!(o.metric, Metric::RocAuc);
    assert_eq!(o.rows, 5000);
    let reason = dropped_reason(o, "customer_id").expect("customer_id is not dropped");
    assert!(
        reason.contains("identifier"),
        "customer_id dropped as {reason:?}"
    );
    assert_eq!(dropped_reason(o, "gender"), Some("excluded on request"));
    let features = o.pipeline.features();
    assert!(!features.iter().any(|f| f == "customer_id" || f == "gender"));
    assert!(!features.iter().any(|f| f == "churned"));
    assert!(features.iter().any(|f| f == "tenure_months"));
    assert!(
        o.best.cv_score >= 0.78,
        "cv ROC AUC {} ({})",
        o.best.cv_score,
        o.best.family
    );
}

#[test]
fn churn_cross_validation_is_honest_on_held_out_rows() {
    let frame = data!("churn");
    let test_rows: Vec<usize> = (0..frame.rows()).step_by(5).collect();
    let train_rows: Vec<usize> = (0..frame.rows()).filter(|r| r % 5 != 0).collect();
    let (train, test) = (frame.take_rows(&train_rows), frame.take_rows(&test_rows));
    let o = run(&train, &spec("churned", 5.0));
    assert_eq!(o.rows, 4000);
    let held_out = o.pipeline.score(&test, Metric::RocAuc).unwrap();
    assert!(
        (held_out - o.best.cv_score).abs() <= 0.04,
        "cv ROC AUC {} but {held_out} on held-out rows ({})",
        o.best.cv_score,
        o.best.family
    );
}

/// `rows` rows of a yes/no outcome of two numbers and a category, through a
/// logistic formula with noise (a small xorshift, so no data file is needed).
fn synthetic(rows: usize) -> Frame {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut unit = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut columns: Vec<Vec<Option<String>>> = vec![Vec::new(); 4];
    for _ in 0..rows {
        let (a, b) = (unit() * 4.0 - 2.0, unit() * 10.0);
        let plan = ["basic", "plus", "pro"][(unit() * 3.0) as usize];
        let logit = 1.5 * a - 0.3 * b + if plan == "pro" { 1.0 } else { 0.0 } + 1.0;
        let yes = unit() < 1.0 / (1.0 + (-logit).exp());
        let cells = [
            format!("{a:.3}"),
            format!("{b:.2}"),
            plan.into(),
            yes.to_string(),
        ];
        for (column, cell) in columns.iter_mut().zip(cells) {
            column.push(Some(cell));
        }
    }
    let names = ["a", "b", "plan", "churned"].map(String::from).to_vec();
    Frame::new(names, columns).unwrap()
}

#[test]
fn large_data_is_scored_on_a_holdout_with_growing_samples_and_refit_on_every_row() {
    let rows = HOLDOUT_FROM + 10_000;
    let frame = synthetic(rows);
    let o = run(&frame, &spec("churned", 4.0));
    assert_eq!(o.rows, rows);
    let Validation::Holdout { rows: held_out } = o.validation else {
        panic!("{rows} rows were cross-validated: {:?}", o.validation);
    };
    assert_eq!(
        held_out,
        rows / 6,
        "a stratified sixth (at least 10,000 rows) is held out"
    );
    let mut scored = o.scored_rows.clone();
    scored.dedup();
    assert_eq!(scored.len(), held_out, "each held-out row is scored once");
    // The first trials train on a sample; none on a held-out row's share.
    let smallest = o.leaderboard.iter().map(|t| t.train_rows).min().unwrap();
    assert_eq!(smallest, FIRST_SAMPLE);
    assert!(
        o.leaderboard
            .iter()
            .all(|t| t.train_rows <= rows - held_out)
    );
    assert_eq!(
        o.best.train_rows, o.leaderboard[0].train_rows,
        "the best is on the largest sample"
    );
    assert!(o.first_model_s.is_some_and(|s| s > 0.0 && s < 4.0));
    // The estimate carries a spread (over parts of the holdout), and the
    // model, refit on every row, generalises to fresh rows as estimated.
    let (_, auc, spread) = metric(&o, Metric::RocAuc);
    assert!(
        auc > 0.75 && spread > 0.0 && spread < 0.05,
        "{auc} ± {spread}"
    );
    let fresh = o.pipeline.score(&synthetic(2_000), Metric::RocAuc).unwrap();
    assert!(
        (fresh - auc).abs() < 0.05,
        "holdout {auc}, fresh rows {fresh}"
    );
    assert!(
        o.notes
            .iter()
            .any(|n| n.contains("holdout") && n.contains(&format!("all {rows} rows"))),
        "{:?}",
        o.notes
    );
}

#[test]
fn skewed_durations_are_regressed_with_a_log_target() {
    let frame = data!("task_durations");
    let spec = Spec {
        exclude: [
            "task_id",
            "title",
            "created_at",
            "due_at",
            "completed_at",
            "missed_deadline",
        ]
        .map(String::from)
        .to_vec(),
        ..spec("actual_hours", 3.0)
    };
    let o = run(&frame, &spec);
    assert_eq!(o.pipeline.target.task, Task::Regression);
    assert!(o.pipeline.target.classes.is_empty());
    assert_eq!(o.metric, Metric::R2);
    assert!(
        o.best.cv_score >= 0.8,
        "cv R² {} ({})",
        o.best.cv_score,
        o.best.family
    );
    let (_, rmse, _) = metric(&o, Metric::Rmse);
    let (_, mae, _) = metric(&o, Metric::Mae);
    assert!(rmse > 0.0 && mae > 0.0 && mae <= rmse);
    assert!(
        o.leaderboard.iter().any(|t| t.params["log_target"] == true),
        "no log-target trial on the leaderboard: {:?}",
        o.leaderboard
            .iter()
            .map(|t| t.params.to_string())
            .collect::<Vec<_>>()
    );
    let Output::Values(v) = o.pipeline.predict(&frame).unwrap().output else {
        panic!("a regressor predicted probabilities");
    };
    assert_eq!(v.len(), frame.rows());
    assert!(v.iter().all(|x| x.is_finite()));
    if o.pipeline.candidate.log_target {
        assert!(
            v.iter().all(|&x| x >= 0.0),
            "a log target predicted below 0"
        );
    }
}

#[test]
fn interrupting_keeps_the_best_so_far() {
    let frame = data!("iris");
    let spec = spec("target", 3.0);
    let cancel = AtomicBool::new(false);
    let (mut started, mut trials, mut refits) = (0, 0, 0);
    let o = automl::run(
        &frame,
        &spec,
        &mut |p| match p {
            Progress::Started { task, rows, .. } => {
                assert_eq!((task, rows), (Task::Multiclass, 150));
                started += 1;
            }
            Progress::Trial { .. } => {
                trials += 1;
                cancel.store(true, Ordering::Relaxed);
            }
            Progress::Refit { .. } => refits += 1,
        },
        &cancel,
    )
    .unwrap();
    assert!(o.interrupted);
    assert!(o.trials <= 3, "{} trials after the cancel", o.trials);
    assert_eq!((started, trials, refits), (1, o.leaderboard.len(), 1));
    check_invariants(&o);
    let p = o.pipeline.predict(&frame).unwrap();
    assert_eq!(probabilities(&p.output).dim(), (150, 3));
    assert!(o.pipeline.score(&frame, Metric::Accuracy).unwrap() > 0.8);

    let cancelled = AtomicBool::new(true);
    match automl::run(&frame, &spec, &mut |_| {}, &cancelled) {
        Err(MlError::Cancelled) => {}
        Err(e) => panic!("expected Cancelled, got {e}"),
        Ok(o) => panic!("a cancelled run trained {} trials", o.trials),
    }
}

#[test]
fn a_missing_target_column_suggests_the_closest() {
    let churn = data!("churn");
    let message = error_of(&churn, &spec("churn", 1.0));
    assert_mentions(&message, &["\"churn\"", "did you mean", "\"churned\""]);
    // An excluded column must exist too.
    let message = error_of(
        &churn,
        &Spec {
            exclude: vec!["genders".into()],
            ..spec("churned", 1.0)
        },
    );
    assert_mentions(&message, &["\"genders\"", "did you mean", "\"gender\""]);
    // Case does not matter for the target.
    let o = run(&data!("iris"), &spec("TARGET", 1.0));
    assert_eq!(o.pipeline.target.name, "target");
}

#[test]
fn targets_that_cannot_be_learnt_are_refused() {
    let x: Vec<Option<String>> = (0..40).map(|i| Some(i.to_string())).collect();
    let one_class = frame_of(vec![("x", x.clone()), ("y", vec![Some("yes".into()); 40])]);
    assert_mentions(
        &error_of(&one_class, &spec("y", 1.0)),
        &["only one value", "\"yes\""],
    );

    let iris = data!("iris");
    let r2 = Spec {
        metric: Some(Metric::R2),
        ..spec("target", 1.0)
    };
    assert_mentions(
        &error_of(&iris, &r2),
        &["class target", "r2 cannot score", "accuracy", "roc_auc"],
    );
    let accuracy_on_numbers = Spec {
        metric: Some(Metric::Accuracy),
        ..spec("bmi", 1.0)
    };
    assert_mentions(
        &error_of(&data!("diabetes"), &accuracy_on_numbers),
        &["numeric target", "accuracy cannot score", "r2"],
    );

    let churn = data!("churn");
    assert_mentions(
        &error_of(&churn, &spec("customer_id", 1.0)),
        &["customer_id", "identifiers", "cannot be predicted"],
    );
    let tasks = data!("task_durations");
    assert_mentions(
        &error_of(&tasks, &spec("title", 1.0)),
        &["title", "cannot be predicted"],
    );

    // A numeric-looking target with a text cell: the cell is named.
    let typo = rebuild(&tasks, &[], |name, row, cell| {
        if name == "actual_hours" && row == 7 {
            Some("about 3".into())
        } else {
            cell.map(str::to_string)
        }
    });
    assert_mentions(
        &error_of(&typo, &spec("actual_hours", 1.0)),
        &[
            "actual_hours",
            "looks numeric",
            "1 cells are not numbers",
            "\"about 3\"",
        ],
    );
}

#[test]
fn folds_must_fit_the_data() {
    let iris = data!("iris");
    let one_fold = Spec {
        folds: 1,
        ..spec("target", 1.0)
    };
    assert_mentions(&error_of(&iris, &one_fold), &["at least 2 folds"]);
    let zero_folds = Spec {
        folds: 0,
        ..spec("target", 1.0)
    };
    assert_mentions(&error_of(&iris, &zero_folds), &["at least 2 folds"]);

    let tiny = frame_of(vec![
        ("x", (0..6).map(|i| Some(i.to_string())).collect()),
        (
            "y",
            (0..6)
                .map(|i| Some(["a", "b"][i % 2].to_string()))
                .collect(),
        ),
    ]);
    assert_mentions(
        &error_of(&tiny, &spec("y", 1.0)),
        &["only 6 rows", "5-fold", "at least 10"],
    );
    // Rows without a target do not count.
    let mut sparse = iris.clone();
    let target = sparse.index_of("target").unwrap();
    let cells = sparse
        .column_at(target)
        .iter()
        .enumerate()
        .map(|(r, c)| if r % 25 == 0 { c } else { None })
        .collect::<maestro_ml::Column>();
    sparse.set_column(target, cells);
    assert_mentions(
        &error_of(&sparse, &spec("target", 1.0)),
        &["only 6 rows", "at least 10"],
    );
}

#[test]
fn unreadable_csv_is_refused_with_a_reason() {
    let err = |bytes: &[u8]| match Frame::from_csv(bytes) {
        Ok(f) => panic!("read {} rows of {:?}", f.rows(), f.names()),
        Err(e) => e.to_string(),
    };
    assert_mentions(&err(b""), &["empty"]);
    assert_mentions(&err(b"a,b\n"), &["no rows"]);
    assert_mentions(
        &err(b"a,b\n1,2\n3\n4,5\n"),
        &["row 3", "1 cells", "header has 2"],
    );
    assert_mentions(&err(b"a,b\n1,2,3\n"), &["row 2", "3 cells", "header has 2"]);
    assert_mentions(&err(b"a,b\n1,\xff\xfe\n"), &["not UTF-8"]);
    assert_mentions(&err(b"a,,c\n1,2,3\n"), &["column 2 has no name"]);
    assert_mentions(&err(b"a,A\n1,2\n"), &["appears twice"]);
    let missing = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/no/such.csv"));
    assert_mentions(
        &Frame::read_csv(missing).unwrap_err().to_string(),
        &["cannot read", "such.csv"],
    );
}

#[test]
fn an_all_missing_column_is_dropped_and_training_works() {
    let iris = data!("iris");
    let mut names = iris.names().to_vec();
    let mut columns: Vec<_> = (0..names.len())
        .map(|i| iris.column_at(i).to_vec())
        .collect();
    names.insert(0, "notes".into());
    columns.insert(0, vec![None; iris.rows()]);
    let frame = Frame::new(names, columns).unwrap();
    let o = run(&frame, &spec("target", 1.0));
    assert_eq!(dropped_reason(&o, "notes"), Some("all missing"));
    assert!(!o.pipeline.features().contains(&"notes".to_string()));
    assert!(o.best.cv_score >= 0.9, "cv accuracy {}", o.best.cv_score);
    // A frame with only unusable columns is refused, naming why.
    let useless = frame_of(vec![
        ("blank", vec![None; 30]),
        ("same", vec![Some("x".into()); 30]),
        ("y", (0..30).map(|i| Some((i % 2).to_string())).collect()),
    ]);
    assert_mentions(
        &error_of(&useless, &spec("y", 1.0)),
        &[
            "no column is usable",
            "blank is all missing",
            "same is constant",
        ],
    );
}

#[test]
fn a_ten_thousand_level_category_is_dropped_or_capped() {
    let n = 10_000;
    let mut state = 7u64;
    let mut unit = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let x: Vec<f64> = (0..n).map(|_| unit() * 2.0 - 1.0).collect();
    let noise: Vec<f64> = (0..n).map(|_| unit()).collect();
    let frame = frame_of(vec![
        ("code", (0..n).map(|i| Some(format!("L{i:05}"))).collect()),
        ("x", x.iter().map(|v| Some(format!("{v:.4}"))).collect()),
        (
            "y",
            x.iter()
                .zip(&noise)
                .map(|(v, u)| {
                    Some(
                        if v + 0.3 * (u - 0.5) > 0.0 {
                            "yes"
                        } else {
                            "no"
                        }
                        .into(),
                    )
                })
                .collect(),
        ),
    ]);
    let o = run(&frame, &spec("y", 2.0));
    let as_identifier = dropped_reason(&o, "code").is_some_and(|r| r.contains("identifier"));
    let capped = o
        .notes
        .iter()
        .any(|note| note.contains("code") && note.contains("most frequent"));
    assert!(
        as_identifier || capped,
        "code was neither dropped as an identifier nor capped: dropped {:?}, notes {:?}",
        o.dropped,
        o.notes
    );
    assert!(o.best.cv_score > 0.9, "cv ROC AUC {}", o.best.cv_score);
    let p = o.pipeline.predict(&frame.take_rows(&[0, 1, 2])).unwrap();
    assert_eq!(probabilities(&p.output).nrows(), 3);
}

#[test]
fn a_category_of_hundreds_of_repeated_levels_is_capped_with_a_note() {
    // 500 levels used four times each: not an identifier, so it is kept and
    // capped, whichever encoding the winner uses (one-hot for linear and
    // distance-based families, ordinal codes for trees). The target is a
    // stripe pattern of x that only trees draw well, so a tree usually wins.
    let n = 2_000;
    let x: Vec<f64> = (0..n)
        .map(|i| ((i * 7_919) % n) as f64 / n as f64)
        .collect();
    let label = |i: usize| ((x[i] * 6.0) as usize).is_multiple_of(2) != i.is_multiple_of(20);
    let frame = frame_of(vec![
        (
            "code",
            (0..n).map(|i| Some(format!("K{:04}", i % 500))).collect(),
        ),
        ("x", x.iter().map(|v| Some(format!("{v:.4}"))).collect()),
        (
            "y",
            (0..n)
                .map(|i| Some(if label(i) { "yes" } else { "no" }.into()))
                .collect(),
        ),
    ]);
    let o = run(&frame, &spec("y", 3.0));
    assert_eq!(dropped_reason(&o, "code"), None);
    assert!(o.pipeline.features().contains(&"code".to_string()));
    assert!(
        o.notes
            .iter()
            .any(|note| note.contains("code") && note.contains("most frequent")),
        "no note on capping code ({} won, inputs {:?}): {:?}",
        o.best.family,
        o.pipeline.prep.options(),
        o.notes
    );
    assert!(
        o.best.cv_score > 0.85,
        "cv ROC AUC {} ({})",
        o.best.cv_score,
        o.best.family
    );
}

#[test]
fn predicting_reports_missing_columns_and_unseen_levels() {
    let (frame, o) = churn();
    let rows: Vec<usize> = (0..20).collect();
    let new = rebuild(
        &frame.take_rows(&rows),
        &["region"],
        |name, row, cell| match (name, row) {
            ("plan", 0..3) => Some("platinum".into()),
            ("tenure_months", 5) => Some("lots".into()),
            _ => cell.map(str::to_string),
        },
    );
    assert!(o.pipeline.features().contains(&"region".to_string()));
    assert!(o.pipeline.features().contains(&"plan".to_string()));
    let prediction = o.pipeline.predict(&new).unwrap();
    let report = &prediction.report;
    assert_eq!(report.missing_columns, ["region"]);
    assert_eq!(report.cells.unseen.get("plan"), Some(&3));
    assert_eq!(report.cells.unparsable.get("tenure_months"), Some(&1));
    let notes = report.notes();
    assert!(
        notes.iter().any(|n| n.contains("region")),
        "no note on the missing column: {notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains("plan") && n.contains("never seen") && n.contains('3')),
        "no note on the unseen plan: {notes:?}"
    );
    assert!(
        notes
            .iter()
            .any(|n| n.contains("tenure_months") && n.contains("missing")),
        "no note on the unparsable tenure: {notes:?}"
    );
    let p = probabilities(&prediction.output);
    assert_eq!(p.dim(), (20, 2));
    assert!(p.iter().all(|v| v.is_finite()));
    // The same rows with every column, as in training, raise no notes.
    let full = o.pipeline.predict(&frame.take_rows(&rows)).unwrap();
    assert!(full.report.notes().is_empty(), "{:?}", full.report.notes());
    assert_eq!(probabilities(&full.output).dim(), (20, 2));

    let unrelated = frame_of(vec![("colour", vec![Some("red".into())])]);
    match o.pipeline.predict(&unrelated) {
        Ok(_) => panic!("predicted on a frame with none of the model's columns"),
        Err(e) => assert_mentions(&e.to_string(), &["none of the columns", "tenure_months"]),
    }
    // Scoring needs the target.
    let no_target = rebuild(frame, &["churned"], |_, _, c| c.map(str::to_string));
    assert_mentions(
        &o.pipeline
            .score(&no_target, Metric::RocAuc)
            .unwrap_err()
            .to_string(),
        &["no churned column"],
    );
}

#[test]
fn a_saved_model_predicts_identically() {
    let (frame, o) = churn();
    let json = serde_json::to_string(&o.pipeline).unwrap();
    let loaded: Pipeline = serde_json::from_str(&json).unwrap();
    assert_eq!(loaded.target, o.pipeline.target);
    assert_eq!(loaded.candidate, o.pipeline.candidate);
    assert_eq!(loaded.features(), o.pipeline.features());
    assert_eq!(
        loaded.predict(frame).unwrap().output,
        o.pipeline.predict(frame).unwrap().output
    );
    assert!(
        serde_json::to_string(&loaded).unwrap() == json,
        "the {} model saves differently once loaded",
        o.best.family
    );

    // Every family survives the round trip, for classes and for numbers.
    for (frame, target) in [(data!("wine"), "target"), (data!("diabetes"), "target")] {
        let (target, values) = Target::resolve(&frame, target).unwrap();
        let (features, _) = select_features(&frame, &target.name, &[]).unwrap();
        let typed = Typed::parse(&frame, &features);
        let rows = values.present();
        let y = Ys::gather(&values, &rows);
        for params in families() {
            if !params.supports(target.task) {
                continue;
            }
            for log_target in [false, target.task == Task::Regression] {
                let candidate = Candidate {
                    log_target,
                    ..Candidate::plain(params.clone())
                };
                let prep = Preprocessor::fit(&typed, &rows, candidate.prep_options());
                let x = prep.encode(&typed, &rows).0;
                let model =
                    Pipeline::train(&target, &candidate, prep, x.view(), &y, 7, None).unwrap();
                let json = serde_json::to_string(&model).unwrap();
                let loaded: Pipeline = serde_json::from_str(&json)
                    .unwrap_or_else(|e| panic!("{} does not load: {e}", params.family()));
                assert_eq!(
                    loaded.predict(&frame).unwrap().output,
                    model.predict(&frame).unwrap().output,
                    "{} (log target {log_target}) predicts differently once loaded",
                    params.family()
                );
                // Saving is canonical: a loaded model saves as the same bytes
                // (each load builds fresh hash maps, so any hash order shows).
                for _ in 0..4 {
                    let again: Pipeline = serde_json::from_str(&json).unwrap();
                    assert!(
                        serde_json::to_string(&again).unwrap() == json,
                        "{} saves differently once loaded",
                        params.family()
                    );
                }
            }
        }
    }
}

fn families() -> Vec<Params> {
    vec![
        Params::Linear {
            c: 1.0,
            l1_ratio: 0.5,
        },
        Params::Tree {
            max_depth: 5,
            min_samples_leaf: 2,
        },
        Params::Forest {
            trees: 10,
            max_depth: 6,
            sample_ratio: 0.8,
        },
        Params::Boost {
            iterations: 30,
            learning_rate: 0.1,
            max_depth: 3,
            min_leaf_weight: 1.0,
            l2: 1.0,
            subsample: 0.8,
        },
        Params::Knn {
            k: 5,
            distance_weighted: true,
        },
        Params::Svm { c: 1.0, gamma: 0.1 },
        Params::NaiveBayes {
            var_smoothing: 1e-9,
        },
    ]
}

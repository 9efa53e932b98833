//! The ML tools through `Platform::call` on a real SQLite home: the data
//! catalog, AutoML, the model registry, predictions, explanations, bias
//! checks and model cards.

use std::path::{Path, PathBuf};

use maestro_tools::{Clock, Display, Platform, ToolOutput};
use serde_json::{Map, Value, json};

/// Long enough that the first trial finishes every fold even on a loaded machine
/// (bias checks need complete out-of-fold predictions).
const BUDGET: f64 = 4.0;

fn examples(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../examples/data")
        .join(file)
}

/// A platform in a fresh home, with `churn.csv` copied next to it so the
/// test may change the file.
struct Home {
    dir: tempfile::TempDir,
    platform: Platform,
}

impl Home {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        for file in ["churn.csv", "iris.csv"] {
            std::fs::copy(examples(file), dir.path().join(file)).unwrap();
        }
        let clock = Clock::fixed("2026-11-26T10:00:00Z".parse().unwrap());
        let platform = Platform::open(&dir.path().join("home"), "default", clock).unwrap();
        Home { dir, platform }
    }

    fn file(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    fn call(&self, tool: &str, args: Value) -> ToolOutput {
        self.platform
            .call(None, tool, args.clone())
            .unwrap_or_else(|e| panic!("{tool} {args} failed: {e}"))
    }

    fn error(&self, tool: &str, args: Value) -> String {
        match self.platform.call(None, tool, args.clone()) {
            Ok(out) => panic!("{tool} {args} should fail, gave: {}", out.summary),
            Err(e) => e.to_string(),
        }
    }

    fn register(&self, file: &str) -> ToolOutput {
        self.call("register_dataset", json!({"path": self.file(file)}))
    }

    fn train(&self, dataset: &str, target: &str) -> ToolOutput {
        self.call(
            "run_automl",
            json!({"dataset": dataset, "target": target, "budget_seconds": BUDGET}),
        )
    }

    fn models(&self) -> Vec<Value> {
        self.call("list_models", json!({}))
            .data
            .as_array()
            .unwrap()
            .clone()
    }
}

fn charts(out: &ToolOutput) -> usize {
    out.displays
        .iter()
        .filter(|d| matches!(d, Display::Chart { png, .. } if !png.is_empty()))
        .count()
}

fn tables(out: &ToolOutput) -> usize {
    out.displays
        .iter()
        .filter(|d| matches!(d, Display::Table(t) if !t.rows.is_empty()))
        .count()
}

fn keys(v: &Value) -> Vec<&str> {
    let mut k: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    k.sort_unstable();
    k
}

fn sorted(mut k: Vec<&str>) -> Vec<&str> {
    k.sort_unstable();
    k
}

/// `row` of churn.csv (1-based, after the header) as an object of strings.
fn churn_row(customer: &str) -> Map<String, Value> {
    let text = std::fs::read_to_string(examples("churn.csv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let line = lines
        .find(|l| l.starts_with(&format!("{customer},")))
        .unwrap();
    header
        .iter()
        .zip(line.split(','))
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k.to_string(), Value::String(v.to_string())))
        .collect()
}

#[test]
fn datasets_are_versioned_by_content_and_changed_files_are_refused() {
    let h = Home::new();
    let first = h.register("churn.csv");
    assert_eq!(
        (
            first.data["name"].as_str(),
            first.data["version"].as_u64(),
            first.data["rows"].as_u64(),
            first.data["columns"].as_u64()
        ),
        (Some("churn"), Some(1), Some(5000), Some(12)),
        "{}",
        first.summary
    );
    assert_eq!(tables(&first), 1, "a profile table");

    let again = h.register("churn.csv");
    assert_eq!(again.data["version"], 1);
    assert!(again.summary.contains("already holds"), "{}", again.summary);
    assert_eq!(
        h.call("list_datasets", json!({}))
            .data
            .as_array()
            .unwrap()
            .len(),
        1
    );

    h.train("churn", "churned");
    assert_eq!(h.models()[0]["version"], 1);

    // The file changes under the catalog: nothing trains on it or explains
    // a model with it until it is registered again.
    let mut text = std::fs::read_to_string(h.file("churn.csv")).unwrap();
    text.push_str("C105000,female,3,basic,month_to_month,30.5,91.5,2,north,credit_card,True,yes\n");
    std::fs::write(h.file("churn.csv"), text).unwrap();
    let stale = h.error(
        "run_automl",
        json!({"dataset": "churn", "target": "churned", "budget_seconds": BUDGET}),
    );
    assert!(
        stale.contains("changed since") && stale.contains("register it again"),
        "{stale}"
    );
    let stale = h.error(
        "discover_features",
        json!({"dataset": "churn", "target": "churned"}),
    );
    assert!(stale.contains("changed since"), "{stale}");
    let stale = h.error("explain_model", json!({"model": "churn"}));
    assert!(stale.contains("changed since"), "{stale}");
    assert_eq!(h.models().len(), 1, "the refused run registered nothing");

    let second = h.register("churn.csv");
    assert_eq!(
        (
            second.data["version"].as_u64(),
            second.data["rows"].as_u64()
        ),
        (Some(2), Some(5001)),
        "{}",
        second.summary
    );
    assert!(second.summary.contains("Registered churn version 2"));
    // The model trained on version 1 cannot see its rows any more: it needs
    // retraining, not the file registering again.
    for tool in ["explain_model", "model_card"] {
        let old = h.error(tool, json!({"model": "churn"}));
        assert!(
            old.contains("trained on churn version 1")
                && old.contains("now holds version 2")
                && old.contains("maestro automl churn --target churned"),
            "{tool}: {old}"
        );
    }
    let rows = json!([{"tenure_months": 2, "contract": "month_to_month", "plan": "basic"}]);
    let still = h.call(
        "predict",
        json!({"model": "churn", "version": 1, "rows": rows}),
    );
    assert_eq!(
        still.data["predictions"].as_array().unwrap().len(),
        1,
        "a saved model predicts whatever became of its data"
    );
    let retrained = h.train("churn", "churned");
    assert_eq!(retrained.data["version"], 2);
    let explained = h.call("explain_model", json!({"model": "churn"}));
    assert!(!explained.data["importance"].as_array().unwrap().is_empty());
    let listed = h.call("list_datasets", json!({}));
    assert_eq!(
        listed.data.as_array().unwrap().len(),
        1,
        "the latest version"
    );
    assert_eq!(listed.data[0]["version"], 2);

    let bad = h.error(
        "register_dataset",
        json!({"path": h.file("churn.csv"), "name": "churn data!"}),
    );
    assert!(bad.contains("`name`"), "{bad}");
    let missing = h.error("register_dataset", json!({"path": h.file("nope.csv")}));
    assert!(missing.contains("cannot read"), "{missing}");
}

#[test]
fn datasets_are_described_listed_and_their_features_ranked() {
    let h = Home::new();
    h.call(
        "register_dataset",
        json!({"path": h.file("churn.csv"), "description": "customers of a telecom"}),
    );
    h.register("iris.csv");

    let d = h.call("describe_dataset", json!({"dataset": "churn"}));
    let columns = d.data["columns"].as_array().unwrap();
    assert_eq!(columns.len(), 12);
    let missing = |name: &str| {
        columns.iter().find(|c| c["name"] == name).unwrap()["missing"]
            .as_u64()
            .unwrap()
    };
    assert!(missing("total_charges") > 0 && missing("support_calls") > 0);
    assert_eq!(missing("churned"), 0);
    assert!(
        d.summary.contains("total_charges") && d.summary.contains("customers of a telecom"),
        "{}",
        d.summary
    );
    assert_eq!(d.data["dataset"]["rows"], 5000);

    let one = h.call(
        "describe_dataset",
        json!({"dataset": "churn", "column": "tenure_months"}),
    );
    let only = one.data["columns"].as_array().unwrap();
    assert_eq!(only.len(), 1);
    assert_eq!(only[0]["name"], "tenure_months");
    let wrong = h.error(
        "describe_dataset",
        json!({"dataset": "churn", "column": "tenure_month"}),
    );
    assert!(
        wrong.contains("did you mean") && wrong.contains("tenure_months"),
        "{wrong}"
    );

    let list = h.call("list_datasets", json!({}));
    let all = list.data.as_array().unwrap();
    assert_eq!(all.len(), 2);
    for d in all {
        assert_eq!(
            keys(d),
            sorted(vec![
                "name",
                "version",
                "rows",
                "columns",
                "path",
                "description"
            ])
        );
    }
    let names: Vec<&str> = all.iter().map(|d| d["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["churn", "iris"]);
    assert_eq!(all[1]["rows"], 150);

    let found = h.call(
        "discover_features",
        json!({"dataset": "churn", "target": "churned"}),
    );
    let features = found.data["features"].as_array().unwrap();
    let top = features[0]["feature"].as_str().unwrap();
    assert!(
        ["contract", "tenure_months"].contains(&top),
        "top feature {top}: {}",
        found.summary
    );
    assert!(features.iter().all(|f| f["feature"] != "customer_id"));
    let skipped: Vec<&str> = found.data["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s[0].as_str().unwrap())
        .collect();
    assert!(skipped.contains(&"customer_id"), "{skipped:?}");
    assert!(charts(&found) >= 1 && tables(&found) == 1);
    let wrong = h.error(
        "discover_features",
        json!({"dataset": "churn", "target": "churn"}),
    );
    assert!(wrong.contains("churned"), "{wrong}");
}

#[test]
fn automl_registers_versions_and_the_registry_manages_them() {
    let h = Home::new();
    h.register("churn.csv");

    let first = h.train("churn", "churned");
    let d = &first.data;
    assert_eq!(
        keys(d),
        sorted(vec![
            "model",
            "version",
            "task",
            "metric",
            "cv_score",
            "cv_std",
            "best",
            "trials",
            "elapsed_s",
            "first_model_s",
            "validation",
            "leaderboard"
        ])
    );
    // Small data is cross-validated on every row, with the folds asked for.
    assert_eq!(d["validation"], json!({"method": "folds", "k": 5}));
    assert!(
        d["first_model_s"]
            .as_f64()
            .is_some_and(|s| s > 0.0 && s < 4.0)
    );
    assert!(
        d["leaderboard"][0]["train_rows"]
            .as_u64()
            .is_some_and(|r| r > 0)
    );
    assert_eq!(
        (
            d["model"].as_str(),
            d["version"].as_u64(),
            d["task"].as_str(),
            d["metric"].as_str()
        ),
        (Some("churn"), Some(1), Some("binary"), Some("roc_auc"))
    );
    let cv = d["cv_score"].as_f64().unwrap();
    assert!(cv > 0.7 && cv <= 1.0, "roc_auc {cv}");
    // The reply says which budget ran and why the search stopped; the table
    // has one row per family tried, its best configuration.
    assert!(
        first.summary.contains("used its 4 s budget (asked for)")
            && first.summary.contains("finished trials of"),
        "{}",
        first.summary
    );
    let board = first
        .displays
        .iter()
        .find_map(|d| match d {
            Display::Table(t) => Some(t.clone()),
            _ => None,
        })
        .unwrap();
    let families: Vec<&String> = board.rows.iter().map(|r| &r[1]).collect();
    let mut distinct = families.clone();
    distinct.sort();
    distinct.dedup();
    assert!(
        !families.is_empty() && distinct.len() == families.len(),
        "{families:?}"
    );
    assert!(d["cv_std"].as_f64().unwrap() >= 0.0);
    assert_eq!(keys(&d["best"]), ["family", "params"]);
    assert!(d["best"]["family"].as_str().is_some_and(|f| !f.is_empty()));
    let trials = d["trials"].as_u64().unwrap();
    assert!(trials >= 1);
    let elapsed = d["elapsed_s"].as_f64().unwrap();
    assert!(elapsed > 0.0, "{elapsed} s");
    let board = d["leaderboard"].as_array().unwrap();
    assert!(!board.is_empty() && board.len() as u64 <= trials);
    for t in board {
        assert_eq!(
            keys(t),
            ["cv_score", "family", "fit_s", "params", "train_rows"]
        );
    }
    assert_eq!(board[0]["cv_score"], d["cv_score"], "the winner leads");
    assert_eq!(board[0]["family"], d["best"]["family"]);
    assert!(tables(&first) >= 1 && charts(&first) >= 1);
    assert!(first.summary.starts_with("Trained churn version 1"));

    let second = h.train("churn", "churned");
    assert_eq!(second.data["version"], 2);

    // A bad request leaves nothing half-written.
    let before = h.models().len();
    let nope = h.error(
        "run_automl",
        json!({"dataset": "churn", "target": "nope", "budget_seconds": BUDGET}),
    );
    assert!(nope.contains("nope"), "{nope}");
    let typo = h.error(
        "run_automl",
        json!({"dataset": "churn", "target": "churnd", "budget_seconds": BUDGET}),
    );
    assert!(typo.contains("did you mean \"churned\""), "{typo}");
    let name = h.error(
        "run_automl",
        json!({"dataset": "churn", "target": "churned", "name": "my model@2", "budget_seconds": BUDGET}),
    );
    assert!(
        name.contains("`name`") && name.contains("letters"),
        "{name}"
    );
    let budget = h.error(
        "run_automl",
        json!({"dataset": "churn", "target": "churned", "budget_seconds": 0}),
    );
    assert!(budget.contains("budget_seconds"), "{budget}");
    assert_eq!(h.models().len(), before);
    assert_eq!(before, 2);

    // The registry.
    let models = h.models();
    for m in &models {
        assert_eq!(
            keys(m),
            sorted(vec![
                "name",
                "version",
                "dataset",
                "target",
                "task",
                "metric",
                "cv_score",
                "stage",
                "created_at"
            ])
        );
        assert_eq!(
            (
                m["dataset"].as_str(),
                m["target"].as_str(),
                m["stage"].as_str()
            ),
            (Some("churn"), Some("churned"), Some("none"))
        );
    }
    let listed = h.call("list_models", json!({"dataset": "churn"}));
    assert_eq!(listed.data.as_array().unwrap().len(), 2);
    assert!(
        h.call("list_models", json!({"dataset": "iris"}))
            .data
            .as_array()
            .unwrap()
            .is_empty()
    );

    let described = h.call("describe_model", json!({"model": "churn", "version": 1}));
    assert_eq!(
        (
            described.data["version"].as_u64(),
            described.data["family"].as_str()
        ),
        (Some(1), first.data["best"]["family"].as_str())
    );
    let features = described.data["details"]["features"].as_array().unwrap();
    assert!(
        features
            .iter()
            .all(|f| f != "customer_id" && f != "churned")
    );
    assert!(features.iter().any(|f| f == "contract"));
    assert!(tables(&described) == 1 && charts(&described) == 1);
    assert!(
        described
            .summary
            .contains("churn version 1 predicts churned"),
        "{}",
        described.summary
    );
    let latest = h.call("describe_model", json!({"model": "the churn model"}));
    assert_eq!(latest.data["version"], 2);
    let no_version = h.error("describe_model", json!({"model": "churn", "version": 9}));
    assert!(no_version.contains("versions are 1, 2"), "{no_version}");

    let both = h.call("compare_models", json!({"models": ["churn"]}));
    let versions: Vec<u64> = both
        .data
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["version"].as_u64().unwrap())
        .collect();
    assert_eq!(versions, [1, 2]);
    let Display::Table(t) = &both.displays[0] else {
        panic!("a table")
    };
    assert_eq!(t.rows.len(), 2);
    assert!(
        t.columns.contains(&"roc_auc".to_string()),
        "{:?}",
        t.columns
    );
    let pair = h.call("compare_models", json!({"models": ["churn@1", "churn@2"]}));
    assert_eq!(pair.data.as_array().unwrap().len(), 2);
    assert!(pair.summary.contains("best on roc_auc"), "{}", pair.summary);
    let bad = h.error("compare_models", json!({"models": ["churn@x"]}));
    assert!(bad.contains("after @ give a version number"), "{bad}");

    let stage = |models: &[Value], v: u64| {
        models.iter().find(|m| m["version"] == v).unwrap()["stage"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let promoted = h.call(
        "promote_model",
        json!({"model": "churn", "version": 1, "stage": "production"}),
    );
    assert_eq!(promoted.data["stage"], "production");
    let m = h.models();
    assert_eq!(
        (stage(&m, 1), stage(&m, 2)),
        ("production".into(), "none".into())
    );
    h.call(
        "promote_model",
        json!({"model": "churn", "version": 2, "stage": "staging"}),
    );
    assert_eq!(stage(&h.models(), 2), "staging");
    h.call(
        "promote_model",
        json!({"model": "churn", "version": 2, "stage": "production"}),
    );
    let m = h.models();
    assert_eq!(
        (stage(&m, 1), stage(&m, 2)),
        ("archived".into(), "production".into()),
        "one production version per model"
    );
    let bad = h.error("promote_model", json!({"model": "churn", "stage": "live"}));
    assert!(bad.contains("`stage`"), "{bad}");

    let deleted = h.call("delete_model", json!({"model": "churn", "version": 1}));
    assert_eq!(deleted.data.as_array().unwrap().len(), 1);
    assert_eq!(deleted.data[0]["version"], 1);
    let m = h.models();
    assert_eq!(m.len(), 1);
    assert_eq!(
        (m[0]["version"].as_u64(), stage(&m, 2)),
        (Some(2), "production".into())
    );
    // The surviving version still predicts and is still found by name.
    assert_eq!(
        h.call("describe_model", json!({"model": "churn"})).data["version"],
        2
    );
    let third = h.train("churn", "churned");
    assert_eq!(third.data["version"], 3, "versions are never reused");
}

#[test]
fn predictions_explanations_bias_and_cards() {
    let h = Home::new();
    h.register("churn.csv");
    h.register("iris.csv");
    h.train("churn", "churned");

    // Inline rows: one with a plan never seen in training, none with total_charges.
    let mut unseen = churn_row("C100042");
    unseen.remove("total_charges");
    unseen.remove("churned");
    unseen.insert("plan".into(), json!("enterprise"));
    let mut typical = churn_row("C100001");
    typical.remove("total_charges");
    typical.remove("churned");
    typical.insert("tenure_months".into(), json!(2));
    let out = h.call(
        "predict",
        json!({"model": "churn", "rows": [unseen, typical]}),
    );
    let predictions = out.data["predictions"].as_array().unwrap();
    assert_eq!(predictions.len(), 2);
    assert!(
        predictions.iter().all(|p| p == "yes" || p == "no"),
        "{predictions:?}"
    );
    assert_eq!(out.data["classes"], json!(["no", "yes"]));
    for p in out.data["probabilities"].as_array().unwrap() {
        let p: Vec<f64> = p
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        assert_eq!(p.len(), 2);
        assert!(p.iter().all(|x| (0.0..=1.0).contains(x)));
        assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{p:?}");
    }
    let notes: Vec<&str> = out.data["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap())
        .collect();
    assert!(
        notes
            .iter()
            .any(|n| n.contains("plan") && n.contains("never seen")),
        "{notes:?}"
    );
    assert!(
        notes.iter().any(|n| n.contains("total_charges")),
        "{notes:?}"
    );
    assert!(out.summary.contains("never seen"), "{}", out.summary);

    let file = h.call(
        "predict",
        json!({"model": "churn", "path": examples("new_customers.csv").display().to_string()}),
    );
    assert_eq!(file.data["predictions"].as_array().unwrap().len(), 12);
    assert_eq!(file.data["probabilities"].as_array().unwrap().len(), 12);
    let notes = file.data["notes"].to_string();
    assert!(
        notes.contains("total_charges") && notes.contains("plan"),
        "{notes}"
    );
    let neither = h.error("predict", json!({"model": "churn"}));
    assert!(
        neither.contains("CSV path") && neither.contains("inline rows"),
        "{neither}"
    );
    let empty = h.error("predict", json!({"model": "churn", "rows": []}));
    assert!(empty.contains("no rows"), "{empty}");

    // The whole model.
    let explained = h.call("explain_model", json!({"model": "churn"}));
    let importance = explained.data["importance"].as_array().unwrap();
    assert!(!importance.is_empty());
    let columns = [
        "gender",
        "tenure_months",
        "plan",
        "contract",
        "monthly_charges",
        "total_charges",
        "support_calls",
        "region",
        "payment_method",
        "paperless_billing",
    ];
    let top = importance[0]["feature"].as_str().unwrap();
    assert!(columns.contains(&top), "top feature {top}");
    assert!(importance[0]["mean"].as_f64().unwrap() > 0.0);
    assert!(charts(&explained) >= 2, "importance and partial dependence");
    assert_eq!(tables(&explained), 1);
    assert!(explained.summary.contains(top), "{}", explained.summary);

    // One prediction: "customer 42" is C100042, and the effects add up.
    let why = h.call("explain_prediction", json!({"model": "churn", "id": "42"}));
    assert!(
        why.summary.contains("C100042") && why.data["row"].as_str().unwrap().contains("C100042"),
        "{}",
        why.summary
    );
    let c = &why.data["contributions"];
    let effects: f64 = c["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["effect"].as_f64().unwrap())
        .sum();
    let (baseline, prediction) = (
        c["baseline"].as_f64().unwrap(),
        c["prediction"].as_f64().unwrap(),
    );
    assert!(
        (baseline + effects - prediction).abs() < 1e-6,
        "{baseline} + {effects} != {prediction}"
    );
    assert!(charts(&why) == 1);
    let mut row = churn_row("C100042");
    row.remove("churned");
    let direct = h.call("predict", json!({"model": "churn", "rows": [row]}));
    let p_yes = direct.data["probabilities"][0][1].as_f64().unwrap();
    assert!(
        (p_yes - prediction).abs() < 1e-9,
        "explained {prediction}, predicted {p_yes}"
    );
    let by_id = h.call(
        "explain_prediction",
        json!({"model": "churn", "id": "C100042"}),
    );
    assert_eq!(by_id.data["contributions"]["prediction"], c["prediction"]);
    let typo = h.error("explain_model", json!({"model": "chrun"}));
    assert!(typo.contains("did you mean churn"), "{typo}");
    let no_row = h.error(
        "explain_prediction",
        json!({"model": "churn", "id": "C999999"}),
    );
    assert!(no_row.contains("no row has the id"), "{no_row}");

    // Fairness.
    let bias = h.call("check_bias", json!({"model": "churn", "column": "gender"}));
    let groups: Vec<&str> = bias.data["report"]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["group"].as_str().unwrap())
        .collect();
    for g in ["male", "female", "nonbinary"] {
        assert!(groups.contains(&g), "{groups:?}");
    }
    for ratio in ["demographic_parity_ratio", "equal_opportunity_ratio"] {
        let r = bias.data["report"][ratio].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&r), "{ratio} {r}");
    }
    assert!(bias.summary.contains("demographic-parity ratio"));
    assert!(charts(&bias) == 1 && tables(&bias) == 1);
    let column = h.error("check_bias", json!({"model": "churn", "column": "gendr"}));
    assert!(column.contains("did you mean \"gender\""), "{column}");

    let iris = h.train("iris", "target");
    assert_eq!(iris.data["task"], "multiclass");
    let multi = h.error("check_bias", json!({"model": "iris", "column": "target"}));
    assert!(
        multi.contains("multiclass") && multi.contains("two classes"),
        "{multi}"
    );

    let card = h.call("model_card", json!({"model": "churn"}));
    let md = card.data["markdown"].as_str().unwrap();
    for heading in [
        "# Model card: churn version 1",
        "## Intended use",
        "## Performance",
        "## Fairness",
        "## Limitations",
    ] {
        assert!(md.contains(heading), "card lacks {heading}:\n{md}");
    }
    assert!(md.contains("**churned**"), "{md}");
    assert!(
        md.contains("**gender**"),
        "the fairness section checks gender:\n{md}"
    );
    assert!(!md.contains("{{"), "every placeholder is filled:\n{md}");
    assert!(matches!(&card.displays[..], [Display::Markdown { text }] if text == md));
    let iris_card = h.call("model_card", json!({"model": "iris"}));
    let md = iris_card.data["markdown"].as_str().unwrap();
    assert!(
        md.contains("Not assessed") && md.contains("Trained on 150 rows"),
        "{md}"
    );
}

#[test]
fn unknown_names_suggest_close_ones() {
    let h = Home::new();
    let none = h.error("describe_dataset", json!({"dataset": "churn"}));
    assert!(none.contains("maestro data add"), "{none}");
    let none = h.error("describe_model", json!({"model": "churn"}));
    assert!(
        none.contains("run_automl") || none.contains("maestro automl"),
        "{none}"
    );

    h.register("churn.csv");
    h.register("iris.csv");
    let typo = h.error("describe_dataset", json!({"dataset": "chrun"}));
    assert!(typo.contains("did you mean churn"), "{typo}");
    let typo = h.error(
        "discover_features",
        json!({"dataset": "irs", "target": "target"}),
    );
    assert!(typo.contains("did you mean iris"), "{typo}");
    let far = h.error("describe_dataset", json!({"dataset": "zzzzzz"}));
    assert!(far.contains("churn") && far.contains("iris"), "{far}");
    let unknown_train = h.error(
        "run_automl",
        json!({"dataset": "chrun", "target": "churned", "budget_seconds": BUDGET}),
    );
    assert!(
        unknown_train.contains("did you mean churn"),
        "{unknown_train}"
    );

    h.train("iris", "target");
    let typo = h.error("describe_model", json!({"model": "irsi"}));
    assert!(typo.contains("did you mean iris"), "{typo}");
    let typo = h.error(
        "predict",
        json!({"model": "iirs", "rows": [{"sepal length (cm)": 5.0}]}),
    );
    assert!(typo.contains("did you mean iris"), "{typo}");
}

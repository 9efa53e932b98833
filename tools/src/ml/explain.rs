//! Why a model predicts what it does, and whether it treats groups alike:
//! `explain_model`, `explain_prediction`, `check_bias`.

use maestro_ml::bias::{self, BiasReport};
use maestro_ml::explain::{
    Contribution, Contributions, Importance, PartialDependence, contributions, partial_dependence,
    permutation_importance,
};
use maestro_ml::profile::Kind;
use maestro_ml::{Frame, Metric, MlError, Pipeline, Task};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::models::ModelArgs;
use super::predict::frame_from_rows;
use super::{find_model, load_dataset, load_pipeline, score};
use crate::chart;
use crate::platform::Platform;
use crate::store::ModelRecord;
use crate::tool::{Context, Display, Effect, Table, ToolError, ToolOutput, TypedTool};

/// Rows used to measure importance.
const IMPORTANCE_ROWS: usize = 1000;
/// Background rows for per-prediction contributions.
const BACKGROUND_ROWS: usize = 40;

/// A model's training data as registered (the version it was trained on).
/// When the file has since been registered again, its rows are no longer
/// there: the model needs retraining, not the data registering.
pub(super) fn training_frame(platform: &Platform, m: &ModelRecord) -> Result<Frame, ToolError> {
    let dataset = platform
        .store()
        .get_dataset(&m.dataset, Some(m.dataset_version))?;
    load_dataset(&dataset).map_err(|e| {
        match platform.store().get_dataset(&m.dataset, None) {
            Ok(latest) if latest.version > dataset.version => MlError::Data(format!(
                "{} version {} was trained on {} version {}, whose file now holds version {}; retrain it on the current data (`maestro automl {} --target {}`)",
                m.name, m.version, dataset.name, dataset.version, latest.version, dataset.name, m.target
            ))
            .into(),
            _ => e,
        }
    })
}

/// Evenly spaced rows, at most `n`.
fn sample(frame: &Frame, n: usize) -> Frame {
    let step = frame.rows().div_ceil(n.max(1)).max(1);
    let rows: Vec<usize> = (0..frame.rows()).step_by(step).collect();
    frame.take_rows(&rows)
}

/// Permutation importance of a model's features on (a sample of) its data.
pub fn importance(pipeline: &Pipeline, frame: &Frame) -> Vec<Importance> {
    let metric = Metric::default_for(pipeline.target.task);
    let rows = sample(frame, IMPORTANCE_ROWS);
    permutation_importance(
        &rows,
        &pipeline.features(),
        |f| pipeline.score(f, metric).unwrap_or(f64::NAN),
        5,
        42,
    )
}

/// The chart of how a model did out of fold: a confusion matrix for classes,
/// predicted against actual for numbers.
pub fn fit_chart(m: &ModelRecord) -> Option<Display> {
    let oof = &m.details["out_of_fold"];
    let png = if let Some(matrix) = oof["confusion"].as_array() {
        let classes: Vec<String> = m.details["classes"]
            .as_array()?
            .iter()
            .filter_map(|c| c.as_str().map(str::to_string))
            .collect();
        let values: Vec<Vec<f64>> = matrix
            .iter()
            .map(|r| {
                r.as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(Value::as_f64)
                    .collect()
            })
            .collect();
        chart::heatmap(
            &format!("Confusion matrix (out of fold), {}", m.target),
            &classes,
            &classes,
            &values,
            "predicted",
            "actual",
        )
        .ok()?
    } else {
        let points: Vec<(f64, f64)> = oof["points"]
            .as_array()?
            .iter()
            .filter_map(|p| Some((p[0].as_f64()?, p[1].as_f64()?)))
            .collect();
        chart::scatter(
            &format!("Predicted vs actual (out of fold), {}", m.target),
            &points,
            "predicted",
            "actual",
            true,
        )
        .ok()?
    };
    Some(Display::Chart {
        title: format!("How {} did out of fold", m.name),
        png,
    })
}

/// Explains a model as a whole.
pub struct ExplainModel;

impl TypedTool for ExplainModel {
    type Args = ModelArgs;
    const NAME: &'static str = "explain_model";
    const DESCRIPTION: &'static str = "Explain a model globally: permutation importance of each feature with a confidence interval, and partial dependence of the prediction on the top features.";
    const EXAMPLES: &'static [&'static str] = &[
        "explain the churn model",
        "what does the churn model rely on?",
        "which features drive the iris model?",
    ];
    const PHRASINGS: &'static [&'static str] = &[
        "(explain|interpret) the {model:model} model",
        "what (features|things) (matter|drive) [most] (to|for|in) the {model:model} model",
        "(feature importance|importances|partial dependence) (for|of) [the] {model:model} [model]",
        "what does the {model:model} model (rely|lean|base its decisions) on",
    ];
    const EFFECT: Effect = Effect::Read;

    fn run(&self, ctx: &Context<'_>, a: ModelArgs) -> Result<ToolOutput, ToolError> {
        let m = find_model(ctx.platform, &a.model, a.version)?;
        let pipeline = load_pipeline(ctx.platform, &m)?;
        let frame = training_frame(ctx.platform, &m)?;
        let found = importance(&pipeline, &frame);
        let metric = Metric::default_for(pipeline.target.task);
        let mut out = ToolOutput::new(String::new(), Value::Null)
            .with(Display::Table(importance_table(&found)));
        if let Ok(png) = importance_chart(&m.name, &found, metric) {
            out = out.with(Display::Chart {
                title: "Feature importance".into(),
                png,
            });
        }
        let rows = sample(&frame, 200);
        let mut curves = Vec::new();
        for i in found.iter().take(3) {
            let (pd, png) = dependence(&pipeline, &rows, &i.feature);
            if let Ok(png) = png {
                out = out.with(Display::Chart {
                    title: format!("Partial dependence on {}", pd.feature),
                    png,
                });
            }
            curves.push(pd);
        }
        let top: Vec<String> = found
            .iter()
            .take(3)
            .map(|i| format!("{} ({})", i.feature, score(i.mean)))
            .collect();
        let weak: Vec<&str> = found
            .iter()
            .filter(|i| i.high <= 0.0)
            .map(|i| i.feature.as_str())
            .collect();
        let mut summary = format!(
            "{} version {} relies most on {}: shuffling each lowers {} by that much.",
            m.name,
            m.version,
            top.join(", "),
            metric.name()
        );
        if !weak.is_empty() {
            summary.push_str(&format!(" No measurable effect: {}.", weak.join(", ")));
        }
        out.summary = summary;
        out.data = json!({"model": m.name, "version": m.version, "metric": metric.name(), "importance": found, "partial_dependence": curves});
        Ok(out)
    }
}

/// Each feature's importance with its interval, as a table.
fn importance_table(found: &[Importance]) -> Table {
    let mut t = Table::new(&["feature", "importance", "95% interval"]);
    for i in found {
        t.rows.push(vec![
            i.feature.clone(),
            score(i.mean),
            format!("{} to {}", score(i.low), score(i.high)),
        ]);
    }
    t
}

/// The fifteen most important features as bars with their intervals.
fn importance_chart(
    model: &str,
    found: &[Importance],
    metric: Metric,
) -> Result<String, chart::ChartError> {
    let top = || found.iter().take(15);
    let labels: Vec<String> = top().map(|i| i.feature.clone()).collect();
    let values: Vec<f64> = top().map(|i| i.mean).collect();
    let errors: Vec<f64> = top().map(|i| (i.high - i.low) / 2.0).collect();
    chart::hbars(
        &format!("Permutation importance, {model}"),
        &labels,
        &values,
        Some(&errors),
        &format!("drop in {} when shuffled", metric.name()),
    )
}

/// How the prediction moves with `feature` over `rows`, and its chart: a
/// line for a numeric feature, bars for a categorical one.
fn dependence(
    pipeline: &Pipeline,
    rows: &Frame,
    feature: &str,
) -> (PartialDependence, Result<String, chart::ChartError>) {
    let numeric = pipeline
        .prep
        .features()
        .iter()
        .any(|(n, k)| n == feature && *k == Kind::Numeric);
    let class = usize::from(pipeline.target.task == Task::Binary);
    let pd = partial_dependence(
        rows,
        feature,
        numeric,
        |f| pipeline.predict_scalar(f, class),
        12,
        200,
    );
    let what = predicted_quantity(pipeline);
    let title = format!("Partial dependence on {}", pd.feature);
    let png = if numeric {
        let points: Vec<(f64, f64)> = pd
            .points
            .iter()
            .filter_map(|p| Some((p.x?, p.mean)))
            .collect();
        chart::lines(&title, &pd.feature, &what, &[(what.as_str(), points)])
    } else {
        let labels: Vec<String> = pd.points.iter().map(|p| p.value.clone()).collect();
        let values: Vec<f64> = pd.points.iter().map(|p| p.mean).collect();
        chart::hbars(&title, &labels, &values, None, &what)
    };
    (pd, png)
}

fn predicted_quantity(p: &Pipeline) -> String {
    match p.target.task {
        Task::Binary => format!("P({} = {})", p.target.name, p.target.classes[1]),
        Task::Multiclass => format!("P({} = {})", p.target.name, p.target.classes[0]),
        Task::Regression => p.target.name.clone(),
    }
}

/// Arguments of `explain_prediction`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExplainRowArgs {
    /// Model name (or its dataset's name).
    pub model: String,
    /// Version (default: the latest).
    pub version: Option<u32>,
    /// Which row of the model's data: a value of its id column (e.g. "C101042" or "1042"), or a row number.
    pub id: Option<String>,
    /// Or the row itself, as column → value.
    pub row: Option<Map<String, Value>>,
}

/// Finds the row an id names: an exact id, an id whose digits are the number,
/// or else the row number.
fn find_row(frame: &Frame, id_columns: &[String], id: &str) -> Result<(usize, String), MlError> {
    let id = id.trim().trim_start_matches('#');
    for column in id_columns {
        if let Some(cells) = frame.column(column) {
            let digits = |s: &str| s.chars().filter(char::is_ascii_digit).collect::<String>();
            let exact = cells
                .iter()
                .position(|c| c.is_some_and(|c| c.eq_ignore_ascii_case(id)));
            // "customer 42" for C100042: the id's digits are the number, or a
            // leading digit followed by the number zero-padded.
            let numeric = || {
                let wanted: u64 = id.parse().ok()?;
                cells.iter().position(|c| {
                    let d = digits(c.unwrap_or_default());
                    d.parse::<u64>().is_ok_and(|v| v == wanted)
                        || d.len() > 1 && d[1..] == format!("{wanted:0w$}", w = d.len() - 1)
                })
            };
            if let Some(r) = exact.or_else(numeric) {
                return Ok((r, format!("{column} {}", cells.get(r).unwrap_or(id))));
            }
        }
    }
    match id.parse::<usize>() {
        Ok(n) if (1..=frame.rows()).contains(&n) => Ok((n - 1, format!("row {n}"))),
        _ => Err(MlError::Request(format!(
            "no row has the id {id:?}{}; give an id from the data or a row number from 1 to {}",
            if id_columns.is_empty() {
                String::new()
            } else {
                format!(" in {}", id_columns.join(", "))
            },
            frame.rows()
        ))),
    }
}

/// Explains one prediction.
pub struct ExplainPrediction;

impl TypedTool for ExplainPrediction {
    type Args = ExplainRowArgs;
    const NAME: &'static str = "explain_prediction";
    const DESCRIPTION: &'static str = "Explain one prediction: how much each feature of one row pushes the prediction up or down from the average (Shapley values that sum to the prediction minus the baseline).";
    const EXAMPLES: &'static [&'static str] = &[
        "why would customer 1042 churn?",
        "why does the model think customer 42 will churn?",
        "explain the prediction for row 7 of iris",
    ];
    const PHRASINGS: &'static [&'static str] = &[
        "why (did|does|would) [the] {model:model} [model] (predict|flag|score) {id:row_id}",
        "explain (the prediction for|the score of) {id:row_id} (with|from|in) {model:model}",
        "what's behind {model:model}'s (prediction|score) for {id:row_id}",
        "why (is|was) {id:row_id} (flagged|scored high) by the {model:model} model",
    ];
    const EFFECT: Effect = Effect::Read;

    fn run(&self, ctx: &Context<'_>, a: ExplainRowArgs) -> Result<ToolOutput, ToolError> {
        let m = find_model(ctx.platform, &a.model, a.version)?;
        let pipeline = load_pipeline(ctx.platform, &m)?;
        let frame = training_frame(ctx.platform, &m)?;
        let (row, label) = chosen_row(ctx, &m, &frame, &a)?;
        let class = match (pipeline.target.task, pipeline.predict(&row)?.output) {
            (Task::Multiclass, maestro_ml::Output::Probabilities(p)) => {
                maestro_ml::metrics::argmax(p.row(0))
            }
            (Task::Binary, _) => 1,
            _ => 0,
        };
        let background = sample(&frame, BACKGROUND_ROWS);
        let c = contributions(
            &row,
            &background,
            &pipeline.features(),
            |f| pipeline.predict_scalar(f, class),
            12,
            42,
        );
        let what = match pipeline.target.task {
            Task::Regression => pipeline.target.name.clone(),
            _ => format!(
                "P({} = {})",
                pipeline.target.name, pipeline.target.classes[class]
            ),
        };
        let summary =
            contributions_summary(&c, &format!("For {label}, {} predicts {what}", m.name));
        let labels: Vec<String> = c
            .values
            .iter()
            .take(12)
            .map(|v| {
                format!(
                    "{} = {}",
                    v.feature,
                    v.value.as_deref().unwrap_or("missing")
                )
            })
            .collect();
        let values: Vec<f64> = c.values.iter().take(12).map(|v| v.effect).collect();
        let mut out = ToolOutput::new(summary, json!({"model": m.name, "version": m.version, "row": label, "quantity": what, "contributions": c}))
            .with(Display::Table(contributions_table(&c)));
        if let Ok(png) = chart::hbars(
            &format!("Why {what} = {:.3} for {label}", c.prediction),
            &labels,
            &values,
            None,
            "effect on the prediction",
        ) {
            out = out.with(Display::Chart {
                title: format!("Contributions for {label}"),
                png,
            });
        }
        Ok(out)
    }
}

/// The row a request names: given whole, by a value of an id column, or by number.
fn chosen_row(
    ctx: &Context<'_>,
    m: &ModelRecord,
    frame: &Frame,
    a: &ExplainRowArgs,
) -> Result<(Frame, String), ToolError> {
    Ok(match (&a.id, &a.row) {
        (_, Some(row)) => (
            frame_from_rows(std::slice::from_ref(row))?,
            "the given row".to_string(),
        ),
        (Some(id), None) => {
            let dataset = ctx
                .platform
                .store()
                .get_dataset(&m.dataset, Some(m.dataset_version))?;
            let ids: Vec<String> = dataset
                .profile
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["kind"] == "id")
                .filter_map(|p| p["name"].as_str().map(str::to_string))
                .collect();
            let (r, label) = find_row(frame, &ids, id)?;
            (frame.take_rows(&[r]), label)
        }
        (None, None) => {
            return Err(ToolError::invalid(
                ExplainPrediction::NAME,
                "id",
                "say which row: an id like \"C101042\", a row number, or the row itself",
            ));
        }
    })
}

/// Each feature's value and effect on one prediction, as a table.
fn contributions_table(c: &Contributions) -> Table {
    let mut t = Table::new(&["feature", "value", "effect"]);
    for v in &c.values {
        t.rows.push(vec![
            v.feature.clone(),
            v.value.clone().unwrap_or_else(|| "(missing)".into()),
            format!("{:+.4}", v.effect),
        ]);
    }
    t
}

/// What pushed one prediction up and what pulled it down, after `subject`
/// ("For row 3, churn predicts P(churned = yes)").
fn contributions_summary(c: &Contributions, subject: &str) -> String {
    let describe = |v: &Contribution| {
        format!(
            "{} = {} ({:+.3})",
            v.feature,
            v.value.as_deref().unwrap_or("missing"),
            v.effect
        )
    };
    let up: Vec<String> = c
        .values
        .iter()
        .filter(|v| v.effect > 0.0)
        .take(3)
        .map(describe)
        .collect();
    let down: Vec<String> = c
        .values
        .iter()
        .filter(|v| v.effect < 0.0)
        .take(3)
        .map(describe)
        .collect();
    let mut summary = format!(
        "{subject} = {:.3} against an average of {:.3}.",
        c.prediction, c.baseline
    );
    if !up.is_empty() {
        summary.push_str(&format!(" Pushing it up: {}.", up.join(", ")));
    }
    if !down.is_empty() {
        summary.push_str(&format!(" Pulling it down: {}.", down.join(", ")));
    }
    summary
}

/// Arguments of `check_bias`.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BiasArgs {
    /// Model name (or its dataset's name).
    pub model: String,
    /// Version (default: the latest).
    pub version: Option<u32>,
    /// The sensitive column whose groups are compared (e.g. gender).
    pub column: String,
}

/// Per-group rates of a yes/no model on its own data, from out-of-fold
/// predictions, or holdout predictions for a model trained on large data
/// (honest either way: no row is predicted by a model that saw it).
pub fn bias_report(
    platform: &Platform,
    m: &ModelRecord,
    column: &str,
) -> Result<(String, BiasReport), ToolError> {
    if m.task != "binary" {
        return Err(MlError::Request(format!(
            "{} is a {} model; bias checks compare yes/no decisions, so they need a model with two classes",
            m.name, m.task
        ))
        .into());
    }
    let pipeline = load_pipeline(platform, m)?;
    let frame = training_frame(platform, m)?;
    let index = frame.require(column)?;
    let column = frame.names()[index].clone();
    let values = pipeline.target.values_in(&frame)?;
    // A model scored on a holdout has predictions for the holdout's rows only.
    let rows: Vec<usize> = match m.details["out_of_fold"]["rows"].as_array() {
        Some(held_out) => held_out
            .iter()
            .filter_map(|r| r.as_u64().map(|r| r as usize))
            .filter(|&r| r < frame.rows())
            .collect(),
        None => values.present(),
    };
    let maestro_ml::target::TargetValues::Classes(truth) = values else {
        return Err(MlError::Request("bias checks need a yes/no model".into()).into());
    };
    let predicted: Vec<usize> = m.details["out_of_fold"]["predicted"]
        .as_array()
        .map(|p| {
            p.iter()
                .filter_map(|v| v.as_u64().map(|v| v as usize))
                .collect()
        })
        .filter(|p: &Vec<usize>| p.len() == rows.len())
        .ok_or_else(|| {
            MlError::Data(format!(
                "{} version {} has no out-of-fold predictions; retrain it",
                m.name, m.version
            ))
        })?;
    let truth: Vec<usize> = rows.iter().map(|&r| truth[r].unwrap_or(0)).collect();
    let groups: Vec<Option<String>> = rows
        .iter()
        .map(|&r| frame.column_at(index).get(r).map(str::to_string))
        .collect();
    Ok((column, bias::check(&truth, &predicted, &groups, 1)))
}

/// Checks a model for bias across the groups of a column.
pub struct CheckBias;

impl TypedTool for CheckBias {
    type Args = BiasArgs;
    const NAME: &'static str = "check_bias";
    const DESCRIPTION: &'static str = "Check a yes/no model for bias across the groups of a sensitive column: selection rate, accuracy, TPR and FPR per group, demographic-parity and equal-opportunity ratios, and the four-fifths rule.";
    const EXAMPLES: &'static [&'static str] = &[
        "is the churn model fair across gender?",
        "check the churn model for bias by region",
        "does the churn model treat genders differently?",
    ];
    const PHRASINGS: &'static [&'static str] = &[
        "(is|check if) the {model:model} model [is] (biased|fair|unfair) (by|across|against|on) {column:column}",
        "(bias|fairness) (check|audit|report) (on|for) {model:model} (by|across|with) {column:column}",
        "does {model:model} treat {column:column} groups (differently|fairly)",
        "(four-fifths|4/5ths) [rule] check on {model:model} by {column:column}",
    ];
    const EFFECT: Effect = Effect::Read;

    fn run(&self, ctx: &Context<'_>, a: BiasArgs) -> Result<ToolOutput, ToolError> {
        let m = find_model(ctx.platform, &a.model, a.version)?;
        let (column, report) = bias_report(ctx.platform, &m, &a.column)?;
        let positive = m.details["classes"][1]
            .as_str()
            .unwrap_or("positive")
            .to_string();
        let pct = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{:.1}%", v * 100.0));
        let mut t = Table::new(&[
            "group",
            "rows",
            &format!("predicted {positive}"),
            "accuracy",
            "TPR",
            "FPR",
            "note",
        ]);
        for g in &report.groups {
            t.rows.push(vec![
                g.group.clone(),
                g.rows.to_string(),
                pct(Some(g.selection_rate)),
                pct(Some(g.accuracy)),
                pct(g.tpr),
                pct(g.fpr),
                if g.small {
                    "too few rows to judge".into()
                } else if report.four_fifths_violations.contains(&g.group) {
                    "below four fifths".into()
                } else {
                    String::new()
                },
            ]);
        }
        let ratio = |v: Option<f64>| v.map_or("undefined".to_string(), |v| format!("{v:.2}"));
        let summary = format!(
            "{} version {} across {column} (out-of-fold predictions): demographic-parity ratio {}, equal-opportunity ratio {}. {}",
            m.name,
            m.version,
            ratio(report.demographic_parity_ratio),
            ratio(report.equal_opportunity_ratio),
            report.verdict
        );
        let groups: Vec<&bias::GroupStats> = report.groups.iter().filter(|g| !g.small).collect();
        let rows: Vec<(String, f64, f64)> = groups
            .iter()
            .map(|g| (g.group.clone(), g.selection_rate, g.tpr.unwrap_or(0.0)))
            .collect();
        let mut out = ToolOutput::new(
            summary,
            json!({"model": m.name, "version": m.version, "column": column, "report": report}),
        )
        .with(Display::Table(t));
        if let Ok(png) = chart::bars(
            &format!("{} by {column}", m.name),
            "rate",
            &rows,
            (&format!("predicted {positive}"), "true positive rate"),
        ) {
            out = out.with(Display::Chart {
                title: format!("Rates by {column}"),
                png,
            });
        }
        Ok(out)
    }
}

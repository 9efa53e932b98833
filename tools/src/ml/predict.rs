//! `predict`: a registered model on rows given inline or in a CSV file.

use std::path::Path;

use maestro_ml::{Frame, MlError, Output, Prediction};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{Pick, load_pipeline, model_spec, pick_model, read_csv};
use crate::platform::Platform;
use crate::store::ModelRecord;
use crate::tool::{Context, Display, Effect, Table, ToolError, ToolOutput, TypedTool};

/// At most this many rows are drawn in the table (all are in the data).
const SHOWN: usize = 20;

/// Arguments of `predict`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PredictArgs {
    /// Model name (or its dataset's name).
    pub model: String,
    /// Version (default: the production version, then the staging one,
    /// then the latest). `model` may also say it: `churn@2`,
    /// `churn@production`, `churn@staging`.
    pub version: Option<u32>,
    /// A CSV file with the model's columns.
    pub path: Option<String>,
    /// Rows given inline, as objects of column → value.
    pub rows: Option<Vec<Map<String, Value>>>,
}

/// Turns inline rows into a frame (columns in first-seen order).
pub fn frame_from_rows(rows: &[Map<String, Value>]) -> Result<Frame, MlError> {
    let mut names: Vec<String> = Vec::new();
    for row in rows {
        for key in row.keys() {
            if !names.contains(key) {
                names.push(key.clone());
            }
        }
    }
    if rows.is_empty() || names.is_empty() {
        return Err(MlError::Data(
            "no rows to predict; give rows like [{\"tenure_months\": 3, \"plan\": \"pro\"}] or a CSV path".into(),
        ));
    }
    let columns = names
        .iter()
        .map(|n| {
            rows.iter()
                .map(|r| match r.get(n) {
                    None | Some(Value::Null) => None,
                    Some(Value::String(s)) => Some(s.clone()),
                    Some(other) => Some(other.to_string()),
                })
                .collect()
        })
        .collect();
    Frame::new(names, columns)
}

/// A column of the frame that names its rows (`id`, `customer_id`…), if any.
fn id_column(frame: &Frame) -> Option<&str> {
    frame
        .names()
        .iter()
        .find(|n| {
            let n = n.to_lowercase();
            n == "id" || n.ends_with("_id") || n.ends_with(" id")
        })
        .map(String::as_str)
}

/// A model run: the version used and why, the rows, the prediction and
/// `{"predictions", "probabilities", "classes"}` as the CLI prints it.
pub struct Predicted {
    /// The version used.
    pub record: ModelRecord,
    /// Why that version ("production", "asked for"…).
    pub why: &'static str,
    /// The rows predicted.
    pub frame: Frame,
    /// The prediction with its report.
    pub prediction: Prediction,
    /// The result as JSON.
    pub result: Value,
}

/// Runs a model on inline rows or a file.
pub fn predict(platform: &Platform, a: &PredictArgs) -> Result<Predicted, ToolError> {
    let (name, pick) =
        model_spec(&a.model).map_err(|e| ToolError::invalid(Predict::NAME, "model", e))?;
    let pick = match (pick, a.version) {
        (Pick::Default, Some(v)) => Pick::Version(v),
        (pick, _) => pick,
    };
    let (record, why) = pick_model(platform, name, pick)?;
    let pipeline = load_pipeline(platform, &record)?;
    let frame = match (&a.path, &a.rows) {
        (Some(path), None) => {
            let path = platform
                .readable_path(Path::new(path.trim()))
                .map_err(MlError::Data)?;
            read_csv(&path)?.0
        }
        (None, Some(rows)) => frame_from_rows(rows)?,
        _ => {
            return Err(ToolError::invalid(
                Predict::NAME,
                "path",
                "give either a CSV path or inline rows (not both)",
            ));
        }
    };
    let prediction = pipeline.predict(&frame)?;
    let classes = &pipeline.target.classes;
    let result = match &prediction.output {
        Output::Probabilities(p) => json!({
            "predictions": p.rows().into_iter().map(|r| classes[maestro_ml::metrics::argmax(r)].clone()).collect::<Vec<_>>(),
            "probabilities": p.rows().into_iter().map(|r| r.to_vec()).collect::<Vec<_>>(),
            "classes": classes,
        }),
        Output::Values(v) => json!({"predictions": v.to_vec(), "probabilities": Value::Null}),
    };
    Ok(Predicted {
        record,
        why,
        frame,
        prediction,
        result,
    })
}

/// What a prediction says: a sentence (which version, how many rows, the
/// share predicted positive, any notes) and a table of the first `shown`
/// rows, named by the frame's id column when it has one.
pub fn described(p: &Predicted, shown: usize) -> (String, Table) {
    let Predicted {
        record,
        why,
        frame,
        prediction,
        result,
    } = p;
    let n = frame.rows();
    let ids = id_column(frame).and_then(|c| Some((c, frame.column(c)?)));
    let mut t = Table::new(&[ids.map_or("row", |(c, _)| c), &record.target, "probability"]);
    let predictions = result["predictions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    for (i, p) in predictions.iter().take(shown).enumerate() {
        let prob = result["probabilities"][i]
            .as_array()
            .and_then(|r| r.iter().filter_map(Value::as_f64).reduce(f64::max))
            .map_or(String::new(), |p| format!("{p:.3}"));
        let value = p.as_str().map_or_else(
            || format!("{:.3}", p.as_f64().unwrap_or(f64::NAN)),
            str::to_string,
        );
        let row = match &ids {
            Some((_, values)) if i < values.len() => values.get(i).unwrap_or_default().to_string(),
            Some(_) => String::new(),
            None => (i + 1).to_string(),
        };
        t.rows.push(vec![row, value, prob]);
    }
    let mut summary = format!(
        "Predicted {} for {n} row{} with {} version {} ({})",
        record.target,
        if n == 1 { "" } else { "s" },
        record.name,
        record.version,
        why
    );
    if let Output::Probabilities(p) = &prediction.output
        && let Some(positive) = (record.task == "binary").then_some(1)
    {
        let share = p
            .rows()
            .into_iter()
            .filter(|r| maestro_ml::metrics::argmax(*r) == positive)
            .count();
        summary.push_str(&format!(
            " ({share} predicted {})",
            result["classes"][positive].as_str().unwrap_or("positive")
        ));
    }
    summary.push('.');
    if n > shown {
        summary.push_str(&format!(" The first {shown} are shown."));
    }
    for note in prediction.report.notes() {
        summary.push_str(&format!(" Note: {note}."));
    }
    (summary, t)
}

/// Predicts with a registered model.
pub struct Predict;

impl TypedTool for Predict {
    type Args = PredictArgs;
    const NAME: &'static str = "predict";
    const DESCRIPTION: &'static str = "Predict with a registered model for rows in a CSV file or given inline; reports unseen categories and missing columns.";
    const EXAMPLES: &'static [&'static str] = &[
        "predict churned for examples/data/new_customers.csv",
        "score new_customers.csv with the churn model",
        "run the iris model on data/new_flowers.csv",
    ];
    const PHRASINGS: &'static [&'static str] = &[
        "(predict|score|run) {path:path} (with|using) the {model:model} model",
        "(run|use) the {model:model} model on {path:path}",
        "(predictions|scores) for {path:path} (from|with) {model:model}",
        "what would the {model:model} model (predict|say) for {column} {number}",
    ];
    const EFFECT: Effect = Effect::Read;

    fn run(&self, ctx: &Context<'_>, a: PredictArgs) -> Result<ToolOutput, ToolError> {
        let predicted = predict(ctx.platform, &a)?;
        let (summary, t) = described(&predicted, SHOWN);
        let mut result = predicted.result;
        result["notes"] = json!(predicted.prediction.report.notes());
        Ok(ToolOutput::new(summary, result).with(Display::Table(t)))
    }
}

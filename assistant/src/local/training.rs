//! The options of a training or feature-ranking request besides its data and
//! target: columns to leave out ("ignore customer_id", "leave out task_id
//! and title"), the model's name ("call it churn_fast") and the number of
//! cross-validation folds ("a 10-fold run").

use std::sync::LazyLock;

use regex::Regex;

/// Words that start a list of columns to leave out.
static EXCLUDE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:ignor(?:e|ing)|exclud(?:e|ing)|without|leav(?:e|ing)\s+(?:out|off)|drop(?:ping)?|skip(?:ping)?|not\s+using|(?:don['’]t|do\s+not)\s+use|except(?:\s+for)?)\s+",
    )
    .expect("the exclusion pattern is valid")
});

/// Where a list of excluded columns ends: the next part of the request.
static LIST_END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)[;.]|,?\s+(?:and\s+)?(?:then|call|name|save|use|optimi[sz]e|predict\w*|with|budget|give)\b|,\s+(?:in|on|for)\b")
        .expect("the list end pattern is valid")
});

static NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:call|name)\s+(?:it|the\s+model|this\s+one)\s+([\w.-]+)|\bsave\s+(?:it\s+)?as\s+([\w.-]+)|\b(?:named|called)\s+([\w.-]+)")
        .expect("the name pattern is valid")
});

static FOLDS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(\d+)[\s-]*folds?\b|\bk\s*=\s*(\d+)\b").expect("the folds pattern is valid")
});

/// `clause` split into what it says without its exclusion list, and that
/// list's text ("train on churn, ignore customer_id" → ("train on churn, ",
/// "customer_id")).
pub fn exclusion(clause: &str) -> (String, Option<&str>) {
    let Some(cue) = EXCLUDE.find(clause) else {
        return (clause.to_string(), None);
    };
    let rest = &clause[cue.end()..];
    let end = LIST_END.find(rest).map_or(rest.len(), |m| m.start());
    let without = format!("{}{}", &clause[..cue.start()], &rest[end..]);
    (without, Some(&rest[..end]))
}

/// The name a request gives the model it trains.
pub fn model_name(clause: &str) -> Option<String> {
    let caps = NAME.captures(clause)?;
    let name = caps.get(1).or(caps.get(2)).or(caps.get(3))?.as_str();
    Some(name.trim_end_matches(['.', ',']).to_string())
}

static SEED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\bseed\s*(?:=|of|:)?\s*(\d+)\b").expect("the seed pattern is valid")
});

/// The random seed a request fixes ("seed 7").
pub fn seed(clause: &str) -> Option<u64> {
    SEED.captures(clause)?.get(1)?.as_str().parse().ok()
}

/// The number of cross-validation folds a request asks for.
pub fn folds(clause: &str) -> Option<u32> {
    let caps = FOLDS.captures(clause)?;
    caps.get(1).or(caps.get(2))?.as_str().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exclusions_names_and_folds_are_read_and_the_rest_is_kept() {
        assert_eq!(
            exclusion("feature ranking for churned in churn, ignore customer_id"),
            (
                "feature ranking for churned in churn, ".to_string(),
                Some("customer_id")
            )
        );
        assert_eq!(
            exclusion("fit on task_durations to predict actual_hours, leave out task_id and title"),
            (
                "fit on task_durations to predict actual_hours, ".to_string(),
                Some("task_id and title")
            )
        );
        assert_eq!(
            exclusion("train on churn without tenure, predicting churned").1,
            Some("tenure")
        );
        assert_eq!(exclusion("train on churn").1, None);
        assert_eq!(
            model_name("train on churn and call it churn_fast").as_deref(),
            Some("churn_fast")
        );
        assert_eq!(model_name("train on churn"), None);
        assert_eq!(folds("a 10-fold automl run on iris"), Some(10));
        assert_eq!(folds("use 5 folds"), Some(5));
        assert_eq!(folds("train on iris"), None);
        assert_eq!(seed("retrain churn w/ balanced accuracy, seed 7"), Some(7));
        assert_eq!(
            model_name("train on wine, call the model wine_v2").as_deref(),
            Some("wine_v2")
        );
        assert_eq!(
            exclusion(
                "predict missed in tasks but don't use actual_hours or completed_at (leakage)"
            )
            .1,
            Some("actual_hours or completed_at (leakage)")
        );
    }
}

//! The search space: cheap, well-regularised starting points first (a linear
//! model always leads), then neighbours of each family's best configuration.

use serde_json::{Map, Value};

use crate::learner::{Params, Task};
use crate::pipeline::Candidate;
use crate::rng::Rng;

/// What the data looks like, for choosing starting points.
#[derive(Debug, Clone, Copy)]
pub struct Shape {
    /// The task.
    pub task: Task,
    /// Training rows.
    pub rows: usize,
    /// Encoded width (one-hot).
    pub width: usize,
    /// Some numeric feature is skewed and never negative.
    pub skewed_features: bool,
    /// The (regression) target is skewed and never negative.
    pub skewed_target: bool,
}

/// Rows from which a cheap model goes first.
const LARGE: usize = 20_000;

/// Kernel methods are only tried up to this many rows (their cost grows with rows²).
const SVM_MAX_ROWS: usize = 3000;

/// Neighbour methods are only tried up to this many rows: a k-NN model keeps
/// every training row and compares each prediction with all of them, so on
/// more rows both its trials and the model it leaves are slow (a 10k-row
/// sample took 9 s of a minute to score a 80k-row holdout, at 0.75 AUC).
const KNN_MAX_ROWS: usize = 50_000;

/// Starting configurations, cheapest and most reliable first.
pub fn initial(shape: &Shape) -> Vec<Candidate> {
    let linear = Params::Linear {
        c: 1.0,
        l1_ratio: 0.0,
    };
    let boost = Params::Boost {
        iterations: 100,
        learning_rate: 0.1,
        max_depth: 4,
        min_leaf_weight: 1.0,
        l2: 1.0,
        subsample: 1.0,
    };
    let mut out = Vec::new();
    // On large data a linear fit can take long: a naive Bayes model first
    // guarantees something to keep.
    if shape.task != Task::Regression && shape.rows > LARGE {
        out.push(Candidate::plain(Params::NaiveBayes {
            var_smoothing: 1e-9,
        }));
    }
    out.push(Candidate::plain(linear.clone()));
    let with = |params: &Params, log_features: bool, log_target: bool| Candidate {
        params: params.clone(),
        log_features,
        log_target,
    };
    if shape.skewed_features {
        out.push(with(&linear, true, false));
    }
    if shape.skewed_target {
        out.push(with(&linear, false, true));
        if shape.skewed_features {
            out.push(with(&linear, true, true));
        }
    }
    if shape.task != Task::Regression {
        if shape.rows <= LARGE {
            out.push(Candidate::plain(Params::NaiveBayes {
                var_smoothing: 1e-9,
            }));
        }
        out.push(Candidate::plain(Params::Tree {
            max_depth: 6,
            min_samples_leaf: 5,
        }));
    }
    out.push(Candidate::plain(boost.clone()));
    if shape.skewed_target {
        out.push(with(&boost, false, true));
    }
    if shape.rows <= KNN_MAX_ROWS {
        out.push(Candidate::plain(Params::Knn {
            k: 10,
            distance_weighted: true,
        }));
    }
    if shape.task != Task::Regression {
        out.push(Candidate::plain(Params::Forest {
            trees: 50,
            max_depth: 12,
            sample_ratio: 0.8,
        }));
    }
    if shape.rows <= SVM_MAX_ROWS {
        out.push(Candidate {
            params: Params::Svm {
                c: 1.0,
                gamma: 1.0 / shape.width.max(1) as f64,
            },
            log_features: shape.skewed_features,
            log_target: shape.skewed_target,
        });
    }
    out
}

/// A hyper-parameter's range: low, high, searched on a log scale, whole numbers.
fn range(family: &str, key: &str, task: Task) -> Option<(f64, f64, bool, bool)> {
    Some(match (family, key) {
        // Weakly regularised logistic fits can take seconds to converge on
        // nearly separable data; ridge solves directly at any strength.
        ("linear", "c") if task == Task::Regression => (1e-3, 1e3, true, false),
        ("linear", "c") => (1e-3, 10.0, true, false),
        ("linear", "l1_ratio") if task == Task::Regression => (0.0, 1.0, false, false),
        ("tree", "max_depth") => (2.0, 20.0, false, true),
        ("tree", "min_samples_leaf") => (1.0, 50.0, true, true),
        ("forest", "trees") => (10.0, 300.0, true, true),
        ("forest", "max_depth") => (3.0, 30.0, false, true),
        ("forest", "sample_ratio") => (0.3, 1.0, false, false),
        ("boost", "iterations") => (20.0, 1000.0, true, true),
        ("boost", "learning_rate") => (0.01, 0.5, true, false),
        ("boost", "max_depth") => (2.0, 10.0, false, true),
        ("boost", "min_leaf_weight") => (0.1, 20.0, true, false),
        ("boost", "l2") => (0.01, 10.0, true, false),
        ("boost", "subsample") => (0.5, 1.0, false, false),
        ("knn", "k") => (1.0, 50.0, true, true),
        ("svm", "c") => (1e-2, 1e3, true, false),
        ("svm", "gamma") => (1e-4, 1.0, true, false),
        ("naive_bayes", "var_smoothing") => (1e-12, 1e-1, true, false),
        _ => return None,
    })
}

/// A random neighbour of `incumbent`: every searchable hyper-parameter moves
/// by a normal step of `step` (a share of its range, on its scale); booleans
/// flip with probability `step / 2`.
pub fn neighbour(incumbent: &Candidate, task: Task, step: f64, rng: &mut Rng) -> Candidate {
    let family = incumbent.params.family();
    let Value::Object(params) = incumbent.params.describe() else {
        return incumbent.clone();
    };
    let mut moved = Map::new();
    moved.insert("family".into(), Value::String(family.into()));
    for (key, value) in params {
        let new = match (&value, range(family, &key, task)) {
            (Value::Number(n), Some((lo, hi, log, whole))) => {
                let v = n.as_f64().unwrap_or(lo);
                let (a, b, x) = if log {
                    (lo.ln(), hi.ln(), v.max(lo).ln())
                } else {
                    (lo, hi, v)
                };
                let mut y = (x + rng.normal() * step * (b - a)).clamp(a, b);
                if log {
                    y = y.exp();
                }
                if whole {
                    Value::from(y.round() as u64)
                } else {
                    Value::from(y)
                }
            }
            (Value::Bool(b), _) if rng.unit() < step / 2.0 => Value::Bool(!b),
            _ => value,
        };
        moved.insert(key, new);
    }
    match serde_json::from_value::<Params>(Value::Object(moved)) {
        Ok(params) => Candidate {
            params,
            ..incumbent.clone()
        },
        Err(_) => incumbent.clone(),
    }
}

/// A family's cost at its starting configuration, as a multiple of the
/// linear model's, and the size of that starting configuration.
/// Deliberately pessimistic for the kernel and neighbour methods, whose cost
/// grows with the square of the rows.
/// Boosting and SVMs fit one model per class beyond two (one-vs-rest).
fn prior_factor(family: &str, rows: usize, classes: usize) -> (f64, f64) {
    let r = rows as f64 / 1000.0;
    let per_class = if classes > 2 { classes as f64 } else { 1.0 };
    match family {
        "naive_bayes" => (0.2, 1.0),
        "tree" => (1.0, 6.0),
        "forest" => (4.0, 480.0),
        "boost" => (3.0 * per_class, 400.0),
        "knn" => (0.5 * r.max(1.0), 1.0),
        "svm" => (2.0 * (r * r).max(1.0) * per_class, 1.0),
        _ => (1.0, 1.0),
    }
}

/// Seconds per fold of an untimed configuration, from another family's
/// measured seconds per size unit, through both families' priors.
pub fn prior(
    params: &Params,
    rows: usize,
    classes: usize,
    timed: &str,
    seconds_per_size: f64,
) -> f64 {
    let (timed_factor, timed_typical) = prior_factor(timed, rows, classes);
    let linear = seconds_per_size * timed_typical / timed_factor;
    let (factor, typical) = prior_factor(params.family(), rows, classes);
    linear * factor * size(params) / typical
}

/// The least memory a search lets a model take (see [`memory_cap`]).
const MIN_MODEL_BYTES: f64 = 64.0 * 1024.0 * 1024.0;

/// The most memory a model of data of `shape` may take: as much as the
/// encoded training rows, and at least 64 MB. Deep forests on many rows
/// grow a leaf for nearly every row (a 100-tree forest on 90k rows took
/// some 240 MB), more than the data and than a better model needs.
pub fn memory_cap(shape: &Shape) -> f64 {
    (shape.rows as f64 * shape.width as f64 * 8.0).max(MIN_MODEL_BYTES)
}

/// An upper bound on the memory of a model of `params` fitted on `rows`
/// rows of `classes` classes (0 for a number): tree nodes for the tree
/// families (leaves at most one per row drawn and `2^depth`, a split fewer),
/// nothing worth counting for the others.
pub fn model_bytes(params: &Params, rows: usize, classes: usize) -> f64 {
    let leaves = |depth: usize, rows: f64| 2f64.powi(depth.min(60) as i32).min(rows.max(1.0));
    // A CART leaf keeps a share per class beside its node (40 bytes, as a
    // split); forust's nodes take some 72 bytes; one booster per class
    // beyond two.
    let tree = |depth: usize, rows: f64| {
        let l = leaves(depth, rows);
        l * (56.0 + 8.0 * classes as f64) + (l - 1.0) * 40.0
    };
    let boosters = if classes > 2 { classes as f64 } else { 1.0 };
    match *params {
        Params::Tree { max_depth, .. } => tree(max_depth, rows as f64),
        Params::Forest {
            trees,
            max_depth,
            sample_ratio,
        } => trees as f64 * tree(max_depth, sample_ratio * rows as f64),
        Params::Boost {
            iterations,
            max_depth,
            ..
        } => boosters * iterations as f64 * (2.0 * leaves(max_depth, rows as f64) - 1.0) * 72.0,
        _ => 0.0,
    }
}

/// Relative cost of a configuration within its family (fit time scales with it).
pub fn size(params: &Params) -> f64 {
    match params {
        Params::Boost {
            iterations,
            max_depth,
            subsample,
            ..
        } => *iterations as f64 * (*max_depth as f64).max(1.0) * f64::from(*subsample),
        Params::Forest {
            trees,
            max_depth,
            sample_ratio,
        } => *trees as f64 * (*max_depth as f64).max(1.0) * sample_ratio,
        Params::Tree { max_depth, .. } => *max_depth as f64,
        // Elastic net iterates where ridge solves directly; weak penalties take
        // more solver steps.
        Params::Linear { c, l1_ratio } => 1.0 + 10.0 * l1_ratio + 0.3 * c.max(1.0).log10(),
        _ => 1.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starts_linear_and_moves_within_ranges() {
        let shape = Shape {
            task: Task::Regression,
            rows: 500,
            width: 10,
            skewed_features: true,
            skewed_target: true,
        };
        let start = initial(&shape);
        assert_eq!(start[0].params.family(), "linear");
        assert!(start.iter().any(|c| c.log_target));
        assert!(start.iter().all(|c| c.params.supports(Task::Regression)));
        let mut rng = Rng::new(1);
        let boost = start.iter().find(|c| c.params.family() == "boost").unwrap();
        for _ in 0..50 {
            let n = neighbour(boost, Task::Regression, 0.3, &mut rng);
            let Params::Boost {
                iterations,
                learning_rate,
                subsample,
                ..
            } = n.params
            else {
                panic!("family changed");
            };
            assert!((20..=1000).contains(&iterations));
            assert!((0.01..=0.5).contains(&learning_rate));
            assert!((0.5..=1.0).contains(&subsample));
        }
    }

    #[test]
    fn deep_forests_on_many_rows_exceed_the_memory_a_model_may_take() {
        let shape = Shape {
            task: Task::Binary,
            rows: 90_000,
            width: 25,
            skewed_features: false,
            skewed_target: false,
        };
        let cap = memory_cap(&shape);
        assert_eq!(cap, MIN_MODEL_BYTES, "90k rows × 25 encode to 18 MB");
        let forest = |trees, max_depth| Params::Forest {
            trees,
            max_depth,
            sample_ratio: 0.9,
        };
        assert!(model_bytes(&forest(100, 20), 90_000, 2) > cap);
        assert!(model_bytes(&forest(300, 30), 90_000, 2) > cap);
        assert!(model_bytes(&forest(50, 12), 90_000, 2) < cap);
        assert!(model_bytes(&forest(100, 12), 90_000, 2) < cap);
        // The starting forest fits on many classes too.
        assert!(model_bytes(&forest(50, 12), 90_000, 20) < cap);
        // On a few rows leaves are bounded by the rows drawn.
        assert!(model_bytes(&forest(100, 30), 5_000, 2) < cap);
        let boost = |iterations, max_depth| Params::Boost {
            iterations,
            learning_rate: 0.1,
            max_depth,
            min_leaf_weight: 1.0,
            l2: 1.0,
            subsample: 1.0,
        };
        assert!(model_bytes(&boost(1000, 6), 90_000, 2) < cap);
        assert!(model_bytes(&boost(1000, 10), 90_000, 10) > cap);
        assert_eq!(
            model_bytes(
                &Params::NaiveBayes {
                    var_smoothing: 1e-9
                },
                90_000,
                2
            ),
            0.0
        );
        let large = Shape {
            rows: 1_000_000,
            ..shape
        };
        assert_eq!(memory_cap(&large), 200e6);
    }

    #[test]
    fn large_data_leaves_out_the_methods_that_keep_every_row() {
        let families = |rows| {
            let shape = Shape {
                task: Task::Binary,
                rows,
                width: 10,
                skewed_features: false,
                skewed_target: false,
            };
            initial(&shape)
                .iter()
                .map(|c| c.params.family())
                .collect::<Vec<_>>()
        };
        let small = families(1_000);
        assert!(small.contains(&"knn") && small.contains(&"svm"));
        let medium = families(20_000);
        assert!(medium.contains(&"knn") && !medium.contains(&"svm"));
        let large = families(800_000);
        assert_eq!(large[0], "naive_bayes", "something cheap to keep first");
        assert!(!large.contains(&"knn") && !large.contains(&"svm"));
        assert!(large.contains(&"boost") && large.contains(&"forest"));
    }
}

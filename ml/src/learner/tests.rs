//! Tests of the learner families on small synthetic data sets: Gaussian blobs
//! for classes, `y = 3·x1 − 2·x2 + noise` for numbers.

use std::time::Instant;

use ndarray::{Array1, Array2, ArrayView2};

use super::*;

/// Standard normal draws from the crate-private generator.
fn normal(rng: &mut SplitMix) -> f64 {
    let u = ((rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64).max(1e-300);
    let v = (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}

/// Blobs around `centres` (the first two features; two more are noise), with
/// `sizes[c]` rows for class `c`, rows shuffled.
fn blobs(sizes: &[usize], centres: &[[f64; 2]], seed: u64) -> (Array2<f64>, Array1<usize>) {
    let mut rng = SplitMix::new(seed);
    let mut rows = Vec::new();
    for (class, (&size, centre)) in sizes.iter().zip(centres).enumerate() {
        for _ in 0..size {
            let row = [
                centre[0] + normal(&mut rng),
                centre[1] + normal(&mut rng),
                normal(&mut rng),
                normal(&mut rng),
            ];
            rows.push((row, class));
        }
    }
    for i in (1..rows.len()).rev() {
        let j = rng.below(i + 1);
        rows.swap(i, j);
    }
    let x = Array2::from_shape_fn((rows.len(), 4), |(r, c)| rows[r].0[c]);
    let y = rows.iter().map(|r| r.1).collect();
    (x, y)
}

const TWO: [[f64; 2]; 2] = [[-2.0, -2.0], [2.0, 2.0]];
const THREE: [[f64; 2]; 3] = [[-3.0, -2.0], [3.0, -2.0], [0.0, 3.0]];

/// `y = 3·x1 − 2·x2 + noise`, with a third, irrelevant feature.
fn linear_data(n: usize, seed: u64) -> (Array2<f64>, Array1<f64>) {
    let mut rng = SplitMix::new(seed);
    let x = Array2::from_shape_fn((n, 3), |_| normal(&mut rng));
    let y = x
        .rows()
        .into_iter()
        .map(|r| 3.0 * r[0] - 2.0 * r[1] + 0.3 * normal(&mut rng))
        .collect();
    (x, y)
}

fn families() -> Vec<Params> {
    vec![
        Params::Linear {
            c: 1.0,
            l1_ratio: 0.5,
        },
        Params::Tree {
            max_depth: 6,
            min_samples_leaf: 2,
        },
        Params::Forest {
            trees: 15,
            max_depth: 8,
            sample_ratio: 0.8,
        },
        Params::Boost {
            iterations: 60,
            learning_rate: 0.2,
            max_depth: 3,
            min_leaf_weight: 1.0,
            l2: 1.0,
            subsample: 0.8,
        },
        Params::Knn {
            k: 7,
            distance_weighted: true,
        },
        Params::Knn {
            k: 7,
            distance_weighted: false,
        },
        Params::Svm {
            c: 10.0,
            gamma: 0.5,
        },
        Params::NaiveBayes {
            var_smoothing: 1e-9,
        },
    ]
}

fn family(name: &str) -> Vec<Params> {
    families()
        .into_iter()
        .filter(|p| p.family() == name)
        .collect()
}

fn probabilities(fitted: &Fitted, x: ArrayView2<f64>) -> Array2<f64> {
    match fitted.predict(x) {
        Output::Probabilities(p) => p,
        Output::Values(_) => panic!("{} gave values for classes", fitted.family()),
    }
}

fn values(fitted: &Fitted, x: ArrayView2<f64>) -> Array1<f64> {
    match fitted.predict(x) {
        Output::Values(v) => v,
        Output::Probabilities(_) => panic!("{} gave probabilities for values", fitted.family()),
    }
}

/// Right shape, finite, at least the floor, rows summing to 1.
fn assert_probabilities(p: &Array2<f64>, rows: usize, classes: usize, what: &str) {
    assert_eq!(p.dim(), (rows, classes), "{what}: shape");
    for row in p.rows() {
        assert!(
            row.iter()
                .all(|v| v.is_finite() && *v >= PROBABILITY_FLOOR * 0.5),
            "{what}: {row}"
        );
        assert!(
            (row.sum() - 1.0).abs() < 1e-9,
            "{what}: row sums to {}",
            row.sum()
        );
    }
}

fn accuracy(p: &Array2<f64>, y: &Array1<usize>) -> f64 {
    let hits = p
        .rows()
        .into_iter()
        .zip(y)
        .filter(|(row, c)| {
            let best = row
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1))
                .map(|(i, _)| i);
            best == Some(**c)
        })
        .count();
    hits as f64 / y.len() as f64
}

fn r2(pred: &Array1<f64>, y: &Array1<f64>) -> f64 {
    let mean = y.mean().unwrap();
    let ss_res: f64 = pred.iter().zip(y).map(|(p, t)| (p - t).powi(2)).sum();
    let ss_tot: f64 = y.iter().map(|t| (t - mean).powi(2)).sum();
    1.0 - ss_res / ss_tot
}

/// Learns separable blobs; probabilities well formed; a JSON round trip and a
/// refit with the same seed predict identically.
fn check_classes(params: &Params, sizes: &[usize], centres: &[[f64; 2]]) {
    let classes = sizes.len();
    let what = format!("{} on {classes} classes", params.family());
    let (x, y) = blobs(sizes, centres, 1);
    let test_sizes: Vec<usize> = sizes.iter().map(|s| s / 2).collect();
    let (tx, ty) = blobs(&test_sizes, centres, 2);
    let labels = Labels::Classes {
        y: y.view(),
        classes,
    };
    let fitted = params.fit(x.view(), labels, 7).expect(&what);
    assert_eq!(fitted.classes(), Some(classes));
    assert_eq!(fitted.features(), 4);
    assert_eq!(fitted.family(), params.family());
    let p = probabilities(&fitted, tx.view());
    assert_probabilities(&p, tx.nrows(), classes, &what);
    let acc = accuracy(&p, &ty);
    assert!(acc >= 0.9, "{what}: accuracy {acc}");

    let json = serde_json::to_string(&fitted).unwrap();
    let loaded: Fitted = serde_json::from_str(&json).unwrap();
    assert_eq!(
        probabilities(&loaded, tx.view()),
        p,
        "{what}: JSON round trip"
    );
    assert_eq!(
        probabilities(&fitted.clone(), tx.view()),
        p,
        "{what}: clone"
    );

    let again = params.fit(x.view(), labels, 7).unwrap();
    assert_eq!(probabilities(&again, tx.view()), p, "{what}: same seed");
}

fn check_values(params: &Params) {
    let what = format!("{} on values", params.family());
    let (x, y) = linear_data(400, 3);
    let (tx, ty) = linear_data(200, 4);
    let fitted = params
        .fit(x.view(), Labels::Values(y.view()), 7)
        .expect(&what);
    assert_eq!(fitted.classes(), None);
    let pred = values(&fitted, tx.view());
    assert_eq!(pred.len(), tx.nrows());
    assert!(pred.iter().all(|v| v.is_finite()), "{what}");
    let score = r2(&pred, &ty);
    assert!(score >= 0.8, "{what}: R² {score}");

    let json = serde_json::to_string(&fitted).unwrap();
    let loaded: Fitted = serde_json::from_str(&json).unwrap();
    assert_eq!(values(&loaded, tx.view()), pred, "{what}: JSON round trip");
    let again = params.fit(x.view(), Labels::Values(y.view()), 7).unwrap();
    assert_eq!(values(&again, tx.view()), pred, "{what}: same seed");
}

/// Every probability column is kept when a class has no training rows.
fn check_missing_class(params: &Params) {
    let what = format!("{} with a missing class", params.family());
    // Four classes declared, class 1 never seen: exercises one-vs-rest and
    // multinomial column mapping with a gap.
    let (x, y) = blobs(
        &[60, 0, 60, 60],
        &[THREE[0], [9.0, 9.0], THREE[1], THREE[2]],
        5,
    );
    let fitted = params
        .fit(
            x.view(),
            Labels::Classes {
                y: y.view(),
                classes: 4,
            },
            1,
        )
        .expect(&what);
    let p = probabilities(&fitted, x.view());
    assert_probabilities(&p, x.nrows(), 4, &what);
    assert!(
        p.column(1).iter().all(|v| *v < 1e-3),
        "{what}: {}",
        p.column(1)
    );
    assert!(accuracy(&p, &y) >= 0.9, "{what}");

    // Three classes declared, two seen.
    let (x, y) = blobs(&[80, 0, 80], &[TWO[0], [0.0, 9.0], TWO[1]], 6);
    let fitted = params
        .fit(
            x.view(),
            Labels::Classes {
                y: y.view(),
                classes: 3,
            },
            1,
        )
        .expect(&what);
    let p = probabilities(&fitted, x.view());
    assert_probabilities(&p, x.nrows(), 3, &what);
    assert!(accuracy(&p, &y) >= 0.9, "{what}");
}

fn check_family(name: &str) {
    for params in family(name) {
        check_classes(&params, &[150, 90], &TWO);
        check_classes(&params, &[60, 70, 80], &THREE);
        check_missing_class(&params);
        if params.supports(Task::Regression) {
            check_values(&params);
        } else {
            let (x, y) = linear_data(50, 1);
            let err = params
                .fit(x.view(), Labels::Values(y.view()), 0)
                .unwrap_err();
            assert!(matches!(err, MlError::Request(_)), "{name}: {err}");
        }
    }
}

#[test]
fn linear_learns() {
    check_family("linear");
}

#[test]
fn tree_learns() {
    check_family("tree");
}

#[test]
fn forest_learns() {
    check_family("forest");
}

#[test]
fn boost_learns() {
    check_family("boost");
}

#[test]
fn knn_learns() {
    check_family("knn");
}

#[test]
fn svm_learns() {
    check_family("svm");
}

#[test]
fn naive_bayes_learns() {
    check_family("naive_bayes");
}

#[test]
fn a_single_class_fit_is_refused_by_every_family() {
    let (x, _) = blobs(&[40], &TWO[..1], 3);
    let y = Array1::<usize>::zeros(40);
    for params in families() {
        let err = params
            .fit(
                x.view(),
                Labels::Classes {
                    y: y.view(),
                    classes: 2,
                },
                0,
            )
            .unwrap_err();
        match &err {
            MlError::Fit { family, message } => {
                assert_eq!(*family, params.family());
                assert!(message.contains("only one class"), "{message}");
            }
            other => panic!("{}: {other}", params.family()),
        }
    }
}

#[test]
fn linear_models_have_the_documented_penalties() {
    // Nearly unpenalised: the regression recovers the coefficients and the
    // intercept, even on features far from centred.
    let (mut x, y) = linear_data(300, 8);
    x.column_mut(0).mapv_inplace(|v| v + 10.0);
    // y = 3·(x1 + 10) − 2·x2 + 7 + noise in the shifted feature.
    let y = &y + 37.0;
    let params = Params::Linear {
        c: 1e6,
        l1_ratio: 0.0,
    };
    let fitted = params.fit(x.view(), Labels::Values(y.view()), 0).unwrap();
    let probe = ndarray::array![[10.0, 0.0, 0.0], [11.0, 1.0, 0.0]];
    let pred = values(&fitted, probe.view());
    assert!((pred[0] - 37.0).abs() < 0.1, "{pred}");
    assert!((pred[1] - pred[0] - 1.0).abs() < 0.1, "{pred}");

    // Ridge(alpha = 1/c): one centred feature with Σx² = s has the closed form
    // w = Σxy / (s + 1/c).
    let xs = ndarray::array![[-1.0], [0.0], [1.0]];
    let ys = ndarray::array![-2.0, 0.0, 2.0];
    let fitted = Params::Linear {
        c: 0.5,
        l1_ratio: 0.0,
    }
    .fit(xs.view(), Labels::Values(ys.view()), 0)
    .unwrap();
    let slope = values(&fitted, ndarray::array![[1.0]].view())[0];
    assert!((slope - 4.0 / (2.0 + 2.0)).abs() < 1e-3, "slope {slope}");

    // Logistic: a strong penalty leaves only the (unpenalised) intercept, so
    // probabilities are the class shares, 60:140 — class 1 being the larger
    // class exercises linfa's other label orientation.
    let (x, y) = blobs(&[60, 140], &TWO, 9);
    let labels = Labels::Classes {
        y: y.view(),
        classes: 2,
    };
    let strong = Params::Linear {
        c: 1e-6,
        l1_ratio: 0.0,
    };
    let p = probabilities(&strong.fit(x.view(), labels, 0).unwrap(), x.view());
    assert!(p.column(1).iter().all(|v| (v - 0.7).abs() < 0.01), "{p}");
    let weak = Params::Linear {
        c: 1.0,
        l1_ratio: 0.0,
    };
    let p = probabilities(&weak.fit(x.view(), labels, 0).unwrap(), x.view());
    assert!(accuracy(&p, &y) > 0.95);
}

#[test]
fn weakly_penalised_logistic_on_separable_data_does_not_panic() {
    let (x, y) = blobs(&[40, 40, 40], &[[-20.0, 0.0], [0.0, 20.0], [20.0, 0.0]], 12);
    for classes in [2, 3] {
        let keep: Vec<usize> = (0..y.len()).filter(|&i| y[i] < classes).collect();
        let (x, y) = (
            x.select(ndarray::Axis(0), &keep),
            y.select(ndarray::Axis(0), &keep),
        );
        let labels = Labels::Classes {
            y: y.view(),
            classes,
        };
        let params = Params::Linear {
            c: 1e9,
            l1_ratio: 0.0,
        };
        match params.fit(x.view(), labels, 0) {
            Ok(fitted) => assert_probabilities(
                &probabilities(&fitted, x.view()),
                x.nrows(),
                classes,
                "linear",
            ),
            Err(e) => assert!(matches!(e, MlError::Fit { .. }), "{e}"),
        }
    }
}

#[test]
fn bad_requests_are_errors_not_panics() {
    let (x, y) = blobs(&[30, 30], &TWO, 4);
    let labels = Labels::Classes {
        y: y.view(),
        classes: 2,
    };
    let bad = [
        Params::Linear {
            c: 0.0,
            l1_ratio: 0.0,
        },
        Params::Linear {
            c: 1.0,
            l1_ratio: 2.0,
        },
        Params::Tree {
            max_depth: 3,
            min_samples_leaf: 0,
        },
        Params::Forest {
            trees: 0,
            max_depth: 3,
            sample_ratio: 0.5,
        },
        Params::Boost {
            iterations: 10,
            learning_rate: -1.0,
            max_depth: 3,
            min_leaf_weight: 1.0,
            l2: 1.0,
            subsample: 1.0,
        },
        Params::Knn {
            k: 0,
            distance_weighted: false,
        },
        Params::Svm {
            c: 1.0,
            gamma: f64::NAN,
        },
        Params::NaiveBayes {
            var_smoothing: -1.0,
        },
    ];
    for params in bad {
        let err = params.fit(x.view(), labels, 0).unwrap_err();
        assert!(matches!(err, MlError::Fit { .. }), "{params:?}: {err}");
    }
    let ok = Params::Knn {
        k: 3,
        distance_weighted: false,
    };
    let mut nan = x.clone();
    nan[[3, 1]] = f64::NAN;
    assert!(matches!(
        ok.fit(nan.view(), labels, 0),
        Err(MlError::Data(_))
    ));
    let short = y.slice(ndarray::s![..10]);
    let err = ok
        .fit(
            x.view(),
            Labels::Classes {
                y: short,
                classes: 2,
            },
            0,
        )
        .unwrap_err();
    assert!(matches!(err, MlError::Data(_)), "{err}");
    let err = ok
        .fit(
            x.view(),
            Labels::Classes {
                y: y.view(),
                classes: 1,
            },
            0,
        )
        .unwrap_err();
    assert!(matches!(err, MlError::Request(_)), "{err}");
    let err = ok
        .fit(
            x.slice(ndarray::s![..0, ..]),
            Labels::Classes {
                y: y.slice(ndarray::s![..0]),
                classes: 2,
            },
            0,
        )
        .unwrap_err();
    assert!(matches!(err, MlError::Data(_)), "{err}");
}

#[test]
fn predictions_stay_finite_on_extreme_or_misshapen_rows() {
    let (x, y) = blobs(&[50, 50, 50], &THREE, 10);
    let labels = Labels::Classes {
        y: y.view(),
        classes: 3,
    };
    let extreme = ndarray::array![[1e300, -1e300, 1e300, 0.0], [0.0, 0.0, 0.0, 0.0]];
    for params in families() {
        let fitted = params.fit(x.view(), labels, 0).unwrap();
        let p = probabilities(&fitted, extreme.view());
        assert_probabilities(&p, 2, 3, params.family());
        // The wrong width gets the training shares.
        let p = probabilities(&fitted, x.slice(ndarray::s![..3, ..2]));
        assert_probabilities(&p, 3, 3, params.family());
        assert!((p[[0, 0]] - 1.0 / 3.0).abs() < 1e-6);
    }
    let (x, y) = linear_data(100, 11);
    let extreme = ndarray::array![[1e300, -1e300, 1e300]];
    for params in families()
        .into_iter()
        .filter(|p| p.supports(Task::Regression))
    {
        let fitted = params.fit(x.view(), Labels::Values(y.view()), 0).unwrap();
        let v = values(&fitted, extreme.view());
        assert!(v.iter().all(|v| v.is_finite()), "{}: {v}", params.family());
        let v = values(&fitted, x.slice(ndarray::s![..2, ..1]));
        assert!((v[0] - y.mean().unwrap()).abs() < 1e-9);
    }
}

#[test]
fn describe_lists_the_hyper_parameters_without_the_family() {
    for params in families() {
        let described = params.describe();
        let map = described.as_object().expect("an object");
        assert!(!map.contains_key("family"));
        // The same keys as the serialised params, less the tag.
        let Value::Object(mut full) = serde_json::to_value(&params).unwrap() else {
            panic!("params serialise to an object")
        };
        full.remove("family");
        assert_eq!(&full, map, "{}", params.family());
    }
}

#[test]
fn fitted_models_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Fitted>();
}

/// Fit times on 1000 × 20 noisy data in this build; run with
/// `cargo test -p maestro-ml learner::tests::fit_times -- --ignored --nocapture`.
#[test]
#[ignore]
fn fit_times() {
    let mut rng = SplitMix::new(42);
    let (n, d) = (1000, 20);
    let x = Array2::from_shape_fn((n, d), |_| normal(&mut rng));
    let score: Array1<f64> = x
        .rows()
        .into_iter()
        .map(|r| r[0] - r[1] + 0.5 * r[2] * r[3] + normal(&mut rng))
        .collect();
    let binary: Array1<usize> = score.mapv(|s| usize::from(s > 0.0));
    let multi: Array1<usize> = score.mapv(|s| {
        if s < -0.7 {
            0
        } else if s < 0.7 {
            1
        } else {
            2
        }
    });
    let params = [
        Params::Linear {
            c: 1.0,
            l1_ratio: 0.0,
        },
        Params::Linear {
            c: 1.0,
            l1_ratio: 0.5,
        },
        Params::Tree {
            max_depth: 6,
            min_samples_leaf: 5,
        },
        Params::Forest {
            trees: 50,
            max_depth: 12,
            sample_ratio: 0.8,
        },
        Params::Boost {
            iterations: 100,
            learning_rate: 0.1,
            max_depth: 4,
            min_leaf_weight: 1.0,
            l2: 1.0,
            subsample: 1.0,
        },
        Params::Knn {
            k: 10,
            distance_weighted: true,
        },
        Params::Svm {
            c: 1.0,
            gamma: 1.0 / d as f64,
        },
        Params::NaiveBayes {
            var_smoothing: 1e-9,
        },
    ];
    for p in &params {
        let mut line = format!("{:<12}", p.family());
        for (task, labels) in [
            (
                "binary",
                Labels::Classes {
                    y: binary.view(),
                    classes: 2,
                },
            ),
            (
                "multiclass",
                Labels::Classes {
                    y: multi.view(),
                    classes: 3,
                },
            ),
            ("regression", Labels::Values(score.view())),
        ] {
            if matches!(labels, Labels::Values(_)) && !p.supports(Task::Regression) {
                continue;
            }
            let start = Instant::now();
            let fitted = p.fit(x.view(), labels, 1).unwrap();
            let fit = start.elapsed();
            let start = Instant::now();
            let _ = fitted.predict(x.view());
            let predict = start.elapsed();
            line += &format!(
                "  {task}: fit {:>7.1} ms, predict {:>6.1} ms",
                fit.as_secs_f64() * 1e3,
                predict.as_secs_f64() * 1e3
            );
        }
        println!("{line}");
    }
}

#[test]
fn boosting_on_every_core_gives_the_same_model_each_run() {
    // Large enough for forust to build histograms on every core.
    let (x, y) = linear_data(PARALLEL_ROWS + 1_000, 3);
    let params = Params::Boost {
        iterations: 15,
        learning_rate: 0.3,
        max_depth: 3,
        min_leaf_weight: 1.0,
        l2: 1.0,
        subsample: 0.8,
    };
    let fit = || params.fit(x.view(), Labels::Values(y.view()), 11).unwrap();
    let first = values(&fit(), x.view());
    assert!(r2(&first, &y) > 0.8);
    assert_eq!(first, values(&fit(), x.view()));
}

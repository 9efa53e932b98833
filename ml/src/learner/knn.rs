//! k nearest neighbours by Euclidean distance, brute force: the model keeps
//! its training rows. Distances to a block of queries come from one matrix
//! product (`|q|² + |t|² − 2·q·t`), so memory stays bounded by
//! [`BLOCK_CELLS`] whatever the number of queries.

use ndarray::{Array1, Array2, ArrayView1, ArrayView2, s};
use serde::{Deserialize, Serialize};

use super::ClassInfo;

/// Most query × training distances held at once.
const BLOCK_CELLS: usize = 1 << 20;

/// Training rows and how to weigh neighbours, shared by both tasks.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Neighbours {
    /// Training rows × features.
    x: Array2<f64>,
    /// Squared norm of each training row.
    norms: Array1<f64>,
    k: usize,
    distance_weighted: bool,
}

impl Neighbours {
    fn new(x: ArrayView2<f64>, k: usize, distance_weighted: bool) -> Self {
        let x = x.to_owned();
        let norms = x.rows().into_iter().map(|r| r.dot(&r)).collect();
        Self {
            k: k.min(x.nrows()).max(1),
            x,
            norms,
            distance_weighted,
        }
    }

    /// Calls `visit(query, neighbours)` for every query row, with the `k`
    /// nearest training rows as `(training row, weight)`; weights are 1, or
    /// `1/distance` when distance weighted (exact matches, if any, share all
    /// the weight).
    fn each(&self, queries: ArrayView2<f64>, mut visit: impl FnMut(usize, &[(usize, f64)])) {
        let n = self.x.nrows();
        let block = (BLOCK_CELLS / n.max(1)).max(1);
        let mut order: Vec<(f64, usize)> = Vec::with_capacity(n);
        let mut chosen: Vec<(usize, f64)> = Vec::with_capacity(self.k);
        let mut start = 0;
        while start < queries.nrows() {
            let end = (start + block).min(queries.nrows());
            let q = queries.slice(s![start..end, ..]);
            // q·tᵀ (block × n); the norms are added row by row.
            let cross = q.dot(&self.x.t());
            for (i, (qrow, crow)) in q.rows().into_iter().zip(cross.rows()).enumerate() {
                let qnorm = qrow.dot(&qrow);
                order.clear();
                order.extend(
                    crow.iter()
                        .zip(&self.norms)
                        .enumerate()
                        .map(|(t, (c, tn))| ((qnorm + tn - 2.0 * c).max(0.0), t)),
                );
                let by_distance =
                    |a: &(f64, usize), b: &(f64, usize)| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1));
                if self.k < n {
                    order.select_nth_unstable_by(self.k - 1, by_distance);
                    order.truncate(self.k);
                }
                order.sort_unstable_by(by_distance);
                chosen.clear();
                if self.distance_weighted {
                    // Exact distances for the few chosen rows (the product form
                    // can leave a tiny residue for identical rows).
                    chosen.extend(
                        order
                            .iter()
                            .map(|&(_, t)| (t, distance(qrow, self.x.row(t)))),
                    );
                    if chosen.iter().any(|&(_, d)| d == 0.0) {
                        chosen
                            .iter_mut()
                            .for_each(|(_, d)| *d = if *d == 0.0 { 1.0 } else { 0.0 });
                    } else {
                        chosen.iter_mut().for_each(|(_, d)| *d = 1.0 / *d);
                    }
                } else {
                    chosen.extend(order.iter().map(|&(_, t)| (t, 1.0)));
                }
                visit(start + i, &chosen);
            }
            start = end;
        }
    }
}

/// Euclidean distance.
fn distance(a: ArrayView1<f64>, b: ArrayView1<f64>) -> f64 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y) * (x - y))
        .sum::<f64>()
        .sqrt()
}

/// kNN classifier: probabilities are the (weighted) neighbour vote shares.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct KnnClassifier {
    neighbours: Neighbours,
    y: Vec<usize>,
}

impl KnnClassifier {
    pub(super) fn fit(
        x: ArrayView2<f64>,
        info: &ClassInfo,
        k: usize,
        distance_weighted: bool,
    ) -> Self {
        Self {
            neighbours: Neighbours::new(x, k, distance_weighted),
            y: info.y.to_vec(),
        }
    }

    /// Vote shares per class.
    pub(super) fn predict(&self, x: ArrayView2<f64>, classes: usize) -> Array2<f64> {
        let mut out = Array2::zeros((x.nrows(), classes));
        self.neighbours.each(x, |i, chosen| {
            let mut row = out.row_mut(i);
            for &(t, w) in chosen {
                if let Some(v) = row.get_mut(self.y[t]) {
                    *v += w;
                }
            }
        });
        out
    }
}

/// kNN regressor: the (weighted) mean of the neighbours' targets.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct KnnRegressor {
    neighbours: Neighbours,
    y: Vec<f64>,
}

impl KnnRegressor {
    pub(super) fn fit(
        x: ArrayView2<f64>,
        y: ArrayView1<f64>,
        k: usize,
        distance_weighted: bool,
    ) -> Self {
        Self {
            neighbours: Neighbours::new(x, k, distance_weighted),
            y: y.to_vec(),
        }
    }

    /// Neighbour means.
    pub(super) fn predict(&self, x: ArrayView2<f64>) -> Array1<f64> {
        let mut out = Array1::zeros(x.nrows());
        self.neighbours.each(x, |i, chosen| {
            let (sum, weight) = chosen
                .iter()
                .fold((0.0, 0.0), |(s, w), &(t, wt)| (s + wt * self.y[t], w + wt));
            out[i] = sum / weight;
        });
        out
    }
}

//! Classification trees (CART, Gini) and random forests of them.
//!
//! The trees are grown here rather than with linfa-trees: linfa keeps class
//! frequencies in `HashMap`s, so the modal class on ties (which drives its
//! pruning) and its `f32` Gini sums follow hash order and the same data can
//! give different trees from run to run; it also scans every training row at
//! every node and predicts labels only. These trees are deterministic, sort
//! only a node's own rows, and keep each leaf's class shares as probabilities.

use ndarray::{Array2, ArrayView1, ArrayView2, ArrayViewMut2, Axis};
use serde::{Deserialize, Serialize};

use super::{ClassInfo, SplitMix, cores_for};
use crate::error::Result;

/// A node of a tree.
#[derive(Debug, Clone, Serialize, Deserialize)]
enum Node {
    /// Rows with `x[feature] <= threshold` go left, the others right.
    Split {
        feature: usize,
        threshold: f64,
        left: usize,
        right: usize,
    },
    /// Class shares of the (weighted) training rows that reached this leaf.
    Leaf { shares: Vec<f64> },
}

/// How a tree is grown.
struct Growth {
    classes: usize,
    max_depth: usize,
    /// Least (weighted) rows in a leaf.
    min_leaf: f64,
    /// Features tried per split (all of them for a single tree).
    try_features: usize,
}

/// A classification tree; the root is node 0.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Tree {
    nodes: Vec<Node>,
}

impl Tree {
    /// A Gini tree on all rows and features.
    pub(super) fn fit(
        x: ArrayView2<f64>,
        info: &ClassInfo,
        max_depth: usize,
        min_samples_leaf: usize,
    ) -> Result<Self> {
        let growth = Growth {
            classes: info.classes,
            max_depth: max_depth.max(1),
            min_leaf: min_samples_leaf.max(1) as f64,
            try_features: x.ncols(),
        };
        let weights = vec![1.0; x.nrows()];
        // No randomness is used when every feature is tried.
        Ok(Self::grow(
            x,
            info.y,
            &weights,
            &growth,
            &mut SplitMix::new(0),
        ))
    }

    /// Grows a tree on the rows of positive weight.
    fn grow(
        x: ArrayView2<f64>,
        y: ArrayView1<usize>,
        weights: &[f64],
        growth: &Growth,
        rng: &mut SplitMix,
    ) -> Self {
        let k = growth.classes;
        let mut rows: Vec<usize> = (0..x.nrows()).filter(|&r| weights[r] > 0.0).collect();
        let mut nodes = vec![Node::Leaf { shares: Vec::new() }];
        // (node, first row, end row, depth) still to grow.
        let mut stack = vec![(0usize, 0usize, rows.len(), 0usize)];
        let mut features: Vec<usize> = (0..x.ncols()).collect();
        let mut sorted: Vec<(f64, usize)> = Vec::with_capacity(rows.len());
        let mut left = vec![0.0; k];
        let mut totals = vec![0.0; k];
        while let Some((at, start, end, depth)) = stack.pop() {
            let node_rows = &mut rows[start..end];
            totals.iter_mut().for_each(|t| *t = 0.0);
            for &r in node_rows.iter() {
                totals[y[r]] += weights[r];
            }
            let total: f64 = totals.iter().sum();
            let pure = totals.iter().filter(|&&t| t > 0.0).count() <= 1;
            let split = if pure || depth >= growth.max_depth || total < 2.0 * growth.min_leaf {
                None
            } else {
                best_split(
                    x,
                    y,
                    weights,
                    node_rows,
                    &totals,
                    growth,
                    &mut features,
                    &mut sorted,
                    &mut left,
                    rng,
                )
            };
            let Some((feature, threshold)) = split else {
                let shares = totals
                    .iter()
                    .map(|t| t / total.max(f64::MIN_POSITIVE))
                    .collect();
                nodes[at] = Node::Leaf { shares };
                continue;
            };
            // Partition the node's rows: left ones first (stable, so row order
            // and hence everything downstream is deterministic).
            let mut goes_left: Vec<usize> = Vec::with_capacity(node_rows.len());
            let mut goes_right: Vec<usize> = Vec::new();
            for &r in node_rows.iter() {
                if x[[r, feature]] <= threshold {
                    goes_left.push(r);
                } else {
                    goes_right.push(r);
                }
            }
            let middle = start + goes_left.len();
            goes_left.extend_from_slice(&goes_right);
            node_rows.copy_from_slice(&goes_left);
            let (l, r) = (nodes.len(), nodes.len() + 1);
            nodes.push(Node::Leaf { shares: Vec::new() });
            nodes.push(Node::Leaf { shares: Vec::new() });
            nodes[at] = Node::Split {
                feature,
                threshold,
                left: l,
                right: r,
            };
            stack.push((r, middle, end, depth + 1));
            stack.push((l, start, middle, depth + 1));
        }
        Self { nodes }
    }

    /// The class shares of the leaf a row reaches.
    fn shares(&self, row: ArrayView1<f64>) -> &[f64] {
        let mut at = 0;
        loop {
            match &self.nodes[at] {
                Node::Leaf { shares } => return shares,
                Node::Split {
                    feature,
                    threshold,
                    left,
                    right,
                } => {
                    at = if row[*feature] <= *threshold {
                        *left
                    } else {
                        *right
                    }
                }
            }
        }
    }

    /// Class probabilities: the leaf shares.
    pub(super) fn predict(&self, x: ArrayView2<f64>, classes: usize) -> Array2<f64> {
        let x = x.as_standard_layout();
        let mut out = Array2::zeros((x.nrows(), classes));
        for (mut out, row) in out.rows_mut().into_iter().zip(x.rows()) {
            out.iter_mut()
                .zip(self.shares(row))
                .for_each(|(o, s)| *o = *s);
        }
        out
    }
}

/// The best Gini split of a node's rows as `(feature, threshold)`, if any
/// split leaves at least `min_leaf` weight on both sides and lowers impurity.
///
/// Features are tried in a random order until `try_features` have been tried
/// and a split was found (all of them, in order, for a single tree); ties keep
/// the first split found, so the result depends on the seed only.
#[allow(clippy::too_many_arguments)]
fn best_split(
    x: ArrayView2<f64>,
    y: ArrayView1<usize>,
    weights: &[f64],
    rows: &[usize],
    totals: &[f64],
    growth: &Growth,
    features: &mut [usize],
    sorted: &mut Vec<(f64, usize)>,
    left: &mut [f64],
    rng: &mut SplitMix,
) -> Option<(usize, f64)> {
    let total: f64 = totals.iter().sum();
    let total_sq: f64 = totals.iter().map(|t| t * t).sum();
    // Minimising weighted Gini impurity = maximising Σ left² / wL + Σ right² / wR.
    let parent_score = total_sq / total;
    let mut best: Option<(f64, usize, f64)> = None;
    let shuffle = growth.try_features < features.len();
    for tried in 0..features.len() {
        if tried >= growth.try_features && best.is_some() {
            break;
        }
        if shuffle {
            let j = tried + rng.below(features.len() - tried);
            features.swap(tried, j);
        }
        let feature = features[tried];
        sorted.clear();
        sorted.extend(rows.iter().map(|&r| (x[[r, feature]], r)));
        sorted.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        if sorted.first().map(|f| f.0) == sorted.last().map(|l| l.0) {
            continue;
        }
        left.iter_mut().for_each(|l| *l = 0.0);
        let (mut w_left, mut left_sq, mut right_sq) = (0.0, 0.0, total_sq);
        for i in 0..sorted.len() - 1 {
            let (value, r) = sorted[i];
            let (class, w) = (y[r], weights[r]);
            let (l_old, r_old) = (left[class], totals[class] - left[class]);
            left[class] += w;
            left_sq += left[class] * left[class] - l_old * l_old;
            right_sq += (r_old - w) * (r_old - w) - r_old * r_old;
            w_left += w;
            let next = sorted[i + 1].0;
            if next <= value {
                continue;
            }
            let w_right = total - w_left;
            if w_left < growth.min_leaf || w_right < growth.min_leaf {
                continue;
            }
            let score = left_sq / w_left + right_sq / w_right;
            if score > parent_score * (1.0 + 1e-12) && best.is_none_or(|b| score > b.0) {
                // The midpoint, unless rounding puts it on the next value.
                let mid = value + (next - value) / 2.0;
                let threshold = if mid < next { mid } else { value };
                best = Some((score, feature, threshold));
            }
        }
    }
    best.map(|(_, feature, threshold)| (feature, threshold))
}

/// A random forest: trees on bootstrap samples, each split choosing among a
/// random `√features` of the features.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Forest {
    trees: Vec<Tree>,
}

impl Forest {
    /// `trees` trees, each on `sample_ratio · n` rows drawn with replacement.
    pub(super) fn fit(
        x: ArrayView2<f64>,
        info: &ClassInfo,
        trees: usize,
        max_depth: usize,
        sample_ratio: f64,
        seed: u64,
    ) -> Result<Self> {
        let n = x.nrows();
        let draws = ((sample_ratio * n as f64).ceil() as usize).clamp(1, n);
        let growth = Growth {
            classes: info.classes,
            max_depth: max_depth.max(1),
            min_leaf: 1.0,
            try_features: ((x.ncols() as f64).sqrt().round() as usize).max(1),
        };
        // Each tree draws from its own seed, so the forest is the same on
        // any number of cores.
        let mut rng = SplitMix::new(seed);
        let seeds: Vec<u64> = (0..trees).map(|_| rng.next_u64()).collect();
        let trees = Self::grow_all(x, info.y, &growth, &seeds, draws, cores_for(n));
        Ok(Self { trees })
    }

    /// A tree per seed, each on `draws` rows drawn with replacement, grown
    /// on `cores` threads (in order, so the result does not depend on them).
    fn grow_all(
        x: ArrayView2<f64>,
        y: ArrayView1<usize>,
        growth: &Growth,
        seeds: &[u64],
        draws: usize,
        cores: usize,
    ) -> Vec<Tree> {
        let n = x.nrows();
        let grow = |seeds: &[u64]| -> Vec<Tree> {
            let mut weights = vec![0.0; n];
            seeds
                .iter()
                .map(|&seed| {
                    // The bootstrap as multiplicities: no copy of the rows.
                    let mut rng = SplitMix::new(seed);
                    weights.iter_mut().for_each(|w| *w = 0.0);
                    for _ in 0..draws {
                        weights[rng.below(n)] += 1.0;
                    }
                    Tree::grow(x, y, &weights, growth, &mut rng)
                })
                .collect()
        };
        let chunk = seeds.len().div_ceil(cores.max(1)).max(1);
        if chunk >= seeds.len() {
            return grow(seeds);
        }
        std::thread::scope(|s| {
            let handles: Vec<_> = seeds.chunks(chunk).map(|c| s.spawn(|| grow(c))).collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        })
    }

    /// Class probabilities: the mean of the trees' leaf shares. Rows are
    /// walked one at a time, so column-major inputs (as trees are trained
    /// on) are laid out by row first: a row's features then share a cache
    /// line rather than lie a column apart. Many rows are split between the
    /// cores.
    pub(super) fn predict(&self, x: ArrayView2<f64>, classes: usize) -> Array2<f64> {
        let x = x.as_standard_layout();
        let mut out = Array2::zeros((x.nrows(), classes));
        let sum_shares = |mut out: ArrayViewMut2<f64>, x: ArrayView2<f64>| {
            for (mut out, row) in out.rows_mut().into_iter().zip(x.rows()) {
                for tree in &self.trees {
                    out.iter_mut()
                        .zip(tree.shares(row))
                        .for_each(|(o, s)| *o += *s);
                }
            }
        };
        let chunk = x.nrows().div_ceil(cores_for(x.nrows())).max(1);
        if chunk >= x.nrows() {
            sum_shares(out.view_mut(), x.view());
        } else {
            std::thread::scope(|s| {
                for (out, x) in out
                    .axis_chunks_iter_mut(Axis(0), chunk)
                    .zip(x.axis_chunks_iter(Axis(0), chunk))
                {
                    s.spawn(move || sum_shares(out, x));
                }
            });
        }
        out /= self.trees.len().max(1) as f64;
        out
    }
}

#[cfg(test)]
mod tests {
    use ndarray::Array1;

    use super::*;
    use crate::learner::PARALLEL_ROWS;

    /// A forest grown on several cores is the one grown on one.
    #[test]
    fn a_forest_does_not_depend_on_the_cores_it_grows_on() {
        let mut rng = SplitMix::new(5);
        let x = Array2::from_shape_fn((600, 3), |_| rng.below(1000) as f64 / 100.0);
        let y: Array1<usize> = x
            .rows()
            .into_iter()
            .map(|r| usize::from(r[0] + r[1] > 10.0))
            .collect();
        let growth = Growth {
            classes: 2,
            max_depth: 6,
            min_leaf: 1.0,
            try_features: 2,
        };
        let seeds = [1, 2, 3, 4, 5, 6, 7];
        let forest = |cores| Forest {
            trees: Forest::grow_all(x.view(), y.view(), &growth, &seeds, 500, cores),
        };
        let one = forest(1).predict(x.view(), 2);
        assert_eq!(one, forest(3).predict(x.view(), 2));
        let right = one
            .rows()
            .into_iter()
            .zip(&y)
            .filter(|(p, c)| usize::from(p[1] > 0.5) == **c)
            .count();
        assert!(right > 550, "{right} of 600 right");
        // Predictions for many rows are split between the cores: the same.
        let copies = PARALLEL_ROWS.div_ceil(600) + 1;
        let many = Array2::from_shape_fn((600 * copies, 3), |(r, c)| x[[r % 600, c]]);
        let predicted = forest(2).predict(many.view(), 2);
        for (r, row) in predicted.rows().into_iter().enumerate() {
            assert_eq!(row, one.row(r % 600));
        }
    }
}

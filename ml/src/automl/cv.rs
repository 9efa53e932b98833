//! Cross-validation folds: stratified by class for classifiers, shuffled with a fixed seed.

use crate::rng::Rng;
use crate::target::TargetValues;

/// Splits `rows` into `k` test folds. Classes are dealt round-robin after a
/// seeded shuffle, so every fold keeps the class mix.
pub fn folds(rows: &[usize], values: &TargetValues, k: usize, seed: u64) -> Vec<Vec<usize>> {
    let mut rng = Rng::new(seed);
    let mut groups: Vec<Vec<usize>> = match values {
        TargetValues::Classes(v) => {
            let classes = rows.iter().filter_map(|&r| v[r]).max().map_or(0, |m| m + 1);
            let mut by_class = vec![Vec::new(); classes];
            for &r in rows {
                if let Some(c) = v[r] {
                    by_class[c].push(r);
                }
            }
            by_class
        }
        TargetValues::Values(_) => vec![rows.to_vec()],
    };
    let mut out = vec![Vec::new(); k];
    let mut next = 0;
    for group in &mut groups {
        rng.shuffle(group);
        for &r in group.iter() {
            out[next % k].push(r);
            next += 1;
        }
    }
    for fold in &mut out {
        fold.sort_unstable();
    }
    out
}

/// The rows of `rows` not in `test` (both sorted).
pub fn complement(rows: &[usize], test: &[usize]) -> Vec<usize> {
    let mut t = test.iter().peekable();
    rows.iter()
        .copied()
        .filter(|r| {
            while t.peek().is_some_and(|&&x| x < *r) {
                t.next();
            }
            t.peek() != Some(&r)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stratified_folds_cover_every_row_once_and_keep_the_mix() {
        let classes: Vec<Option<usize>> = (0..100).map(|i| Some(usize::from(i % 4 == 0))).collect();
        let rows: Vec<usize> = (0..100).collect();
        let f = folds(&rows, &TargetValues::Classes(classes.clone()), 5, 42);
        let mut all: Vec<usize> = f.concat();
        all.sort_unstable();
        assert_eq!(all, rows);
        for fold in &f {
            assert_eq!(fold.len(), 20);
            assert_eq!(fold.iter().filter(|&&r| classes[r] == Some(1)).count(), 5);
        }
        assert_eq!(f, folds(&rows, &TargetValues::Classes(classes), 5, 42));
        let train = complement(&rows, &f[0]);
        assert_eq!(train.len(), 80);
        assert!(train.iter().all(|r| !f[0].contains(r)));
    }
}

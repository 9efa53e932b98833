//! A multinomial logistic regression over hashed sparse features, trained by
//! averaged stochastic gradient descent, and stored compactly: each feature
//! that carries weight keeps one row of 8-bit weights with its own scale.
//!
//! Written by hand rather than with linfa: the features are sparse hashes (a
//! dense matrix of the corpus would take gigabytes), the model must load in
//! a millisecond from a file committed to the repository, and it is small.
//! The shipped model is read in place: its rows are sorted by feature, so a
//! lookup is a binary search over the file's bytes and nothing is decoded
//! at start-up.

use std::borrow::Cow;

use super::rng::Rng;

/// A trained classifier.
#[derive(Debug, Clone, PartialEq)]
pub struct Linear {
    labels: Vec<String>,
    bits: u32,
    /// The rows, sorted by feature: each its feature hash (u32), its scale
    /// (f32) and one signed byte per label, all little-endian.
    table: Cow<'static, [u8]>,
}

/// Training settings.
#[derive(Debug, Clone, Copy)]
pub struct Training {
    /// Passes over the data.
    pub epochs: usize,
    /// Initial learning rate.
    pub rate: f32,
    /// Seed of the shuffling.
    pub seed: u64,
}

impl Default for Training {
    fn default() -> Self {
        Self {
            epochs: 12,
            rate: 1.0,
            seed: 42,
        }
    }
}

/// A model file that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("the model file is not usable: {0}")]
pub struct FormatError(String);

const MAGIC: &[u8; 8] = b"MNLULIN1";

impl Linear {
    /// Trains on `(features, label index)` examples over `labels`.
    pub fn train(labels: Vec<String>, bits: u32, data: &[(Vec<u32>, usize)], t: Training) -> Self {
        let k = labels.len();
        let dims = 1usize << bits;
        let mut w = vec![0f32; dims * k];
        // Averaging: avg = w - u / c, with u accumulating c × each update.
        let mut u = vec![0f32; dims * k];
        let mut c = 1f32;
        let mut order: Vec<usize> = (0..data.len()).collect();
        let mut rng = Rng::new(t.seed);
        let mut probs = vec![0f32; k];
        for epoch in 0..t.epochs {
            rng.shuffle(&mut order);
            let rate = t.rate / (1.0 + epoch as f32);
            for &i in &order {
                let (feats, label) = &data[i];
                let x = 1.0 / (feats.len() as f32).sqrt();
                scores(&w, k, feats, x, &mut probs);
                softmax(&mut probs);
                for (class, p) in probs.iter().enumerate() {
                    let g = p - f32::from(u8::from(class == *label));
                    if g.abs() < 1e-4 {
                        continue;
                    }
                    let step = rate * g * x;
                    for &f in feats {
                        let at = f as usize * k + class;
                        w[at] -= step;
                        u[at] -= c * step;
                    }
                }
                c += 1.0;
            }
        }
        let mut table = Vec::new();
        for f in 0..dims {
            let row: Vec<f32> = (0..k).map(|j| w[f * k + j] - u[f * k + j] / c).collect();
            if row.iter().any(|v| v.abs() > 1e-3) {
                let scale = row.iter().fold(0f32, |m, v| m.max(v.abs())) / 127.0;
                table.extend((f as u32).to_le_bytes());
                table.extend(scale.to_le_bytes());
                table.extend(row.iter().map(|v| (v / scale).round() as i8 as u8));
            }
        }
        Self {
            labels,
            bits,
            table: Cow::Owned(table),
        }
    }

    /// The labels, in the order of [`Linear::probabilities`].
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Hash width of the features it expects.
    pub fn bits(&self) -> u32 {
        self.bits
    }

    /// Bytes per row of the table.
    fn row_bytes(&self) -> usize {
        8 + self.labels.len()
    }

    /// The scale and the weights of a feature's row, if it has one.
    fn row(&self, feature: u32) -> Option<(f32, &[u8])> {
        let size = self.row_bytes();
        let at = |i: usize| &self.table[i * size..(i + 1) * size];
        let (mut lo, mut hi) = (0, self.table.len() / size);
        while lo < hi {
            let mid = (lo + hi) / 2;
            let row = at(mid);
            let key = u32::from_le_bytes([row[0], row[1], row[2], row[3]]);
            match key.cmp(&feature) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => {
                    let scale = f32::from_le_bytes([row[4], row[5], row[6], row[7]]);
                    return Some((scale, &row[8..]));
                }
            }
        }
        None
    }

    /// Each label's probability for these features.
    pub fn probabilities(&self, feats: &[u32]) -> Vec<f32> {
        let x = 1.0 / (feats.len().max(1) as f32).sqrt();
        let mut out = vec![0f32; self.labels.len()];
        for (scale, row) in feats.iter().filter_map(|f| self.row(*f)) {
            let s = scale * x;
            out.iter_mut()
                .zip(row)
                .for_each(|(o, w)| *o += f32::from(*w as i8) * s);
        }
        softmax(&mut out);
        out
    }

    /// The model as bytes: a header, the labels, then per feature its hash,
    /// a scale and one signed byte per label.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = MAGIC.to_vec();
        out.extend(self.bits.to_le_bytes());
        out.extend((self.labels.len() as u32).to_le_bytes());
        for l in &self.labels {
            out.extend((l.len() as u32).to_le_bytes());
            out.extend(l.as_bytes());
        }
        out.extend(((self.table.len() / self.row_bytes()) as u32).to_le_bytes());
        out.extend(self.table.iter());
        out
    }

    /// Reads [`Linear::to_bytes`]'s output, in place when the bytes are static.
    pub fn from_bytes(bytes: impl Into<Cow<'static, [u8]>>) -> Result<Self, FormatError> {
        let bytes = bytes.into();
        let mut r = Reader {
            bytes: &bytes,
            at: 0,
        };
        if r.take(8)? != MAGIC {
            return Err(FormatError(
                "it does not start with the model header".into(),
            ));
        }
        let bits = r.u32()?;
        if !(8..=24).contains(&bits) {
            return Err(FormatError(format!("{bits} feature bits is out of range")));
        }
        let k = r.u32()? as usize;
        let labels = (0..k)
            .map(|_| {
                let n = r.u32()? as usize;
                String::from_utf8(r.take(n)?.to_vec()).map_err(|e| FormatError(e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let n = r.u32()? as usize;
        // Each row takes 8 bytes and one per label: a count the file cannot hold is damage.
        let row_bytes = 8 + k;
        let start = r.at;
        if n.checked_mul(row_bytes) != Some(bytes.len() - start) {
            return Err(FormatError(format!(
                "it says {n} rows of {k} labels, which do not fit its {} bytes",
                bytes.len()
            )));
        }
        let table = match bytes {
            Cow::Borrowed(b) => Cow::Borrowed(&b[start..]),
            Cow::Owned(mut b) => {
                b.drain(..start);
                Cow::Owned(b)
            }
        };
        let model = Self {
            labels,
            bits,
            table,
        };
        model.check_sorted()?;
        Ok(model)
    }

    /// Refuses a table whose rows are not in increasing feature order (the
    /// lookup would miss rows).
    fn check_sorted(&self) -> Result<(), FormatError> {
        let size = self.row_bytes();
        let keys = self
            .table
            .chunks_exact(size)
            .map(|row| u32::from_le_bytes([row[0], row[1], row[2], row[3]]));
        let mut last = None;
        for key in keys {
            if last.is_some_and(|l| l >= key) {
                return Err(FormatError(format!(
                    "its rows are out of order at feature {key}"
                )));
            }
            last = Some(key);
        }
        Ok(())
    }
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn short(&self) -> FormatError {
        FormatError(format!("it ends early, at byte {}", self.at))
    }

    fn take(&mut self, n: usize) -> Result<&'a [u8], FormatError> {
        let slice = self
            .bytes
            .get(self.at..self.at + n)
            .ok_or_else(|| self.short())?;
        self.at += n;
        Ok(slice)
    }

    fn u32(&mut self) -> Result<u32, FormatError> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
}

fn scores(w: &[f32], k: usize, feats: &[u32], x: f32, out: &mut [f32]) {
    out.iter_mut().for_each(|o| *o = 0.0);
    for &f in feats {
        let row = &w[f as usize * k..(f as usize + 1) * k];
        out.iter_mut().zip(row).for_each(|(o, v)| *o += v * x);
    }
}

fn softmax(v: &mut [f32]) {
    let max = v.iter().fold(f32::MIN, |m, x| m.max(*x));
    let mut sum = 0.0;
    for x in v.iter_mut() {
        *x = (*x - max).exp();
        sum += *x;
    }
    v.iter_mut().for_each(|x| *x /= sum);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two classes told apart by features 1 and 2; feature 0 is shared noise.
    fn toy() -> Linear {
        let data: Vec<(Vec<u32>, usize)> = (0..200)
            .map(|i| {
                if i % 2 == 0 {
                    (vec![0, 1], 0)
                } else {
                    (vec![0, 2], 1)
                }
            })
            .collect();
        Linear::train(vec!["a".into(), "b".into()], 8, &data, Training::default())
    }

    #[test]
    fn it_learns_a_separable_problem_and_survives_a_round_trip() {
        let model = toy();
        assert!(model.probabilities(&[0, 1])[0] > 0.9);
        assert!(model.probabilities(&[0, 2])[1] > 0.9);
        let back = Linear::from_bytes(model.to_bytes()).unwrap();
        assert_eq!(back.labels(), model.labels());
        let (p, q) = (model.probabilities(&[0, 1]), back.probabilities(&[0, 1]));
        assert!((p[0] - q[0]).abs() < 0.01, "{p:?} {q:?}");
    }

    #[test]
    fn damaged_files_are_refused_with_a_reason() {
        let bytes = toy().to_bytes();
        let err = |b: &[u8]| Linear::from_bytes(b.to_vec()).unwrap_err().to_string();
        assert!(err(&bytes[..10]).contains("ends early"));
        assert!(err(&bytes[..bytes.len() - 1]).contains("do not fit"));
        assert!(err(b"not a model at all").contains("header"));
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(err(&longer).contains("do not fit"));
        let mut huge = bytes.clone();
        // The row count follows the magic, the bits, the label count and "a", "b".
        let at = 8 + 4 + 4 + 2 * (4 + 1);
        huge[at..at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(
            err(&huge).contains("do not fit"),
            "a huge row count is refused, not allocated"
        );
        // Rows for features 0, 1 and 2 of two labels, 10 bytes each: swap the first two.
        let table = at + 4;
        let mut shuffled = bytes.clone();
        shuffled[table..table + 20].rotate_left(10);
        assert!(err(&shuffled).contains("out of order"));
    }
}

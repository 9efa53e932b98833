//! The built-in embedder: hashed word, word-pair and character n-gram features.
//!
//! It needs no download and no training: every feature is hashed into a fixed
//! number of buckets with a sign bit (the "hashing trick"), so vectors from
//! different runs and machines agree.

use crate::CatalogError;

/// A sparse vector: `(bucket, weight)` pairs, buckets strictly increasing.
pub type SparseVector = Vec<(u32, f32)>;

/// Turns text into a vector. Implementations must be deterministic.
pub trait Embedder: Send + Sync {
    /// Names the embedder and its settings; the index re-embeds when it changes.
    fn id(&self) -> String;
    /// Number of dimensions of every vector.
    fn dims(&self) -> usize;
    /// Embeds `text` as a unit-length sparse vector (empty for text without words).
    fn embed(&self, text: &str) -> Result<SparseVector, CatalogError>;
    /// Embeds each of `texts`, in order (an endpoint does them in batches).
    fn embed_many(&self, texts: &[&str]) -> Result<Vec<SparseVector>, CatalogError> {
        texts.iter().map(|t| self.embed(t)).collect()
    }
}

/// Hashed features of words (lightly stemmed), adjacent word pairs and
/// character trigrams, sub-linearly weighted and normalised to unit length.
#[derive(Debug, Clone)]
pub struct HashEmbedder {
    dims: usize,
}

impl HashEmbedder {
    /// An embedder with `dims` buckets (at least 16).
    pub fn new(dims: usize) -> Self {
        Self { dims: dims.max(16) }
    }
}

impl Default for HashEmbedder {
    fn default() -> Self {
        Self::new(384)
    }
}

const WORD_WEIGHT: f32 = 1.0;
const PAIR_WEIGHT: f32 = 0.6;
const TRIGRAM_WEIGHT: f32 = 0.25;

impl Embedder for HashEmbedder {
    fn id(&self) -> String {
        format!("hash-v1-{}", self.dims)
    }

    fn dims(&self) -> usize {
        self.dims
    }

    fn embed(&self, text: &str) -> Result<SparseVector, CatalogError> {
        let words: Vec<String> = tokens(text).map(|w| stem(&w)).collect();
        let mut dense = vec![0f32; self.dims];
        let mut add = |feature: &[u8], weight: f32| {
            let h = fnv1a(feature);
            let bucket = (h % self.dims as u64) as usize;
            let sign = if (h >> 63) == 0 { 1.0 } else { -1.0 };
            dense[bucket] += sign * weight;
        };
        for (i, word) in words.iter().enumerate() {
            add(format!("w:{word}").as_bytes(), WORD_WEIGHT);
            if let Some(next) = words.get(i + 1) {
                add(format!("p:{word} {next}").as_bytes(), PAIR_WEIGHT);
            }
            let padded: Vec<char> = format!("<{word}>").chars().collect();
            for gram in padded.windows(3) {
                let gram: String = gram.iter().collect();
                add(format!("c:{gram}").as_bytes(), TRIGRAM_WEIGHT);
            }
        }
        let mut sparse: SparseVector = dense
            .into_iter()
            .enumerate()
            .filter(|(_, v)| *v != 0.0)
            .map(|(i, v)| (i as u32, v.signum() * v.abs().sqrt()))
            .collect();
        let norm = sparse.iter().map(|(_, v)| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            sparse.iter_mut().for_each(|(_, v)| *v /= norm);
        }
        Ok(sparse)
    }
}

/// Lower-cased alphanumeric words of `text` (apostrophes dropped, `_` kept).
pub fn tokens(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '\''))
        .map(|w| w.replace('\'', "").to_lowercase())
        .filter(|w| !w.is_empty())
}

/// A light stemmer: folds plurals and common verb endings onto one form.
fn stem(word: &str) -> String {
    for suffix in ["ing", "ed", "es", "s"] {
        if let Some(base) = word.strip_suffix(suffix)
            && base.chars().count() >= 3
            && !word.ends_with("ss")
        {
            return base.to_string();
        }
    }
    word.to_string()
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    // Final avalanche so that the top bit (the sign) is well mixed.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^ (h >> 33)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cosine(a: &SparseVector, b: &SparseVector) -> f32 {
        a.iter()
            .map(|(i, x)| b.iter().find(|(j, _)| j == i).map_or(0.0, |(_, y)| x * y))
            .sum()
    }

    #[test]
    fn vectors_are_unit_length_and_deterministic() {
        let e = HashEmbedder::default();
        let v = e.embed("Create a task for Bob").unwrap();
        let norm: f32 = v.iter().map(|(_, x)| x * x).sum();
        assert!((norm - 1.0).abs() < 1e-5);
        assert_eq!(v, e.embed("Create a task for Bob").unwrap());
        assert!(v.windows(2).all(|w| w[0].0 < w[1].0));
    }

    #[test]
    fn related_text_is_closer_than_unrelated_text() {
        let e = HashEmbedder::default();
        let q = e.embed("create tasks").unwrap();
        let near = e.embed("creating a new task").unwrap();
        let far = e.embed("list the people on the team").unwrap();
        assert!(cosine(&q, &near) > cosine(&q, &far) + 0.2);
    }

    #[test]
    fn text_without_words_embeds_to_nothing() {
        assert!(HashEmbedder::default().embed("  ?! ").unwrap().is_empty());
    }

    #[test]
    fn stemming_folds_plurals_but_keeps_short_words() {
        assert_eq!(stem("tasks"), "task");
        assert_eq!(stem("assigned"), "assign");
        assert_eq!(stem("bus"), "bus");
        assert_eq!(stem("class"), "class");
    }
}

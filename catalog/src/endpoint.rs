//! Embeddings from an OpenAI-compatible endpoint (`POST {base}/embeddings`),
//! for `MAESTRO_EMBEDDINGS=openai`: tool search and grounding become semantic
//! when a model is at hand. The vectors are dense; they are kept as sparse
//! vectors over every dimension, so both indexes take them as they are.

use std::time::Duration;

use maestro_blocking::Bridge;
use serde::Deserialize;
use serde_json::json;

use crate::CatalogError;
use crate::embed::{Embedder, SparseVector};

/// Texts per request.
const BATCH: usize = 64;
/// How long one request may take.
const WITHIN: Duration = Duration::from_secs(60);

/// Where the embeddings come from.
#[derive(Clone, PartialEq, Eq)]
pub struct EndpointConfig {
    /// The API's base URL, e.g. `https://api.openai.com/v1`.
    pub base_url: String,
    /// The bearer key, when the endpoint needs one.
    pub api_key: Option<String>,
    /// The embedding model, e.g. `text-embedding-3-small`.
    pub model: String,
}

impl std::fmt::Debug for EndpointConfig {
    /// Never prints the key.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EndpointConfig")
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "(set)"))
            .field("model", &self.model)
            .finish()
    }
}

/// An embedder that asks the endpoint; its dimensions are learnt from a
/// first answer when it is made.
pub struct EndpointEmbedder {
    config: EndpointConfig,
    client: reqwest::Client,
    bridge: Bridge,
    dims: usize,
}

#[derive(Deserialize)]
struct Answer {
    data: Vec<Datum>,
}

#[derive(Deserialize)]
struct Datum {
    index: usize,
    embedding: Vec<f32>,
}

impl EndpointEmbedder {
    /// Connects: embeds one probe text to learn the dimensions. An endpoint
    /// that does not answer is an error that says what to do.
    pub fn new(config: EndpointConfig) -> Result<Self, CatalogError> {
        // HTTPS through rustls with ring, as Maestro's other clients do.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(WITHIN)
            .build()
            .map_err(|e| failure(&config, e.to_string()))?;
        let bridge =
            Bridge::new("maestro-embeddings").map_err(|e| failure(&config, e.to_string()))?;
        let mut embedder = Self {
            config,
            client,
            bridge,
            dims: 0,
        };
        let probe = embedder.request(&["dimensions probe"])?;
        embedder.dims = probe.first().map_or(0, Vec::len);
        if embedder.dims == 0 {
            return Err(failure(
                &embedder.config,
                "it answered an empty embedding".into(),
            ));
        }
        Ok(embedder)
    }

    /// One request for `texts`: their vectors, in order.
    fn request(&self, texts: &[&str]) -> Result<Vec<Vec<f32>>, CatalogError> {
        let url = format!("{}/embeddings", self.config.base_url.trim_end_matches('/'));
        let mut request = self
            .client
            .post(&url)
            .json(&json!({"model": self.config.model, "input": texts}));
        if let Some(key) = &self.config.api_key {
            request = request.bearer_auth(key);
        }
        let asked = texts.len();
        let answer = self
            .bridge
            .run(async move {
                let response = request.send().await.map_err(|e| e.to_string())?;
                let status = response.status();
                if !status.is_success() {
                    let body = response.text().await.unwrap_or_default();
                    return Err(format!(
                        "HTTP {status}: {}",
                        body.chars().take(300).collect::<String>()
                    ));
                }
                response
                    .json::<Answer>()
                    .await
                    .map_err(|e| format!("not an embeddings answer ({e})"))
            })
            .map_err(|e| failure(&self.config, e.to_string()))?
            .map_err(|e| failure(&self.config, e))?;
        let mut data = answer.data;
        data.sort_by_key(|d| d.index);
        if data.len() != asked {
            let reason = format!("it answered {} embeddings for {asked} texts", data.len());
            return Err(failure(&self.config, reason));
        }
        Ok(data.into_iter().map(|d| d.embedding).collect())
    }

    /// A dense vector as a unit-length sparse one.
    fn sparse(&self, dense: Vec<f32>) -> Result<SparseVector, CatalogError> {
        if dense.len() != self.dims {
            let reason = format!("it answered {} dimensions, then {}", self.dims, dense.len());
            return Err(failure(&self.config, reason));
        }
        let norm = dense.iter().map(|v| v * v).sum::<f32>().sqrt();
        Ok(dense
            .into_iter()
            .enumerate()
            .filter(|(_, v)| *v != 0.0)
            .map(|(i, v)| (i as u32, v / norm))
            .collect())
    }
}

impl Embedder for EndpointEmbedder {
    fn id(&self) -> String {
        format!("endpoint-{}-{}", self.config.model, self.dims)
    }

    fn dims(&self) -> usize {
        self.dims
    }

    fn embed(&self, text: &str) -> Result<SparseVector, CatalogError> {
        Ok(self.embed_many(&[text])?.pop().unwrap_or_default())
    }

    fn embed_many(&self, texts: &[&str]) -> Result<Vec<SparseVector>, CatalogError> {
        let mut out = Vec::with_capacity(texts.len());
        for batch in texts.chunks(BATCH) {
            // Text without words embeds to nothing, as with the built-in embedder.
            let asked: Vec<&str> = batch
                .iter()
                .copied()
                .filter(|t| !t.trim().is_empty())
                .collect();
            let mut vectors = self.request(&asked)?.into_iter();
            for text in batch {
                out.push(match text.trim().is_empty() {
                    true => SparseVector::new(),
                    false => self.sparse(vectors.next().unwrap_or_default())?,
                });
            }
        }
        Ok(out)
    }
}

fn failure(config: &EndpointConfig, reason: String) -> CatalogError {
    CatalogError::Embeddings {
        url: config.base_url.clone(),
        reason: format!(
            "{reason}; check MAESTRO_LLM_BASE_URL, OPENAI_API_KEY and MAESTRO_EMBEDDINGS_MODEL (now {:?}), or unset MAESTRO_EMBEDDINGS to use the built-in embedder",
            config.model
        ),
    }
}

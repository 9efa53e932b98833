//! Where the language model is and how to talk to it, from the environment.

use std::fmt;
use std::time::Duration;

/// The API key, never shown in logs or messages.
#[derive(Clone, Default)]
pub struct Secret(String);

impl Secret {
    /// The key itself (only for the HTTP client).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() {
            "(none)"
        } else {
            "(hidden)"
        })
    }
}

/// An Azure OpenAI deployment.
#[derive(Debug, Clone, PartialEq)]
pub struct Azure {
    /// The deployment's name.
    pub deployment: String,
    /// The `api-version` query parameter.
    pub api_version: String,
}

/// How to reach an OpenAI-compatible endpoint and how to use it.
#[derive(Debug, Clone)]
pub struct LlmConfig {
    /// Base URL ending in `/v1` (OpenAI, Ollama, vLLM, llama.cpp, LM Studio) or the Azure resource.
    pub base_url: String,
    /// Model name as the endpoint knows it.
    pub model: String,
    /// API key (empty for local servers that need none).
    pub api_key: Secret,
    /// OpenAI organisation.
    pub organization: Option<String>,
    /// Azure OpenAI deployment, when the endpoint is Azure.
    pub azure: Option<Azure>,
    /// How long to wait for the endpoint to say anything.
    pub timeout: Duration,
    /// Retries on 429 and 5xx answers.
    pub retries: u32,
    /// Tools offered per turn (the nearest in the catalog, plus those already used).
    pub tools_k: usize,
    /// Model requests per turn before giving up.
    pub max_steps: usize,
    /// Changes (calls of tools that write) run from one model answer; more
    /// wait for the user's yes.
    pub max_writes: usize,
    /// The model's context window in tokens.
    pub context_window: usize,
    /// Tokens kept free for the model's reply.
    pub reply_tokens: usize,
}

/// Default model when only `OPENAI_API_KEY` is set.
const DEFAULT_MODEL: &str = "gpt-4o-mini";
const OPENAI_URL: &str = "https://api.openai.com/v1";

impl LlmConfig {
    /// Reads the configuration through `var` (the process environment in
    /// production). `Ok(None)`: no endpoint configured, the local planner serves.
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, String> {
        let var = |name: &str| var(name).filter(|v| !v.trim().is_empty());
        let base_url = var("MAESTRO_LLM_BASE_URL");
        let api_key = var("OPENAI_API_KEY").or_else(|| var("AZURE_OPENAI_API_KEY"));
        if base_url.is_none() && api_key.is_none() {
            return Ok(None);
        }
        let azure = var("MAESTRO_LLM_AZURE_DEPLOYMENT").map(|deployment| Azure {
            deployment,
            api_version: var("MAESTRO_LLM_AZURE_API_VERSION")
                .unwrap_or_else(|| "2024-10-21".into()),
        });
        let base_url = match (base_url, &azure) {
            (Some(url), _) => url,
            (None, Some(_)) => {
                return Err("MAESTRO_LLM_AZURE_DEPLOYMENT needs MAESTRO_LLM_BASE_URL set to the Azure resource, e.g. https://NAME.openai.azure.com".into());
            }
            (None, None) => OPENAI_URL.into(),
        };
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(format!(
                "MAESTRO_LLM_BASE_URL={base_url:?} is not an http(s) URL; use e.g. http://127.0.0.1:11434/v1"
            ));
        }
        let model = match (var("MAESTRO_LLM_MODEL"), &azure) {
            (Some(m), _) => m,
            (None, Some(a)) => a.deployment.clone(),
            (None, None) if base_url == OPENAI_URL => DEFAULT_MODEL.into(),
            (None, None) => {
                return Err(format!(
                    "MAESTRO_LLM_MODEL is not set: name the model that {base_url} serves, e.g. MAESTRO_LLM_MODEL=qwen2.5:7b"
                ));
            }
        };
        let number = |name: &str, default: usize, min: usize| -> Result<usize, String> {
            match var(name) {
                None => Ok(default),
                Some(v) => v
                    .trim()
                    .parse::<usize>()
                    .ok()
                    .filter(|n| *n >= min)
                    .ok_or_else(|| {
                        format!("{name}={v:?} must be a whole number of at least {min}")
                    }),
            }
        };
        let context_window = number(
            "MAESTRO_LLM_CONTEXT",
            super::budget::context_window(&model),
            512,
        )?;
        let reply_tokens = number("MAESTRO_LLM_REPLY_TOKENS", 1024, 16)?;
        if reply_tokens * 2 > context_window {
            return Err(format!(
                "MAESTRO_LLM_REPLY_TOKENS={reply_tokens} leaves too little of the {context_window}-token context for the request; lower it"
            ));
        }
        Ok(Some(Self {
            base_url: base_url.trim_end_matches('/').to_string(),
            model,
            api_key: Secret(api_key.unwrap_or_default()),
            organization: var("OPENAI_ORG_ID").or_else(|| var("MAESTRO_LLM_ORGANIZATION")),
            azure,
            timeout: Duration::from_secs(number("MAESTRO_LLM_TIMEOUT", 60, 1)? as u64),
            retries: number("MAESTRO_LLM_RETRIES", 3, 0)? as u32,
            tools_k: number("MAESTRO_LLM_TOOLS", 8, 1)?,
            max_steps: number("MAESTRO_LLM_MAX_STEPS", 6, 1)?,
            max_writes: number("MAESTRO_LLM_MAX_WRITES", 10, 1)?,
            context_window,
            reply_tokens,
        }))
    }

    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Option<Self>, String> {
        Self::from_vars(|name| std::env::var(name).ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Result<Option<LlmConfig>, String> {
        LlmConfig::from_vars(|name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn nothing_set_means_the_local_planner() {
        assert!(config(&[]).unwrap().is_none());
        assert!(config(&[("MAESTRO_LLM_MODEL", "x")]).unwrap().is_none());
    }

    #[test]
    fn an_openai_key_alone_selects_openai_with_a_default_model() {
        let c = config(&[("OPENAI_API_KEY", "sk-secret")]).unwrap().unwrap();
        assert_eq!(
            (c.base_url.as_str(), c.model.as_str()),
            (OPENAI_URL, DEFAULT_MODEL)
        );
        assert_eq!(c.tools_k, 8);
        assert!(
            !format!("{c:?}").contains("sk-secret"),
            "the key must never be printed"
        );
    }

    #[test]
    fn a_local_endpoint_needs_its_model_named() {
        let err = config(&[("MAESTRO_LLM_BASE_URL", "http://127.0.0.1:11434/v1")]).unwrap_err();
        assert!(err.contains("MAESTRO_LLM_MODEL"), "{err}");
        let c = config(&[
            ("MAESTRO_LLM_BASE_URL", "http://127.0.0.1:11434/v1/"),
            ("MAESTRO_LLM_MODEL", "qwen2.5:7b"),
            ("MAESTRO_LLM_TOOLS", "5"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(c.base_url, "http://127.0.0.1:11434/v1");
        assert_eq!(c.tools_k, 5);
    }

    #[test]
    fn bad_values_are_refused_with_the_fix() {
        let base = [
            ("MAESTRO_LLM_BASE_URL", "http://h/v1"),
            ("MAESTRO_LLM_MODEL", "m"),
        ];
        for (name, value, says) in [
            ("MAESTRO_LLM_TIMEOUT", "soon", "whole number"),
            ("MAESTRO_LLM_TOOLS", "0", "at least 1"),
            ("MAESTRO_LLM_REPLY_TOKENS", "9000", "lower it"),
        ] {
            let mut pairs = base.to_vec();
            pairs.push((name, value));
            let err = config(&pairs).unwrap_err();
            assert!(err.contains(name) && err.contains(says), "{err}");
        }
        let err = config(&[
            ("MAESTRO_LLM_BASE_URL", "localhost:8080"),
            ("MAESTRO_LLM_MODEL", "m"),
        ])
        .unwrap_err();
        assert!(err.contains("http"), "{err}");
        let err = config(&[
            ("OPENAI_API_KEY", "k"),
            ("MAESTRO_LLM_AZURE_DEPLOYMENT", "gpt4"),
        ])
        .unwrap_err();
        assert!(err.contains("Azure resource"), "{err}");
    }

    #[test]
    fn azure_takes_its_deployment_as_the_model() {
        let c = config(&[
            ("MAESTRO_LLM_BASE_URL", "https://acme.openai.azure.com"),
            ("AZURE_OPENAI_API_KEY", "k"),
            ("MAESTRO_LLM_AZURE_DEPLOYMENT", "gpt-4o"),
        ])
        .unwrap()
        .unwrap();
        assert_eq!(c.model, "gpt-4o");
        assert_eq!(c.azure.unwrap().api_version, "2024-10-21");
    }
}

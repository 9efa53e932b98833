//! `%config`: the kernel's settings.

/// Settings a notebook can change with `%config key=value`.
pub struct Config {
    /// Who is speaking ("me", "my tasks").
    pub actor: Option<String>,
    /// Ask for confirmations with `input_request` when the front end allows stdin.
    pub stdin: bool,
}

impl Config {
    /// Defaults, speaking as `actor`.
    pub fn new(actor: Option<String>) -> Self {
        Self { actor, stdin: true }
    }

    /// The settings, one per line; `planner` is the assistant's (fixed at start).
    pub fn describe(&self, planner: &str) -> String {
        format!(
            "actor   = {}\nplanner = {planner}\nstdin   = {}",
            self.actor
                .as_deref()
                .unwrap_or("(nobody; set it for \"me\" and \"my tasks\")"),
            if self.stdin { "on" } else { "off" }
        )
    }

    /// Changes one setting; says what changed, or why it cannot.
    pub fn set(&mut self, key: &str, value: &str) -> Result<String, String> {
        match key {
            "actor" | "user" => {
                self.actor = Some(value.to_string()).filter(|v| !v.is_empty());
                Ok(format!("actor = {}", value))
            }
            "stdin" => {
                self.stdin = match value {
                    "on" | "true" | "yes" => true,
                    "off" | "false" | "no" => false,
                    _ => return Err(format!("stdin is on or off, not {value:?}")),
                };
                Ok(format!("stdin = {value}"))
            }
            "planner" => Err(format!(
                "The planner is chosen when the kernel starts, not with {value:?}: MAESTRO_LLM_BASE_URL and MAESTRO_LLM_MODEL (or OPENAI_API_KEY) select a language model, otherwise the local planner serves. Restart the kernel to change it."
            )),
            other => Err(format!(
                "Unknown setting {other:?}. Settings: actor, planner, stdin (e.g. `%config actor=Bob`)."
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_checked() {
        let mut c = Config::new(None);
        assert!(c.set("actor", "Bob").is_ok());
        assert_eq!(c.actor.as_deref(), Some("Bob"));
        assert!(c.set("stdin", "off").is_ok());
        assert!(!c.stdin);
        assert!(c.set("stdin", "maybe").unwrap_err().contains("on or off"));
        assert!(
            c.set("planner", "gpt")
                .unwrap_err()
                .contains("MAESTRO_LLM_BASE_URL")
        );
        assert!(
            c.set("colour", "red")
                .unwrap_err()
                .contains("actor, planner, stdin")
        );
    }
}

//! Workspace settings: how people here write numeric dates and when
//! sprints run. The store keeps them as text by key; every value is checked
//! here before it is stored, and read back with its default.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDate};
use serde_json::Value;

use crate::platform::Platform;
use crate::store::StoreError;

/// A setting people can change: its key, what it means and its default.
pub struct Setting {
    /// The key (`maestro settings set KEY VALUE`).
    pub key: &'static str,
    /// What it means and the values it takes.
    pub about: &'static str,
    /// The value in force when none is set.
    pub default: &'static str,
    check: fn(&str) -> Result<(), String>,
}

/// The settings key prefix under which connected MCP servers are kept
/// (`maestro settings` does not show them; `maestro mcp list` does).
const MCP_SERVER: &str = "mcp_server:";

/// Every setting.
pub const SETTINGS: &[Setting] = &[
    Setting {
        key: "date_order",
        about: "how numeric dates are written: month_first (12/15) or day_first (15/12)",
        default: "month_first",
        check: |v| match v {
            "month_first" | "day_first" => Ok(()),
            _ => Err("use month_first (12/15 is 15 December) or day_first (15/12)".into()),
        },
    },
    Setting {
        key: "sprint_start",
        about: "the first day of any sprint (YYYY-MM-DD); sprints follow each other from it",
        default: "",
        check: |v| {
            v.parse::<NaiveDate>()
                .map(|_| ())
                .map_err(|_| "give a date as YYYY-MM-DD, e.g. 2027-01-04".into())
        },
    },
    Setting {
        key: "timezone",
        about: "the IANA time zone recurring tasks and digests follow unless a person's own is set (e.g. Europe/Berlin)",
        default: "UTC",
        check: |v| {
            v.parse::<chrono_tz::Tz>().map(|_| ()).map_err(|_| {
                "give an IANA time zone such as Europe/Berlin, America/New_York or UTC".into()
            })
        },
    },
    Setting {
        key: "sprint_days",
        about: "how many days a sprint lasts (1 to 56)",
        default: "14",
        check: |v| match v.parse::<u32>() {
            Ok(1..=56) => Ok(()),
            _ => Err("give a whole number of days from 1 to 56, e.g. 14".into()),
        },
    },
];

/// A setting that cannot be stored.
#[derive(Debug, thiserror::Error)]
pub enum SettingError {
    /// No setting has that key.
    #[error("there is no setting {key:?}; the settings are {known}")]
    Unknown {
        /// The key given.
        key: String,
        /// The keys there are.
        known: String,
    },
    /// The value does not fit the setting.
    #[error("{key} cannot be {value:?}: {hint}")]
    Invalid {
        /// The setting.
        key: String,
        /// The value given.
        value: String,
        /// What to give instead.
        hint: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Sprints of a fixed length, one after another from a first day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sprint {
    /// The first day of some sprint.
    pub start: NaiveDate,
    /// How many days each lasts.
    pub days: u32,
}

impl Sprint {
    /// The last day of the sprint `day` falls in, `ahead` sprints later
    /// (0: this one, 1: the next).
    pub fn last_day(&self, day: NaiveDate, ahead: i64) -> NaiveDate {
        let len = i64::from(self.days);
        let index = (day - self.start).num_days().div_euclid(len) + ahead;
        self.start + Duration::days((index + 1) * len - 1)
    }
}

/// The settings in force in a workspace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WorkspaceSettings {
    /// Numeric dates are written day first (15/12).
    pub day_first: bool,
    /// When sprints run, if the workspace has said.
    pub sprint: Option<Sprint>,
    /// The workspace's time zone.
    pub zone: chrono_tz::Tz,
}

impl Default for WorkspaceSettings {
    /// Month-first dates, no sprints, UTC.
    fn default() -> Self {
        Self {
            day_first: false,
            sprint: None,
            zone: chrono_tz::Tz::UTC,
        }
    }
}

impl Platform {
    /// Every setting with its value in force (the default when unset).
    pub fn setting_values(&self) -> Result<Vec<(&'static Setting, String)>, StoreError> {
        let stored = self.store().settings()?;
        Ok(SETTINGS
            .iter()
            .map(|s| {
                let value = stored.get(s.key).cloned();
                (s, value.unwrap_or_else(|| s.default.to_string()))
            })
            .collect())
    }

    /// The MCP servers connected to this workspace (`maestro mcp add`), by
    /// name, each as it was stored.
    pub fn mcp_servers(&self) -> Result<BTreeMap<String, Value>, StoreError> {
        let stored = self.store().settings()?;
        Ok(stored
            .iter()
            .filter_map(|(key, value)| {
                let name = key.strip_prefix(MCP_SERVER)?;
                let server = serde_json::from_str(value).ok()?;
                Some((name.to_string(), server))
            })
            .collect())
    }

    /// Stores the MCP server `name` (replacing one of that name), or with
    /// `None` forgets it.
    pub fn set_mcp_server(&self, name: &str, server: Option<&Value>) -> Result<(), StoreError> {
        let value = server.map(Value::to_string).unwrap_or_default();
        self.store()
            .set_setting(&format!("{MCP_SERVER}{name}"), &value)
    }

    /// A person's time zone: theirs, else the workspace's.
    pub fn zone_of(&self, person: &maestro_store::Person) -> Result<chrono_tz::Tz, StoreError> {
        let zone = person
            .timezone
            .as_deref()
            .and_then(|z| z.parse::<chrono_tz::Tz>().ok());
        Ok(match zone {
            Some(zone) => zone,
            None => self.workspace_settings()?.zone,
        })
    }

    /// The workspace's settings, read for use.
    pub fn workspace_settings(&self) -> Result<WorkspaceSettings, StoreError> {
        let stored = self.store().settings()?;
        let get = |key: &str| stored.get(key).map(String::as_str);
        let sprint = get("sprint_start")
            .and_then(|s| s.parse().ok())
            .map(|start| Sprint {
                start,
                days: get("sprint_days")
                    .and_then(|d| d.parse().ok())
                    .unwrap_or(14),
            });
        Ok(WorkspaceSettings {
            day_first: get("date_order") == Some("day_first"),
            sprint,
            zone: get("timezone")
                .and_then(|z| z.parse().ok())
                .unwrap_or(chrono_tz::Tz::UTC),
        })
    }

    /// Checks and stores one setting.
    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), SettingError> {
        let setting =
            SETTINGS
                .iter()
                .find(|s| s.key == key)
                .ok_or_else(|| SettingError::Unknown {
                    key: key.to_string(),
                    known: SETTINGS
                        .iter()
                        .map(|s| s.key)
                        .collect::<Vec<_>>()
                        .join(", "),
                })?;
        let value = value.trim();
        (setting.check)(value).map_err(|hint| SettingError::Invalid {
            key: key.to_string(),
            value: value.to_string(),
            hint,
        })?;
        Ok(self.store().set_setting(key, value)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_sprint_ends_on_its_last_day_and_the_next_one_a_length_later() {
        let sprint = Sprint {
            start: day(2027, 1, 4),
            days: 14,
        };
        assert_eq!(sprint.last_day(day(2027, 1, 4), 0), day(2027, 1, 17));
        assert_eq!(sprint.last_day(day(2027, 1, 17), 0), day(2027, 1, 17));
        assert_eq!(sprint.last_day(day(2027, 1, 18), 0), day(2027, 1, 31));
        assert_eq!(sprint.last_day(day(2027, 1, 10), 1), day(2027, 1, 31));
        // Before the first sprint named, sprints run backwards too.
        assert_eq!(sprint.last_day(day(2027, 1, 1), 0), day(2027, 1, 3));
    }
}

//! Work on autopilot: recurring tasks, reminders and digests, and the
//! scheduler's tick that turns occurrences into tasks and posts reminders
//! and digests, each exactly once.

mod digest;
mod recurring;
mod reminders;
pub mod rule;
pub(crate) mod scheduler;

pub(crate) use digest::Digester;
pub use digest::{AtRisk, Digest, DigestReport};
pub use recurring::{
    CancelRecurring, CreateRecurringTask, ListRecurring, Recurring, RecurringSpec, UpdateRecurring,
    parse_zone,
};
pub use reminders::{CancelReminder, CreateReminder, ListReminders, ReminderView};
pub use scheduler::{CreatedOccurrence, DigestOutcome, FailedJob, FailedRule, TickReport};

use crate::tool::Registry;

/// The autopilot tools.
pub fn tools() -> Registry {
    let mut r = Registry::new();
    r.register(CreateRecurringTask);
    r.register(ListRecurring);
    r.register(UpdateRecurring);
    r.register(CancelRecurring);
    r.register(CreateReminder);
    r.register(ListReminders);
    r.register(CancelReminder);
    r.register(Digest);
    r
}

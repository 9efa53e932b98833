//! Work on autopilot: recurring tasks and the scheduler's tick that turns
//! their occurrences into tasks, each exactly once.

mod recurring;
pub mod rule;
pub(crate) mod scheduler;

pub use recurring::{
    CancelRecurring, CreateRecurringTask, ListRecurring, Recurring, RecurringSpec, UpdateRecurring,
};
pub use scheduler::{CreatedOccurrence, FailedRule, TickReport};

use crate::tool::Registry;

/// The autopilot tools.
pub fn tools() -> Registry {
    let mut r = Registry::new();
    r.register(CreateRecurringTask);
    r.register(ListRecurring);
    r.register(UpdateRecurring);
    r.register(CancelRecurring);
    r
}

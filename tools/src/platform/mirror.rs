//! The catalog as a mirror of the store. Each catalog records in a stamp
//! which store (installation), embedder and change count it was built from.
//! When a platform opens, [`Platform::reconcile`] compares that stamp with
//! the store: a catalog behind its store (a run stopped between the two
//! writes) or built from another store is rebuilt, and a shared Qdrant
//! collection that another installation built is refused. Every change
//! through the tools moves the stamp on ([`Platform::mark_in_step`]).

use serde::Deserialize;
use serde_json::{Value, json};

use crate::platform::{Platform, PlatformError};
use crate::store::StoreStamp;
use crate::tool::ToolError;

/// What a catalog records about what it mirrors.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct Stamp {
    #[serde(flatten)]
    store: StoreStamp,
    embedder: String,
}

impl Stamp {
    fn to_value(&self) -> Value {
        json!({
            "installation": self.store.installation,
            "changes": self.store.changes,
            "embedder": self.embedder,
        })
    }
}

/// Where a catalog lives, for the decisions and messages that differ.
pub(crate) enum Location {
    /// A file of this home, private to it: rebuilt when it disagrees.
    File(String),
    /// A collection on a shared server: refused when another store made it.
    Shared(String),
}

/// The change count of a catalog being rebuilt: never a store's.
const REBUILDING: i64 = -1;

impl Platform {
    /// The stamp of the store as it is now, with the catalog's embedder.
    fn current_stamp(&self) -> Result<Stamp, ToolError> {
        Ok(Stamp {
            store: self.store().stamp()?,
            embedder: self.catalog().embedder_id(),
        })
    }

    /// Brings a newly opened catalog in step with the store (see the module
    /// documentation). Says on stderr when it rebuilds a catalog that held
    /// something.
    /// `store` is the store's stamp as the platform opened it.
    pub(crate) fn reconcile(
        &self,
        location: &Location,
        store: StoreStamp,
    ) -> Result<(), PlatformError> {
        let fail = |e: ToolError| PlatformError::Reindex(e.to_string());
        let (name, shared) = match location {
            Location::File(name) => (name, false),
            Location::Shared(name) => (name, true),
        };
        let current = Stamp {
            store,
            embedder: self.catalog().embedder_id(),
        };
        let recorded: Option<Stamp> = self
            .catalog()
            .stamp()?
            .and_then(|v| serde_json::from_value(v).ok());
        // Counted only for a catalog without a stamp (a new or foreign one).
        let holds_more_than_tools =
            recorded.is_none() && self.catalog().len()? > self.registry().iter().count();
        let why = match &recorded {
            Some(r) if *r == current => return Ok(()),
            Some(r) if r.store.installation != current.store.installation && shared => {
                return Err(PlatformError::Foreign(format!(
                    "the Qdrant collection {name} belongs to another Maestro installation (store {}, this one is {}); give each deployment its own collections with MAESTRO_QDRANT_PREFIX=NAME",
                    r.store.installation, current.store.installation
                )));
            }
            None if shared && holds_more_than_tools => {
                return Err(PlatformError::Foreign(format!(
                    "the Qdrant collection {name} holds entries that no Maestro installation recorded as its own; choose another collection with MAESTRO_QDRANT_PREFIX=NAME or delete that one"
                )));
            }
            None if !holds_more_than_tools => None,
            None => Some("it does not say which store it mirrors"),
            Some(r) if r.store.installation != current.store.installation => {
                Some("it was built from another store")
            }
            Some(r) if r.embedder != current.embedder => Some("it was built by another embedder"),
            Some(_) => Some("it was behind the store (a run stopped part-way)"),
        };
        if let Some(why) = why {
            eprintln!("maestro: rebuilding the catalog {name} from the store: {why}");
        }
        self.reindex().map_err(fail)?;
        Ok(())
    }

    /// Records that the catalog is being rebuilt (before it is filled).
    pub(crate) fn mark_rebuilding(&self) -> Result<(), ToolError> {
        let mut stamp = self.current_stamp()?;
        stamp.store.changes = REBUILDING;
        self.set_stamp(&stamp)
    }

    /// Records that the catalog mirrors the store as it is now (after a
    /// change made through the tools, an import or a rebuild).
    pub fn mark_in_step(&self) -> Result<(), ToolError> {
        let stamp = self.current_stamp()?;
        self.set_stamp(&stamp)
    }

    fn set_stamp(&self, stamp: &Stamp) -> Result<(), ToolError> {
        Ok(self.catalog().set_stamp(stamp.to_value())?)
    }
}

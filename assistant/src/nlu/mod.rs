//! Natural-language understanding that generalises: deterministic
//! recognisers turn a request into typed, resolved spans; a trained model
//! reads the text with those spans replaced by their kind.

pub mod dates;
pub mod lexicon;
pub mod spans;
pub mod tokens;

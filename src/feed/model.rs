//! The feed pipeline's names for the shared data types, which live in [`crate::model`].

pub use crate::model::{Direction, Enclosure, Headline, ParsedFeed};

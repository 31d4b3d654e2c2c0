//! The types every side of akhbar uses: the refresher and `print`, the store, the screen and
//! the feed pipeline. They sit below all of those modules, so none has to import another
//! to name them (`scripts/module-graph` shows the layering; `tests/module_graph.rs` keeps it).

mod headline;
mod health;
mod source;

pub use crate::text::bidi::Direction;
pub use headline::{Enclosure, Headline, ParsedFeed};
pub use health::{FeedEvent, Health, Seed, Update, Validators};
pub use source::{BasicAuth, FullText, HttpSettings, Location, PageRules, Source, SourceError};

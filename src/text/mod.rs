//! Text on its way to the screen: hygiene first, layout later.

pub mod sanitize;

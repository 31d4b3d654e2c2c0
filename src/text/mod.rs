//! Text on its way to the screen: hygiene first, layout later.

pub mod bidi;
pub mod cluster;
pub mod html;
pub mod kitty;
pub mod layout;
pub mod logical;
pub mod mojibake;
pub mod quick_html;
pub mod sanitize;
pub mod shape;
pub mod ticker;
pub mod width;

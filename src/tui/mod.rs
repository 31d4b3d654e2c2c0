//! The terminal UI's own tables and types, below the state, the drawing and the loop that
//! use them.

pub mod action;
pub mod keys;

//! The terminal UI's core: the actions and the one key table, the pure state and its
//! `update`, the event loop and the effects its commands have, and the terminal set up
//! around it all. Drawing is not here: the loop draws through a [`View`], which the
//! drawing module implements, so that this module never names it.

pub mod action;
pub mod effects;
pub mod event_loop;
pub mod keys;
pub mod state;
pub mod terminal;

use action::Action;
use ratatui::Frame;
use ratatui::layout::Rect;
use state::AppState;

/// What the event loop asks of whatever draws the state: a frame, the list's height for
/// paging, and what a mouse event at a cell means.
pub trait View {
    /// Paints `state` into `frame`.
    fn draw(&mut self, state: &AppState, frame: &mut Frame);
    /// How many rows the list has on a screen of this size (at least 1).
    fn list_height(&self, state: &AppState, screen: Rect) -> u16;
    /// What a click at `(x, y)` means, as last drawn.
    fn click(&self, state: &AppState, screen: Rect, x: u16, y: u16) -> Option<Action>;
    /// Whether `(x, y)` is in the article pane (the wheel there scrolls the pane, not the
    /// list).
    fn over_article(&self, state: &AppState, screen: Rect, x: u16, y: u16) -> bool;
}

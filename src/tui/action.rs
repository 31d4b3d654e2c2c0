//! What a key press or a mouse event asks of the app, before the state acts on it.

/// What a key press or mouse event asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    /// Enter: open the selected story in the pane and focus it.
    Open,
    /// Tab: list ↔ article pane.
    SwitchFocus,
    /// `f`: the pane shows the story's page (its full article) or the feed's text.
    ToggleFullText,
    /// Esc: close the prompt or an overlay, leave the pane, then clear the filter.
    Back,
    /// `/`: start typing a filter.
    StartFilter,
    /// A character typed into the filter prompt.
    FilterChar(char),
    /// Text the terminal pasted (bracketed paste): typed into an open prompt, cleaned and
    /// cut to fit; ignored anywhere else, so a paste is never a burst of commands.
    Paste(String),
    FilterBackspace,
    /// Enter in the prompt: keep the filter.
    FilterAccept,
    TogglePause,
    Refresh,
    /// `o`: open the selected story's link in a browser.
    OpenLink,
    /// `y`: copy the selected story's link.
    CopyLink,
    ToggleSources,
    ToggleHelp,
    /// `m`: mark the selected story read, or unread again.
    ToggleRead,
    /// `M`: mark every shown story read.
    MarkAllRead,
    /// `u`: show only unread stories, or all again.
    ToggleUnreadOnly,
    /// `0`–`9`: the list shows view `n` (`0`: every story; `n`: the `n`th `[[view]]`).
    View(usize),
    /// `x`: the list shows the muted stories, or the others again.
    ToggleMuted,
    /// A click on list row `row` (0 = the first row shown).
    ClickRow(usize),
    /// A click on ticker item `index` (an index into the shown headlines).
    ClickTicker(usize),
    /// Mouse wheel over the list (negative: up).
    Scroll(i32),
    /// Mouse wheel over the article pane (negative: up).
    ScrollArticle(i32),
    Quit,
}

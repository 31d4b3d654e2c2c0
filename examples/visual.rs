//! Prints the visual form of each line of standard input, as `akhbar print --visual` will:
//! the paragraph direction comes from the first strong character (LTR when there is none).
//! Used by `scripts/fribidi-compare`.

use std::io::{BufRead, Write};

use akhbar::feed::Direction;
use akhbar::text::bidi::paragraph_direction;
use akhbar::text::layout::visual_line;

fn main() -> std::io::Result<()> {
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in stdin.lock().lines() {
        let line = line?;
        let dir = paragraph_direction(&line, Direction::Auto, None);
        writeln!(out, "{}", visual_line(&line, dir))?;
    }
    out.flush()
}

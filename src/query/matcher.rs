//! A query compiled for matching many headlines: each term's searcher built once (memchr's
//! SIMD substring search, several times quicker than `str::contains` on Arabic text), and
//! the operands of an AND ordered so that the cheap and the likely-to-fail go first.

use super::syntax::{Clock, Expr, Field, Flag, Subject, When, tag_matches};
use memchr::memmem::Finder;

#[derive(Debug, Clone)]
pub(super) enum Matcher {
    Term(Field, Box<Finder<'static>>),
    /// A link or language tag: short, compared without regard to ASCII case.
    Tag(Field, String),
    Not(Box<Matcher>),
    And(Vec<Matcher>),
    Or(Vec<Matcher>),
    Since(When),
    Before(When),
    Is(Flag),
}

impl Matcher {
    pub(super) fn new(expr: &Expr) -> Matcher {
        match expr {
            Expr::Term { field, text } => match field {
                Field::Link | Field::Lang => Matcher::Tag(*field, text.clone()),
                _ => Matcher::Term(*field, Box::new(Finder::new(text.as_bytes()).into_owned())),
            },
            Expr::Not(inner) => Matcher::Not(Box::new(Matcher::new(inner))),
            Expr::And(all) => {
                let mut all: Vec<Matcher> = all.iter().map(Matcher::new).collect();
                all.sort_by_key(Matcher::cost);
                Matcher::And(all)
            }
            Expr::Or(any) => Matcher::Or(any.iter().map(Matcher::new).collect()),
            Expr::Since(when) => Matcher::Since(*when),
            Expr::Before(when) => Matcher::Before(*when),
            Expr::Is(flag) => Matcher::Is(*flag),
        }
    }

    /// Lower first in an AND: a flag or a time is one comparison; a field is a short text;
    /// a longer term is likelier to be missing, which ends the AND sooner.
    fn cost(&self) -> (u8, std::cmp::Reverse<usize>) {
        match self {
            Matcher::Is(_) | Matcher::Since(_) | Matcher::Before(_) => (0, std::cmp::Reverse(0)),
            Matcher::Tag(..) => (1, std::cmp::Reverse(0)),
            Matcher::Term(Field::Title | Field::Source, finder) => {
                (2, std::cmp::Reverse(finder.needle().len()))
            }
            Matcher::Term(_, finder) => (3, std::cmp::Reverse(finder.needle().len())),
            Matcher::Not(_) | Matcher::And(_) | Matcher::Or(_) => (4, std::cmp::Reverse(0)),
        }
    }

    pub(super) fn matches(&self, subject: &Subject<'_>, clock: &Clock) -> bool {
        match self {
            Matcher::Term(field, finder) => {
                let text = match field {
                    Field::Title => subject.text.get(subject.title.clone()),
                    Field::Source => subject.text.get(subject.source.clone()),
                    _ => Some(subject.text),
                };
                text.is_some_and(|text| finder.find(text.as_bytes()).is_some())
            }
            Matcher::Tag(field, text) => tag_matches(*field, text, subject),
            Matcher::Not(inner) => !inner.matches(subject, clock),
            Matcher::And(all) => all.iter().all(|matcher| matcher.matches(subject, clock)),
            Matcher::Or(any) => any.iter().any(|matcher| matcher.matches(subject, clock)),
            Matcher::Since(when) => subject.published >= when.instant(clock),
            Matcher::Before(when) => subject.published < when.instant(clock),
            Matcher::Is(Flag::Read) => subject.read,
            Matcher::Is(Flag::Unread) => !subject.read,
        }
    }
}

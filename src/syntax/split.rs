//! Where one huge expression splits into chunks that parse on different
//! workers.
//!
//! Only a `+` or `*` chain splits: the DAG builder flattens such a chain
//! (through parentheses) into one list of operands and rebalances it, so
//! a chunk is a run of the chain's terms, and the builder
//! (`dag::ChainBuilder`) gets the same operands, in the same order, as from
//! the whole syntax tree. The chain is found with the fast scanner's token
//! stream (so the whole text is known to be valid before anything is
//! split): the expression's outermost level (through wrapping parentheses)
//! must have `+` (or `*`) as its only lowest-precedence operator; its
//! terms are cut into runs of about `grain` bytes, and a big term that is
//! a parenthesised chain of the same operator is split in turn (its terms
//! join the chain's operands); a big term that is a parenthesised chain of
//! the other operator is one operand, split as a chain of its own. Anything
//! else (an assignment, a definition, a comparison or `-` at the top, text
//! the scanner declines) gives no plan: the serial path parses it and
//! reports its errors. One pass, no recursion: parentheses nest on a heap
//! stack, and the plan is expanded with a work list.

use std::collections::HashMap;
use std::ops::Range;

use super::grammar::Rule;
use super::scan::{self, Sink};
use crate::error::Span;
use crate::value::BinOp;

/// A piece of a split expression, in text order.
#[derive(Clone, Debug, PartialEq)]
pub enum Piece {
    /// A parenthesis opens around the pieces up to the matching `Close`.
    Open,
    /// The parenthesis closes: its span, `(` to `)` included (offset like
    /// the statement's spans).
    Close(Span),
    /// A chunk: a byte range of the statement's text, a run of the chain's
    /// terms that parses on its own.
    Chunk(Range<usize>),
    /// One operand of the chain is a big parenthesised chain of the other
    /// operator: its pieces follow, up to the matching `End`.
    Begin(BinOp),
    /// That operand ends: its span, its outermost parentheses included.
    End(Span),
}

/// How one expression splits: its chain's operator and its pieces.
///
/// ```
/// use exprflow::testing::syntax::{Piece, plan};
/// let split = plan("1 + 2 + (3 + 4) * 5 + 6", 0, 4).unwrap();
/// assert_eq!(split.op, exprflow::testing::value::BinOp::Add);
/// assert!(split.pieces.iter().filter(|p| matches!(p, Piece::Chunk(_))).count() >= 2);
/// assert!(plan("1 - 2 - 3", 0, 1).is_none());
/// ```
#[derive(Clone, Debug)]
pub struct Plan {
    /// The chain's operator: `+` or `*`.
    pub op: BinOp,
    /// The pieces, left to right.
    pub pieces: Vec<Piece>,
}

impl Plan {
    /// The chunks' byte ranges, left to right.
    pub fn chunks(&self) -> impl Iterator<Item = &Range<usize>> {
        self.pieces.iter().filter_map(|p| match p {
            Piece::Chunk(range) => Some(range),
            _ => None,
        })
    }
}

/// The deepest nesting planned through; deeper text takes the serial path
/// (the planner keeps a level per open parenthesis: hundreds of MB for a
/// million of them, and splitting pays on wide text, not deep text).
const MAX_PLAN_DEPTH: usize = 256;

/// Plans the split of `text` (one statement, at `offset` in its source)
/// into runs of about `grain` bytes. `None`: not a splittable chain, or
/// fewer than two chunks.
pub fn plan(text: &str, offset: usize, grain: usize) -> Option<Plan> {
    let mut sink = SplitSink::new(text, grain.max(1));
    scan::scan(text, &mut sink)?;
    if sink.assignment || sink.too_deep {
        return None;
    }
    let top = sink.top.take()?;
    Planner {
        b: text.as_bytes(),
        offset,
        groups: &sink.groups,
        by_open: &sink.by_open,
    }
    .plan(&top)
}

/// What borders a parenthesised group inside its level.
#[derive(Clone, Copy, PartialEq)]
enum Edge {
    /// The level's start (before) or end (after).
    Bound,
    /// An infix operator at this byte.
    Op(BinOp, usize),
    /// Anything else: a sign, a `!`, another operand.
    Other,
}

/// The operators of one level at its lowest precedence.
#[derive(Clone, Copy, PartialEq)]
enum Ops {
    None,
    Pure(BinOp),
    Other,
}

/// A closed level (an `expr`): what the planner needs of it.
struct Summary {
    /// The `(` around the level, if it is parenthesised.
    paren: Option<usize>,
    start: usize,
    end: usize,
    ops: Ops,
    /// Where to cut it (positions of its `+` or `*`), for `Ops::Pure`.
    cuts: Vec<usize>,
    /// For a level that is just one big group: that group.
    wrapper: Option<usize>,
}

/// A parenthesised group at least `grain` bytes long.
struct Group {
    open: usize,
    end: usize,
    prev: Edge,
    next: Edge,
    inner: Summary,
}

/// One open level while scanning.
struct Level {
    start: usize,
    paren: Option<usize>,
    /// The first operator seen at each precedence, and whether another
    /// operator of that precedence differed from it.
    first: [Option<BinOp>; 5],
    mixed: [bool; 5],
    /// Cuts at `+` (0) and `*` (1), at least `grain` bytes apart.
    cuts: [Vec<usize>; 2],
    last_cut: [usize; 2],
    prev: Edge,
    group_prev: Edge,
    pending: Option<usize>,
    primaries: u32,
    extras: bool,
    only_group: Option<usize>,
}

impl Level {
    fn new(start: usize, paren: Option<usize>) -> Level {
        Level {
            start,
            paren,
            first: [None; 5],
            mixed: [false; 5],
            cuts: [Vec::new(), Vec::new()],
            last_cut: [start; 2],
            prev: Edge::Bound,
            group_prev: Edge::Bound,
            pending: None,
            primaries: 0,
            extras: false,
            only_group: None,
        }
    }

    fn close(mut self, end: usize) -> Summary {
        let lowest = (0..5).find(|&p| self.first[p].is_some());
        let ops = match lowest {
            None => Ops::None,
            Some(p) if self.mixed[p] => Ops::Other,
            Some(p) => self.first[p].map_or(Ops::Other, Ops::Pure),
        };
        let cuts = match ops {
            Ops::Pure(BinOp::Add) => std::mem::take(&mut self.cuts[0]),
            Ops::Pure(BinOp::Mul) => std::mem::take(&mut self.cuts[1]),
            _ => Vec::new(),
        };
        let wrapper = if ops == Ops::None && self.primaries == 1 && !self.extras {
            self.only_group
        } else {
            None
        };
        Summary {
            paren: self.paren,
            start: self.start,
            end,
            ops,
            cuts,
            wrapper,
        }
    }
}

/// A [`Sink`] that follows the levels of the scanner's tokens.
struct SplitSink<'t> {
    b: &'t [u8],
    grain: usize,
    levels: Vec<Level>,
    groups: Vec<Group>,
    by_open: HashMap<usize, usize>,
    paren: Option<usize>,
    closed: Option<Summary>,
    top: Option<Summary>,
    assignment: bool,
    /// Nesting went past [`MAX_PLAN_DEPTH`]: no plan (the serial path).
    too_deep: bool,
}

impl<'t> SplitSink<'t> {
    fn new(text: &'t str, grain: usize) -> Self {
        SplitSink {
            b: text.as_bytes(),
            grain,
            levels: Vec::new(),
            groups: Vec::new(),
            by_open: HashMap::new(),
            paren: None,
            closed: None,
            top: None,
            assignment: false,
            too_deep: false,
        }
    }

    /// The level the current token belongs to, and the groups.
    fn level(&mut self) -> Option<(&mut Level, &mut Vec<Group>)> {
        let level = self.levels.last_mut()?;
        Some((level, &mut self.groups))
    }

    /// Tells the group that ended last in `level` what follows it.
    fn next_edge(level: &mut Level, groups: &mut [Group], edge: Edge) {
        if let Some(group) = level.pending.take().and_then(|g| groups.get_mut(g)) {
            group.next = edge;
        }
    }

    fn infix(&mut self, pos: usize) {
        let op = operator(self.b, pos);
        let grain = self.grain;
        let Some((level, groups)) = self.level() else {
            return;
        };
        Self::next_edge(level, groups, Edge::Op(op, pos));
        let p = usize::from(precedence(op));
        match level.first[p] {
            None => level.first[p] = Some(op),
            Some(first) if first != op => level.mixed[p] = true,
            Some(_) => {}
        }
        let class = match op {
            BinOp::Add => Some(0),
            BinOp::Mul => Some(1),
            _ => None,
        };
        if let Some(c) = class
            && pos - level.last_cut[c] >= grain
        {
            level.cuts[c].push(pos);
            level.last_cut[c] = pos;
        }
        level.prev = Edge::Op(op, pos);
    }

    fn primary(&mut self) {
        if let Some(level) = self.levels.last_mut() {
            level.primaries += 1;
            level.only_group = None;
            level.prev = Edge::Other;
        }
    }

    fn end_expr(&mut self, pos: usize) {
        let Some(mut level) = self.levels.pop() else {
            return;
        };
        Self::next_edge(&mut level, &mut self.groups, Edge::Bound);
        let paren = level.paren;
        let summary = level.close(pos);
        if paren.is_some() {
            self.closed = Some(summary);
        } else if self.levels.is_empty() {
            self.top = Some(summary);
        }
    }

    fn end_paren(&mut self, pos: usize) {
        let closed = self.closed.take();
        let grain = self.grain;
        let Some(level) = self.levels.last_mut() else {
            return;
        };
        level.primaries += 1;
        level.only_group = None;
        level.prev = Edge::Other;
        let Some(inner) = closed else { return };
        let Some(open) = inner.paren else {
            return;
        };
        if pos - open >= grain {
            let index = self.groups.len();
            self.groups.push(Group {
                open,
                end: pos,
                prev: level.group_prev,
                next: Edge::Other,
                inner,
            });
            self.by_open.insert(open, index);
            level.pending = Some(index);
            level.only_group = Some(index);
        }
    }
}

impl Sink for SplitSink<'_> {
    fn token(&mut self, rule: Rule, start: bool, pos: usize) {
        if self.too_deep {
            return;
        }
        match (rule, start) {
            (Rule::assignment, true) => self.assignment = true,
            (Rule::expr, true) if self.levels.len() >= MAX_PLAN_DEPTH => self.too_deep = true,
            (Rule::expr, true) => {
                let paren = self.paren.take();
                self.levels.push(Level::new(pos, paren));
            }
            (Rule::expr, false) => self.end_expr(pos),
            (Rule::paren, true) => {
                if let Some(level) = self.levels.last_mut() {
                    level.group_prev = level.prev;
                }
                self.paren = Some(pos);
            }
            (Rule::paren, false) => self.end_paren(pos),
            (Rule::number | Rule::ident | Rule::call, true) => self.primary(),
            (Rule::sign, true) => {
                if let Some(level) = self.levels.last_mut() {
                    level.extras = true;
                    level.prev = Edge::Other;
                }
            }
            (Rule::factorial, true) => {
                if let Some((level, groups)) = self.level() {
                    Self::next_edge(level, groups, Edge::Other);
                    level.extras = true;
                    level.prev = Edge::Other;
                }
            }
            (Rule::infix | Rule::compare, true) => self.infix(pos),
            _ => {}
        }
    }
}

/// Expands a scanned expression into pieces.
struct Planner<'a> {
    b: &'a [u8],
    offset: usize,
    groups: &'a [Group],
    by_open: &'a HashMap<usize, usize>,
}

enum Work<'a> {
    Level(&'a Summary, BinOp),
    Range(usize, usize, BinOp),
    Close(Span),
    End(Span),
}

impl<'a> Planner<'a> {
    fn span(&self, group: &Group) -> Span {
        Span::new(self.offset + group.open, self.offset + group.end)
    }

    fn plan(&self, top: &'a Summary) -> Option<Plan> {
        let mut pieces = Vec::new();
        let mut work = Vec::new();
        let mut level = top;
        let mut closes = Vec::new();
        while level.ops == Ops::None {
            let group = self.groups.get(level.wrapper?)?;
            pieces.push(Piece::Open);
            closes.push(Work::Close(self.span(group)));
            level = &group.inner;
        }
        let Ops::Pure(op @ (BinOp::Add | BinOp::Mul)) = level.ops else {
            return None;
        };
        work.extend(closes);
        work.push(Work::Level(level, op));
        while let Some(item) = work.pop() {
            match item {
                Work::Close(span) => pieces.push(Piece::Close(span)),
                Work::End(span) => pieces.push(Piece::End(span)),
                Work::Level(level, op) => {
                    let mut end = level.end;
                    for &cut in level.cuts.iter().rev() {
                        work.push(Work::Range(cut + 1, end, op));
                        end = cut;
                    }
                    work.push(Work::Range(level.start, end, op));
                }
                Work::Range(start, end, op) => match self.group_chain(start, end, op) {
                    Some((groups, inner)) => {
                        if inner != op {
                            // One operand of this chain, itself a chain.
                            pieces.push(Piece::Begin(inner));
                            work.extend(groups.first().map(|g| Work::End(self.span(g))));
                        }
                        for group in &groups {
                            pieces.push(Piece::Open);
                            work.push(Work::Close(self.span(group)));
                        }
                        work.extend(groups.last().map(|g| Work::Level(&g.inner, inner)));
                    }
                    None => pieces.push(Piece::Chunk(start..end)),
                },
            }
        }
        let chunks = pieces
            .iter()
            .filter(|p| matches!(p, Piece::Chunk(_)))
            .count();
        (chunks >= 2).then_some(Plan { op, pieces })
    }

    /// If the range `start..end` of a chain of `op` is one big group (a
    /// term of its own) that holds a `+` or `*` chain (through wrapping
    /// parentheses): the groups from the outside in, and that chain's
    /// operator.
    fn group_chain(&self, start: usize, end: usize, op: BinOp) -> Option<(Vec<&'a Group>, BinOp)> {
        let first = scan::skip(self.b, start)?;
        let mut group = self.groups.get(*self.by_open.get(&first)?)?;
        let before = match group.prev {
            Edge::Bound => true,
            Edge::Op(o, at) => o == op && at + 1 == start,
            Edge::Other => false,
        };
        let after = match group.next {
            Edge::Bound => true,
            Edge::Op(o, at) => o == op && at == end,
            Edge::Other => false,
        };
        if !before || !after {
            return None;
        }
        let mut groups = vec![group];
        loop {
            match group.inner.ops {
                Ops::Pure(inner @ (BinOp::Add | BinOp::Mul)) => return Some((groups, inner)),
                Ops::None => {
                    group = self.groups.get(group.inner.wrapper?)?;
                    groups.push(group);
                }
                _ => return None,
            }
        }
    }
}

/// The operator whose token starts at `pos` (the scanner found one there).
fn operator(b: &[u8], pos: usize) -> BinOp {
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    match (at(pos), at(pos + 1)) {
        (b'+', _) => BinOp::Add,
        (b'-', _) => BinOp::Sub,
        (b'*', b'*') | (b'^', _) => BinOp::Pow,
        (b'*', _) => BinOp::Mul,
        (b'/', b'/') => BinOp::FloorDiv,
        (b'/', _) => BinOp::Div,
        (b'%', _) => BinOp::Mod,
        (b'<', b'=') => BinOp::Le,
        (b'<', _) => BinOp::Lt,
        (b'>', b'=') => BinOp::Ge,
        (b'>', _) => BinOp::Gt,
        (b'=', _) => BinOp::Eq,
        _ => BinOp::Ne,
    }
}

/// The fold's precedence classes: comparisons, `+ -`, `* / // %`, (prefix
/// signs), `^`.
fn precedence(op: BinOp) -> u8 {
    match op {
        BinOp::Add | BinOp::Sub => 1,
        BinOp::Mul | BinOp::Div | BinOp::FloorDiv | BinOp::Mod => 2,
        BinOp::Pow => 4,
        _ => 0,
    }
}

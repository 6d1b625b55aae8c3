//! A fast path in front of pest: a hand-written, iterative scanner for the
//! common shape of statements (expressions and `name = expr`), which
//! produces exactly the token stream pest's parser would produce for them
//! (the `Start`/`End` tokens of `Pair::tokens`), without pest's per-rule
//! overhead and without its token queue.
//!
//! The grammar of record stays `grammar/exprflow.pest`: the scanner only
//! ever *accepts* input on which pest succeeds with the same tokens, and
//! *declines* everything else (any error, a function definition, rare
//! whitespace such as `\r`, vertical tab or form feed, non-ASCII outside
//! comments). Declined input goes to pest, which parses it or reports the
//! error, so errors keep pest's wording and position. A property test
//! (`tests` below) checks the scanner against pest token by token.

use super::grammar::Rule;

/// Receives the tokens of a statement, in pest's order: `start` is `true`
/// for a rule's start token, `false` for its end token; `pos` is a byte
/// offset in the statement's text.
pub(super) trait Sink {
    fn token(&mut self, rule: Rule, start: bool, pos: usize);
}

/// Where an expression level stands: inside parentheses, a call's
/// arguments, or the top.
#[derive(Clone, Copy, PartialEq)]
enum Level {
    Top,
    Paren,
    Call,
}

/// One level of nesting: its kind and whether it already had a comparison
/// (comparisons do not chain).
#[derive(Clone, Copy)]
struct Frame {
    level: Level,
    compared: bool,
}

/// Scans `text` (one statement) into `sink`. `None`: declined (pest decides);
/// the sink may have received part of the tokens and must be discarded.
pub(super) fn scan(text: &str, sink: &mut impl Sink) -> Option<()> {
    let b = text.as_bytes();
    let len = b.len();
    sink.token(Rule::statement, true, 0);
    let i = skip(b, 0)?;
    if i < len {
        let (body_start, assignment) = statement_head(b, i)?;
        if let Some(target_end) = assignment {
            sink.token(Rule::assignment, true, i);
            sink.token(Rule::target, true, i);
            sink.token(Rule::target, false, target_end);
        }
        let end = expr(b, body_start, sink)?;
        if assignment.is_some() {
            sink.token(Rule::assignment, false, end);
        }
        if skip(b, end)? != len {
            return None;
        }
    }
    sink.token(Rule::EOI, true, len);
    sink.token(Rule::EOI, false, len);
    sink.token(Rule::statement, false, len);
    Some(())
}

/// Where the statement's expression starts, and for an assignment the end
/// of its target. Declines a function definition (pest handles those).
fn statement_head(b: &[u8], i: usize) -> Option<(usize, Option<usize>)> {
    if !is_ident_start(at(b, i)) {
        return Some((i, None));
    }
    let name_end = ident_end(b, i);
    let k = skip(b, name_end)?;
    match at(b, k) {
        b'=' if at(b, k + 1) != b'=' => Some((skip(b, k + 1)?, Some(name_end))),
        b'(' if looks_like_definition(b, k)? => None,
        _ => Some((i, None)),
    }
}

/// Whether `(params) =` follows at `k` (the `(`): a definition.
fn looks_like_definition(b: &[u8], k: usize) -> Option<bool> {
    let mut j = skip(b, k + 1)?;
    if is_ident_start(at(b, j)) {
        loop {
            j = skip(b, ident_end(b, j))?;
            if at(b, j) != b',' {
                break;
            }
            j = skip(b, j + 1)?;
            if !is_ident_start(at(b, j)) {
                return Some(false);
            }
        }
    }
    if at(b, j) != b')' {
        return Some(false);
    }
    Some(at(b, skip(b, j + 1)?) == b'=')
}

/// Scans one `expr` starting at `i` (an operand must start there) and
/// returns where it ends (after its last token; whitespace after it is
/// not part of it).
fn expr(b: &[u8], mut i: usize, sink: &mut impl Sink) -> Option<usize> {
    let mut frames = vec![Frame {
        level: Level::Top,
        compared: false,
    }];
    sink.token(Rule::expr, true, i);
    'operand: loop {
        // Prefix signs, then a primary.
        while matches!(at(b, i), b'-' | b'+') {
            sink.token(Rule::sign, true, i);
            sink.token(Rule::sign, false, i + 1);
            i = skip(b, i + 1)?;
        }
        let c = at(b, i);
        if c.is_ascii_digit() || c == b'.' {
            let end = number(b, i)?;
            sink.token(Rule::number, true, i);
            sink.token(Rule::number, false, end);
            i = end;
        } else if is_ident_start(c) {
            let end = ident_end(b, i);
            let k = skip(b, end)?;
            if at(b, k) == b'(' {
                sink.token(Rule::call, true, i);
                sink.token(Rule::name, true, i);
                sink.token(Rule::name, false, end);
                let j = skip(b, k + 1)?;
                if at(b, j) == b')' {
                    sink.token(Rule::call, false, j + 1);
                    i = j + 1;
                } else {
                    open_level(&mut frames, sink, Level::Call, j);
                    i = j;
                    continue 'operand;
                }
            } else {
                sink.token(Rule::ident, true, i);
                sink.token(Rule::ident, false, end);
                i = end;
            }
        } else if c == b'(' {
            sink.token(Rule::paren, true, i);
            let j = skip(b, i + 1)?;
            open_level(&mut frames, sink, Level::Paren, j);
            i = j;
            continue 'operand;
        } else {
            return None;
        }
        // After an operand: postfix `!`, an operator, or the end of a level.
        loop {
            let k = skip(b, i)?;
            let c = at(b, k);
            let next = at(b, k + 1);
            if c == b'!' && next != b'=' {
                sink.token(Rule::factorial, true, k);
                sink.token(Rule::factorial, false, k + 1);
                i = k + 1;
                continue;
            }
            let infix = match (c, next) {
                (b'*', b'*') | (b'/', b'/') => 2,
                (b'+' | b'-' | b'*' | b'/' | b'%' | b'^', _) => 1,
                _ => 0,
            };
            if infix > 0 {
                sink.token(Rule::infix, true, k);
                sink.token(Rule::infix, false, k + infix);
                i = skip(b, k + infix)?;
                continue 'operand;
            }
            let compare = match (c, next) {
                (b'<' | b'>' | b'=' | b'!', b'=') => 2,
                (b'<' | b'>', _) => 1,
                _ => 0,
            };
            let frame = frames.last_mut()?;
            if compare > 0 {
                if frame.compared {
                    return None;
                }
                frame.compared = true;
                sink.token(Rule::compare, true, k);
                sink.token(Rule::compare, false, k + compare);
                i = skip(b, k + compare)?;
                continue 'operand;
            }
            match (frame.level, c) {
                (Level::Top, _) => {
                    sink.token(Rule::expr, false, i);
                    return Some(i);
                }
                (Level::Paren, b')') => {
                    sink.token(Rule::expr, false, i);
                    sink.token(Rule::paren, false, k + 1);
                }
                (Level::Call, b')') => {
                    sink.token(Rule::expr, false, i);
                    sink.token(Rule::call, false, k + 1);
                }
                (Level::Call, b',') => {
                    sink.token(Rule::expr, false, i);
                    let j = skip(b, k + 1)?;
                    frame.compared = false;
                    sink.token(Rule::expr, true, j);
                    i = j;
                    continue 'operand;
                }
                _ => return None,
            }
            frames.pop();
            i = k + 1;
        }
    }
}

/// The byte at `i`, or 0 past the end (0 never starts a token: a NUL is
/// refused before parsing).
#[inline]
/// Opens a parenthesis or a call's arguments: a new level whose first
/// expression starts at `at`.
fn open_level(frames: &mut Vec<Frame>, sink: &mut impl Sink, level: Level, at: usize) {
    frames.push(Frame {
        level,
        compared: false,
    });
    sink.token(Rule::expr, true, at);
}

fn at(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn ident_end(b: &[u8], mut i: usize) -> usize {
    while at(b, i).is_ascii_alphanumeric() || at(b, i) == b'_' {
        i += 1;
    }
    i
}

/// Skips spaces, tabs, newlines and comments. `None` (decline) on the
/// whitespace pest treats differently inside and outside expressions
/// (`\r`, vertical tab, form feed), even within a comment.
#[inline]
pub(super) fn skip(b: &[u8], mut i: usize) -> Option<usize> {
    loop {
        match at(b, i) {
            b' ' | b'\t' | b'\n' => i += 1,
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    if b[i] == b'\r' {
                        return None;
                    }
                    i += 1;
                }
            }
            b'\r' | 0x0b | 0x0c => return None,
            _ => return Some(i),
        }
    }
}

/// `digits = ASCII_DIGIT+ ~ ("_" ~ ASCII_DIGIT+)*` at `i` (a digit).
fn digits(b: &[u8], mut i: usize) -> usize {
    loop {
        while at(b, i).is_ascii_digit() {
            i += 1;
        }
        if at(b, i) == b'_' && at(b, i + 1).is_ascii_digit() {
            i += 1;
        } else {
            return i;
        }
    }
}

/// The end of the `number` at `i`, as pest's rule matches it greedily.
fn number(b: &[u8], i: usize) -> Option<usize> {
    let mut j = if at(b, i).is_ascii_digit() {
        let j = digits(b, i);
        if at(b, j) == b'.' {
            if at(b, j + 1).is_ascii_digit() {
                digits(b, j + 1)
            } else {
                j + 1
            }
        } else {
            j
        }
    } else if at(b, i + 1).is_ascii_digit() {
        digits(b, i + 1)
    } else {
        return None;
    };
    if matches!(at(b, j), b'e' | b'E') {
        let mut k = j + 1;
        if matches!(at(b, k), b'+' | b'-') {
            k += 1;
        }
        if at(b, k).is_ascii_digit() {
            j = digits(b, k);
        }
    }
    Some(j)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::grammar::ExprParser;
    use pest::Parser;
    use pest::Token;
    use proptest::prelude::*;

    type Tokens = Vec<(Rule, bool, usize)>;

    impl Sink for Tokens {
        fn token(&mut self, rule: Rule, start: bool, pos: usize) {
            self.push((rule, start, pos));
        }
    }

    fn scanned(text: &str) -> Option<Tokens> {
        let mut tokens = Vec::new();
        scan(text, &mut tokens).map(|()| tokens)
    }

    fn pest_tokens(text: &str) -> Option<Tokens> {
        let pairs = ExprParser::parse(Rule::statement, text).ok()?;
        Some(
            pairs
                .tokens()
                .map(|t| match t {
                    Token::Start { rule, pos } => (rule, true, pos.pos()),
                    Token::End { rule, pos } => (rule, false, pos.pos()),
                })
                .collect(),
        )
    }

    /// The scanner's contract: whatever it accepts, pest parses to the
    /// very same tokens.
    fn agrees(text: &str) -> Result<(), TestCaseError> {
        if let Some(ours) = scanned(text) {
            prop_assert_eq!(Some(ours), pest_tokens(text), "text {:?}", text);
        }
        Ok(())
    }

    const PIECES: &[&str] = &[
        "1", "23", "0.5", ".5", "1.", "1e3", "2E-4", "1_000", "_", ".", "e", "E", "+", "-", "*",
        "**", "/", "//", "%", "^", "!", "=", "==", "!=", "<", "<=", ">", ">=", "(", ")", ",", " ",
        "  ", "\t", "\n", "\r", "\x0b", "#c\n", "# c", "x", "pi", "f", "max", "if", "x1", "é",
        "f(", "g(x)", "a = ", "f(x) = ",
    ];

    const OPERANDS: &[&str] = &[
        "1", "23", "0.5", ".5", "1.", "1e3", "2E-4", "1_000", "x", "pi", "g(x)", "(1)", "f(2, 3)",
        "-", "(", "max(", "y = ", "-(2)",
    ];

    const OPERATORS: &[&str] = &[
        "+", "-", "*", "**", "/", "//", "%", "^", "!", "==", "!=", "<", "<=", ">", ">=", " + ",
        " * ", ")", ",", " ", "! ", ") ", "#c",
    ];

    fn text() -> impl Strategy<Value = String> {
        proptest::collection::vec(proptest::sample::select(PIECES), 0..24)
            .prop_map(|pieces| pieces.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        #[test]
        fn accepted_input_has_pest_tokens(text in text()) {
            agrees(&text)?;
        }
    }

    /// The same property on a fixed pseudo-random sample, counting what
    /// the scanner accepts, so the check cannot pass by declining all.
    #[test]
    fn agrees_on_a_fixed_sample_and_accepts_much_of_it() {
        let mut seed = 7u64;
        let mut accepted = 0;
        for _ in 0..20_000 {
            let mut text = String::new();
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
            // Mostly operands and operators in turn, with some noise.
            for k in 0..(seed >> 60) + 1 {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
                let r = (seed >> 33) as usize;
                let pieces = match (r % 10, k % 2) {
                    (0, _) => PIECES,
                    (_, 0) => OPERANDS,
                    _ => OPERATORS,
                };
                text.push_str(pieces[(r / 10) % pieces.len()]);
            }
            if scanned(&text).is_some() {
                accepted += 1;
            }
            agrees(&text).unwrap();
        }
        assert!(accepted > 2_000, "accepted only {accepted} of 20,000");
    }

    #[test]
    fn agrees_on_tricky_cases() {
        for text in [
            "",
            "  ",
            "# only a comment",
            "1",
            " 1 + 2 ",
            "-2^2",
            "3!=4",
            "3! != 4",
            "3!!",
            "1.e5",
            "1e",
            "1e+",
            "1.5e-3",
            "1__0",
            "1_0",
            ".5",
            "2*-3",
            "--3",
            "f(1, 2)",
            "f ( 1 , 2 )",
            "f()",
            "f(x) = x",
            "f(x) == 1",
            "x = 1",
            "x == 1",
            "x = = 1",
            "1 < 2 < 3",
            "(1 < 2) < 3",
            "if(1 < 2, 3, 4)",
            "a=1",
            "(((1)))",
            "1 # c",
            "1 #c\r",
            "1\r",
            "(1 + 2) * (3 + 4)!",
            "x = # c\n 2",
            "2 ** 3 // 4 % 5",
            "1 +",
            "(1",
            "1)",
            "f(1,)",
            "f(,1)",
            "é",
            "1 é",
        ] {
            agrees(text).unwrap();
        }
    }

    #[test]
    fn accepts_the_common_shapes() {
        for text in [
            "1+2*3",
            "x = (1 + 2) * 3",
            "max(1, 2, -3)!",
            "1 < 2",
            "  ",
            "# comment",
            "2^-1",
            "1_000.25e-3 + .5",
            "f(g(1), (2))",
            "a * b + c",
            "if(x < 2, 1, 2)",
        ] {
            assert!(scanned(text).is_some(), "declined {text:?}");
            agrees(text).unwrap();
        }
    }
}

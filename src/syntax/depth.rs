//! A cheap pre-scan that bounds nesting before pest (which recurses) runs.

use crate::error::{Error, ErrorKind, Span};

/// The default maximum depth of parentheses and calls.
///
/// pest's generated parser recurses once per level of parentheses, using a
/// few hundred bytes of stack per level; 1,000 levels fit comfortably in the
/// smallest stack a Rust thread gets (2 MiB), so this limit keeps parsing safe
/// on any thread the library user calls it from. pest's own stack guard is a
/// second line of defence and reports `nesting too deep` too.
pub const DEFAULT_MAX_DEPTH: usize = 1_000;

/// Checks that parentheses in `text` nest at most `max_depth` deep.
/// `offset` is added to reported positions. Comments are skipped.
pub fn check_depth(text: &str, offset: usize, max_depth: usize) -> Result<(), Error> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'(' => {
                depth += 1;
                if depth > max_depth {
                    return Err(Error::with_detail(
                        ErrorKind::NestingTooDeep,
                        Span::new(offset + i, offset + i + 1),
                        format!("more than {max_depth} levels of parentheses"),
                    ));
                }
            }
            b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_only_open_parentheses() {
        assert!(check_depth("((1))", 0, 2).is_ok());
        let err = check_depth("x + (((1)))", 10, 2).unwrap_err();
        assert_eq!(err.kind, ErrorKind::NestingTooDeep);
        assert_eq!(err.span, Span::new(16, 17));
    }

    #[test]
    fn ignores_comments() {
        assert!(check_depth("1 # ((((((", 0, 1).is_ok());
    }
}

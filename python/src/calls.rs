//! `_call_sites(text)`: the calls written in an expression
//! ([`exprflow::call_sites`]), for `exprflow.to_dask`, with spans as `str`
//! indices.

use exprflow::{Reach, Span};
use pyo3::prelude::*;

use crate::engine::ORIGIN;
use crate::errors;

/// One call: name, `(start, end)`, each argument's `(start, end)`, and
/// whether it sits in a branch of an `if` (evaluated only when taken).
type PyCallSite = (String, (usize, usize), Vec<(usize, usize)>, bool);

/// The calls written in the expression `text`, in text order; a syntax
/// error raises `exprflow.ParseError`.
#[pyfunction]
pub fn _call_sites(py: Python<'_>, text: &str) -> PyResult<Vec<PyCallSite>> {
    let sites = exprflow::call_sites(text).map_err(|e| errors::to_pyerr(py, &e, text, ORIGIN))?;
    // Byte offset -> str index, for every char boundary (and the end).
    let mut index = vec![0; text.len() + 1];
    for (chars, (byte, c)) in text.char_indices().enumerate() {
        index[byte..byte + c.len_utf8()].fill(chars);
    }
    index[text.len()] = text.chars().count();
    let at = |span: Span| (index[span.start], index[span.end]);
    Ok(sites
        .into_iter()
        .map(|site| {
            let args = site.args.iter().map(|&arg| at(arg)).collect();
            (
                site.name,
                at(site.span),
                args,
                site.reach == Reach::IfBranch,
            )
        })
        .collect())
}

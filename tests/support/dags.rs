//! Comparing two DAGs built from the same text by different front ends.

use exprflow::testing::dag::{Dag, Op};

/// An operation's text without definition ids (`FuncDef::id` counts
/// every definition compiled in the process, so two parses differ there):
/// `id: N` and the `("name", N)` entries of an environment's signature.
pub fn without_ids(op: &Op) -> String {
    let mut text = format!("{op:?}");
    for marker in ["id: ", "\", "] {
        let mut out = String::with_capacity(text.len());
        let mut rest = text.as_str();
        while let Some(at) = rest.find(marker) {
            out.push_str(&rest[..at + marker.len()]);
            rest = rest[at + marker.len()..].trim_start_matches(|c: char| c.is_ascii_digit());
        }
        out.push_str(rest);
        text = out;
    }
    text
}

/// The first difference between `a` and `b` (node count, or a node's
/// operation, inputs or span, in id order), or `None` when they are the
/// same DAG.
pub fn first_difference(a: &Dag, b: &Dag) -> Option<String> {
    if a.len() != b.len() {
        return Some(format!("{} nodes against {}", a.len(), b.len()));
    }
    b.ids().find_map(|id| {
        let (x, y) = (a.node(id), b.node(id));
        let (ox, oy) = (without_ids(&x.op), without_ids(&y.op));
        (ox != oy || x.inputs != y.inputs || x.span != y.span).then(|| {
            format!(
                "node {id:?}: {ox} {:?} {:?} against {oy} {:?} {:?}",
                x.inputs, x.span, y.inputs, y.span
            )
        })
    })
}

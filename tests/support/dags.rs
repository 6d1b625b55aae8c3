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
/// operation, inputs, span, estimates or use count, in id order), or
/// `None` when they are the same DAG.
pub fn first_difference(a: &Dag, b: &Dag) -> Option<String> {
    if a.len() != b.len() {
        return Some(format!("{} nodes against {}", a.len(), b.len()));
    }
    b.ids().find_map(|id| {
        let (x, y) = (a.node(id), b.node(id));
        let (ox, oy) = (without_ids(&x.op), without_ids(&y.op));
        let fx = (
            &x.inputs,
            x.span(),
            x.exact(),
            x.bits(),
            x.cost(),
            x.total(),
            x.uses,
        );
        let fy = (
            &y.inputs,
            y.span(),
            y.exact(),
            y.bits(),
            y.cost(),
            y.total(),
            y.uses,
        );
        (ox != oy || fx != fy).then(|| format!("node {id:?}: {ox} {fx:?} against {oy} {fy:?}"))
    })
}

//! The DAG as Graphviz DOT.

use std::fmt::Write;

use super::analysis::reachable;
use super::text::{op_name, outcome_preview, source_of};
use crate::dag::{Dag, NodeId, Op};

/// Longest value shown in a node's label.
const LABEL_CHARS: usize = 24;

/// The part of `dag` that `roots` need (the whole DAG when `roots` is
/// empty) as a Graphviz `digraph`: one node per distinct subexpression, so
/// a shared node is drawn once with several out-edges. Edges run from an
/// input to its user (the data flow, drawn bottom-up with inputs left to
/// right in argument order). Each node shows its operation and, once
/// evaluated, its value (shortened); failed nodes are red, the origin of an
/// error filled. Roots have a double border. Render with `dot -Tsvg`.
///
/// ```
/// let batch = exprflow::testing::Batch::parse(b"(2+3)*(2+3)", Default::default());
/// let dot = exprflow::testing::report::to_dot(&batch.dag, &batch.roots());
/// assert_eq!(dot.matches(" -> ").count(), 4); // 2+3 feeds the product twice
/// ```
#[cfg(any(test, feature = "test-hooks"))]
pub fn to_dot(dag: &Dag, roots: &[NodeId]) -> String {
    render(dag, roots, None)
}

/// Like [`to_dot`], with each node's source text (from `source`, the text
/// the DAG's spans index: [`Batch::source`](crate::batch::Batch::source) or
/// [`Session::source`](crate::Session::source)) as its tooltip.
pub fn to_dot_with_source(dag: &Dag, roots: &[NodeId], source: &str) -> String {
    render(dag, roots, Some(&|id| source_of(dag, id, source, 200)))
}

#[cfg(any(test, feature = "cli", feature = "test-hooks"))]
/// Like [`to_dot`], with `text(node)` as each node's tooltip (for instance
/// the node's text in the input just typed, where a shared node's own span
/// points at an earlier input).
///
/// ```
/// let batch = exprflow::testing::Batch::parse(b"1+2", Default::default());
/// let dot = exprflow::testing::report::to_dot_with_text(&batch.dag, &batch.roots(), |_| "here".into());
/// assert!(dot.contains("tooltip=\"here\""));
/// ```
pub fn to_dot_with_text(dag: &Dag, roots: &[NodeId], text: impl Fn(NodeId) -> String) -> String {
    render(dag, roots, Some(&text))
}

fn render(dag: &Dag, roots: &[NodeId], text: Option<&dyn Fn(NodeId) -> String>) -> String {
    let nodes = reachable(dag, roots);
    let mut out = String::with_capacity(nodes.len() * 96 + 512);
    out.push_str("digraph exprflow {\n");
    out.push_str(
        "  graph [rankdir=BT, ordering=in, nodesep=0.25, ranksep=0.35, \
         fontname=\"Helvetica\", bgcolor=\"white\"];\n",
    );
    out.push_str(
        "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=11, \
         color=\"#52606d\", fillcolor=\"#eef2f7\", fontcolor=\"#1f2933\", margin=\"0.12,0.04\"];\n",
    );
    out.push_str("  edge [color=\"#7b8794\", arrowsize=0.6];\n");
    let mut root_mask = vec![false; dag.len()];
    for r in roots {
        if let Some(slot) = root_mask.get_mut(r.index()) {
            *slot = true;
        }
    }
    let is_root = |id: NodeId| root_mask.get(id.index()).copied().unwrap_or(false);
    for &id in &nodes {
        let node = dag.node(id);
        let result = dag.result(id);
        let result = result.as_deref();
        let mut attrs: Vec<String> = Vec::new();
        let label = match (&node.op, result) {
            (Op::Const, _) => op_name(dag, id),
            (Op::Fail(e), None) => format!("error\n{}", e.kind.words()),
            (_, None) => op_name(dag, id),
            (_, Some(Ok(_))) => format!(
                "{}\n= {}",
                op_name(dag, id),
                outcome_preview(result, LABEL_CHARS).unwrap_or_default()
            ),
            (_, Some(Err(e))) => format!("{}\n{}", op_name(dag, id), e.kind.words()),
        };
        attrs.push(format!("label={}", quote(&label)));
        match &node.op {
            Op::Const => attrs.push("shape=ellipse, fillcolor=\"#f4f7ed\"".to_string()),
            Op::Call(_) => attrs.push("fillcolor=\"#e6f0fa\"".to_string()),
            // A user call: its body's calls are computed inside it (memo),
            // not drawn as nodes.
            Op::UserCall(_) => attrs.push("shape=component, fillcolor=\"#efe6fa\"".to_string()),
            _ => {}
        }
        if let Some(Err(_)) = result {
            let origin = !node
                .inputs
                .iter()
                .any(|&i| matches!(dag.result(i).as_deref(), Some(Err(_))));
            attrs.push("color=\"#c62828\", fontcolor=\"#b71c1c\", penwidth=1.6".to_string());
            attrs.push(if origin {
                "fillcolor=\"#fde0dc\"".to_string()
            } else {
                "fillcolor=\"#fff5f4\", style=\"rounded,filled,dashed\"".to_string()
            });
        }
        if is_root(id) {
            attrs.push("peripheries=2".to_string());
        }
        let mut tip = String::new();
        if let Some(text) = text {
            tip = text(id);
        }
        if let Some(Err(e)) = result {
            if !tip.is_empty() {
                tip.push_str(": ");
            }
            tip.push_str(&e.message());
        }
        if !tip.is_empty() {
            attrs.push(format!("tooltip={}", quote(&tip)));
        }
        let _ = writeln!(out, "  n{} [{}];", id.index(), attrs.join(", "));
    }
    // Edges grouped by user, in argument order, so `ordering=in` keeps
    // `a - b` with `a` on the left.
    for &id in &nodes {
        for &input in dag.node(id).inputs.iter() {
            let _ = writeln!(out, "  n{} -> n{};", input.index(), id.index());
        }
    }
    out.push_str("}\n");
    out
}

/// A DOT double-quoted string; newlines become centred line breaks.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_escapes_what_dot_would_interpret() {
        assert_eq!(quote("a\"b\\l\nc\r"), "\"a\\\"b\\\\l\\nc \"");
    }
}

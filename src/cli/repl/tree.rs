//! `:dag`: a DAG drawn as an indented text tree. A node used more than once
//! (hash-consing made the copies one node) is drawn in full the first time
//! with a `#k` mark and referred to by that mark afterwards, so the drawing
//! has one line per edge, never one per path. Iterative throughout.

use std::collections::HashMap;
use std::fmt::Write;

use crate::dag::{Dag, NodeId, Op};

use super::style::Style;

/// At most this many characters of a value or a source snippet are shown.
const SHOWN: usize = 40;

/// Shortens `text` to [`SHOWN`] characters, saying how long it was.
pub fn shorten(text: &str) -> String {
    let count = text.chars().count();
    if count <= SHOWN {
        return text.to_string();
    }
    let head: String = text.chars().take(SHOWN - 10).collect();
    format!("{head}… ({count} chars)")
}

/// How many times each node below `root` is used as an input, counting each
/// edge once (a shared node's own inputs are counted once).
fn uses(dag: &Dag, root: NodeId) -> HashMap<NodeId, usize> {
    let mut uses: HashMap<NodeId, usize> = HashMap::new();
    uses.insert(root, 0);
    let mut work = vec![root];
    while let Some(id) = work.pop() {
        for &input in dag.node(id).inputs.iter() {
            let count = uses.entry(input).or_insert(0);
            *count += 1;
            if *count == 1 {
                work.push(input);
            }
        }
    }
    uses
}

/// Number of lines the expression would take as a plain tree (saturating).
fn tree_size(dag: &Dag, root: NodeId, nodes: &HashMap<NodeId, usize>) -> u64 {
    let mut ids: Vec<NodeId> = nodes.keys().copied().collect();
    // Node indices are a topological order: inputs first.
    ids.sort_unstable();
    let mut size: HashMap<NodeId, u64> = HashMap::with_capacity(ids.len());
    for id in ids {
        let below = dag
            .node(id)
            .inputs
            .iter()
            .map(|i| size.get(i).copied().unwrap_or(1))
            .fold(0u64, u64::saturating_add);
        size.insert(id, below.saturating_add(1));
    }
    size.get(&root).copied().unwrap_or(1)
}

/// What a node is: its operation (or constant value) and, if known, its value.
fn describe(dag: &Dag, id: NodeId, source: &Texts<'_>, style: Style) -> String {
    let node = dag.node(id);
    match &node.op {
        Op::Const => match dag.result(id).as_deref() {
            Some(Ok(value)) => shorten(&value.to_string()),
            _ => "?".to_string(),
        },
        Op::Fail(error) => style.error(&format!("error: {error}")),
        op => {
            let mut text = op.label().to_string();
            match dag.result(id).as_deref() {
                Some(Ok(value)) => {
                    let _ = write!(text, " = {}", style.value(&shorten(&value.to_string())));
                }
                Some(Err(error)) => {
                    let _ = write!(
                        text,
                        " = {}",
                        style.error(&format!("error: {}", error.kind))
                    );
                }
                None => {}
            }
            if let Some(snippet) = source.of(dag, id) {
                let snippet = snippet.split_whitespace().collect::<Vec<_>>().join(" ");
                let _ = write!(text, "   {}", style.dim(&shorten(&snippet)));
            }
            text
        }
    }
}

/// Draws `root` of `dag` as a tree of at most `max_lines` lines. `source` is
/// the text spans index into.
#[cfg(test)]
pub fn render(dag: &Dag, root: NodeId, source: &str, style: Style, max_lines: usize) -> String {
    let texts = Texts {
        source,
        typed: &HashMap::new(),
    };
    render_with_texts(dag, root, &texts, style, max_lines)
}

/// Where `:dag` and `:dot` read a node's text: the input just typed when
/// the node appears in it, else its own span of the session's source.
pub struct Texts<'a> {
    /// The session's source (spans index into it).
    pub source: &'a str,
    /// Nodes' texts in the input just typed.
    pub typed: &'a HashMap<NodeId, String>,
}

impl Texts<'_> {
    /// The text of `id`.
    pub fn of<'s>(&'s self, dag: &Dag, id: NodeId) -> Option<&'s str> {
        match self.typed.get(&id) {
            Some(text) => Some(text),
            None => {
                let span = dag.node(id).span();
                self.source.get(span.start..span.end)
            }
        }
    }
}

/// The text in `typed` (the input just added to a copy of the session,
/// whose statement node is `root` of `dag`) of every node it reaches:
/// `typed` is built again alone and walked beside `dag` while the two
/// agree, so a node shared with an earlier input is named as typed now
/// (a variable by its name).
pub fn typed_texts(dag: &Dag, root: NodeId, typed: &str) -> HashMap<NodeId, String> {
    let mut texts = HashMap::new();
    let mut alone = crate::Session::new();
    let Ok(Some(added)) = alone.add(typed) else {
        return texts;
    };
    let fresh = alone.dag();
    let text_of = |id: NodeId| {
        let span = fresh.node(id).span();
        alone.source().get(span.start..span.end).map(str::to_string)
    };
    let mut work = vec![(added.node, root)];
    while let Some((f, d)) = work.pop() {
        if texts.contains_key(&d) {
            continue;
        }
        if let Some(text) = text_of(f) {
            texts.insert(d, text);
        }
        let (fresh_node, node) = (fresh.node(f), dag.node(d));
        if fresh_node.op == node.op && fresh_node.inputs.len() == node.inputs.len() {
            work.extend(
                fresh_node
                    .inputs
                    .iter()
                    .copied()
                    .zip(node.inputs.iter().copied()),
            );
        }
    }
    texts
}

/// Like [`render`], with node texts from `texts`.
pub fn render_with_texts(
    dag: &Dag,
    root: NodeId,
    source: &Texts<'_>,
    style: Style,
    max_lines: usize,
) -> String {
    let uses = uses(dag, root);
    let shared = |id: NodeId| {
        uses.get(&id).copied().unwrap_or(0) > 1 && !matches!(dag.node(id).op, Op::Const)
    };
    let mut marks: HashMap<NodeId, usize> = HashMap::new();
    let mut out = String::new();
    let mut lines = 0usize;
    let mut omitted = 0usize;
    // (node, prefix for its children, connector for its own line)
    let mut stack: Vec<(NodeId, String, &'static str)> = vec![(root, String::new(), "")];
    while let Some((id, prefix, connector)) = stack.pop() {
        if lines >= max_lines {
            omitted += 1;
            continue;
        }
        lines += 1;
        let head = format!("{prefix}{connector}");
        if let Some(&k) = marks.get(&id) {
            let _ = writeln!(
                out,
                "{head}{} {}",
                style.name(&format!("#{k}")),
                style.dim("(shared: see above)")
            );
            continue;
        }
        let mut line = format!("{head}{}", describe(dag, id, source, style));
        if shared(id) {
            let k = marks.len() + 1;
            marks.insert(id, k);
            let count = uses.get(&id).copied().unwrap_or(0);
            let _ = write!(
                line,
                "   {}",
                style.name(&format!("[#{k} shared, used {count}×]"))
            );
        }
        let _ = writeln!(out, "{line}");
        let inputs = &dag.node(id).inputs;
        let child_prefix = match connector {
            "" => String::new(),
            "└─ " => format!("{prefix}   "),
            _ => format!("{prefix}│  "),
        };
        for (i, &input) in inputs.iter().enumerate().rev() {
            let connector = if i + 1 == inputs.len() {
                "└─ "
            } else {
                "├─ "
            };
            stack.push((input, child_prefix.clone(), connector));
        }
    }
    if omitted > 0 {
        let _ = writeln!(
            out,
            "{}",
            style.dim(&format!("… {omitted} more lines not shown"))
        );
    }
    let distinct = uses.len();
    let as_tree = tree_size(dag, root, &uses);
    let _ = writeln!(
        out,
        "{}",
        style.dim(&summary(distinct, as_tree, marks.len()))
    );
    out
}

/// The last line of `:dag`: how many nodes, how many a plain tree would
/// need, what sharing saved (constants included) and how many shared
/// operations are marked `#k` above.
fn summary(distinct: usize, as_tree: u64, marked: usize) -> String {
    let saved = as_tree.saturating_sub(distinct as u64);
    let mut text = format!(
        "{distinct} distinct node{} ({as_tree} as a plain tree): sharing saved {saved}",
        if distinct == 1 { "" } else { "s" },
    );
    if marked > 0 {
        text.push_str(&format!(
            "; {marked} shared subexpression{} marked #",
            if marked == 1 { "" } else { "s" }
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Session;

    fn draw(statements: &[&str]) -> String {
        let mut session = Session::new();
        let mut last = None;
        for s in statements {
            last = session.add(s).ok().flatten().map(|a| a.node);
        }
        let root = last.expect("a statement");
        render(
            session.dag(),
            root,
            session.source(),
            Style { enabled: false },
            100,
        )
    }

    #[test]
    fn shared_subexpressions_are_drawn_once() {
        let text = draw(&["(2+3)*(2+3)"]);
        let lines: Vec<&str> = text.lines().collect();
        // (The source snippets depend on how the parser assigns spans.)
        assert!(lines[0].starts_with("*   "), "{text}");
        assert!(lines[1].starts_with("├─ +   "), "{text}");
        assert!(lines[1].ends_with("[#1 shared, used 2×]"), "{text}");
        assert_eq!(lines[2], "│  ├─ 2");
        assert_eq!(lines[3], "│  └─ 3");
        assert_eq!(lines[4], "└─ #1 (shared: see above)");
        assert_eq!(
            lines[5],
            "4 distinct nodes (7 as a plain tree): sharing saved 3; 1 shared subexpression marked #"
        );
        assert_eq!(lines.len(), 6);
    }

    #[test]
    fn shared_constants_count_as_saved() {
        let text = draw(&["delay(1,200)+delay(2,200)"]);
        let last = text.lines().last().unwrap_or("");
        assert_eq!(
            last,
            "6 distinct nodes (7 as a plain tree): sharing saved 1"
        );
    }

    #[test]
    fn values_computed_earlier_are_shown() {
        use crate::eval::{CancelToken, EvalLimits, evaluate_sequential};
        let mut session = Session::new();
        let first = session.add("2+3").ok().flatten().expect("a statement");
        let _ = evaluate_sequential(
            session.dag(),
            first.node,
            &EvalLimits::default(),
            &CancelToken::new(),
            &mut |_| {},
        );
        let root = session.add("(2+3)*2").ok().flatten().expect("a statement");
        let text = render(
            session.dag(),
            root.node,
            session.source(),
            Style { enabled: false },
            100,
        );
        assert!(
            text.lines()
                .nth(1)
                .is_some_and(|l| l.starts_with("├─ + = 5")),
            "{text}"
        );
    }

    #[test]
    fn deep_chains_do_not_recurse_and_are_cut() {
        let chain = vec!["x = 1"; 1]
            .into_iter()
            .map(String::from)
            .chain((0..5000).map(|_| "x = -x".to_string()))
            .collect::<Vec<_>>();
        let refs: Vec<&str> = chain.iter().map(|s| s.as_str()).collect();
        let text = draw(&refs);
        assert!(text.contains("more lines not shown"));
        assert_eq!(text.lines().count(), 102);
    }

    #[test]
    fn long_values_are_shortened() {
        assert_eq!(shorten("12345"), "12345");
        let long = "9".repeat(100);
        assert_eq!(shorten(&long), format!("{}… (100 chars)", "9".repeat(30)));
    }
}

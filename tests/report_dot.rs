//! `--dot` and `report::to_dot`: the DAG in Graphviz DOT, checked with a
//! real DOT parser (the graphviz-rust crate) and, when it is installed, with
//! `dot -Tsvg` itself.

use std::collections::HashMap;
use std::io::Write;
use std::process::{Command as Process, Stdio};

use assert_cmd::Command;
use graphviz_rust::dot_structures::{EdgeTy, Graph, Id, Stmt, Vertex};

mod support;

fn exprflow() -> Command {
    Command::cargo_bin("exprflow").unwrap()
}

/// A DOT graph as parsed: node name → attributes, and edges in order.
struct Parsed {
    nodes: HashMap<String, HashMap<String, String>>,
    edges: Vec<(String, String)>,
}

fn id_text(id: &Id) -> String {
    let raw = match id {
        Id::Html(s) | Id::Escaped(s) | Id::Plain(s) | Id::Anonymous(s) => s.clone(),
    };
    match raw.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        Some(inner) => inner.replace("\\\"", "\"").replace("\\n", "\n"),
        None => raw,
    }
}

fn parse(dot: &str) -> Parsed {
    let graph = graphviz_rust::parse(dot).unwrap_or_else(|e| panic!("not DOT: {e}\n{dot}"));
    let Graph::DiGraph { stmts, .. } = graph else {
        panic!("not a digraph");
    };
    let mut parsed = Parsed {
        nodes: HashMap::new(),
        edges: Vec::new(),
    };
    for stmt in stmts {
        match stmt {
            Stmt::Node(node) => {
                let attrs = node
                    .attributes
                    .iter()
                    .map(|a| (id_text(&a.0), id_text(&a.1)))
                    .collect();
                parsed.nodes.insert(id_text(&node.id.0), attrs);
            }
            Stmt::Edge(edge) => match edge.ty {
                EdgeTy::Pair(Vertex::N(a), Vertex::N(b)) => {
                    parsed.edges.push((id_text(&a.0), id_text(&b.0)))
                }
                other => panic!("unexpected edge {other:?}"),
            },
            _ => {}
        }
    }
    parsed
}

fn dot_of(expr: &str) -> String {
    let out = exprflow()
        .args(["eval", "--dot", "--", expr])
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

/// Renders with Graphviz when it is installed; when it is not, the check
/// of `test` fails in CI and is a visible skip elsewhere.
fn renders_with_graphviz(test: &str, dot: &str) {
    let child = Process::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let Ok(mut child) = child else {
        support::skip_or_fail(
            test,
            "Graphviz `dot` is not installed; checked with the graphviz-rust parser only",
        );
        return;
    };
    child
        .stdin
        .take()
        .unwrap()
        .write_all(dot.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "dot -Tsvg failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let svg = String::from_utf8(out.stdout).unwrap();
    assert!(svg.contains("<svg"), "{svg}");
}

#[test]
fn shared_subexpression_is_one_node_with_two_out_edges() {
    let dot = dot_of("(2+3)*(2+3)");
    let g = parse(&dot);
    assert_eq!(g.nodes.len(), 4, "{dot}");
    assert_eq!(g.edges.len(), 4, "{dot}");
    let plus = g
        .nodes
        .iter()
        .find(|(_, a)| a["label"].starts_with("+\n"))
        .map(|(name, _)| name.clone())
        .unwrap();
    let times = g
        .nodes
        .iter()
        .find(|(_, a)| a["label"].starts_with("*\n"))
        .map(|(name, _)| name.clone())
        .unwrap();
    let out_of_plus: Vec<_> = g.edges.iter().filter(|(a, _)| *a == plus).collect();
    assert_eq!(out_of_plus.len(), 2, "{dot}");
    assert!(out_of_plus.iter().all(|(_, b)| *b == times));
    renders_with_graphviz("shared_subexpression_is_one_node", &dot);
}

#[test]
fn labels_show_operation_and_value_after_evaluation() {
    let dot = dot_of("(3+7)*(2+8)*((2*3)-1)");
    let g = parse(&dot);
    let labels: Vec<&str> = g.nodes.values().map(|a| a["label"].as_str()).collect();
    assert!(labels.contains(&"*\n= 500"), "{labels:?}");
    assert!(labels.contains(&"-\n= 5"), "{labels:?}");
    assert!(labels.contains(&"+\n= 10"), "{labels:?}");
    assert!(labels.contains(&"7"), "{labels:?}");
    // The root has a double border; its source text is the tooltip.
    let root = g.nodes.values().find(|a| a["label"] == "*\n= 500").unwrap();
    assert_eq!(root["peripheries"], "2");
    assert_eq!(root["tooltip"], "(3+7)*(2+8)*((2*3)-1)");
    renders_with_graphviz("labels_show_operation_and_value", &dot);
}

#[test]
fn long_values_are_shortened_in_labels() {
    let dot = dot_of("fact(200) + 1");
    let g = parse(&dot);
    let plus = g
        .nodes
        .values()
        .find(|a| a["label"].starts_with("+\n"))
        .unwrap();
    assert!(plus["label"].contains("(375 digits)"), "{}", plus["label"]);
    assert!(plus["label"].chars().count() < 40, "{}", plus["label"]);
}

#[test]
fn errors_are_red_and_the_origin_is_filled() {
    let out = exprflow()
        .args(["eval", "--dot", "1 + 2/0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("division by zero"));
    let dot = String::from_utf8(out.stdout).unwrap();
    let g = parse(&dot);
    let div = g
        .nodes
        .values()
        .find(|a| a["label"].starts_with("/\n"))
        .unwrap();
    assert_eq!(div["label"], "/\ndivision by zero");
    assert_eq!(div["color"], "#c62828");
    assert!(!div.get("style").is_some_and(|s| s.contains("dashed")));
    let plus = g
        .nodes
        .values()
        .find(|a| a["label"].starts_with("+\n"))
        .unwrap();
    assert_eq!(plus["color"], "#c62828");
    assert!(plus["style"].contains("dashed"), "propagated: {plus:?}");
    let one = g.nodes.values().find(|a| a["label"] == "1").unwrap();
    assert!(!one.contains_key("color"));
    renders_with_graphviz("errors_are_red", &dot);
}

#[test]
fn dot_to_a_file_keeps_the_results_on_stdout() {
    let dir = std::env::temp_dir().join(format!("exprflow-dot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("g.dot");
    let arg = format!("--dot={}", file.display());
    exprflow()
        .args(["eval", &arg, "x = 2+3", "x*x"])
        .assert()
        .success()
        .stdout("5\n25\n");
    let dot = std::fs::read_to_string(&file).unwrap();
    let g = parse(&dot);
    assert_eq!(g.nodes.len(), 4, "{dot}");
    // Both statements are roots.
    assert_eq!(
        g.nodes
            .values()
            .filter(|a| a.get("peripheries").is_some_and(|p| p == "2"))
            .count(),
        2
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn batch_dot_covers_every_line_and_quotes_awkward_source() {
    let out = exprflow()
        .args(["batch", "--dot"])
        .write_stdin("a = 1/3 # \"quoted\" \\ comment\nb = a + \"\nc = a * 3\n")
        .output()
        .unwrap();
    let dot = String::from_utf8(out.stdout).unwrap();
    let g = parse(&dot);
    let labels: Vec<&str> = g.nodes.values().map(|a| a["label"].as_str()).collect();
    assert!(labels.contains(&"/\n= 1/3"), "{labels:?}");
    assert!(labels.contains(&"*\n= 1"), "{labels:?}");
    renders_with_graphviz("batch_dot_covers_every_line", &dot);
}

#[test]
fn library_to_dot_matches_the_dag() {
    let batch = exprflow::testing::Batch::parse(b"(1+2)*(1+2) - 1", Default::default());
    let roots = batch.roots();
    let dot = exprflow::testing::report::to_dot(&batch.dag, &roots);
    let g = parse(&dot);
    assert_eq!(g.nodes.len(), batch.dag.len());
    assert_eq!(g.edges.len(), batch.dag.edge_count());
    // Not evaluated yet: operations only, no values.
    assert!(g.nodes.values().all(|a| !a["label"].contains('=')));
}

#[test]
fn a_deep_chain_does_not_overflow() {
    let text: String = (0..20_000)
        .map(|i| {
            format!(
                "x{i} = {} + 1\n",
                if i == 0 {
                    "0".to_string()
                } else {
                    format!("x{}", i - 1)
                }
            )
        })
        .collect();
    let batch = exprflow::testing::Batch::parse(text.as_bytes(), Default::default());
    let dot = exprflow::testing::report::to_dot(&batch.dag, &batch.roots());
    assert_eq!(dot.matches(" -> ").count(), batch.dag.edge_count());
}

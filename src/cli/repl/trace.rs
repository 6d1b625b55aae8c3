//! Printing `:trace` (per-node lines with a little timeline) and the
//! helpers it shares with `:time`.

use super::*;

impl Repl {
    /// `:trace`: every node of the run in completion order, with where it
    /// ran, when, and a little timeline so overlaps stand out.
    pub(super) fn print_trace(&self, dag: &Dag, finished: &Finished) {
        let source = self.session.source();
        let sequential = finished.evaluator == Mode::Sequential;
        let rows: Vec<(String, Duration, Duration, NodeId)> = finished
            .events
            .iter()
            .map(|e| {
                let lane = match e.lane {
                    _ if sequential => "sequential".to_string(),
                    crate::eval::Lane::Worker(w) => format!("worker {w}"),
                    crate::eval::Lane::Timer => "timer".to_string(),
                };
                (lane, e.start, e.end, e.node)
            })
            .collect();
        if rows.is_empty() {
            let what = match finished.stopped {
                Some(Stopped::Cancelled) => "trace: cancelled before any node finished",
                Some(Stopped::TimedOut) => "trace: timed out before any node finished",
                None => "trace: nothing computed (every node was known already)",
            };
            println!("{}", self.style.dim(what));
            return;
        }
        let wall = finished
            .wall
            .max(rows.iter().map(|r| r.2).max().unwrap_or_default());
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}",
            self.style.heading(&format!(
                "trace: {} node{} in completion order, wall {}",
                rows.len(),
                if rows.len() == 1 { "" } else { "s" },
                format_duration(wall)
            ))
        );
        for (lane, start, end, node) in rows.iter().take(TRACE_LINES) {
            let _ = writeln!(
                out,
                "  {:<10} {} {:>10} → {:<10} {}",
                lane,
                self.style.dim(&timeline(*start, *end, wall)),
                format_duration(*start),
                format_duration(*end),
                self.node_summary(dag, *node, source)
            );
        }
        if rows.len() > TRACE_LINES {
            let _ = writeln!(
                out,
                "{}",
                self.style
                    .dim(&format!("  … {} more nodes", rows.len() - TRACE_LINES))
            );
        }
        print!("{out}");
    }

    /// A node in a few words: operation, value, source text.
    pub(super) fn node_summary(&self, dag: &Dag, node: NodeId, source: &str) -> String {
        let n = dag.node(node);
        let mut text = n.op.label().to_string();
        match dag.result(node).as_deref() {
            Some(Ok(value)) => {
                let _ = write!(text, " = {}", value_preview(value, 24));
            }
            Some(Err(e)) => {
                let _ = write!(text, " = error: {}", e.kind);
            }
            None => {}
        }
        if let Some(snippet) = source.get(n.span().start..n.span().end) {
            let snippet = snippet.split_whitespace().collect::<Vec<_>>().join(" ");
            let _ = write!(text, "   {}", self.style.dim(&tree::shorten(&snippet)));
        }
        text
    }
}

/// `a / b` as a ratio.
pub(super) fn ratio(a: Duration, b: Duration) -> f64 {
    if b.is_zero() {
        1.0
    } else {
        a.as_secs_f64() / b.as_secs_f64()
    }
}

/// A ratio for people: `1.97x`.
pub(super) fn times(x: f64) -> String {
    if x.is_finite() {
        format!("{x:.2}x")
    } else {
        "unbounded".to_string()
    }
}

/// `[   ████      ]`: where `start..end` falls within `0..wall`.
fn timeline(start: Duration, end: Duration, wall: Duration) -> String {
    let total = wall.as_secs_f64().max(f64::MIN_POSITIVE);
    let from = ((start.as_secs_f64() / total) * BAR as f64).floor() as usize;
    let to = ((end.as_secs_f64() / total) * BAR as f64).ceil() as usize;
    let from = from.min(BAR.saturating_sub(1));
    let to = to.clamp(from + 1, BAR);
    let mut bar = String::with_capacity(BAR + 2);
    bar.push('[');
    for i in 0..BAR {
        bar.push(if (from..to).contains(&i) { '█' } else { ' ' });
    }
    bar.push(']');
    bar
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeline_marks_the_interval() {
        let ms = Duration::from_millis;
        assert_eq!(
            timeline(ms(0), ms(500), ms(1000)),
            format!("[{}{}]", "█".repeat(12), " ".repeat(12))
        );
        assert_eq!(
            timeline(ms(500), ms(1000), ms(1000)),
            format!("[{}{}]", " ".repeat(12), "█".repeat(12))
        );
        // An instant still shows as one cell.
        assert_eq!(
            timeline(ms(1000), ms(1000), ms(1000)).matches('█').count(),
            1
        );
        assert_eq!(
            timeline(ms(0), ms(0), Duration::ZERO).matches('█').count(),
            1
        );
    }

    #[test]
    fn ratios_are_readable() {
        assert_eq!(
            times(ratio(Duration::from_secs(2), Duration::from_secs(1))),
            "2.00x"
        );
        assert_eq!(times(f64::INFINITY), "unbounded");
    }
}

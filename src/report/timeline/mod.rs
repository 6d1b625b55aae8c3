//! A self-contained SVG Gantt chart of a run: a lane per worker plus one
//! for timers, a bar per node, the critical path highlighted, a time axis.

mod draw;
mod labels;
mod pack;

use std::collections::HashSet;
use std::time::Duration;

use super::stats::Stats;
use super::text::source_of;
use super::{Lane, Trace};
use crate::dag::{Dag, NodeId};
use pack::{LaneBars, pack_lane};

/// How a timeline is drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimelineOptions {
    /// Width of the picture in pixels (at least 480).
    pub width: u32,
    /// The heading; by default the roots' source text.
    pub title: Option<String>,
    /// Above this many events, neighbouring bars narrower than a pixel in
    /// the same row are drawn as one (its hover text says how many nodes it
    /// stands for), so a million-node run stays a picture of sensible size.
    pub max_bars: usize,
}

impl Default for TimelineOptions {
    fn default() -> Self {
        TimelineOptions {
            width: 1000,
            title: None,
            max_bars: 20_000,
        }
    }
}

/// The colours of the bar categories (fill, text on it).
const COMPUTE: (&str, &str) = ("#4c78a8", "#ffffff");
const BUSY: (&str, &str) = ("#f58518", "#1f1300");
const DELAY: (&str, &str) = ("#72b7b2", "#08302d");
const ERROR: (&str, &str) = ("#e45756", "#ffffff");
const CRITICAL: &str = "#1d1d1f";

const LEFT: f64 = 132.0;
const RIGHT: f64 = 28.0;
const TOP: f64 = 78.0;
const ROW: f64 = 22.0;
const LANE_PAD: f64 = 6.0;
/// Most pixels one lane may take before its rows get thinner.
const LANE_MAX: f64 = 180.0;
/// Narrowest bar drawn, in pixels, so that a microsecond still shows.
const MIN_WIDTH: f64 = 6.0;
/// How far (in pixels) a bar may start before the previous bar of its row
/// ends and still share the row: bars that merely touch share it.
const TOUCH: f64 = 0.01;
/// Rows a lane may grow to just to keep bars from touching on screen.
const NEAR_ROWS: usize = 6;
/// Rows a lane may grow to for events that overlap in time.
const MAX_ROWS: usize = 60;

const FONT: &str = "DejaVu Sans, Verdana, Helvetica, Arial, sans-serif";

/// `trace` (a run of `roots` of `dag`; `source` is the text the DAG's spans
/// index) as a self-contained SVG Gantt chart with default options: one
/// lane per worker and one for timers when `delay`s waited, a bar per
/// recorded node (hover title: source text, value, times, duration), the
/// critical path outlined and joined, a time axis, a legend and a summary
/// line (work, span, parallelism, speedup).
///
/// ```
/// let batch = exprflow::testing::Batch::parse(b"1+2", Default::default());
/// let trace = exprflow::testing::report::Trace::default();
/// let svg = exprflow::testing::report::timeline_svg(&batch.dag, &batch.roots(), &trace, &batch.source);
/// assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
/// ```
pub fn timeline_svg(dag: &Dag, roots: &[NodeId], trace: &Trace, source: &str) -> String {
    timeline_svg_with(dag, roots, trace, source, &TimelineOptions::default())
}

/// Like [`timeline_svg`], drawn as `options` say.
pub fn timeline_svg_with(
    dag: &Dag,
    roots: &[NodeId],
    trace: &Trace,
    source: &str,
    options: &TimelineOptions,
) -> String {
    let stats = Stats::compute(dag, roots, trace);
    let chart = Chart::new(dag, trace, source, options, &stats);
    let merge = trace.events.len() > options.max_bars;
    let lanes: Vec<LaneBars<'_>> = chart
        .lanes
        .iter()
        .map(|&lane| pack_lane(&chart, lane, merge))
        .collect();
    let layout = Layout::new(&lanes);
    let title = chart_title(options, dag, roots, source);
    let mut out = String::with_capacity(trace.events.len().min(options.max_bars) * 420 + 8192);
    draw::head(&mut out, &chart, &layout, &title);
    draw::summary(&mut out, &chart, &stats, &title);
    draw::lanes(&mut out, &chart, &layout, &lanes);
    draw::axis(&mut out, &chart, &layout);
    let mut drawn = String::with_capacity(out.capacity());
    let centre = draw::bars(&mut drawn, &chart, &layout, &lanes);
    draw::critical_links(&mut out, &stats.critical_path, &centre);
    out.push_str(&drawn);
    draw::legend(&mut out, &chart, &layout);
    out.push_str("</svg>\n");
    out
}

/// What every section of the chart needs: the run, the horizontal scale,
/// the lanes and the critical path.
struct Chart<'a> {
    dag: &'a Dag,
    trace: &'a Trace,
    source: &'a str,
    width: f64,
    wall: Duration,
    scale: f64,
    /// Every worker, then the timer lane when used.
    lanes: Vec<Lane>,
    on_path: HashSet<NodeId>,
}

impl<'a> Chart<'a> {
    fn new(
        dag: &'a Dag,
        trace: &'a Trace,
        source: &'a str,
        options: &TimelineOptions,
        stats: &Stats,
    ) -> Chart<'a> {
        let width = f64::from(options.width.max(480));
        let plot = width - LEFT - RIGHT;
        let wall = trace.wall.max(Duration::from_micros(1));
        let mut lanes: Vec<Lane> = (0..trace.workers.max(1)).map(Lane::Worker).collect();
        if trace.uses_timer() {
            lanes.push(Lane::Timer);
        }
        Chart {
            dag,
            trace,
            source,
            width,
            wall,
            // A little room after the last event for the bars and labels there.
            scale: plot / (wall.as_secs_f64() * 1.03),
            lanes,
            on_path: stats.critical_path.iter().copied().collect(),
        }
    }

    /// The x pixel of time `t`.
    fn x_of(&self, t: Duration) -> f64 {
        LEFT + t.as_secs_f64() * self.scale
    }
}

/// The vertical layout: each lane's rows, row height and top.
struct Layout {
    lane_rows: Vec<usize>,
    row_height: Vec<f64>,
    lane_top: Vec<f64>,
    plot_bottom: f64,
    height: f64,
}

impl Layout {
    fn new(lanes: &[LaneBars<'_>]) -> Layout {
        let lane_rows: Vec<usize> = lanes.iter().map(|l| l.rows).collect();
        let row_height: Vec<f64> = lane_rows
            .iter()
            .map(|&rows| (LANE_MAX / rows as f64).clamp(3.0, ROW))
            .collect();
        let mut lane_top: Vec<f64> = Vec::with_capacity(lanes.len());
        let mut y = TOP;
        for (i, &rows) in lane_rows.iter().enumerate() {
            lane_top.push(y);
            y += rows as f64 * row_height[i] + 2.0 * LANE_PAD;
        }
        Layout {
            lane_rows,
            row_height,
            lane_top,
            plot_bottom: y,
            height: y + 72.0,
        }
    }

    /// The height of lane `i`, padding included.
    fn lane_height(&self, i: usize) -> f64 {
        self.lane_rows[i] as f64 * self.row_height[i] + 2.0 * LANE_PAD
    }
}

/// The heading: the option's, or the roots' source text.
fn chart_title(options: &TimelineOptions, dag: &Dag, roots: &[NodeId], source: &str) -> String {
    options.title.clone().unwrap_or_else(|| {
        let texts: Vec<String> = roots
            .iter()
            .take(12)
            .filter(|r| r.index() < dag.len())
            .map(|&r| {
                let text = source_of(dag, r, source, 160);
                match assigned_name(source, dag.node(r).span().start) {
                    Some(name) => format!("{name} = {text}"),
                    None => text,
                }
            })
            .filter(|s| !s.is_empty())
            .collect();
        if texts.is_empty() {
            "exprflow run".to_string()
        } else {
            texts.join("  ·  ")
        }
    })
}

/// The variable a statement starting its expression at `start` assigns,
/// when the text before it on its line is `name =`: the title of a batch
/// keeps its variable names.
fn assigned_name(source: &str, start: usize) -> Option<&str> {
    let before = source.get(..start)?;
    let line = &before[before.rfind('\n').map_or(0, |i| i + 1)..];
    let name = line.trim_end().strip_suffix('=')?.trim();
    let ok = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    ok.then_some(name)
}

#[cfg(test)]
mod tests {
    use super::assigned_name;
    use crate::eval::{Lane, NodeEvent};

    #[test]
    fn labels_in_one_gap_do_not_overlap() {
        // Two short delays in one timer row, a gap between them that each
        // label alone would fit: only one of them may take it.
        let batch =
            crate::batch::Batch::parse(b"delay(1,1)+delay(2,1)+delay(3,1)", Default::default());
        let delays: Vec<_> = batch
            .dag
            .ids()
            .filter(|&id| {
                let span = batch.dag.node(id).span();
                batch.source[span.start..span.end].starts_with("delay")
            })
            .collect();
        let us = std::time::Duration::from_micros;
        let event = |node, start, end| NodeEvent {
            node,
            lane: Lane::Timer,
            start: us(start),
            end: us(end),
            ok: true,
        };
        for &id in &delays {
            let _ = batch.dag.keep(id, Ok(crate::Value::from(1)));
        }
        // The third right after the second: the second's label cannot go
        // right of it, and tries the gap on its left.
        let events = vec![
            event(delays[0], 0, 100),
            event(delays[1], 1900, 2000),
            event(delays[2], 2050, 9000),
        ];
        let trace = super::super::Trace::from_events(events, 1, us(10_000));
        let svg = super::timeline_svg(&batch.dag, &batch.roots(), &trace, &batch.source);
        // (left, right) of each label, at the chart's 6.2 px per character.
        let mut boxes: Vec<(f64, f64, String)> = Vec::new();
        for part in svg.split("class=\"bar-label\" x=\"").skip(1) {
            let x: f64 = part.split('"').next().unwrap_or("0").parse().unwrap_or(0.0);
            let text = part
                .split('>')
                .nth(1)
                .unwrap_or("")
                .split('<')
                .next()
                .unwrap_or("");
            let w = text.chars().count() as f64 * 6.2;
            let y = part.split("y=\"").nth(1).unwrap_or("").split('"').next();
            let y = y.unwrap_or("").to_string();
            let head = part.split('>').next().unwrap_or("");
            boxes.push(if head.contains("text-anchor=\"end\"") {
                (x - w, x, y)
            } else {
                (x, x + w, y)
            });
        }
        assert!(boxes.len() >= 2, "{svg}");
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[i + 1..] {
                let apart = a.2 != b.2 || a.1 <= b.0 || b.1 <= a.0;
                assert!(apart, "labels {a:?} and {b:?} overlap: {svg}");
            }
        }
    }

    #[test]
    fn titles_keep_variable_names() {
        let source = "x = 1+2\n  total=x*3\n(1+2)\nx == 3\n";
        assert_eq!(assigned_name(source, 4), Some("x"));
        assert_eq!(assigned_name(source, 16), Some("total"));
        assert_eq!(assigned_name(source, 20), None);
        assert_eq!(assigned_name(source, 0), None);
    }
}

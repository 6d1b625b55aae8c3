//! A self-contained SVG Gantt chart of a run: a lane per worker plus one
//! for timers, a bar per node, the critical path highlighted, a time axis.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;
use std::time::Duration;

use super::stats::Stats;
use super::text::{format_duration, op_name, outcome_preview, shorten_text, source_of, xml_escape};
use super::{Lane, Trace, TraceEvent};
use crate::dag::{Dag, NodeId, Op};
use crate::value::Builtin;

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
const MIN_WIDTH: f64 = 3.0;
/// How far (in pixels) a bar may start before the previous bar of its row
/// ends and still share the row: bars that merely touch share it.
const TOUCH: f64 = 0.01;
/// Rows a lane may grow to just to keep bars from touching on screen.
const NEAR_ROWS: usize = 6;
/// Rows a lane may grow to for events that overlap in time.
const MAX_ROWS: usize = 60;

/// The end of a row while packing: time, pixel, and its last bar.
struct RowEnd {
    time: Duration,
    px: f64,
    last: usize,
}
const FONT: &str = "DejaVu Sans, Verdana, Helvetica, Arial, sans-serif";

/// `trace` (a run of `roots` of `dag`; `source` is the text the DAG's spans
/// index) as a self-contained SVG Gantt chart with default options: one
/// lane per worker and one for timers when `delay`s waited, a bar per
/// recorded node (hover title: source text, value, times, duration), the
/// critical path outlined and joined, a time axis, a legend and a summary
/// line (work, span, parallelism, speedup).
///
/// ```
/// let batch = exprflow::Batch::parse(b"1+2", Default::default());
/// let trace = exprflow::report::Trace::default();
/// let svg = exprflow::report::timeline_svg(&batch.dag, &batch.roots(), &trace, &batch.source);
/// assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
/// ```
pub fn timeline_svg(dag: &Dag, roots: &[NodeId], trace: &Trace, source: &str) -> String {
    timeline_svg_with(dag, roots, trace, source, &TimelineOptions::default())
}

/// One bar to draw: an event, or several merged ones.
struct Bar<'a> {
    event: &'a TraceEvent,
    end: Duration,
    /// Left and right edge in pixels (at least MIN_WIDTH apart).
    x0: f64,
    x1: f64,
    merged: usize,
    row: usize,
    category: (&'static str, &'static str),
    kind: &'static str,
}

/// Like [`timeline_svg`], drawn as `options` say.
pub fn timeline_svg_with(
    dag: &Dag,
    roots: &[NodeId],
    trace: &Trace,
    source: &str,
    options: &TimelineOptions,
) -> String {
    let width = f64::from(options.width.max(480));
    let plot = width - LEFT - RIGHT;
    let wall = trace.wall.max(Duration::from_micros(1));
    // A little room after the last event for the bars and labels there.
    let scale = plot / (wall.as_secs_f64() * 1.03);
    let x_of = |t: Duration| LEFT + t.as_secs_f64() * scale;

    // Lanes: every worker, then the timer lane when used.
    let mut lanes: Vec<Lane> = (0..trace.workers.max(1)).map(Lane::Worker).collect();
    if trace.uses_timer() {
        lanes.push(Lane::Timer);
    }
    let stats = Stats::compute(dag, roots, trace);
    let critical: &[NodeId] = &stats.critical_path;
    let on_path: HashSet<NodeId> = critical.iter().copied().collect();

    // Pack each lane's events into rows: events overlapping in time always
    // get rows of their own (up to MAX_ROWS); bars that would merely touch
    // on screen get another row while the lane has fewer than NEAR_ROWS.
    let valid = |e: &&TraceEvent| e.node.index() < dag.len();
    let merge = trace.events.len() > options.max_bars;
    let mut lane_bars: Vec<Vec<Bar>> = Vec::with_capacity(lanes.len());
    let mut lane_rows: Vec<usize> = Vec::with_capacity(lanes.len());
    for lane in &lanes {
        let mut rows: Vec<RowEnd> = Vec::new();
        let mut bars: Vec<Bar> = Vec::new();
        for e in trace
            .events
            .iter()
            .filter(|e| e.lane == *lane)
            .filter(valid)
        {
            let (category, kind) = category_of(dag, e);
            let x0 = x_of(e.start);
            let x1 = x_of(e.end).max(x0 + MIN_WIDTH);
            // Many events: a sliver right after a bar of its kind joins it.
            if merge && !on_path.contains(&e.node) {
                let joined = rows.iter_mut().find_map(|r| {
                    let last = bars.get_mut(r.last)?;
                    let fits = r.time <= e.start
                        && last.kind == kind
                        && !on_path.contains(&last.event.node)
                        && x0 - x_of(last.end) < 1.0;
                    fits.then(|| {
                        last.end = e.end;
                        last.x1 = last.x1.max(x1);
                        last.merged += 1;
                        r.time = r.time.max(e.end);
                        r.px = r.px.max(x1);
                    })
                });
                if joined.is_some() {
                    continue;
                }
            }
            let free_in_time = |r: &RowEnd| r.time <= e.start;
            let row = match rows
                .iter()
                .position(|r| free_in_time(r) && r.px <= x0 + TOUCH)
            {
                Some(r) => r,
                None if rows.len() < NEAR_ROWS
                    || (rows.len() < MAX_ROWS && !rows.iter().any(free_in_time)) =>
                {
                    rows.push(RowEnd {
                        time: Duration::ZERO,
                        px: f64::NEG_INFINITY,
                        last: usize::MAX,
                    });
                    rows.len() - 1
                }
                None => {
                    // Crowded: share the row that frees up first.
                    let by_px = rows
                        .iter()
                        .enumerate()
                        .filter(|(_, r)| free_in_time(r))
                        .min_by(|a, b| a.1.px.total_cmp(&b.1.px))
                        .map(|(i, _)| i);
                    by_px
                        .or_else(|| {
                            rows.iter()
                                .enumerate()
                                .min_by_key(|(_, r)| r.time)
                                .map(|(i, _)| i)
                        })
                        .unwrap_or(0)
                }
            };
            let Some(slot) = rows.get_mut(row) else {
                continue;
            };
            slot.time = slot.time.max(e.end);
            slot.px = slot.px.max(x1);
            slot.last = bars.len();
            bars.push(Bar {
                event: e,
                end: e.end,
                x0,
                x1,
                merged: 1,
                row,
                category,
                kind,
            });
        }
        lane_rows.push(rows.len().max(1));
        lane_bars.push(bars);
    }

    // Vertical layout.
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
    let plot_bottom = y;
    let height = plot_bottom + 72.0;

    let mut out = String::with_capacity(trace.events.len().min(options.max_bars) * 420 + 8192);
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"{FONT}\" role=\"img\">",
        w = fmt_px(width),
        h = fmt_px(height)
    );
    let title = options.title.clone().unwrap_or_else(|| {
        let texts: Vec<String> = roots
            .iter()
            .take(12)
            .filter(|r| r.index() < dag.len())
            .map(|&r| source_of(dag, r, source, 160))
            .filter(|s| !s.is_empty())
            .collect();
        if texts.is_empty() {
            "exprflow run".to_string()
        } else {
            texts.join("  ·  ")
        }
    });
    let _ = writeln!(
        out,
        "<title>exprflow timeline: {}</title>",
        xml_escape(&shorten_text(&title, 300))
    );
    out.push_str(
        "<style>\n\
         .node:hover rect { stroke: #000; stroke-width: 1.5; }\n\
         .lane-label { font-size: 12px; fill: #1f2933; font-weight: 600; }\n\
         .lane-sub { font-size: 10px; fill: #7b8794; }\n\
         .tick { font-size: 10px; fill: #52606d; }\n\
         .bar-label { font-size: 10px; pointer-events: none; }\n\
         </style>\n",
    );
    let _ = writeln!(
        out,
        "<rect x=\"0\" y=\"0\" width=\"{}\" height=\"{}\" fill=\"#ffffff\"/>",
        fmt_px(width),
        fmt_px(height)
    );

    // Heading and summary.
    let _ = writeln!(
        out,
        "<text x=\"{}\" y=\"26\" font-size=\"15\" font-weight=\"700\" fill=\"#1f2933\">{}</text>",
        fmt_px(16.0),
        xml_escape(&shorten_text(&title, ((width - 32.0) / 8.2) as usize))
    );
    let who = if trace.sequential {
        "sequential evaluator".to_string()
    } else if trace.workers == 1 {
        "1 worker".to_string()
    } else {
        format!("{} workers", trace.workers)
    };
    let summary = format!(
        "{who} · {} nodes run · wall {} · work {} · span {} · parallelism {:.2} · speedup {:.2}x",
        stats.computed,
        format_duration(trace.wall),
        format_duration(stats.work),
        format_duration(stats.span),
        finite(stats.parallelism),
        finite(stats.speedup),
    );
    let _ = writeln!(
        out,
        "<text x=\"16\" y=\"46\" font-size=\"11.5\" fill=\"#52606d\">{}</text>",
        xml_escape(&summary)
    );

    // Lane backgrounds and labels.
    for (i, lane) in lanes.iter().enumerate() {
        let top = lane_top[i];
        let h = lane_rows[i] as f64 * row_height[i] + 2.0 * LANE_PAD;
        let fill = if i % 2 == 0 { "#f5f7fa" } else { "#ffffff" };
        let _ = writeln!(
            out,
            "<rect x=\"0\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\"/>",
            fmt_px(top),
            fmt_px(width),
            fmt_px(h)
        );
        let name = match lane {
            Lane::Worker(_) if trace.sequential => "main thread".to_string(),
            Lane::Worker(w) => format!("worker {w}"),
            Lane::Timer => "timer (delay)".to_string(),
        };
        let busy = busy_time(trace, *lane);
        let sub = match lane {
            Lane::Timer => format!(
                "{} waits",
                lane_bars[i].iter().map(|b| b.merged).sum::<usize>()
            ),
            Lane::Worker(_) => format!(
                "busy {:.0}%",
                100.0 * busy.as_secs_f64() / wall.as_secs_f64()
            ),
        };
        let mid = top + h / 2.0;
        let _ = writeln!(
            out,
            "<text class=\"lane-label\" x=\"16\" y=\"{}\">{}</text>",
            fmt_px(mid - 1.0),
            xml_escape(&name)
        );
        let _ = writeln!(
            out,
            "<text class=\"lane-sub\" x=\"16\" y=\"{}\">{}</text>",
            fmt_px(mid + 11.0),
            xml_escape(&sub)
        );
    }

    // Grid and time axis.
    let (step, unit, per_unit) = tick_step(wall);
    let mut t = Duration::ZERO;
    let mut ticks = 0;
    while t <= wall && ticks < 100 {
        let x = x_of(t);
        let _ = writeln!(
            out,
            "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\" stroke=\"#d9e2ec\" stroke-width=\"1\"/>",
            fmt_px(TOP - 6.0),
            fmt_px(plot_bottom + 4.0),
            x = fmt_px(x)
        );
        let value = t.as_secs_f64() / per_unit;
        let label = if ticks == 0 {
            "0".to_string()
        } else {
            format!("{} {unit}", trim_float(value))
        };
        let anchor = if x > width - RIGHT - 20.0 {
            "end"
        } else {
            "middle"
        };
        let _ = writeln!(
            out,
            "<text class=\"tick\" x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\">{}</text>",
            fmt_px(x),
            fmt_px(plot_bottom + 18.0),
            xml_escape(&label)
        );
        t += step;
        ticks += 1;
    }
    let _ = writeln!(
        out,
        "<line x1=\"{}\" y1=\"{y}\" x2=\"{}\" y2=\"{y}\" stroke=\"#9aa5b1\" stroke-width=\"1\"/>",
        fmt_px(LEFT),
        fmt_px(width - RIGHT),
        y = fmt_px(plot_bottom + 4.0)
    );

    // Bars (into their own buffer: the critical path's links go under them).
    let mut drawn = String::with_capacity(out.capacity());
    let mut centre: HashMap<NodeId, (f64, f64, f64)> = HashMap::new();
    for (i, bars) in lane_bars.iter().enumerate() {
        let h = row_height[i];
        let lane_name = match lanes[i] {
            Lane::Worker(_) if trace.sequential => "the main thread".to_string(),
            Lane::Worker(w) => format!("worker {w}"),
            Lane::Timer => "the timer".to_string(),
        };
        // Each bar's neighbours in its row, to know where a label fits.
        let mut by_row: HashMap<usize, Vec<usize>> = HashMap::new();
        for (k, bar) in bars.iter().enumerate() {
            by_row.entry(bar.row).or_default().push(k);
        }
        let mut room: Vec<(f64, f64)> = vec![(LEFT, width - 4.0); bars.len()];
        for members in by_row.values() {
            for (j, &k) in members.iter().enumerate() {
                let before = j
                    .checked_sub(1)
                    .and_then(|p| members.get(p))
                    .map_or(LEFT, |&p| bars[p].x1);
                let after = members.get(j + 1).map_or(width - 4.0, |&n| bars[n].x0);
                room[k] = (before, after);
            }
        }
        for (k, bar) in bars.iter().enumerate() {
            let e = bar.event;
            let (x0, x1) = (bar.x0, bar.x1);
            let top = lane_top[i] + LANE_PAD + bar.row as f64 * h + 0.5;
            let bh = (h - 1.0).max(2.0);
            let is_critical = on_path.contains(&e.node);
            if is_critical {
                centre.entry(e.node).or_insert((x0, x1, top + bh / 2.0));
            }
            let title = bar_title(dag, e, bar, source, &lane_name, is_critical);
            let class = if is_critical {
                "bar critical"
            } else if bar.merged > 1 {
                "bar merged"
            } else {
                "bar"
            };
            let (fill, ink) = bar.category;
            let stroke = if is_critical {
                format!(" stroke=\"{CRITICAL}\" stroke-width=\"2\"")
            } else {
                String::new()
            };
            let _ = write!(
                drawn,
                "<g class=\"node\" data-node=\"{}\" data-kind=\"{}\"><title>{}</title><rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"2.5\" fill=\"{fill}\"{stroke}/>",
                e.node.index(),
                bar.kind,
                xml_escape(&title),
                fmt_px(x0),
                fmt_px(top),
                fmt_px(x1 - x0),
                fmt_px(bh),
            );
            if bh >= 12.0
                && bar.merged == 1
                && let Some((label, x, anchor, colour)) =
                    place_label(dag, e, source, (x0, x1), room[k], ink)
            {
                let _ = write!(
                    drawn,
                    "<text class=\"bar-label\" x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\" fill=\"{colour}\">{}</text>",
                    fmt_px(x),
                    fmt_px(top + bh / 2.0 + 3.5),
                    xml_escape(&label)
                );
            }
            drawn.push_str("</g>\n");
        }
    }

    // The critical path: join its bars in order.
    let mut previous: Option<(f64, f64, f64)> = None;
    for node in critical {
        let Some(&here) = centre.get(node) else {
            continue;
        };
        if let Some((_, px1, py)) = previous {
            let _ = writeln!(
                out,
                "<path class=\"critical-link\" d=\"M{} {} C{} {} {} {} {} {}\" fill=\"none\" stroke=\"{CRITICAL}\" stroke-width=\"1.4\" stroke-dasharray=\"3 2\" opacity=\"0.8\"/>",
                fmt_px(px1),
                fmt_px(py),
                fmt_px(px1 + 10.0),
                fmt_px(py),
                fmt_px(here.0 - 10.0),
                fmt_px(here.2),
                fmt_px(here.0),
                fmt_px(here.2)
            );
        }
        previous = Some(here);
    }

    out.push_str(&drawn);

    // Legend.
    let legend_y = plot_bottom + 42.0;
    let mut x = LEFT;
    let items: [(&str, &str, &str); 5] = [
        (COMPUTE.0, "", "arithmetic"),
        (BUSY.0, "", "busy (CPU)"),
        (DELAY.0, "", "delay (timer)"),
        (ERROR.0, "", "error"),
        ("#ffffff", CRITICAL, "critical path"),
    ];
    for (fill, stroke, text) in items {
        let stroke_attr = if stroke.is_empty() {
            String::new()
        } else {
            format!(" stroke=\"{stroke}\" stroke-width=\"2\"")
        };
        let _ = writeln!(
            out,
            "<rect x=\"{}\" y=\"{}\" width=\"14\" height=\"10\" rx=\"2\" fill=\"{fill}\"{stroke_attr}/><text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"#3e4c59\">{text}</text>",
            fmt_px(x),
            fmt_px(legend_y - 9.0),
            fmt_px(x + 19.0),
            fmt_px(legend_y)
        );
        x += 19.0 + text.len() as f64 * 6.6 + 22.0;
    }
    let _ = writeln!(
        out,
        "<text x=\"{}\" y=\"{}\" font-size=\"10\" fill=\"#9aa5b1\" text-anchor=\"end\">exprflow · hover a bar for details</text>",
        fmt_px(width - RIGHT),
        fmt_px(legend_y)
    );
    out.push_str("</svg>\n");
    out
}

/// The category colours and name of an event.
fn category_of(dag: &Dag, e: &TraceEvent) -> ((&'static str, &'static str), &'static str) {
    let ok = e.ok.unwrap_or(!matches!(dag.result(e.node), Some(Err(_))));
    match (&dag.node(e.node).op, ok) {
        (_, false) => (ERROR, "error"),
        (Op::Call(Builtin::Delay), _) => (DELAY, "delay"),
        (Op::Call(Builtin::Busy), _) => (BUSY, "busy"),
        _ => (COMPUTE, "compute"),
    }
}

/// Width of a bar label in pixels (10 px DejaVu Sans, a little generous).
fn label_width(text: &str) -> f64 {
    text.chars().count() as f64 * 6.2
}

/// The label of a bar and where it goes: inside the bar when it fits,
/// else just right of it, else just left of it (within the free `room`
/// of its row), trying the longer texts first. Returns the text, its x,
/// its anchor and its colour.
fn place_label(
    dag: &Dag,
    e: &TraceEvent,
    source: &str,
    (x0, x1): (f64, f64),
    (before, after): (f64, f64),
    ink: &'static str,
) -> Option<(String, f64, &'static str, &'static str)> {
    const OUTSIDE: &str = "#3e4c59";
    for label in bar_labels(dag, e, source) {
        let w = label_width(&label);
        if w + 8.0 <= x1 - x0 {
            return Some((label, x0 + 4.0, "start", ink));
        }
        if x1 + 4.0 + w <= after - 3.0 {
            return Some((label, x1 + 4.0, "start", OUTSIDE));
        }
        if x0 - 4.0 - w >= before + 3.0 {
            return Some((label, x0 - 4.0, "end", OUTSIDE));
        }
    }
    None
}

/// Texts for a bar, most informative first: `delay(3,100) = 3`, `+ = 10`, `+`.
fn bar_labels(dag: &Dag, e: &TraceEvent, source: &str) -> Vec<String> {
    let name = op_name(dag, e.node);
    let text = source_of(dag, e.node, source, 40);
    let mut labels = Vec::with_capacity(3);
    match dag.result(e.node) {
        Some(Ok(_)) => {
            let value = outcome_preview(dag.result(e.node), 14).unwrap_or_default();
            if matches!(dag.node(e.node).op, Op::Call(_)) && !text.is_empty() && text.len() <= 24 {
                labels.push(format!("{text} = {value}"));
            }
            labels.push(format!("{name} = {value}"));
        }
        Some(Err(err)) => labels.push(format!("{name}: {}", err.kind.words())),
        None => {}
    }
    labels.push(name);
    labels
}

/// The hover text of a bar.
fn bar_title(
    dag: &Dag,
    e: &TraceEvent,
    bar: &Bar,
    source: &str,
    lane: &str,
    critical: bool,
) -> String {
    let mut title = String::new();
    if bar.merged > 1 {
        let _ = writeln!(
            title,
            "{} nodes drawn as one bar ({} → {}), the first:",
            bar.merged,
            format_duration(e.start),
            format_duration(bar.end)
        );
    }
    let text = source_of(dag, e.node, source, 200);
    let _ = writeln!(
        title,
        "{}{}",
        op_name(dag, e.node),
        if text.is_empty() {
            String::new()
        } else {
            format!("   {text}")
        }
    );
    match dag.result(e.node) {
        Some(Ok(_)) => {
            let _ = writeln!(
                title,
                "value: {}",
                outcome_preview(dag.result(e.node), 60).unwrap_or_default()
            );
        }
        Some(Err(err)) => {
            let _ = writeln!(title, "{}", shorten_text(&err.message(), 200));
        }
        None if e.ok == Some(false) => {
            let _ = writeln!(title, "failed (cancelled or timed out)");
        }
        None => {}
    }
    let _ = write!(
        title,
        "{} on {lane}, {} → {}",
        format_duration(e.duration()),
        format_duration(e.start),
        format_duration(e.end)
    );
    if critical {
        title.push_str("\non the critical path");
    }
    title
}

/// Time the lane was occupied (the union of its events).
fn busy_time(trace: &Trace, lane: Lane) -> Duration {
    let mut total = Duration::ZERO;
    let mut current: Option<(Duration, Duration)> = None;
    for e in trace.events.iter().filter(|e| e.lane == lane) {
        match current {
            Some((s, end)) if e.start <= end => current = Some((s, end.max(e.end))),
            Some((s, end)) => {
                total += end - s;
                current = Some((e.start, e.end));
            }
            None => current = Some((e.start, e.end)),
        }
    }
    if let Some((s, end)) = current {
        total += end.saturating_sub(s);
    }
    total
}

/// A tick step of 1, 2 or 5 times a power of ten giving 5 to 10 ticks, and
/// the unit to write tick labels in (with its length in seconds).
fn tick_step(wall: Duration) -> (Duration, &'static str, f64) {
    let total = wall.as_secs_f64().max(1e-9);
    let raw = total / 8.0;
    let power = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * power)
        .find(|&s| s >= raw)
        .unwrap_or(10.0 * power);
    let (unit, per_unit) = if total >= 2.0 {
        ("s", 1.0)
    } else if total >= 2e-3 {
        ("ms", 1e-3)
    } else {
        ("µs", 1e-6)
    };
    let step = Duration::from_secs_f64(step).max(Duration::from_nanos(1));
    (step, unit, per_unit)
}

/// A tick value without needless decimals.
fn trim_float(x: f64) -> String {
    let text = format!("{x:.3}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A pixel coordinate with two decimals at most.
fn fmt_px(x: f64) -> String {
    trim_float_2(x)
}

fn trim_float_2(x: f64) -> String {
    let text = format!("{x:.2}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// A ratio fit to print (0 for an infinity).
fn finite(x: f64) -> f64 {
    if x.is_finite() { x } else { 0.0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_steps_are_round() {
        let (step, unit, _) = tick_step(Duration::from_millis(312));
        assert_eq!((step, unit), (Duration::from_millis(50), "ms"));
        let (step, unit, _) = tick_step(Duration::from_micros(800));
        assert_eq!((step, unit), (Duration::from_micros(100), "µs"));
        let (step, unit, _) = tick_step(Duration::from_secs(3));
        assert_eq!((step, unit), (Duration::from_millis(500), "s"));
    }

    #[test]
    fn pixel_numbers_are_short() {
        assert_eq!(fmt_px(12.0), "12");
        assert_eq!(fmt_px(12.345), "12.35");
        assert_eq!(trim_float(0.25), "0.25");
    }
}

//! The timeline's sections, each written into the SVG text in turn:
//! heading and summary, lane backgrounds, the time axis, the bars, the
//! critical path's links, the legend.

use std::collections::HashMap;
use std::fmt::Write;
use std::time::Duration;

use super::super::Lane;
use super::super::stats::Stats;
use super::super::text::{format_duration, shorten_text, xml_escape};
use super::labels::{
    bar_title, busy_time, finite, fmt_px, label_width, place_label, tick_step, trim_float,
};
use super::pack::LaneBars;
use super::{
    BUSY, COMPUTE, CRITICAL, Chart, DELAY, ERROR, FONT, LANE_PAD, LEFT, Layout, RIGHT, TOP,
};
use crate::dag::NodeId;

/// Where a critical bar is: left, right, middle height, half its height.
pub(super) type Centre = (f64, f64, f64, f64);

/// The `<svg>` element, the document title, the style sheet, the backdrop.
pub(super) fn head(out: &mut String, chart: &Chart<'_>, layout: &Layout, title: &str) {
    let (width, height) = (chart.width, layout.height);
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" font-family=\"{FONT}\" role=\"img\">",
        w = fmt_px(width),
        h = fmt_px(height)
    );
    let _ = writeln!(
        out,
        "<title>exprflow timeline: {}</title>",
        xml_escape(&shorten_text(title, 300))
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
}

/// The heading and the summary line (work, span, parallelism, speedup).
pub(super) fn summary(out: &mut String, chart: &Chart<'_>, stats: &Stats, title: &str) {
    let trace = chart.trace;
    let _ = writeln!(
        out,
        "<text x=\"{}\" y=\"26\" font-size=\"15\" font-weight=\"700\" fill=\"#1f2933\">{}</text>",
        fmt_px(16.0),
        xml_escape(&shorten_text(title, ((chart.width - 32.0) / 8.2) as usize))
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
}

/// Lane backgrounds and labels (name, and busy share or number of waits).
pub(super) fn lanes(out: &mut String, chart: &Chart<'_>, layout: &Layout, lanes: &[LaneBars<'_>]) {
    let trace = chart.trace;
    for (i, lane) in chart.lanes.iter().enumerate() {
        let top = layout.lane_top[i];
        let h = layout.lane_height(i);
        let fill = if i % 2 == 0 { "#f5f7fa" } else { "#ffffff" };
        let _ = writeln!(
            out,
            "<rect x=\"0\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\"/>",
            fmt_px(top),
            fmt_px(chart.width),
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
                lanes[i].bars.iter().map(|b| b.merged).sum::<usize>()
            ),
            // The share and the time itself: a tiny run's workers are busy
            // a few microseconds of a wall time spent mostly scheduling.
            Lane::Worker(_) => format!(
                "busy {} · {}",
                percent(busy.as_secs_f64() / chart.wall.as_secs_f64()),
                format_duration(busy)
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
}

/// The grid and the time axis.
pub(super) fn axis(out: &mut String, chart: &Chart<'_>, layout: &Layout) {
    let (wall, width, plot_bottom) = (chart.wall, chart.width, layout.plot_bottom);
    let (step, unit, per_unit) = tick_step(wall);
    let mut t = Duration::ZERO;
    let mut ticks = 0;
    while t <= wall && ticks < 100 {
        let x = chart.x_of(t);
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
}

/// The bars, into `drawn` (the critical path's links go under them);
/// returns where each critical bar's centre is.
pub(super) fn bars(
    drawn: &mut String,
    chart: &Chart<'_>,
    layout: &Layout,
    lanes: &[LaneBars<'_>],
) -> HashMap<NodeId, Centre> {
    let (dag, width) = (chart.dag, chart.width);
    let mut centre: HashMap<NodeId, Centre> = HashMap::new();
    for (i, lane) in lanes.iter().enumerate() {
        let bars = &lane.bars;
        let h = layout.row_height[i];
        let lane_name = match chart.lanes[i] {
            Lane::Worker(_) if chart.trace.sequential => "the main thread".to_string(),
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
        // Where each row's last label ends, so that a label never runs
        // into the label of the bar before it.
        let mut labelled_to: HashMap<usize, f64> = HashMap::new();
        for (k, bar) in bars.iter().enumerate() {
            let e = bar.event;
            let (x0, x1) = (bar.x0, bar.x1);
            let taken = labelled_to.get(&bar.row).copied().unwrap_or(LEFT);
            let (before, after) = room[k];
            let room_k = (before.max(taken), after);
            let top = layout.lane_top[i] + LANE_PAD + bar.row as f64 * h + 0.5;
            let bh = (h - 1.0).max(2.0);
            let is_critical = chart.on_path.contains(&e.node);
            if is_critical {
                centre
                    .entry(e.node)
                    .or_insert((x0, x1, top + bh / 2.0, bh / 2.0));
            }
            let title = bar_title(dag, e, bar, chart.source, &lane_name, is_critical);
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
                    place_label(dag, e, chart.source, (x0, x1), room_k, ink)
            {
                let end = match anchor {
                    "end" => x,
                    _ => x + label_width(&label),
                };
                labelled_to.insert(bar.row, end.max(x1));
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
    centre
}

/// The critical path: its bars joined in order by dashed links. A link
/// to a bar further right is a curve from the end of one bar to the start
/// of the next; a link to a bar that starts before the previous one ends
/// (bars stacked at the same time, as at the end of a run) is a straight
/// vertical line in the bars' own column, from edge to edge, so it never
/// runs through the labels beside them.
pub(super) fn critical_links(
    out: &mut String,
    critical: &[NodeId],
    centre: &HashMap<NodeId, Centre>,
) {
    /// Below this horizontal gap (px) a curve would have to turn back.
    const CURVE_GAP: f64 = 20.0;
    let mut previous: Option<Centre> = None;
    for node in critical {
        let Some(&here) = centre.get(node) else {
            continue;
        };
        if let Some((px0, px1, py, ph)) = previous {
            let (x0, x1, y, h) = here;
            let d = if (y - py).abs() < 1.0 {
                // One row: a straight line across the gap, if any.
                if x0 <= px1 + 1.0 {
                    previous = Some(here);
                    continue;
                }
                format!(
                    "M{} {} L{} {}",
                    fmt_px(px1),
                    fmt_px(py),
                    fmt_px(x0),
                    fmt_px(y)
                )
            } else if x0 >= px1 + CURVE_GAP {
                format!(
                    "M{} {} C{} {} {} {} {} {}",
                    fmt_px(px1),
                    fmt_px(py),
                    fmt_px(px1 + 10.0),
                    fmt_px(py),
                    fmt_px(x0 - 10.0),
                    fmt_px(y),
                    fmt_px(x0),
                    fmt_px(y)
                )
            } else {
                // In the column both bars share (the later bar's middle,
                // kept within the earlier bar), edge to edge.
                let x = ((x0 + x1) / 2.0).clamp(px0, px1.max(px0));
                let (from, to) = if y < py {
                    (py - ph, y + h)
                } else {
                    (py + ph, y - h)
                };
                format!(
                    "M{} {} L{} {}",
                    fmt_px(x),
                    fmt_px(from),
                    fmt_px(x),
                    fmt_px(to)
                )
            };
            let _ = writeln!(
                out,
                "<path class=\"critical-link\" d=\"{d}\" fill=\"none\" stroke=\"{CRITICAL}\" stroke-width=\"1.4\" stroke-dasharray=\"3 2\" opacity=\"0.8\"/>"
            );
        }
        previous = Some(here);
    }
}

/// The legend of bar colours, and the hover hint.
pub(super) fn legend(out: &mut String, chart: &Chart<'_>, layout: &Layout) {
    let legend_y = layout.plot_bottom + 42.0;
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
        fmt_px(chart.width - RIGHT),
        fmt_px(legend_y)
    );
}

/// A share as a percentage that never rounds real work down to `0%`.
fn percent(share: f64) -> String {
    let p = 100.0 * finite(share);
    if p > 0.0 && p < 1.0 {
        "<1%".to_string()
    } else {
        format!("{p:.0}%")
    }
}

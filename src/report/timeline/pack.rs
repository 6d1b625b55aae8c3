//! Packing each lane's events into rows: events overlapping in time always
//! get rows of their own (up to [`MAX_ROWS`]); bars that would merely touch
//! on screen get another row while the lane has fewer than [`NEAR_ROWS`].
//! With many events, a sliver right after a bar of its kind joins it.

use std::time::Duration;

use super::super::{Lane, NodeEvent};
use super::labels::category_of;
use super::{Chart, MAX_ROWS, MIN_WIDTH, NEAR_ROWS, TOUCH};

/// One bar to draw: an event, or several merged ones.
pub(super) struct Bar<'a> {
    pub(super) event: &'a NodeEvent,
    pub(super) end: Duration,
    /// Left and right edge in pixels (at least MIN_WIDTH apart).
    pub(super) x0: f64,
    pub(super) x1: f64,
    pub(super) merged: usize,
    pub(super) row: usize,
    pub(super) category: (&'static str, &'static str),
    pub(super) kind: &'static str,
}

/// One lane's bars and how many rows they take (at least 1).
pub(super) struct LaneBars<'a> {
    pub(super) bars: Vec<Bar<'a>>,
    pub(super) rows: usize,
}

/// The end of a row while packing: time, pixel, and its last bar.
struct RowEnd {
    time: Duration,
    px: f64,
    last: usize,
}

/// Packs the events of `lane` into rows; `merge` joins slivers.
pub(super) fn pack_lane<'a>(chart: &Chart<'a>, lane: Lane, merge: bool) -> LaneBars<'a> {
    let mut rows: Vec<RowEnd> = Vec::new();
    let mut bars: Vec<Bar<'a>> = Vec::new();
    let dag = chart.dag;
    for e in chart
        .trace
        .events
        .iter()
        .filter(|e| e.lane == lane)
        .filter(|e| e.node.index() < dag.len())
    {
        let (category, kind) = category_of(dag, e);
        let x0 = chart.x_of(e.start);
        let x1 = chart.x_of(e.end).max(x0 + MIN_WIDTH);
        if merge
            && !chart.on_path.contains(&e.node)
            && join_sliver(chart, &mut rows, &mut bars, e, kind, x0, x1)
        {
            continue;
        }
        let row = choose_row(&mut rows, e, x0);
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
    LaneBars {
        rows: rows.len().max(1),
        bars,
    }
}

/// Joins event `e` (pixels `x0..x1`) to the last bar of a row when it is a
/// sliver right after a bar of its kind; returns whether it did.
#[allow(clippy::too_many_arguments)]
fn join_sliver(
    chart: &Chart<'_>,
    rows: &mut [RowEnd],
    bars: &mut [Bar<'_>],
    e: &NodeEvent,
    kind: &'static str,
    x0: f64,
    x1: f64,
) -> bool {
    rows.iter_mut().any(|r| {
        let Some(last) = bars.get_mut(r.last) else {
            return false;
        };
        let fits = r.time <= e.start
            && last.kind == kind
            && !chart.on_path.contains(&last.event.node)
            && x0 - chart.x_of(last.end) < 1.0;
        if fits {
            last.end = e.end;
            last.x1 = last.x1.max(x1);
            last.merged += 1;
            r.time = r.time.max(e.end);
            r.px = r.px.max(x1);
        }
        fits
    })
}

/// The row for event `e` starting at pixel `x0`, adding one if allowed.
fn choose_row(rows: &mut Vec<RowEnd>, e: &NodeEvent, x0: f64) -> usize {
    let free_in_time = |r: &RowEnd| r.time <= e.start;
    match rows
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
    }
}

//! `--timeline FILE.svg`: the SVG parses as XML with a bar per node, lanes
//! per worker and for the timer, the critical path marked, a time axis; it
//! stays a sensible size for big runs; and headless Chromium draws it.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use exprflow::testing::report::{TimelineOptions, Trace, timeline_svg, timeline_svg_with};
use exprflow::{Lane, NodeEvent};

mod support;

const MISSION: &str = "(delay(3,100)+delay(7,200))*(delay(2,150)+delay(8,50))*((delay(2,80)*delay(3,120))-delay(1,60))";

fn exprflow() -> Command {
    Command::cargo_bin("exprflow").unwrap()
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("exprflow-timeline-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn timeline_of(name: &str, args: &[&str], exprs: &[&str]) -> (PathBuf, String) {
    let file = temp(name);
    exprflow()
        .arg("eval")
        .args(args)
        .arg("--timeline")
        .arg(&file)
        .arg("--")
        .args(exprs)
        .assert()
        .success();
    let svg = std::fs::read_to_string(&file).unwrap();
    (file, svg)
}

/// One drawn bar: its node, classes, hover title and rectangle.
#[derive(Debug)]
struct Bar {
    node: usize,
    class: String,
    kind: String,
    title: String,
    x: f64,
    y: f64,
    width: f64,
}

fn number(node: roxmltree::Node, attr: &str) -> f64 {
    node.attribute(attr).unwrap().parse().unwrap()
}

fn bars(doc: &roxmltree::Document) -> Vec<Bar> {
    doc.descendants()
        .filter(|n| {
            n.has_tag_name("rect") && n.attribute("class").is_some_and(|c| c.starts_with("bar"))
        })
        .map(|rect| {
            let g = rect.parent().unwrap();
            let title = g
                .children()
                .find(|c| c.has_tag_name("title"))
                .and_then(|t| t.text())
                .unwrap_or_default()
                .to_string();
            Bar {
                node: g.attribute("data-node").unwrap().parse().unwrap(),
                class: rect.attribute("class").unwrap().to_string(),
                kind: g.attribute("data-kind").unwrap().to_string(),
                title,
                x: number(rect, "x"),
                y: number(rect, "y"),
                width: number(rect, "width"),
            }
        })
        .collect()
}

fn texts(doc: &roxmltree::Document) -> Vec<String> {
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text())
        .map(str::to_string)
        .collect()
}

#[test]
fn svg_parses_as_xml_with_a_bar_per_node() {
    let (_, svg) = timeline_of("mission.svg", &["-j", "2"], &[MISSION]);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let root = doc.root_element();
    assert!(root.has_tag_name(("http://www.w3.org/2000/svg", "svg")));
    assert!(number(root, "width") >= 480.0 && number(root, "height") > 100.0);
    let bars = bars(&doc);
    // 7 delays and 6 arithmetic nodes were computed; constants were not.
    assert_eq!(bars.len(), 13, "{bars:#?}");
    let nodes: HashSet<usize> = bars.iter().map(|b| b.node).collect();
    assert_eq!(nodes.len(), 13, "one bar per node");
    assert_eq!(bars.iter().filter(|b| b.kind == "delay").count(), 7);
    assert_eq!(bars.iter().filter(|b| b.kind == "compute").count(), 6);
    // Hover titles: source text, value, duration.
    let d200 = bars
        .iter()
        .find(|b| b.title.starts_with("delay   delay(7,200)\n"))
        .unwrap();
    assert!(d200.title.contains("value: 7"), "{}", d200.title);
    assert!(d200.title.contains(" ms on the timer"), "{}", d200.title);
    let root_bar = bars
        .iter()
        .find(|b| b.title.contains("value: 500"))
        .unwrap();
    // The critical path runs from a delay up to the root (which delay is
    // a matter of timing; the synthetic test below checks the choice).
    assert!(root_bar.class.contains("critical"), "{root_bar:?}");
    assert!(root_bar.title.contains("on the critical path"));
    let critical: Vec<&Bar> = bars
        .iter()
        .filter(|b| b.class.contains("critical"))
        .collect();
    assert!((3..=4).contains(&critical.len()), "{critical:#?}");
    assert_eq!(critical.iter().filter(|b| b.kind == "delay").count(), 1);
    assert!(
        doc.descendants()
            .filter(|n| n.attribute("class") == Some("critical-link"))
            .count()
            >= 2
    );
    // Lanes, axis and legend.
    let texts = texts(&doc);
    for label in [
        "worker 0",
        "worker 1",
        "timer (delay)",
        "0",
        "critical path",
    ] {
        assert!(texts.iter().any(|t| t == label), "{label} in {texts:?}");
    }
    assert!(
        texts.iter().any(|t| t.ends_with(" ms") && t != "0"),
        "{texts:?}"
    );
    assert!(texts.iter().any(|t| t.contains("parallelism")));
    // Delays are drawn on the timer lane, below the worker lanes.
    let lowest_op = bars
        .iter()
        .filter(|b| b.kind == "compute")
        .map(|b| b.y)
        .fold(0.0, f64::max);
    assert!(
        bars.iter()
            .filter(|b| b.kind == "delay")
            .all(|b| b.y > lowest_op)
    );
}

/// A made-up run of `delay(1,30)*(3+4)` with hand-picked times.
fn synthetic() -> (exprflow::testing::Batch, Trace) {
    let batch = exprflow::testing::Batch::parse(b"delay(1,30)*(3+4)", Default::default());
    let id = |text: &str| {
        batch
            .dag
            .ids()
            .find(|&id| {
                let s = batch.dag.node(id).span();
                &batch.source[s.start..s.end] == text
            })
            .unwrap()
    };
    let ms = Duration::from_millis;
    let events = vec![
        exprflow::NodeEvent {
            node: id("delay(1,30)"),
            lane: Lane::Timer,
            start: ms(0),
            end: ms(30),
            ok: true,
        },
        exprflow::NodeEvent {
            node: id("(3+4)"),
            lane: Lane::Worker(1),
            start: ms(0),
            end: ms(10),
            ok: true,
        },
        exprflow::NodeEvent {
            node: id("delay(1,30)*(3+4)"),
            lane: Lane::Worker(0),
            start: ms(30),
            end: ms(40),
            ok: true,
        },
    ];
    (batch, Trace::from_events(events, 2, ms(40)))
}

#[test]
fn bars_are_as_long_as_their_durations_and_the_longest_chain_is_critical() {
    let (batch, trace) = synthetic();
    let svg = timeline_svg(&batch.dag, &batch.roots(), &trace, &batch.source);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let bars = bars(&doc);
    assert_eq!(bars.len(), 3);
    let find = |prefix: &str| bars.iter().find(|b| b.title.starts_with(prefix)).unwrap();
    let delay = find("delay ");
    let plus = find("+ ");
    let times = find("* ");
    assert!((delay.width / plus.width - 3.0).abs() < 0.01, "{bars:#?}");
    assert!(
        (times.x - (delay.x + delay.width)).abs() < 0.01,
        "{bars:#?}"
    );
    assert!(delay.class.contains("critical") && times.class.contains("critical"));
    assert!(!plus.class.contains("critical"));
    assert!(
        plus.title.contains("10 ms on worker 1, 0 s → 10 ms"),
        "{}",
        plus.title
    );
}

#[test]
fn bars_in_one_row_never_overlap() {
    let (_, svg) = timeline_of(
        "busy.svg",
        &["-j", "2", "--no-fuse"],
        &["busy(1,60)+busy(2,60)+busy(3,60)+busy(4,60)+delay(5,30)*delay(6,90)"],
    );
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let bars = bars(&doc);
    assert_eq!(bars.iter().filter(|b| b.kind == "busy").count(), 4);
    let mut rows: HashMap<String, Vec<(f64, f64)>> = HashMap::new();
    for b in &bars {
        rows.entry(format!("{:.2}", b.y))
            .or_default()
            .push((b.x, b.x + b.width));
    }
    for spans in rows.values_mut() {
        spans.sort_by(|a, b| a.0.total_cmp(&b.0));
        for w in spans.windows(2) {
            assert!(w[0].1 <= w[1].0 + 0.01, "overlap in a row: {spans:?}");
        }
    }
}

#[test]
fn sequential_runs_have_one_lane() {
    let (_, svg) = timeline_of(
        "seq.svg",
        &["--sequential"],
        &["delay(1,20)+delay(2,20)", "3*4"],
    );
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let texts = texts(&doc);
    assert!(texts.iter().any(|t| t == "main thread"), "{texts:?}");
    assert!(
        !texts
            .iter()
            .any(|t| t.starts_with("worker") || t.starts_with("timer"))
    );
    assert_eq!(bars(&doc).len(), 4);
}

#[test]
fn a_thousand_concurrent_delays_stay_a_picture_of_sensible_size() {
    let lines: String = (0..1000).map(|i| format!("delay({i}, 50)\n")).collect();
    let file = temp("many.svg");
    exprflow()
        .args(["batch", "-j", "2", "--timeline"])
        .arg(&file)
        .write_stdin(lines)
        .assert()
        .success();
    let svg = std::fs::read_to_string(&file).unwrap();
    assert!(svg.len() < 2_000_000, "{} bytes", svg.len());
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert!(number(doc.root_element(), "height") < 600.0);
    assert_eq!(bars(&doc).len(), 1000);
}

#[test]
fn huge_traces_merge_neighbouring_slivers() {
    let text: String = (0..3000).map(|i| format!("{i} * 3 + 1\n")).collect();
    let batch = exprflow::testing::Batch::parse(text.as_bytes(), Default::default());
    let roots = batch.roots();
    // A made-up sequential run: 6000 nodes, one microsecond each.
    let mut events = Vec::new();
    let mut t = Duration::ZERO;
    for id in batch.dag.ids() {
        if batch.dag.node(id).inputs.is_empty() {
            continue;
        }
        events.push(NodeEvent {
            node: id,
            lane: Lane::Worker(0),
            start: t,
            end: t + Duration::from_micros(1),
            ok: true,
        });
        t += Duration::from_micros(1);
    }
    let n = events.len();
    let trace = Trace::from_sequential(events, t);
    let options = TimelineOptions {
        max_bars: 1000,
        ..Default::default()
    };
    let svg = timeline_svg_with(&batch.dag, &roots, &trace, &batch.source, &options);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let bars = bars(&doc);
    assert!(bars.len() < n / 2, "{} bars for {n} events", bars.len());
    assert!(
        bars.iter()
            .any(|b| b.class.contains("merged") && b.title.contains("nodes drawn as one bar"))
    );
    // Without a limit, every node has its bar.
    let all = TimelineOptions {
        max_bars: usize::MAX,
        ..Default::default()
    };
    let svg = timeline_svg_with(&batch.dag, &roots, &trace, &batch.source, &all);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert_eq!(self::bars(&doc).len(), n);
}

#[test]
fn titles_and_text_are_escaped() {
    let batch = exprflow::testing::Batch::parse(b"1+2", Default::default());
    let options = TimelineOptions {
        title: Some("a < b & \"c\" \u{1}".to_string()),
        ..Default::default()
    };
    let svg = timeline_svg_with(
        &batch.dag,
        &batch.roots(),
        &Trace::default(),
        &batch.source,
        &options,
    );
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert!(texts(&doc).iter().any(|t| t.starts_with("a < b & \"c\"")));
    // An empty trace still draws lanes and an axis.
    let svg = timeline_svg(&batch.dag, &batch.roots(), &Trace::default(), &batch.source);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    assert!(texts(&doc).iter().any(|t| t == "worker 0"));
}

/// The Chromium binary, if one runs here.
fn chromium() -> Option<String> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|name| {
            std::process::Command::new(name)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .map(str::to_string)
}

/// Takes a `width` × `height` screenshot of `page` with headless Chromium.
fn screenshot(
    browser: &str,
    page: &Path,
    png: &Path,
    width: u32,
    height: u32,
) -> Result<(), String> {
    let profile = temp("chromium-profile");
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--window-size={width},{height}"))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", page.display()))
        .timeout(Duration::from_secs(120))
        .output()
        .map_err(|e| e.to_string());
    // The profile is a few megabytes of caches: do not leave it behind.
    let _ = std::fs::remove_dir_all(&profile);
    let out = out?;
    if !png.exists() {
        return Err(format!(
            "no screenshot ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

#[test]
fn headless_chromium_draws_the_timeline() {
    const TEST: &str = "headless_chromium_draws_the_timeline";
    let Some(browser) = chromium() else {
        support::skip_or_fail(TEST, "Chromium is not installed (apt-get install chromium)");
        return;
    };
    let (svg_file, svg) = timeline_of("shot.svg", &["-j", "2"], &[MISSION]);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let width = number(doc.root_element(), "width") as u32;
    let height = number(doc.root_element(), "height") as u32;
    let png_file = temp("shot.png");
    let _ = std::fs::remove_file(&png_file);
    if let Err(e) = screenshot(&browser, &svg_file, &png_file, width, height) {
        support::skip_or_fail(TEST, &format!("Chromium could not take a screenshot: {e}"));
        return;
    }
    let decoder = png::Decoder::new(std::io::BufReader::new(
        std::fs::File::open(&png_file).unwrap(),
    ));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    assert_eq!((info.width, info.height), (width, height));
    let channels = info.color_type.samples();
    let count = |rgb: (u8, u8, u8), tolerance: i32, rows: std::ops::Range<u32>| {
        let mut n = 0;
        for y in rows {
            for x in 0..info.width {
                let i = ((y * info.width + x) as usize) * channels;
                let p = &pixels[i..i + 3];
                if (p[0] as i32 - rgb.0 as i32).abs() <= tolerance
                    && (p[1] as i32 - rgb.1 as i32).abs() <= tolerance
                    && (p[2] as i32 - rgb.2 as i32).abs() <= tolerance
                {
                    n += 1;
                }
            }
        }
        n
    };
    let all = 0..info.height;
    let total = (info.width * info.height) as usize;
    // Seven delay bars of 50 to 200 ms across ~800 px: tens of thousands
    // of teal pixels; the arithmetic bars and the critical path's outline.
    let teal = count((0x72, 0xb7, 0xb2), 6, all.clone());
    assert!(teal > 20_000, "{teal} delay-coloured pixels");
    let blue = count((0x4c, 0x78, 0xa8), 6, all.clone());
    assert!(blue > 60, "{blue} arithmetic-coloured pixels");
    let outline = count((0x1d, 0x1d, 0x1f), 10, all.clone());
    assert!(outline > 500, "{outline} critical-path pixels");
    // Text was drawn in the heading, and the picture is neither blank nor a blot.
    let heading_ink = count((0x1f, 0x29, 0x33), 40, 8..34);
    assert!(heading_ink > 300, "{heading_ink} heading pixels");
    let white = count((255, 255, 255), 0, all);
    assert!(
        white > total / 4 && white < total * 95 / 100,
        "{white} of {total} white"
    );
}

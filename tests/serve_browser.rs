//! The live view in a real headless Chromium, driven by playwright-core
//! (`tests/browser/live_view.cjs`): load the page with the token, run the
//! mission expression with a `delay` on every leaf and watch nodes turn
//! running then done, bars in both workers' lanes and the timer lane,
//! and 500; a syntax error's caret; Cancel; a replay. The screenshots it
//! takes are checked here for content.
//!
//! Needs `node`, Debian's `chromium` and playwright-core installed under
//! `target/playwright` (`.ci/run` does:
//! `npm install --prefix target/playwright playwright-core@1`). In CI a
//! missing piece fails the test; elsewhere it is a listed skip.
//! `EXPRFLOW_UPDATE_DOCS=1` copies the mid-run screenshot to
//! `docs/live-view.png`, the README's picture.

mod serve_support;
mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serve_support::Server;

const TEST: &str = "serve_browser";

fn chromium() -> Option<PathBuf> {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
}

fn playwright() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/playwright/node_modules");
    dir.join("playwright-core").exists().then_some(dir)
}

fn node_works() -> bool {
    Command::new("node")
        .arg("--version")
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A decoded screenshot: width, height, RGB(A) pixels and channels.
struct Shot {
    width: u32,
    height: u32,
    pixels: Vec<u8>,
    channels: usize,
}

impl Shot {
    fn open(path: &Path) -> Shot {
        let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut reader = png::Decoder::new(std::io::BufReader::new(file))
            .read_info()
            .unwrap();
        let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut pixels).unwrap();
        Shot {
            width: info.width,
            height: info.height,
            pixels,
            channels: info.color_type.samples(),
        }
    }

    /// Pixels within `tolerance` of `rgb`.
    fn count(&self, rgb: (u8, u8, u8), tolerance: i32) -> usize {
        self.pixels
            .chunks(self.channels)
            .filter(|p| {
                (p[0] as i32 - rgb.0 as i32).abs() <= tolerance
                    && (p[1] as i32 - rgb.1 as i32).abs() <= tolerance
                    && (p[2] as i32 - rgb.2 as i32).abs() <= tolerance
            })
            .count()
    }
}

#[test]
fn the_live_view_runs_the_mission_in_headless_chromium() {
    let (Some(chromium), Some(modules)) = (chromium(), playwright()) else {
        support::skip_or_fail(
            TEST,
            "needs chromium (apt-get install chromium) and playwright-core \
             (npm install --prefix target/playwright playwright-core@1)",
        );
        return;
    };
    if !node_works() {
        support::skip_or_fail(TEST, "needs node (apt-get install nodejs)");
        return;
    }
    let server = Server::start(&["-j", "2"]);
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("serve-browser");
    let _ = std::fs::remove_dir_all(&out);
    std::fs::create_dir_all(&out).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/live_view.cjs");
    let mut child = Command::new("node")
        .arg(&script)
        .arg(&server.url)
        .arg(&out)
        .env("NODE_PATH", &modules)
        .env("CHROMIUM", &chromium)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node starts");
    // The script bounds each of its waits; this bound only catches a
    // browser that hangs (it is the point, not a timing check).
    let began = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if began.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("the browser test hung");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "the browser checks failed:\n{stderr}\n{stdout}"
    );
    let seen: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON line");
    assert_eq!(seen["done"]["value"].as_str().map(str::trim), Some("= 500"));
    assert_eq!(
        seen["done"]["lanes"],
        serde_json::json!(["0", "1", "timer"])
    );

    // The mid-run screenshot: the page drew running nodes and bars
    // (amber), finished ones (green), waiting ones (grey), and text.
    let mid = out.join("live-view-mid-run.png");
    let shot = Shot::open(&mid);
    assert_eq!((shot.width, shot.height), (1280, 860));
    let amber = shot.count((0xf2, 0xa8, 0x1d), 12);
    let grey = shot.count((0xc4, 0xc8, 0xcf), 6);
    let ink = shot.count((0x1d, 0x23, 0x2b), 30);
    assert!(amber > 300, "{amber} running-coloured pixels");
    assert!(grey > 300, "{grey} waiting-coloured pixels");
    assert!(ink > 2000, "{ink} text pixels");
    let done = Shot::open(&out.join("live-view-done.png"));
    let green = done.count((0x2e, 0x9d, 0x5b), 12);
    assert!(green > 3000, "{green} done-coloured pixels");
    if std::env::var("EXPRFLOW_UPDATE_DOCS").is_ok_and(|v| v == "1") {
        let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/live-view.png");
        std::fs::copy(&mid, docs).unwrap();
    }
}

// Drives the live view in headless Chromium (playwright-core, Debian's
// chromium): run by tests/serve_browser.rs as
//   node live_view.cjs URL OUT_DIR
// and prints one JSON line of what it saw; any failed check throws.
"use strict";
const { chromium } = require("playwright-core");

const [url, out] = process.argv.slice(2);
const leaf = (x, busy, delay) => `delay(busy(${x}, ${busy}), ${delay})`;
// The mission expression with a delay on every leaf (each leaf first
// works 60 ms on a worker, so both workers' lanes fill, then waits on
// the timer).
const MISSION = `(${leaf(3, 60, 200)} + ${leaf(7, 60, 250)}) * (${leaf(2, 60, 300)} + ${leaf(8, 60, 200)})` +
  ` * ((${leaf(2, 60, 300)} * ${leaf(3, 60, 200)}) - ${leaf(1, 60, 350)})`;
const WAIT = { timeout: 20000 }; // generous: a loaded CI machine

function check(ok, what) { if (!ok) throw new Error("check failed: " + what); }

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
  const seen = {};
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    await page.goto(url);
    check((await page.title()) === "exprflow live", "the page loads with the token");

    // The mission: nodes turn running, then done; bars in two worker
    // lanes and the timer lane; 500.
    await page.fill("#program", MISSION);
    await page.click("#run");
    await page.waitForFunction(() => exprflowView.counts.running > 0, null, WAIT);
    seen.running = await page.evaluate(() => exprflowView.counts.running);
    await page.waitForFunction(() => {
      const lanes = new Set(exprflowView.bars.map((b) => String(b.lane)));
      return lanes.has("timer") && lanes.has("0") && lanes.has("1") && exprflowView.counts.running > 0;
    }, null, WAIT);
    await page.screenshot({ path: out + "/live-view-mid-run.png" });
    await page.waitForFunction(() => exprflowView.over, null, WAIT);
    await page.waitForSelector("#statements .value", WAIT);
    const done = await page.evaluate(() => ({
      counts: exprflowView.counts,
      nodes: exprflowView.graph.length,
      lanes: [...new Set(exprflowView.bars.map((b) => String(b.lane)))].sort(),
      value: document.querySelector("#statements .value").textContent,
      status: document.getElementById("status").textContent,
      stats: document.getElementById("stats").textContent,
      trace: document.getElementById("trace").href,
    }));
    seen.done = done;
    check(done.value.includes("= 500"), "500 shown: " + done.value);
    check(done.counts.running === 0 && done.counts.done > 0 && done.counts.failed === 0, "nodes done");
    check(done.lanes.includes("0") && done.lanes.includes("1") && done.lanes.includes("timer"), "lanes");
    check(/done in/.test(done.status), "status: " + done.status);
    check(/parallelism/.test(done.stats), "stats shown");
    const trace = await page.evaluate(async (href) => (await fetch(href)).status, done.trace);
    check(trace === 200, "the trace downloads: " + trace);
    await page.screenshot({ path: out + "/live-view-done.png" });

    // A syntax error shows its caret report.
    await page.fill("#program", "1 + 2\n2 +* 3");
    await page.click("#run");
    await page.waitForSelector("#statements pre.error", WAIT);
    seen.caret = await page.textContent("#statements pre.error");
    check(seen.caret.includes("syntax error") && seen.caret.includes("^"), "caret: " + seen.caret);

    // Cancel stops a long run.
    await page.fill("#program", "delay(1, 600000)\nbusy(2, 1)");
    await page.click("#run");
    await page.waitForFunction(() => exprflowView.counts.running > 0, null, WAIT);
    await page.click("#cancel");
    await page.waitForFunction(() => exprflowView.over, null, WAIT);
    await page.waitForSelector("#statements pre.error", WAIT);
    seen.cancelled = await page.evaluate(() => ({
      status: document.getElementById("status").textContent,
      report: document.querySelector("#statements pre.error").textContent,
      counts: exprflowView.counts,
    }));
    check(/cancelled/.test(seen.cancelled.status), "status: " + seen.cancelled.status);
    check(/cancelled/.test(seen.cancelled.report), "report: " + seen.cancelled.report);

    // Earlier runs are listed; one replays.
    await page.waitForFunction(() => document.querySelectorAll("#runs li").length >= 3, null, WAIT);
    await page.click("#runs li:last-child");
    await page.waitForFunction(() => exprflowView.over && exprflowView.graph.length > 10, null, WAIT);
    await page.waitForFunction(() => /= 500/.test(document.getElementById("statements").textContent), null, WAIT);
    seen.replayed = await page.evaluate(() => exprflowView.id);

    // Beyond 5,000 nodes the DAG is drawn collapsed, one row per layer.
    const big = Array.from({ length: 3000 }, (_, i) => `${i} * 3 + 1`).join("\n");
    // (Set directly: `fill` of 3,000 lines takes Playwright seconds.)
    await page.$eval("#program", (box, text) => { box.value = text; }, big);
    await page.click("#run");
    await page.waitForFunction(() => exprflowView.over && exprflowView.graph.length > 5000, null, WAIT);
    seen.big = await page.evaluate(() => ({
      nodes: exprflowView.graph.length,
      collapsed: !document.getElementById("collapsed").hidden,
      done: exprflowView.counts.done,
    }));
    check(seen.big.collapsed, "a big DAG is collapsed");
    check(errors.length === 0, "no script errors: " + errors.join("; "));
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(seen));
})().catch((e) => {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
});

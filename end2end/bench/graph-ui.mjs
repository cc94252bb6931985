// The graph page's figures for BENCHMARKS.md, in headless Chromium against a running
// Portico holding the 10k synthetic catalog (`.ci/bench-graph` starts it). Usage:
//   node end2end/bench/graph-ui.mjs BASE SMALL_QUERY LARGE_QUERY [runs]
// SMALL_QUERY draws about 200 entities: navigation → graph painted (the whole SVG parsed
// and a frame drawn after it), median over fresh browser contexts. LARGE_QUERY draws
// 1,000 or more: frames per second while zooming (ctrl + wheel at every frame) and while
// panning (an arrow key at every frame), each for three seconds, once hydrated, from the
// fitted view; then panning at actual size (all text drawn).
import { chromium } from "playwright";

const base = process.argv[2] ?? "http://127.0.0.1:3000";
const small = process.argv[3];
const large = process.argv[4];
const runs = Number(process.argv[5] ?? 5);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--no-first-run", "--disable-background-networking"],
});
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const painted = [];
let nodes = 0;
for (let r = 0; r < runs; r++) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__painted = new Promise((resolve) => {
      // The legend follows the picture in the HTML: once it is parsed, all of the
      // picture is.
      const seen = () => document.querySelector(".graph-canvas svg") && document.querySelector(".graph-legend");
      const done = () => requestAnimationFrame(() => resolve(performance.now()));
      const observer = new MutationObserver(() => {
        if (seen()) { observer.disconnect(); done(); }
      });
      observer.observe(document, { childList: true, subtree: true });
    });
  });
  await page.goto(base + small, { waitUntil: "commit" });
  painted.push(await page.evaluate(() => window.__painted));
  nodes = await page.locator(".graph-canvas g.graph-node").count();
  await context.close();
}
console.log(`graph page, ${nodes} entities: navigation → graph painted, median ${median(painted).toFixed(0)} ms [${painted.map((t) => t.toFixed(0)).join(", ")}]`);

const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
const page = await context.newPage();
await page.goto(base + large);
await page.locator(".graph-canvas--live").waitFor({ timeout: 60_000 });
const big = await page.locator(".graph-canvas g.graph-node").count();
const edges = await page.locator(".graph-canvas path.graph-edge").count();
const fps = await page.evaluate(async () => {
  const canvas = document.querySelector(".graph-canvas");
  const run = (act) => new Promise((resolve) => {
    let frames = 0;
    let first;
    let last;
    const step = (now) => {
      first ??= now;
      last = now;
      frames += 1;
      act(frames);
      if (now - first < 3000) requestAnimationFrame(step);
      else resolve((frames - 1) / ((last - first) / 1000));
    };
    requestAnimationFrame(step);
  });
  const zoom = await run((frame) => canvas.dispatchEvent(new WheelEvent("wheel", {
    deltaY: Math.floor(frame / 40) % 2 ? 25 : -25, ctrlKey: true, clientX: 500, clientY: 400,
    bubbles: true, cancelable: true,
  })));
  const pan = await run((frame) => canvas.dispatchEvent(new KeyboardEvent("keydown", {
    key: Math.floor(frame / 40) % 2 ? "ArrowLeft" : "ArrowRight", bubbles: true, cancelable: true,
  })));
  // At actual size, every text drawn.
  canvas.dispatchEvent(new KeyboardEvent("keydown", { key: "1", bubbles: true, cancelable: true }));
  const panNear = await run((frame) => canvas.dispatchEvent(new KeyboardEvent("keydown", {
    key: Math.floor(frame / 40) % 2 ? "ArrowLeft" : "ArrowRight", bubbles: true, cancelable: true,
  })));
  return { zoom, pan, panNear };
});
console.log(`graph page, ${big} entities / ${edges} edges, fitted: zooming ${fps.zoom.toFixed(1)} fps, panning ${fps.pan.toFixed(1)} fps; at actual size: panning ${fps.panNear.toFixed(1)} fps`);
await browser.close();

// The card widget's figures for BENCHMARKS.md, in headless Chromium against a running
// Portico that lets HOST_PORT embed its widgets (`.ci/bench-widgets` starts it). Usage:
//   node end2end/bench/widgets.mjs PORTAL HOST_PORT [runs]
// A page on another origin (HOST_PORT) adds an iframe of the card widget; measured, in
// a fresh browser context each run (nothing cached): iframe added → the widget's first
// contentful paint, and the bytes the widget transferred (its document, stylesheet and
// script, compressed as sent). Then the bytes an entity page's first load transfers,
// and what opening its Embed dialog adds.
import { createServer } from "node:http";
import { chromium } from "playwright";

const portal = process.argv[2] ?? "http://127.0.0.1:3000";
const hostPort = Number(process.argv[3] ?? 3197);
const runs = Number(process.argv[4] ?? 9);
const widget = `${portal}/embed/card/default/component/checkout-service`;

// The host page, and a page of a few words on the same server: the floor, what any
// iframe of another origin costs Chromium here, measured in the same run.
const host = createServer((request, response) => {
  response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
  response.end(
    request.url === "/plain"
      ? "<!doctype html><title>Plain</title><p>A few words.</p>"
      : "<!doctype html><title>Host</title><h1>An intranet page</h1><div id=box></div>",
  );
});
await new Promise((done) => host.listen(hostPort, "127.0.0.1", done));
// The plain page from another origin than the host's, as the widget is.
const other = createServer(host.listeners("request")[0]);
await new Promise((done) => other.listen(hostPort + 1, "127.0.0.1", done));
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--no-first-run", "--disable-background-networking"],
});
const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Adds an iframe of `src` to the host page in a fresh context: ms from adding it to
 * its first contentful paint, and the bytes its page transferred. */
async function measure(src) {
  const context = await browser.newContext({ viewport: { width: 1000, height: 800 } });
  const page = await context.newPage();
  await page.goto(`http://127.0.0.1:${hostPort}/`);
  const started = await page.evaluate((src) => {
    const frame = document.createElement("iframe");
    frame.style.cssText = "width:420px;height:300px;border:0";
    const at = performance.timeOrigin + performance.now();
    frame.src = src;
    document.getElementById("box").append(frame);
    return at;
  }, src);
  const handle = await page.locator("iframe").elementHandle();
  let frame = await handle.contentFrame();
  await frame.waitForLoadState("load");
  frame = await handle.contentFrame();
  const { paint, transferred } = await frame.evaluate(
    () =>
      new Promise((resolve) => {
        new PerformanceObserver((list, observer) => {
          const entry = list.getEntries().find((e) => e.name === "first-contentful-paint");
          if (!entry) return;
          observer.disconnect();
          const sent = [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")];
          resolve({
            paint: performance.timeOrigin + entry.startTime,
            transferred: sent.reduce((sum, e) => sum + e.transferSize, 0),
          });
        }).observe({ type: "paint", buffered: true });
      }),
  );
  await context.close();
  return [paint - started, transferred];
}

const painted = [];
const bytes = [];
const floor = [];
for (let r = 0; r < runs; r++) {
  const [ms, sent] = await measure(widget);
  painted.push(ms);
  bytes.push(sent);
  floor.push((await measure(`http://127.0.0.1:${hostPort + 1}/plain`))[0]);
}

/** The bytes an entity page's first load transfers (hydrated), and what opening its
 * Embed dialog adds (the snippets and the preview's widget), in a fresh context. */
async function dialogBytes() {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  const sent = () =>
    page.evaluate(() =>
      [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")]
        .filter((e) => !e.name.includes("/embed/"))
        .reduce((sum, e) => sum + e.transferSize, 0),
    );
  await page.goto(`${portal}/catalog/default/component/checkout-service`);
  await page.locator("body[data-hydrated]").waitFor({ state: "attached" });
  await page.waitForLoadState("networkidle");
  const page_ = await sent();
  await page.locator("[data-testid=embed-dialog] summary").click();
  // Shown: its code is loaded.
  await page.locator("[data-testid=embed-snippet]").first().waitFor();
  const dialog = (await sent()) - page_;
  await context.close();
  return [page_, dialog];
}
const [entityPage, dialog] = await dialogBytes();
await browser.close();
host.close();
other.close();
console.log(`entity page, first load transferred (hydrated): ${(entityPage / 1024).toFixed(1)} KB; opening its Embed dialog adds ${(dialog / 1024).toFixed(1)} KB (the preview's widget not counted)`);
console.log(`card widget: iframe added → first contentful paint, median ${median(painted).toFixed(0)} ms [${painted.map((t) => t.toFixed(0)).join(", ")}]`);
console.log(`floor, a plain page of another origin: iframe added → first contentful paint, median ${median(floor).toFixed(0)} ms [${floor.map((t) => t.toFixed(0)).join(", ")}]`);
console.log(`card widget: transferred (document, stylesheet, script; headers included), median ${(median(bytes) / 1024).toFixed(1)} KB`);

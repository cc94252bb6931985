// The docs reader's figures for BENCHMARKS.md, measured in headless Chromium against a
// running Portico holding the generated handbook (`.ci/bench-docs` starts it). Usage:
//   node end2end/bench/docs-ui.mjs http://127.0.0.1:3000 /docs/default/component/handbook/ [runs]
// Prints medians over the runs (each in a fresh browser context, nothing cached): bytes
// transferred for the first load of a docs page (compressed), moving to the next page
// (click → its heading shown, no reload), and one keystroke in the search box → results.
// Times run from the event in the page (the click's or the key's `timeStamp`), so the
// driver's round trips to the browser are not counted; the first load is listed by file.
import { chromium } from "playwright";

const base = process.argv[2] ?? "http://127.0.0.1:3000";
const start = process.argv[3] ?? "/docs/default/component/handbook/";
const runs = Number(process.argv[4] ?? 5);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

/** Milliseconds from the `trigger` event that `act` causes in the page until `changed()`
 * (run in the page) holds. */
async function until(page, trigger, act, changed) {
  await page.evaluate(([source, trigger]) => {
    const test = new Function(`return (${source})()`);
    window.__started = new Promise((resolve) => {
      document.addEventListener(trigger, (event) => resolve(event.timeStamp), { capture: true, once: true });
    });
    window.__done = new Promise((resolve) => {
      const observer = new MutationObserver(() => {
        if (!test()) return;
        observer.disconnect();
        resolve(performance.now());
      });
      observer.observe(document.body, { childList: true, subtree: true, characterData: true });
    });
  }, [changed.toString(), trigger]);
  await act();
  return page.evaluate(async () => (await window.__done) - (await window.__started));
}

const figures = { bytes: [], next: [], search: [] };
const files = [];
for (let run = 0; run < runs; run++) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  let bytes = 0;
  let loading = true;
  const urls = new Map();
  cdp.on("Network.requestWillBeSent", (event) => urls.set(event.requestId, event.request.url));
  cdp.on("Network.loadingFinished", (event) => {
    if (!loading) return;
    bytes += event.encodedDataLength;
    if (run === 0) files.push([urls.get(event.requestId), event.encodedDataLength]);
  });
  await page.goto(base + start, { waitUntil: "networkidle" });
  await page.locator("body[data-hydrated]").waitFor({ state: "attached" });
  loading = false;
  figures.bytes.push(bytes);
  const before = await page.locator("[data-testid=doc-content] h1").textContent();
  const moved = `() => {
    const h1 = document.querySelector("[data-testid=doc-content] h1");
    return h1 && !h1.textContent.startsWith(${JSON.stringify(before)});
  }`;
  figures.next.push(await until(page, "click", () => page.getByTestId("doc-next").click(), moved));
  const search = page.getByTestId("docs-search");
  await search.fill("kubectl rollou");
  await page.getByTestId("docs-search-results").locator("li").first().waitFor();
  figures.search.push(await until(page, "keydown", () => search.press("t"), () => {
    const first = document.querySelector("[data-testid=docs-search-results] li");
    return first && document.querySelectorAll("[data-testid=docs-search-results] mark").length > 0
      && [...document.querySelectorAll("[data-testid=docs-search-results] mark")].some((m) => m.textContent.toLowerCase() === "rollout");
  }));
  await context.close();
}
await browser.close();

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`bytes transferred, first load of a docs page (compressed): ${(median(figures.bytes) / 1024).toFixed(1)} KiB`);
for (const [url, size] of files.sort((a, b) => b[1] - a[1]).filter(([, size]) => size >= 1024)) {
  console.log(`  ${(size / 1024).toFixed(1).padStart(6)} KiB  ${url.replace(base, "").replace(/\/pkg\/[0-9a-f]+\//, "/pkg/")}`);
}
console.log(`next page in the browser (click → heading shown):           ${median(figures.next).toFixed(0)} ms`);
console.log(`search keystroke → results updated (500 pages):             ${median(figures.search).toFixed(0)} ms`);

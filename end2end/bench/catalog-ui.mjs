// The catalog page's figures for BENCHMARKS.md, measured in headless Chromium against a
// running Portico (not a test: it prints numbers). Usage:
//   node end2end/bench/catalog-ui.mjs http://127.0.0.1:3000 [runs] [more URLs…]
// (with more URLs, the runs alternate between the servers: side by side in one run)
// Prints, as medians over the runs (each in a fresh browser context, nothing cached):
// navigation to /catalog → first rows painted, → hydrated; typing in the search box →
// rows updated and clicking a facet → rows updated, each from Playwright's action and
// from the browser's key or pointer event; bytes transferred for the first load.
import { chromium } from "playwright";

const base = process.argv[2] ?? "http://127.0.0.1:3000";
const runs = Number(process.argv[3] ?? 5);
// More servers to measure side by side (two builds, say): runs alternate between them.
const bases = [base, ...process.argv.slice(4)];
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

/** Milliseconds until the table shows other rows (its count or its first row changed):
 * from just before Playwright's action `act` (which holds Playwright's own checks
 * before it acts), and from the browser's first `keydown` or `pointerdown` event of the
 * action (what the person does). */
async function rowsUpdatedAfter(page, act) {
  await page.evaluate(() => {
    window.__actedAt = undefined;
    const acted = () => (window.__actedAt ??= performance.now());
    document.addEventListener("keydown", acted, { capture: true, once: true });
    document.addEventListener("pointerdown", acted, { capture: true, once: true });
    const results = document.querySelector(".catalog__results");
    const shown = () =>
      (document.querySelector("[data-testid=catalog-count]")?.textContent ?? "") + "|" +
      (document.querySelector("[data-testid=catalog-table] tbody tr")?.getAttribute("data-ref") ?? "");
    const before = shown();
    window.__rowsChanged = new Promise((resolve) => {
      const observer = new MutationObserver(() => {
        if (shown() === before) return;
        observer.disconnect();
        resolve(performance.now());
      });
      observer.observe(results, { childList: true, subtree: true, characterData: true, attributes: true });
    });
  });
  const started = await page.evaluate(() => performance.now());
  await act();
  const [changed, acted] = await page.evaluate(async () => [await window.__rowsChanged, window.__actedAt]);
  return { fromAction: changed - started, fromEvent: changed - acted };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const measured = new Map(bases.map((b) => [b, { rows: [], hydrated: [], typing: [], typingEvent: [], facet: [], facetEvent: [], bytes: [] }]));
for (let turn = 0; turn < runs * bases.length; turn++) {
  const base = bases[turn % bases.length];
  const figures = measured.get(base);
  const context = await browser.newContext();
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  let bytes = 0;
  cdp.on("Network.loadingFinished", (event) => (bytes += event.encodedDataLength));
  await page.addInitScript(() => {
    // When the first row is painted and when the app marks the body hydrated.
    new MutationObserver((_, observer) => {
      if (!window.__firstRows && document.querySelector("[data-testid=catalog-table] tbody tr")) {
        window.__firstRows = performance.now();
      }
      if (document.body?.hasAttribute("data-hydrated")) {
        window.__hydrated = performance.now();
        observer.disconnect();
      }
    }).observe(document, { childList: true, subtree: true, attributes: true });
  });
  await page.goto(`${base}/catalog`);
  await page.waitForSelector("body[data-hydrated]", { timeout: 30_000 });
  await page.waitForLoadState("networkidle");
  const load = await page.evaluate(() => {
    const paint = performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? 0;
    return { rows: Math.max(window.__firstRows ?? 0, paint), hydrated: window.__hydrated };
  });
  figures.rows.push(load.rows);
  figures.hydrated.push(load.hydrated);
  figures.bytes.push(bytes);

  const count = page.getByTestId("catalog-count");
  const everything = await count.innerText();
  const search = page.getByRole("searchbox", { name: "Search the catalog" });
  const typed = await rowsUpdatedAfter(page, () => search.press("a"));
  figures.typing.push(typed.fromAction);
  figures.typingEvent.push(typed.fromEvent);
  await search.fill("");
  await page.waitForFunction(
    (text) => document.querySelector("[data-testid=catalog-count]")?.textContent === text,
    everything,
  );
  const kind = page.getByRole("navigation", { name: "Kind" }).locator("a.facet__value").first();
  const clicked = await rowsUpdatedAfter(page, () => kind.click());
  figures.facet.push(clicked.fromAction);
  figures.facetEvent.push(clicked.fromEvent);
  await context.close();
}
await browser.close();

const ms = (values) => `${median(values).toFixed(0)} ms`;
for (const [base, figures] of measured) {
  console.log(`catalog page, ${runs} runs, medians (${base})`);
  console.log(`navigation to /catalog → first rows painted: ${ms(figures.rows)}`);
  console.log(`navigation to /catalog → hydrated:           ${ms(figures.hydrated)}`);
  console.log(`typing one letter in the search → rows updated: ${ms(figures.typing)} from press(), ${ms(figures.typingEvent)} from keydown`);
  console.log(`clicking a facet value → rows updated:       ${ms(figures.facet)} from click(), ${ms(figures.facetEvent)} from pointerdown`);
  console.log(`bytes transferred, first load (compressed):  ${(median(figures.bytes) / 1024).toFixed(1)} KiB`);
}

// Search's figures for BENCHMARKS.md, against a running Portico (not a test: it prints
// numbers). Usage:
//   node end2end/bench/search.mjs http://127.0.0.1:3000 PROBE_FILE [runs]
// PROBE_FILE is a catalog location the portal reads holding only
// `component:default/freshness-probe`; it is rewritten to measure freshness.
// Prints:
// - a keystroke's search on the server: each query typed one character at a time, every
//   prefix sent to /api/search/query; the search's own time (its Server-Timing) and
//   the whole request's, p50/p95/max over every keystroke;
// - freshness: an entity's description changed and refreshed through the catalog API;
//   from the refresh's answer (stored) until a search finds the new word;
// - in headless Chromium, key → results painted on /search and in the quick-open
//   dialog, p50/p95 over every keystroke.
import { writeFileSync } from "node:fs";
import { chromium } from "playwright";

const base = process.argv[2] ?? "http://127.0.0.1:3000";
const probe = process.argv[3];
const runs = Number(process.argv[4] ?? 3);
const QUERIES = [
  "payments",
  "checkout service",
  "paymnets gatway", // typos
  "\"retries are safe\"", // a phrase
  "idempotent retries",
  "configuration timeout",
  "/orders/{id}",
  "p",
];

const quantile = (values, q) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * q) - 1))];
};
const summary = (values) =>
  `p50 ${quantile(values, 0.5).toFixed(2)} ms  p95 ${quantile(values, 0.95).toFixed(2)} ms  ` +
  `max ${Math.max(...values).toFixed(2)} ms  (${values.length} keystrokes)`;
const prefixes = (query) => [...query].map((_, i) => query.slice(0, i + 1)).filter((p) => p.trim());

async function search(term) {
  const started = performance.now();
  const response = await fetch(`${base}/api/search/query?term=${encodeURIComponent(term)}`);
  const body = await response.json();
  const took = performance.now() - started;
  if (!response.ok) throw new Error(`search ${term}: ${response.status} ${JSON.stringify(body)}`);
  const timing = response.headers.get("server-timing") ?? "";
  const server = Number(/dur=([\d.]+)/.exec(timing)?.[1] ?? NaN);
  return { body, took, server };
}

// Warm up, then every keystroke of every query, `runs` times.
for (const query of QUERIES) await search(query);
const server = [];
const whole = [];
const found = {};
const byQuery = {};
for (let run = 0; run < runs; run++) {
  for (const query of QUERIES) {
    for (const prefix of prefixes(query)) {
      const result = await search(prefix);
      server.push(result.server);
      (byQuery[query] ??= []).push(result.server);
      whole.push(result.took);
      found[query] = result.body.numberOfResults;
    }
  }
}
console.log(`results of the full queries: ${QUERIES.map((q) => `${q} → ${found[q]}`).join(", ")}`);
console.log(`keystroke, search on the server (Server-Timing): ${summary(server)}`);
for (const query of QUERIES) console.log(`  typing ${query}: ${summary(byQuery[query])}`);
console.log(`keystroke, whole request over loopback: ${summary(whole)}`);

// Freshness.
if (probe) {
  const fresh = [];
  for (let run = 0; run < 5; run++) {
    const word = `zebracorn${Date.now().toString(36)}${run}`;
    writeFileSync(
      probe,
      "apiVersion: backstage.io/v1alpha1\nkind: Component\n" +
        `metadata: {name: freshness-probe, description: ${word}}\n` +
        "spec: {type: service, lifecycle: production, owner: guests}\n",
    );
    const refreshed = await fetch(`${base}/api/catalog/refresh`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ entityRef: "component:default/freshness-probe" }),
    });
    if (!refreshed.ok) throw new Error(`refresh: ${refreshed.status} ${await refreshed.text()}`);
    const stored = performance.now();
    for (;;) {
      const { body } = await search(word);
      if (body.numberOfResults === 1) break;
      if (performance.now() - stored > 10_000) throw new Error(`${word} not found after 10 s`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    fresh.push(performance.now() - stored);
  }
  console.log(`one changed entity, stored → found by search: ${summary(fresh).replace("keystrokes", "changes")}`);
}

// Chromium: key → results painted.
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});

/** Milliseconds from pressing `key` until the results of `term` (what `selector`'s
 * `data-term` names) are in the page and painted (the next animation frame). */
async function paintedAfter(page, key, selector, term) {
  await page.evaluate(([selector, term]) => {
    const done = () => document.querySelector(selector)?.getAttribute("data-term") === term;
    window.__changed = new Promise((resolve) => {
      const observer = new MutationObserver(() => {
        if (!done()) return;
        observer.disconnect();
        requestAnimationFrame(() => resolve(performance.now()));
      });
      observer.observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true });
    });
    window.__pressed = undefined;
    document.addEventListener("keydown", () => (window.__pressed ??= performance.now()), { capture: true, once: true });
  }, [selector, term]);
  await page.keyboard.press(key);
  return page.evaluate(async () => (await window.__changed) - window.__pressed);
}

const TYPED = ["paym", "checkout", "retries"];
const onPage = [];
const inDialog = [];
for (let run = 0; run < runs; run++) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${base}/search`);
  await page.waitForSelector("body[data-hydrated]", { timeout: 30_000 });
  for (const word of TYPED) {
    await page.getByTestId("search-term").fill("");
    await page.waitForSelector(".search-page__results[data-term='']", { state: "attached" });
    await page.getByTestId("search-term").focus();
    for (let i = 0; i < word.length; i++) {
      const term = word.slice(0, i + 1);
      onPage.push([await paintedAfter(page, word[i], ".search-page__results", term), term]);
    }
  }
  await page.keyboard.press("Escape");
  await page.locator("body").click({ position: { x: 2, y: 2 } });
  await page.keyboard.press("Control+k");
  await page.getByTestId("quick-open").waitFor();
  for (const word of TYPED) {
    await page.locator(".quick-open__input").fill("");
    await page.waitForSelector("#quick-open-list[data-term='']", { state: "attached" });
    for (let i = 0; i < word.length; i++) {
      const term = word.slice(0, i + 1);
      inDialog.push([await paintedAfter(page, word[i], "#quick-open-list", term), term]);
    }
  }
  await context.close();
}
await browser.close();
const slowest = (timed) =>
  [...timed].sort((a, b) => b[0] - a[0]).slice(0, 4).map(([ms, term]) => `${term} ${ms.toFixed(1)} ms`).join(", ");
console.log(`Chromium, /search: key → results painted: ${summary(onPage.map(([ms]) => ms))}`);
console.log(`  slowest: ${slowest(onPage)}`);
console.log(`Chromium, quick-open dialog: key → results painted: ${summary(inDialog.map(([ms]) => ms))}`);
console.log(`  slowest: ${slowest(inDialog)}`);

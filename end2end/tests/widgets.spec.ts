// Widgets as another intranet site embeds them: a "wiki" page on another origin (a port
// the portal lists with --embed-origin) holds every widget through /embed.js, the
// <portico-widget> element and plain iframes (of a second portal, whose entity is
// titled with a script). Each renders, takes its content's height, follows the page's
// colours and opens the portal in a new tab; a site not on the list is refused by the
// browser (frame-ancestors).
import { createServer, type Server } from "node:http";
import { test as plain, type Frame, type Page } from "@playwright/test";
import { test, expect, hydrated } from "./fixtures";

const portal = `http://127.0.0.1:${Number(process.env.PORTICO_E2E_PORT ?? 3123)}`;
const docsServer = `http://127.0.0.1:${process.env.PORTICO_E2E_DOCS_PORT}`;
const wikiPort = Number(process.env.PORTICO_E2E_WIKI_PORT);
const strangerPort = Number(process.env.PORTICO_E2E_STRANGER_PORT);

// The wiki page: its own text and style, and the portal's widgets in the three ways.
const wiki = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Northwind wiki: Checkout</title>
<style>
  :root { color-scheme: light dark; font-family: Georgia, serif; }
  body { max-width: 980px; margin: 1.5rem auto; padding: 0 1rem; background: light-dark(#fdfcf8, #111); color: light-dark(#222, #eee); }
  .grid { display: grid; grid-template-columns: 1fr 1fr; gap: 1rem; align-items: start; }
  .box { border: 1px solid #c9c3b3; border-radius: 6px; overflow: hidden; }
</style></head>
<body>
  <h1>Checkout: how it fits together</h1>
  <p>This page belongs to the wiki; the boxes come from the developer portal.</p>
  <div class="grid">
    <div class="box" id="card" data-portico-widget="card" data-entity="component:default/checkout-service"></div>
    <div class="box" id="owner" data-portico-widget="owner" data-entity="component:default/checkout-service"></div>
    <div class="box" id="impact" data-portico-widget="impact" data-entity="component:default/payment-gateway"></div>
    <div class="box" id="api"><portico-widget widget="api" entity="api:default/payments-api" theme="light"></portico-widget></div>
    <div class="box" id="search" data-portico-widget="search"></div>
    <div class="box" id="docs" data-portico-widget="docs" data-entity="component:default/web-shop"></div>
  </div>
  <h2>Dependencies</h2>
  <div class="box" id="graph"><portico-widget widget="graph" entity="component:default/checkout-service" depth="1"></portico-widget></div>
  <h2>From another portal</h2>
  <div class="grid">
    <div class="box"><iframe id="hostile-card" title="Card" src="${docsServer}/embed/card/default/component/hostile-title" style="width:100%;height:260px;border:0"></iframe></div>
    <div class="box"><iframe id="hostile-graph" title="Graph" src="${docsServer}/embed/graph/default/component/hostile-title" style="width:100%;height:260px;border:0"></iframe></div>
  </div>
  <script src="${portal}/embed.js" async></script>
</body></html>`;

/** Serves `html` on `port` for the length of `run`. */
async function serving(port: number, html: string, run: () => Promise<void>) {
  const server: Server = createServer((_, response) => {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end(html);
  });
  await new Promise<void>((done) => server.listen(port, "127.0.0.1", done));
  try {
    await run();
  } finally {
    await new Promise((done) => server.close(done));
  }
}

/** The frame of the widget in the box `id`. */
async function widgetFrame(page: Page, id: string): Promise<Frame> {
  const element = await page.locator(`#${id} iframe`).elementHandle({ timeout: 10_000 });
  const frame = await element!.contentFrame();
  return frame!;
}

/** The height the frame in box `id` has, and the height of its content. */
async function heights(page: Page, id: string): Promise<[number, number]> {
  const frame = await widgetFrame(page, id);
  const content = await frame.evaluate(() => Math.ceil(document.documentElement.getBoundingClientRect().height));
  const outer = await page.locator(`#${id} iframe`).evaluate((f) => f.getBoundingClientRect().height);
  return [outer, content];
}

test("a wiki on an allowed origin embeds every widget three ways", async ({ page, context }) => {
  await serving(wikiPort, wiki, async () => {
    // Tall enough that every frame is on screen: Chromium paints no frame of another
    // site that is out of view, which the screenshot would show blank.
    await page.setViewportSize({ width: 1280, height: 2400 });
    await page.emulateMedia({ colorScheme: "light" });
    await page.goto(`http://127.0.0.1:${wikiPort}/`);

    // Each widget renders in its frame.
    const expectations: [string, string][] = [
      ["card", "embed-card"],
      ["owner", "embed-owner-widget"],
      ["impact", "embed-impact"],
      ["api", "embed-api"],
      ["search", "embed-search"],
      ["docs", "embed-docs"],
      ["graph", "embed-graph"],
    ];
    for (const [id, testid] of expectations) {
      await expect(page.frameLocator(`#${id} iframe`).getByTestId(testid), id).toBeVisible();
    }
    await expect(page.frameLocator("#card iframe").locator("h1")).toHaveText("Checkout service");
    await expect(page.frameLocator("#graph iframe").locator("svg .graph-node").first()).toBeVisible();
    // The drawing zooms with ctrl + wheel and with the keyboard (its frame grows with it).
    const graphFrame = await widgetFrame(page, "graph");
    const drawn = () => graphFrame.evaluate(() => document.querySelector(".embed-graph__canvas svg")!.getBoundingClientRect().width);
    const actual = await drawn();
    await graphFrame.locator(".embed-graph__canvas").focus();
    await graphFrame.locator(".embed-graph__canvas").press("+");
    expect(await drawn()).toBeGreaterThan(actual * 1.2);
    await graphFrame.locator(".embed-graph__canvas").press("0");
    expect(await drawn()).toBeCloseTo(actual, 0);
    await graphFrame.locator(".embed-graph__canvas").dispatchEvent("wheel", { deltaY: 300, ctrlKey: true });
    expect(await drawn()).toBeLessThan(actual * 0.5);
    await graphFrame.locator(".embed-graph__canvas").press("0");
    await expect(page.frameLocator("#docs iframe").locator(".md-typeset h1").first()).toBeVisible();

    // Frames from the loader take their content's height (not the 150 px they start at).
    for (const id of ["card", "owner", "impact", "api", "search", "docs", "graph"]) {
      await expect.poll(async () => { const [outer, content] = await heights(page, id); return Math.abs(outer - content); }, { message: id }).toBeLessThan(2);
    }
    // …and follow it when it changes: a search lists results, and the frame grows.
    const [before] = await heights(page, "search");
    const search = page.frameLocator("#search iframe");
    await search.locator("input[name=q]").fill("payment");
    await search.locator("button[type=submit]").click();
    await expect(search.getByTestId("embed-search-total")).toBeVisible();
    await expect.poll(async () => (await heights(page, "search"))[0]).toBeGreaterThan(before + 20);
    await expect.poll(async () => { const [outer, content] = await heights(page, "search"); return Math.abs(outer - content); }).toBeLessThan(2);

    await page.screenshot({ path: "test-results/widgets.png", fullPage: true });

    // The page's colours: widgets that follow them turn dark with it; the one told to be
    // light stays light.
    const background = (id: string) =>
      widgetFrame(page, id).then((frame) => frame.evaluate(() => getComputedStyle(document.body).backgroundColor));
    const light = await background("card");
    await page.emulateMedia({ colorScheme: "dark" });
    await expect.poll(() => background("card")).not.toBe(light);
    await expect.poll(() => widgetFrame(page, "card").then((f) => f.evaluate(() => document.documentElement.dataset.theme))).toBe("dark");
    expect(await background("api")).toBe(light);

    // An element added later is picked up, as a single-page app would add it.
    await page.evaluate(() => {
      const box = document.createElement("div");
      box.id = "late";
      box.dataset.porticoWidget = "card";
      box.dataset.entity = "component:default/payment-gateway";
      box.dataset.compact = "1";
      document.body.append(box);
    });
    await expect(page.frameLocator("#late iframe").getByTestId("embed-card")).toBeVisible();

    // Links open the portal in a new tab: an HTML link, and a node of the drawing.
    for (const [id, link] of [
      ["card", ".embed-title a"],
      ["graph", "svg .graph-node a"],
    ]) {
      const opened = context.waitForEvent("page");
      await page.frameLocator(`#${id} iframe`).locator(link).first().click();
      const tab = await opened;
      await tab.waitForLoadState("domcontentloaded");
      expect(tab.url(), id).toContain(`${portal}/catalog/`);
      await tab.close();
    }
    await expect(page).toHaveURL(`http://127.0.0.1:${wikiPort}/`);

    // Entity text is text: the hostile title shows as written, and ran nowhere.
    for (const id of ["hostile-card", "hostile-graph"]) {
      const frame = page.frameLocator(`#${id}`);
      await expect(frame.locator("body")).toContainText("<script>window.__xss = 'title'</script>");
      const handle = await page.locator(`#${id}`).elementHandle();
      const ran = await (await handle!.contentFrame())!.evaluate(() => (window as { __xss?: string }).__xss ?? null);
      expect(ran, id).toBeNull();
    }
    expect(await page.evaluate(() => (window as { __xss?: string }).__xss ?? null)).toBeNull();
  });
});

// Not the fixture's test: the refusal is a console error, which is what is checked.
plain("a site not on the list cannot frame the widgets", async ({ page }) => {
  const refusals: string[] = [];
  page.on("console", (message) => {
    if (message.text().includes("frame-ancestors")) refusals.push(message.text());
  });
  const html = `<!doctype html><title>Stranger</title>
    <iframe id="card" src="${portal}/embed/card/default/component/checkout-service"></iframe>
    <iframe id="page" src="${portal}/catalog/default/component/checkout-service"></iframe>`;
  await serving(strangerPort, html, async () => {
    await page.goto(`http://127.0.0.1:${strangerPort}/`);
    await expect.poll(() => refusals.length).toBeGreaterThanOrEqual(2);
    for (const id of ["card", "page"]) {
      const frame = await (await page.locator(`#${id}`).elementHandle())!.contentFrame();
      const rendered = await frame!.evaluate(() => document.querySelector("[data-testid=embed-card], .entity") !== null).catch(() => false);
      expect(rendered, id).toBe(false);
    }
  });
});

test("an entity page's Embed dialog offers each snippet and previews the widget", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.goto("/catalog/default/component/checkout-service");
  await expect(page.locator('link[rel=alternate][type="application/json+oembed"]')).toHaveAttribute(
    "href",
    "/api/oembed?url=%2Fcatalog%2Fdefault%2Fcomponent%2Fcheckout-service",
  );
  await hydrated(page);
  // The entity page is a lazy route, taken over after the rest: its star button says when.
  await expect(page.locator("button.star[data-ready]").first()).toBeAttached();
  const dialog = page.getByTestId("embed-dialog");
  await dialog.locator("summary").click();
  const snippets = dialog.getByTestId("embed-snippet");
  // Loader, custom element, iframe, oEmbed, and the card's badge as Markdown and HTML.
  await expect(snippets).toHaveCount(6);
  await expect(snippets.first()).toContainText(`<script src="${portal}/embed.js" async></script>`);
  await expect(snippets.first()).toContainText('<div data-portico-widget="card" data-entity="component:default/checkout-service"></div>');
  const preview = page.frameLocator("[data-testid=embed-preview]");
  await expect(preview.getByTestId("embed-card")).toBeVisible();

  await dialog.getByTestId("embed-widget").selectOption({ label: "graph" });
  await expect(snippets).toHaveCount(4);
  await expect(snippets.first()).toContainText('data-portico-widget="graph"');
  await expect(preview.getByTestId("embed-graph")).toBeVisible();
  await snippets.nth(2).getByRole("button", { name: "Copy" }).click();
  await expect(snippets.nth(2).getByRole("button")).toHaveText("Copied");
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toContain(`${portal}/embed/graph/default/component/checkout-service`);
  await dialog.screenshot({ path: "test-results/embed-dialog.png" });
});

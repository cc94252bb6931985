// TechDocs in the browser: the demo's payment gateway handbook (every feature), the
// hostile doc set and Backstage's example on a server of their own.
import { test, expect, hydrated } from "./fixtures";
import type { Page } from "@playwright/test";

const base = "/docs/default/component/payment-gateway/";
const docsServer = `http://127.0.0.1:${process.env.PORTICO_E2E_DOCS_PORT}`;

/** Marks the window, so that a full reload (which loses the mark) can be told apart. */
async function mark(page: Page) {
  await page.evaluate(() => ((window as unknown as { __kept: number }).__kept = 1));
}

async function stillMarked(page: Page) {
  expect(await page.evaluate(() => (window as unknown as { __kept?: number }).__kept)).toBe(1);
}

test("docs open from the entity page, and nav, TOC, previous/next and links move without a reload", async ({ page }) => {
  await page.goto("/catalog/default/component/payment-gateway");
  await hydrated(page);
  await page.getByTestId("entity-docs-tab").click();
  await expect(page).toHaveURL(base);
  await expect(page.getByTestId("doc-content").locator("h1")).toHaveText(/Payment gateway/);
  await expect(page.locator(".admonition.info")).toContainText("On call");
  await mark(page);

  // The site navigation: a page, then a page inside a closed section.
  const nav = page.getByTestId("docs-nav");
  await nav.getByRole("link", { name: "Getting started" }).click();
  await expect(page).toHaveURL(`${base}getting-started/`);
  await expect(page.getByTestId("doc-content").locator("h1")).toHaveText(/Getting started/);
  await expect(nav.locator('[aria-current="page"]')).toHaveText("Getting started");
  await nav.locator("summary", { hasText: "Guides" }).click();
  await nav.getByRole("link", { name: "Webhooks" }).click();
  await expect(page.getByTestId("doc-content").locator("h1")).toHaveText(/Webhooks/);

  // Previous and next follow the nav's reading order.
  await page.getByTestId("doc-previous").click();
  await expect(page).toHaveURL(`${base}guides/refunds/`);
  // The nav, drawn once, marks the page now read (and only it).
  await expect(nav.locator('[aria-current="page"]')).toHaveCount(1);
  await expect(nav.locator('[aria-current="page"]')).toHaveText("Refunds");
  // Its own next link drawn before the click.
  await expect(page.getByTestId("doc-next")).toContainText("Webhooks");
  await page.getByTestId("doc-next").click();
  await expect(page).toHaveURL(`${base}guides/webhooks/`);

  // A relative link in the page, to a heading of another page.
  await page.getByTestId("doc-content").getByRole("link", { name: "refund", exact: true }).click();
  await expect(page).toHaveURL(`${base}guides/refunds/`);
  await page.getByTestId("doc-content").getByRole("link", { name: "webhook" }).click();
  await expect(page).toHaveURL(`${base}guides/webhooks/#refund-succeeded`);
  await expect(page.locator("#refund-succeeded")).toBeInViewport();

  // The table of contents goes to its heading.
  await page.getByTestId("doc-toc").getByRole("link", { name: "Events" }).click();
  await expect(page).toHaveURL(`${base}guides/webhooks/#events`);
  await stillMarked(page);

  // The entity's other page, and back.
  await page.goBack();
  await expect(page).toHaveURL(`${base}guides/webhooks/#refund-succeeded`);
  await stillMarked(page);
});

test("a page shows tabs that switch, highlighted code with a copy button, and a diagram", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await page.goto(`${base}getting-started/`);
  await hydrated(page);
  const tabs = page.locator(".tabbed-set").first();
  await expect(tabs.locator(".tabbed-block").nth(0)).toBeVisible();
  await tabs.locator("label", { hasText: "Docker" }).click();
  await expect(tabs.locator(".tabbed-block").nth(1)).toBeVisible();
  await expect(tabs.locator(".tabbed-block").nth(0)).toBeHidden();

  const code = page.locator(".highlight", { hasText: "authorise.sh" });
  await expect(code.locator(".filename")).toHaveText("authorise.sh");
  await expect(code.locator(".hll")).toContainText("Idempotency-Key");
  await expect(code.locator(".s1").first()).toBeVisible();
  await code.locator(".md-clipboard").click();
  await expect(code.locator(".md-clipboard")).toHaveAttribute("data-copied", "");
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  expect(copied).toContain("curl -X POST http://localhost:8080/v2/payments");
  expect(copied).not.toContain("Copy to clipboard");

  await page.goto(base);
  await expect(page.locator(".mermaid svg")).toBeVisible();
  await expect(page.locator(".mermaid svg")).toContainText("Payment gateway");
});

test("search inside the docs as you type lands on the heading", async ({ page }) => {
  await page.goto(base);
  await hydrated(page);
  await mark(page);
  await page.getByTestId("docs-search").fill("every SIGNATURE");
  const results = page.getByTestId("docs-search-results");
  await expect(results.locator("li").first()).toContainText("Webhooks › Refund succeeded");
  await expect(results.locator("mark").first()).toHaveText(/every|signature/i);
  await results.locator("li a").first().click();
  await expect(page).toHaveURL(`${base}guides/webhooks/#refund-succeeded`);
  await expect(page.locator("#refund-succeeded")).toBeInViewport();
  await expect(page.getByTestId("docs-search")).toHaveValue("");
  await stillMarked(page);

  await page.getByTestId("docs-search").fill("zebra unicorn");
  await expect(page.getByTestId("docs-search-results")).toHaveText("Nothing in these docs matches.");
});

test("words typed in the docs search before the reader is interactive are searched", async ({ page }) => {
  // The browser bundle arrives late, as on a slow connection.
  await page.route(/\.wasm$/, async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await route.continue();
  });
  await page.goto(base, { waitUntil: "domcontentloaded" });
  await page.getByTestId("docs-search").fill("every SIGNATURE");
  await hydrated(page);
  await expect(page.getByTestId("docs-search")).toHaveValue("every SIGNATURE");
  const results = page.getByTestId("docs-search-results");
  await expect(results.locator("li").first()).toContainText("Webhooks › Refund succeeded");
});

test("the docs list filters as you type and by kind", async ({ page }) => {
  await page.goto("/docs");
  await hydrated(page);
  const cards = page.getByTestId("doc-sets").locator("li");
  await expect(cards).toHaveCount(2);
  await page.getByTestId("docs-list-search").fill("gateway");
  await expect(cards).toHaveCount(1);
  await expect(page).toHaveURL("/docs?q=gateway");
  await page.getByTestId("docs-list-search").fill("");
  await expect(cards).toHaveCount(2);
  await page.getByTestId("docs-filter-owner").selectOption("group:default/storefront-team");
  await expect(cards).toHaveCount(1);
  await expect(cards).toContainText("Web shop");
  await page.getByTestId("docs-filter-kind").selectOption("component");
  await cards.getByRole("link").click();
  await expect(page.getByTestId("doc-content").locator("h1")).toHaveText(/Web shop/);
  // Its docs have no mkdocs.yml: the folder tree is the nav, index first.
  const nav = page.getByTestId("docs-nav");
  await expect(nav.locator(".md-nav__link").first()).toHaveText("Web shop");
  await expect(nav.locator("summary", { hasText: "Runbooks" })).toBeVisible();
});

test.describe("with JavaScript off", () => {
  test.use({ javaScriptEnabled: false });

  test("the same pages read, tabs switch and search answers", async ({ page }) => {
    await page.goto(`${base}getting-started/`);
    await expect(page.getByTestId("doc-content").locator("h1")).toHaveText(/Getting started/);
    await expect(page.getByTestId("docs-nav").locator('[aria-current="page"]')).toHaveText("Getting started");
    const tabs = page.locator(".tabbed-set").first();
    await tabs.locator("label", { hasText: "Nix" }).click();
    await expect(tabs.locator(".tabbed-block").nth(2)).toBeVisible();
    await expect(page.locator(".md-clipboard").first()).toBeHidden();
    await page.getByTestId("doc-next").click();
    await expect(page).toHaveURL(`${base}guides/refunds/`);
    await page.getByTestId("docs-search").fill("signature");
    await page.getByTestId("docs-search").press("Enter");
    await expect(page.getByTestId("docs-search-results")).toContainText("Webhooks");
  });
});

test("script in Markdown never runs, and nothing outside the doc set is shown", async ({ page }) => {
  await page.goto(`${docsServer}/docs/default/component/hostile-docs/`);
  await hydrated(page);
  const content = page.getByTestId("doc-content");
  await expect(content).toContainText("Shown as text: <script>alert(1)</script>");
  await expect(content.locator("script")).toHaveCount(0);
  await expect(content.locator("[onerror]")).toHaveCount(0);
  await content.getByText("click me").click().catch(() => {});
  expect(await page.evaluate(() => (window as unknown as { __xss?: string }).__xss)).toBeUndefined();
  await expect(page.locator("body")).not.toContainText("TOP-SECRET-CONTENT");
  const problems = page.getByTestId("doc-page-problems");
  await expect(problems).toContainText("docs/index.md:7: links to 'javascript:");
  await expect(problems).toContainText("docs/index.md:11: links to '../../secret.txt', which leaves the doc set's folder");
  await expect(problems).toContainText("docs/index.md:14: the snippet '../secret.txt' leaves the doc set's folder");
  const secret = await page.request.get(`${docsServer}/docs/default/component/hostile-docs/..%2f..%2fsecret.txt`);
  expect(secret.status()).toBe(404);
  expect(await secret.text()).not.toContain("TOP-SECRET");
});

test("Backstage's example doc set reads, its techdocs-entity too", async ({ page }) => {
  await page.goto(`${docsServer}/docs/default/component/documented-component/`);
  await hydrated(page);
  await expect(page.getByTestId("doc-content").locator("h1").first()).toBeVisible();
  const nav = page.getByTestId("docs-nav");
  await nav.locator("summary", { hasText: /^Deeper Nav$/ }).click();
  await nav.locator("summary", { hasText: /^Inner Deeper Nav$/ }).click();
  await nav.getByRole("link", { name: "Inner Inner Deeper Nav" }).click();
  await expect(page).toHaveURL(/deeper-nav\/even-deeper\/$/);
  await page.goto(`${docsServer}/docs/default/component/techdocs-entity-documented-component/`);
  await expect(page.getByTestId("docs-nav").locator('[aria-current="page"]')).toHaveText("Inner Component Docs");
});

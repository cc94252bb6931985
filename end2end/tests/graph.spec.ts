// Dependency graphs on the demo catalog: the graph page drawn on the server (read with
// JavaScript off too), its controls as a link, re-rooting by click and going back,
// keyboard pan and zoom, exports, the entity page's Graph tab, a domain's diagram of its
// systems, and the answers for a bad query or an unknown entity.
import { test, expect, hydrated } from "./fixtures";

const ordersDb = "/graph?root=resource:default/orders-db&depth=1";

test("an entity's Graph tab draws what it relates to, and a node's corner opens its entity", async ({ page }) => {
  await page.goto("/catalog/default/resource/orders-db");
  await hydrated(page);
  await page.getByTestId("entity-graph-tab").click();
  await expect(page).toHaveURL(/\/graph\?root=resource:default\/orders-db&depth=2$/);
  const graph = page.getByTestId("graph");
  await expect(graph.locator('g.graph-node--root[data-ref="resource:default/orders-db"]')).toHaveCount(1);
  await expect(graph.locator('g.graph-node[data-ref="component:default/checkout-service"]')).toHaveCount(1);
  // Pairs merged: checkout-service dependsOn orders-db is one edge, not two.
  await expect(graph.locator('path.graph-edge[data-relation="dependencyOf"]')).toHaveCount(0);
  expect(await graph.locator('path.graph-edge[data-relation="dependsOn"]').count()).toBeGreaterThan(0);
  await graph.locator('g.graph-node[data-ref="component:default/checkout-service"] a.graph-node-open').click();
  await expect(page).toHaveURL("/catalog/default/component/checkout-service");
});

test("a click re-roots the graph in place and Back returns", async ({ page }) => {
  await page.goto(ordersDb);
  await hydrated(page);
  const graph = page.getByTestId("graph");
  const checkout = graph.locator('g.graph-node[data-ref="component:default/checkout-service"] rect');
  await expect(graph).toHaveClass(/graph-canvas--live/);
  const before = (await checkout.boundingBox())!;
  await graph.locator('g.graph-node[data-ref="component:default/checkout-service"] > a:not(.graph-node-open)').click();
  await expect(page).toHaveURL(/root=component%3Adefault%2Fcheckout-service/);
  await expect(graph.locator('g.graph-node--root[data-ref="component:default/checkout-service"]')).toHaveCount(1);
  // The view does not jump to a new fit: the entity clicked stays where it was on
  // screen, moved only as far as needed to show the whole of a graph that fits.
  const frame = (await graph.boundingBox())!;
  await expect.poll(async () => {
    const after = (await checkout.boundingBox())!;
    const picture = (await graph.locator("svg").boundingBox())!;
    const inside = picture.x >= frame.x - 1 && picture.y >= frame.y - 1 &&
      picture.x + picture.width <= frame.x + frame.width + 1 &&
      picture.y + picture.height <= frame.y + frame.height + 1;
    const kept = Math.abs(after.x - before.x) + Math.abs(after.y - before.y) < 2;
    return kept || inside;
  }).toBe(true);
  // Drawn in the browser, without a page load: the controls follow the URL.
  await expect(page.getByTestId("graph-root")).toHaveValue("component:default/checkout-service");
  await page.goBack();
  await expect(page).toHaveURL(/root=resource:default\/orders-db/);
  await expect(graph.locator('g.graph-node--root[data-ref="resource:default/orders-db"]')).toHaveCount(1);
  // Shift-click adds a start: both roots drawn.
  await graph.locator('g.graph-node[data-ref="component:default/checkout-service"] > a:not(.graph-node-open)').click({ modifiers: ["Shift"] });
  await expect(graph.locator("g.graph-node--root")).toHaveCount(2);
});

test("relation and kind filters narrow the graph", async ({ page }) => {
  await page.goto("/graph?root=component:default/checkout-service&depth=1");
  await hydrated(page);
  const graph = page.getByTestId("graph");
  await expect(graph.locator('g.graph-node[data-ref^="group:"]')).not.toHaveCount(0);
  await page.getByText("Relations and kinds").click();
  await page.getByTestId("graph-relations").getByLabel("dependsOn / dependencyOf").check();
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/relation=dependsOn/);
  await expect(graph.locator('g.graph-node[data-ref^="group:"]')).toHaveCount(0);
  await expect(graph.locator('path.graph-edge[data-relation="dependsOn"]')).not.toHaveCount(0);
  await expect(graph.locator('path.graph-edge:not([data-relation="dependsOn"])')).toHaveCount(0);
  await page.getByTestId("graph-relations").getByLabel("dependsOn / dependencyOf").uncheck();
  await page.getByTestId("graph-kinds").getByLabel("api").check();
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/kind=api/);
  const kinds = await graph.locator("g.graph-node:not(.graph-node--root)").evaluateAll((nodes) =>
    nodes.map((n) => n.getAttribute("data-ref")!.split(":")[0]));
  expect(kinds.length).toBeGreaterThan(0);
  expect(new Set(kinds)).toEqual(new Set(["api"]));
});

test("keys and buttons zoom and pan without scrolling hijacked; the picture exports", async ({ page }) => {
  await page.goto("/graph?root=resource:default/orders-db&depth=2");
  await hydrated(page);
  const canvas = page.getByTestId("graph");
  const stage = canvas.locator(".graph-stage");
  await expect(canvas).toHaveClass(/graph-canvas--live/);
  const scale = async () => Number((await stage.evaluate((e) => e.style.transform)).match(/scale\(([\d.]+)\)/)![1]);
  const shift = async () => (await stage.evaluate((e) => e.style.transform)).match(/translate\(([-\d.]+)px/)![1];
  await canvas.focus();
  const fitted = await scale();
  await page.keyboard.press("+");
  await expect.poll(scale).toBeGreaterThan(fitted);
  await page.keyboard.press("-");
  await page.keyboard.press("-");
  await expect.poll(scale).toBeLessThan(fitted);
  const before = await shift();
  await page.keyboard.press("ArrowLeft");
  await expect.poll(shift).not.toBe(before);
  await page.keyboard.press("0");
  await expect.poll(scale).toBeCloseTo(fitted, 3);
  // Far out, text too small to read is left out; at 1:1 it is back.
  await expect(canvas).not.toHaveClass(/graph-canvas--farther/);
  for (let i = 0; i < 12; i++) await page.keyboard.press("-");
  await expect(canvas).toHaveClass(/graph-canvas--farther/);
  await expect(canvas.locator("text.graph-node-title").first()).toBeHidden();
  await page.keyboard.press("1");
  await expect(canvas).not.toHaveClass(/graph-canvas--far/);
  await expect(canvas.locator("text.graph-node-title").first()).toBeVisible();
  await page.keyboard.press("0");
  await expect.poll(scale).toBeCloseTo(fitted, 3);
  await page.getByTestId("graph-zoom-in").click();
  await expect.poll(scale).toBeGreaterThan(fitted);
  // A plain wheel scrolls the page and leaves the zoom alone.
  const zoomed = await scale();
  await canvas.hover();
  await page.mouse.wheel(0, 300);
  await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(0);
  expect(await scale()).toBe(zoomed);
  // With an entity focused, arrows move between entities.
  await canvas.locator('g.graph-node--root > a:not(.graph-node-open)').focus();
  await page.keyboard.press("ArrowRight");
  const focused = await page.evaluate(() => document.activeElement?.closest("g.graph-node")?.getAttribute("data-ref"));
  expect(focused).toBeTruthy();
  expect(focused).not.toBe("resource:default/orders-db");
  const download = page.waitForEvent("download");
  await page.getByTestId("graph-export-svg").click();
  const svg = await download;
  expect(svg.suggestedFilename()).toBe("graph-resource-default-orders-db.svg");
  const text = await (await import("node:fs/promises")).readFile((await svg.path())!, "utf8");
  expect(text).toContain("<svg");
  expect(text).toContain("<style>");
  expect(text).toContain('data-ref="resource:default/orders-db"');
  const png = page.waitForEvent("download");
  await page.getByTestId("graph-export-png").click();
  expect((await png).suggestedFilename()).toBe("graph-resource-default-orders-db.png");
});

test.describe("on a touch screen", () => {
  test.use({ hasTouch: true });

  test("two fingers pinch to zoom at the point between them", async ({ page }) => {
    await page.goto("/graph?root=resource:default/orders-db&depth=2");
    await hydrated(page);
    const canvas = page.getByTestId("graph");
    await expect(canvas).toHaveClass(/graph-canvas--live/);
    const stage = canvas.locator(".graph-stage");
    const scale = async () => Number((await stage.evaluate((e) => e.style.transform)).match(/scale\(([\d.]+)\)/)![1]);
    await expect.poll(scale).toBeLessThan(2);
    const fitted = await scale();
    const box = (await canvas.boundingBox())!;
    const [cx, cy] = [box.x + box.width / 2, box.y + box.height / 2];
    const cdp = await page.context().newCDPSession(page);
    const fingers = (spread: number) => [
      { x: cx - spread, y: cy, id: 1 },
      { x: cx + spread, y: cy, id: 2 },
    ];
    await cdp.send("Input.dispatchTouchEvent", { type: "touchStart", touchPoints: fingers(20) });
    for (let spread = 30; spread <= 80; spread += 10) {
      await cdp.send("Input.dispatchTouchEvent", { type: "touchMove", touchPoints: fingers(spread) });
    }
    await cdp.send("Input.dispatchTouchEvent", { type: "touchEnd", touchPoints: [] });
    // Fingers four times as far apart: four times the scale (as far as the limit allows).
    await expect.poll(scale).toBeGreaterThan(Math.min(fitted * 3.5, 3.9));
    // The page itself was not zoomed or scrolled sideways.
    expect(await page.evaluate(() => [window.visualViewport!.scale, window.scrollX])).toEqual([1, 0]);
  });
});

test("a domain's page draws its systems as boxes round their parts", async ({ page }) => {
  await page.goto("/catalog/default/domain/commerce");
  const diagram = page.getByTestId("entity-diagram");
  await expect(diagram.locator('g.graph-cluster[data-ref="system:default/payments"]')).toHaveCount(1);
  await expect(diagram.locator('g.graph-cluster[data-ref="system:default/storefront"]')).toHaveCount(1);
  // A part lies inside its system's box.
  const box = await diagram.locator('g.graph-cluster[data-ref="system:default/payments"] rect').boundingBox();
  const part = await diagram.locator('g.graph-node[data-ref="component:default/payment-gateway"] rect').boundingBox();
  expect(part!.x).toBeGreaterThan(box!.x);
  expect(part!.y).toBeGreaterThan(box!.y);
  expect(part!.x + part!.width).toBeLessThan(box!.x + box!.width);
  expect(part!.y + part!.height).toBeLessThan(box!.y + box!.height);
  await page.getByTestId("entity-graph-tab").click();
  await expect(page).toHaveURL(/group=system/);
  await expect(page.getByTestId("graph").locator("g.graph-cluster")).not.toHaveCount(0);
});

test("the controls change the depth and the direction, as a link", async ({ page }) => {
  await page.goto(ordersDb);
  await hydrated(page);
  const nodes = page.getByTestId("graph").locator("g.graph-node");
  const near = await nodes.count();
  await page.getByTestId("graph-depth").selectOption("2");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/depth=2/);
  await expect.poll(() => nodes.count()).toBeGreaterThan(near);
  await page.getByTestId("graph-direction").selectOption("out");
  await page.getByRole("button", { name: "Show" }).click();
  await expect(page).toHaveURL(/direction=out/);
  await expect(page.getByTestId("graph-summary")).toContainText("entities");
});

test("the impact list of a database says what breaks, grouped by owner, with each chain", async ({ page }) => {
  await page.goto(ordersDb);
  await hydrated(page);
  await page.getByTestId("impact-dependents").click();
  await expect(page).toHaveURL(/impact=dependents/);
  const impact = page.getByTestId("impact");
  await expect(impact.locator("h2")).toContainText("If resource:default/orders-db is down");
  // checkout-service depends on it: one step; its API's consumers further on.
  const checkout = impact.locator('li[data-ref="component:default/checkout-service"]');
  await expect(checkout).toContainText("1 step · resource:default/orders-db → dependencyOf component:default/checkout-service");
  await expect(impact.locator('li[data-ref="api:default/checkout-api"]')).toContainText("providesApi");
  await expect(impact.locator("h3").first()).toBeVisible();
  // The drawing marks what the analysis reaches.
  const graph = page.getByTestId("graph");
  await expect(graph.locator('g.graph-node--impact[data-ref="component:default/checkout-service"]')).toHaveCount(1);
  await expect(graph.locator('g.graph-node--impact[data-ref="resource:default/orders-db"]')).toHaveCount(0);
  await page.getByTestId("impact-needs").click();
  await expect(impact.locator("h2")).toContainText("needs");
});

test("a bad query says what is wrong, and an unknown entity answers 404", async ({ page }) => {
  const unknown = await page.goto("/graph?root=component:default/nowhere");
  expect(unknown?.status()).toBe(404);
  await expect(page.getByTestId("graph-problem")).toContainText("component:default/nowhere");
  await page.goto("/graph?root=resource:default/orders-db&depth=zero");
  await expect(page.getByTestId("graph-problem")).toContainText("depth 'zero'");
  await page.goto("/graph");
  await expect(page.getByTestId("graph-start")).toBeVisible();
});

test.describe("with JavaScript off", () => {
  test.use({ javaScriptEnabled: false });

  test("the graph is drawn on the server and the form still works", async ({ page }) => {
    const response = await page.goto(ordersDb);
    expect(response?.status()).toBe(200);
    const graph = page.getByTestId("graph");
    await expect(graph.locator("svg")).toHaveCount(1);
    expect(await graph.locator("g.graph-node").count()).toBeGreaterThan(2);
    await expect(graph.locator("g.graph-node text.graph-node-title").first()).not.toBeEmpty();
    await page.getByTestId("graph-depth").selectOption("2");
    await page.getByRole("button", { name: "Show" }).click();
    await expect(page).toHaveURL(/depth=2/);
    await expect(graph.locator("svg")).toHaveCount(1);
    // Links re-root the graph without JavaScript too.
    await graph.locator('g.graph-node[data-ref="component:default/checkout-service"] > a:not(.graph-node-open)').click();
    await expect(page).toHaveURL(/root=component%3Adefault%2Fcheckout-service/);
    await expect(graph.locator('g.graph-node--root[data-ref="component:default/checkout-service"]')).toHaveCount(1);
  });
});

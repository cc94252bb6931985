// Dependency graphs on the demo catalog: the graph page drawn on the server (read with
// JavaScript off too), its controls as a link, the entity page's Graph tab, and the
// answers for a bad query or an unknown entity.
import { test, expect, hydrated } from "./fixtures";

const ordersDb = "/graph?root=resource:default/orders-db&depth=1";

test("an entity's Graph tab draws what it relates to, and a node opens its entity", async ({ page }) => {
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
  await graph.locator('g.graph-node[data-ref="component:default/checkout-service"] a').click();
  await expect(page).toHaveURL("/catalog/default/component/checkout-service");
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
  });
});

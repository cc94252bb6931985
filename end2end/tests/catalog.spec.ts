import { test, expect, hydrated } from "./fixtures";
import type { Page } from "@playwright/test";

// The catalog explorer over the demo catalog (Northwind: 48 entities, 25 per page).

/** The refs of the table's rows, in order. */
async function rows(page: Page): Promise<string[]> {
  return page.locator("[data-testid=catalog-table] tbody tr").evaluateAll((trs) =>
    trs.map((tr) => tr.getAttribute("data-ref") ?? ""),
  );
}

/** The entity names of the rows (`metadata.name`, what the Name column sorts by), in order. */
async function names(page: Page): Promise<string[]> {
  return (await rows(page)).map((ref) => ref.split("/")[1]);
}

function facet(page: Page, name: string) {
  return page.getByRole("navigation", { name });
}

test("the table is rendered on the server for the URL it is given", async ({ request }) => {
  const response = await request.get("/catalog?kind=api&sort=name");
  expect(response.status()).toBe(200);
  const html = await response.text();
  expect(html).toContain("1–6 of 6 entities");
  expect(html).toContain('data-ref="api:default/checkout-api"');
  // Columns that fit APIs: no Kind column, a Lifecycle one.
  expect(html).not.toContain('data-sort="kind"');
  expect(html).toContain('data-sort="lifecycle"');
});

test("each facet filters the table, with counts", async ({ page }) => {
  await page.goto("/catalog");
  await hydrated(page);
  await expect(page.getByTestId("catalog-count")).toHaveText("1–25 of 49 entities");
  // The most common value of each facet (Kind's is checked against the demo's count).
  const expected: Record<string, number> = { Kind: 12, Namespace: 49 };
  for (const name of ["Kind", "Type", "Owner", "Lifecycle", "Namespace", "Tag"]) {
    await page.goto("/catalog");
    await hydrated(page);
    const link = facet(page, name).locator("a.facet__value").first();
    const value = (await link.getAttribute("data-value"))!;
    const count = Number(await link.locator(".facet__count").innerText());
    if (expected[name]) expect(count).toBe(expected[name]);
    expect(count).toBeGreaterThan(0);
    await link.click();
    const param = name === "Tag" ? "tag" : name.toLowerCase();
    await expect(page).toHaveURL(new RegExp(`${param}=${encodeURIComponent(value.toLowerCase())}`));
    await expect(page.getByTestId("catalog-count")).toHaveText(
      new RegExp(`of ${count} entit(y|ies)$`),
    );
    await expect(facet(page, name).locator(`a[data-value="${value}"]`)).toHaveAttribute("aria-pressed", "true");
    // Clicking the value again removes the filter.
    await facet(page, name).locator(`a[data-value="${value}"]`).click();
    await expect(page.getByTestId("catalog-count")).toHaveText("1–25 of 49 entities");
  }
});

test("facets combine: AND across facets, OR within one", async ({ page }) => {
  await page.goto("/catalog?kind=component,api");
  await hydrated(page);
  await expect(page.getByTestId("catalog-count")).toHaveText("1–18 of 18 entities");
  await facet(page, "Lifecycle").locator('a[data-value="experimental"]').click();
  await expect(page).toHaveURL(/kind=component%2Capi&lifecycle=experimental|kind=component,api&lifecycle=experimental/);
  await expect(page.getByTestId("catalog-count")).not.toContainText("of 18");
  for (const ref of await rows(page)) expect(ref).toMatch(/^(component|api):/);
});

test("typing in the search box filters as you type", async ({ page }) => {
  await page.goto("/catalog");
  await hydrated(page);
  await page.getByRole("searchbox", { name: "Search the catalog" }).pressSequentially("paymen");
  await expect(page).toHaveURL(/q=paymen/);
  await expect(page.getByTestId("catalog-count")).not.toHaveText("1–25 of 49 entities");
  const shown = await rows(page);
  expect(shown.length).toBeGreaterThan(0);
  expect(shown).toContain("api:default/payments-api");
  for (const row of await page.locator("[data-testid=catalog-table] tbody tr").allInnerTexts()) {
    expect(row.toLowerCase()).toMatch(/paymen/);
  }
  // Nothing matches: the page says what to do.
  await page.getByRole("searchbox").fill("no-such-thing-anywhere");
  await expect(page.getByTestId("catalog-empty")).toContainText("No entity matches");
  await page.getByTestId("catalog-empty").getByRole("link", { name: "Clear every filter" }).click();
  await expect(page.getByTestId("catalog-count")).toHaveText("1–25 of 49 entities");
  await expect(page.getByRole("searchbox")).toHaveValue("");
});

test("column headers sort, ascending then descending", async ({ page }) => {
  await page.goto("/catalog?kind=component");
  await hydrated(page);
  await page.locator('a[data-sort="name"]').click();
  await expect(page).toHaveURL(/sort=name/);
  await expect(page.locator('th[aria-sort="ascending"]')).toContainText("Name");
  const ascending = await names(page);
  expect(ascending).toEqual([...ascending].sort());
  await page.locator('a[data-sort="name"]').click();
  await expect(page).toHaveURL(/sort=-name/);
  await expect(page.locator('th[aria-sort="descending"]')).toContainText("Name");
  expect(await names(page)).toEqual([...ascending].reverse());
  await page.locator('a[data-sort="owner"]').click();
  await expect(page).toHaveURL(/sort=owner/);
  await expect(page.locator('th[aria-sort="ascending"]')).toContainText("Owner");
  const owners = await page.locator('[data-testid=catalog-table] tbody td[data-column="owner"]').allInnerTexts();
  expect(owners).toEqual([...owners].sort());
});

test("pages go to the end and back", async ({ page }) => {
  await page.goto("/catalog");
  await hydrated(page);
  const first = await rows(page);
  expect(first).toHaveLength(25);
  await page.getByRole("link", { name: "Next ›" }).click();
  await expect(page).toHaveURL(/page=2/);
  await expect(page.getByTestId("page-position")).toHaveText("Page 2 of 2");
  await expect(page.getByTestId("catalog-count")).toHaveText("26–49 of 49 entities");
  const second = await rows(page);
  expect(second).toHaveLength(24);
  expect(second.filter((ref) => first.includes(ref))).toEqual([]);
  await expect(page.locator(".pager").getByText("Next ›")).toHaveAttribute("aria-disabled", "true");
  await page.getByRole("link", { name: "‹ Previous" }).click();
  await expect(page.getByTestId("page-position")).toHaveText("Page 1 of 2");
  expect(await rows(page)).toEqual(first);
  await page.getByRole("link", { name: "Last »" }).click();
  await expect(page.getByTestId("page-position")).toHaveText("Page 2 of 2");
  expect(await rows(page)).toEqual(second);
});

test("facet and sort links keep the scroll position; every link navigates without reloading", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 500 });
  await page.goto("/catalog");
  await hydrated(page);
  await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));
  const stillHere = () => page.evaluate(() => (window as unknown as { stillHere?: boolean }).stillHere === true);
  const scrollY = () => page.evaluate(() => window.scrollY);
  // A tag, far down the facets: the table changes, the page stays where it was.
  const tag = facet(page, "Tag").locator("a.facet__value").first();
  await tag.scrollIntoViewIfNeeded();
  expect(await scrollY()).toBeGreaterThan(0);
  await tag.click();
  await expect(page).toHaveURL(/tag=/);
  await expect(facet(page, "Tag").locator('a[aria-pressed="true"]')).toHaveCount(1);
  expect(await scrollY()).toBeGreaterThan(0);
  expect(await stillHere()).toBe(true);
  // A sort header, below the top of the page.
  await page.goto("/catalog?kind=component");
  await hydrated(page);
  await page.evaluate(() => ((window as unknown as { stillHere: boolean }).stillHere = true));
  await page.evaluate(() => window.scrollTo(0, 60));
  await page.locator('a[data-sort="name"]').click();
  await expect(page.locator('th[aria-sort="ascending"]')).toContainText("Name");
  expect(await scrollY()).toBe(60);
  // A row's link opens the entity page at its top, in the same page.
  const first = page.locator("[data-testid=catalog-table] tbody tr th a").first();
  const href = (await first.getAttribute("href"))!;
  await first.scrollIntoViewIfNeeded();
  await first.click();
  await expect(page).toHaveURL(new RegExp(`${href}$`));
  await expect(page.locator("h1")).toBeVisible();
  await expect.poll(scrollY).toBe(0);
  expect(await stillHere()).toBe(true);
});

test("a copied URL opens the same view, and back/forward walk the views", async ({ page, context }) => {
  await page.goto("/catalog");
  await hydrated(page);
  await facet(page, "Kind").locator('a[data-value="Component"]').click();
  await expect(page).toHaveURL(/kind=component/);
  // The view drawn for it (its sort links carry the filter) before the next click.
  await expect(page.getByTestId("catalog-count")).toHaveText("1–12 of 12 entities");
  await page.locator('a[data-sort="name"]').click();
  await page.getByRole("searchbox").pressSequentially("pay");
  await expect(page).toHaveURL(/q=pay/);
  await expect(page).toHaveURL(/kind=component/);
  await expect(page.getByTestId("catalog-count")).not.toHaveText("1–12 of 12 entities");
  const url = page.url();
  const shown = await rows(page);

  const copy = await context.newPage();
  await copy.goto(url);
  await hydrated(copy);
  expect(await rows(copy)).toEqual(shown);
  await expect(copy.getByRole("searchbox")).toHaveValue("pay");
  await copy.close();

  // The search replaced its history entry; back goes to the view before it.
  await page.goBack();
  await expect(page).toHaveURL(/kind=component$/);
  await expect(page.getByRole("searchbox")).toHaveValue("");
  await expect(page.getByTestId("catalog-count")).toHaveText("1–12 of 12 entities");
  await page.goBack();
  await expect(page).toHaveURL(/\/catalog$/);
  await expect(page.getByTestId("catalog-count")).toHaveText("1–25 of 49 entities");
  await page.goForward();
  await expect(page.getByTestId("catalog-count")).toHaveText("1–12 of 12 entities");
});

test("stars are kept in the browser and filter the table", async ({ page }) => {
  await page.goto("/catalog?kind=api");
  await hydrated(page);
  const row = page.locator('tr[data-ref="api:default/payments-api"]');
  await row.getByRole("button", { name: /Star/ }).click();
  await expect(row.locator(".star")).toHaveAttribute("aria-pressed", "true");
  await page.getByTestId("starred-filter").getByRole("link", { name: "Starred" }).click();
  await expect(page).toHaveURL(/starred=true/);
  await expect.poll(() => rows(page)).toEqual(["api:default/payments-api"]);
  // Rendered by the server from the cookie after a reload.
  await page.reload();
  expect(await rows(page)).toEqual(["api:default/payments-api"]);
  await hydrated(page);
  await page.locator('tr[data-ref="api:default/payments-api"] .star').click();
  await expect(page.getByTestId("catalog-empty")).toContainText("No starred entity");
});

test("each kind's entity page shows its details and relations", async ({ page }) => {
  const pages: [string, RegExp][] = [
    ["/catalog/default/component/checkout-service", /Provides APIs|Depends on/],
    ["/catalog/default/api/checkout-api", /Provided by/],
    ["/catalog/default/resource/assets-bucket", /Owner/],
    ["/catalog/default/system/developer-platform", /Has parts/],
    ["/catalog/default/domain/commerce", /Has parts/],
    ["/catalog/default/group/engineering", /Child groups|Members/],
    ["/catalog/default/user/ada.lovelace", /Member of/],
    ["/catalog/default/location/northwind-demo", /Targets/],
    ["/catalog/default/template/rust-service", /Open this template's form/],
  ];
  for (const [path, section] of pages) {
    await page.goto(path);
    await hydrated(page);
    const kind = path.split("/")[3];
    await expect(page.getByTestId("entity-kind")).toHaveText(new RegExp(`^${kind}$`, "i"));
    await expect(page.getByRole("heading", { level: 1 })).not.toBeEmpty();
    await expect(page.locator("article.entity")).toContainText(section);
  }
  // A Location lists the entities its targets hold (globs included).
  await page.goto("/catalog/default/location/northwind-demo");
  await expect(page.getByTestId("location-entities")).toContainText("Entities it holds (47)");
  await expect(page.getByTestId("location-entities").getByRole("link", { name: "Payments API" })).toBeVisible();
  // A Template's page leads to its form.
  await page.goto("/catalog/default/template/rust-service");
  await hydrated(page);
  await page.getByRole("link", { name: "Open this template's form" }).click();
  await expect(page).toHaveURL(/\/create\/templates\/default\/rust-service$/);
  await expect(page.getByRole("heading", { level: 2 })).toHaveText("About the service");
  // Related entities link to their pages.
  await page.goto("/catalog/default/api/checkout-api");
  await hydrated(page);
  await page.getByTestId("entity-owner").getByRole("link").click();
  await expect(page).toHaveURL(/\/catalog\/default\/group\//);
  await expect(page.getByTestId("entity-kind")).toHaveText("Group");
});

test("an entity page shows the raw entity as YAML and JSON", async ({ page }) => {
  await page.goto("/catalog/default/api/payments-api");
  await hydrated(page);
  await page.locator(".api-source summary").click();
  await expect(page.getByTestId("api-definition")).toContainText("openapi:");
  await page.getByTestId("raw-entity").locator("summary").click();
  await expect(page.getByTestId("raw-text")).toContainText("kind: API");
  await page.getByRole("button", { name: "JSON" }).click();
  await expect(page.getByTestId("raw-text")).toContainText('"kind": "API"');
  const json = JSON.parse(await page.getByTestId("raw-text").innerText());
  expect(json.metadata.name).toBe("payments-api");
  expect(json.metadata.uid).toBeTruthy();
});

test("API definitions are rendered for their type", async ({ page }) => {
  // OpenAPI: operations grouped by tag, each with parameters, body and responses.
  await page.goto("/catalog/default/api/payments-api");
  await hydrated(page);
  const openapi = page.getByTestId("openapi");
  await expect(openapi.locator('[data-tag="payments"]')).toBeVisible();
  const authorise = openapi.getByTestId("operation").filter({ hasText: "Authorise a payment" });
  await expect(authorise.locator(".method")).toHaveText("POST");
  await expect(authorise.locator(".operation__path")).toHaveText("/payments");
  await authorise.locator("summary").click();
  await expect(authorise).toContainText("Request body");
  await expect(authorise).toContainText("PaymentRequest");
  await expect(authorise).toContainText("201");
  // AsyncAPI: channels and their messages.
  await page.goto("/catalog/default/api/order-events");
  await expect(page.getByTestId("asyncapi").getByTestId("channel").first()).toContainText("orders.");
  await expect(page.getByTestId("asyncapi")).toContainText("OrderPlaced");
  // GraphQL and gRPC: the schema as highlighted text.
  for (const api of ["tracking-graphql", "fraud-scoring-grpc"]) {
    await page.goto(`/catalog/default/api/${api}`);
    const text = page.getByTestId("api-definition-text");
    await expect(text.locator(".tok-keyword").first()).toBeVisible();
    await expect(text.locator(".tok-type").first()).toBeVisible();
  }
});

test("an unknown entity says so", async ({ page }) => {
  await page.goto("/catalog/default/component/no-such-thing");
  await expect(page.getByTestId("entity-missing")).toContainText("no component named default/no-such-thing");
});

test.describe("with JavaScript off", () => {
  test.use({ javaScriptEnabled: false });

  test("the catalog and entity pages read and their links work", async ({ page }) => {
    await page.goto("/catalog");
    await expect(page.getByTestId("catalog-count")).toHaveText("1–25 of 49 entities");
    await facet(page, "Kind").locator('a[data-value="API"]').click();
    await expect(page.getByTestId("catalog-count")).toHaveText("1–6 of 6 entities");
    // The search box is a plain form that keeps the other filters.
    await page.getByRole("searchbox").fill("payments");
    await page.getByRole("searchbox").press("Enter");
    await expect(page).toHaveURL(/kind=api/);
    await expect(page).toHaveURL(/q=payments/);
    expect(await rows(page)).toContain("api:default/payments-api");
    await page.getByRole("link", { name: "Payments API" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toContainText("Payments API");
    await expect(page.locator(".relation-group").first()).toBeVisible();
    await expect(page.getByTestId("openapi")).toContainText("/payments");
  });
});

test("the catalog loads without the other pages' code, which comes when a page needs it", async ({ page }) => {
  const wasm: string[] = [];
  page.on("request", (request) => {
    const file = new URL(request.url()).pathname.split("/").pop() ?? "";
    if (file.endsWith(".wasm")) wasm.push(file);
  });
  await page.goto("/catalog?kind=component");
  await hydrated(page);
  expect(wasm, "only the main module").toEqual(["portico_bg.wasm"]);

  // Navigating in the browser to an entity page fetches that route's code, then shows it.
  await page.locator('[data-testid=catalog-table] tbody tr[data-ref="component:default/checkout-service"] a').first().click();
  await expect(page).toHaveURL(/\/catalog\/default\/component\/checkout-service$/);
  await expect(page.getByTestId("entity-kind")).toHaveText("Component");
  expect(wasm.some((file) => file.startsWith("split_") && file.includes("entity_route"))).toBe(true);
  // And the form showcase's route, with its own code, the same way.
  const before = wasm.length;
  await page.goto("/create/templates/default/form-showcase");
  await hydrated(page);
  expect(wasm.slice(before).some((file) => file.includes("template_route"))).toBe(true);
});

test("on a phone the facets fold behind a Filters button, the entities come first", async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto("/catalog");
  await hydrated(page);
  const kinds = facet(page, "Kind");
  await expect(kinds).toBeHidden();
  // The first rows are on the first screen.
  const firstRow = page.locator("[data-testid=catalog-table] tbody tr").first();
  const box = await firstRow.boundingBox();
  expect(box && box.y + box.height).toBeLessThan(740);
  await page.getByTestId("filters-toggle").click();
  await expect(kinds).toBeVisible();
  await kinds.locator('a.facet__value[data-value="API"]').click();
  await expect(page).toHaveURL(/kind=api/);
  await expect(page.getByTestId("catalog-count")).toHaveText("1–6 of 6 entities");
  // On a wide screen there is no button and the facets show.
  await page.setViewportSize({ width: 1280, height: 800 });
  await expect(page.getByTestId("filters-toggle")).toBeHidden();
  await expect(kinds).toBeVisible();
});

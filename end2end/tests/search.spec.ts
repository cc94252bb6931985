import { test, expect, hydrated } from "./fixtures";

/** Types `term` into the search page's box once it is interactive. */
async function searchFor(page, term: string) {
  await page.goto("/search");
  await hydrated(page);
  await page.getByTestId("search-term").fill(term);
  await expect(page.locator(".search-page__results")).toHaveAttribute("data-term", term.trim());
}

test("an entity is found by a misspelt name, as it is typed", async ({ page }) => {
  await searchFor(page, "paymnet gatewy");
  const first = page.locator(".search-hit").first();
  await expect(first).toHaveAttribute("data-ref", "component:default/payment-gateway");
  await expect(first.locator(".search-hit__facts")).toContainText("payments-team");
  await expect(page).toHaveURL(/\/search\?q=paymnet\+gatewy$/);
  await first.getByRole("link", { name: "Payment gateway" }).click();
  await expect(page).toHaveURL(/\/catalog\/default\/component\/payment-gateway$/);
});

test("a docs page is found by a phrase of its body, once, its section named", async ({ page }) => {
  await searchFor(page, '"does not undo database migrations"');
  const hits = page.locator(".search-hit");
  await expect(hits).toHaveCount(1);
  await expect(hits.first()).toHaveAttribute("data-type", "techdocs");
  await expect(hits.first().locator("mark").first()).toHaveText("does");
  await hits.first().getByRole("link", { name: "Rollbacks" }).click();
  await expect(page).toHaveURL(/\/docs\/default\/component\/web-shop\/runbooks\/rollbacks\//);
  await expect(page.getByTestId("doc-content")).toContainText("does not undo database migrations");
});

test("an API is found by an operation's path and by a schema's name", async ({ page }) => {
  await searchFor(page, "/payments/{paymentId}/refunds");
  let first = page.locator(".search-hit").first();
  await expect(first).toHaveAttribute("data-ref", "api:default/payments-api");
  await expect(first.locator(".search-hit__section")).toHaveText("POST /payments/{paymentId}/refunds");

  await page.getByTestId("search-term").fill("PaymentRequest");
  await expect(page.locator(".search-page__results")).toHaveAttribute("data-term", "PaymentRequest");
  first = page.locator(".search-hit").first();
  await expect(first).toHaveAttribute("data-ref", "api:default/payments-api");
  await expect(first.locator(".search-hit__section")).toHaveText("schema PaymentRequest");
  await first.getByRole("link").first().click();
  await expect(page).toHaveURL(/\/catalog\/default\/api\/payments-api#definition-heading$/);
  await expect(page.locator("#definition-heading")).toBeVisible();
});

test("results are filtered by type, the other types still counted", async ({ page }) => {
  await searchFor(page, "payments");
  const types = page.locator("nav[data-facet=type]");
  const apis = types.locator("[data-value=api-definition]");
  const count = Number(await apis.locator(".facet__count").innerText());
  expect(count).toBeGreaterThan(0);
  await apis.click();
  await expect(page).toHaveURL(/type=api-definition/);
  await expect(apis).toHaveAttribute("aria-pressed", "true");
  const hits = page.locator(".search-hit");
  await expect(hits).toHaveCount(count);
  for (const type of await hits.evaluateAll((all) => all.map((e) => e.getAttribute("data-type")))) {
    expect(type).toBe("api-definition");
  }
  await expect(types.locator("[data-value=software-catalog]")).toBeVisible();
});

test("the quick-open dialog works by keyboard alone and remembers searches", async ({ page }) => {
  await page.goto("/catalog");
  await hydrated(page);
  await page.keyboard.press("/");
  const dialog = page.getByTestId("quick-open");
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole("combobox")).toBeFocused();
  await page.keyboard.type("checkout api");
  const options = dialog.getByRole("option");
  await expect(options.first()).toContainText("Checkout API");
  await expect(options.first()).toHaveAttribute("aria-selected", "true");
  // One result under the other (the navigation's list styles stay out of the dialog).
  const first = await options.nth(0).boundingBox();
  const second = await options.nth(1).boundingBox();
  expect(second!.y).toBeGreaterThanOrEqual(first!.y + first!.height - 1);
  // Down to the second result and back up to the first, then open it.
  await page.keyboard.press("ArrowDown");
  await expect(options.nth(1)).toHaveAttribute("aria-selected", "true");
  await page.keyboard.press("ArrowUp");
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/\/catalog\/default\/api\/checkout-api$/);
  await expect(dialog).toHaveCount(0);

  // Ctrl-K opens it again with the search just made; Enter searches it again.
  await page.keyboard.press("Control+k");
  await expect(dialog).toBeVisible();
  await expect(options.first()).toContainText("checkout api");
  // The input takes the focus on the frame after the dialog appears; keys go there.
  await expect(dialog.getByRole("combobox")).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(dialog.getByRole("combobox")).toHaveValue("checkout api");
  await expect(options.first()).toContainText("Checkout API");
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);

  // "/" typed in a text field is text.
  await page.goto("/catalog");
  await hydrated(page);
  await page.getByRole("searchbox", { name: "Search the catalog" }).press("/");
  await expect(dialog).toHaveCount(0);
});

test("words typed before the page is interactive are searched once it is", async ({ page }) => {
  // The browser bundle arrives late, as on a slow connection.
  await page.route(/\.wasm$/, async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await route.continue();
  });
  await page.goto("/search", { waitUntil: "domcontentloaded" });
  await page.getByTestId("search-term").fill("paymnt");
  await hydrated(page);
  await expect(page).toHaveURL(/\/search\?q=paymnt$/);
  await expect(page.getByTestId("search-term")).toHaveValue("paymnt");
  await expect(page.locator(".search-page__results")).toHaveAttribute("data-term", "paymnt");
});

test.describe("with JavaScript off", () => {
  test.use({ javaScriptEnabled: false });

  test("the search page is a form, its results and facets links", async ({ page }) => {
    await page.goto("/search");
    await page.getByTestId("search-term").fill("rollbacks");
    await page.getByTestId("search-term").press("Enter");
    await expect(page).toHaveURL(/\/search\?q=rollbacks$/);
    await expect(page.locator(".search-hit[data-type=techdocs]").first()).toBeVisible();
    await page.locator("nav[data-facet=type] [data-value=techdocs]").click();
    await expect(page).toHaveURL(/q=rollbacks&type=techdocs/);
    await expect(page.getByTestId("search-term")).toHaveValue("rollbacks");
    // The "Search" link of the navigation is the page itself.
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Search" }).click();
    await expect(page).toHaveURL(/\/search$/);
    await expect(page.getByTestId("search-empty")).toBeVisible();
  });
});

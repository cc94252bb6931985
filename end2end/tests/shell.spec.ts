import { test, expect, hydrated } from "./fixtures";

test("the home page is rendered on the server", async ({ request }) => {
  const response = await request.get("/");
  expect(response.status()).toBe(200);
  // The HTML as sent, before any script runs: content, navigation and theme are there.
  // (Without the empty `<!>` comments Leptos leaves behind text for hydration.)
  const html = (await response.text()).replaceAll("<!>", "");
  expect(html).toContain("<h1>Your developer portal</h1>");
  for (const section of ["Catalog", "Create", "Docs", "Graph", "Search"]) {
    expect(html).toContain(`>${section}</a>`);
  }
  expect(html).toContain('data-theme="system"');
  // With no catalog configured, the server loads the built-in demo and says so.
  expect(html).toContain("demo catalog: Northwind");
  expect(html).toMatch(/\d+ entities in the catalog\./);
});

test.describe("with JavaScript off", () => {
  test.use({ javaScriptEnabled: false });

  test("the portal is readable and its links work", async ({ page }) => {
    await page.goto("/");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your developer portal");
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Docs" }).click();
    await expect(page).toHaveURL(/\/docs$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("Docs");
    await expect(page.locator("body[data-hydrated]")).toHaveCount(0);
  });
});

test("hydration makes the theme switch interactive", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  const html = page.locator("html");
  const themeSwitch = page.locator("#theme-switch");
  await expect(html).toHaveAttribute("data-theme", "system");
  await expect(themeSwitch).toHaveText(/System/);
  await themeSwitch.click();
  await expect(html).toHaveAttribute("data-theme", "light");
  await expect(themeSwitch).toHaveText(/Light/);
  await themeSwitch.click();
  await expect(html).toHaveAttribute("data-theme", "dark");
  await expect(themeSwitch).toHaveText(/Dark/);
});

test("navigation between pages does not reload the document", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  // A value on window survives client-side navigation and is lost on a full load.
  await page.evaluate(() => ((window as any).__porticoMarker = "still here"));
  const nav = page.getByRole("navigation", { name: "Main" });

  await nav.getByRole("link", { name: "Catalog" }).click();
  await expect(page).toHaveURL(/\/catalog$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Catalog");
  await expect(page).toHaveTitle("Catalog · Portico");
  await expect(nav.getByRole("link", { name: "Catalog" })).toHaveAttribute("aria-current", "page");

  await nav.getByRole("link", { name: "Graph" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Graph");
  await page.goBack();
  await expect(page).toHaveURL(/\/catalog$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Catalog");

  await page.getByRole("link", { name: "Portico" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Your developer portal");
  expect(await page.evaluate(() => (window as any).__porticoMarker)).toBe("still here");
});

test("the chosen theme persists across reloads", async ({ page }) => {
  await page.goto("/");
  await hydrated(page);
  const themeSwitch = page.locator("#theme-switch");
  await themeSwitch.click(); // light
  await themeSwitch.click(); // dark
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");

  await page.reload();
  // Rendered dark by the server from the cookie, before hydration…
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await hydrated(page);
  // …and the switch picks up from there.
  await expect(themeSwitch).toHaveText(/Dark/);
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(background).toBe("rgb(15, 17, 23)");

  await themeSwitch.click(); // back to system
  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "system");
});

test("the system's dark setting is followed until a theme is chosen", async ({ browser }) => {
  const context = await browser.newContext({ colorScheme: "dark" });
  const page = await context.newPage();
  await page.goto("/");
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(background).toBe("rgb(15, 17, 23)");
  await context.close();
});

test("an unknown path shows the 404 page", async ({ page }) => {
  const response = await page.goto("/no/such/page");
  expect(response?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("Page not found");
  await expect(page.getByTestId("not-found")).toContainText("/no/such/page");
});

test("the layout fits a phone screen", async ({ page }) => {
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto("/");
  await hydrated(page);
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBe(0);
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Search" })).toBeAttached();
  await expect(page.locator("#theme-switch")).toBeVisible();
});

import { createServer } from "node:http";
import { test, expect, hydrated } from "./fixtures";

// A portal people sign in to with a real OpenID Connect provider (oidc-provider, with
// its development login form: any login, any password). Guests may do nothing there.
const portal = `http://127.0.0.1:${process.env.PORTICO_E2E_IDENTITY_PORT}`;

/** Signs in through the provider as `login` from `path`, and returns where it ends. */
async function signIn(page: import("@playwright/test").Page, login: string, path = "/catalog?kind=api") {
  // The provider's login page asks a CDN for a font; nothing leaves this machine.
  await page.route(/^https:\/\//, (route) => route.fulfill({ status: 200, contentType: "text/css", body: "" }));
  await page.goto(`${portal}${path}`);
  // Guests are sent to sign in, and brought back afterwards.
  await expect(page).toHaveURL(/\/signin\?return=/);
  await hydrated(page);
  await page.getByRole("link", { name: "Sign in with Test IdP" }).click();
  // The provider's own login page.
  await expect(page.locator('input[name="login"]')).toBeVisible();
  await page.fill('input[name="login"]', login);
  await page.fill('input[name="password"]', "any password");
  await page.getByRole("button", { name: "Sign-in" }).click();
}

test("a person signs in with the provider, comes back where they were, and signs out", async ({ page }) => {
  await signIn(page, "ada.lovelace");
  await expect(page).toHaveURL(`${portal}/catalog?kind=api`);
  await hydrated(page);
  const menu = page.getByTestId("user-menu");
  await expect(menu).toContainText("Ada Lovelace");
  await page.screenshot({ path: "test-results/signed-in.png" });

  // The session cookie: HttpOnly, SameSite=Lax, not readable by the page's script.
  const cookies = await page.context().cookies(portal);
  const session = cookies.find((c) => c.name === "portico_session");
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe("Lax");
  expect(await page.evaluate(() => document.cookie)).not.toContain("portico_session");

  await menu.getByRole("button", { name: "Sign out" }).click();
  // Signed out, the portal sends the guest to sign in again.
  await expect(page).toHaveURL(/\/signin/);
  await expect(page.getByRole("link", { name: "Sign in with Test IdP" })).toBeVisible();
  expect((await page.context().cookies(portal)).find((c) => c.name === "portico_session")).toBeUndefined();
});

test("someone the catalog does not know is told so, and is not signed in", async ({ page }) => {
  await signIn(page, "mallory");
  await expect(page).toHaveURL(/\/signin\?failed=no-user/);
  await hydrated(page);
  await expect(page.getByTestId("sign-in-failure")).toContainText(
    "You signed in as mallory@northwind.example, but the catalog has no User entity for you",
  );
  await page.screenshot({ path: "test-results/sign-in-refused.png" });
  const response = await page.request.get(`${portal}/api/catalog/entities`);
  expect(response.status()).toBe(401);
});

test("another site cannot make a signed-in browser write", async ({ page }) => {
  await signIn(page, "grace.hopper");
  await expect(page.getByTestId("user-menu")).toContainText("Grace Hopper");
  // The browser's cookie goes with these requests, as it would with a form on another site.
  const forged = await page.request.post(`${portal}/api/catalog/refresh`, {
    headers: { origin: "https://evil.example" },
    data: { entityRef: "component:default/checkout-service" },
  });
  expect(forged.status()).toBe(403);
  expect((await forged.json()).error.message).toContain("cross-site request refused");
  const signOut = await page.request.post(`${portal}/auth/signout`, { headers: { origin: "https://evil.example" }, maxRedirects: 0 });
  expect(signOut.status()).toBe(403);
  // Still signed in.
  await page.reload();
  await expect(page.getByTestId("user-menu")).toContainText("Grace Hopper");
});

test("an answer the portal did not ask for is refused", async ({ page }) => {
  await page.goto(`${portal}/auth/test/callback?code=stolen&state=guessed`);
  await expect(page).toHaveURL(/\/signin\?failed=expired/);
  await expect(page.getByTestId("sign-in-failure")).toContainText("Please sign in again");
});

test("'Owned by me' shows what the signed-in person's teams own", async ({ page }) => {
  await signIn(page, "ada.lovelace", "/catalog?kind=component");
  await expect(page).toHaveURL(`${portal}/catalog?kind=component`);
  await hydrated(page);
  await page.getByTestId("starred-filter").getByRole("link", { name: "Owned by me" }).click();
  await expect(page).toHaveURL(`${portal}/catalog?kind=component&owned=true`);
  // Ada is in the storefront team.
  const table = page.locator("table");
  await expect(table.getByRole("link", { name: "Checkout service" })).toBeVisible();
  await expect(table).not.toContainText("payments-team");
  await page.screenshot({ path: "test-results/owned-by-me.png" });
});

test("the home page shows what the signed-in person owns and starred", async ({ page }) => {
  await signIn(page, "ada.lovelace", "/catalog/default/component/checkout-service");
  await expect(page).toHaveURL(`${portal}/catalog/default/component/checkout-service`);
  await hydrated(page);
  // The entity page is loaded lazily: its button may be taken over after the page.
  const star = page.locator("button.star[data-ready]").first();
  await star.click();
  await expect(star).toHaveAttribute("aria-pressed", "true");
  await page.goto(`${portal}/`);
  await hydrated(page);
  const owned = page.getByTestId("mine-owned");
  await expect(owned.getByRole("heading", { name: "Owned by you" })).toBeVisible();
  // Ada is in the storefront team, which owns the checkout service and the web shop.
  await expect(owned.getByRole("link", { name: "Checkout service" })).toBeVisible();
  await expect(page.getByTestId("mine-starred").getByRole("link", { name: "Checkout service" })).toBeVisible();
  await page.screenshot({ path: "test-results/home-mine.png", fullPage: true });
});

test("a person creates an API token, automation uses it, and revoking it ends it", async ({ page, request }) => {
  await signIn(page, "grace.hopper", "/tokens");
  await expect(page).toHaveURL(`${portal}/tokens`);
  await hydrated(page);
  await expect(page.locator("form.token-form[data-ready]")).toBeAttached();
  await page.getByLabel("What it is for").fill("catalog sync");
  await page.getByRole("button", { name: "Create token" }).click();
  const secret = await page.getByLabel("The new token").inputValue();
  expect(secret).toMatch(/^portico_/);
  const row = page.getByTestId("token-table").getByRole("row", { name: /catalog sync/ });
  await expect(row).toContainText("read");
  await expect(row).toContainText("active");

  const api = `${portal}/api/catalog/entities/by-name/component/default/checkout-service`;
  const headers = { Authorization: `Bearer ${secret}` };
  expect((await request.get(api, { headers })).status()).toBe(200);
  await page.screenshot({ path: "test-results/tokens.png", fullPage: true });

  await row.getByRole("button", { name: "Revoke catalog sync" }).click();
  await expect(row).toContainText("revoked");
  expect((await request.get(api, { headers })).status()).toBe(401);
});

test("without JavaScript, the form creates a token and the page shows its secret once", async ({ page, browser, request }) => {
  await signIn(page, "grace.hopper", "/tokens");
  await expect(page).toHaveURL(`${portal}/tokens`);
  const context = await browser.newContext({ javaScriptEnabled: false, storageState: await page.context().storageState() });
  const plain = await context.newPage();
  await plain.goto(`${portal}/tokens`);
  await plain.getByLabel("What it is for").fill("posted plainly");
  await plain.getByRole("button", { name: "Create token" }).click();
  // Sent back to the page (server functions' redirect leaves an empty query).
  await expect(plain).toHaveURL(/\/tokens\??$/);
  await expect(plain.getByTestId("new-token")).toContainText("Token “posted plainly” created");
  const secret = await plain.getByLabel("The new token").inputValue();
  expect(secret).toMatch(/^portico_/);
  const api = `${portal}/api/catalog/entities/by-name/component/default/checkout-service`;
  expect((await request.get(api, { headers: { Authorization: `Bearer ${secret}` } })).status()).toBe(200);
  // Once: the cookie that carried it is gone, and the page shows it no more.
  expect((await context.cookies(portal)).find((c) => c.name === "portico_new_token")).toBeUndefined();
  await plain.reload();
  await expect(plain.getByTestId("token-table")).toContainText("posted plainly");
  await expect(plain.getByTestId("new-token")).toHaveCount(0);
  await context.close();
});

test("admins read who did what in the audit log, filter it and export it; others may not", async ({ page, browser }) => {
  // Ada (storefront) tries to delete the payments team's fraud detector: refused, and recorded.
  await signIn(page, "ada.lovelace", "/catalog/default/component/fraud-detector");
  await expect(page.getByTestId("user-menu")).toContainText("Ada Lovelace");
  const detector = await (await page.request.get(`${portal}/api/catalog/entities/by-name/component/default/fraud-detector`)).json();
  const refused = await page.request.delete(`${portal}/api/catalog/entities/by-uid/${detector.metadata.uid}`, {
    headers: { origin: portal },
  });
  expect(refused.status()).toBe(403);
  // The log is not hers to read.
  const denied = await page.goto(`${portal}/admin/audit`);
  expect(denied?.status()).toBe(403);
  await expect(page.getByTestId("audit-refused")).toContainText("audit");

  // Margaret is in the platform team, the portal's admins.
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, "margaret.hamilton", "/admin/audit?who=ada.lovelace&result=refused");
  await expect(admin).toHaveURL(`${portal}/admin/audit?who=ada.lovelace&result=refused`);
  await hydrated(admin);
  await expect(admin.getByTestId("user-menu").getByRole("link", { name: "Audit log" })).toBeVisible();
  const rows = admin.getByTestId("audit-entry");
  // Newest first (a run against a kept database may have older ones).
  const deletion = rows.filter({ hasText: "catalog.entity.delete" }).first();
  await expect(deletion).toContainText("component:default/fraud-detector");
  await expect(deletion).toContainText("only admins or owners of component:default/fraud-detector may delete it");
  await expect(deletion).toContainText("127.0.0.1");
  await expect(rows.filter({ hasText: "audit.read" }).first()).toBeVisible();
  await admin.screenshot({ path: "test-results/audit-log.png", fullPage: true });

  // The filter form narrows further, and the URL keeps the view.
  await admin.getByLabel("Action").selectOption("catalog.entity.delete");
  await admin.getByRole("button", { name: "Filter" }).click();
  await expect(admin).toHaveURL(/action=catalog.entity.delete/);
  await expect(rows.filter({ hasText: "audit.read" })).toHaveCount(0);
  await expect(rows.first()).toContainText("component:default/fraud-detector");

  // The export is the same entries, as JSON lines.
  const href = await admin.getByTestId("audit-export").getAttribute("href");
  const exported = await admin.request.get(`${portal}${href}`);
  expect(exported.headers()["content-type"]).toBe("application/x-ndjson");
  const lines = (await exported.text()).trim().split("\n").map((line) => JSON.parse(line));
  expect(lines.length).toBe(await rows.count());
  for (const line of lines) {
    expect(line).toMatchObject({ actor: "user:default/ada.lovelace", action: "catalog.entity.delete", outcome: "refused" });
  }
});

test("what is in PCI scope is absent for everyone but its owners: no page, no row, no count", async ({ page, browser }) => {
  await signIn(page, "ada.lovelace", "/catalog/default/component/payment-gateway");
  await expect(page).toHaveURL(`${portal}/catalog/default/component/payment-gateway`);
  await hydrated(page);
  await expect(page.getByTestId("entity-missing")).toBeVisible();
  const direct = await page.request.get(`${portal}/catalog/default/component/payment-gateway`);
  expect(direct.status()).toBe(404);
  await page.screenshot({ path: "test-results/pci-hidden.png" });
  await page.goto(`${portal}/catalog?kind=component&q=payment`);
  await hydrated(page);
  await expect(page.getByRole("link", { name: "Payment gateway" })).toHaveCount(0);
  const api = await page.request.get(`${portal}/api/catalog/entities/by-query?filter=metadata.tags=pci`);
  expect((await api.json()).totalItems).toBe(0);

  // Alan is in the payments team, which owns it.
  const owner = await (await browser.newContext()).newPage();
  await signIn(owner, "alan.turing", "/catalog/default/component/payment-gateway");
  await expect(owner).toHaveURL(`${portal}/catalog/default/component/payment-gateway`);
  await hydrated(owner);
  await expect(owner.getByRole("heading", { name: "Payment gateway" })).toBeVisible();
  const theirs = await owner.request.get(`${portal}/api/catalog/entities/by-query?filter=metadata.tags=pci`);
  expect((await theirs.json()).totalItems).toBe(2);
});

test("an owner signs an embed link, and a wiki shows the widget to readers who are not signed in", async ({ page, browser }) => {
  // Alan's team owns the payment gateway, which is in PCI scope: only its owners read it.
  await signIn(page, "alan.turing", "/catalog/default/component/payment-gateway");
  await expect(page).toHaveURL(`${portal}/catalog/default/component/payment-gateway`);
  await hydrated(page);
  // The entity page is a lazy route, taken over after the rest: its star button says when.
  await expect(page.locator("button.star[data-ready]").first()).toBeAttached();
  const dialog = page.getByTestId("embed-dialog");
  await dialog.locator("summary").click();
  const snippets = dialog.getByTestId("embed-snippet");
  await expect(snippets).toHaveCount(6);
  await dialog.getByTestId("embed-sign").click();
  await expect(dialog.getByTestId("embed-sign-status")).toContainText("Signed: anyone with these snippets sees this widget");
  // The loader, element and iframe carry the link; oEmbed and badges are not signed.
  await expect(snippets).toHaveCount(3);
  const loader = (await snippets.first().locator("code").textContent()) ?? "";
  const signed = /data-signed="([^"]+)"/.exec(loader)?.[1];
  expect(signed, loader).toMatch(/^\d+\.[A-Za-z0-9_-]+\.user:default\/alan\.turing$/);
  await expect(page.frameLocator("[data-testid=embed-preview]").getByTestId("embed-card")).toContainText("Payment gateway");
  await dialog.screenshot({ path: "test-results/embed-signed.png" });
  // A link is for one widget: choosing another asks for a new one.
  await dialog.getByTestId("embed-widget").selectOption({ label: "docs" });
  await expect(snippets).toHaveCount(4);
  await dialog.getByTestId("embed-sign").click();
  await expect(snippets).toHaveCount(3);
  const docsLoader = (await snippets.first().locator("code").textContent()) ?? "";
  const docsSigned = /data-signed="([^"]+)"/.exec(docsLoader)?.[1];
  expect(docsSigned).not.toBe(signed);

  // A wiki on another origin, read in a browser that has never signed in to the portal.
  const wikiPort = Number(process.env.PORTICO_E2E_SIGNED_WIKI_PORT);
  const wiki = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Payments wiki</title></head><body>
    <h1>Payments</h1>
    <div id="signed" data-portico-widget="card" data-entity="component:default/payment-gateway" data-signed="${signed}"></div>
    <div id="unsigned" data-portico-widget="card" data-entity="component:default/payment-gateway"></div>
    <div id="moved" data-portico-widget="owner" data-entity="component:default/payment-gateway" data-signed="${signed}"></div>
    <div id="docs" data-portico-widget="docs" data-entity="component:default/payment-gateway" data-signed="${docsSigned}"></div>
    <script src="${portal}/embed.js" async></script></body></html>`;
  const server = createServer((_, response) => {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end(wiki);
  });
  await new Promise<void>((done) => server.listen(wikiPort, "127.0.0.1", done));
  try {
    const reader = await (await browser.newContext()).newPage();
    await reader.goto(`http://127.0.0.1:${wikiPort}/`);
    const frame = (id: string) => reader.frameLocator(`#${id} iframe`);
    await expect(frame("signed").getByTestId("embed-card")).toContainText("Payment gateway");
    await expect(frame("unsigned").locator("body")).toContainText("Sign-in required");
    await expect(frame("moved").locator("body")).toContainText("Link not valid");
    await expect(frame("unsigned").locator("body")).not.toContainText("Payment gateway");
    // The docs page's images come through the same link.
    const diagram = frame("docs").locator('img[src*="img/flow.svg"]');
    await expect(diagram).toBeVisible();
    await expect.poll(() => diagram.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(0);
    // The reader has no session: the link alone showed the card.
    expect((await reader.context().cookies(portal)).find((c) => c.name === "portico_session")).toBeUndefined();
    await reader.screenshot({ path: "test-results/embed-signed-wiki.png" });
  } finally {
    await new Promise((done) => server.close(done));
  }
});

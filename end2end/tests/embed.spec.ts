// Badges as a README or a wiki shows them: every badge of an entity, from its specs,
// loads as an image in Chromium, parses as XML, and entity text stays text.
import { test, expect } from "./fixtures";

const entity = "/api/badges/entity/default/component/checkout-service";

test("every badge of an entity is well-formed SVG that loads as an image", async ({ page, request }) => {
  const specs = await (await request.get(`${entity}/badge-specs`)).json();
  expect(specs.map((spec: { id: string }) => spec.id)).toEqual(["pingback", "lifecycle", "owner", "type", "docs"]);
  const urls: string[] = [];
  for (const spec of specs) {
    for (const style of ["flat", "flat-square", "for-the-badge"]) {
      urls.push(`${spec.url}?style=${style}`);
    }
  }
  // The same markup a wiki page would hold: images only.
  await page.setContent(`<!doctype html><body style="margin:1rem">${urls.map((url) => `<p><img src="${url}" alt=""></p>`).join("")}</body>`);
  const sizes = await page.locator("img").evaluateAll((images) =>
    Promise.all(
      (images as HTMLImageElement[]).map((image) =>
        image.decode().then(
          () => [image.naturalWidth, image.naturalHeight],
          () => [0, 0],
        ),
      ),
    ),
  );
  for (const [index, [width, height]] of sizes.entries()) {
    expect(width, urls[index]).toBeGreaterThan(20);
    expect([20, 28], urls[index]).toContain(height);
  }
  await page.screenshot({ path: "test-results/badges.png", fullPage: true });

  // Parsed as XML by the browser: no parser error, an <svg> root, titles as text.
  for (const url of urls) {
    const text = await (await request.get(url)).text();
    const parsed = await page.evaluate((svg) => {
      const doc = new DOMParser().parseFromString(svg, "image/svg+xml");
      return {
        root: doc.documentElement.nodeName,
        errors: doc.getElementsByTagName("parsererror").length,
        scripts: doc.getElementsByTagName("script").length,
      };
    }, text);
    expect(parsed, url).toEqual({ root: "svg", errors: 0, scripts: 0 });
  }
});

test("an entity that does not exist is a red not-found badge with a 404", async ({ request }) => {
  const response = await request.get("/api/badges/entity/default/component/no-such-entity/badge/lifecycle");
  expect(response.status()).toBe(404);
  expect(response.headers()["content-type"]).toBe("image/svg+xml; charset=utf-8");
  expect(await response.text()).toContain(">not found</text>");
  const json = await request.get("/api/badges/entity/default/component/no-such-entity/badge/lifecycle?format=json");
  expect(await json.json()).toMatchObject({ schemaVersion: 1, isError: true, message: "not found" });
});

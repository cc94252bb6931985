// Takes the README's screenshots from a running Portico with the demo catalog:
//   node end2end/bench/screenshots.mjs http://127.0.0.1:3000 docs/screenshots
// (It creates one task from the form showcase template, for the task page.)
import { chromium } from "playwright";

const [base = "http://127.0.0.1:3000", out = "docs/screenshots"] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu"],
});

const created = await fetch(`${base}/api/scaffolder/v2/tasks`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({
    templateRef: "template:default/form-showcase",
    values: {
      name: `shop-api-${Date.now().toString(36)}`,
      email: "ada@northwind.example",
      tier: "gold",
      owner: "group:default/platform-team",
      contact: { displayName: "Ada" },
    },
  }),
});
const { id: task } = await created.json();
await new Promise((resolve) => setTimeout(resolve, 4000)); // the showcase pauses 3 s

const shots = [
  ["catalog", "/catalog?kind=component&sort=name", null],
  ["entity", "/catalog/default/api/payments-api", async (page) => page.locator(".operation summary").first().click()],
  ["template", "/create/templates/default/form-showcase", async (page) => {
    await page.locator("#field-name").pressSequentially("Shop API");
    await page.locator("#field-email").pressSequentially("ada@northwind");
    await page.locator("#field-name").focus();
  }],
  ["task", `/create/tasks/${task}`, null],
];
for (const scheme of ["light", "dark"]) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: scheme });
  for (const [name, path, act] of shots) {
    await page.goto(base + path);
    await page.waitForSelector("body[data-hydrated]");
    if (act) await act(page);
    await page.screenshot({ path: `${out}/${name}-${scheme}.png` });
  }
  await page.close();
}
await browser.close();

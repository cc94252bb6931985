// Takes the README's screenshots from a running Portico with the demo catalog:
//   node end2end/bench/screenshots.mjs http://127.0.0.1:3000 docs/screenshots
import { chromium } from "playwright";

const [base = "http://127.0.0.1:3000", out = "docs/screenshots"] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu"],
});
const shots = [
  ["catalog", "/catalog?kind=component&sort=name", null],
  ["entity", "/catalog/default/api/payments-api", ".operation summary"],
];
for (const scheme of ["light", "dark"]) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, colorScheme: scheme });
  for (const [name, path, open] of shots) {
    await page.goto(base + path);
    await page.waitForSelector("body[data-hydrated]");
    if (open) await page.locator(open).first().click();
    await page.screenshot({ path: `${out}/${name}-${scheme}.png` });
  }
  await page.close();
}
await browser.close();

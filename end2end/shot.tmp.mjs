// node shot.tmp.mjs URL OUT [width] [js=1] [scrollToSelector]
import { chromium } from "@playwright/test";
const [url, out, width = "1400", js = "1", scroll] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium" });
const page = await browser.newPage({ viewport: { width: Number(width), height: 900 }, javaScriptEnabled: js === "1" });
page.on("console", (m) => { if (m.type() === "error") console.log("console:", m.text()); });
page.on("pageerror", (e) => console.log("pageerror:", e.message));
await page.goto(url, { waitUntil: "networkidle" });
if (scroll) await page.locator(scroll).first().scrollIntoViewIfNeeded();
await page.screenshot({ path: out, fullPage: false });
await browser.close();

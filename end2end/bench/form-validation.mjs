// Keystroke → validation message on a 30-field template form, for BENCHMARKS.md (not a
// test: it prints numbers). Self-contained: writes a 30-field template to a temporary
// catalog, starts the release `portico` on it, and drives headless Chromium. Usage, from
// end2end/:
//   node bench/form-validation.mjs [keystrokes]
// Each keystroke types into one field a value that breaks (or, next time, satisfies) its
// pattern; measured in the page from the input event to (a) the field's messages
// updated in the DOM and (b) the next frame after that. Prints median, p95 and max.
import { chromium } from "playwright";
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const keystrokes = Number(process.argv[2] ?? 200);
const root = resolve(import.meta.dirname, "../..");
const target = process.env.CARGO_TARGET_DIR ?? join(root, "target");
const dir = mkdtempSync(join(tmpdir(), "portico-form-bench-"));

// 30 fields of every kind the validator checks: patterns, lengths, formats, numbers,
// enums, lists, a nested object.
const properties = {};
for (let i = 1; i <= 12; i++) {
  properties[`text${i}`] = { title: `Text ${i}`, type: "string", pattern: "^[a-z][a-z0-9-]*$", minLength: 3, maxLength: 40 };
}
for (let i = 1; i <= 6; i++) properties[`number${i}`] = { title: `Number ${i}`, type: "integer", minimum: 1, maximum: 100, default: 5 };
for (let i = 1; i <= 4; i++) properties[`email${i}`] = { title: `Email ${i}`, type: "string", format: "email" };
for (let i = 1; i <= 3; i++) properties[`choice${i}`] = { title: `Choice ${i}`, type: "string", enum: ["a", "b", "c"], default: "a" };
properties.tags = { title: "Tags", type: "array", ui_field: undefined, items: { type: "string" } };
properties.flags = { title: "Flags", type: "array", items: { enum: ["x", "y", "z"] }, uniqueItems: true, "ui:widget": "checkboxes" };
properties.owner = { title: "Owner", type: "string", "ui:field": "OwnerPicker" };
properties.contact = { title: "Contact", type: "object", properties: { name: { title: "Contact name", type: "string", minLength: 2 } } };
properties.notes = { title: "Notes", type: "string", "ui:widget": "textarea", maxLength: 500 };
const template = {
  apiVersion: "scaffolder.backstage.io/v1beta3",
  kind: "Template",
  metadata: { name: "thirty-fields", title: "Thirty fields" },
  spec: {
    type: "service",
    parameters: [{ title: "All fields", required: ["text1", "text2", "email1"], properties }],
    steps: [{ id: "log", action: "debug:log", input: { message: "hi" } }],
  },
};
writeFileSync(join(dir, "template.yaml"), JSON.stringify(template, null, 2));
const fieldCount = Object.keys(properties).length + 1; // the contact's own field

const port = 3190 + Math.floor(Math.random() * 50);
const server = spawn(join(target, "release", "portico"), [
  "serve", "--addr", `127.0.0.1:${port}`, "--database-url", `sqlite://${join(dir, "p.db")}`,
  "--catalog", join(dir, "template.yaml"),
], { env: { ...process.env, RUST_LOG: "warn" }, stdio: "inherit" });
const base = `http://127.0.0.1:${port}`;
for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${base}/readyz`)).ok) break;
  } catch {}
  if (i > 100) throw new Error("the server did not start");
  await new Promise((r) => setTimeout(r, 100));
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const page = await browser.newPage();
await page.goto(`${base}/create/templates/default/thirty-fields`);
await page.locator("body[data-hydrated]").waitFor({ state: "attached", timeout: 15000 });
const shown = await page.locator(".wizard__page .field").count();
const timings = await page.evaluate(async (count) => {
  const dom = [];
  const frame = [];
  const fields = Array.from({ length: 12 }, (_, i) => `text${i + 1}`);
  for (let i = 0; i < count; i++) {
    const name = fields[i % fields.length];
    const input = document.getElementById(`field-${name}`);
    const errors = document.getElementById(`field-${name}-errors`);
    const bad = Math.floor(i / fields.length) % 2 === 0;
    const settled = () => (bad ? errors.children.length > 0 : errors.children.length === 0);
    const start = performance.now();
    const updated = new Promise((resolve) => {
      const observer = new MutationObserver(() => {
        if (settled()) {
          observer.disconnect();
          resolve(performance.now());
        }
      });
      observer.observe(errors, { childList: true, subtree: true });
    });
    input.value = bad ? "Not Valid!" : `valid-name-${i}`;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    const at = settled() ? performance.now() : await updated;
    dom.push(at - start);
    await new Promise((r) => requestAnimationFrame(() => r()));
    frame.push(performance.now() - start);
  }
  return { dom, frame };
}, keystrokes);
await browser.close();
server.kill();

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  return `median ${q(0.5).toFixed(2)} ms, p95 ${q(0.95).toFixed(2)} ms, max ${s[s.length - 1].toFixed(2)} ms`;
};
console.log(`form with ${fieldCount} fields (${shown} drawn on the page), ${keystrokes} keystrokes`);
console.log(`keystroke → message in the DOM:   ${stats(timings.dom)}`);
console.log(`keystroke → next frame painted:   ${stats(timings.frame)}`);

// An entity whose descriptor breaks keeps its last good version, and its page shows the
// processing problem with file and line. On the second test server (its own catalog
// folder, see playwright.config.ts), with a file this test writes.
import { test, expect, hydrated } from "./fixtures";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const base = `http://127.0.0.1:${process.env.PORTICO_E2E_WRITES_PORT}`;
const dir = process.env.PORTICO_E2E_WRITES_DIR!;

const descriptor = (owner: string) => `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: problem-child
  description: Breaks on purpose
spec:
  type: service
  lifecycle: production
${owner}`;

test("processing problems are shown on the entity page", async ({ page, request }) => {
  mkdirSync(join(dir, "problems"), { recursive: true });
  const file = join(dir, "problems", "catalog-info.yaml");
  writeFileSync(file, descriptor("  owner: team-writes\n"));
  const added = await request.post(`${base}/api/catalog/locations`, { data: { type: "file", target: file } });
  expect(added.status()).toBe(201);

  await page.goto(`${base}/catalog/default/component/problem-child`);
  await hydrated(page);
  await expect(page.getByTestId("entity-problems")).toHaveCount(0);

  // The owner goes missing: the next read records a problem at its line.
  writeFileSync(file, descriptor(""));
  const refreshed = await request.post(`${base}/api/catalog/refresh`, {
    data: { entityRef: "component:default/problem-child" },
  });
  expect(refreshed.ok()).toBeTruthy();

  await page.reload();
  await hydrated(page);
  const problems = page.getByTestId("entity-problems");
  await expect(problems).toContainText("spec.owner is required for kind Component");
  await expect(problems).toContainText(`${file}:`);
  // The last good version is still what the page shows.
  await expect(page.getByTestId("entity-owner")).toContainText("team-writes");
});

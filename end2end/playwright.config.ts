import { defineConfig } from "@playwright/test";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

// The suite runs against the release `portico` binary on a fresh SQLite database, in
// Debian's Chromium (never a downloaded browser). `.ci/test` builds both first.
const root = resolve(__dirname, "..");
const target = process.env.CARGO_TARGET_DIR ?? join(root, "target");
const port = Number(process.env.PORTICO_E2E_PORT ?? 3123);
const database = join(mkdtempSync(join(tmpdir(), "portico-e2e-")), "portico.db");

export default defineConfig({
  testDir: "tests",
  fullyParallel: true,
  workers: 2,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [["list"]],
  timeout: 30_000,
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  projects: [{ name: "chromium" }],
  webServer: {
    command: `${join(target, "release", "portico")} serve --addr 127.0.0.1:${port} --database-url sqlite://${database}`,
    url: `http://127.0.0.1:${port}/readyz`,
    cwd: root,
    env: { PORTICO_SITE_ROOT: join(target, "site"), RUST_LOG: "warn" },
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe",
    stderr: "pipe",
  },
});

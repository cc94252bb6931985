import { defineConfig } from "@playwright/test";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

// The suite runs against the release `portico` binary on a fresh SQLite database, in
// Debian's Chromium (never a downloaded browser). `.ci/test` builds both first.
const root = resolve(__dirname, "..");
const target = process.env.CARGO_TARGET_DIR ?? join(root, "target");
const port = Number(process.env.PORTICO_E2E_PORT ?? 3123);

// The folders this file makes for the servers (databases, catalogs, Git repositories).
// Playwright evaluates it again in each worker: each folder is made once, by the first
// evaluation (the main process), and found through the environment by the others; the
// main process removes them when it exits, after the servers have stopped.
const made: string[] = [];
function temporary(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
process.on("exit", () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

const databaseDir = process.env.PORTICO_E2E_DIR ?? temporary("portico-e2e-");
process.env.PORTICO_E2E_DIR = databaseDir;
const database = join(databaseDir, "portico.db");

// A second server on a catalog of its own, for tests that register and remove things
// (the demo catalog of the first stays as the other tests expect it).
const writesPort = port + 1;
const writesDir = process.env.PORTICO_E2E_WRITES_DIR ?? writeCatalog();

function writeCatalog(): string {
  const dir = temporary("portico-e2e-writes-");
  const team = `apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: team-writes
spec:
  type: team
  children: []
`;
  writeFileSync(join(dir, "catalog-info.yaml"), team);
  mkdirSync(join(dir, "extra"));
  writeFileSync(
    join(dir, "extra", "catalog-info.yaml"),
    ["extra-service", "extra-worker"]
      .map(
        (name) => `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ${name}
spec:
  type: service
  lifecycle: experimental
  owner: team-writes
`,
      )
      .join("---\n"),
  );
  return dir;
}
process.env.PORTICO_E2E_WRITES_DIR = writesDir;
process.env.PORTICO_E2E_WRITES_PORT = String(writesPort);

// A third server on the demo catalog for the template tests: their tasks register new
// components, and push to bare Git repositories in a folder of their own.
const tasksPort = port + 2;
const tasksDir = process.env.PORTICO_E2E_TASKS_DIR ?? temporary("portico-e2e-tasks-");
process.env.PORTICO_E2E_TASKS_DIR = tasksDir;
process.env.PORTICO_E2E_TASKS_PORT = String(tasksPort);

// A fourth server on Backstage's example catalog and organisation, for the comparison
// with Backstage's own answers (oracle/backstage-answers.json).
const oraclePort = port + 3;
const examples = resolve(root, "../shared/fixtures/backstage/catalog-examples");
const oracleDir = process.env.PORTICO_E2E_ORACLE_DIR ?? temporary("portico-e2e-oracle-");
process.env.PORTICO_E2E_ORACLE_DIR = oracleDir;
process.env.PORTICO_E2E_ORACLE_PORT = String(oraclePort);
process.env.PORTICO_E2E_EXAMPLES = examples;

// A fifth server for TechDocs: Backstage's example doc set, and one of our own that
// tries to run script and to read outside its folder.
const docsPort = port + 4;
const docsDir = process.env.PORTICO_E2E_DOCS_DIR ?? writeHostileDocs();
process.env.PORTICO_E2E_DOCS_DIR = docsDir;
process.env.PORTICO_E2E_DOCS_PORT = String(docsPort);
const techdocsExample = resolve(root, "../shared/fixtures/backstage/techdocs-example/documented-component");

function writeHostileDocs(): string {
  const dir = temporary("portico-e2e-docs-");
  writeFileSync(join(dir, "secret.txt"), "TOP-SECRET-CONTENT\n");
  const set = join(dir, "catalog");
  mkdirSync(join(set, "docs"), { recursive: true });
  writeFileSync(
    join(set, "catalog-info.yaml"),
    `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: hostile-docs
  annotations:
    backstage.io/techdocs-ref: dir:.
spec:
  type: service
  lifecycle: experimental
  owner: guest
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: hostile-title
  title: "<script>window.__xss = 'title'</script>"
  description: "<img src=x onerror=window.__xss='description'>"
spec:
  type: service
  lifecycle: experimental
  owner: guest
  dependsOn: [component:hostile-docs]
`,
  );
  writeFileSync(join(set, "mkdocs.yml"), "site_name: Hostile docs\nmarkdown_extensions: [pymdownx.snippets]\n");
  writeFileSync(
    join(set, "docs", "index.md"),
    [
      "# Hostile",
      "",
      "<script>window.__xss = 'script'</script>",
      "",
      '<img src="x" onerror="window.__xss = \'onerror\'">',
      "",
      "[click me](javascript:window.__xss='link')",
      "",
      "Shown as text: `<script>alert(1)</script>`",
      "",
      "![secret](../../secret.txt)",
      "",
      "```",
      '--8<-- "../secret.txt"',
      "```",
      "",
    ].join("\n"),
  );
  return dir;
}

// An "intranet" site on two more ports, served by the widget tests themselves: the
// first may embed the portal's widgets (main and docs servers), the second may not.
const wikiOrigin = `http://127.0.0.1:${port + 7}`;
process.env.PORTICO_E2E_WIKI_PORT = String(port + 7);
process.env.PORTICO_E2E_STRANGER_PORT = String(port + 8);

// A sixth server that people sign in to, with a real OpenID Connect provider (the
// `oidc-provider` package, started from oidc/provider.mjs) on the port after it. Its
// guests may do nothing: everyone is sent to sign in. The platform team are its admins,
// and what is in PCI scope (tagged `pci`) only its owners read.
const identityPort = port + 5;
const providerPort = port + 6;
const identityDir = process.env.PORTICO_E2E_IDENTITY_DIR ?? writeIdentityConfig();
process.env.PORTICO_E2E_IDENTITY_DIR = identityDir;
process.env.PORTICO_E2E_IDENTITY_PORT = String(identityPort);
process.env.PORTICO_E2E_PROVIDER_PORT = String(providerPort);
// A wiki of its own for the identity tests' signed widget links (they run beside the
// widget tests, whose wiki has the port before it).
const signedWikiPort = port + 9;
process.env.PORTICO_E2E_SIGNED_WIKI_PORT = String(signedWikiPort);

function writeIdentityConfig(): string {
  const dir = temporary("portico-e2e-identity-");
  writeFileSync(
    join(dir, "portico.toml"),
    [
      "[auth]",
      'admin_groups = ["group:default/platform-team"]',
      "",
      "[[auth.providers]]",
      'id = "test"',
      'name = "Test IdP"',
      `issuer = "http://127.0.0.1:${providerPort}"`,
      'client_id = "portico"',
      'client_secret_env = "PORTICO_E2E_CLIENT_SECRET"',
      "",
      // The default policy, with what is in PCI scope readable only by its owners.
      "[[policy]]",
      'effect = "allow"',
      'actions = ["*"]',
      "when = { admin = true }",
      "",
      "[[policy]]",
      'effect = "deny"',
      'actions = ["catalog.entity.read", "docs.read"]',
      'when = { tags = ["pci"], owner = false }',
      'reason = "in PCI scope: only its owners may read it"',
      "",
      "[[policy]]",
      'effect = "allow"',
      'actions = ["catalog.entity.read", "scaffolder.task.read", "docs.read"]',
      "",
      "[[policy]]",
      'effect = "allow"',
      'actions = ["catalog.location.create", "scaffolder.template.run", "catalog.entity.refresh"]',
      "when = { signed_in = true }",
      "",
      "[[policy]]",
      'effect = "allow"',
      'actions = ["catalog.entity.delete", "scaffolder.task.cancel", "embed.sign"]',
      "when = { owner = true }",
      "",
    ].join("\n"),
  );
  return dir;
}

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
  webServer: [
    server(port, database, ["--embed-origin", wikiOrigin]),
    server(writesPort, join(writesDir, "portico.db"), ["--catalog", join(writesDir, "catalog-info.yaml")]),
    server(tasksPort, join(tasksDir, "portico.db"), [
      "--git-host",
      `git.northwind.example=${join(tasksDir, "git")}`,
      "--work-dir",
      join(tasksDir, "work"),
    ]),
    server(docsPort, join(docsDir, "portico.db"), [
      "--catalog",
      join(docsDir, "catalog", "catalog-info.yaml"),
      "--catalog",
      join(techdocsExample, "catalog-info.yaml"),
      "--embed-origin",
      wikiOrigin,
    ]),
    server(oraclePort, join(oracleDir, "portico.db"), [
      "--catalog",
      join(examples, "all.yaml"),
      "--catalog",
      join(examples, "acme-corp.yaml"),
    ]),
    {
      ...server(identityPort, join(identityDir, "portico.db"), [
        "--config",
        join(identityDir, "portico.toml"),
        "--embed-origin",
        `http://127.0.0.1:${signedWikiPort}`,
      ]),
      env: {
        RUST_LOG: "warn",
        PORTICO_E2E_CLIENT_SECRET: "portico-test-secret",
        PORTICO_EMBED_KEY: "e2e-embed-key-of-at-least-32-bytes!",
      },
    },
    {
      command: `node oidc/provider.mjs ${providerPort} http://127.0.0.1:${identityPort}/auth/test/callback`,
      url: `http://127.0.0.1:${providerPort}/.well-known/openid-configuration`,
      cwd: __dirname,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: "pipe" as const,
      stderr: "pipe" as const,
    },
  ],
});

// `portico serve` on `port`, a SQLite file, and `args`, ready once /readyz answers.
function server(port: number, database: string, args: string[]) {
  return {
    command: [join(target, "release", "portico"), "serve", "--addr", `127.0.0.1:${port}`, "--database-url", `sqlite://${database}`, ...args].join(" "),
    url: `http://127.0.0.1:${port}/readyz`,
    cwd: root,
    env: { RUST_LOG: "warn" },
    reuseExistingServer: false,
    timeout: 60_000,
    stdout: "pipe" as const,
    stderr: "pipe" as const,
  };
}

// Writes down what Backstage answers: runs Backstage's own catalog backend (from npm, see
// package.json) on a throwaway PostgreSQL cluster with Backstage's example catalog and
// organisation, makes every call of catalog-calls.cjs with the catalog client the tests
// use, and writes the normalised answers to backstage-answers.json. The Playwright test
// catalog-oracle.spec.ts makes the same calls to Portico and compares.
//
//   cd end2end/oracle && npm ci && node record.mjs
//
// Needs PostgreSQL's server binaries (Debian's postgresql). Nothing else is downloaded.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync, chmodSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const { CatalogClient } = require("@backstage/catalog-client"); // end2end's own copy
const { calls, normalise } = require("./catalog-calls.cjs");

export const examples = resolve(here, "../../../shared/fixtures/backstage/catalog-examples");
const locations = [join(examples, "all.yaml"), join(examples, "acme-corp.yaml")];

const freePort = () =>
  new Promise((done) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => done(port));
    });
  });

// PostgreSQL refuses to run as root: the cluster belongs to `postgres` then.
const asPostgres = (program, args) =>
  process.getuid() === 0 ? ["runuser", ["-u", "postgres", "--", program, ...args]] : [program, args];
const run = (program, args) => execFileSync(...asPostgres(program, args), { stdio: "pipe" });

const bin = join("/usr/lib/postgresql", readdirSync("/usr/lib/postgresql").sort().at(-1), "bin");
const dir = mkdtempSync(join(tmpdir(), "backstage-oracle-"));
chmodSync(dir, 0o777);
const data = join(dir, "data");
const pgPort = await freePort();
run(join(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
run(join(bin, "pg_ctl"), ["-D", data, "-l", join(dir, "log"), "-w", "-o", `-p ${pgPort} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, "start"]);

const port = await freePort();
const config = join(dir, "app-config.yaml");
writeFileSync(
  config,
  `backend:
  baseUrl: http://127.0.0.1:${port}
  listen: { host: 127.0.0.1, port: ${port} }
  database:
    client: pg
    connection: { host: 127.0.0.1, port: ${pgPort}, user: postgres }
  auth:
    dangerouslyDisableDefaultAuthPolicy: true
catalog:
  rules:
    - allow: [AiResource, Component, System, API, Resource, Location, Domain, Group, User, Template]
  locations:
${locations.map((target) => `    - { type: file, target: ${JSON.stringify(target)} }`).join("\n")}
`,
);
const backstage = spawn(process.execPath, [join(here, "backstage.cjs"), "--config", config], {
  cwd: here,
  stdio: ["ignore", "ignore", "inherit"],
});

try {
  const base = `http://127.0.0.1:${port}/api/catalog`;
  const client = new CatalogClient({ discoveryApi: { getBaseUrl: async () => base } });
  // Ready when the catalog has stopped growing and every entity is stitched (has its
  // relations) for three seconds in a row.
  let last = "";
  let steady = 0;
  for (let tries = 0; steady < 3; tries++) {
    if (tries > 180) throw new Error("Backstage did not settle within 3 minutes");
    await new Promise((done) => setTimeout(done, 1000));
    const answer = await fetch(`${base}/entities?fields=metadata.name,relations`).catch(() => null);
    if (!answer?.ok) continue;
    const now = JSON.stringify(await answer.json());
    steady = now === last && now.length > 2 ? steady + 1 : 0;
    last = now;
  }
  const answers = {};
  for (const [name, call] of Object.entries(calls)) {
    answers[name] = normalise(await call(client), examples);
  }
  writeFileSync(join(here, "backstage-answers.json"), `${JSON.stringify(answers, null, 1)}\n`);
  console.log(`wrote ${Object.keys(answers).length} answers to backstage-answers.json`);
} finally {
  backstage.kill();
  run(join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "stop"]);
  rmSync(dir, { recursive: true, force: true });
}

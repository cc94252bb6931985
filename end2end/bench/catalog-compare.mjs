// Catalog reads side by side with Node's fetch: the same requests as the catalog bench's
// `--server` mode (server/benches/catalog.rs), sent to each server in turn, so that a
// slow moment of the machine hits all of them. A server's own time is a request's p50
// minus the p50 of its trivial health request in the same run. Prints ms.
//
//   node end2end/bench/catalog-compare.mjs REQUESTS NAME=http://HOST:PORT/HEALTH_PATH…
//
// .ci/bench-backstage runs it with Portico and Backstage's catalog backend.
const [requestsArg, ...serverArgs] = process.argv.slice(2);
const requests = Number(requestsArg);
if (!requests || serverArgs.length < 2) {
  console.error("usage: catalog-compare.mjs REQUESTS NAME=http://HOST:PORT/HEALTH_PATH NAME=…");
  process.exit(2);
}
const servers = serverArgs.map((arg) => {
  const [name, url] = arg.split(/=(.*)/s);
  const { origin, pathname } = new URL(url);
  return { name, origin, health: pathname };
});

const get = async (url) => {
  const response = await fetch(url);
  const body = await response.text();
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${body.slice(0, 200)}`);
  return body;
};

const api = "/api/catalog";
const first = JSON.parse(await get(`${servers[0].origin}${api}/entities/by-query?filter=kind=component&limit=1`));
const component = first.items[0].metadata.name;
const compared = [
  ["by-name", `${api}/entities/by-name/component/default/${component}`],
  ["by-query kind=component limit 20", `${api}/entities/by-query?filter=kind=component&limit=20`],
  [
    "full text name,title by name, limit 20",
    `${api}/entities/by-query?fullTextFilterTerm=pay&fullTextFilterFields=metadata.name,metadata.title&orderField=metadata.name,asc&limit=20`,
  ],
  ["entity-facets spec.type + spec.owner", `${api}/entity-facets?facet=spec.type&facet=spec.owner`],
  ["legacy /entities kind=component limit 20", `${api}/entities?filter=kind=component&limit=20`],
];

const warmUp = Math.min(requests, 100);
const measure = async (pathOf) => {
  const times = servers.map(() => []);
  for (let round = 0; round < warmUp + requests; round++) {
    for (const [at, server] of servers.entries()) {
      // Wakes the server first: after the other one's long requests, its threads (and
      // this VM's idle core) would be timed waking up.
      await get(server.origin + server.health);
      const started = performance.now();
      await get(server.origin + pathOf(server));
      if (round >= warmUp) times[at].push(performance.now() - started);
    }
  }
  return times.map((t) => t.sort((a, b) => a - b));
};
const p50 = (t) => t[Math.floor(t.length / 2)];
const p95 = (t) => t[Math.max(Math.ceil(t.length * 0.95), 1) - 1];

console.log(
  `side by side with Node's fetch, ${requests} requests each (after ${warmUp} to warm up), alternating, each timed request right after an untimed health request to the same server; ms`,
);
const health = await measure((server) => server.health);
const floor = health.map(p50);
const header = servers.map(({ name }) => `${`${name} p50`.padStart(10)} ${"p95".padStart(10)} ${"own".padStart(10)}`);
console.log(`${"request".padEnd(42)} ${header.join(" ")} ${"own ratio".padStart(12)} ${"p95 ratio".padStart(12)}`);
const row = (label, times) => {
  const own = times.map((t, at) => Math.max(p50(t) - floor[at], 0));
  const cells = times.map((t, at) => [p50(t), p95(t), own[at]].map((v) => v.toFixed(3).padStart(10)).join(" "));
  const ratios = times
    .slice(1)
    .map((t, i) => `${`${(own[i + 1] / Math.max(own[0], 0.001)).toFixed(1)}x`.padStart(12)} ${`${(p95(t) / p95(times[0])).toFixed(1)}x`.padStart(12)}`);
  console.log(`${label.padEnd(42)} ${cells.join(" ")} ${ratios.join(" ")}`);
};
row("health (the floor)", health);
for (const [label, path] of compared) {
  row(label, await measure(() => path));
}

// What resolving an API token or a session adds to a request: the same requests
// alternately without credentials (the guest), with `Authorization: Bearer` and with the
// session cookie, on one server, in one run.
//   node identity.mjs BASE TOKEN SESSION PATH REQUESTS   (see .ci/bench-identity)
const [base, token, session, path, count] = process.argv.slice(2);
const auth = { authorization: `Bearer ${token}` };
const cookie = { cookie: `portico_session=${session}` };
const cases = {
  [`${path} (guest)`]: [base + path, {}],
  [`${path} (token)`]: [base + path, auth],
  [`${path} (session)`]: [base + path, cookie],
  "/healthz (guest)": [base + "/healthz", {}],
  "/healthz (token)": [base + "/healthz", auth],
  "/healthz (session)": [base + "/healthz", cookie],
};
async function time([url, headers]) {
  const start = performance.now();
  const response = await fetch(url, { headers });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return performance.now() - start;
}
for (let i = 0; i < 50; i++) for (const c of Object.values(cases)) await time(c);
const times = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
for (let i = 0; i < Number(count); i++) {
  for (const [name, c] of Object.entries(cases)) times[name].push(await time(c));
}
const at = (list, p) => [...list].sort((a, b) => a - b)[Math.floor(p * (list.length - 1))];
for (const [name, list] of Object.entries(times)) {
  console.log(`${name.padEnd(64)} p50 ${at(list, 0.5).toFixed(3)} ms  p95 ${at(list, 0.95).toFixed(3)} ms`);
}

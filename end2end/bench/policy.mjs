// What the permission policy adds to a catalog query: the same requests alternately
// against a portal with the default policy and one with a 20-rule policy (same
// database), as the guest and with a read token, in one run.
//   node policy.mjs DEFAULT_BASE POLICY_BASE TOKEN PATH REQUESTS   (see .ci/bench-policy)
const [plain, ruled, token, path, count] = process.argv.slice(2);
const auth = { authorization: `Bearer ${token}` };
const cases = {
  "default policy, guest": [plain + path, {}],
  "20 rules, guest": [ruled + path, {}],
  "default policy, token": [plain + path, auth],
  "20 rules, token": [ruled + path, auth],
};
async function time([url, headers]) {
  const start = performance.now();
  const response = await fetch(url, { headers });
  const body = await response.json();
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return [performance.now() - start, body.totalItems];
}
for (let i = 0; i < 50; i++) for (const c of Object.values(cases)) await time(c);
const times = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
const totals = {};
for (let i = 0; i < Number(count); i++) {
  for (const [name, c] of Object.entries(cases)) {
    const [ms, total] = await time(c);
    times[name].push(ms);
    totals[name] = total;
  }
}
const at = (list, p) => [...list].sort((a, b) => a - b)[Math.floor(p * (list.length - 1))];
console.log(`GET ${path}`);
for (const [name, list] of Object.entries(times)) {
  console.log(
    `${name.padEnd(24)} p50 ${at(list, 0.5).toFixed(3)} ms  p95 ${at(list, 0.95).toFixed(3)} ms  (${totals[name]} entities)`,
  );
}
for (const who of ["guest", "token"]) {
  const [without, with20] = [times[`default policy, ${who}`], times[`20 rules, ${who}`]];
  const more = (p) => (at(with20, p) - at(without, p)).toFixed(3);
  console.log(`20 rules add, ${who.padEnd(6)}    p50 ${more(0.5)} ms  p95 ${more(0.95)} ms`);
}

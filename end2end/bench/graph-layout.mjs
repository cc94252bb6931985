// The graph layout's figure for BENCHMARKS.md: Portico's layout (the model compiled to
// wasm as the browser bundle compiles it, `.ci/layout-bench`) and @dagrejs/dagre (what
// Backstage's catalog graph uses), side by side in one headless Chromium page, on the
// same seeded graph. `.ci/bench-graph` builds the wasm and runs this:
//   node end2end/bench/graph-layout.mjs DIR [nodes] [edges] [runs]
// DIR holds layout_bench.js and layout_bench_bg.wasm (wasm-bindgen's output).
import { chromium } from "playwright";
import { readFile } from "node:fs/promises";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const dir = process.argv[2];
const nodes = Number(process.argv[3] ?? 1000);
const edges = Number(process.argv[4] ?? 3000);
const runs = Number(process.argv[5] ?? 5);
const here = dirname(fileURLToPath(import.meta.url));
const files = {
  "/layout_bench.js": [join(dir, "layout_bench.js"), "text/javascript"],
  "/layout_bench_bg.wasm": [join(dir, "layout_bench_bg.wasm"), "application/wasm"],
  "/dagre.js": [join(here, "../node_modules/@dagrejs/dagre/dist/dagre.esm.js"), "text/javascript"],
  "/": [null, "text/html"],
};

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"],
});
const page = await browser.newPage();
// The page's files come from disk, no server.
await page.route("http://bench.invalid/**", async (route) => {
  const path = new URL(route.request().url()).pathname;
  const [file, type] = files[path] ?? [];
  if (!type) return route.fulfill({ status: 404 });
  const body = file ? await readFile(file) : "<!doctype html><title>layout bench</title>";
  await route.fulfill({ status: 200, contentType: type, body });
});
await page.goto("http://bench.invalid/");
const result = await page.evaluate(async ([nodes, edges, runs]) => {
  const { default: init, layout_graph } = await import("/layout_bench.js");
  await init();
  const dagre = (await import("/dagre.js")).default;
  // mulberry32: the same graph every run. Nodes as the graph page sizes them; edges
  // mostly forward within 40 places (a catalog's dependencies are local), 1 in 50 back.
  let seed = 0x5eed;
  const random = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const below = (n) => Math.floor(random() * n);
  const sizes = new Float64Array(nodes * 2);
  for (let i = 0; i < nodes; i++) {
    sizes[2 * i] = 120 + below(120);
    sizes[2 * i + 1] = 52;
  }
  const pairs = new Uint32Array(edges * 2);
  for (let e = 0; e < edges; e++) {
    const a = below(nodes - 1);
    const b = a + 1 + below(Math.min(40, nodes - a - 1));
    const back = below(50) === 0;
    pairs[2 * e] = back ? b : a;
    pairs[2 * e + 1] = back ? a : b;
  }
  const median = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const portico = [];
  let out;
  for (let r = 0; r < runs; r++) {
    const started = performance.now();
    out = layout_graph(sizes, pairs);
    portico.push(performance.now() - started);
  }
  const dagreTimes = [];
  let dagreSize;
  for (let r = 0; r < Math.max(1, Math.min(runs, 3)); r++) {
    const g = new dagre.graphlib.Graph({ multigraph: true });
    g.setGraph({ rankdir: "LR", nodesep: 32, ranksep: 72 });
    g.setDefaultEdgeLabel(() => ({}));
    for (let i = 0; i < nodes; i++) g.setNode(String(i), { width: sizes[2 * i], height: sizes[2 * i + 1] });
    for (let e = 0; e < edges; e++) g.setEdge(String(pairs[2 * e]), String(pairs[2 * e + 1]), {}, String(e));
    const started = performance.now();
    dagre.layout(g);
    dagreTimes.push(performance.now() - started);
    dagreSize = [g.graph().width, g.graph().height];
  }
  return {
    portico: median(portico),
    porticoAll: portico,
    dagre: median(dagreTimes),
    dagreAll: dagreTimes,
    porticoSize: [out[out.length - 2], out[out.length - 1]],
    dagreSize,
  };
}, [nodes, edges, runs]);
await browser.close();
const f = (x) => x.toFixed(1);
console.log(`layout of ${nodes} nodes / ${edges} edges in Chromium (median of ${result.porticoAll.length} / ${result.dagreAll.length}):`);
console.log(`  Portico (wasm): ${f(result.portico)} ms  [${result.porticoAll.map(f).join(", ")}]  drawing ${result.porticoSize.map(Math.round).join(" x ")}`);
console.log(`  @dagrejs/dagre: ${f(result.dagre)} ms  [${result.dagreAll.map(f).join(", ")}]  drawing ${result.dagreSize.map(Math.round).join(" x ")}`);
console.log(`  ratio: Portico ${f(result.dagre / result.portico)}x faster`);

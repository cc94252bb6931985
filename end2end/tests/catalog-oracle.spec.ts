// Portico's catalog API against Backstage's own, field by field: the catalog client's
// calls of oracle/catalog-calls.cjs made to a Portico serving Backstage's example catalog
// and organisation, compared with what Backstage's catalog backend answered to the same
// calls on the same files (oracle/backstage-answers.json, written by oracle/record.mjs).
//
// Where the two differ by design, `differences` below says how and why; everything
// else must be equal.
import { test, expect } from "@playwright/test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CatalogClient } from "@backstage/catalog-client";
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { calls, normalise, withoutPorticoOnly } = require("../oracle/catalog-calls.cjs");

const port = Number(process.env.PORTICO_E2E_ORACLE_PORT);
const examples = process.env.PORTICO_E2E_EXAMPLES as string;
const client = new CatalogClient({
  discoveryApi: { getBaseUrl: async () => `http://127.0.0.1:${port}/api/catalog` },
});
const backstage: Record<string, unknown> = JSON.parse(
  readFileSync(join(__dirname, "..", "oracle", "backstage-answers.json"), "utf8"),
);

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

// Differences by design, taken out of Portico's normalised answer before comparing.
function differences(answer: Json): Json {
  // Relations keep Backstage's legacy `target: {kind, namespace, name}` beside
  // `targetRef` unless --legacy-relation-target=false: older plugins read it. Backstage
  // 4 no longer sends it at all.
  const text = JSON.stringify(answer ?? null).replace(/,"target":\{"kind":"[^"]*","namespace":"[^"]*","name":"[^"]*"\}/g, "");
  return withoutPorticoOnly(JSON.parse(text));
}

// Calls Portico answers differently by design: its own answer, and why.
const porticoAnswers: Record<string, Json> = {
  // Backstage keeps the locations its configuration names out of its locations table,
  // so an entity read from one has no location to give. Portico registers every
  // location it reads (each has an id, can be refreshed and queried), so it gives it.
  getLocationByEntity: { id: "<id>", type: "file", target: "<examples>/all.yaml" },
};

test("the oracle's answers were recorded for every call", () => {
  expect(Object.keys(backstage).sort()).toEqual(Object.keys(calls).sort());
});

for (const name of Object.keys(calls)) {
  test(`as Backstage: ${name}`, async () => {
    const answer = differences(normalise(await calls[name](client), examples));
    if (name in porticoAnswers) {
      expect(backstage[name]).toBeNull();
      expect(answer).toEqual(porticoAnswers[name]);
    } else {
      expect(answer).toEqual(backstage[name]);
    }
  });
}

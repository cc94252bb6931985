// The rest of `@backstage/catalog-client` 1.16's methods against Portico, on the demo
// catalog of the first test server: predicate queries, streams, ancestry, locations by
// entity, ref and query. (catalog-client.spec.ts has the everyday reads;
// catalog-client-writes.spec.ts analyses, adds, updates and removes.)
import { test, expect } from "@playwright/test";
import { CatalogClient } from "@backstage/catalog-client";

const port = Number(process.env.PORTICO_E2E_PORT ?? 3123);
const client = new CatalogClient({
  discoveryApi: { getBaseUrl: async () => `http://127.0.0.1:${port}/api/catalog` },
});

const names = (items: Array<{ metadata: { name: string } } | undefined>) =>
  items.map((e) => e?.metadata.name);

test("queryEntities with a predicate pages through cursors that keep the predicate", async () => {
  const query = { $all: [{ kind: "user" }, { $not: { "metadata.name": { $hasPrefix: "a" } } }] };
  const first = await client.queryEntities({
    query,
    limit: 4,
    orderFields: { field: "metadata.name", order: "asc" },
    fields: ["metadata.name"],
  });
  expect(first.totalItems).toBe(6);
  expect(names(first.items)).toEqual(["barbara.liskov", "dennis.ritchie", "edsger.dijkstra", "grace.hopper"]);
  expect(first.pageInfo.prevCursor).toBeUndefined();
  // The client sends a predicate query's cursor by POST: the rest comes in order.
  const next = await client.queryEntities({ cursor: first.pageInfo.nextCursor!, limit: 4 });
  expect(names(next.items)).toEqual(["katherine.johnson", "margaret.hamilton"]);
  expect(next.pageInfo.nextCursor).toBeUndefined();
  // A filter and a predicate together: both hold.
  const both = await client.queryEntities({
    filter: { kind: "component" },
    query: { "spec.lifecycle": { $in: ["experimental", "deprecated"] } },
  });
  expect(names(both.items).sort()).toEqual(["legacy-invoicing", "search-indexer"]);
});

test("streamEntities and streamLocations yield everything, page by page", async () => {
  const pages: string[][] = [];
  for await (const page of client.streamEntities({ filter: { kind: "user" }, pageSize: 3 })) {
    pages.push(names(page) as string[]);
  }
  expect(pages.map((p) => p.length)).toEqual([3, 3, 2]);
  expect(pages.flat()).toHaveLength(new Set(pages.flat()).size);
  const locations = [];
  for await (const page of client.streamLocations()) locations.push(...page);
  expect(locations).toHaveLength(1);
});

test("getEntityByName, and getEntitiesByRefs with a filter or a predicate", async () => {
  const byName = await client.getEntityByName({ kind: "Component", namespace: "default", name: "web-shop" });
  expect(byName?.metadata.name).toBe("web-shop");
  expect(await client.getEntityByName({ kind: "Component", name: "nothing" })).toBeUndefined();
  const refs = ["component:default/web-shop", "component:default/ui-kit", "group:default/platform-team"];
  const filtered = await client.getEntitiesByRefs({ entityRefs: refs, filter: { "spec.type": "library" } });
  expect(names(filtered.items)).toEqual([undefined, "ui-kit", undefined]);
  const predicate = await client.getEntitiesByRefs({ entityRefs: refs, query: { $not: { kind: "group" } } });
  expect(names(predicate.items)).toEqual(["web-shop", "ui-kit", undefined]);
});

test("getEntityFacets with a predicate, and over relations", async () => {
  const { facets } = await client.getEntityFacets({
    facets: ["spec.lifecycle", "relations.ownedBy"],
    query: { kind: "component", "spec.type": "library" },
  });
  expect(facets["spec.lifecycle"]).toEqual([{ value: "production", count: 2 }]);
  expect(facets["relations.ownedBy"]).toEqual([{ value: "group:default/platform-team", count: 2 }]);
});

test("getEntityAncestors climbs to the registered location's own entity", async () => {
  const { rootEntityRef, items } = await client.getEntityAncestors({ entityRef: "component:default/payment-gateway" });
  expect(rootEntityRef).toBe("component:default/payment-gateway");
  expect(items.map((i) => `${i.entity.kind}:${i.entity.metadata.name}`)).toEqual([
    "Component:payment-gateway",
    "Location:northwind-demo",
    expect.stringMatching(/^Location:generated-[0-9a-f]{40}$/),
  ]);
  expect(items[2].parentEntityRefs).toEqual([]);
  await expect(client.getEntityAncestors({ entityRef: "component:default/nothing" })).rejects.toMatchObject({
    statusCode: 404,
  });
});

test("locations by entity, by ref and by query", async () => {
  const byEntity = await client.getLocationByEntity("component:default/payment-gateway");
  expect(byEntity?.type).toBe("file");
  expect(byEntity?.target).toMatch(/catalog-info\.yaml$/);
  expect(await client.getLocationByEntity("component:default/nothing")).toBeUndefined();
  const byRef = await client.getLocationByRef(`file:${byEntity!.target}`);
  expect(byRef).toEqual(byEntity);
  const queried = await client.queryLocations({ query: { type: "file" } });
  expect(queried.totalItems).toBe(1);
  expect(queried.items[0]).toEqual(byEntity);
  const none = await client.queryLocations({ query: { type: "url" } });
  expect(none).toEqual({ items: [], totalItems: 0, pageInfo: {} });
});

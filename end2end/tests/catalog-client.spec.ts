// Backstage's own `@backstage/catalog-client` against Portico's catalog API, on the
// demo catalog the test server loads (no --catalog given). No browser is involved.
import { test, expect } from "@playwright/test";
import { CatalogClient, CATALOG_FILTER_EXISTS } from "@backstage/catalog-client";

const port = Number(process.env.PORTICO_E2E_PORT ?? 3123);
const client = new CatalogClient({
  discoveryApi: { getBaseUrl: async () => `http://127.0.0.1:${port}/api/catalog` },
});

const names = (items: Array<{ metadata: { name: string } } | undefined>) =>
  items.map((e) => e?.metadata.name);

test("getEntityByRef returns the entity with its relations, or undefined", async () => {
  const entity = await client.getEntityByRef("component:default/checkout-service");
  expect(entity?.kind).toBe("Component");
  expect(entity?.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
  expect(entity?.relations).toContainEqual({ type: "ownedBy", targetRef: "group:default/storefront-team", target: { kind: "group", namespace: "default", name: "storefront-team" } });
  expect(entity?.relations).toContainEqual({ type: "providesApi", targetRef: "api:default/checkout-api", target: { kind: "api", namespace: "default", name: "checkout-api" } });
  expect(await client.getEntityByRef({ kind: "Group", namespace: "default", name: "payments-team" })).toBeTruthy();
  expect(await client.getEntityByRef("component:default/no-such-thing")).toBeUndefined();
});

test("queryEntities filters, orders, projects and pages by cursor", async () => {
  const first = await client.queryEntities({
    filter: { kind: "Component", "spec.type": "service" },
    orderFields: { field: "metadata.name", order: "asc" },
    fields: ["metadata.name"],
    limit: 3,
  });
  expect(first.totalItems).toBe(8);
  expect(names(first.items)).toEqual(["checkout-service", "fraud-detector", "legacy-invoicing"]);
  expect(first.items[0]).toEqual({ metadata: { name: "checkout-service" } });

  const seen = [...names(first.items)];
  let cursor = first.pageInfo.nextCursor;
  while (cursor) {
    const page = await client.queryEntities({ cursor, limit: 3 });
    seen.push(...names(page.items));
    cursor = page.pageInfo.nextCursor;
  }
  expect(seen).toHaveLength(8);
  expect(seen).toEqual([...seen].sort());

  // OR across filter objects, exists, and full text.
  const either = await client.queryEntities({ filter: [{ kind: "Domain" }, { kind: "System" }], limit: 50 });
  expect(either.totalItems).toBe(7);
  const pci = await client.queryEntities({ filter: { "metadata.tags.pci": CATALOG_FILTER_EXISTS }, limit: 50 });
  expect(names(pci.items).sort()).toEqual(["payment-gateway", "payments-api"]);
  const parcel = await client.queryEntities({
    filter: { kind: "Component" },
    fullTextFilter: { term: "parcel", fields: ["metadata.title", "metadata.description"] },
  });
  expect(names(parcel.items)).toEqual(["tracking-service"]);
});

test("getEntitiesByRefs keeps the order and gives undefined for missing refs", async () => {
  const { items } = await client.getEntitiesByRefs({
    entityRefs: ["api:default/payments-api", "component:default/missing", "group:default/platform-team"],
    fields: ["kind", "metadata.name"],
  });
  expect(items).toEqual([
    { kind: "API", metadata: { name: "payments-api" } },
    undefined,
    { kind: "Group", metadata: { name: "platform-team" } },
  ]);
});

test("getEntities (the legacy listing) filters and orders", async () => {
  const { items } = await client.getEntities({
    filter: { kind: "Domain" },
    fields: ["metadata.name"],
    order: { field: "metadata.name", order: "desc" },
  });
  expect(names(items)).toEqual(["platform", "logistics", "commerce"]);
});

test("getEntityFacets counts values as written", async () => {
  const { facets } = await client.getEntityFacets({ facets: ["spec.type", "kind"], filter: { kind: "Component" } });
  expect(facets["spec.type"]).toEqual([
    { value: "service", count: 8 },
    { value: "library", count: 2 },
    { value: "website", count: 2 },
  ]);
  expect(facets["kind"]).toEqual([{ value: "Component", count: 12 }]);
});

test("locations are listed and read by id; registering outside the catalog is refused", async () => {
  const { items: locations } = await client.getLocations();
  expect(locations).toHaveLength(1);
  expect(locations[0].target).toMatch(/demo-catalog-[^/]+\/catalog-info\.yaml$/);
  const byId = await client.getLocationById(locations[0].id);
  expect(byId).toEqual({ id: locations[0].id, type: "file", target: locations[0].target });
  expect(await client.getLocationById("no-such-id")).toBeUndefined();
  // Backstage's client parses Portico's error body into a ResponseError.
  const error = await client.addLocation({ type: "file", target: "/etc/passwd", dryRun: true }).catch((e) => e);
  expect(error.name).toBe("ResponseError");
  expect(error.statusCode).toBe(400);
  expect(error.body.error.name).toBe("InputError");
  expect(error.body.error.message).toMatch(/inside a folder of the configured catalog/);
  expect(error.cause.name).toBe("InputError");
});

test("validateEntity and refreshEntity", async () => {
  const valid = await client.validateEntity(
    {
      apiVersion: "backstage.io/v1alpha1",
      kind: "Component",
      metadata: { name: "new-service" },
      spec: { type: "service", lifecycle: "experimental", owner: "platform-team" },
    },
    "url:https://example.com/catalog-info.yaml",
  );
  expect(valid).toEqual({ valid: true });
  const invalid = await client.validateEntity(
    { apiVersion: "backstage.io/v1alpha1", kind: "Component", metadata: { name: "Bad Name" }, spec: {} },
    "url:https://example.com/catalog-info.yaml",
  );
  expect(invalid.valid).toBe(false);
  if (!invalid.valid) {
    expect(invalid.errors.map((e) => e.message)).toContain(
      "metadata.name 'Bad Name' may only contain letters, digits, '-', '_' and '.' (found ' ')",
    );
  }
  await client.refreshEntity("component:default/web-shop");
});

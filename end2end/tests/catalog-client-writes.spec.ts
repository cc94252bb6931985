// Backstage's `@backstage/catalog-client` analysing, registering, updating and removing
// locations and entities, on the second test server, whose catalog is a folder of its own
// (playwright.config.ts writes it): one Group in catalog-info.yaml, two Components in
// extra/catalog-info.yaml that no location reaches until the test registers it.
import { test, expect } from "@playwright/test";
import { CatalogClient } from "@backstage/catalog-client";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

const port = Number(process.env.PORTICO_E2E_WRITES_PORT);
const dir = process.env.PORTICO_E2E_WRITES_DIR!;
const client = new CatalogClient({
  discoveryApi: { getBaseUrl: async () => `http://127.0.0.1:${port}/api/catalog` },
});

test("addLocation, removeEntityByUid and removeLocationById", async () => {
  const target = join(dir, "extra", "catalog-info.yaml");
  expect(await client.getEntityByRef("component:default/extra-service")).toBeUndefined();

  // Analysed first: the folder's catalog-info.yaml holds two entities, not registered.
  const analysis = await client.analyzeLocation({ location: { type: "file", target: join(dir, "extra") } });
  expect(analysis.generateEntities).toEqual([]);
  expect(analysis.existingEntityFiles.map((f) => f.entity.metadata.name).sort()).toEqual(["extra-service", "extra-worker"]);
  expect(analysis.existingEntityFiles.every((f) => !f.isRegistered && f.location.target === target)).toBe(true);
  const outside = await client.analyzeLocation({ location: { type: "file", target: "/etc" } }).catch((e) => e);
  expect(outside.statusCode).toBe(400);

  // A dry run reads the file and stores nothing.
  const dry = await client.addLocation({ type: "file", target, dryRun: true });
  // The location's own Location entity (as Backstage makes it), then the file's.
  expect(dry.entities[0].kind).toBe("Location");
  expect(dry.entities[0].metadata.name).toMatch(/^generated-[0-9a-f]{40}$/);
  expect(dry.entities.slice(1).map((e) => e.metadata.name).sort()).toEqual(["extra-service", "extra-worker"]);
  expect(await client.getEntityByRef("component:default/extra-service")).toBeUndefined();

  const added = await client.addLocation({ type: "file", target });
  expect(added.location).toEqual({ id: added.location.id, type: "file", target });
  expect(await client.getLocationById(added.location.id)).toEqual(added.location);
  const service = await client.getEntityByRef("component:default/extra-service");
  expect(service?.relations).toContainEqual({ type: "ownedBy", targetRef: "group:default/team-writes", target: { kind: "group", namespace: "default", name: "team-writes" } });
  const team = await client.getEntityByRef("group:default/team-writes");
  expect(team?.relations).toContainEqual({ type: "ownerOf", targetRef: "component:default/extra-service", target: { kind: "component", namespace: "default", name: "extra-service" } });

  // Registering it again is a conflict, which the client reports.
  const again = await client.addLocation({ type: "file", target }).catch((e) => e);
  expect(again.statusCode).toBe(409);

  // One entity removed by uid; the other stays. Its location still holds it, so (as in
  // Backstage) it comes back with a new uid: the location is read again right away.
  await client.removeEntityByUid(service!.metadata.uid!);
  expect(await client.getEntityByRef("component:default/extra-worker")).toBeTruthy();
  await expect
    .poll(async () => (await client.getEntityByRef("component:default/extra-service"))?.metadata.uid, { timeout: 5000 })
    .not.toBeUndefined();
  const back = await client.getEntityByRef("component:default/extra-service");
  expect(back?.metadata.uid).not.toBe(service!.metadata.uid);

  // The location pointed at another file, then back: each time the new target is read.
  const other = join(dir, "extra", "other.yaml");
  writeFileSync(
    other,
    "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: extra-other\nspec:\n  type: service\n  lifecycle: experimental\n  owner: team-writes\n",
  );
  const moved = await client.updateLocation(added.location.id, { type: "file", target: other });
  expect(moved).toEqual({ id: added.location.id, type: "file", target: other });
  expect(await client.getEntityByRef("component:default/extra-other")).toBeTruthy();
  const orphan = await client.getEntityByRef("component:default/extra-worker");
  expect(orphan?.metadata.annotations?.["backstage.io/orphan"]).toBe("true");
  await client.updateLocation(added.location.id, { type: "file", target });
  const adopted = await client.getEntityByRef("component:default/extra-worker");
  expect(adopted?.metadata.annotations?.["backstage.io/orphan"]).toBeUndefined();

  // The location removed: its entities go with it, the relations to them too.
  await client.removeLocationById(added.location.id);
  expect(await client.getLocationById(added.location.id)).toBeUndefined();
  expect(await client.getEntityByRef("component:default/extra-worker")).toBeUndefined();
  const teamAfter = await client.getEntityByRef("group:default/team-writes");
  expect((teamAfter?.relations ?? []).map((r) => `${r.type} ${r.targetRef}`)).not.toContain(
    "ownerOf component:default/extra-worker",
  );
  const { items } = await client.getLocations();
  expect(items.map((l) => l.target)).not.toContain(target);
});

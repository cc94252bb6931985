// The catalog client's read calls that Portico's answers are compared on, field by field,
// with Backstage's own catalog backend (see record.mjs), on Backstage's example catalog
// and organisation (../shared/fixtures/backstage/catalog-examples).
//
// `calls` maps a name to a function of a CatalogClient; `normalise` takes out of an
// answer what differs between any two catalogs by design: uids, etags, location ids,
// opaque cursors, the folder the examples are in, and the order of what is unordered.

// Refs the calls name.
const component = "component:default/artist-lookup";
const missing = "component:default/no-such-component";

const refOf = (e) => `${e.kind}:${e.metadata.namespace ?? "default"}/${e.metadata.name}`.toLowerCase();

// A generated Location's name hashes its target's absolute path, which differs between
// machines: such entities are ordered by the target's file name instead.
const orderOf = (e) =>
  e.metadata.name.startsWith("generated-") ? `${refOf(e)} ${String(e.spec?.target).split("/").pop()}`.replace(/generated-[0-9a-f]+/, "generated") : refOf(e);

// Every page of a query, following its cursor.
async function allPages(client, request) {
  const pages = [];
  let page = await client.queryEntities(request);
  pages.push(page);
  while (page.pageInfo.nextCursor && pages.length < 20) {
    page = await client.queryEntities({ cursor: page.pageInfo.nextCursor, limit: request.limit });
    pages.push(page);
  }
  return pages;
}

// An answer, or the error's name and status when the call fails.
async function settle(call) {
  try {
    return await call();
  } catch (error) {
    return { error: error.body?.error?.name ?? error.name, status: error.response?.status };
  }
}

const calls = {
  // The legacy listing without an order has none: compared by ref.
  "getEntities: the whole catalog": async (c) => {
    const { items } = await c.getEntities();
    return { items: items.sort((a, b) => orderOf(a).localeCompare(orderOf(b))) };
  },
  // One order field: Backstage applies only the first of several ("Only one sort field
  // is supported, ignoring the rest"), though its documentation sends readers wanting
  // several to this endpoint; Portico applies them all (its own tests check that).
  "getEntities: filter, fields, order": (c) =>
    c.getEntities({
      filter: [{ kind: "Component", "spec.type": "service" }, { kind: "System" }],
      fields: ["kind", "metadata.name", "spec.type"],
      order: { field: "metadata.name", order: "desc" },
    }),
  "getEntities: exists and negation": (c) =>
    c.getEntities({ filter: { kind: "Component", "metadata.tags": "java" }, fields: ["metadata.name"], order: { field: "metadata.name", order: "asc" } }),
  "getEntitiesByRefs: order kept, missing as null": (c) =>
    c.getEntitiesByRefs({ entityRefs: ["api:default/petstore", missing, component], fields: ["kind", "metadata.name", "spec"] }),
  "getEntitiesByRefs: with a filter": (c) =>
    c.getEntitiesByRefs({ entityRefs: ["api:default/petstore", component], filter: { kind: "API" }, fields: ["metadata.name"] }),
  "queryEntities: pages by cursor": (c) =>
    allPages(c, { filter: { kind: "Component" }, orderFields: { field: "metadata.name", order: "desc" }, fields: ["metadata.name"], limit: 4 }),
  "queryEntities: full text": (c) =>
    c.queryEntities({ fullTextFilter: { term: "wayback", fields: ["metadata.name"] }, orderFields: { field: "metadata.name", order: "asc" }, fields: ["metadata.name"] }),
  "queryEntities: predicate": (c) =>
    c.queryEntities({
      query: { $all: [{ kind: "Component" }, { $not: { "spec.lifecycle": { $in: ["experimental"] } } }, { "metadata.name": { $hasPrefix: "wayback" } }] },
      orderFields: { field: "metadata.name", order: "asc" },
      fields: ["metadata.name", "spec.lifecycle"],
    }),
  "queryEntities: predicate $any and $exists": (c) =>
    c.queryEntities({
      query: { $any: [{ kind: "System" }, { "spec.definition": { $exists: true }, kind: "API" }] },
      orderFields: { field: "metadata.name", order: "asc" },
      fields: ["kind", "metadata.name"],
    }),
  "getEntityByRef": (c) => c.getEntityByRef(component),
  "getEntityByRef: missing": (c) => c.getEntityByRef(missing),
  "getEntityAncestors": (c) => c.getEntityAncestors({ entityRef: component }),
  "getEntityAncestors: missing": (c) => settle(() => c.getEntityAncestors({ entityRef: missing })),
  // Facets count what each catalog holds: these leave out what only Portico reads.
  "getEntityFacets": (c) =>
    c.getEntityFacets({
      facets: ["kind", "spec.type", "spec.lifecycle", "metadata.tags", "relations.ownedBy", "relations.memberOf"],
      filter: { kind: ["Component", "System", "Domain", "Resource", "Location", "Group", "User"] },
    }),
  "getEntityFacets: filtered": (c) => c.getEntityFacets({ facets: ["spec.type"], filter: { kind: "Component" } }),
  "getEntityFacets: predicate": (c) =>
    c.getEntityFacets({ facets: ["kind", "spec.owner", "spec.type"], query: { $not: { "metadata.name": { $in: porticoOnly.names } } } }),
  "getLocationByEntity": (c) => c.getLocationByEntity(component),
  "getLocationByEntity: missing": (c) => c.getLocationByEntity(missing),
  "getLocationById: missing": (c) => c.getLocationById("00000000-0000-4000-8000-000000000000"),
  // Writes that change nothing: their answers and errors (name and status).
  "refreshEntity": (c) => settle(() => c.refreshEntity(component)),
  "refreshEntity: missing": (c) => settle(() => c.refreshEntity(missing)),
  "removeEntityByUid: missing": (c) => settle(() => c.removeEntityByUid("00000000-0000-4000-8000-000000000000")),
  "removeLocationById: missing": (c) => settle(() => c.removeLocationById("00000000-0000-4000-8000-000000000000")),
  "updateLocation: missing": (c) =>
    settle(() => c.updateLocation("00000000-0000-4000-8000-000000000000", { type: "url", target: "https://example.com/catalog-info.yaml" })),
  "addLocation: a type no catalog reads": (c) =>
    settle(() => c.addLocation({ type: "no-such-type", target: "https://example.com/catalog-info.yaml", dryRun: true })),
  "validateEntity: valid": (c) =>
    c.validateEntity(
      { apiVersion: "backstage.io/v1alpha1", kind: "Component", metadata: { name: "fine" }, spec: { type: "service", lifecycle: "production", owner: "team-a" } },
      "url:https://example.com/catalog-info.yaml",
    ),
  "validateEntity: invalid": async (c) => {
    const answer = await c.validateEntity(
      { apiVersion: "backstage.io/v1alpha1", kind: "Component", metadata: { name: "not fine!" }, spec: {} },
      "url:https://example.com/catalog-info.yaml",
    );
    // The messages are each implementation's own; the verdict and the count are not.
    return { valid: answer.valid, errors: answer.valid ? 0 : answer.errors.length > 0 };
  },
};

// Entities of the example catalog that Portico reads and Backstage's catalog backend
// (4.0.5) cannot: AiResource, a kind Backstage's schemas describe but no processor of
// its backend accepts; an `mcp-server` API, which the example gives `remotes` and no
// `definition`, as Backstage's newer model allows and its backend does not yet; and an
// API whose `$text` placeholder names a file beside it, which Backstage's placeholder
// processor cannot resolve for a file location ("could not form a URL").
const porticoOnly = {
  names: ["frontend-design", "code-review-plugin", "use-internal-apis", "backstage-mcp-server", "petstore-webhook"],
  refs: [
    "airesource:default/frontend-design",
    "airesource:default/code-review-plugin",
    "airesource:default/use-internal-apis",
    "api:default/backstage-mcp-server",
    "api:default/petstore-webhook",
  ],
};

// `answer` without the entities only Portico reads, nor relations to them.
function withoutPorticoOnly(answer) {
  if (Array.isArray(answer)) return answer.map(withoutPorticoOnly);
  if (answer === null || typeof answer !== "object") return answer;
  const out = {};
  for (const [key, value] of Object.entries(answer)) out[key] = withoutPorticoOnly(value);
  if (Array.isArray(out.items)) {
    const kept = out.items.filter((e) => !porticoOnly.names.includes(e?.metadata?.name ?? e?.entity?.metadata?.name));
    if (typeof out.totalItems === "number") out.totalItems -= out.items.length - kept.length;
    out.items = kept;
  }
  if (Array.isArray(out.relations)) out.relations = out.relations.filter((r) => !porticoOnly.refs.includes(r.targetRef));
  return out;
}

function normalise(answer, examples) {
  const text = JSON.stringify(answer ?? null)
    .split(examples)
    .join("<examples>")
    .replace(/generated-[0-9a-f]{40}/g, "generated-<sha1>");
  return tidy(JSON.parse(text));
}

function tidy(value) {
  if (Array.isArray(value)) return value.map(tidy);
  if (value === null || typeof value !== "object") return value;
  const out = {};
  for (const [key, inner] of Object.entries(value)) {
    if (key === "uid" || key === "etag") continue;
    if (key === "nextCursor" || key === "prevCursor") {
      out[key] = "<cursor>";
      continue;
    }
    out[key] = tidy(inner);
  }
  // A location's id is a random uuid; its type and target say which it is.
  if (typeof out.id === "string" && "target" in out && "type" in out) out.id = "<id>";
  if (Array.isArray(out.relations)) {
    out.relations.sort((a, b) => `${a.type} ${a.targetRef}`.localeCompare(`${b.type} ${b.targetRef}`));
  }
  if (out.facets) {
    for (const counts of Object.values(out.facets)) counts.sort((a, b) => a.value.localeCompare(b.value));
  }
  return out;
}

module.exports = { calls, normalise, withoutPorticoOnly };

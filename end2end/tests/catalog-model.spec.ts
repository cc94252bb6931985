// Portico's descriptor validation against Backstage's own, from npm
// (`@backstage/catalog-model`, as the catalog backend runs it: the default entity
// policies, then the built-in kinds' validators), on one corpus: Backstage's example
// catalog (../shared/fixtures/backstage), Portico's demo catalog and its broken
// descriptors. Every document must get the same verdict from both. No browser.
//
// Left out, on purpose: kinds catalog-model has no validator for (Template is the
// scaffolder's; unknown kinds Portico keeps with envelope checks only, where Backstage
// needs a processor of its own), documents that are not YAML at all, and problems of a
// file rather than a document (placeholders that do not resolve, duplicates).
import { test, expect } from "@playwright/test";
import {
  EntityPolicies,
  DefaultNamespaceEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  FieldFormatEntityPolicy,
  SchemaValidEntityPolicy,
  apiEntityV1alpha1Validator,
  componentEntityV1alpha1Validator,
  domainEntityV1alpha1Validator,
  groupEntityV1alpha1Validator,
  locationEntityV1alpha1Validator,
  resourceEntityV1alpha1Validator,
  systemEntityV1alpha1Validator,
  userEntityV1alpha1Validator,
  parseEntityRef,
} from "@backstage/catalog-model";
import {
  aiResourceEntityV1alpha1Validator,
  mcpServerApiEntityValidator,
} from "@backstage/catalog-model/alpha";
import { parseAllDocuments } from "yaml";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";

const port = Number(process.env.PORTICO_E2E_PORT ?? 3123);
const root = resolve(__dirname, "..", "..");
const fixtures = process.env.PORTICO_BACKSTAGE_FIXTURES ?? join(root, "..", "shared", "fixtures", "backstage");

const policy = EntityPolicies.allOf([
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(),
  new SchemaValidEntityPolicy(),
]);
// With the alpha ones (AI resources); an `mcp-server` API is checked by the MCP server
// validator instead of the API one (it has `remotes` where others have a `definition`).
const kindValidators = [
  aiResourceEntityV1alpha1Validator,
  apiEntityV1alpha1Validator,
  componentEntityV1alpha1Validator,
  domainEntityV1alpha1Validator,
  groupEntityV1alpha1Validator,
  locationEntityV1alpha1Validator,
  resourceEntityV1alpha1Validator,
  systemEntityV1alpha1Validator,
  userEntityV1alpha1Validator,
];
const builtinKinds = new Set(["api", "component", "domain", "group", "location", "resource", "system", "user", "airesource"]);

// The refs each kind's spec holds and the kind they default to, as the catalog
// backend's BuiltinKindsEntityProcessor reads them to make relations: a ref it cannot
// parse fails the entity's processing, which is what `POST /validate-entity` runs.
const refFields: Record<string, Array<[string, string | undefined]>> = {
  component: [["owner", "group"], ["system", "system"], ["subcomponentOf", "component"], ["providesApis", "api"], ["consumesApis", "api"], ["dependsOn", undefined], ["dependencyOf", undefined]],
  api: [["owner", "group"], ["system", "system"]],
  resource: [["owner", "group"], ["system", "system"], ["dependsOn", undefined], ["dependencyOf", undefined]],
  system: [["owner", "group"], ["domain", "domain"]],
  domain: [["owner", "group"], ["subdomainOf", "domain"]],
  group: [["parent", "group"], ["children", "group"], ["members", "user"]],
  user: [["memberOf", "group"]],
};

function checkRefs(entity: any) {
  for (const [field, defaultKind] of refFields[String(entity.kind).toLowerCase()] ?? []) {
    for (const ref of [entity.spec?.[field] ?? []].flat()) {
      parseEntityRef(ref, { defaultKind, defaultNamespace: entity.metadata?.namespace ?? "default" });
    }
  }
}

// Where Backstage's answer is a quirk that contradicts its own documentation, Portico
// follows the documentation. Each such document is listed with why; the test checks
// they still differ, so the list cannot go stale.
const documentedDifferences: Record<string, string> = {
  // parseEntityRef takes `team/a` as a name, though a name "must be [a-zA-Z0-9] separated
  // by [-_.]" (Backstage's "Descriptor Format" page) and a ref is
  // `[<kind>:][<namespace>/]<name>`: the relation would point at no possible entity.
  "server/tests/broken-descriptors/28-malformed-ref.yaml #1": "a ref whose name holds '/'",
};

/** Backstage's verdict: null when valid, else why not. */
async function backstage(entity: any): Promise<string | null> {
  try {
    const enforced = await policy.enforce(structuredClone(entity));
    const mcpServer = String(entity.kind).toLowerCase() === "api" && entity.spec?.type === "mcp-server";
    for (const validator of mcpServer ? [mcpServerApiEntityValidator] : kindValidators) {
      if (await validator.check(enforced as any)) {
        checkRefs(enforced);
        return null;
      }
    }
    return "no validator recognises it";
  } catch (error) {
    return String((error as Error).message ?? error);
  }
}

/** Portico's verdict through POST /validate-entity: null when valid, else its problems. */
async function portico(entity: any): Promise<string | null> {
  const response = await fetch(`http://127.0.0.1:${port}/api/catalog/validate-entity`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ entity, location: "url:https://example.com/catalog-info.yaml" }),
  });
  if (response.status === 200) return null;
  const body = await response.json();
  return JSON.stringify(body.errors ?? body.error);
}

/** `$text`/`$json`/`$yaml` placeholders become the text the catalog reads in their place. */
function resolvePlaceholders(value: any): any {
  if (Array.isArray(value)) return value.map(resolvePlaceholders);
  if (value && typeof value === "object") {
    const keys = Object.keys(value);
    if (keys.length === 1 && ["$text", "$json", "$yaml"].includes(keys[0])) return "resolved placeholder";
    return Object.fromEntries(keys.map((k) => [k, resolvePlaceholders(value[k])]));
  }
  return value;
}

function yamlFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return yamlFiles(path);
    return /\.ya?ml$/.test(name) ? [path] : [];
  });
}

test("Portico's verdict on each descriptor is Backstage's", async () => {
  const files = [
    ...yamlFiles(join(fixtures, "catalog-examples")),
    ...yamlFiles(join(root, "server", "demo-catalog")),
    ...yamlFiles(join(root, "server", "tests", "broken-descriptors")),
  ];
  expect(files.length).toBeGreaterThan(80);
  let compared = 0;
  const valid = { both: 0, neither: 0 };
  const disagreements: string[] = [];
  const differing = new Set<string>();
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    if (/(^|\n)# expect: .*(placeholder|already defined|YAML|tab|indent|alias|expands)/i.test(text)) continue;
    let documents;
    try {
      documents = parseAllDocuments(text);
    } catch {
      continue;
    }
    for (const [i, document] of (Array.isArray(documents) ? documents : [documents]).entries()) {
      if (document.errors.length > 0) continue;
      const entity = resolvePlaceholders(document.toJS());
      if (!entity || typeof entity !== "object" || Array.isArray(entity)) continue;
      if (!("apiVersion" in entity) && !("kind" in entity) && !("metadata" in entity)) continue; // not a descriptor
      if (typeof entity.kind === "string" && !builtinKinds.has(entity.kind.toLowerCase())) continue;
      const [theirs, ours] = [await backstage(entity), await portico(entity)];
      compared += 1;
      const where = `${relative(root, file)} #${i + 1}`;
      if ((theirs === null) !== (ours === null) && where in documentedDifferences) {
        differing.add(where);
      } else if ((theirs === null) !== (ours === null)) {
        disagreements.push(
          `${where}: Backstage ${theirs === null ? "accepts" : `refuses (${theirs})`}; ` +
            `Portico ${ours === null ? "accepts" : `refuses (${ours})`}`,
        );
      } else if (theirs === null) valid.both += 1;
      else valid.neither += 1;
    }
  }
  console.log(`catalog-model: ${compared} documents compared, ${valid.both} valid, ${valid.neither} invalid for both`);
  expect(disagreements, disagreements.join("\n")).toEqual([]);
  expect([...differing].sort()).toEqual(Object.keys(documentedDifferences).sort());
  expect(valid.both).toBeGreaterThan(60);
  expect(valid.neither).toBeGreaterThan(20);
});

// Software Templates in the browser, on the third test server (the demo catalog, with
// its Git host in a folder of its own, see playwright.config.ts): the gallery, live
// validation as the person types, the wizard, creating a task and watching its log,
// the new component in the catalog, the commit in the bare repository, and the form
// with JavaScript off.
import { test, expect, hydrated } from "./fixtures";
import type { APIRequestContext, Page } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { join } from "node:path";

const base = `http://127.0.0.1:${process.env.PORTICO_E2E_TASKS_PORT}`;
const gitDir = join(process.env.PORTICO_E2E_TASKS_DIR!, "git");

/** A name no other test (or earlier run on this server) has used. */
function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;
}

/** A field by its label (required fields' labels end in " *"). */
function field(page: Page, label: string) {
  const escaped = label.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return page.getByLabel(new RegExp(`^${escaped}( \\*)?$`));
}

/** The messages shown next to a field (by its input's id). */
function errorsOf(page: Page, id: string) {
  return page.locator(`#${id}-errors li`);
}

/** Creates a task of the form showcase through the API, pausing `pause` seconds in its
 * second step (3 unless given); its id. */
async function showcaseTask(request: APIRequestContext, prefix: string, pause?: number): Promise<string> {
  const created = await request.post(`${base}/api/scaffolder/v2/tasks`, {
    data: {
      templateRef: "template:default/form-showcase",
      values: {
        name: unique(prefix),
        email: "ada@northwind.example",
        tier: "gold",
        owner: "group:default/platform-team",
        contact: { displayName: "Ada" },
        ...(pause === undefined ? {} : { advanced: true, pause }),
      },
    },
  });
  expect(created.status(), await created.text()).toBe(201);
  return (await created.json()).id;
}

test("the gallery lists the templates and filters them as the person types", async ({ page }) => {
  await page.goto(`${base}/create`);
  await hydrated(page);
  const cards = page.getByTestId("template-cards").locator("li.template-card");
  await expect(cards).toHaveCount(3);
  await expect(cards.locator("h2")).toHaveText(["Documentation site", "Form showcase", "Rust service"]);
  await page.getByPlaceholder("Search templates").pressSequentially("axum");
  await expect(cards).toHaveCount(1);
  await expect(cards.locator("h2")).toHaveText("Rust service");
  await expect(page).toHaveURL(/\/create\?q=axum$/);
  await page.getByPlaceholder("Search templates").fill("");
  await page.getByLabel("Tag").selectOption("docs");
  await expect(cards.locator("h2")).toHaveText(["Documentation site"]);
  await expect(page).toHaveURL(/tag=docs/);
  // The URL reproduces the view.
  await page.goto(`${base}/create?type=example`);
  await expect(cards.locator("h2")).toHaveText(["Form showcase"]);
  await page.goto(`${base}/create?q=nothing-like-this`);
  await expect(page.getByTestId("gallery-empty")).toContainText("No template matches");
});

test("errors appear and clear as the person types, and Next says why it waits", async ({ page }) => {
  await page.goto(`${base}/create/templates/default/form-showcase`);
  await hydrated(page);
  const name = field(page, "Name");
  await expect(name).toBeFocused(); // ui:autofocus
  const next = page.getByRole("button", { name: "Next" });
  await expect(next).toBeDisabled();
  await expect(page.getByTestId("wizard-why")).toContainText("Name: Fill in this field.");

  await name.pressSequentially("Ab");
  await expect(errorsOf(page, "field-name")).toContainText([
    "Use at least 3 characters (now 2).",
    "Must match the pattern ^[a-z][a-z0-9-]*$.",
  ]);
  await name.fill("");
  await name.pressSequentially("shop-api");
  await expect(errorsOf(page, "field-name")).toHaveCount(0);

  const email = field(page, "Contact email");
  await email.pressSequentially("ada@");
  await expect(errorsOf(page, "field-email")).toHaveText(["Enter an email address, like name@example.com."]);
  await email.pressSequentially("example.com");
  await expect(errorsOf(page, "field-email")).toHaveCount(0);

  await field(page, "API token").pressSequentially("short");
  await expect(errorsOf(page, "field-apiToken")).toHaveText(["Use at least 8 characters (now 5)."]);
  await field(page, "API token").pressSequentially("-but-now-long");
  await expect(errorsOf(page, "field-apiToken")).toHaveCount(0);
  // Read-only and hidden fields keep their values.
  await expect(field(page, "Template version")).toHaveAttribute("readonly", "");
  await expect(page.locator('input[type=hidden][name="source"]')).toHaveValue("form-showcase");
  await expect(next).toBeEnabled();
  await next.click();

  // Page 2: a condition (`if`/`then`) and a dependency (`oneOf`) add required fields.
  await expect(page.getByRole("heading", { level: 2 })).toHaveText("Numbers and choices");
  await field(page, "Replicas").fill("12");
  await expect(errorsOf(page, "field-replicas")).toHaveText(["Must be at most 10."]);
  await field(page, "Replicas").fill("3");
  await expect(errorsOf(page, "field-replicas")).toHaveCount(0);
  await page.getByLabel("Gold (24/7)").check();
  await expect(field(page, "Public domain")).toHaveCount(0);
  await page.getByRole("checkbox", { name: "Public", exact: true }).check();
  await expect(field(page, "Public domain")).toBeVisible();
  await expect(page.getByTestId("wizard-why")).toContainText("Public domain: Fill in this field.");
  await field(page, "Public domain").pressSequentially("shop.northwind.example");
  await page.getByLabel("Handles personal data").check();
  await expect(field(page, "Data protection contact")).toBeVisible();
  await field(page, "Data protection contact").pressSequentially("dpo@northwind.example");
  await page.getByRole("button", { name: "Next" }).click();
  await expect(page.getByRole("heading", { level: 2 })).toHaveText("Groups and lists");

  // Back keeps the answers.
  await page.getByRole("button", { name: "Back" }).click();
  await expect(field(page, "Public domain")).toHaveValue("shop.northwind.example");
});

test("a task is created from the wizard, its log streams, and the component is registered and pushed", async ({ page }) => {
  const name = unique("parcel");
  await page.goto(`${base}/create/templates/default/rust-service`);
  await hydrated(page);
  await field(page, "Name").pressSequentially(name);
  await field(page, "Description").fill("Tracks parcels door to door");
  await field(page, "Owner").pressSequentially("logistics");
  // The picker suggests the catalog's groups as the person types.
  await expect(page.locator("#field-owner-choices option[value='group:default/logistics-team']")).toHaveCount(1);
  await field(page, "Owner").fill("group:default/logistics-team");
  await field(page, "System").fill("system:default/fulfilment");
  await page.getByRole("button", { name: "Next" }).click();
  await expect(field(page, "Port")).toHaveValue("8080");
  await field(page, "Database").selectOption({ label: "PostgreSQL" });
  await page.getByRole("button", { name: "Next" }).click();
  await page.locator("#field-repoUrl-owner").fill("northwind");
  await page.locator("#field-repoUrl-repo").fill(name);
  await page.getByRole("button", { name: "Next" }).click();

  const review = page.getByTestId("review");
  await expect(review).toContainText(name);
  await expect(review).toContainText("PostgreSQL");
  await expect(review).toContainText(`git.northwind.example/northwind/${name}`);
  // A dry run shows the files without publishing.
  await page.getByRole("button", { name: /Dry run/ }).click();
  await expect(page.getByTestId("dry-run")).toContainText("Cargo.toml");
  await expect(page.getByTestId("dry-run")).toContainText("Nothing was published");

  await page.getByRole("button", { name: "Create", exact: true }).click();
  await expect(page).toHaveURL(/\/create\/tasks\/[0-9a-f-]+$/);
  // The task pushes to a Git repository and registers the component (reading it and
  // building its docs): about a second alone, more than the default 5 s once with every
  // other browser test running beside it.
  await expect(page.getByTestId("task-status")).toHaveText("Completed", { timeout: 20_000 });
  const steps = page.locator(".task-step");
  await expect(steps).toHaveCount(3);
  await expect(page.getByTestId("step-status")).toHaveText(["Done", "Done", "Done"]);
  await expect(page.getByTestId("step-log").nth(1)).toContainText(`northwind/${name}.git`);

  // The commit is in the bare repository.
  const repo = join(gitDir, "northwind", `${name}.git`);
  const log = execFileSync("git", ["--git-dir", repo, "log", "--format=%s", "main"]).toString();
  expect(log.trim()).toBe(`Create ${name} from the Rust service template`);
  const cargo = execFileSync("git", ["--git-dir", repo, "show", "main:Cargo.toml"]).toString();
  expect(cargo).toContain(`name = "${name}"`);
  expect(cargo).toContain('features = ["runtime-tokio", "postgres"]');

  // The output leads to the new component in the catalog.
  await page.getByRole("link", { name: "Open in catalog" }).click();
  await expect(page).toHaveURL(new RegExp(`/catalog/default/component/${name}$`));
  await expect(page.getByRole("heading", { level: 1 })).toContainText(name);
  await expect(page.getByTestId("entity-owner")).toContainText("Logistics");

  // Its docs, built from the repository the task pushed to.
  await page.getByTestId("entity-docs-tab").click();
  await expect(page).toHaveURL(new RegExp(`/docs/default/component/${name}/$`));
  await expect(page.getByTestId("doc-content").locator("h1")).toHaveText(new RegExp(name));
  await expect(page.getByTestId("doc-content")).toContainText("Tracks parcels door to door");
});

test("the task page streams the log of a running task", async ({ page, request }) => {
  // form-showcase pauses 3 s in its second step: the page opens while it runs.
  const id = await showcaseTask(request, "stream");
  await page.goto(`${base}/create/tasks/${id}`);
  await hydrated(page);
  await expect(page.getByTestId("task-status")).toHaveText(/Running|Waiting to start/);
  // New lines arrive over the event stream, without reloading.
  await expect(page.getByTestId("step-log").nth(2)).toContainText("Wrote 1 file from", { timeout: 10_000 });
  await expect(page.getByTestId("task-status")).toHaveText("Completed");
  await expect(page.getByTestId("task-output")).toContainText("will run 2 replicas in eu-west-1");
  // The task list has it.
  await page.goto(`${base}/create/tasks`);
  await expect(page.getByTestId("tasks").getByRole("link", { name: "Form showcase" }).first()).toBeVisible();
});

test("a running task can be cancelled", async ({ page, request }) => {
  // A pause far longer than any page load: the task is still running when Cancel lands.
  const id = await showcaseTask(request, "cancel", 300);
  await page.goto(`${base}/create/tasks/${id}`);
  await hydrated(page);
  await page.getByRole("button", { name: "Cancel" }).click();
  await expect(page.getByTestId("task-status")).toHaveText("Cancelled");
});

test.describe("with JavaScript off", () => {
  test.use({ javaScriptEnabled: false });

  test("the form is checked on the server, errors shown on the page, and the task created", async ({ page }) => {
    const name = unique("docs");
    await page.goto(`${base}/create/templates/default/docs-site`);
    await field(page, "Name").fill("Not A Name");
    await field(page, "Title").fill("Ok");
    await page.getByRole("button", { name: "Next" }).click();
    // The server rendered the same page with its messages.
    await expect(page.getByRole("heading", { level: 2 })).toHaveText("The site");
    await expect(errorsOf(page, "field-name")).toContainText(["A name may only contain letters, digits, '-', '_' and '.' (found ' ')."]);
    await expect(errorsOf(page, "field-title")).toHaveText(["Use at least 3 characters (now 2)."]);
    await expect(errorsOf(page, "field-owner")).toHaveText(["Fill in this field."]);
    await field(page, "Name").fill(name);
    await field(page, "Title").fill("Runbooks");
    await field(page, "Owner").fill("group:default/platform-team");
    await page.getByLabel("Runbook").check();
    await page.getByRole("button", { name: "Next" }).click();
    await expect(page.getByRole("heading", { level: 2 })).toHaveText("Repository");
    await page.locator("#field-repoUrl-owner").fill("northwind");
    await page.locator("#field-repoUrl-repo").fill(name);
    await page.getByRole("button", { name: "Next" }).click();
    await expect(page.getByTestId("review")).toContainText("Runbooks");
    await expect(page.getByTestId("review")).toContainText("Getting started, Runbook");
    await page.getByRole("button", { name: "Create", exact: true }).click();
    await expect(page).toHaveURL(/\/create\/tasks\/[0-9a-f-]+$/);
    // Without JavaScript the page shows the task as it was; reloading shows it ended.
    await expect(async () => {
      await page.reload();
      await expect(page.getByTestId("task-status")).toHaveText("Completed", { timeout: 500 });
    }).toPass({ timeout: 10_000 });
    const repo = join(gitDir, "northwind", `${name}.git`);
    const files = execFileSync("git", ["--git-dir", repo, "ls-tree", "-r", "--name-only", "main"]).toString();
    expect(files.split("\n").filter(Boolean)).toEqual([
      "catalog-info.yaml",
      "docs/getting-started.md",
      "docs/index.md",
      "docs/runbook.md",
      "mkdocs.yml",
    ]);
  });
});

import { test as base, expect, type Page } from "@playwright/test";

/** Waits until the wasm bundle has hydrated the page (the app marks `<body data-hydrated>`). */
export async function hydrated(page: Page) {
  await expect(page.locator("body[data-hydrated]")).toBeAttached({ timeout: 15_000 });
}

const provider = `http://127.0.0.1:${process.env.PORTICO_E2E_PROVIDER_PORT}/`;

/** Every test fails on an uncaught error or a console error in the page. */
export const test = base.extend<{ pageErrors: string[] }>({
  pageErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on("pageerror", (error) => errors.push(error.message));
      page.on("console", (message) => {
        if (message.type() !== "error") return;
        // A page answered with an error status (the 404 page) logs its own load; that
        // is the test's subject, not a fault. Failed scripts, wasm or styles still count.
        const ownDocument = message.location().url === page.url();
        if (ownDocument && message.text().startsWith("Failed to load resource")) return;
        // The sign-in provider's own login page is not ours.
        if (message.location().url.startsWith(provider)) return;
        errors.push(message.text());
      });
      await use(errors);
      expect(errors, "errors in the page").toEqual([]);
    },
    { auto: true },
  ],
});

export { expect };

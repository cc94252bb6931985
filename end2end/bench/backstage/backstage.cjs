// Backstage's own catalog backend, as a Backstage app's packages/backend starts it, with
// nothing but the catalog plugin. .ci/bench-backstage runs it with a config of its own.
const { createBackend } = require("@backstage/backend-defaults");

const backend = createBackend();
backend.add(require("@backstage/plugin-catalog-backend"));
backend.start();

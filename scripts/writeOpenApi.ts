// `pnpm docs` (after TypeDoc): writes the REST API's OpenAPI 3.1 document to docs/api/openapi.json and a browsable
// page of it, docs/api/rest/index.html (Swagger UI, its files copied beside it: opens from disk, no network).
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOpenApiDocument, roadmapRouteTable } from '../packages/http/src/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const output = path.join(root, 'docs/api/rest');
const swaggerUi = path.dirname(
  createRequire(path.join(root, 'examples/server/package.json')).resolve('swagger-ui-dist/package.json'),
);

const document = createOpenApiDocument(roadmapRouteTable);
await mkdir(output, { recursive: true });
await writeFile(path.join(root, 'docs/api/openapi.json'), `${JSON.stringify(document, null, 2)}\n`);
await writeFile(path.join(output, 'openapi.js'), `window.roadmapOpenApi = ${JSON.stringify(document)};\n`);
for (const file of ['swagger-ui.css', 'swagger-ui-bundle.js']) {
  await copyFile(path.join(swaggerUi, file), path.join(output, file));
}
await writeFile(
  path.join(output, 'index.html'),
  `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Roadmap Kit REST API</title>
    <link rel="stylesheet" href="swagger-ui.css" />
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="swagger-ui-bundle.js"></script>
    <script src="openapi.js"></script>
    <script>SwaggerUIBundle({ spec: window.roadmapOpenApi, dom_id: '#swagger-ui' });</script>
  </body>
</html>
`,
);
console.log(
  `OpenAPI: docs/api/openapi.json, docs/api/rest/index.html (${Object.keys(document.paths as object).length} paths)`,
);

import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';

/*
 * The GraphQL IDE at GET /graphql (development only): GraphiQL and React
 * from node_modules, served by the gateway itself. Apollo's default landing
 * page loads Apollo Sandbox and its fonts from a CDN, which a university's
 * intranet or a machine without internet cannot reach; this page needs
 * nothing beyond the hub. GraphiQL 3 because it still ships a prebuilt
 * browser bundle (later majors must be bundled with the application); it
 * runs on React 18, whose UMD builds it uses. Off in production, where the
 * graph also answers no introspection.
 */

export const IDE_ASSETS = '/graphql-ide';

/** The page's own files (HTML and the script that starts GraphiQL), resolved from this module. */
const PAGE_DIR = fileURLToPath(new URL('./ide/', import.meta.url));

/** Same origin only, no inline script; GraphiQL's editors set inline styles and use data: images. */
const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

function secure(response: express.Response): void {
  response.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
  response.setHeader('x-content-type-options', 'nosniff');
  response.setHeader('x-frame-options', 'DENY');
  response.setHeader('referrer-policy', 'no-referrer');
}

/**
 * Serves the IDE to a browser asking for `graphqlPath` (it accepts HTML and
 * sends no query); every other request there is the graph's. Mount before the
 * graph's own middleware.
 */
export function mountIde(app: Express, graphqlPath: string): void {
  // The browser builds are not in the packages' "exports": found beside each package.json.
  const require = createRequire(import.meta.url);
  const inPackage = (name: string, file: string) => join(dirname(require.resolve(`${name}/package.json`)), file);
  const vendor: Record<string, string> = {
    'react.production.min.js': inPackage('react', 'umd/react.production.min.js'),
    'react-dom.production.min.js': inPackage('react-dom', 'umd/react-dom.production.min.js'),
    'graphiql.min.js': inPackage('graphiql', 'graphiql.min.js'),
    'graphiql.min.css': inPackage('graphiql', 'graphiql.min.css'),
  };
  app.get(`${IDE_ASSETS}/vendor/:file`, (request, response, next) => {
    const file = vendor[request.params['file'] ?? ''];
    if (!file) return next();
    secure(response);
    response.setHeader('cache-control', 'public, max-age=86400');
    response.sendFile(file);
  });
  app.use(
    IDE_ASSETS,
    express.static(PAGE_DIR, {
      index: false,
      redirect: false,
      fallthrough: true,
      setHeaders: (response) => {
        secure(response);
        response.setHeader('cache-control', 'no-cache');
      },
    }),
  );
  app.get(graphqlPath, (request, response, next) => {
    // A GraphQL GET carries a query; a browser opening the address asks for HTML and sends none.
    if (request.query['query'] !== undefined || request.accepts(['application/json', 'application/graphql-response+json', 'text/html']) !== 'text/html') return next();
    secure(response);
    response.setHeader('cache-control', 'no-cache');
    response.sendFile(`${PAGE_DIR}index.html`);
  });
}

import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';

/*
 * The analyst dashboard's files: a static page, its script and stylesheet,
 * and the bundled ECharts build from node_modules (no CDN: it works on a
 * university's intranet and on machines without internet). The gateway
 * passes /dashboard/ through to here; the page's data comes through the
 * graph with the analyst's own access token, so this route serves no data.
 */

export const DASHBOARD_ROUTE = '/dashboard';

/** The folder of the page's files, resolved from this module. */
const PAGE_DIR = fileURLToPath(new URL('./dashboard/', import.meta.url));

/** Same origin only: scripts and data from the hub, no inline script, no framing. ECharts' tooltips set inline styles. */
const CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export function mountDashboard(app: Express): void {
  const echarts = createRequire(import.meta.url).resolve('echarts/dist/echarts.min.js');
  const headers = (response: express.Response) => {
    response.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
    response.setHeader('x-content-type-options', 'nosniff');
    response.setHeader('x-frame-options', 'DENY');
    response.setHeader('referrer-policy', 'no-referrer');
  };
  app.get(`${DASHBOARD_ROUTE}/vendor/echarts.min.js`, (_request, response) => {
    headers(response);
    response.setHeader('cache-control', 'public, max-age=86400');
    response.sendFile(echarts);
  });
  app.use(
    DASHBOARD_ROUTE,
    express.static(PAGE_DIR, {
      index: 'index.html',
      redirect: false,
      fallthrough: true,
      // The page changes with the hub's version; revalidate rather than cache it blind.
      setHeaders: (response) => {
        headers(response);
        response.setHeader('cache-control', 'no-cache');
      },
    }),
  );
}

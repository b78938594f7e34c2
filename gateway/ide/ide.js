/*
 * Starts GraphiQL against the gateway it was served by (no CDN: every file
 * comes from the hub). Learner records need an access token: the default
 * query says how to get one, and the headers pane takes it; GraphiQL keeps
 * neither the token nor the headers beyond the tab (shouldPersistHeaders false).
 */
(function start() {
  'use strict';
  var root = document.getElementById('ide');
  var endpoint = new URL(root.getAttribute('data-endpoint') || '/graphql', window.location.href).href;
  var defaultQuery = [
    '# The ECIU hub: one graph over the alliance\'s members.',
    '# Public data (the catalogue, institutions, ESCO skills) needs no token.',
    '# Learner records need one: from a terminal beside the hub,',
    '#   npm run --silent token -- --role learner --learner <learner id>',
    '# then put { "authorization": "Bearer <token>" } in the Headers pane below.',
    '',
    '{',
    '  institutions {',
    '    id',
    '    name',
    '  }',
    '}',
    '',
  ].join('\n');
  var fetcher = GraphiQL.createFetcher({ url: endpoint });
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: defaultQuery,
      shouldPersistHeaders: false,
      isHeadersEditorEnabled: true,
    }),
  );
})();

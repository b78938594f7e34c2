// The analyst dashboard: signs in at the identity provider the gateway names (OAuth 2.0 code flow with
// PKCE), reads the published tables through the graph and draws them with the bundled ECharts. Plain
// browser JavaScript without a build step: what is served is what is reviewed. Every figure comes from
// the graph as published; withheld cells stay withheld here (shown as "suppressed", never drawn), and
// filters only choose among published tables and rows — nothing is recounted in the browser.
//
// Split in two files, each kept small enough to review: this one (sign-in, the graph, the shared
// helpers and the first panels) and dashboard-outcomes.js (SDGs, skills, credentials, recognition,
// impact). No build step means no modules bundled together, and the page's policy allows scripts
// from the hub only, so the second file is another <script defer> (run after this one, in document
// order, before DOMContentLoaded) that registers its panels on one namespace, window.EciuDashboard:
// the helpers below, and `register` for panels this file loads and draws with its own.
'use strict';
(function () {
  const TOKEN_KEY = 'eciu-dashboard-token';
  const PENDING_KEY = 'eciu-dashboard-sign-in';
  const SUPPRESSED = 'suppressed';
  /** A figure the graph refused this role (FORBIDDEN), or did not answer: never "suppressed", which is a privacy rule. */
  const NOT_FOR_ROLE = 'not available to your role';
  const NO_ANSWER = 'no answer';
  const MEASURES = { enrolments: 'Enrolments', completions: 'Completions', passed: 'Passed assessments', ectsAwarded: 'ECTS awarded' };
  const COUNTS = 'enrolments completions passed ectsAwarded';
  const $ = (id) => document.getElementById(id);
  const state = { measure: 'enrolments', dimension: 'KIND', hidden: new Set() };
  const tables = new Map();
  const charts = [];
  let data = { term: null, byMember: null, mobility: null, quality: null };
  /** Panels other files register: { id, place: 'top' | 'bottom', load() → value, render({ value } | { error }) }. */
  const extras = [];

  const base64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const randomString = (length) => base64url(crypto.getRandomValues(new Uint8Array(length)));
  const redirectUri = () => new URL('/dashboard/', location.origin).href;

  function status(message) { $('status').textContent = message || ''; }

  async function signInConfig() {
    const response = await fetch('/auth/sign-in.json', { headers: { accept: 'application/json' } });
    if (!response.ok) throw new Error('This hub has no sign-in configured for the dashboard (AUTH_AUTHORIZATION_URL, see the gateway\'s --help).');
    return response.json();
  }

  async function signIn() {
    const config = await signInConfig();
    const verifier = randomString(48);
    const challenge = base64url(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)));
    const stateValue = randomString(16);
    sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state: stateValue }));
    const url = new URL(config.authorizationEndpoint, location.origin);
    const params = { response_type: 'code', client_id: config.clientId, redirect_uri: redirectUri(), state: stateValue, code_challenge: challenge, code_challenge_method: 'S256' };
    if (config.scope) params.scope = config.scope;
    for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
    location.assign(url.href);
  }

  /** Back from the identity provider with ?code=…: exchange it for an access token (kept for this tab only). */
  async function completeSignIn(query) {
    const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) || 'null');
    sessionStorage.removeItem(PENDING_KEY);
    history.replaceState(null, '', '/dashboard/');
    if (query.get('error')) throw new Error(`Sign-in refused: ${query.get('error_description') || query.get('error')}`);
    if (!pending || pending.state !== (query.get('state') || '')) throw new Error('Sign-in answer does not match a sign-in started here; sign in again.');
    const config = await signInConfig();
    const body = new URLSearchParams({ grant_type: 'authorization_code', code: query.get('code'), code_verifier: pending.verifier, client_id: config.clientId, redirect_uri: redirectUri() });
    const response = await fetch(new URL(config.tokenEndpoint, location.origin).href, { method: 'POST', body, headers: { accept: 'application/json' } });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok || !answer.access_token) throw new Error(`Sign-in failed: ${answer.error_description || response.status}`);
    sessionStorage.setItem(TOKEN_KEY, answer.access_token);
  }

  function signOut() {
    sessionStorage.removeItem(TOKEN_KEY);
    location.assign('/dashboard/');
  }

  /** Who the token says the caller is (shown only; the hub checks the token itself). */
  function claims(token) {
    try {
      return JSON.parse(atob(token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/')));
    } catch {
      return {};
    }
  }

  async function graphql(query, variables) {
    const response = await fetch('/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${sessionStorage.getItem(TOKEN_KEY)}` },
      body: JSON.stringify({ query, variables: variables || {} }),
    });
    if (response.status === 401) {
      sessionStorage.removeItem(TOKEN_KEY);
      throw new Error('Your sign-in has expired or was refused; sign in again.');
    }
    const body = await response.json().catch(() => ({}));
    return { data: body.data || null, errors: body.errors || [] };
  }

  const TABLE_QUERY = `query Table($by: StatisticsDimension) { allianceStatistics(by: $by) { k publishedAt columns
    rows { member { id name } cells { key ${COUNTS} } total { ${COUNTS} } } columnTotals { key ${COUNTS} } total { ${COUNTS} } unavailableMembers { id name } } }`;
  const MOBILITY_QUERY = `{ mobility { k flows { home { id name } host { id name } learners } byMemberCount { members learners } multiMemberLearners learners } }`;
  const QUALITY_QUERY = `{ institutions { id name qualitySummary { k withheld responses responseRate averages { overall workload } } } }`;

  async function table(by) {
    const key = by || 'MEMBER';
    if (!tables.has(key)) {
      const answer = await graphql(TABLE_QUERY, by ? { by } : {});
      if (!answer.data || !answer.data.allianceStatistics) throw new Error(message(answer.errors));
      tables.set(key, answer.data.allianceStatistics);
    }
    return tables.get(key);
  }

  function message(errors) {
    const first = errors && errors[0];
    if (!first) return 'No answer.';
    const code = first.extensions && first.extensions.code;
    return code === 'FORBIDDEN' ? 'Not available to your role.' : first.message;
  }

  /** The institutions' quality summaries, each marked `refused` where the graph refused it to this role. */
  function qualityOf(answer) {
    if (!answer.data || !answer.data.institutions) return { error: message(answer.errors) };
    const refused = new Map();
    for (const error of answer.errors) {
      const path = error.path || [];
      if (path[0] === 'institutions' && path[2] === 'qualitySummary') refused.set(path[1], error.extensions && error.extensions.code === 'FORBIDDEN' ? NOT_FOR_ROLE : NO_ANSWER);
    }
    return { value: answer.data.institutions.map((member, index) => ({ ...member, refused: member.qualitySummary ? null : refused.get(index) || null })) };
  }

  // ——— rendering ———

  const shown = (value, digits) => (value === null || value === undefined ? SUPPRESSED : typeof value === 'number' ? value.toLocaleString('en', { maximumFractionDigits: digits ?? 1 }) : String(value));

  /**
   * The panel's section, made on first use: a CSV button (for its first table), title, note,
   * `layout.charts` chart areas (default 1) and a table per caption in `layout.tables` (default
   * one, "Table"); tables after the first have a CSV button of their own.
   */
  function panel(id, title, note, layout) {
    let section = $(id);
    if (!section) {
      const charts = layout && layout.charts !== undefined ? layout.charts : 1;
      const captions = (layout && layout.tables) || ['Table'];
      section = document.createElement('section');
      section.id = id;
      section.innerHTML = `<button type="button" class="csv">Download CSV</button><h2></h2><p class="note"></p>`
        + (charts ? `<div class="charts charts-${charts}">${'<div class="chart" role="img"></div>'.repeat(charts)}</div>` : '')
        + captions.map((_caption, index) => `<details open><summary></summary>${index ? '<button type="button" class="csv">Download CSV</button>' : ''}<table></table></details>`).join('');
      section.querySelectorAll('details summary').forEach((summary, index) => { summary.textContent = captions[index]; });
      if (layout && layout.tall) section.querySelectorAll('.chart').forEach((element) => element.classList.add('tall'));
      (layout && layout.place === 'top' ? $('panels-top') : $('panels')).appendChild(section);
    }
    section.querySelector('h2').textContent = title;
    section.querySelector('.note').textContent = note || '';
    section.querySelectorAll('.chart').forEach((element) => element.setAttribute('aria-label', title));
    return section;
  }

  /** Writes a table: a head row, then the rows as text; withheld and refused cells get a class. */
  function writeTable(tableElement, head, rows) {
    tableElement.replaceChildren();
    const headRow = tableElement.createTHead().insertRow();
    for (const name of head) {
      const cell = document.createElement('th');
      cell.textContent = name;
      headRow.appendChild(cell);
    }
    const body = tableElement.createTBody();
    for (const row of rows) {
      const line = body.insertRow();
      for (const value of row) {
        const cell = line.insertCell();
        cell.textContent = value;
        if (value === SUPPRESSED) cell.className = 'suppressed';
        else if (value === NOT_FOR_ROLE || value === NO_ANSWER) cell.className = 'refused';
      }
    }
  }

  /** Fills the panel's table `index` (what the chart shows, with withheld cells named) and its CSV button. */
  function fillTable(section, head, rows, filename, index) {
    writeTable(section.querySelectorAll('table')[index || 0], head, rows);
    section.querySelectorAll('button.csv')[index || 0].onclick = () => download(filename, [head, ...rows]);
  }

  /** A panel whose figures cannot be shown (refused for the role, a source down): the reason in its first chart (the others left blank) and every table. */
  function notice(section, text, filename, head) {
    section.querySelectorAll('.chart').forEach((element, index) => {
      const textStyle = { fontSize: 14, lineHeight: 20, width: Math.max(200, element.clientWidth - 60), overflow: 'break' };
      chart(section, index ? { series: [] } : { title: { text, left: 'center', top: 'middle', textStyle }, series: [] }, index);
    });
    section.querySelectorAll('table').forEach((_element, index) => fillTable(section, [head || 'Figures'], [[text]], filename, index));
  }

  function download(filename, lines) {
    const quote = (value) => (/[",\n]/.test(String(value)) ? `"${String(value).replace(/"/g, '""')}"` : String(value));
    const blob = new Blob([lines.map((line) => line.map(quote).join(',')).join('\r\n') + '\r\n'], { type: 'text/csv' });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = `eciu-${filename}-${new Date().toISOString().slice(0, 10)}.csv`;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  }

  function chart(section, option, index) {
    const element = section.querySelectorAll('.chart')[index || 0];
    const instance = echarts.getInstanceByDom(element) || echarts.init(element, null, { renderer: 'canvas' });
    instance.setOption({ animation: false, tooltip: { trigger: 'item' }, ...option }, true);
    if (!charts.includes(instance)) charts.push(instance);
  }

  const visibleRows = (rows) => rows.filter((row) => !state.hidden.has(row.member.id));
  const label = (member) => member.name || member.id;
  /** An option's text inside a sentence: "Offering kind" → "offering kind", "UN SDG" stays. */
  const phrase = (text) => (/^[A-Z][A-Z]/.test(text) ? text : text.charAt(0).toLowerCase() + text.slice(1));

  function renderUptake() {
    const t = data.term;
    const measure = state.measure;
    const everyone = state.hidden.size === 0;
    const section = panel('uptake', `Uptake over time: ${MEASURES[measure]} by month the offering starts`, everyone ? 'The alliance total; choose members to compare them.' : 'The members chosen.');
    const rows = visibleRows(t.rows);
    const series = everyone
      ? [{ name: 'Alliance', type: 'line', connectNulls: false, data: t.columnTotals.map((cell) => cell[measure]) }]
      : rows.map((row) => ({ name: label(row.member), type: 'line', connectNulls: false, data: row.cells.map((cell) => cell[measure]) }));
    chart(section, { tooltip: { trigger: 'axis' }, legend: { type: 'scroll', top: 0 }, grid: { top: 40, left: 60, right: 20, bottom: 30 }, xAxis: { type: 'category', data: t.columns }, yAxis: { type: 'value' }, series });
    fillTable(section, ['Member', ...t.columns, 'Total'], [
      ...rows.map((row) => [label(row.member), ...row.cells.map((cell) => shown(cell[measure])), shown(row.total[measure])]),
      ...(everyone ? [['Alliance', ...t.columnTotals.map((cell) => shown(cell[measure])), shown(t.total[measure])]] : []),
    ], `uptake-${measure}`);
  }

  function renderBreakdown() {
    const t = tables.get(state.dimension);
    const measure = state.measure;
    const option = $('dimension').selectedOptions[0];
    // By SDG an offering counts under each of its goals: a row's cells overlap, so they are never stacked.
    const overlapping = state.dimension === 'SDG';
    const section = panel('by-member', `${MEASURES[measure]} by member and ${option ? phrase(option.textContent) : state.dimension}`, overlapping
      ? "An offering counts under each of its SDGs, so a row's cells overlap and do not add up to its total: drawn as a heat map, not stacked. A withheld cell is left blank (the table names it)."
      : 'Stacked by the breakdown chosen; a withheld cell is left out of its bar (the table names it).');
    const rows = visibleRows(t.rows);
    const ids = rows.map((row) => row.member.id);
    if (overlapping) {
      const points = rows.flatMap((row, r) => row.cells.map((cell, c) => [c, r, cell[measure]])).filter((point) => point[2] !== null);
      chart(section, {
        tooltip: { position: 'top' },
        grid: { top: 20, left: 110, right: 20, bottom: 80 },
        xAxis: { type: 'category', data: t.columns, splitArea: { show: true } },
        yAxis: { type: 'category', data: ids, splitArea: { show: true } },
        visualMap: { min: 0, max: Math.max(1, ...points.map((point) => point[2])), calculable: true, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120 },
        series: [{ name: MEASURES[measure], type: 'heatmap', data: points, label: { show: ids.length <= 16 } }],
      });
    } else {
      const series = t.columns.map((column, index) => ({ name: column, type: 'bar', stack: 'all', data: rows.map((row) => row.cells[index][measure]) }));
      chart(section, { tooltip: { trigger: 'item' }, legend: { type: 'scroll', top: 0 }, grid: { top: 40, left: 60, right: 20, bottom: 70 }, xAxis: { type: 'category', data: ids, axisLabel: { rotate: 35 } }, yAxis: { type: 'value' }, series });
    }
    fillTable(section, ['Member', ...t.columns, 'Total'], [
      ...rows.map((row) => [label(row.member), ...row.cells.map((cell) => shown(cell[measure])), shown(row.total[measure])]),
      ['All members', ...t.columnTotals.map((cell) => shown(cell[measure])), shown(t.total[measure])],
    ], `${measure}-by-member-${state.dimension.toLowerCase()}`);
  }

  function renderMobility() {
    const section = panel('mobility', 'Mobility: learners from their home member studying at another', 'Rows: home member (first account); columns: host member.');
    if (data.mobility.error) {
      notice(section, data.mobility.error, 'mobility', 'Mobility');
      return;
    }
    const m = data.mobility.value;
    const members = [...new Map(m.flows.flatMap((flow) => [[flow.home.id, flow.home], [flow.host.id, flow.host]])).values()].filter((member) => !state.hidden.has(member.id));
    const ids = members.map((member) => member.id);
    const flows = m.flows.filter((flow) => ids.includes(flow.home.id) && ids.includes(flow.host.id) && flow.home.id !== flow.host.id);
    const values = flows.filter((flow) => flow.learners !== null).map((flow) => flow.learners);
    chart(section, {
      tooltip: { position: 'top' },
      grid: { top: 20, left: 90, right: 20, bottom: 90 },
      xAxis: { type: 'category', data: ids, axisLabel: { rotate: 45 }, name: 'host' },
      yAxis: { type: 'category', data: ids, name: 'home' },
      visualMap: { min: 0, max: Math.max(1, ...values), calculable: true, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 120 },
      series: [{ name: 'Learners', type: 'heatmap', data: flows.filter((flow) => flow.learners !== null).map((flow) => [ids.indexOf(flow.host.id), ids.indexOf(flow.home.id), flow.learners]), label: { show: ids.length <= 8 } }],
    });
    fillTable(section, ['Home member', 'Host member', 'Learners'], [
      ...flows.map((flow) => [label(flow.home), label(flow.host), shown(flow.learners)]),
      ...m.byMemberCount.map((bucket) => [`Learners at ${bucket.members} member${bucket.members === 1 ? '' : 's'}`, '', shown(bucket.learners)]),
      ['Learners at 2 or more members', '', shown(m.multiMemberLearners)],
    ], 'mobility');
  }

  function renderQuality() {
    const section = panel('quality', 'Feedback and quality: overall rating by member (1–5)', 'The mean of content, assessment, support and relevance; workload 3 means as the ECTS state.');
    if (data.quality.error) {
      notice(section, data.quality.error, 'quality', 'Quality');
      return;
    }
    const members = data.quality.value.filter((member) => !state.hidden.has(member.id));
    const summary = (member) => member.qualitySummary || { withheld: true };
    // Members whose summaries this role may not read are not on the chart; the table says why.
    const drawn = members.filter((member) => !member.refused);
    chart(section, {
      tooltip: { trigger: 'axis' }, legend: { top: 0 }, grid: { top: 40, left: 50, right: 20, bottom: 70 },
      xAxis: { type: 'category', data: drawn.map((member) => member.id), axisLabel: { rotate: 35 } },
      yAxis: { type: 'value', min: 0, max: 5 },
      series: [
        { name: 'Overall', type: 'bar', data: drawn.map((member) => (summary(member).withheld ? null : summary(member).averages.overall)) },
        { name: 'Workload vs ECTS', type: 'bar', data: drawn.map((member) => (summary(member).withheld ? null : summary(member).averages.workload)) },
      ],
    });
    fillTable(section, ['Member', 'Responses', 'Response rate', 'Overall', 'Workload vs ECTS'], members.map((member) => {
      const s = summary(member);
      if (member.refused) return [label(member), member.refused, member.refused, member.refused, member.refused];
      return s.withheld
        ? [label(member), SUPPRESSED, SUPPRESSED, SUPPRESSED, SUPPRESSED]
        : [label(member), shown(s.responses), s.responseRate === null ? SUPPRESSED : `${Math.round(s.responseRate * 100)} %`, shown(s.averages.overall), shown(s.averages.workload)];
    }), 'quality');
  }

  function render() {
    const renderExtras = (place) => extras.filter((extra) => extra.place === place).forEach((extra) => extra.render(data.extras.get(extra.id)));
    renderExtras('top');
    renderUptake();
    renderBreakdown();
    renderMobility();
    renderQuality();
    renderExtras('bottom');
    const t = data.term;
    const unavailable = t.unavailableMembers.map(label);
    $('publication').textContent = `Published ${new Date(t.publishedAt).toLocaleString('en-GB')} · k = ${t.k}` + (unavailable.length ? ` · missing (did not answer): ${unavailable.join(', ')}` : '');
    $('publication').className = unavailable.length ? 'unavailable' : '';
    document.body.dataset.rendered = String(Number(document.body.dataset.rendered || 0) + 1);
  }

  function memberFilter(rows) {
    const box = $('members');
    box.replaceChildren();
    for (const row of rows) {
      const labelElement = document.createElement('label');
      const input = document.createElement('input');
      input.type = 'checkbox';
      input.value = row.member.id;
      input.checked = !state.hidden.has(row.member.id);
      input.addEventListener('change', () => {
        if (input.checked) state.hidden.delete(input.value);
        else state.hidden.add(input.value);
        render();
      });
      labelElement.append(input, ` ${row.member.id}`);
      labelElement.title = label(row.member);
      box.appendChild(labelElement);
    }
  }

  async function load() {
    status('Loading the published tables…');
    // Each registered panel loads on its own: one refused or failed shows its reason, the others draw.
    const loadExtras = Promise.all(extras.map((extra) => extra.load().then((value) => ({ value }), (error) => ({ error: error.message }))));
    const [term, breakdown, mobility, quality, extraData] = await Promise.all([table('TERM'), table(state.dimension), graphql(MOBILITY_QUERY), graphql(QUALITY_QUERY), loadExtras]);
    void breakdown;
    data = {
      term,
      mobility: mobility.data && mobility.data.mobility ? { value: mobility.data.mobility } : { error: message(mobility.errors) },
      quality: qualityOf(quality),
      extras: new Map(extras.map((extra, index) => [extra.id, extraData[index]])),
    };
    memberFilter(term.rows);
    $('filters').hidden = false;
    status('');
    render();
  }

  async function main() {
    $('sign-in').addEventListener('click', () => signIn().catch((error) => status(error.message)));
    $('sign-out').addEventListener('click', signOut);
    $('measure').addEventListener('change', () => { state.measure = $('measure').value; render(); });
    $('dimension').addEventListener('change', async () => {
      state.dimension = $('dimension').value;
      try {
        await table(state.dimension);
        render();
      } catch (error) {
        status(error.message);
      }
    });
    window.addEventListener('resize', () => charts.forEach((instance) => instance.resize()));
    const query = new URLSearchParams(location.search);
    try {
      if (query.has('code') || query.has('error')) await completeSignIn(query);
    } catch (error) {
      status(error.message);
    }
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (!token) {
      $('signed-out').hidden = false;
      return;
    }
    const who = claims(token);
    $('who').textContent = `Signed in: ${[].concat(who.roles || []).join(', ')}${who.eciu_member ? ` (${who.eciu_member})` : ''}`;
    $('sign-out').hidden = false;
    try {
      await load();
    } catch (error) {
      status(error.message);
      if (!sessionStorage.getItem(TOKEN_KEY)) $('signed-out').hidden = false;
    }
  }

  window.EciuDashboard = {
    SUPPRESSED, NOT_FOR_ROLE, MEASURES, state, $, shown, panel, fillTable, writeTable, notice, download, chart, visibleRows, label, graphql, message, table,
    /** Adds a panel: loaded with the others, drawn on every render ('top': above the first panels, else below). */
    register(extra) { extras.push(extra); },
  };

  document.addEventListener('DOMContentLoaded', () => { main(); });
})();

// The dashboard's outcome and impact panels: UN SDGs, skills gained, credentials issued, recognition
// and the impact indicators of the white paper's three roles. Loaded after dashboard.js (a second
// <script defer>: no build step and no inline script, see the comment there) and drawn with its
// helpers from window.EciuDashboard. The same rules hold: every figure as the graph published it,
// withheld ones shown as "suppressed" and left out of the charts, nothing summed or subtracted here;
// a source the graph says is unavailable, or a query refused for the role, is said so in its panel.
'use strict';
(function () {
  const d = window.EciuDashboard;
  const { SUPPRESSED, MEASURES, state, shown, panel, fillTable, writeTable, notice, download, chart, visibleRows, label, graphql, message } = d;
  const COUNT_TABLE = 'columns rows { member { id name } cells total } columnTotals total';
  const CREDENTIALS_QUERY = `{ credentialStatistics { k publishedAt unavailable issuedByMonth { ${COUNT_TABLE} } issuedByKind { ${COUNT_TABLE} } revokedByMonth { ${COUNT_TABLE} } } }`;
  const RECOGNITION_QUERY = `{ recognitionStatistics { k publishedAt unavailable byOutcome { ${COUNT_TABLE} } decisionTimes { member { id name } medianDays } } }`;
  const SKILLS_QUERY = `query Skills($first: Int!) { skillStatistics(first: $first) { k publishedAt escoUnavailable byGroup { ${COUNT_TABLE} } groups { code label } skills { uri label group awards } collections { collection awards } } }`;
  const IMPACT_QUERY = `{ impactIndicators { k publishedAt
    activeCitizen { sdgChallengeEnrolments sdgChallengePassed shareOfEnrolments }
    empoweredLearner { stackedCredentials multiMemberLearners shareOfLearners }
    thrivingEarner { skillAwards greenSkillAwards digitalSkillAwards transversalSkillAwards } } }`;
  const TOP_SKILLS = 20;
  /** Said instead of a figure whose source did not answer when the tables were published. */
  const UNAVAILABLE = 'source unavailable';
  const GOALS = {
    1: 'No poverty', 2: 'Zero hunger', 3: 'Good health and well-being', 4: 'Quality education', 5: 'Gender equality', 6: 'Clean water and sanitation',
    7: 'Affordable and clean energy', 8: 'Decent work and economic growth', 9: 'Industry, innovation and infrastructure', 10: 'Reduced inequalities',
    11: 'Sustainable cities and communities', 12: 'Responsible consumption and production', 13: 'Climate action', 14: 'Life below water', 15: 'Life on land',
    16: 'Peace, justice and strong institutions', 17: 'Partnerships for the goals', none: 'No SDG',
  };
  /** What each panel loaded, by id: the impact cards word a null by the state of its source. */
  const loaded = {};

  async function ask(query, field, variables) {
    const answer = await graphql(query, variables);
    if (!answer.data || !answer.data[field]) throw new Error(message(answer.errors));
    return answer.data[field];
  }

  /** A count table's rows as shown: the members chosen, then the alliance's column totals and total. */
  const countRows = (t) => [
    ...visibleRows(t.rows).map((row) => [label(row.member), ...row.cells.map((value) => shown(value)), shown(row.total)]),
    ['All members', ...t.columnTotals.map((value) => shown(value)), shown(t.total)],
  ];
  const countHead = (t) => ['Member', ...t.columns, 'Total'];
  /** One series for the alliance (its column totals), or one per member chosen; withheld values stay null, so undrawn. */
  const perMember = (t, type, extra) => (state.hidden.size === 0
    ? [{ name: 'Alliance', type, data: t.columnTotals, ...extra }]
    : visibleRows(t.rows).map((row) => ({ name: label(row.member), type, data: row.cells, ...extra })));
  /** Nothing to draw (every published value 0, the rest withheld): say so over the empty axes rather than look broken. */
  const blankHint = (series) => (series.some((one) => one.data.some((value) => value !== null && value > 0))
    ? {} : { title: { text: 'Every published figure here is 0 or withheld: see the table.', left: 'center', top: 'middle', textStyle: { fontSize: 13, fontWeight: 'normal', color: '#555' } } });
  const percent = (share) => (share === null || share === undefined ? SUPPRESSED : `${Math.round(share * 100)} %`);

  function register(id, place, load, render) {
    d.register({ id, place, load: async () => (loaded[id] = await load()), render });
  }

  register('sdgs', 'bottom', () => d.table('SDG'), (result) => {
    const measure = state.measure;
    const section = panel('sdgs', `UN Sustainable Development Goals: ${MEASURES[measure]} per goal, alliance`, 'The alliance total under each goal. An offering counts under each of its SDGs, so the goals overlap and do not add up to the total (last row).');
    if (result.error) return notice(section, result.error, 'sdgs', 'SDGs');
    const t = result.value;
    chart(section, {
      tooltip: { trigger: 'axis' }, grid: { top: 30, left: 60, right: 20, bottom: 50 },
      xAxis: { type: 'category', data: t.columns, name: 'SDG', nameLocation: 'middle', nameGap: 28 }, yAxis: { type: 'value' },
      series: [{ name: MEASURES[measure], type: 'bar', data: t.columnTotals.map((cell) => cell[measure]) }],
    });
    fillTable(section, ['SDG', 'Goal', MEASURES[measure]], [
      ...t.columns.map((column, index) => [column, GOALS[column] || '', shown(t.columnTotals[index][measure])]),
      ['All', 'Every offering, counted once', shown(t.total[measure])],
    ], `sdgs-${measure}`);
  });

  register('skills', 'bottom', () => ask(SKILLS_QUERY, 'skillStatistics', { first: TOP_SKILLS }), (result) => {
    const section = panel('skills', 'Skills gained: ESCO skill awards by skills group', 'A skill award is a passed assessment that showed an ESCO skill. Groups: level 1 of the ESCO skills hierarchy; each skill counts under one.', {
      tall: true, tables: ['Awards by member and skills group', `The ${TOP_SKILLS} most awarded skills (alliance)`, 'ESCO collections (alliance; a skill in two collections counts in both)'],
    });
    if (result.error) return notice(section, result.error, 'skills', 'Skills');
    const s = result.value;
    const labels = new Map(s.groups.map((group) => [group.code, group.label]));
    const groupName = (code) => (labels.has(code) && labels.get(code) !== code ? `${code} ${labels.get(code)}` : code);
    if (s.escoUnavailable) {
      // The counts stay, but every skill sits in group "unknown": no chart by group until the ESCO service answers.
      section.querySelector('.note').textContent = 'The ESCO service did not answer when this was published: skills have no groups or labels until the next publication (the counts below stand).';
      chart(section, { title: { text: 'ESCO unavailable: no skills groups to draw.', left: 'center', top: 'middle', textStyle: { fontSize: 14 } }, series: [] });
    } else {
      chart(section, {
        tooltip: { trigger: 'item' }, legend: { type: 'scroll', top: 0 }, grid: { top: 40, left: 260, right: 30, bottom: 30 },
        yAxis: { type: 'category', inverse: true, data: s.byGroup.columns.map(groupName), axisLabel: { width: 240, overflow: 'truncate' } }, xAxis: { type: 'value' },
        series: perMember(s.byGroup, 'bar'),
      });
    }
    fillTable(section, countHead(s.byGroup), countRows(s.byGroup), 'skills-by-group', 0);
    fillTable(section, ['Skill', 'Group', 'Awards'], s.skills.map((skill) => [skill.label || skill.uri, groupName(skill.group), shown(skill.awards)]), 'skills-top', 1);
    fillTable(section, ['Collection', 'Awards'], s.collections.map((figure) => [figure.collection, shown(figure.awards)]), 'skills-collections', 2);
  });

  register('credentials', 'bottom', () => ask(CREDENTIALS_QUERY, 'credentialStatistics'), (result) => {
    const everyone = state.hidden.size === 0;
    const section = panel('credentials', 'Credentials issued: by month issued and by kind', everyone ? 'The alliance total; choose members to compare them. Revoked: of the credentials issued in a month, those revoked since.' : 'The members chosen. Revoked: of the credentials issued in a month, those revoked since.', {
      charts: 2, tables: ['Issued by month', 'Revoked, by month issued', 'Issued by kind'],
    });
    if (result.error) return notice(section, result.error, 'credentials', 'Credentials');
    const c = result.value;
    if (c.unavailable) return notice(section, 'The issuance service did not answer when this was published: no credential figures until the next publication.', 'credentials', 'Credentials');
    const axes = (columns) => ({ tooltip: { trigger: 'axis' }, legend: { type: 'scroll', top: 0 }, grid: { top: 40, left: 50, right: 20, bottom: 40 }, xAxis: { type: 'category', data: columns }, yAxis: { type: 'value', minInterval: 1 } });
    const byMonth = perMember(c.issuedByMonth, 'bar');
    const byKind = perMember(c.issuedByKind, 'bar');
    chart(section, { ...axes(c.issuedByMonth.columns), ...blankHint(byMonth), series: byMonth }, 0);
    chart(section, { ...axes(c.issuedByKind.columns), ...blankHint(byKind), series: byKind }, 1);
    fillTable(section, countHead(c.issuedByMonth), countRows(c.issuedByMonth), 'credentials-issued-by-month', 0);
    fillTable(section, countHead(c.revokedByMonth), countRows(c.revokedByMonth), 'credentials-revoked-by-month', 1);
    fillTable(section, countHead(c.issuedByKind), countRows(c.issuedByKind), 'credentials-issued-by-kind', 2);
  });

  register('recognition', 'bottom', () => ask(RECOGNITION_QUERY, 'recognitionStatistics'), (result) => {
    const section = panel('recognition', 'Recognition: requests by deciding member and outcome', 'Stacked by outcome (a request has one); a withheld cell is left out of its bar. APPEALED: decided, then appealed; OPEN: submitted or waiting for information. Median days from request to decision, where k or more were decided.');
    if (result.error) return notice(section, result.error, 'recognition', 'Recognition');
    const r = result.value;
    if (r.unavailable) return notice(section, 'The recognition service did not answer when this was published: no recognition figures until the next publication.', 'recognition', 'Recognition');
    const t = r.byOutcome;
    const rows = visibleRows(t.rows);
    const series = t.columns.map((column, index) => ({ name: column, type: 'bar', stack: 'all', data: rows.map((row) => row.cells[index]) }));
    chart(section, {
      tooltip: { trigger: 'item' }, legend: { type: 'scroll', top: 0 }, grid: { top: 40, left: 50, right: 20, bottom: 70 },
      xAxis: { type: 'category', data: rows.map((row) => row.member.id), axisLabel: { rotate: 35 } }, yAxis: { type: 'value', minInterval: 1 },
      ...blankHint(series), series,
    });
    // The service lists the members with decided requests (then the alliance): a member not listed has none.
    const median = (id) => {
      const time = r.decisionTimes.find((entry) => (entry.member ? entry.member.id : null) === id);
      return time ? shown(time.medianDays) : 'no decisions';
    };
    const lines = countRows(t);
    fillTable(section, [...countHead(t), 'Median days to decision'], lines.map((line, index) => [...line, median(index < rows.length ? rows[index].member.id : null)]), 'recognition');
  });

  register('impact', 'top', () => ask(IMPACT_QUERY, 'impactIndicators'), (result) => {
    const section = panel('impact', 'Impact: the three roles of the ECIU white paper', 'Alliance figures, made from the published tables only: one made of a withheld figure is withheld too.', { charts: 0, tables: [] });
    let cards = section.querySelector('.cards');
    if (!cards) {
      cards = document.createElement('div');
      cards.className = 'cards';
      section.appendChild(cards);
    }
    cards.replaceChildren();
    if (result.error) {
      const reason = document.createElement('p');
      reason.className = 'refused';
      reason.textContent = result.error;
      cards.appendChild(reason);
      section.querySelector('button.csv').onclick = () => download('impact', [['Impact'], [result.error]]);
      return;
    }
    const i = result.value;
    // A null whose source did not answer is "source unavailable", not a privacy rule.
    const issuanceDown = Boolean(loaded.credentials && loaded.credentials.unavailable);
    const escoDown = Boolean(loaded.skills && loaded.skills.escoUnavailable);
    const figure = (value, down) => (value === null && down ? UNAVAILABLE : shown(value));
    const roles = [
      ['Active citizen', 'Enrolments in challenge-based offerings on at least one UN SDG, and the passed assessments of those challenges.', [
        ['Enrolments in SDG challenges', shown(i.activeCitizen.sdgChallengeEnrolments)],
        ['Passed assessments in SDG challenges', shown(i.activeCitizen.sdgChallengePassed)],
        ['Share of all enrolments', percent(i.activeCitizen.shareOfEnrolments)],
      ]],
      ['Empowered learner', 'Stacked (pathway) credentials issued for completed pathways, and learners studying at two or more members.', [
        ['Stacked (pathway) credentials issued', figure(i.empoweredLearner.stackedCredentials, issuanceDown)],
        ['Learners studying at 2+ members', shown(i.empoweredLearner.multiMemberLearners)],
        ['Share of learners in the register', percent(i.empoweredLearner.shareOfLearners)],
      ]],
      ['Thriving earner', 'Skill awards (a passed assessment that showed an ESCO skill), and of those, skills in the ESCO green, digital and transversal collections.', [
        ['Skill awards', shown(i.thrivingEarner.skillAwards)],
        ['Green skill awards', figure(i.thrivingEarner.greenSkillAwards, escoDown)],
        ['Digital skill awards', figure(i.thrivingEarner.digitalSkillAwards, escoDown)],
        ['Transversal skill awards', figure(i.thrivingEarner.transversalSkillAwards, escoDown)],
      ]],
    ];
    for (const [role, definition, rows] of roles) {
      const card = document.createElement('article');
      card.className = 'card';
      const heading = document.createElement('h3');
      heading.textContent = role;
      const text = document.createElement('p');
      text.className = 'definition';
      text.textContent = definition;
      const tableElement = document.createElement('table');
      writeTable(tableElement, ['Indicator', 'Value'], rows);
      card.append(heading, text, tableElement);
      cards.appendChild(card);
    }
    section.querySelector('button.csv').onclick = () => download('impact', [['Role', 'Indicator', 'Value'], ...roles.flatMap(([role, , rows]) => rows.map((row) => [role, ...row]))]);
  });
})();

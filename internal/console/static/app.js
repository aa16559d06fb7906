// permafrost console. Plain JavaScript, no build step and no network but
// this server: every page reads the JSON API under api/ and renders it.
'use strict';

const state = { session: null, now: null };

// ---- helpers ---------------------------------------------------------

function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const k of kids.flat()) {
    if (k === undefined || k === null || k === false) continue;
    e.append(k instanceof Node ? k : document.createTextNode(String(k)));
  }
  return e;
}

const main = () => document.getElementById('main');

function fmtBytes(n) {
  if (n === null || n === undefined) return '';
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = n, i = 0;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return i === 0 ? n.toLocaleString('en-US') + ' bytes' : v.toFixed(v < 10 ? 2 : 1) + ' ' + units[i];
}

// A size cell: the readable size, with the exact byte count as a tooltip
// and in data-bytes (the tests read it).
function sizeCell(n) {
  return el('td', { class: 'num', title: n.toLocaleString('en-US') + ' bytes', 'data-bytes': n }, fmtBytes(n));
}

function fmtTime(iso) {
  if (!iso) return '';
  return iso.replace('T', ' ').replace(/\.\d+Z$/, '').replace(/Z$/, '') + ' UTC';
}

// How far t is from the emulated now: "in 3 h 59 min" or "2 days ago".
function relTime(iso) {
  if (!iso || !state.now) return '';
  let s = (Date.parse(iso) - Date.parse(state.now)) / 1000;
  const future = s > 0;
  s = Math.abs(s);
  let txt;
  if (s < 60) return future ? 'in under a minute' : 'just now';
  if (s < 3600) txt = Math.round(s / 60) + ' min';
  else if (s < 86400) { const m = Math.round(s / 60); txt = Math.floor(m / 60) + ' h ' + (m % 60) + ' min'; }
  else if (s < 86400 * 365) txt = (s / 86400).toFixed(1) + ' days';
  else txt = (s / 86400 / 365.25).toFixed(1) + ' years';
  return future ? 'in ' + txt : txt + ' ago';
}

function timeCell(iso, withRel) {
  if (!iso) return el('td', {}, el('span', { class: 'muted' }, '—'));
  return el('td', { title: iso }, fmtTime(iso), withRel ? el('div', { class: 'muted' }, relTime(iso)) : null);
}

// A long Glacier ID (archive, job, upload: 92 to 138 characters) shown
// by its start and end; the whole ID is in the tooltip and is what a copy
// of the cell's text gives.
function idCell(id, ...more) {
  const short = id.length > 28 ? id.slice(0, 14) + '…' + id.slice(-10) : id;
  return el('td', { class: 'id', title: id }, el('span', { class: 'short' }, short), el('span', { class: 'full' }, id), ...more);
}

function q(name) { return new URLSearchParams(location.search).get(name); }

class APIError extends Error {
  constructor(status, body) {
    super(body && body.message ? body.message : 'HTTP ' + status);
    this.status = status; this.code = body && body.code;
  }
}

async function api(path, opts = {}) {
  const headers = Object.assign({}, opts.headers);
  if (opts.method === 'POST' && state.session) headers['X-Permafrost-CSRF'] = state.session.csrf;
  const r = await fetch('api/' + path, Object.assign({}, opts, { headers, credentials: 'same-origin' }));
  let body = null;
  try { body = await r.json(); } catch (e) { /* not JSON */ }
  if (!r.ok) {
    if (r.status === 403 && body && /Log in/.test(body.message || '')) { toLogin(); }
    throw new APIError(r.status, body);
  }
  return body;
}

// act performs a state-changing action after the user confirms it, then
// reloads the page's data. Errors are Glacier's, shown as they come.
async function act(question, path, done) {
  main().querySelectorAll('.msg').forEach(m => m.remove()); // the last action's outcome
  if (question && !window.confirm(question)) return;
  try {
    const out = await api(path, { method: 'POST' });
    if (done) await done(out); else await render();
  } catch (e) { showError(e); }
}

function showError(e) {
  const box = el('div', { class: 'msg error', role: 'alert' }, (e.code ? e.code + ': ' : '') + e.message);
  main().prepend(box);
}

function notice(text) {
  main().prepend(el('div', { class: 'msg info', role: 'status' }, text));
}

function vaultQuery(v) {
  return 'account=' + encodeURIComponent(v.account) + '&region=' + encodeURIComponent(v.region) + '&name=' + encodeURIComponent(v.name);
}

function toLogin() {
  if (document.body.dataset.page !== 'login') {
    location.href = 'login.html?next=' + encodeURIComponent(location.pathname.split('/').pop() + location.search);
  }
}

function badge(text, kind) { return el('span', { class: 'badge ' + (kind || '') }, text); }

function lockBadge(s) {
  if (s === 'Locked') return badge('Locked', 'bad');
  if (s === 'InProgress') return badge('Lock in progress', 'warn');
  return el('span', { class: 'muted' }, 'Not locked');
}

function statusBadge(s) {
  return badge(s === 'InProgress' ? 'In progress' : s, s === 'Succeeded' ? 'ok' : s === 'Failed' ? 'bad' : 'warn');
}

function tagList(tags) {
  const keys = Object.keys(tags || {}).sort();
  if (!keys.length) return el('span', { class: 'muted' }, 'none');
  return keys.map(k => el('span', { class: 'tag' }, k + '=' + tags[k]));
}

function section(title, help, ...body) {
  return el('section', { class: 'card', id: slug(title) }, el('h2', {}, title), help ? el('p', { class: 'help' }, help) : null, ...body);
}

function slug(s) { return s.toLowerCase().replace(/[^a-z]+/g, '-').replace(/^-|-$/g, ''); }

function table(headers, rows, empty) {
  if (!rows.length) return el('p', { class: 'muted' }, empty);
  return el('table', {}, el('thead', {}, el('tr', {}, headers.map(h =>
    el('th', { class: h.endsWith('#') ? 'num' : '' }, h.replace(/#$/, ''))))), el('tbody', {}, rows));
}

// ---- header ----------------------------------------------------------

function header() {
  const page = document.body.dataset.page;
  const link = (href, text, p) => el('a', { href, class: page === p ? 'here' : '' }, text);
  const right = el('div', { class: 'right' });
  if (state.session && state.session.loggedIn) {
    right.append(el('span', { class: 'clock', id: 'header-clock', title: 'The emulated clock: jobs complete and uploads expire by this time, not the wall clock.' },
      'Emulated time: ' + fmtTime(state.now)));
    if (state.session.credentials) {
      right.append(el('span', {}, 'Signed in as ', el('b', {}, state.session.user)),
        el('a', { href: '#', onclick: async (ev) => { ev.preventDefault(); await api('logout', { method: 'POST' }); location.href = 'login.html'; } }, 'Log out'));
    }
  }
  const top = document.getElementById('top');
  const nav = page === 'login' ? [] : [link('./', 'Vaults', 'index'), link('notifications.html', 'Notifications sent', 'notifications'), link('clock.html', 'Clock & inventories', 'clock')];
  top.replaceChildren(el('span', { class: 'brand' }, 'permafrost console'), ...nav, right);
}

// ---- pages -----------------------------------------------------------

const PAGE = 50;

async function pageVaults() {
  const offset = Math.max(0, parseInt(q('offset') || '0', 10) || 0);
  const d = await api('vaults?offset=' + offset + '&limit=' + PAGE);
  const rows = d.vaults.map(v => el('tr', { 'data-vault': v.name },
    el('td', {}, el('a', { href: 'vault.html?' + vaultQuery(v) }, v.name)),
    el('td', {}, v.account), el('td', {}, v.region),
    timeCell(v.created), el('td', { class: 'num', 'data-archives': v.archives }, v.archives.toLocaleString('en-US')), sizeCell(v.size),
    v.lastInventory ? timeCell(v.lastInventory) : el('td', { class: 'muted' }, 'never'),
    el('td', {}, lockBadge(v.lockState)), el('td', {}, tagList(v.tags))));
  const pager = el('div', { class: 'pager' },
    el('span', { class: 'muted' }, d.total ? `Vaults ${offset + 1}–${offset + d.vaults.length} of ${d.total}` : ''),
    offset > 0 ? el('a', { class: 'button secondary', href: '?offset=' + Math.max(0, offset - PAGE) }, '← Newer') : null,
    offset + d.vaults.length < d.total ? el('a', { class: 'button secondary', href: '?offset=' + (offset + PAGE) }, 'Older →') : null);
  main().replaceChildren(
    el('h1', {}, 'Vaults'),
    el('p', { class: 'lead' }, 'Every vault this emulator holds, in every account and region, newest first. ' +
      'Archive counts and sizes are what DescribeVault returns; "Last inventory" is the date of the vault\'s latest inventory (the inventory a retrieval job would return). Open a vault to see its archives, jobs and uploads.'),
    section('All vaults', null, table(['Vault', 'Account', 'Region', 'Created', 'Archives#', 'Size#', 'Last inventory', 'Vault lock', 'Tags'], rows,
      'No vaults yet. Create one with any Glacier client (for example: aws glacier create-vault --account-id - --vault-name my-vault).'), pager));
}

async function pageVault() {
  const ref = { account: q('account'), region: q('region'), name: q('name') };
  const d = await api('vault?' + vaultQuery(ref));
  state.now = d.now;
  const v = d.vault;
  const facts = el('dl', { class: 'facts' },
    el('dt', {}, 'ARN'), el('dd', { class: 'mono' }, v.arn),
    el('dt', {}, 'Account / region'), el('dd', {}, v.account + ' / ' + v.region),
    el('dt', {}, 'Created'), el('dd', {}, fmtTime(v.created)),
    el('dt', {}, 'Archives'), el('dd', { id: 'vault-archives' }, v.archives.toLocaleString('en-US')),
    el('dt', {}, 'Size'), el('dd', { id: 'vault-size', 'data-bytes': v.size }, fmtBytes(v.size) + ' (' + v.size.toLocaleString('en-US') + ' bytes)'),
    el('dt', {}, 'Last inventory'), el('dd', {}, v.lastInventory ? fmtTime(v.lastInventory) : 'never'),
    el('dt', {}, 'Vault lock'), el('dd', {}, lockBadge(v.lockState)),
    el('dt', {}, 'Tags'), el('dd', {}, tagList(v.tags)));
  const del = el('button', { class: 'danger', id: 'delete-vault', onclick: () => act(
    `Delete vault "${v.name}"? Glacier deletes only a vault that holds no archives (as of its last inventory).`,
    'vault/delete?' + vaultQuery(v), () => { location.href = './'; }) }, 'Delete vault…');

  const jobs = d.jobs.map(j => el('tr', { 'data-job': j.id },
    idCell(j.id),
    el('td', {}, j.action === 'ArchiveRetrieval' ? 'Archive retrieval' : 'Inventory (' + (j.format || 'JSON') + ')',
      j.archiveId ? el('div', { class: 'muted', title: j.archiveId }, 'archive ' + j.archiveId.slice(0, 14) + '…') : null,
      j.description ? el('div', { class: 'muted' }, j.description) : null),
    el('td', {}, j.tier || el('span', { class: 'muted' }, '—')),
    el('td', { class: 'job-status' }, statusBadge(j.status), j.status === 'Failed' ? el('div', { class: 'muted' }, j.statusMessage) : null),
    timeCell(j.created),
    j.completed ? el('td', {}, 'completed ' + fmtTime(j.completed)) : timeCell(j.due, true),
    j.size !== null && j.size !== undefined ? sizeCell(j.size) : el('td', {}, ''),
    el('td', {}, j.status === 'Succeeded'
      ? el('a', { href: 'api/job-output?' + vaultQuery(v) + '&job=' + encodeURIComponent(j.id), download: '', class: 'download' }, 'Download output')
      : el('span', { class: 'muted' }, j.status === 'InProgress' ? 'not ready yet' : '—'))));

  const uploads = d.uploads.map(u => {
    const received = u.parts.reduce((n, p) => n + p.end - p.start + 1, 0);
    const parts = table(['Byte range', 'Size#', 'Tree hash (SHA-256)'], u.parts.map(p => el('tr', {},
      el('td', { class: 'mono' }, p.start + '–' + p.end), sizeCell(p.end - p.start + 1), el('td', { class: 'hash' }, p.treeHash))),
    'No parts uploaded yet.');
    return el('tr', { 'data-upload': u.id },
      idCell(u.id, u.description ? el('div', { class: 'muted' }, u.description) : null),
      el('td', { class: 'num' }, fmtBytes(u.partSize)), timeCell(u.created),
      el('td', {}, el('details', {}, el('summary', { class: 'parts-summary' }, `${u.parts.length}${u.moreParts ? '+' : ''} parts, ${fmtBytes(received)} received`), parts)),
      el('td', {}, el('button', { class: 'danger', onclick: () => act(`Abort multipart upload ${u.id}? Its parts are discarded.`,
        'upload/abort?' + vaultQuery(v) + '&upload=' + encodeURIComponent(u.id)) }, 'Abort…')));
  });

  const lock = d.lock ? [el('dl', { class: 'facts' },
    el('dt', {}, 'State'), el('dd', {}, lockBadge(d.lock.state)),
    el('dt', {}, 'Initiated'), el('dd', {}, fmtTime(d.lock.created)),
    d.lock.expiration ? [el('dt', {}, 'Lock ID expires'), el('dd', {}, fmtTime(d.lock.expiration) + ' (' + relTime(d.lock.expiration) + ')')] : null),
  el('pre', {}, pretty(d.lock.policy))] : el('p', { class: 'muted' }, 'No vault lock policy. (InitiateVaultLock sets one; CompleteVaultLock makes it permanent.)');

  main().replaceChildren(
    el('p', {}, el('a', { href: './' }, '← All vaults')),
    el('h1', {}, 'Vault ', el('span', { class: 'mono' }, v.name)),
    el('nav', { class: 'jump' }, 'Jump to: ', ['Jobs', 'Multipart uploads in progress', 'Archives', 'Access policy', 'Vault lock', 'Notifications']
      .map(t => el('a', { href: '#' + slug(t) }, t.replace(' in progress', '')))),
    section('Summary', 'As DescribeVault reports it.', facts, el('div', { class: 'row' }, del)),
    section('Jobs', 'Retrieval and inventory jobs, oldest first, as ListJobs reports them. A job completes at its due time on the emulated clock; move the clock on the Clock page to get there sooner.',
      table(['Job ID', 'Type', 'Tier', 'Status', 'Initiated', 'Due / completed', 'Size#', 'Output'], jobs, 'No jobs. Start one with InitiateJob.'),
      d.moreJobs ? el('p', { class: 'muted' }, 'Only the first 1000 jobs are shown.') : null),
    section('Multipart uploads in progress', 'Uploads initiated and neither completed nor aborted. Click a part count to see the parts.',
      table(['Upload ID', 'Part size#', 'Initiated', 'Parts', ''], uploads, 'No multipart uploads in progress.'),
      d.moreUploads ? el('p', { class: 'muted' }, 'Only the first 1000 uploads are shown.') : null),
    archivesSection(v),
    section('Access policy', 'The vault access policy (SetVaultAccessPolicy).',
      d.accessPolicy ? el('pre', {}, pretty(d.accessPolicy)) : el('p', { class: 'muted' }, 'No access policy: only the owner account has access.')),
    section('Vault lock', null, lock),
    section('Notifications', 'Where Glacier sends an SNS message when a job completes (SetVaultNotifications).',
      d.notifications ? el('dl', { class: 'facts' }, el('dt', {}, 'SNS topic'), el('dd', { class: 'mono' }, d.notifications.topic),
        el('dt', {}, 'Events'), el('dd', {}, d.notifications.events.join(', ')))
        : el('p', { class: 'muted' }, 'No notification configuration.')));
  header();
  await loadArchives(v, '');
}

function pretty(s) {
  try { return JSON.stringify(JSON.parse(s), null, 2); } catch (e) { return s; }
}

// Archives are paged with the store's cursor: a page costs the same in a
// vault of a million archives. The cursors of the pages before are kept
// for "Previous".
const archivePages = [];

function archivesSection(v) {
  return section('Archives', 'The vault\'s archives now, oldest first (an inventory lists the same). Glacier has no ListArchives: clients see these through an inventory job.',
    el('div', { id: 'archive-list' }, el('p', { class: 'muted' }, 'Loading…')));
}

async function loadArchives(v, cursor) {
  const d = await api('archives?' + vaultQuery(v) + '&limit=' + PAGE + (cursor ? '&cursor=' + encodeURIComponent(cursor) : ''));
  const rows = d.archives.map(a => el('tr', { 'data-archive': a.id },
    idCell(a.id), el('td', {}, a.description || el('span', { class: 'muted' }, '(no description)')),
    sizeCell(a.size), el('td', { class: 'hash' }, a.treeHash), timeCell(a.created)));
  const first = archivePages.length * PAGE;
  const pager = el('div', { class: 'pager' },
    d.archives.length ? el('span', { class: 'muted' }, `Archives ${first + 1}–${first + d.archives.length} of ${v.archives.toLocaleString('en-US')}`) : null,
    archivePages.length ? el('button', { class: 'secondary', id: 'archives-prev', onclick: () => loadArchives(v, archivePages.pop()) }, '← Previous') : null,
    d.next ? el('button', { class: 'secondary', id: 'archives-next', onclick: () => { archivePages.push(cursor); loadArchives(v, d.next); } }, 'Next →') : null);
  document.getElementById('archive-list').replaceChildren(
    table(['Archive ID', 'Description', 'Size#', 'SHA-256 tree hash', 'Created'], rows, 'No archives.'), pager);
}

async function pageNotifications() {
  const d = await api('notifications');
  const rows = d.notifications.map(n => {
    let m = null;
    try { m = JSON.parse(n.message); } catch (e) { /* not JSON */ }
    let vault = '';
    if (m && m.VaultARN) {
      const f = m.VaultARN.split(':'); // arn:aws:glacier:REGION:ACCOUNT:vaults/NAME
      const name = m.VaultARN.split(':vaults/').pop();
      vault = el('a', { href: 'vault.html?' + vaultQuery({ account: f[4], region: f[3], name }) }, name);
    }
    const what = m && m.JobId ? [el('div', {}, (m.Action === 'ArchiveRetrieval' ? 'Archive retrieval' : 'Inventory retrieval') + ' ', statusBadge(m.StatusCode)),
      el('div', { class: 'muted' }, 'vault ', vault, ' · job ', el('span', { class: 'mono', title: m.JobId }, m.JobId.slice(0, 14) + '…'))] : null;
    const delivery = n.delivered ? badge('Delivered to SNS', 'ok')
      : !d.publishing ? el('span', { class: 'muted', title: 'Start the server with --sns-endpoint to publish notifications to an SNS-compatible service.' }, 'Kept here only (no --sns-endpoint)')
      : [badge(n.attempts ? 'Not delivered yet' : 'Waiting to be sent', 'warn'), n.attempts ? el('div', { class: 'muted' }, `${n.attempts} attempt${n.attempts === 1 ? '' : 's'}${n.lastError ? ': ' + n.lastError : ''}`) : null];
    return el('tr', { 'data-job': m && m.JobId }, timeCell(n.time), el('td', { class: 'mono' }, n.topic), el('td', {}, what), el('td', {}, delivery),
      el('td', {}, el('details', {}, el('summary', {}, 'Show message'), el('pre', {}, pretty(n.message)))));
  });
  main().replaceChildren(el('h1', {}, 'Notifications sent'),
    el('p', { class: 'lead' }, 'The SNS messages Glacier sent when jobs completed, newest first: one to the topic given in InitiateJob and one to the vault\'s notification topic, if set (so a job can send two). The message is the job description, as DescribeJob returns it.'),
    section('Messages', null, table(['Sent', 'SNS topic', 'About', 'Delivery', 'Message'], rows, 'No notifications sent yet. A job sends one when it completes if it has an SNS topic.')));
}

async function pageClock() {
  const c = await api('clock');
  state.now = c.now;
  header();
  const ahead = (Date.parse(c.now) - Date.parse(c.real)) / 1000;
  const custom = el('input', { type: 'text', id: 'custom-duration', placeholder: 'e.g. 36h or 90m', 'aria-label': 'Custom duration' });
  const advance = (by, label) => act(`Move the emulated clock forward by ${label}? Jobs due by then complete and their notifications are sent. The clock cannot be moved back.`,
    'clock/advance?by=' + encodeURIComponent(by), async (out) => { await render(); notice('The clock now reads ' + fmtTime(out.now) + '.'); });
  main().replaceChildren(el('h1', {}, 'Clock & inventories'),
    el('p', { class: 'lead' }, 'permafrost runs on an emulated clock. Jobs finish, uploads expire and daily inventories are taken by this clock, so you can move it forward instead of waiting hours for a Standard retrieval.'),
    section('Emulated time', null,
      el('div', { class: 'bigclock', id: 'clock-now' }, fmtTime(c.now)),
      el('p', { class: 'muted' }, ahead < 60 ? 'The same as the wall clock: it has not been moved.' : 'Ahead of the wall clock by ' + relTime(c.real).replace(' ago', '') + '.'),
      el('div', { class: 'row' },
        el('button', { onclick: () => advance('1h', '1 hour') }, '+1 hour'),
        el('button', { onclick: () => advance('24h', '1 day') }, '+1 day'),
        el('button', { onclick: () => advance('8760h', '1 year (365 days)') }, '+1 year')),
      el('div', { class: 'row' }, custom,
        el('button', { class: 'secondary', onclick: () => advance(custom.value.trim(), custom.value.trim()) }, 'Advance by this')),
      el('p', { class: 'muted' }, 'A custom advance is a Go duration: a number and a unit (h, m, s), such as 36h, 90m or 2h30m; at most 876000h (100 years).')),
    section('Inventories', c.dailyInventory
      ? 'This server takes inventories daily, as Glacier does: DescribeVault and inventory jobs show each vault as of its last inventory. Run them now to make recent uploads and deletions visible at once.'
      : 'This server keeps inventories live (the default, fast profile): DescribeVault and inventory jobs already show every vault as it is now, so there is nothing to take. Start the server with --profile aws or --inventory daily to get Glacier\'s daily inventories.',
      el('button', { id: 'run-inventories', onclick: () => act('Take the inventory of every vault written to since its last inventory?', 'inventory',
        async (out) => { await render(); notice(`Took ${out.inventories} inventor${out.inventories === 1 ? 'y' : 'ies'}.`); }) }, 'Run inventories now')));
}

// safeNext is where to go after logging in: a console page, never
// another site.
function safeNext() {
  const next = q('next') || '';
  return /^[a-z]+\.html(\?.*)?$/.test(next) ? next : './';
}

async function pageLogin() {
  const s = state.session;
  if (!s.credentials || s.loggedIn) { location.href = safeNext(); return; }
  const key = el('input', { type: 'text', id: 'access-key', name: 'accessKeyId', autocomplete: 'username', required: true });
  const secret = el('input', { type: 'password', id: 'secret-key', name: 'secretAccessKey', autocomplete: 'current-password', required: true });
  const form = el('form', { class: 'card login', onsubmit: async (ev) => {
    ev.preventDefault();
    main().querySelectorAll('.msg').forEach(m => m.remove());
    try {
      await api('login', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ accessKeyId: key.value.trim(), secretAccessKey: secret.value }) });
      location.href = safeNext();
    } catch (e) { showError(e); }
  } },
  el('h2', {}, 'Log in'),
  el('p', { class: 'help' }, 'This server checks signatures (--credentials). The console is for its administrators: use an access key marked "admin" in the credentials file, and its secret access key.'),
  el('label', { for: 'access-key' }, 'Access key ID'), key,
  el('label', { for: 'secret-key' }, 'Secret access key'), secret,
  el('div', { class: 'row' }, el('button', { type: 'submit', id: 'login' }, 'Log in')));
  main().replaceChildren(el('h1', {}, 'permafrost console'),
    el('p', { class: 'lead' }, 'The state of this Glacier emulator, in Glacier\'s terms: vaults, archives and their tree hashes, jobs and when they complete, multipart uploads, notifications; and its clock, which you can move forward.'),
    form);
  key.focus();
}

// ---- start -----------------------------------------------------------

const pages = { index: pageVaults, vault: pageVault, notifications: pageNotifications, clock: pageClock, login: pageLogin };

async function render() {
  state.session = await api('session');
  state.now = state.session.now || null;
  const page = document.body.dataset.page;
  if (page !== 'login' && state.session.credentials && !state.session.loggedIn) { toLogin(); return; }
  header();
  try {
    await pages[page]();
  } catch (e) {
    main().replaceChildren();
    showError(e);
  }
  document.body.dataset.ready = 'true';
}

render().catch(e => { main().replaceChildren(); showError(e); });

// Browser test of the permafrost console, run by ../browser_test.go: it
// drives Debian's headless Chromium with playwright-core against servers
// the Go test started and filled, checks that what the Go SDK did shows
// up with the right figures, moves the clock by a click, logs in on a
// server with --credentials, and saves a screenshot of each page.
//
// Environment: CONSOLE_EXPECT (a JSON file the Go test wrote),
// CONSOLE_SCREENSHOTS (the folder for the PNGs), CHROMIUM (the browser).
import { chromium } from 'playwright-core';
import { mkdtempSync, readFileSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const want = JSON.parse(readFileSync(process.env.CONSOLE_EXPECT, 'utf8'));
const shots = process.env.CONSOLE_SCREENSHOTS;
mkdirSync(shots, { recursive: true });

let failures = 0;
function check(ok, what) {
  console.log((ok ? 'ok   ' : 'FAIL ') + what);
  if (!ok) failures++;
}
function eq(got, exp, what) { check(got === exp, `${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(exp)}`); }

const profile = mkdtempSync(join(tmpdir(), 'permafrost-console-chromium-'));
const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  viewport: { width: 1400, height: 900 },
});
// Any request that leaves the servers under test is a failure: the console
// must need no network (no CDN, no fonts).
const allowed = [want.url, want.signedURL].map(u => new URL(u).origin);
ctx.on('request', r => {
  const u = r.url();
  if (!u.startsWith('data:') && !allowed.includes(new URL(u).origin)) check(false, 'request outside the server: ' + u);
});
const page = ctx.pages()[0] || await ctx.newPage();
page.on('pageerror', e => check(false, 'JavaScript error: ' + e.message));
page.on('dialog', d => d.accept()); // every confirmation is answered yes

async function open(url) {
  await page.goto(url);
  await page.waitForSelector('body[data-ready=true]', { timeout: 15000 });
}
async function shot(name) {
  await page.screenshot({ path: join(shots, name + '.png'), fullPage: true });
  console.log('saved ' + join(shots, name + '.png'));
}
const text = (sel) => page.locator(sel).first().innerText();

try {
  const base = want.url + '/_permafrost/console/';
  const vq = `account=${want.account}&region=${want.region}&name=${encodeURIComponent(want.vault)}`;

  // --- the vaults page
  await open(base);
  const row = page.locator(`tr[data-vault="${want.vault}"]`);
  eq(await row.count(), 1, 'vaults page lists the vault once');
  eq(await row.locator('[data-archives]').getAttribute('data-archives'), String(want.archives.length), 'vault archive count');
  eq(await row.locator('[data-bytes]').getAttribute('data-bytes'), String(want.vaultSize), 'vault size in bytes');
  check((await row.innerText()).includes(want.tagText), 'vault row shows its tag ' + want.tagText);
  check((await row.innerText()).includes('Not locked'), 'vault row shows the lock state');
  const names = await page.locator('tr[data-vault]').evaluateAll(rs => rs.map(r => r.dataset.vault));
  eq(JSON.stringify(names), JSON.stringify(want.vaultsNewestFirst), 'vaults newest first');
  await shot('01-vaults');

  // --- a vault
  await row.locator('a').first().click();
  await page.waitForSelector('body[data-ready=true]');
  await page.waitForSelector('tr[data-archive]');
  eq(await text('#vault-archives'), want.archives.length.toLocaleString('en-US'), 'vault page archive count');
  const first = want.archives.slice(0, 50);
  let rows = await page.locator('tr[data-archive]').evaluateAll(rs => rs.map(r => ({
    id: r.dataset.archive, size: r.querySelector('[data-bytes]').dataset.bytes, text: r.innerText })));
  eq(rows.length, first.length, 'first archive page length');
  let good = rows.every((r, i) => r.id === first[i].id && r.size === String(first[i].size) &&
    r.text.includes(first[i].treeHash) && r.text.includes(first[i].description));
  check(good, 'first page: ids, sizes, tree hashes and descriptions in creation order');
  const job = page.locator(`tr[data-job="${want.jobId}"]`);
  eq(await job.count(), 1, 'the job is listed');
  check((await job.innerText()).includes('Standard'), 'the job shows its tier');
  check((await job.locator('.job-status').innerText()).includes('In progress'), 'the job is in progress');
  check(/in (3 h 5\d|4 h 0) min/.test(await job.innerText()), 'the job shows its due time, in about 4 hours');
  const up = page.locator(`tr[data-upload="${want.uploadId}"]`);
  eq(await up.count(), 1, 'the multipart upload is listed');
  check((await up.locator('.parts-summary').innerText()).startsWith(`${want.parts.length} parts`), 'the upload shows its part count');
  await up.locator('.parts-summary').click();
  const upText = await up.innerText();
  check(want.parts.every(p => upText.includes(p.treeHash) && upText.includes(`${p.start}–${p.end}`)), 'the parts show their ranges and tree hashes');
  check((await page.locator('main').innerText()).includes(want.topic), 'the notification settings show the topic');
  check((await page.locator('main').innerText()).includes('"Sid": "' + want.policySid + '"'), 'the access policy is shown');
  await shot('02-vault');
  // and each of its sections on its own, readable at full size
  const cards = page.locator('section.card');
  for (let i = 0; i < await cards.count(); i++) {
    const title = (await cards.nth(i).locator('h2').innerText()).toLowerCase().replace(/[^a-z]+/g, '-');
    await cards.nth(i).screenshot({ path: join(shots, `02-vault-${i + 1}-${title}.png`) });
  }

  // the second page of archives, by the store's cursor
  await page.click('#archives-next');
  await page.waitForFunction(n => document.querySelectorAll('tr[data-archive]').length === n, want.archives.length - 50);
  rows = await page.locator('tr[data-archive]').evaluateAll(rs => rs.map(r => r.dataset.archive));
  check(JSON.stringify(rows) === JSON.stringify(want.archives.slice(50).map(a => a.id)), 'second archive page: the last ' + rows.length + ' archives in order');
  await page.click('#archives-prev');
  await page.waitForFunction(() => document.querySelectorAll('tr[data-archive]').length === 50);

  // the upload is aborted by a confirmed click (before the clock moves a
  // day, which would expire it)
  await up.getByRole('button', { name: 'Abort…' }).click();
  await page.waitForFunction(id => !document.querySelector(`tr[data-upload="${id}"]`), want.uploadId);
  check(true, 'the aborted upload is gone from the page');


  // deleting a vault that holds archives is Glacier's refusal, shown in
  // the page; an empty vault goes
  await page.click('#delete-vault');
  await page.waitForSelector('.msg.error');
  check((await text('.msg.error')).startsWith('InvalidParameterValueException'), 'deleting a vault with archives is refused: ' + await text('.msg.error'));
  await open(base + 'vault.html?' + vq.replace('name=' + encodeURIComponent(want.vault), 'name=alpha'));
  await page.click('#delete-vault');
  await page.waitForURL(u => !/vault\.html/.test(u.toString()));
  await page.waitForSelector('body[data-ready=true]');
  eq(await page.locator('tr[data-vault="alpha"]').count(), 0, 'the deleted empty vault is gone');
  eq(await page.locator('tr[data-vault]').count(), want.vaultsNewestFirst.length - 1, 'the other vaults remain');

  // --- the clock: a click moves it a day, and the job completes
  await open(base + 'clock.html');
  const before = Date.parse((await text('#clock-now')).replace(' UTC', 'Z').replace(' ', 'T'));
  await page.getByRole('button', { name: '+1 day' }).click();
  await page.waitForSelector('.msg.info');
  const after = Date.parse((await text('#clock-now')).replace(' UTC', 'Z').replace(' ', 'T'));
  check(after - before >= 86400e3 && after - before < 86400e3 + 60e3, `+1 day moved the clock by ${(after - before) / 3600e3} h`);
  await page.fill('#custom-duration', 'not-a-duration');
  await page.getByRole('button', { name: 'Advance by this' }).click();
  await page.waitForSelector('.msg.error');
  check((await text('.msg.error')).startsWith('InvalidParameterValueException'), 'a bad custom duration is refused with Glacier\'s error');
  await page.getByRole('button', { name: 'Run inventories now' }).click();
  await page.waitForSelector('.msg.info');
  check((await text('.msg.info')).startsWith('Took '), 'run inventories reports how many it took');
  await shot('03-clock');

  await open(base + 'vault.html?' + vq);
  check((await job.locator('.job-status').innerText()).includes('Succeeded'), 'after a day the job has succeeded');
  const href = await job.locator('a.download').getAttribute('href');
  const got = await page.evaluate(async (h) => { const r = await fetch(h); return { status: r.status, n: (await r.arrayBuffer()).byteLength }; }, href);
  eq(got.status, 200, 'job output download status');
  eq(got.n, want.jobBytes, 'job output size');
  await shot('04-vault-job-done');

  // a POST without the page's CSRF header is refused
  const forged = await page.evaluate(async () => (await fetch('api/clock/advance?by=1h', { method: 'POST' })).status);
  eq(forged, 403, 'a POST without the CSRF token');

  // --- notifications
  await open(base + 'notifications.html');
  const notes = page.locator(`tr[data-job="${want.jobId}"]`);
  eq(await notes.count(), 2, 'notifications of the job (to its own topic and to the vault\'s)');
  check((await notes.first().innerText()).includes(want.topic), 'the notification shows its topic');
  await shot('05-notifications');

  // --- a server with --credentials
  const sbase = want.signedURL + '/_permafrost/console/';
  await page.goto(sbase);
  await page.waitForURL(/login\.html/);
  await page.waitForSelector('#access-key');
  await shot('06-login');
  const login = async (key, secret) => {
    await page.fill('#access-key', key);
    await page.fill('#secret-key', secret);
    await page.click('#login');
  };
  await login(want.adminKey, want.adminSecret + 'x');
  await page.waitForSelector('.msg.error');
  check((await text('.msg.error')).includes('wrong'), 'a wrong secret is refused');
  await shot('07-login-refused');
  await login(want.userKey, want.userSecret);
  await page.waitForFunction(() => document.querySelector('.msg.error') && /administrators/.test(document.querySelector('.msg.error').innerText));
  check(true, 'a non-administrator key is refused');
  const denied = await page.evaluate(async () => (await fetch('api/vaults')).status);
  eq(denied, 403, 'the API without a session');
  await login(want.adminKey, want.adminSecret);
  await page.waitForURL(u => !/login/.test(u.toString()));
  await page.waitForSelector('body[data-ready=true]');
  eq(await page.locator(`tr[data-vault="${want.signedVault}"]`).count(), 1, 'after login the signed server\'s vault is listed');
  const cookies = await ctx.cookies(sbase);
  const c = cookies.find(c => c.name === 'permafrost_console');
  check(c && c.httpOnly && c.sameSite === 'Strict', 'the session cookie is HttpOnly and SameSite=Strict');
  await shot('08-signed-vaults');
} catch (e) {
  check(false, 'exception: ' + (e.stack || e));
} finally {
  await ctx.close();
  rmSync(profile, { recursive: true, force: true });
}
console.log(failures ? `${failures} check(s) failed` : 'all console checks passed');
process.exit(failures ? 1 : 0);

// Shared helpers for the browser tests: starting Debian's Chromium, signing in, working out
// TOTP codes, checking keyboard focus, and running axe-core on a page.
//
// The server under test is started by e2e/run.sh, which passes its address in BASE_URL.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));

export const BASE_URL = (process.env.BASE_URL || '').replace(/\/+$/, '');
if (!BASE_URL) {
  throw new Error('BASE_URL is not set: run the browser tests through e2e/run.sh');
}

export const PASSWORD = 'demo-password-2026';

export const ACCOUNTS = {
  referrer: 'referrer@riverton.example',
  admin: 'admin@riverton.example',
  sysadmin: 'sysadmin@preventkit.example',
  auditor: 'auditor@riverton.example',
  lead: 'lead@riverton.example',
  board: 'board@riverton.example',
};

export const SCREENSHOTS = join(here, '..', 'screenshots');

/** Absolute address of a path on the server under test. */
export const url = (path) => BASE_URL + path;

// ---------------------------------------------------------------------------------------------
// The browser
// ---------------------------------------------------------------------------------------------

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * Start Debian's Chromium (never a downloaded browser).
 *
 * Playwright's `launch` always gives the browser a brand-new profile in a temporary folder
 * (its own `--user-data-dir`, removed again on close); it refuses a `--user-data-dir` in
 * `args`. We use `launch` rather than `launchPersistentContext` because the tests need several
 * isolated contexts (one per signed-in user) in one browser.
 */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
}

/**
 * A fresh, isolated browser context (its own cookies), with short timeouts so that a broken
 * page fails the test quickly instead of hanging.
 *
 * `bypassCSP` is for the axe scans only: the service sends a strict Content-Security-Policy
 * (`script-src 'self'`, no inline script), which would block the inline <script> that
 * `page.addScriptTag({ content })` uses to put axe-core into the page. The pages themselves
 * contain no script at all, so switching the policy off changes nothing they do. The keyboard
 * tests do not set it, so they run with the real policy in force.
 */
export async function newContext(browser, { bypassCSP = false } = {}) {
  const context = await browser.newContext({
    bypassCSP,
    viewport: { width: 1280, height: 900 },
    locale: 'en-GB',
    timezoneId: 'Europe/London',
  });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(20_000);
  return context;
}

// ---------------------------------------------------------------------------------------------
// TOTP (RFC 6238 over RFC 4226), so that the tests can act as an authenticator app
// ---------------------------------------------------------------------------------------------

/** Decode RFC 4648 base32 (spaces, padding and case ignored). */
export function base32Decode(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const clean = text.toUpperCase().replace(/[\s=]/g, '');
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of clean) {
    const index = alphabet.indexOf(ch);
    if (index < 0) throw new Error(`not a base32 character: ${ch}`);
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >>> bits) & 0xff);
    }
  }
  return Buffer.from(out);
}

/** The 6-digit TOTP code (HMAC-SHA1, 30-second steps) for a base32 key at a given time. */
export function totp(secret, timeMs = Date.now()) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(timeMs / 1000 / 30)));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const number = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(number % 1_000_000).padStart(6, '0');
}

// ---------------------------------------------------------------------------------------------
// Signing in (for the accessibility scans; the keyboard tests drive these pages by hand)
// ---------------------------------------------------------------------------------------------

/** Submit the sign-in form with a password; leaves the page wherever the service sends it. */
export async function signIn(page, email, password = PASSWORD) {
  await page.goto(url('/sign-in'));
  await page.fill('#email', email);
  await page.fill('#password', password);
  await submitFrom(page, '#password');
}

/** The authenticator key shown on the MFA set-up page. */
export async function readSecret(page) {
  const secret = (await page.locator('#totp-secret').textContent()) || '';
  assert.match(secret.trim(), /^[A-Z2-7]{4}( [A-Z2-7]{1,4})+$/, 'the set-up page shows a base32 key');
  return secret.trim();
}

/** The recovery codes listed on the page shown right after MFA set-up. */
export async function readRecoveryCodes(page) {
  const codes = await page.locator('#recovery-codes code').allTextContents();
  assert.ok(codes.length > 0, 'recovery codes are listed');
  return codes.map((c) => c.trim());
}

// ---------------------------------------------------------------------------------------------
// Accounts shared by several test files
// ---------------------------------------------------------------------------------------------
//
// An account that two test files use (the Prevent lead) sets up two-factor authentication at
// its first sign-in of the run, whichever file comes first; every later sign-in, from any file,
// answers the challenge with the same key. The test files run as separate processes, possibly
// at the same time, so what they share is kept in files in one folder (E2E_STATE_DIR, set by
// e2e/run.sh), and one sign-in at a time per account holds a lock there. The lock also keeps
// each sign-in in its own 30-second step: the service accepts each code only once.

const STATE_DIR = (() => {
  if (process.env.E2E_STATE_DIR) {
    mkdirSync(process.env.E2E_STATE_DIR, { recursive: true });
    return process.env.E2E_STATE_DIR;
  }
  // Run by hand without e2e/run.sh: shared within this file only.
  const dir = mkdtempSync(join(tmpdir(), 'preventkit-e2e-accounts-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
})();

const STEP_MS = 30_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const accountFile = (email) => join(STATE_DIR, `${email}.json`);

function loadAccount(email) {
  const file = accountFile(email);
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
}

function saveAccount(email, data) {
  const file = accountFile(email);
  writeFileSync(`${file}.${process.pid}`, JSON.stringify(data));
  renameSync(`${file}.${process.pid}`, file);
}

/** Run `fn` while holding this account's lock (a folder: creating one is atomic). */
async function withAccountLock(email, fn, { waitMs = 180_000 } = {}) {
  const lock = join(STATE_DIR, `${email}.lock`);
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      if (Date.now() > deadline) throw new Error(`another test file kept ${email} signing in for over ${waitMs / 1000} s`);
      await sleep(200);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Sign in with the password and a second factor, as the same person would in any test file:
 * at the account's first sign-in of the run it sets up TOTP (and keeps the key for the other
 * files); afterwards it enters the current code, waiting for a new 30-second step when the
 * last code used is still current. Ends on /home. Returns `{ enrolled }`: whether this sign-in
 * set up TOTP.
 */
export async function signInWithMfa(page, email) {
  return withAccountLock(email, async () => {
    await signIn(page, email);
    const path = new URL(page.url()).pathname;
    if (path === '/sign-in/mfa/set-up') {
      const secret = await readSecret(page);
      const now = Date.now();
      await page.fill('#code', totp(secret, now));
      await submitFrom(page, '#code');
      const heading = await page.locator('h1').textContent();
      assert.match(heading || '', /recovery codes/i, `${email}: the recovery codes follow MFA set-up`);
      saveAccount(email, { secret, lastStep: Math.floor(now / STEP_MS), recoveryCodes: await readRecoveryCodes(page) });
      await clickAndWait(page, page.getByRole('link', { name: 'I have saved my codes – continue' }));
      assert.equal(new URL(page.url()).pathname, '/home', `${email}: signed in`);
      return { enrolled: true };
    }
    assert.equal(path, '/sign-in/mfa', `${email}: after the password, the service asks for a code (at ${path})`);
    const saved = loadAccount(email);
    assert.ok(saved, `${email} already has two-factor authentication, but no test file kept its key: sign in with signInWithMfa()`);
    while (Math.floor(Date.now() / STEP_MS) <= saved.lastStep) await sleep(250);
    const now = Date.now();
    await page.fill('#code', totp(saved.secret, now));
    await submitFrom(page, '#code');
    assert.equal(new URL(page.url()).pathname, '/home', `${email}: the code completes the sign-in`);
    saveAccount(email, { ...saved, lastStep: Math.floor(now / STEP_MS) });
    return { enrolled: false };
  });
}

/**
 * Click a link or a form's button that loads a new page, and wait until that page has loaded.
 *
 * On a busy machine Chromium now and then drops a click that comes very soon after a page
 * has loaded: nothing is sent and the page stays as it was. If no request has left the page
 * after a few seconds, the click is made once more (and a note printed), which is what a
 * person would do. A click that did send its request is never repeated.
 */
export async function clickAndWait(page, locator, { retryAfterMs = 5_000 } = {}) {
  let sent = false;
  const onRequest = (request) => {
    if (request.isNavigationRequest() && request.frame() === page.mainFrame()) sent = true;
  };
  page.on('request', onRequest);
  try {
    const loaded = page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() });
    await locator.click();
    const waited = await Promise.race([loaded.then(() => 'loaded'), sleep(retryAfterMs).then(() => 'waiting')]);
    if (waited === 'waiting' && !sent) {
      console.log(`note: a click on ${locator} sent nothing within ${retryAfterMs / 1000} s; clicking again`);
      await locator.click();
    }
    await loaded;
    await page.waitForLoadState('load');
  } finally {
    page.off('request', onRequest);
  }
}

/** Sign out with the button in the header; the service shows the sign-in page. */
export async function signOut(page) {
  await clickAndWait(page, page.getByRole('button', { name: 'Sign out' }));
  assert.equal(new URL(page.url()).pathname, '/sign-in', 'signing out shows the sign-in page');
}

/** The id of the first partnership linked from /home (as /p/<uuid>). */
export async function partnershipIdFromHome(page) {
  await page.goto(url('/home'));
  const href = await page.locator('main a[href^="/p/"]').first().getAttribute('href');
  const match = /^\/p\/([0-9a-f-]{36})$/.exec(href || '');
  assert.ok(match, `home links to a partnership (found ${href})`);
  return match[1];
}

// ---------------------------------------------------------------------------------------------
// Keyboard and focus
// ---------------------------------------------------------------------------------------------

/** A short description of the focused element and the styles that show focus. */
export async function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (!el || el === document.body) return null;
    const style = getComputedStyle(el);
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id || '',
      name: el.getAttribute('name') || '',
      type: el.getAttribute('type') || '',
      href: el.getAttribute('href') || '',
      text: (el.innerText || el.value || '').trim().replace(/\s+/g, ' '),
      outlineStyle: style.outlineStyle,
      outlineWidth: style.outlineWidth,
      outlineColor: style.outlineColor,
      boxShadow: style.boxShadow,
      focusVisible: el.matches(':focus-visible'),
    };
  });
}

const TRANSPARENT = /^(transparent|rgba\(\s*0,\s*0,\s*0,\s*0\s*\))$/;

/** Whether the computed style draws something around the focused element. */
export function focusIsVisible(f) {
  if (!f) return false;
  const outline =
    f.outlineStyle !== 'none' && parseFloat(f.outlineWidth) > 0 && !TRANSPARENT.test(f.outlineColor);
  const shadow = f.boxShadow && f.boxShadow !== 'none';
  return outline || shadow;
}

const describe = (f) => (f ? `<${f.tag}${f.id ? ` id="${f.id}"` : ''}${f.href ? ` href="${f.href}"` : ''}> "${f.text.slice(0, 60)}"` : 'nothing (body)');

/** Fail unless the focused element is the one expected and its focus can be seen. */
export function assertVisibleFocus(f, what) {
  assert.ok(f, `${what}: something has focus`);
  assert.ok(
    focusIsVisible(f),
    `${what}: focus on ${describe(f)} has no visible indicator ` +
      `(outline ${f.outlineStyle} ${f.outlineWidth} ${f.outlineColor}; box-shadow ${f.boxShadow})`,
  );
}

/**
 * Press Tab (or Shift+Tab) until the focused element satisfies `matches`, checking on the way
 * that every stop shows its focus. Returns the focused element's description.
 */
export async function tabTo(page, matches, what, { backwards = false, max = 60 } = {}) {
  const seen = [];
  for (let i = 0; i < max; i += 1) {
    await page.keyboard.press(backwards ? 'Shift+Tab' : 'Tab');
    const f = await focused(page);
    seen.push(describe(f));
    if (f) assertVisibleFocus(f, `tabbing towards ${what}`);
    if (f && matches(f)) return f;
  }
  assert.fail(`could not reach ${what} with ${backwards ? 'Shift+Tab' : 'Tab'}; focus went through: ${seen.join(' → ')}`);
}

/**
 * Press a key that should load a new page (follow a link, submit a form), and wait until the
 * new page has loaded. Works when the new page has the same address, as a form shown again
 * with errors does.
 */
export async function pressAndWait(page, key) {
  await Promise.all([
    page.waitForEvent('framenavigated', { predicate: (frame) => frame === page.mainFrame() }),
    page.keyboard.press(key),
  ]);
  await page.waitForLoadState('load');
}

/** Submit a form by pressing Enter in one of its fields, and wait for the answer. */
export async function submitFrom(page, selector) {
  await page.focus(selector);
  await pressAndWait(page, 'Enter');
}

// ---------------------------------------------------------------------------------------------
// axe-core
// ---------------------------------------------------------------------------------------------

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/**
 * Run axe-core on the page as it is now. Returns the violations in full, and how many rules
 * passed or need a person to check (incomplete), to show that the scan looked at something.
 */
export async function runAxe(page) {
  const present = await page.evaluate(() => typeof window.axe === 'object');
  if (!present) await page.addScriptTag({ content: AXE_SOURCE });
  return page.evaluate(async (tags) => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      resultTypes: ['violations'],
    });
    return {
      violations: r.violations,
      passes: r.passes.length,
      incomplete: r.incomplete.map((i) => i.id),
    };
  }, WCAG_TAGS);
}

/** A readable account of axe violations: rule, impact, help, and each element's HTML. */
export function formatViolations(violations) {
  return violations
    .map((v) => {
      const nodes = v.nodes
        .map((n) => `    at ${n.target.join(' ')}\n      ${n.html}\n      ${n.failureSummary.replace(/\n/g, '\n      ')}`)
        .join('\n');
      return `  ${v.id} (${v.impact}): ${v.help}\n  ${v.helpUrl}\n${nodes}`;
    })
    .join('\n');
}

/**
 * The pages scanned so far in this file and how many violations each had, printed as
 * diagnostics at the end of the file's run.
 */
export const scanLog = [];

/**
 * Check the page the browser is showing now: the expected address and status-free sanity
 * checks, then axe with the WCAG 2.2 AA tags. Registers a subtest named after the page so
 * each page is one line in the results.
 */
export async function scan(t, page, label, { path } = {}) {
  await t.test(`axe: ${label}`, async () => {
    if (path) assert.equal(new URL(page.url()).pathname, path, `${label}: browser is at ${path}`);
    const title = await page.title();
    assert.ok(title.endsWith('– Prevent Toolkit'), `${label}: page has the service title (got "${title}")`);
    const { violations, passes, incomplete } = await runAxe(page);
    scanLog.push({ label, count: violations.length, rules: violations.map((v) => v.id), passes, incomplete });
    assert.ok(passes > 0, `${label}: axe checked some rules`);
    assert.equal(violations.length, 0, `${label}: axe found ${violations.length} violation(s):\n${formatViolations(violations)}`);
  });
}

/** Full-page screenshot into e2e/screenshots/. */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = join(SCREENSHOTS, name);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

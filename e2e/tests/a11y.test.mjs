// Accessibility: every page a user can reach, in the states users see it in (empty, with an
// error summary, with a success banner), scanned by axe-core against WCAG 2.2 AA. Any
// violation fails the page's test.
//
// Accounts used here: the referrer (no second factor), the auditor and the system
// administrator (each sets up two-factor authentication; no other file uses them), and the
// Prevent lead, whom the journey test uses as well: the lead signs in through the shared
// helper, which sets up two-factor authentication once per run and lets each file sign in in
// turn with a fresh code. The keyboard tests use the partnership administrator.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  ACCOUNTS,
  launchBrowser,
  newContext,
  partnershipIdFromHome,
  readRecoveryCodes,
  readSecret,
  scan,
  scanLog,
  screenshot,
  signIn,
  signInWithMfa,
  submitFrom,
  totp,
  url,
  WCAG_TAGS,
} from './lib.mjs';

let browser;
let partnershipId;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

/** A context for scanning: see newContext() for why the CSP is bypassed here. */
const scanContext = () => newContext(browser, { bypassCSP: true });

async function expectErrorSummary(page, what) {
  const summary = page.locator('.govuk-error-summary');
  assert.equal(await summary.count(), 1, `${what}: the error summary is shown`);
  assert.ok(await summary.isVisible(), `${what}: the error summary is visible`);
}

/** Sign in, set up TOTP with a code worked out here, and return the recovery codes. */
async function signInWithNewMfa(t, page, email, { scanSteps = false } = {}) {
  await signIn(page, email);
  assert.equal(new URL(page.url()).pathname, '/sign-in/mfa/set-up', `${email} is asked to set up MFA`);
  if (scanSteps) {
    await scan(t, page, 'MFA set-up', { path: '/sign-in/mfa/set-up' });
    await submitFrom(page, '#code');
    await expectErrorSummary(page, 'MFA set-up with no code');
    await scan(t, page, 'MFA set-up with an error', { path: '/sign-in/mfa/set-up' });
  }
  // Read the key from the page as it is now: the page may show a new key each time.
  const secret = await readSecret(page);
  await page.fill('#code', totp(secret));
  await submitFrom(page, '#code');
  const heading = await page.locator('h1').textContent();
  assert.match(heading || '', /recovery codes/i, `${email}: the recovery codes follow MFA set-up`);
  if (scanSteps) await scan(t, page, 'recovery codes');
  const codes = await readRecoveryCodes(page);
  await page.getByRole('link', { name: 'I have saved my codes – continue' }).press('Enter');
  await page.waitForURL(url('/home'));
  return codes;
}

test('signed-out pages', { timeout: 120_000 }, async (t) => {
  const context = await scanContext();
  const page = await context.newPage();
  try {
    const res = await page.goto(url('/sign-in'));
    assert.equal(res.status(), 200);
    await screenshot(page, 'sign-in.png');
    await scan(t, page, '/sign-in', { path: '/sign-in' });

    await submitFrom(page, '#email');
    await expectErrorSummary(page, 'sign-in with empty fields');
    assert.match(await page.title(), /^Error: /, 'the title starts with "Error:"');
    await scan(t, page, '/sign-in with errors', { path: '/sign-in' });

    const missing = await page.goto(url('/no-such-page'));
    assert.equal(missing.status(), 404);
    await scan(t, page, '404 page (signed out)');
  } finally {
    await context.close();
  }
});

test('referrer: home, account, tokens, partnership, 403', { timeout: 180_000 }, async (t) => {
  const context = await scanContext();
  const page = await context.newPage();
  try {
    await signIn(page, ACCOUNTS.referrer);
    assert.equal(new URL(page.url()).pathname, '/home', 'the referrer needs no second factor');
    partnershipId = await partnershipIdFromHome(page);
    await screenshot(page, 'home.png');
    await scan(t, page, '/home', { path: '/home' });

    await page.goto(url('/account'));
    await scan(t, page, '/account', { path: '/account' });

    await page.fill('#current_password', 'not-the-password');
    await page.fill('#new_password', 'short');
    await page.fill('#confirm_password', 'different');
    await submitFrom(page, '#confirm_password');
    await expectErrorSummary(page, 'failed password change');
    await scan(t, page, '/account after a failed password change');

    await page.goto(url('/account/tokens'));
    await scan(t, page, '/account/tokens', { path: '/account/tokens' });

    await page.fill('#name', '');
    await submitFrom(page, '#name');
    await expectErrorSummary(page, 'token form with no name');
    await scan(t, page, '/account/tokens with errors');

    await page.goto(url('/account/tokens'));
    await page.fill('#name', 'Accessibility scan');
    await page.selectOption('#scope', { index: 1 });
    await submitFrom(page, '#name');
    assert.ok(await page.locator('#new-token').isVisible(), 'the new token is shown');
    await scan(t, page, '/account/tokens after making a token');

    await page.goto(url('/partnerships'));
    await scan(t, page, '/partnerships', { path: '/partnerships' });

    await page.goto(url(`/p/${partnershipId}`));
    await scan(t, page, '/p/{id}', { path: `/p/${partnershipId}` });

    const forbidden = await page.goto(url(`/p/${partnershipId}/members`));
    assert.equal(forbidden.status(), 403, 'a referrer may not see the members');
    await scan(t, page, '403 page (referrer at /p/{id}/members)');

    const missing = await page.goto(url('/no-such-page'));
    assert.equal(missing.status(), 404);
    await scan(t, page, '404 page (signed in)');
  } finally {
    await context.close();
  }
});

test('auditor: MFA set-up, recovery codes, MFA challenge, members, audit', { timeout: 180_000 }, async (t) => {
  assert.ok(partnershipId, 'the partnership id was found by the previous test');
  const context = await scanContext();
  const page = await context.newPage();
  let recoveryCodes;
  try {
    recoveryCodes = await signInWithNewMfa(t, page, ACCOUNTS.auditor, { scanSteps: true });

    await page.goto(url(`/p/${partnershipId}/members`));
    await scan(t, page, '/p/{id}/members (read only)', { path: `/p/${partnershipId}/members` });

    await page.goto(url(`/p/${partnershipId}/audit`));
    await scan(t, page, '/p/{id}/audit', { path: `/p/${partnershipId}/audit` });

    const list = await page.goto(url(`/p/${partnershipId}/assessments`));
    assert.equal(list.status(), 200, 'the auditor may read the self-assessments');
    await scan(t, page, '/p/{id}/assessments', { path: `/p/${partnershipId}/assessments` });
  } finally {
    await context.close();
  }

  // Sign in again, now that MFA is set up: the challenge page, its error state, and signing
  // in with a recovery code (so this account never needs a second TOTP code in this run).
  const again = await scanContext();
  const page2 = await again.newPage();
  try {
    await signIn(page2, ACCOUNTS.auditor);
    assert.equal(new URL(page2.url()).pathname, '/sign-in/mfa');
    await scan(t, page2, '/sign-in/mfa', { path: '/sign-in/mfa' });
    await submitFrom(page2, '#code');
    await expectErrorSummary(page2, 'MFA challenge with no code');
    await scan(t, page2, '/sign-in/mfa with an error', { path: '/sign-in/mfa' });
    await page2.fill('#code', recoveryCodes[0]);
    await submitFrom(page2, '#code');
    assert.equal(new URL(page2.url()).pathname, '/home', 'a recovery code completes the sign-in');
  } finally {
    await again.close();
  }
});

test('system administrator: administration pages and adding a member', { timeout: 180_000 }, async (t) => {
  assert.ok(partnershipId, 'the partnership id was found by an earlier test');
  const context = await scanContext();
  const page = await context.newPage();
  try {
    // Shared with the administrator journey, which may sign in first.
    await signInWithMfa(page, ACCOUNTS.sysadmin);

    for (const path of ['/admin/users', '/admin/organisations', '/admin/partnerships', '/admin/audit']) {
      const res = await page.goto(url(path));
      assert.equal(res.status(), 200, `${path} answers 200`);
      await scan(t, page, path, { path });
    }

    // The administration forms, submitted empty.
    for (const [path, field] of [
      ['/admin/users', '#email'],
      ['/admin/organisations', '#name'],
      ['/admin/partnerships', '#name'],
    ]) {
      await page.goto(url(path));
      await submitFrom(page, field);
      await expectErrorSummary(page, `${path} form with empty fields`);
      await scan(t, page, `${path} with errors`);
    }

    const members = `/p/${partnershipId}/members`;
    await page.goto(url(members));
    await scan(t, page, '/p/{id}/members (can manage)', { path: members });

    await page.goto(url(`${members}/new`));
    await scan(t, page, '/p/{id}/members/new', { path: `${members}/new` });

    await submitFrom(page, '#email');
    await expectErrorSummary(page, 'add member with empty fields');
    await scan(t, page, '/p/{id}/members/new with errors');

    // An invitation (the same answer whether or not the address has an account): the members
    // page then shows a success banner and the invitation waiting for an answer.
    await page.goto(url(`${members}/new`));
    await page.fill('#email', 'referrer@riverton.example');
    // A role without a second factor, so the referrer still signs in with a password alone.
    await page.selectOption('#role', { label: 'Regional viewer (aggregates only)' });
    await submitFrom(page, '#email');
    assert.equal(new URL(page.url()).pathname, members, 'inviting goes back to the members');
    assert.ok(await page.locator('.govuk-notification-banner').isVisible(), 'a success banner is shown');
    assert.ok(await page.getByText('Waiting for an answer').first().isVisible(), 'the invitation is listed');
    await scan(t, page, '/p/{id}/members after sending an invitation');

    // The person invited sees it on their home page and accepts it.
    const invitee = await scanContext();
    const ipage = await invitee.newPage();
    try {
      await signIn(ipage, ACCOUNTS.referrer);
      await ipage.goto(url('/home'));
      assert.ok(await ipage.getByText('Invitations waiting for your answer').isVisible(), 'the invitation is on the home page');
      await scan(t, ipage, '/home with an invitation waiting', { path: '/home' });
      await submitFrom(ipage, 'form[action$="/accept"] button');
      assert.equal(new URL(ipage.url()).pathname, '/account', 'accepting shows the account');
      assert.ok(await ipage.getByText('Your roles').isVisible());
      await scan(t, ipage, '/account after accepting an invitation', { path: '/account' });
    } finally {
      await invitee.close();
    }
  } finally {
    await context.close();
  }
});

test('Prevent lead: self-assessment pages', { timeout: 180_000 }, async (t) => {
  assert.ok(partnershipId, 'the partnership id was found by an earlier test');
  const context = await scanContext();
  const page = await context.newPage();
  const base = `/p/${partnershipId}/assessments`;
  try {
    // The journey test signs in as the Prevent lead too: whichever file is first sets up
    // two-factor authentication, and the other answers the challenge with the same key.
    await signInWithMfa(page, ACCOUNTS.lead);

    await page.goto(url(base));
    await scan(t, page, '/p/{id}/assessments (can start one)', { path: base });

    await page.goto(url(`${base}/new`));
    await scan(t, page, '/p/{id}/assessments/new', { path: `${base}/new` });
    await submitFrom(page, '#title');
    await expectErrorSummary(page, 'start assessment with empty fields');
    await scan(t, page, '/p/{id}/assessments/new with errors');

    // The service ships its assessment frameworks, so the form always offers some (the first
    // option is the "Choose a framework" prompt).
    await page.goto(url(`${base}/new`));
    const frameworks = await page.locator('#framework option').count();
    assert.ok(frameworks >= 2, `the start form offers the shipped frameworks (found ${frameworks - 1})`);
    await page.fill('#title', 'Accessibility scan assessment');
    await page.selectOption('#framework', { index: 1 });
    // Dates are GOV.UK date inputs: day, month and year boxes.
    for (const [field, [d, m, y]] of [['period_start', ['1', '4', '2026']], ['period_end', ['31', '3', '2027']]]) {
      await page.fill(`#${field}`, d);
      await page.fill(`#${field}-month`, m);
      await page.fill(`#${field}-year`, y);
    }
    await submitFrom(page, '#title');
    const overview = new URL(page.url()).pathname;
    assert.match(overview, new RegExp(`^${base}/[0-9a-f-]{36}$`), `starting an assessment opens it (at ${overview})`);
    await scan(t, page, '/p/{id}/assessments/{a} (task list)');

    const question = await page.locator('main a[href*="/questions/"]').first().getAttribute('href');
    assert.ok(question, 'the task list links to the questions');
    await page.goto(url(question));
    await scan(t, page, '/p/{id}/assessments/{a}/questions/{q}', { path: question });
    await submitFrom(page, 'button[value="summary"]');
    if ((await page.locator('.govuk-error-summary').count()) > 0) {
      await scan(t, page, '/p/{id}/assessments/{a}/questions/{q} with errors');
    }

    await page.goto(url(question));
    await page.locator('input[name="rating"]').nth(1).check();
    await page.fill('#details', 'A draft exists; the board agrees it next month.');
    await submitFrom(page, 'button[value="summary"]');
    assert.equal(new URL(page.url()).pathname, overview, 'saving the answer goes back to the task list');
    assert.ok(await page.locator('.govuk-notification-banner').isVisible(), 'a success banner is shown');
    await scan(t, page, '/p/{id}/assessments/{a} after saving an answer');

    for (const sub of ['gaps', 'compare', 'capabilities']) {
      const res = await page.goto(url(`${overview}/${sub}`));
      assert.equal(res.status(), 200, `${sub} answers 200`);
      await scan(t, page, `/p/{id}/assessments/{a}/${sub}`, { path: `${overview}/${sub}` });
    }
  } finally {
    await context.close();
  }
});

test('summary of scanned pages', (t) => {
  const width = Math.max(...scanLog.map((s) => s.label.length), 10);
  t.diagnostic(`${scanLog.length} page states scanned with axe-core (${WCAG_TAGS.join(', ')})`);
  for (const s of scanLog) {
    const rules = s.rules.length ? ` [${s.rules.join(', ')}]` : '';
    const review = s.incomplete.length ? `; to check by hand: ${s.incomplete.join(', ')}` : '';
    t.diagnostic(`${s.label.padEnd(width)}  ${s.count} violation(s)${rules}; ${s.passes} rules passed${review}`);
  }
  assert.ok(scanLog.length > 0, 'some pages were scanned');
});

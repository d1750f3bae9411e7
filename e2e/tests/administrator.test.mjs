// The administrator's journey: the system administrator signs in and finds the platform's
// tasks on the home page, invites someone to a partnership, removes a member, disables an
// account (each through a page that asks first), reads the audit log filtered by a person's
// name and an action, and is refused when removing a partnership's last administrator (the
// error summary, with the page). A partnership administrator revokes an API token through its
// page and makes new recovery codes, which can be downloaded and printed alone. Every new page state is scanned by axe and checked at 390 px for sideways scrolling.
//
// Accounts: the system administrator (shared with the accessibility file through the shared
// sign-in helper) and Eastvale's administrator, which no other file uses. What is changed is
// used by no other file: the Riverton councillor's membership, the regional viewer's account
// and Eastvale.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ACCOUNTS, clickAndWait, launchBrowser, newContext, scan, screenshot, signInWithMfa, url } from './lib.mjs';

const EASTVALE_ADMIN = 'admin@eastvale.example';

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

const path = (page) => new URL(page.url()).pathname;

/** Whether the page is wider than the window (it would scroll sideways). */
async function scrollsSideways(page) {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
}

/** Scan the page as it is, then check it at 390 px (no sideways scroll) and keep a picture. */
async function check(t, page, label, shot) {
  await scan(t, page, label);
  await page.setViewportSize({ width: 390, height: 800 });
  assert.equal(await scrollsSideways(page), false, `${label}: no sideways scroll at 390 px`);
  await screenshot(page, `administrator-${shot}-390.png`);
  await page.setViewportSize({ width: 1024, height: 800 });
}

/** The id of a partnership, from the platform's list of partnerships. */
async function partnershipId(page, name) {
  await page.goto(url('/admin/partnerships'));
  const href = await page.getByRole('link', { name, exact: true }).getAttribute('href');
  const id = /^\/p\/([0-9a-f-]{36})$/.exec(href || '')?.[1];
  assert.ok(id, `${name} is listed`);
  return id;
}

async function expectBanner(page, text) {
  const banner = page.locator('.govuk-notification-banner--success');
  assert.ok(await banner.isVisible(), 'a success banner is shown');
  assert.match((await banner.innerText()) || '', text);
}

async function expectConfirmation(page, heading) {
  assert.equal(await page.locator('h1').innerText(), heading);
  assert.ok(await page.locator('.govuk-warning-text').isVisible(), 'a warning');
  assert.ok(await page.locator('button.govuk-button--warning').isVisible(), 'a red button');
  assert.ok(await page.getByRole('link', { name: 'Cancel' }).isVisible(), 'a way back');
}

test('the system administrator looks after partnerships and accounts', { timeout: 300_000 }, async (t) => {
  const context = await newContext(browser, { bypassCSP: true });
  const page = await context.newPage();
  try {
    await signInWithMfa(page, ACCOUNTS.sysadmin);
    assert.equal(path(page), '/home');
    assert.ok(await page.getByRole('heading', { name: 'Platform administration' }).isVisible(), 'home shows the platform tasks');
    await check(t, page, '/home (system administrator)', 'home');

    const riverton = await partnershipId(page, 'Riverton Prevent Partnership');
    const members = `/p/${riverton}/members`;

    // Adding a member: an invitation, shown on the members page until it is answered.
    await page.goto(url(`${members}/new`));
    await page.fill('#email', 'chair@riverton.example');
    await page.selectOption('#role', 'auditor');
    await clickAndWait(page, page.getByRole('button', { name: 'Send invitation' }));
    assert.equal(path(page), members);
    await expectBanner(page, /invitation was recorded/);

    // Removing a member asks first, on its own page.
    await page.goto(url(members));
    await clickAndWait(page, page.getByRole('link', { name: /^Remove Cllr Elin Member/ }));
    await expectConfirmation(page, 'Are you sure you want to remove Cllr Elin Member from Riverton Prevent Partnership?');
    await check(t, page, 'remove a member: the question', 'remove-member');
    // Cancel goes back and changes nothing.
    await clickAndWait(page, page.getByRole('link', { name: 'Cancel' }));
    assert.equal(path(page), members);
    assert.ok(await page.getByRole('cell', { name: 'Cllr Elin Member', exact: true }).isVisible(), 'still a member');
    await clickAndWait(page, page.getByRole('link', { name: /^Remove Cllr Elin Member/ }));
    await clickAndWait(page, page.getByRole('button', { name: 'Remove Cllr Elin Member' }));
    assert.equal(path(page), members);
    await expectBanner(page, /member was removed/);
    assert.equal(await page.getByRole('cell', { name: 'Cllr Elin Member', exact: true }).count(), 0, 'no longer listed');
    await check(t, page, 'members after removing one', 'members-removed');

    // Disabling an account asks first, on its own page.
    await page.goto(url('/admin/users'));
    await clickAndWait(page, page.getByRole('link', { name: 'Disable Reggie Regional' }));
    await expectConfirmation(page, 'Are you sure you want to disable the account of Reggie Regional?');
    await check(t, page, 'disable an account: the question', 'disable-account');
    await clickAndWait(page, page.getByRole('button', { name: 'Disable account' }));
    assert.equal(path(page), '/admin/users');
    await expectBanner(page, /account was disabled/);
    await check(t, page, 'accounts after disabling one', 'accounts-disabled');

    // The audit log, by a person's name and an action in words.
    await page.goto(url('/admin/audit'));
    await check(t, page, 'platform audit log', 'audit');
    await page.fill('#person', 'sys admin');
    await page.selectOption('#action', { label: 'Account disabled' });
    await clickAndWait(page, page.getByRole('button', { name: 'Filter' }));
    const rows = page.locator('table.pk-audit tbody tr');
    assert.ok((await rows.count()) >= 1, 'the disabling is listed');
    const first = await rows.first().innerText();
    assert.match(first, /Account disabled/, 'the action in words');
    assert.match(first, /user\.disable/, 'with its key');
    assert.match(first, /Sys Admin/, 'the person by name');
    assert.equal(await page.inputValue('#person'), 'sys admin', 'the name filter keeps its value');
    assert.equal(await page.inputValue('#action'), 'user.disable', 'the action filter keeps its value');
    await check(t, page, 'platform audit log filtered', 'audit-filtered');
    // Another action by the same person: the disabling is not listed.
    await page.selectOption('#action', { label: 'Membership removed' });
    await clickAndWait(page, page.getByRole('button', { name: 'Filter' }));
    assert.equal(await page.locator('table.pk-audit tbody tr', { hasText: 'Account disabled' }).count(), 0);

    // The removal of the member is there too, with who did it.
    await page.goto(url('/admin/audit?person=sys&action=membership.delete'));
    const removal = await page.locator('table.pk-audit tbody tr').first().innerText();
    assert.match(removal, /Membership removed/);
    assert.match(removal, /Sys Admin/, 'the person by name');
    await check(t, page, 'platform audit log filtered by name and action', 'audit-removal');

    // The last administrator of a partnership cannot be removed: the error summary says so.
    const eastvale = await partnershipId(page, 'Eastvale Prevent Partnership');
    await page.goto(url(`/p/${eastvale}/members`));
    await clickAndWait(page, page.getByRole('link', { name: /^Remove Eve Eastvale/ }));
    await clickAndWait(page, page.getByRole('button', { name: 'Remove Eve Eastvale' }));
    const summary = page.locator('.govuk-error-summary');
    assert.ok(await summary.isVisible(), 'the error summary');
    assert.match(await summary.innerText(), /must keep at least one administrator/);
    assert.ok(await page.getByRole('cell', { name: 'Eve Eastvale', exact: true }).isVisible(), 'with the members, unchanged');
    assert.match(await page.title(), /^Error: /);
    await check(t, page, 'removing the last administrator refused', 'last-administrator');
  } finally {
    await context.close();
  }
});

test('a partnership administrator revokes an API token through its page', { timeout: 180_000 }, async (t) => {
  const context = await newContext(browser, { bypassCSP: true });
  const page = await context.newPage();
  try {
    await signInWithMfa(page, EASTVALE_ADMIN);
    await page.goto(url('/account/tokens'));
    await page.fill('#name', 'Nightly report');
    await page.selectOption('#scope', { index: 1 });
    await clickAndWait(page, page.getByRole('button', { name: 'Make token' }));
    const secret = (await page.locator('#new-token').innerText()).trim();
    assert.ok(secret.length > 20, 'the new token is shown once');
    const me = async () => (await context.request.get(url('/api/v1/me'), { headers: { authorization: `Bearer ${secret}` } })).status();
    assert.equal(await me(), 200, 'the token works');

    await clickAndWait(page, page.getByRole('link', { name: 'Revoke Nightly report' }));
    await expectConfirmation(page, 'Are you sure you want to revoke the token ‘Nightly report’?');
    await check(t, page, 'revoke a token: the question', 'revoke-token');
    await clickAndWait(page, page.getByRole('button', { name: 'Revoke token' }));
    assert.equal(path(page), '/account/tokens');
    await expectBanner(page, /token was revoked/);
    assert.equal(await me(), 401, 'the token no longer works');
    await check(t, page, 'tokens after revoking one', 'tokens-revoked');

    // New recovery codes: a download button, and a printout of the codes alone.
    await page.goto(url('/account'));
    await clickAndWait(page, page.getByRole('button', { name: 'Make new recovery codes' }));
    assert.equal(await page.locator('#recovery-codes code').count(), 10);
    assert.ok(await page.getByRole('button', { name: 'Download the codes as a text file' }).isVisible());
    await check(t, page, 'new recovery codes', 'recovery-codes');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download the codes as a text file' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'prevent-toolkit-recovery-codes.txt');
    await page.emulateMedia({ media: 'print' });
    assert.ok(await page.locator('#recovery-codes').isVisible(), 'the codes are printed');
    for (const hidden of ['.pk-header', '.pk-footer', 'form', '.govuk-warning-text']) {
      assert.equal(await page.locator(hidden).first().isVisible(), false, `${hidden} is not printed`);
    }
    await screenshot(page, 'administrator-recovery-codes-print.png');
    await page.emulateMedia({ media: 'screen' });
  } finally {
    await context.close();
  }
});

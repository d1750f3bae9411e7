// Keyboard only: the main journeys done with Tab, Shift+Tab, Enter, Space and the arrow keys,
// never the mouse and never by setting field values directly. Every element that takes focus
// on the way must show a visible focus indicator.
//
// The account used here (the partnership administrator) is used by no other test file, so its
// one TOTP code of this run cannot clash with another sign-in.
//
// These pages run with their real Content-Security-Policy (no bypassCSP), as users get them.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  ACCOUNTS,
  PASSWORD,
  assertVisibleFocus,
  focused,
  launchBrowser,
  newContext,
  pressAndWait,
  readRecoveryCodes,
  readSecret,
  tabTo,
  totp,
  url,
} from './lib.mjs';

let browser;
let context;
let page;

before(async () => {
  browser = await launchBrowser();
  context = await newContext(browser);
  page = await context.newPage();
});

after(async () => {
  await context?.close();
  await browser?.close();
});

const path = () => new URL(page.url()).pathname;
const byId = (id) => (f) => f.id === id;
const byText = (tag, text) => (f) => f.tag === tag && f.text === text;

/** Type into the focused field, after checking it is the one expected and shows its focus. */
async function typeInto(id, text) {
  const f = await focused(page);
  assert.equal(f?.id, id, `focus is on #${id}`);
  assertVisibleFocus(f, `#${id}`);
  await page.keyboard.type(text);
  assert.equal(await page.inputValue(`#${id}`), text, `#${id} holds what was typed`);
}

/** Choose an option of the focused (closed) select with the arrow keys. */
async function chooseWithArrows(id, label) {
  const f = await focused(page);
  assert.equal(f?.id, id, `focus is on #${id}`);
  assertVisibleFocus(f, `#${id}`);
  const chosen = () => page.$eval(`#${id}`, (s) => s.options[s.selectedIndex]?.text.trim());
  for (let i = 0; i < 30 && (await chosen()) !== label; i += 1) {
    await page.keyboard.press('ArrowDown');
  }
  assert.equal(await chosen(), label, `"${label}" was chosen in #${id} with the arrow keys`);
}

async function heading() {
  return ((await page.locator('h1').first().textContent()) || '').trim();
}

// The steps below depend on one another (one browser tab, one signed-in user), so they are
// subtests of one test, and after a failed step the later ones are skipped rather than run on
// the wrong page.
test('keyboard only: sign in, MFA set-up, account, API token, invite someone, sign out', { timeout: 180_000 }, async (t) => {
  let partnershipId;
  let failedStep = null;
  const step = (name, fn) =>
    t.test(name, failedStep ? { skip: `an earlier step failed (${failedStep})` } : {}, async () => {
      try {
        await fn();
      } catch (err) {
        failedStep = name;
        throw err;
      }
    });

  await step('sign in', async () => {
    await page.goto(url('/sign-in'));
    await page.keyboard.press('Tab');
    const skip = await focused(page);
    assert.equal(skip?.text, 'Skip to main content', 'the first Tab reaches the skip link');
    assertVisibleFocus(skip, 'skip link');
    // Following the skip link moves the start of keyboard navigation to <main>, so the next
    // Tab goes past the header straight to the first field.
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    await typeInto('email', ACCOUNTS.admin);
    await page.keyboard.press('Tab');
    await typeInto('password', PASSWORD);
    await page.keyboard.press('Shift+Tab');
    assert.equal((await focused(page))?.id, 'email', 'Shift+Tab goes back to the email field');
    await page.keyboard.press('Tab');
    assert.equal((await focused(page))?.id, 'password');
    await pressAndWait(page, 'Enter');
    assert.equal(path(), '/sign-in/mfa/set-up', 'the administrator is sent to set up MFA');
  });

  await step('set up two-factor authentication', async () => {
    // Open "I cannot scan the QR code" (a native <details>) with the keyboard to show the key.
    const summary = await tabTo(page, byText('summary', 'I cannot scan the QR code'), 'the "cannot scan" details');
    assert.ok(summary);
    await page.keyboard.press('Enter');
    assert.ok(await page.locator('#totp-secret').isVisible(), 'Enter on the summary shows the key');
    const secret = await readSecret(page);

    await tabTo(page, byId('code'), 'the code field');
    await typeInto('code', totp(secret));
    await tabTo(page, byText('button', 'Turn on two-factor authentication'), 'the set-up button');
    await pressAndWait(page, 'Space');
    assert.match(await heading(), /recovery codes/i, 'the recovery codes are shown');
    await readRecoveryCodes(page);

    await tabTo(page, byText('a', 'I have saved my codes – continue'), 'the continue link');
    await pressAndWait(page, 'Enter');
    assert.equal(path(), '/home');
    const link = await page.locator('main a[href^="/p/"]').first().getAttribute('href');
    partnershipId = /^\/p\/([0-9a-f-]{36})$/.exec(link || '')?.[1];
    assert.ok(partnershipId, 'home links to the partnership');
  });

  await step('reach the account page from the header', async () => {
    await tabTo(page, (f) => f.tag === 'a' && f.href === '/account', 'the "Your account" header link');
    await pressAndWait(page, 'Enter');
    assert.equal(path(), '/account');
    assert.equal(await heading(), 'Your account');
  });

  await step('make an API token', async () => {
    await tabTo(page, (f) => f.tag === 'a' && f.href === '/account/tokens', 'the "API tokens" link');
    await pressAndWait(page, 'Enter');
    assert.equal(path(), '/account/tokens');

    await tabTo(page, byId('name'), 'the token name field');
    await typeInto('name', 'Keyboard journey');
    await page.keyboard.press('Tab');
    const option = await page.$eval('#scope', (s) => s.options[1]?.text.trim());
    assert.ok(option, 'there is a partnership and role to choose');
    await chooseWithArrows('scope', option);
    await page.keyboard.press('Tab');
    const days = await focused(page);
    assert.equal(days?.id, 'days');
    assertVisibleFocus(days, '#days');
    await pressAndWait(page, 'Enter');

    assert.equal(path(), '/account/tokens');
    assert.equal(await page.locator('.govuk-error-summary').count(), 0, 'no errors');
    const panel = page.locator('.govuk-panel');
    assert.ok(await panel.isVisible(), 'the new token panel is shown');
    assert.match((await panel.textContent()) || '', /Your new token/);
    const token = ((await page.locator('#new-token').textContent()) || '').trim();
    assert.ok(token.length >= 20, `the token is shown (${token.length} characters)`);
    assert.match((await page.locator('table').textContent()) || '', /Keyboard journey/, 'the token is listed');
  });

  await step('invite someone', async () => {
    await tabTo(page, (f) => f.tag === 'a' && f.href === `/p/${partnershipId}/members`, 'the "Members" header link');
    await pressAndWait(page, 'Enter');
    assert.equal(path(), `/p/${partnershipId}/members`);

    await tabTo(page, byText('a', 'Invite someone'), 'the "Invite someone" button link');
    await pressAndWait(page, 'Enter');
    assert.equal(path(), `/p/${partnershipId}/members/new`);

    await tabTo(page, byId('email'), 'the email field');
    await typeInto('email', 'new.member@riverton.example');
    await page.keyboard.press('Tab');
    await chooseWithArrows('role', 'Contributor');
    await page.keyboard.press('Tab');
    const button = await focused(page);
    assert.equal(button?.text, 'Send invitation', 'Tab reaches the "Send invitation" button');
    assertVisibleFocus(button, 'the "Send invitation" button');
    await pressAndWait(page, 'Space');

    assert.equal(path(), `/p/${partnershipId}/members`, 'back on the members page');
    assert.equal(await page.locator('.govuk-error-summary').count(), 0, 'no errors');
    assert.ok(await page.locator('.govuk-notification-banner').isVisible(), 'a success banner is shown');
    const row = page.locator('tbody tr', { hasText: 'new.member@riverton.example' });
    assert.equal(await row.count(), 1, 'the invitation is listed');
    assert.match((await row.textContent()) || '', /Contributor[\s\S]*Waiting for an answer/);
  });

  await step('sign out', async () => {
    await tabTo(page, byText('button', 'Sign out'), 'the "Sign out" button', { backwards: true });
    await pressAndWait(page, 'Enter');
    await page.goto(url('/home'));
    assert.equal(path(), '/sign-in', 'signed out: /home sends you to sign in');
  });
});

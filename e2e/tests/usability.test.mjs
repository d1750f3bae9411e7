// The self-assessment as its users find it: each person's home shows their work, no page
// scrolls sideways on a phone, printouts drop what only works on screen, and the error pages
// follow the design system. Each state is scanned by axe.
//
// Accounts: the contributor (no other file signs in with it) and the Prevent lead, through
// the shared sign-in helper.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ACCOUNTS, launchBrowser, newContext, scan, screenshot, signInWithMfa, url } from './lib.mjs';

const CONTRIBUTOR = 'contributor@riverton.example';

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

/** Whether the page is wider than the window (it would scroll sideways). */
async function scrollsSideways(page) {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
}

test('home shows each person their work, at every width', { timeout: 180_000 }, async (t) => {
  const context = await newContext(browser, { bypassCSP: true });
  const page = await context.newPage();
  try {
    await signInWithMfa(page, CONTRIBUTOR);
    await page.goto(url('/home'));
    // The police contributor answers benchmark 7 of this year's draft (while it is a draft:
    // another test file may submit it, after which it is no longer theirs to answer).
    const questions = page.locator('#work-questions-assigned');
    if ((await questions.count()) > 0) {
      const group = await page.locator('section[aria-labelledby="work-questions-assigned"]').innerText();
      assert.match(group, /of 9 reviewed this period/, 'progress is shown as a count of the assigned questions');
    }
    await scan(t, page, '/home (contributor)', { path: '/home' });
    for (const width of [320, 390]) {
      await page.setViewportSize({ width, height: 800 });
      await page.goto(url('/home'));
      assert.equal(await scrollsSideways(page), false, `home does not scroll sideways at ${width} px`);
      await screenshot(page, `home-contributor-${width}.png`);
    }
  } finally {
    await context.close();
  }

  const lead = await newContext(browser, { bypassCSP: true });
  const leadPage = await lead.newPage();
  try {
    await signInWithMfa(leadPage, ACCOUNTS.lead);
    await leadPage.goto(url('/home'));
    const headings = await leadPage.locator('main h3').allInnerTexts();
    assert.ok(headings.length > 0, 'the lead has work on the home page');
    await scan(t, leadPage, '/home (Prevent lead)', { path: '/home' });
    await leadPage.setViewportSize({ width: 390, height: 800 });
    await leadPage.goto(url('/home'));
    assert.equal(await scrollsSideways(leadPage), false, 'the lead’s home does not scroll sideways at 390 px');
    await screenshot(leadPage, 'home-lead-390.png');

    // Printing an assessment's task list: no navigation, no forms, no link addresses.
    const partnership = await leadPage.locator('main a[href^="/p/"]').last().getAttribute('href');
    await leadPage.setViewportSize({ width: 1024, height: 800 });
    await leadPage.goto(url(`${partnership}/assessments`));
    const assessment = await leadPage.locator('main a[href*="/assessments/"]').first().getAttribute('href');
    await leadPage.goto(url(assessment));
    await leadPage.emulateMedia({ media: 'print' });
    assert.equal(await leadPage.locator('.pk-header__nav').isVisible(), false, 'no navigation on paper');
    assert.equal(await leadPage.locator('.pk-header__user').isVisible(), false, 'no sign-out button on paper');
    const visibleForms = await leadPage.locator('main form').evaluateAll((forms) =>
      forms.filter((f) => getComputedStyle(f).display !== 'none').length);
    assert.equal(visibleForms, 0, 'no forms on paper');
    const addresses = await leadPage.locator('main a[href]').evaluateAll((links) =>
      links.filter((a) => {
        const after = getComputedStyle(a, '::after').content;
        return after && after !== 'none' && after !== 'normal' && after.includes('/');
      }).length);
    assert.equal(addresses, 0, 'link addresses are not printed');
    await leadPage.pdf({ path: 'screenshots/task-list-print.pdf' }).catch(() => {});
    await leadPage.emulateMedia({ media: 'screen' });
  } finally {
    await lead.close();
  }
});

test('page not found follows the design system', { timeout: 60_000 }, async (t) => {
  const context = await newContext(browser, { bypassCSP: true });
  const page = await context.newPage();
  try {
    const res = await page.goto(url('/no-such-page'));
    assert.equal(res.status(), 404);
    assert.equal((await page.locator('h1').innerText()).trim(), 'Page not found');
    assert.match(await page.locator('main').innerText(), /If you typed the web address, check it is correct\./);
    await scan(t, page, '404 page not found');
  } finally {
    await context.close();
  }
});

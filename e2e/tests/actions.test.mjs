// Gaps and the actions raised from them: the lead reads the gap counts, raises an action on its
// own page (a bad date keeps everything typed and the error summary is scanned), sees it on the
// actions page, changes it and closes it through the confirmation page. Every new page state
// is scanned by axe; the gaps and actions pages must not scroll sideways at 320 and 390 px; the
// task list, summary and comparison print without navigation or forms.
//
// Account: the Prevent lead, through the shared sign-in helper. The action raised is the
// test's own.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ACCOUNTS, launchBrowser, newContext, scan, screenshot, signInWithMfa, url } from './lib.mjs';

const THIS_YEAR = 'Prevent duty benchmark 2026 to 2027';
const TITLE = 'Share the local risk profile with every school';

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

/** Post the form the button is in and wait for the next page. */
async function submit(page, name) {
  await Promise.all([page.waitForLoadState('load'), page.waitForNavigation(), page.getByRole('button', { name }).click()]);
}

test('the lead raises, changes and closes an action from a gap', { timeout: 300_000 }, async (t) => {
  const context = await newContext(browser, { bypassCSP: true });
  const page = await context.newPage();
  try {
    await signInWithMfa(page, ACCOUNTS.lead);
    const partnership = await page.locator('main a[href^="/p/"]').last().getAttribute('href');
    await page.goto(url(`${partnership}/assessments`));
    const assessment = await page.getByRole('link', { name: THIS_YEAR, exact: true }).getAttribute('href');
    assert.ok(assessment, 'this year’s assessment is listed');

    // The task list links to the gaps and to the actions.
    await page.goto(url(assessment));
    assert.equal(await page.getByRole('link', { name: 'Actions raised from the gaps' }).count(), 1);

    // Gaps: counts first; questions not assessed are apart from the gaps.
    let res = await page.goto(url(`${assessment}/gaps`));
    assert.equal(res.status(), 200);
    const counts = await page.locator('#gap-counts').innerText();
    assert.match(counts, /\d+ gaps?: questions rated below the highest rating/, counts);
    assert.match(counts, /not assessed yet/, counts);
    await scan(t, page, 'gaps', { path: `${assessment}/gaps` });

    // The new-action page for the first gap.
    const gapId = (await page.locator('li.pk-gap').first().getAttribute('id')).replace(/^gap-/, '');
    await page.locator('li.pk-gap').first().getByRole('link', { name: /^Raise an action/ }).click();
    await page.waitForURL(/\/actions\/new\?question=/);
    await scan(t, page, 'raise an action', { path: `${assessment}/actions/new` });

    // A date that does not exist: everything typed is kept and the summary links to the date.
    await page.getByLabel('What needs doing to close this gap').fill(TITLE);
    await page.getByLabel('Owner').selectOption({ label: 'Priya Lead' });
    await page.locator('#due_date').fill('31');
    await page.locator('#due_date-month').fill('2');
    await page.locator('#due_date-year').fill('2027');
    await submit(page, 'Add to the action plan');
    const summary = page.locator('.govuk-error-summary');
    assert.ok(await summary.isVisible(), 'the error summary is shown');
    assert.match(await summary.innerText(), /Due date must be a real date/);
    assert.equal(await summary.locator('a').first().getAttribute('href'), '#due_date');
    assert.equal(await page.locator('#title').inputValue(), TITLE);
    assert.equal(await page.locator('#owner_id option:checked').innerText(), 'Priya Lead');
    assert.deepEqual(
      [await page.locator('#due_date').inputValue(), await page.locator('#due_date-month').inputValue(), await page.locator('#due_date-year').inputValue()],
      ['31', '2', '2027'],
    );
    await scan(t, page, 'raise an action, with errors', { path: `${assessment}/actions` });

    // Raised: back on the gaps page, shown under its gap.
    await page.locator('#due_date-month').fill('3');
    await submit(page, 'Add to the action plan');
    assert.match(await page.locator('.govuk-notification-banner').innerText(), /added to the action plan/);
    assert.match(await page.locator(`[id="gap-${gapId}"]`).innerText(), new RegExp(`${TITLE}: Priya Lead, due 31 March 2027, open`));

    // The actions page lists it.
    await page.getByRole('link', { name: /^See all actions raised from the gaps/ }).click();
    await page.waitForURL(/\/actions$/);
    const row = page.locator('tr', { hasText: TITLE });
    assert.equal(await row.count(), 1, 'the action is listed');
    assert.match(await row.innerText(), /31 March 2027/);
    await scan(t, page, 'actions', { path: `${assessment}/actions` });

    // Changed.
    await row.getByRole('link', { name: /^Change/ }).click();
    await page.waitForURL(/\/edit$/);
    await scan(t, page, 'change an action', {});
    await page.getByLabel('What needs doing').fill(`${TITLE} and college`);
    await page.getByLabel('In progress').check();
    await submit(page, 'Save changes');
    assert.match(await page.locator('.govuk-notification-banner').innerText(), /The action was changed/);
    const changed = page.locator('tr', { hasText: `${TITLE} and college` });
    assert.match(await changed.innerText(), /In progress/);

    // Closed, after confirming.
    await changed.getByRole('link', { name: /^Close/ }).click();
    await page.waitForURL(/\/close$/);
    assert.equal(await page.locator('h1').innerText(), 'Are you sure you want to close this action?');
    await scan(t, page, 'close an action', {});
    await screenshot(page, 'action-close-1280.png');
    await page.getByLabel('Closing note (optional)').fill('Sent to every school and college');
    await submit(page, 'Close the action');
    assert.match(await page.locator('.govuk-notification-banner').innerText(), /The action was closed/);
    assert.match(await page.locator('main').innerText(), /Closing note: Sent to every school and college/);
    await scan(t, page, 'actions, one closed', { path: `${assessment}/actions` });

    // Phones: no sideways scrolling; wide tables scroll in their own named, focusable box.
    for (const [name, path] of [['gaps', `${assessment}/gaps`], ['actions', `${assessment}/actions`]]) {
      for (const width of [320, 390]) {
        await page.setViewportSize({ width, height: 800 });
        await page.goto(url(path));
        assert.equal(await scrollsSideways(page), false, `${name} does not scroll sideways at ${width} px`);
      }
      const boxes = await page.locator('main .pk-table-scroll').evaluateAll((els) =>
        els.map((el) => [el.getAttribute('role'), el.getAttribute('tabindex'), Boolean(el.getAttribute('aria-label'))]));
      for (const box of boxes) assert.deepEqual(box, ['region', '0', true], `${name}: a named, focusable scroll box`);
      await screenshot(page, `${name}-390.png`);
    }
    await page.goto(url(`${assessment}/actions/new?question=${encodeURIComponent(gapId)}`));
    await screenshot(page, 'action-new-390.png');
    await page.setViewportSize({ width: 1280, height: 900 });
  } finally {
    await context.close();
  }
});

test('the task list, summary, comparison, gaps and actions print without navigation or forms', { timeout: 180_000 }, async () => {
  const context = await newContext(browser, { bypassCSP: true });
  const page = await context.newPage();
  try {
    await signInWithMfa(page, ACCOUNTS.lead);
    const partnership = await page.locator('main a[href^="/p/"]').last().getAttribute('href');
    await page.goto(url(`${partnership}/assessments`));
    const assessment = await page.getByRole('link', { name: THIS_YEAR, exact: true }).getAttribute('href');
    for (const [label, path] of [
      ['task list', assessment],
      ['summary', `${assessment}/summary`],
      ['comparison', `${assessment}/compare`],
      ['gaps', `${assessment}/gaps`],
      ['actions', `${assessment}/actions`],
    ]) {
      await page.goto(url(path));
      await page.emulateMedia({ media: 'print' });
      const shown = (selector) => page.locator(selector).evaluateAll((els) =>
        els.filter((el) => getComputedStyle(el).display !== 'none' && el.getClientRects().length > 0).length);
      assert.equal(await shown('header nav, .govuk-service-navigation, .pk-header__nav, .govuk-skip-link, .govuk-back-link'), 0, `${label}: no navigation on paper`);
      assert.equal(await shown('main form, main button, main .govuk-button'), 0, `${label}: no forms or buttons on paper`);
      const printedUrls = await page.locator('main a[href]').evaluateAll((links) =>
        links.filter((a) => getComputedStyle(a, '::after').content.includes('http') || getComputedStyle(a, '::after').content.includes('/p/')).length);
      assert.equal(printedUrls, 0, `${label}: addresses are not printed after links`);
      assert.ok(await page.locator('main h1').isVisible(), `${label}: the heading is printed`);
      await page.emulateMedia({ media: 'screen' });
    }
  } finally {
    await context.close();
  }
});

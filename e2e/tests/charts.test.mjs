// The pages that sum an assessment up: the summary (a chart per benchmark with its table and
// a sentence), the comparison of two periods (all questions, and the changes only) and the
// summary by capability. Each is scanned by axe, must not scroll sideways on a 320 px screen,
// and keeps its chart and tables when printed.
//
// Account: the Prevent lead, through the shared sign-in helper. The pages are only read.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ACCOUNTS, launchBrowser, newContext, scan, screenshot, signInWithMfa, url } from './lib.mjs';

const THIS_YEAR = 'Prevent duty benchmark 2026 to 2027';

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

test('summary, comparison and capabilities read well at every width and on paper', { timeout: 240_000 }, async (t) => {
  const context = await newContext(browser, { bypassCSP: true });
  const page = await context.newPage();
  try {
    await signInWithMfa(page, ACCOUNTS.lead);
    const partnership = await page.locator('main a[href^="/p/"]').last().getAttribute('href');
    await page.goto(url(`${partnership}/assessments`));
    const assessment = await page.getByRole('link', { name: THIS_YEAR, exact: true }).getAttribute('href');
    assert.ok(assessment, 'this year’s assessment is listed');

    const pages = [
      ['summary', `${assessment}/summary`],
      ['comparison, all questions', `${assessment}/compare`],
      ['comparison, changes only', `${assessment}/compare?changes=only`],
      ['capabilities', `${assessment}/capabilities`],
    ];

    // The summary: a chart named for assistive technology, the same numbers as a table, and in words.
    let res = await page.goto(url(pages[0][1]));
    assert.equal(res.status(), 200);
    const chart = page.locator('svg.pk-chart[role="img"]');
    assert.equal(await chart.count(), 1, 'one chart');
    const bars = await chart.locator('title').allTextContents();
    assert.ok(bars.some((b) => /^Benchmark 1: /.test(b)), 'the chart has a bar for benchmark 1');
    assert.equal(await page.locator('#summary-table tbody tr').count(), 10, 'a table row per benchmark');
    assert.match(await page.locator('#summary-in-words').innerText(), /^\d+ of 38 questions rated /, 'the summary in words');

    // The comparison filter works as a plain form, without script.
    await page.goto(url(pages[1][1]));
    const all = await page.locator('table.pk-compare tbody tr').count();
    await page.locator('#changes').check();
    await Promise.all([page.waitForURL(/changes=only/), page.getByRole('button', { name: 'Apply' }).click()]);
    const changed = await page.locator('table.pk-compare tbody tr').count();
    assert.ok(changed < all, `changes only shows fewer questions (${changed} of ${all})`);
    const words = await page.locator('table.pk-compare tbody tr td:last-child').allInnerTexts();
    assert.ok(words.every((w) => w.trim() !== 'Unchanged'), 'no unchanged question is shown');

    for (const [label, path] of pages) {
      await page.setViewportSize({ width: 1280, height: 900 });
      res = await page.goto(url(path));
      assert.equal(res.status(), 200, `${label} answers 200`);
      await scan(t, page, `${label} (${path.replace(/^.*\/assessments\/[^/]+/, '{a}')})`, { path: path.split('?')[0] });
      for (const width of [320, 390]) {
        await page.setViewportSize({ width, height: 800 });
        await page.goto(url(path));
        assert.equal(await scrollsSideways(page), false, `${label} does not scroll sideways at ${width} px`);
      }
      // The tables too wide for a phone scroll within their own named, focusable box.
      const boxes = await page.locator('main .pk-table-scroll').evaluateAll((els) =>
        els.map((el) => [el.getAttribute('role'), el.getAttribute('tabindex'), Boolean(el.getAttribute('aria-label'))]));
      for (const box of boxes) assert.deepEqual(box, ['region', '0', true], `${label}: a named, focusable scroll box`);
      const name = label.replace(/[^a-z]+/g, '-');
      await screenshot(page, `${name}-390.png`);

      // On paper: the chart and tables stay, the filter form goes.
      await page.emulateMedia({ media: 'print' });
      const forms = await page.locator('main form').evaluateAll((fs) => fs.filter((f) => getComputedStyle(f).display !== 'none').length);
      assert.equal(forms, 0, `${label}: no forms on paper`);
      assert.ok(await page.locator('main table').first().isVisible(), `${label}: the table is printed`);
      await page.emulateMedia({ media: 'screen' });
    }
  } finally {
    await context.close();
  }
});

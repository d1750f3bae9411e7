// A contributor at work on the questions assigned to them: the police contributor of the
// demonstration answers benchmark 7 of this year's draft. Their home lists their questions,
// the task list starts with them, a refused answer or evidence form comes back with everything
// typed, the file or link choice shows the right field (and works with scripts off), "Save and
// go to the next question" goes to their next assigned question, and a question assigned to
// someone else says why it cannot be changed. No page scrolls sideways on a phone; each state
// is scanned by axe.
//
// Accounts: the contributor, through the shared sign-in helper (usability.test.mjs signs in
// with it too).

import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { clickAndWait, launchBrowser, newContext, scan, screenshot, signInWithMfa, url } from './lib.mjs';

const CONTRIBUTOR = 'contributor@riverton.example';
const THIS_YEAR = 'Prevent duty benchmark 2026 to 2027';
const SHOTS = '/tmp/shots-forms';

let browser;

before(async () => {
  browser = await launchBrowser();
  mkdirSync(SHOTS, { recursive: true });
});

after(async () => {
  await browser?.close();
});

const text = async (locator) => ((await locator.textContent()) || '').replace(/\s+/g, ' ').trim();

/** Whether the page is wider than the window (it would scroll sideways). */
async function scrollsSideways(page) {
  return page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
}

/** The elements that reach past the window's right edge, to say what scrolls sideways. */
async function tooWide(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('main *')]
      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
      .slice(0, 5)
      .map((el) => `<${el.tagName.toLowerCase()} class="${el.className}"> ${(el.textContent || '').trim().slice(0, 60)}`),
  );
}

/** The error summary's messages, top to bottom. */
async function summary(page) {
  return (await page.locator('.govuk-error-summary__list a').allInnerTexts()).map((s) => s.trim());
}

test('a contributor answers their questions and adds evidence', { timeout: 300_000 }, async (t) => {
  const context = await newContext(browser, { bypassCSP: true });
  const page = await context.newPage();
  const path = () => new URL(page.url()).pathname;
  const evidenceForm = () => page.locator('form[action$="/evidence"]');
  const button = (name) => page.getByRole('button', { name, exact: true });
  try {
    await signInWithMfa(page, CONTRIBUTOR);

    // Home lists the questions assigned to them.
    const group = page.locator('section[aria-labelledby="work-questions-assigned"]');
    assert.equal(await group.count(), 1, 'home has the questions assigned to the contributor (the draft is still a draft)');
    assert.match(await text(group), new RegExp(`${THIS_YEAR}.*of 9 reviewed this period`));
    await clickAndWait(page, group.getByRole('link', { name: THIS_YEAR }));
    const taskList = path();
    assert.match(taskList, /^\/p\/[0-9a-f-]{36}\/assessments\/[0-9a-f-]{36}$/);

    // The task list starts with their questions.
    const headings = (await page.locator('main h2').allInnerTexts()).map((h) => h.trim());
    assert.deepEqual(
      headings.slice(0, 3),
      ['Progress', 'Your questions', 'All questions'],
      'after the progress, the task list starts with the contributor’s questions',
    );
    const yours = page.locator('#your-questions + ul a[href*="/questions/"]');
    assert.equal(await yours.count(), 9, 'the nine questions of benchmark 7');
    assert.match(await text(yours.first()), /^7\.1 /);
    await scan(t, page, 'task list (contributor)', { path: taskList });

    // Developing without supporting details: refused, the rating kept.
    await clickAndWait(page, yours.first());
    const question = path();
    assert.match(question, /\/questions\/7\.1$/);
    assert.match(
      await text(page.locator('#details-hint')),
      /A rating of Developing or Achieving needs them\./,
      'the details box says what is expected',
    );
    await page.getByRole('radio', { name: 'Developing', exact: true }).check();
    await page.getByLabel('Supporting details').fill('');
    await clickAndWait(page, button('Save answer'));
    assert.equal(path(), question);
    assert.deepEqual(await summary(page), [
      'Enter supporting details: a rating of Developing needs them, saying what is in place and what shows it',
    ]);
    assert.ok(await page.getByRole('radio', { name: 'Developing', exact: true }).isChecked(), 'Developing stays chosen');
    assert.match(await text(page.locator('#details-error')), /Enter supporting details/);
    await scan(t, page, 'question page: details needed', { path: question });
    await page.setViewportSize({ width: 390, height: 800 });
    assert.equal(await scrollsSideways(page), false, `the refused answer does not scroll sideways at 390 px: ${(await tooWide(page)).join('; ')}`);
    await page.screenshot({ path: join(SHOTS, 'question-details-error-390.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });

    // Evidence with a date that is not real: everything typed comes back.
    await page.locator('summary', { hasText: 'Add evidence' }).click();
    const form = evidenceForm();
    // Before a choice neither field shows; each choice shows its own.
    assert.equal(await form.locator('#file').isVisible(), false, 'no file field before a choice');
    assert.equal(await form.locator('#url').isVisible(), false, 'no link field before a choice');
    await form.getByRole('radio', { name: 'A file' }).check();
    assert.equal(await form.locator('#file').isVisible(), true, 'A file shows the file field');
    assert.equal(await form.locator('#url').isVisible(), false);
    await form.getByRole('radio', { name: 'A link' }).check();
    assert.equal(await form.locator('#url').isVisible(), true, 'A link shows the link field');
    assert.equal(await form.locator('#file').isVisible(), false);
    await form.getByLabel('Title', { exact: true }).fill('Training attendance, summer term');
    await form.getByLabel('Web address').fill('https://intranet.riverton.example/police/training');
    await form.getByLabel('Protective marking').selectOption({ label: 'OFFICIAL' });
    await form.locator('#review_date').fill('31');
    await form.locator('#review_date-month').fill('2');
    await form.locator('#review_date-year').fill('2027');
    await clickAndWait(page, form.getByRole('button', { name: 'Add evidence' }));
    assert.equal(path(), `${question}/evidence`);
    assert.deepEqual(await summary(page), ['Review date must be a real date']);
    assert.ok(await evidenceForm().isVisible(), 'the evidence form stays open');
    assert.equal(await form.getByLabel('Title', { exact: true }).inputValue(), 'Training attendance, summer term');
    assert.ok(await form.getByRole('radio', { name: 'A link' }).isChecked(), 'A link stays chosen');
    assert.equal(await form.getByLabel('Web address').inputValue(), 'https://intranet.riverton.example/police/training');
    assert.equal(await form.locator('#url').isVisible(), true, 'the link field shows');
    assert.deepEqual(
      [await form.locator('#review_date').inputValue(), await form.locator('#review_date-month').inputValue(), await form.locator('#review_date-year').inputValue()],
      ['31', '2', '2027'],
      'the date boxes keep what was typed',
    );
    assert.ok(await page.getByRole('radio', { name: 'Developing', exact: true }).isVisible(), 'the answer form is still there');
    await scan(t, page, 'question page: evidence with a date that is not real', { path: `${question}/evidence` });

    // The error state on a phone: nothing scrolls sideways.
    await page.setViewportSize({ width: 390, height: 800 });
    assert.equal(await scrollsSideways(page), false, 'the question page with errors does not scroll sideways at 390 px');
    await page.screenshot({ path: join(SHOTS, 'question-evidence-error-390.png'), fullPage: true });
    await screenshot(page, 'question-evidence-error-390.png');
    await page.setViewportSize({ width: 1280, height: 900 });

    // Scripts off: both fields show, and the form still works (the one not chosen is ignored).
    const noScript = await browser.newContext({
      javaScriptEnabled: false,
      viewport: { width: 390, height: 800 },
      locale: 'en-GB',
      timezoneId: 'Europe/London',
    });
    noScript.setDefaultTimeout(15_000);
    try {
      await noScript.addCookies(await context.cookies());
      const plain = await noScript.newPage();
      await plain.goto(url(question));
      await plain.locator('summary', { hasText: 'Add evidence' }).click();
      const f = plain.locator('form[action$="/evidence"]');
      const pdf = join(tmpdir(), 'contributor-training-plan.pdf');
      writeFileSync(pdf, '%PDF-1.4\n% training plan\n');
      await f.getByLabel('Title', { exact: true }).fill('Training plan 2026');
      await f.getByRole('radio', { name: 'A link' }).check();
      await f.getByLabel('Web address').fill('https://intranet.riverton.example/police/training-plan');
      // A file chosen too, before the person settled on a link: it is ignored.
      await f.getByLabel('File', { exact: true }).setInputFiles(pdf);
      assert.equal(await scrollsSideways(plain), false, 'no sideways scroll at 390 px without scripts');
      await clickAndWait(plain, f.getByRole('button', { name: 'Add evidence' }));
      assert.equal(new URL(plain.url()).pathname, question, 'the form was accepted without scripts');
      const item = plain.locator('ul.pk-evidence li', { hasText: 'Training plan 2026' });
      assert.equal(await item.count(), 1, 'the link is listed');
      assert.equal(await item.locator('a').getAttribute('href'), 'https://intranet.riverton.example/police/training-plan');
      assert.doesNotMatch(await text(item), /contributor-training-plan\.pdf/, 'the file chosen as well was not kept');
    } finally {
      await noScript.close();
    }

    // Save and go to the next question: their next assigned question.
    await page.goto(url(question));
    await page.getByRole('radio', { name: 'Developing', exact: true }).check();
    await page.getByLabel('Supporting details').fill('Two thirds of front-line officers trained; the rest are booked for the spring.');
    await clickAndWait(page, button('Save and go to the next question'));
    assert.match(path(), /\/questions\/7\.2$/, 'the next assigned question');
    assert.match(await text(page.locator('.govuk-notification-banner')), /The answer was saved\./);

    // A question assigned to someone else says why it cannot be changed.
    await page.goto(url(`${taskList}/questions/8.1`));
    assert.match(
      await text(page.locator('main .govuk-inset-text').first()),
      /This question is assigned to someone else, so you can read it but not change it\./,
    );
    assert.equal(await button('Save answer').count(), 0, 'no answer form');
    await scan(t, page, 'question assigned to someone else', { path: `${taskList}/questions/8.1` });

    // On a phone nothing scrolls sideways.
    await page.setViewportSize({ width: 390, height: 800 });
    for (const p of ['/home', taskList, question, `${taskList}/questions/8.1`]) {
      await page.goto(url(p));
      assert.equal(await scrollsSideways(page), false, `${p} does not scroll sideways at 390 px: ${(await tooWide(page)).join('; ')}`);
    }
    await page.screenshot({ path: join(SHOTS, 'question-390.png'), fullPage: true });
  } finally {
    await context.close();
  }
});

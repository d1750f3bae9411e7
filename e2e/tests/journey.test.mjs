// The newcomer's journey through a self-assessment, done in the browser as people do it:
// following links, choosing options, typing, uploading and downloading files, pressing buttons.
//
// The Prevent lead opens this year's Prevent duty benchmark of the demonstration partnership,
// answers a question with supporting details, attaches a file and a link as evidence, downloads
// the assessment as a spreadsheet and imports the same file again (import needs a draft, so
// this comes before submitting), and submits it. A board member approves it (the lead is never
// offered approval of their own submission), the lead locks it, and the comparison with last
// year's locked assessment shows the answer that changed. axe-core scans each page state this
// journey reaches that the accessibility file does not.
//
// Accounts used here: the Prevent lead (shared with the accessibility file through
// signInWithMfa, which sets up two-factor authentication once per run and gives each sign-in
// its own code) and the board member (used by no other file).

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ACCOUNTS, clickAndWait as clickAndWaitOn, launchBrowser, newContext, scan, signInWithMfa, signOut } from './lib.mjs';

const THIS_YEAR = 'Prevent duty benchmark 2026 to 2027';
const LAST_YEAR = 'Prevent duty benchmark 2025 to 2026';
const QUESTION = '1.1';

// A small but well-formed PDF: the service checks that a .pdf file starts like one.
const PDF = `%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] >> endobj
trailer << /Root 1 0 R >>
%%EOF
`;

let browser;
let context;
let page;
let files;

before(async () => {
  files = mkdtempSync(join(tmpdir(), 'preventkit-journey-'));
  browser = await launchBrowser();
  // The CSP is bypassed for the axe scans only (see newContext); the pages run no script.
  context = await newContext(browser, { bypassCSP: true });
  page = await context.newPage();
});

after(async () => {
  await context?.close();
  await browser?.close();
  if (files) rmSync(files, { recursive: true, force: true });
});

const path = () => new URL(page.url()).pathname;
const text = async (locator) => ((await locator.textContent()) || '').replace(/\s+/g, ' ').trim();
const heading = () => text(page.locator('h1').first());
const banner = () => page.locator('.govuk-notification-banner');
const stateTag = () => text(page.locator('#assessment-state'));
const button = (name) => page.getByRole('button', { name, exact: true });
const numbered = (number) => new RegExp(`^\\s*${number.replace('.', '\\.')} `);
const allTasks = () => page.locator('ul.pk-all-questions li.pk-task');
const questionLink = (number) => page.locator('ul.pk-all-questions li.pk-task a[href*="/questions/"]', { hasText: numbered(number) });
const taskRow = (number) => allTasks().filter({ has: page.locator('a[href*="/questions/"]', { hasText: numbered(number) }) });
const taskHint = async (number) => text(taskRow(number).locator('.govuk-task-list__hint'));
const taskStatus = async (number) => text(taskRow(number).locator('.govuk-task-list__status'));
const evidenceForm = () => page.locator('form[action$="/evidence"]');
const importForm = () => page.locator('form[action$="/import"]');

/** Click something that loads a new page (a link, a form's button) and wait for that page. */
const clickAndWait = (locator) => clickAndWaitOn(page, locator);

/** Click a link that downloads a file; returns the file's bytes. */
async function download(locator, name) {
  const [file] = await Promise.all([page.waitForEvent('download'), locator.click()]);
  const saved = join(files, name);
  await file.saveAs(saved);
  return { bytes: readFileSync(saved), saved, suggested: file.suggestedFilename() };
}

async function expectBanner(message) {
  assert.ok(await banner().isVisible(), `a success banner is shown ("${message}")`);
  const shown = await text(banner());
  assert.ok(shown.includes(message), `the banner says "${message}" (it says "${shown}")`);
}

/** From any signed-in page: the header's "Self-assessment" link, then this year's assessment. */
async function openThisYear() {
  await clickAndWait(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Self-assessment' }));
  assert.equal(await heading(), 'Self-assessments');
  await clickAndWait(page.getByRole('link', { name: THIS_YEAR, exact: true }));
  assert.equal(await heading(), THIS_YEAR, 'the assessment opens at its task list');
}

/** The rows of the "Earlier versions" table on a question page. */
const earlierVersions = () => page.locator('h2:text-is("Earlier versions") + .pk-table-scroll table tbody tr');

// The steps depend on one another (one browser tab, one assessment moving through its life),
// so they are subtests of one test; after a failed step the later ones are skipped.
test('journey: answer, evidence, spreadsheet round trip, submit, approve, lock, compare', { timeout: 360_000 }, async (t) => {
  let failedStep = null;
  const step = (name, fn) =>
    t.test(name, failedStep ? { skip: `an earlier step failed (${failedStep})` } : {}, async (st) => {
      try {
        await fn(st);
      } catch (err) {
        failedStep = name;
        throw err;
      }
    });

  let taskList; // the address of this year's task list
  let reviewedAtStart; // how many questions were reviewed this period when the lead arrived
  const reviewedCount = (progress) => {
    const m = /^(\d+) of \d+ questions reviewed this period$/.exec(progress);
    assert.ok(m, `progress reads as reviewed of total ("${progress}")`);
    return Number(m[1]);
  };
  let questionPage; // the address of question 1.1

  await step('the Prevent lead signs in and opens this year’s benchmark from the self-assessments list', async () => {
    await signInWithMfa(page, ACCOUNTS.lead);
    await clickAndWait(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Self-assessment' }));
    assert.equal(await heading(), 'Self-assessments');
    const row = (title) => page.locator('tbody tr', { has: page.getByRole('link', { name: title, exact: true }) });
    assert.match(await text(row(LAST_YEAR)), /1 April 2025 to 31 March 2026 Locked/, 'last year’s assessment is listed as locked');
    assert.match(await text(row(THIS_YEAR)), /1 April 2026 to 31 March 2027 Draft/, 'this year’s assessment is listed as a draft');

    await clickAndWait(page.getByRole('link', { name: THIS_YEAR, exact: true }));
    taskList = path();
    assert.equal(await heading(), THIS_YEAR);
    assert.equal(await stateTag(), 'Draft');
    assert.equal(await allTasks().filter({ hasText: 'Rating: Not assessed' }).count(), 0, 'every question is answered (carried over from last year)');
    reviewedAtStart = reviewedCount(await text(page.locator('#progress-total')));
    assert.match(await taskHint('7.1'), /Riverton Police/, 'benchmark 7 is assigned to Riverton Police');
  });

  await step(`answer question ${QUESTION}: choose a rating, write supporting details, save`, async () => {
    assert.match(await taskHint(QUESTION), /Rating: Achieving$/, 'the answer carried over from last year');
    assert.equal(await taskStatus(QUESTION), 'Carried over: to review', 'a carried answer is not reviewed until someone saves it');
    await clickAndWait(questionLink(QUESTION));
    questionPage = path();
    assert.match(await heading(), numbered(QUESTION));
    await page.getByRole('radio', { name: 'Developing', exact: true }).check();
    await page.getByLabel('Supporting details').fill(
      'The risk assessment was refreshed from this year’s CTLP in June. The action plan does not yet ' +
        'follow the new risks; the board reviews the revised plan in the autumn.',
    );
    await clickAndWait(button('Save answer'));

    assert.equal(path(), taskList, 'saving the answer goes back to the task list');
    await expectBanner('The answer was saved.');
    assert.match(await taskHint(QUESTION), /Rating: Developing$/, 'the task list shows the new rating');
    assert.equal(await taskStatus(QUESTION), 'Reviewed', 'the saved answer is reviewed this period');
    assert.equal(reviewedCount(await text(page.locator('#progress-total'))), reviewedAtStart + 1, 'reviewing the carried answer counts once');
  });

  const evidencePdf = 'local-risk-assessment-summary.pdf';
  await step(`attach a file and a link as evidence to question ${QUESTION}`, async (st) => {
    await clickAndWait(questionLink(QUESTION));
    assert.equal(path(), questionPage);
    await page.locator('summary', { hasText: 'Add evidence' }).click();
    assert.ok(await evidenceForm().isVisible(), 'the evidence form opens');
    await scan(st, page, 'question page with the evidence form open', { path: questionPage });

    // Sent with nothing filled in: the form comes back open, with its errors.
    await clickAndWait(evidenceForm().getByRole('button', { name: 'Add evidence' }));
    assert.equal(await page.locator('.govuk-error-summary').count(), 1, 'the error summary is shown');
    assert.ok(await evidenceForm().isVisible(), 'the evidence form stays open to correct');
    await scan(st, page, 'evidence form with errors');

    // A file.
    const pdf = join(files, evidencePdf);
    writeFileSync(pdf, PDF);
    const form = evidenceForm();
    await form.getByLabel('Title', { exact: true }).fill('Local risk assessment 2026, summary for partners');
    await form.getByRole('radio', { name: 'A file' }).check();
    await form.getByLabel('File', { exact: true }).setInputFiles(pdf);
    await form.getByLabel('Protective marking').selectOption({ label: 'OFFICIAL' });
    await form.locator('#review_date').fill('31');
    await form.locator('#review_date-month').fill('3');
    await form.locator('#review_date-year').fill('2027');
    await clickAndWait(form.getByRole('button', { name: 'Add evidence' }));
    assert.equal(path(), questionPage, 'adding evidence goes back to the question');
    assert.equal(await page.locator('.govuk-error-summary').count(), 0, 'no errors');
    const fileItem = page.locator('ul.pk-evidence li', { hasText: 'Local risk assessment 2026, summary for partners' });
    assert.equal(await fileItem.count(), 1, 'the file is listed on the question');
    assert.match(await text(fileItem), new RegExp(`\\(${evidencePdf.replace(/\./g, '\\.')}\\) OFFICIAL Review by 31 March 2027`));
    assert.match(await text(fileItem), /Owner: Priya Lead/, 'the evidence names its owner');

    await expectBanner('The evidence was added.');

    // A link.
    await page.locator('summary', { hasText: 'Add evidence' }).click();
    await form.getByLabel('Title', { exact: true }).fill('Prevent action plan 2026 to 2027');
    await form.getByRole('radio', { name: 'A link' }).check();
    await form.getByLabel('Web address').fill('https://intranet.riverton.example/prevent/action-plan-2026');
    await form.getByLabel('Protective marking').selectOption({ label: 'OFFICIAL-SENSITIVE' });
    await form.locator('#review_date').fill('31');
    await form.locator('#review_date-month').fill('12');
    await form.locator('#review_date-year').fill('2026');
    await clickAndWait(form.getByRole('button', { name: 'Add evidence' }));
    assert.equal(path(), questionPage);
    assert.equal(await page.locator('.govuk-error-summary').count(), 0, 'no errors');
    const linkItem = page.locator('ul.pk-evidence li', { hasText: 'Prevent action plan 2026 to 2027' });
    assert.equal(await linkItem.count(), 1, 'the link is listed on the question');
    assert.equal(await linkItem.getByRole('link').getAttribute('href'), 'https://intranet.riverton.example/prevent/action-plan-2026', 'with its address');
    assert.match(await text(linkItem), /OFFICIAL-SENSITIVE Review by 31 December 2026/);
    await scan(st, page, 'question page listing the new evidence', { path: questionPage });

    // The uploaded file comes back as it was sent.
    const got = await download(fileItem.getByRole('link'), 'downloaded-evidence.pdf');
    assert.equal(got.suggested, evidencePdf, 'the file keeps its name');
    assert.equal(got.bytes.toString('latin1'), PDF, 'the file comes back unchanged');
  });

  await step('download the assessment as a spreadsheet and import the same file again: nothing changes', async (st) => {
    const versionsBefore = await earlierVersions().count();
    assert.ok(versionsBefore >= 1, 'the question page lists its earlier versions');
    await clickAndWait(page.getByRole('link', { name: `Back to ${THIS_YEAR}` }));
    assert.equal(path(), taskList);
    const tasksBefore = await allTasks().allInnerTexts();

    await clickAndWait(page.getByRole('link', { name: 'Work on the answers in a spreadsheet' }));
    assert.equal(await heading(), 'Import answers from a spreadsheet');
    const importPage = path();
    await scan(st, page, 'import page', { path: importPage });
    const sheet = await download(page.getByRole('link', { name: 'Download as a spreadsheet (XLSX)' }), 'self-assessment.xlsx');
    assert.ok(sheet.bytes.length > 1000, `the spreadsheet is not empty (${sheet.bytes.length} bytes)`);
    assert.equal(sheet.bytes.subarray(0, 4).toString('latin1'), 'PK\u0003\u0004', 'the spreadsheet is an XLSX (zip) file');
    assert.ok(sheet.bytes.includes('xl/workbook.xml'), 'the zip holds a workbook');

    // Import with no file chosen: the import page lists the problem and offers the form again.
    await clickAndWait(importForm().getByRole('button', { name: 'Import answers' }));
    assert.equal(await heading(), 'Import answers from a spreadsheet');
    assert.equal(await page.locator('.govuk-error-summary').count(), 1, 'the error summary is shown');
    await scan(st, page, 'import page with an error');

    await importForm().getByLabel('Filled-in spreadsheet (.xlsx)').setInputFiles(sheet.saved);
    await clickAndWait(importForm().getByRole('button', { name: 'Import answers' }));
    assert.equal(await heading(), 'Import finished');
    assert.equal(await page.locator('.govuk-error-summary').count(), 0, 'the unchanged spreadsheet imports without problems');
    await expectBanner('0 answers changed from the spreadsheet');
    assert.match(await text(page.locator('#import-counts')), /0 changed 0 refused .* already the same as on this site/);
    await scan(st, page, 'import result, nothing changed');
    await clickAndWait(page.getByRole('link', { name: 'Return to the assessment' }));
    assert.equal(path(), taskList);

    assert.deepEqual(await allTasks().allInnerTexts(), tasksBefore, 'every rating on the task list is as before');
    await clickAndWait(questionLink(QUESTION));
    assert.equal(await earlierVersions().count(), versionsBefore, 'the unchanged import saved no new version of the answer');
    assert.equal(await page.getByRole('radio', { name: 'Developing', exact: true }).isChecked(), true, 'the answer is as saved');

    // A newer answer saved on the site after the download is never overwritten by the old file.
    const details = page.getByLabel('Supporting details');
    const newer = `${await details.inputValue()} Updated after the spreadsheet was downloaded.`;
    await details.fill(newer);
    await clickAndWait(page.getByRole('button', { name: 'Save answer', exact: true }));
    await page.goto(new URL(importPage, page.url()).href);
    await importForm().getByLabel('Filled-in spreadsheet (.xlsx)').setInputFiles(sheet.saved);
    await clickAndWait(importForm().getByRole('button', { name: 'Import answers' }));
    assert.equal(await heading(), 'Check the import before anything is saved');
    const stale = page.locator(`#stale-${QUESTION.replace('.', '\\.')}`);
    assert.equal(await stale.count(), 1, 'the newer answer is refused as stale');
    assert.ok((await text(stale)).includes('Updated after the spreadsheet was downloaded.'), 'the version on the site is shown');
    assert.equal(await page.getByRole('button', { name: /Save the/ }).count(), 0, 'with nothing else to change, there is nothing to confirm');
    await scan(st, page, 'import check with a stale answer');
    await clickAndWait(page.getByRole('link', { name: 'Return to the assessment' }));
    await clickAndWait(questionLink(QUESTION));
    assert.equal(await details.inputValue(), newer, 'the newer answer is still there');
    await clickAndWait(page.getByRole('link', { name: `Back to ${THIS_YEAR}` }));
  });

  await step('the lead checks the answers, confirms the blank questions and submits it for approval', async (st) => {
    assert.equal(path(), taskList);
    await scan(st, page, 'task list (Prevent lead)', { path: taskList });
    await clickAndWait(page.getByRole('link', { name: 'Who answers which questions' }));
    assert.equal(await heading(), 'Who answers which questions');
    assert.ok(await page.getByLabel('Assign section 7 to an organisation').isVisible(), 'each section has its own assignment form');
    await scan(st, page, 'who answers which questions');
    await clickAndWait(page.getByRole('link', { name: `Back to ${THIS_YEAR}` }));
    await clickAndWait(page.getByRole('button', { name: 'Check your answers and submit' }));
    assert.equal(await heading(), 'Check your answers before submitting to the board');
    assert.ok(await page.locator('#summary-by-rating').isVisible(), 'the counts by rating are shown');
    await scan(st, page, 'check your answers before submitting');
    const blank = page.locator('#summary-unanswered li');
    if ((await blank.count()) > 0) {
      await clickAndWait(button('Accept and submit'));
      assert.equal(await heading(), 'Check your answers before submitting to the board');
      assert.equal(await page.locator('.govuk-error-summary').count(), 1, 'blank questions need the lead to confirm');
      await scan(st, page, 'check your answers with the confirmation missing');
      await page.getByLabel(/I understand that/).check();
    }
    await clickAndWait(button('Accept and submit'));
    assert.equal(await text(page.locator('.govuk-panel__title')), 'Self-assessment submitted');
    await scan(st, page, 'submission confirmation');
    await clickAndWait(page.getByRole('link', { name: 'Go to the assessment' }));
    assert.equal(path(), taskList);
    assert.equal(await stateTag(), 'Submitted');
    assert.equal(await page.getByRole('button', { name: 'Review and decide' }).count(), 0, 'the lead is not offered the approval of their own submission');
    assert.equal(await page.getByRole('button', { name: 'Check your answers and submit' }).count(), 0);
    assert.equal(await page.getByRole('link', { name: 'Work on the answers in a spreadsheet' }).count(), 0, 'a submitted assessment offers no import');
    await scan(st, page, 'task list, submitted, seen by the Prevent lead', { path: taskList });
    await signOut(page);
  });

  await step('a board member sends it back to the lead with comments', async (st) => {
    await signInWithMfa(page, ACCOUNTS.board);
    await openThisYear();
    assert.equal(await stateTag(), 'Submitted');
    await clickAndWait(page.getByRole('button', { name: 'Review and decide' }));
    assert.equal(await heading(), 'Approve or send back');
    // Sending back without saying why: the error, with the choice kept.
    await page.getByRole('radio', { name: 'Send it back to the lead with comments' }).check();
    await clickAndWait(button('Record the decision'));
    assert.equal(await page.locator('.govuk-error-summary').count(), 1, 'sending back needs comments');
    assert.equal(await page.getByRole('radio', { name: 'Send it back to the lead with comments' }).isChecked(), true, 'the choice is kept');
    await scan(st, page, 'send back without comments');
    await page.getByLabel('Comments for the lead (if sending back)').fill('Please add the training figures for schools before we approve.');
    await clickAndWait(button('Record the decision'));
    assert.equal(path(), taskList);
    await expectBanner('The self-assessment was sent back to the lead with your comments.');
    assert.equal(await stateTag(), 'Draft');
    assert.equal(await page.getByRole('button', { name: 'Review and decide' }).count(), 0, 'a draft waits for the lead, not the board');
    await scan(st, page, 'task list after sending back (board member)', { path: taskList });
    await signOut(page);
  });

  await step('the lead reads the board\'s comments and submits again', async (st) => {
    await signInWithMfa(page, ACCOUNTS.lead);
    await openThisYear();
    assert.equal(await stateTag(), 'Draft');
    assert.match(await text(page.locator('#assessment-history')), /Sent back .* by .*Please add the training figures for schools before we approve\./, 'who sent it back, when, and why');
    await scan(st, page, 'task list, sent back (Prevent lead)', { path: taskList });
    await clickAndWait(page.getByRole('button', { name: 'Check your answers and submit' }));
    if ((await page.locator('#summary-unanswered li').count()) > 0) {
      await page.getByLabel(/I understand that/).check();
    }
    await clickAndWait(button('Accept and submit'));
    assert.equal(await text(page.locator('.govuk-panel__title')), 'Self-assessment submitted');
    await clickAndWait(page.getByRole('link', { name: 'Go to the assessment' }));
    assert.equal(await stateTag(), 'Submitted');
    await signOut(page);
  });

  await step('a board member signs in, sees what was submitted and approves it with the minute reference', async (st) => {
    await signInWithMfa(page, ACCOUNTS.board);
    await openThisYear();
    assert.equal(path(), taskList);
    assert.equal(await stateTag(), 'Submitted');
    const decide = page.getByRole('button', { name: 'Review and decide' });
    assert.ok(await decide.isVisible(), 'the board member is offered the decision');
    for (const name of ['Check your answers and submit', 'Lock', 'Reopen']) {
      assert.equal(await button(name).count(), 0, `a board member is not offered "${name}"`);
    }
    await scan(st, page, 'task list with the decision button (board member)', { path: taskList });

    await clickAndWait(decide);
    assert.equal(await heading(), 'Approve or send back');
    assert.ok(await page.locator('#summary-by-rating').isVisible(), 'the decision page shows what was submitted');
    await scan(st, page, 'approve or send back');
    // Approving without the reference: the error, with what was typed kept.
    await page.getByRole('radio', { name: 'Approve the self-assessment' }).check();
    await page.getByLabel('Comments for the lead (if sending back)').fill('Nothing to add.');
    await clickAndWait(button('Record the decision'));
    assert.equal(await page.locator('.govuk-error-summary').count(), 1, 'the missing reference is reported');
    assert.equal(await page.getByRole('radio', { name: 'Approve the self-assessment' }).isChecked(), true, 'the choice is kept');
    assert.equal(await page.getByLabel('Comments for the lead (if sending back)').inputValue(), 'Nothing to add.', 'the comments are kept');
    await scan(st, page, 'approve or send back with an error');
    await page.getByLabel('Minute or meeting reference (if approving)').fill('Prevent board 12 March 2027, item 4');
    await clickAndWait(button('Record the decision'));
    assert.equal(path(), taskList);
    await expectBanner('The self-assessment was approved.');
    assert.equal(await stateTag(), 'Approved by the board');
    assert.match(await text(page.locator('#assessment-history')), /Approved .* by .*Prevent board 12 March 2027, item 4/, 'who approved it, when, and the reference');
    assert.equal(await page.getByRole('button', { name: 'Review and decide' }).count(), 0, 'it cannot be approved twice');
    await scan(st, page, 'task list after approval (board member)', { path: taskList });
    await signOut(page);
  });

  await step('the lead signs in again and locks it', async (st) => {
    await signInWithMfa(page, ACCOUNTS.lead);
    await openThisYear();
    assert.equal(await stateTag(), 'Approved by the board');
    await clickAndWait(button('Lock'));
    assert.equal(path(), taskList);
    await expectBanner('The self-assessment was locked.');
    assert.equal(await stateTag(), 'Locked');
    assert.equal(await button('Lock').count(), 0);
    assert.equal(await importForm().count(), 0, 'a locked assessment offers no import');
    await scan(st, page, 'task list, locked', { path: taskList });

    // A locked assessment still downloads.
    const sheet = await download(page.getByRole('link', { name: 'Download as a spreadsheet (.xlsx)' }), 'locked.xlsx');
    assert.equal(sheet.bytes.subarray(0, 4).toString('latin1'), 'PK\u0003\u0004', 'the locked assessment downloads as XLSX');

    // The answer and the evidence are kept, and can no longer be changed.
    await clickAndWait(questionLink(QUESTION));
    assert.equal(await page.locator('form[action$="/questions/' + QUESTION + '"]').count(), 0, 'the answer form is gone');
    assert.equal(await page.locator('summary', { hasText: 'Add evidence' }).count(), 0, 'evidence can no longer be added');
    assert.match(await text(page.locator('.govuk-inset-text')), /This assessment is locked/);
    assert.match(await text(page.locator('main')), /Rating: Developing/);
    assert.equal(await page.locator('ul.pk-evidence li', { hasText: 'Local risk assessment 2026, summary for partners' }).count(), 1);
    await clickAndWait(page.getByRole('link', { name: `Back to ${THIS_YEAR}` }));
  });

  await step('the comparison shows both years side by side with the changes marked', async (st) => {
    await clickAndWait(page.getByRole('link', { name: 'Compare with earlier periods' }));
    assert.equal(await heading(), 'Compare periods');
    const columns = (await page.locator('table.pk-compare thead th').allInnerTexts()).map((c) => c.replace(/\s+/g, ' ').trim());
    assert.equal(columns.length, 4, `a column for the question, one per year and one for the change (got ${columns.join(' | ')})`);
    assert.match(columns[1], new RegExp(`^${LAST_YEAR} 1 April 2025 to 31 March 2026$`), 'last year first');
    assert.match(columns[2], new RegExp(`^${THIS_YEAR} 1 April 2026 to 31 March 2027$`), 'then this year');
    assert.equal(columns[3], 'Change');

    const row = page.locator('table.pk-compare tbody tr', { has: page.locator('th', { hasText: numbered(QUESTION) }) });
    const cells = (await row.locator('td').allInnerTexts()).map((c) => c.replace(/\s+/g, ' ').trim());
    assert.deepEqual(cells, ['Achieving', 'Developing', 'Declined'], `question ${QUESTION} moved from Achieving to Developing, in words`);
    assert.ok(await row.evaluate((r) => r.classList.contains('pk-compare__row--changed')), 'the row is marked as changed');
    const changed = await page.locator('table.pk-compare tbody tr.pk-compare__row--changed').count();
    assert.ok(changed >= 2, `this answer and the ones the demonstration moved on are marked (${changed} marked)`);
    const declined = Number(await page.locator('#change-counts li', { hasText: 'declined' }).locator('.pk-change-counts__number').innerText());
    assert.ok(declined >= 1, `the counts at the top include the decline (${declined} declined)`);
    await scan(st, page, 'comparison of the two years', { path: `${taskList}/compare` });
    await signOut(page);
  });
});

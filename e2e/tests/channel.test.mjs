// Channel: a referral from the form to the panel. The referrer makes a referral (the form's
// errors first, then "check your answers", "Change" and back, then sent); the chair assigns the
// case officer; the case officer records the police deconfliction and information gathered,
// then the outcome (to the panel) after checking it. Every new page state is scanned by axe,
// and no page title names the person.
//
// Accounts: the referrer (no second factor), the Channel chair and the case officer (two-factor
// sign-in through the shared helper). The referral is the test's own, about a fictional person.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ACCOUNTS, clickAndWait, launchBrowser, newContext, partnershipIdFromHome, scan, signIn, signInWithMfa, url } from './lib.mjs';

const NAME = 'Morgan Fictional-Brightwater';
const CHAIR = 'chair@riverton.example';
const OFFICER = 'caseofficer@riverton.example';

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

/** The page's title never names the person. */
async function titleIsClean(page) {
  const title = await page.title();
  assert.ok(!title.includes('Morgan') && !title.includes('Brightwater'), `title names the person: ${title}`);
  assert.ok(!page.url().includes('Morgan') && !page.url().includes('Brightwater'), `address names the person: ${page.url()}`);
}

async function check(t, page, label, path) {
  await titleIsClean(page);
  await scan(t, page, label, { path });
}

test('a referral is made, assigned and screened to the Channel panel', { timeout: 600_000 }, async (t) => {
  // ----- The referrer -----
  const referrerContext = await newContext(browser, { bypassCSP: true });
  const page = await referrerContext.newPage();
  let reference;
  let casePath;
  let partnership;
  try {
    await signIn(page, ACCOUNTS.referrer);
    assert.equal(new URL(page.url()).pathname, '/home');
    partnership = await partnershipIdFromHome(page);
    const newPath = `/p/${partnership}/referrals/new`;
    await page.goto(url(newPath));
    assert.match(await page.locator('.govuk-warning-text').innerText(), /999/);
    await check(t, page, 'referral form', newPath);

    // Sent with gaps: the errors, with what was typed kept.
    await page.fill('#person_name', NAME);
    await clickAndWait(page, page.getByRole('button', { name: 'Continue' }));
    assert.equal(await page.locator('#person_name').inputValue(), NAME);
    assert.ok((await page.locator('.govuk-error-summary').count()) === 1, 'the error summary');
    await check(t, page, 'referral form with errors', newPath);

    // Filled in.
    await page.fill('#date_of_birth', '14');
    await page.fill('#date_of_birth-month', '9');
    await page.fill('#date_of_birth-year', '2008');
    await page.check('input[name="gender"][value="not-known"]');
    await page.fill('#address', 'West Riverton');
    await page.fill('#professionals', 'College safeguarding lead');
    await page.check('input[name="concern_type"][value="violence-fascination"]');
    await page.fill('#concern', 'Talked about a mass-casualty attack admiringly in class (fictional).');
    await page.fill('#organisation', 'Riverton College');
    await page.check('input[name="sector"][value="education"]');
    await page.check('input[name="aware"][value="no"]');
    await clickAndWait(page, page.getByRole('button', { name: 'Continue' }));
    assert.equal(await page.locator('h1').innerText(), 'Check your answers before sending the referral');
    await check(t, page, 'check your answers', newPath);

    // Change, and back with everything kept.
    await clickAndWait(page, page.getByRole('button', { name: 'Change your organisation' }));
    assert.equal(await page.locator('#organisation').inputValue(), 'Riverton College');
    await page.fill('#organisation', 'Riverton Sixth Form College');
    await clickAndWait(page, page.getByRole('button', { name: 'Continue' }));
    assert.match(await page.locator('.govuk-summary-list').innerText(), /Riverton Sixth Form College/);

    // Sent.
    await clickAndWait(page, page.getByRole('button', { name: 'Send referral' }));
    assert.match(new URL(page.url()).pathname, /^\/p\/[0-9a-f-]+\/referrals\/[0-9a-f-]+\/sent$/);
    reference = (await page.locator('#reference').innerText()).trim();
    assert.match(reference, /^CH-\d{4}-\d{4,}$/);
    assert.ok(!(await page.content()).includes('Brightwater'), 'the confirmation names nobody');
    const casesId = new URL(page.url()).pathname.split('/')[4];
    casePath = `/p/${partnership}/cases/${casesId}`;
    await check(t, page, 'referral sent', new URL(page.url()).pathname);

    // The referrer's list: the status, not the content.
    await page.goto(url(`/p/${partnership}/referrals`));
    const row = page.locator('tr', { hasText: reference });
    assert.match(await row.innerText(), /Referred, waiting for screening/);
    await check(t, page, 'your referrals', `/p/${partnership}/referrals`);
  } finally {
    await referrerContext.close();
  }

  // ----- The chair assigns the case officer -----
  const chairContext = await newContext(browser, { bypassCSP: true });
  const chair = await chairContext.newPage();
  try {
    await signInWithMfa(chair, CHAIR);
    await chair.goto(url(`/p/${partnership}/cases`));
    await check(t, chair, 'case list', `/p/${partnership}/cases`);
    await clickAndWait(chair, chair.getByRole('link', { name: reference, exact: true }));
    assert.equal(new URL(chair.url()).pathname, casePath);
    await check(t, chair, 'case page (chair)', casePath);
    await chair.selectOption('#officer', { label: 'Kim Case' });
    await clickAndWait(chair, chair.getByRole('button', { name: 'Assign' }));
    assert.equal(await chair.locator('#case-officer').innerText(), 'Kim Case');
    await check(t, chair, 'case page after assigning', casePath);
  } finally {
    await chairContext.close();
  }

  // ----- The case officer screens it -----
  const officerContext = await newContext(browser, { bypassCSP: true });
  const officer = await officerContext.newPage();
  try {
    await signInWithMfa(officer, OFFICER);
    await officer.goto(url(casePath));
    await check(t, officer, 'case page (case officer)', casePath);

    await clickAndWait(officer, officer.getByRole('link', { name: 'Record the police deconfliction' }));
    await check(t, officer, 'deconfliction form', `${casePath}/deconfliction`);
    await clickAndWait(officer, officer.getByRole('button', { name: 'Record deconfliction' }));
    await check(t, officer, 'deconfliction form with errors', `${casePath}/deconfliction`);
    const today = new Date();
    await officer.fill('#on', String(today.getDate()));
    await officer.fill('#on-month', String(today.getMonth() + 1));
    await officer.fill('#on-year', String(today.getFullYear()));
    await officer.fill('#with_whom', 'Counter Terrorism Policing North');
    await officer.getByLabel('No conflict: screening can go on').check();
    await clickAndWait(officer, officer.getByRole('button', { name: 'Record deconfliction' }));
    assert.equal(new URL(officer.url()).pathname, casePath);
    assert.match(await officer.locator('.govuk-notification-banner').first().innerText(), /deconfliction was recorded/);
    await check(t, officer, 'case page after deconfliction', casePath);

    await clickAndWait(officer, officer.getByRole('link', { name: 'Add information gathered' }));
    await check(t, officer, 'information form', `${casePath}/information`);
    await officer.fill('#source', 'Riverton youth service');
    await officer.fill('#received', String(today.getDate()));
    await officer.fill('#received-month', String(today.getMonth() + 1));
    await officer.fill('#received-year', String(today.getFullYear()));
    await officer.fill('#narrative', 'Known to the youth service; engages well (fictional).');
    await clickAndWait(officer, officer.getByRole('button', { name: 'Add information' }));
    assert.equal(new URL(officer.url()).pathname, casePath);

    await clickAndWait(officer, officer.getByRole('link', { name: 'Record the outcome' }));
    await check(t, officer, 'outcome form', `${casePath}/outcome`);
    // Signposting reveals the services; the panel does not need them.
    assert.equal(await officer.locator('#services').isVisible(), false, 'the services are hidden at first');
    await officer.getByLabel('Signposted to other services').check();
    assert.equal(await officer.locator('#services').isVisible(), true, 'signposting reveals the services');
    await check(t, officer, 'outcome form, signposting', `${casePath}/outcome`);
    await officer.getByLabel('Sent to the Channel panel').check();
    await officer.fill('#reasons', 'Needs multi-agency support through Channel.');
    await clickAndWait(officer, officer.getByRole('button', { name: 'Continue' }));
    assert.equal(await officer.locator('h1').innerText(), 'Check the outcome before recording it');
    await check(t, officer, 'check the outcome', `${casePath}/outcome`);
    await clickAndWait(officer, officer.getByRole('button', { name: 'Record the outcome' }));
    assert.equal(new URL(officer.url()).pathname, casePath);
    assert.match(await officer.locator('h1').innerText(), /Waiting for the Channel panel/);
    await check(t, officer, 'case page after screening', casePath);
  } finally {
    await officerContext.close();
  }
});

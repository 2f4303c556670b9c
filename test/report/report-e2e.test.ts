// End-to-end: reports open in a real headless Chromium (Debian's `chromium`, driven by
// playwright-core); every chart renders (a Chart.js instance on each canvas, non-blank pixels),
// no console errors, and no network request of any kind. Reports: a hand-built comparison that
// exercises every chart kind (test/report/fixture.ts), one from a small real compare() run, one of
// small real neural models (their engine's panels), one of a real `group` run (selection panels)
// and a model report (engine panels without a comparison).
// A full-page screenshot of the first goes to test-output/report.png.
// Outside CI a missing /usr/bin/chromium skips with a message; in CI (CI=true) it is a failure.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import '../../src/engines.ts';
import { makeClusteredTasks } from '../../src/data/synthetic/clusters.ts';
import { compare } from '../../src/eval/compare.ts';
import { registryPlan } from '../../src/eval/plans.ts';
import type { ComparisonResult } from '../../src/eval/types.ts';
import { availableModels } from '../../src/linear/registry.ts';
import { renderModelReportHtml, renderReportHtml } from '../../src/report/html.ts';
import { engineSections, panelSources } from '../../src/report/panels.ts';
import { checkGroupReport, type GroupReport } from '../../src/report/selection.ts';
import { buildReport, type ReportExtras } from '../../src/report/specs.ts';
import { makeMmoeTasks } from '../../src/data/synthetic/mmoe.ts';
import { cli, tempDir, writeLongCsv } from '../cli/helpers.ts';
import { fixtureResult } from './fixture.ts';

const CHROMIUM = '/usr/bin/chromium';
const inCI = process.env.CI === 'true';
const missing = !existsSync(CHROMIUM);
const skip = missing && !inCI ? `needs ${CHROMIUM} (apt-get install -y chromium)` : false;

test('CI has Chromium for the report test', { skip: !inCI && 'not in CI' }, () => {
  assert.ok(!missing, `${CHROMIUM} is missing; .ci/run must apt-get install -y chromium`);
});

type Win = Window & { __polytask?: { rendered: string[]; errors: string[] }; Chart: { getChart(c: HTMLCanvasElement): { config: { type: string }; getDatasetMeta(i: number): { data: unknown[] } } | undefined } };

/** A report to open: a comparison (with optional extras) or a model report's HTML and chart ids. */
type ReportUnderTest = { result: ComparisonResult; extras?: ReportExtras } | { html: string; expectedIds: string[] };

/** Opens one report and checks it; returns the page for a screenshot. */
async function checkReport(context: BrowserContext, work: string, name: string, input: ComparisonResult | ReportUnderTest, screenshot?: string): Promise<void> {
  const what: ReportUnderTest = 'html' in input || 'result' in input ? input : { result: input };
  const result = 'result' in what ? what.result : null;
  const expectedIds = 'result' in what ? buildReport(what.result, undefined, what.extras).sections.flatMap((s) => s.charts.map((c) => c.id)) : what.expectedIds;
  const htmlPath = join(work, `${name}.html`);
  writeFileSync(htmlPath, 'result' in what ? renderReportHtml(what.result, { generatedAt: new Date('2026-01-01T00:00:00Z'), ...(what.extras ? { extras: what.extras } : {}) }) : what.html);
  const fileUrl = pathToFileURL(htmlPath).href;
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  const page = await context.newPage();
  page.on('request', (req) => {
    if (req.url() !== fileUrl) requests.push(req.url());
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => consoleErrors.push(`pageerror: ${err.message}`));
  try {
    await page.goto(fileUrl, { waitUntil: 'load' });
    await page.waitForFunction(() => (window as unknown as Win).__polytask !== undefined);
    const state = await page.evaluate(() => (window as unknown as Win).__polytask!);
    assert.deepEqual(state.errors, [], `${name}: renderer errors`);
    assert.deepEqual([...state.rendered].sort(), [...expectedIds].sort(), `${name}: every specified chart was built`);

    // Each canvas: a Chart.js instance is attached, and the bitmap has non-blank pixels.
    const canvases = await page.evaluate(() =>
      [...document.querySelectorAll('canvas')].map((c) => {
        const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
        let inked = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) inked++;
        const chart = (window as unknown as Win).Chart.getChart(c);
        return { id: c.id, hasChart: chart !== undefined, type: chart?.config.type ?? null, cells: chart?.config.type === 'matrix' ? chart.getDatasetMeta(0).data.length : null, width: c.width, height: c.height, inked };
      }),
    );
    assert.equal(canvases.length, expectedIds.length, `${name}: one canvas per chart`);
    for (const c of canvases) {
      assert.ok(c.hasChart, `${name}/${c.id}: no Chart.js instance`);
      assert.ok(c.width > 50 && c.height > 50, `${name}/${c.id}: canvas is ${c.width}×${c.height}`);
      assert.ok(c.inked > 500, `${name}/${c.id}: only ${c.inked} non-blank pixels`);
      if (c.type === 'matrix') assert.ok(c.cells! > 0, `${name}/${c.id}: heatmap without cells`);
    }
    if (result) {
      assert.match((await page.textContent('#verdict')) ?? '', /Best: /);
      assert.equal(await page.locator('#summary tr').count(), result.models.length + 1);
    }
    assert.deepEqual(consoleErrors, [], `${name}: console errors`);
    assert.deepEqual(requests, [], `${name}: network requests`);

    if (screenshot) {
      // Grow the viewport to the whole page first and let Chart.js redraw at the new size (its
      // resize is asynchronous; capturing mid-resize would show blank canvases).
      const height = await page.evaluate(() => document.body.scrollHeight);
      await page.setViewportSize({ width: 1280, height });
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 300)))));
      mkdirSync(resolve(screenshot, '..'), { recursive: true });
      await page.screenshot({ path: screenshot, fullPage: true });
      assert.ok(existsSync(screenshot));
    }
  } finally {
    await page.close();
  }
}

/** A small real comparison: clustered synthetic tasks, every available model of a short list. */
function smallRealComparison(): ComparisonResult {
  const { dataset } = makeClusteredTasks({ T: 6, d: 6, n: 30, k: 2, seed: 3, noise: 0.5 });
  const have = new Set<string>(availableModels());
  const models = ['pooled', 'l21', 'trace', 'cmtl', 'mtrl'].filter((m) => have.has(m));
  return compare(dataset, { models, plans: registryPlan, repeats: 2, testRatio: 0.3, seed: 1, cvFolds: 2, cv: { points: 3, points2D: [3, 2] } });
}

/** Two epochs of small neural models, no tuning: every neural panel kind. */
function smallNeuralComparison(): ComparisonResult {
  const { dataset } = makeMmoeTasks({ d: 5, n: 120, seed: 2 });
  const common = { hidden: [6], epochs: 2, batchSize: 32, valRatio: 0.2, logConflictEvery: 1 };
  return compare(dataset, {
    models: ['hps', 'mmoe', 'cross-stitch'],
    plans: (n) => ({ ...registryPlan(n), params: [] }),
    repeats: 2, testRatio: 0.3, seed: 1, cvFolds: 2,
    perModelOptions: { 'stl-mlp': common, hps: { ...common, weighting: 'uw' }, mmoe: { ...common, experts: 3 }, 'cross-stitch': common },
  });
}

/** A small real `polytask group` run, its saved JSON. */
async function smallGroupResult(): Promise<GroupReport> {
  const { dir, cleanup } = tempDir();
  try {
    writeLongCsv(dir, 'data.csv', { T: 4, n: 40, d: 3 });
    const r = await cli(['group', '--data', 'data.csv', '--task-col', 'task', '--target', 'y', '--model', 'pooled', '--lambda', '0.1', '--folds', '2', '--budget', '2', '--splits', '2', '--cv-folds', '2', '--json'], dir);
    assert.equal(r.code, 0, r.stderr);
    return checkGroupReport(JSON.parse(r.stdout), 'group --json');
  } finally {
    cleanup();
  }
}

test('reports render every chart in headless Chromium, offline, without console errors', { skip, timeout: 120_000 }, async () => {
  const fixture = fixtureResult(11);
  const groupResult = await smallGroupResult();
  assert.ok(buildReport(fixture).sections.every((s) => s.charts.length > 0), 'the fixture exercises every section');
  const real = smallRealComparison();

  const work = mkdtempSync(join(tmpdir(), 'polytask-e2e-'));
  const context = await chromium.launchPersistentContext(join(work, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  const routed: string[] = [];
  try {
    // Every request other than a report file itself is recorded and refused.
    await context.route('**/*', async (route) => {
      const url = route.request().url();
      if (url.startsWith('file://') && url.endsWith('.html')) return route.continue();
      routed.push(url);
      return route.abort();
    });
    await checkReport(context, work, 'fixture', fixture, resolve('test-output/report.png'));
    await checkReport(context, work, 'real', real);
    // Neural models (gates, cross-stitch, curves, competition), a task grouping, and a model report.
    const neural = smallNeuralComparison();
    await checkReport(context, work, 'neural', neural);
    await checkReport(context, work, 'group', { result: groupResult.comparison, extras: { group: groupResult } });
    const sources = panelSources(neural).filter((s) => s.label === 'mmoe');
    await checkReport(context, work, 'model', { html: renderModelReportHtml(sources), expectedIds: engineSections(sources).flatMap((s) => s.charts.map((c) => c.id)) });
    assert.deepEqual(routed, [], 'no request left the page');
  } finally {
    await context.close();
    rmSync(work, { recursive: true, force: true });
  }
});

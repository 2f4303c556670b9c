import { test } from 'node:test';
import assert from 'node:assert/strict';
import { meanStd, num, percent, seconds, table } from '../../src/cli/format.ts';
import { oneLine } from '../../src/cli/exit.ts';
import { parseList, parseNonNegative, parseNumber } from '../../src/cli/options.ts';

test('table aligns columns (right for numbers) under a rule', () => {
  const t = table([{ header: 'model' }, { header: 'RMSE', align: 'right' }], [['stl', '10.2'], ['pooled', '9.95']]);
  assert.equal(t, ['model   RMSE', '------  ----', 'stl     10.2', 'pooled  9.95'].join('\n'));
  assert.throws(() => table([{ header: 'a' }], [['1', '2']]), /row 0 has 2 cells/);
});

test('numbers: significant digits, exponents only for extreme magnitudes, signs and units', () => {
  assert.equal(num(10.1749), '10.17');
  assert.equal(num(0.012345), '0.01235');
  assert.equal(num(1.5e-7, 3), '1.50e-7');
  assert.equal(num(0), '0');
  assert.equal(num(NaN), '–');
  assert.equal(num(null), '–');
  assert.equal(meanStd(10.17, 0.1123), '10.17 ± 0.11');
  assert.equal(percent(3.14159), '+3.1 %');
  assert.equal(percent(-0.44), '−0.4 %');
  assert.equal(percent(0.01), '0.0 %');
  assert.equal(seconds(0.25), '250 ms');
  assert.equal(seconds(75), '1 min 15 s');
});

test('flag value parsers reject what is not a plain decimal', () => {
  assert.equal(parseNumber('1e-3'), 0.001);
  assert.equal(parseNumber(' .5 '), 0.5);
  for (const bad of ['', 'abc', '1e', '0x10', 'Infinity', '1,5', 'NaN']) assert.throws(() => parseNumber(bad), /expected a/, bad);
  assert.throws(() => parseNonNegative('-1'), /≥ 0/);
  assert.deepEqual(parseList('a, b ,c'), ['a', 'b', 'c']);
  assert.throws(() => parseList('a,,b'), /comma-separated/);
});

test('commander messages become one line without the "error:" prefix', () => {
  assert.equal(oneLine("error: unknown option '--lamda'\n(Did you mean --lambda?)"), "unknown option '--lamda' (Did you mean --lambda?)");
});

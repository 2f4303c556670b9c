// Runs every balancing method that is defined on the two-task toy problem (src/balance/toy.ts) from
// the papers' five starting points, writes docs/balance-toy.svg (trajectories in the x-plane over
// the numerical Pareto set) and prints the end points as a markdown table for docs/balance.md.
// Usage: node --import tsx scripts/balance-toy.ts [scale=0.1] [steps=35000]
import { writeFileSync } from 'node:fs';
import { createAggregator, createWeighting } from '../src/balance/index.ts';
import { dominationGap, runToy, TOY_STARTS, toyParetoGrid, type ToyMethod, type ToyRun } from '../src/balance/toy.ts';

const scale = Number(process.argv[2] ?? 0.1);
const steps = Number(process.argv[3] ?? 35000);
// Methods whose definition needs positive losses (log-losses, loss ratios, uncertainty) are not
// defined on this problem: its losses go down to −20.
const methods: [string, ToyMethod][] = [
  ['ls (sum)', { aggregator: createAggregator('sum') }],
  ['mgda', { aggregator: createAggregator('mgda') }],
  ['pcgrad', { aggregator: createAggregator('pcgrad') }],
  ['gradvac', { aggregator: createAggregator('gradvac') }],
  ['cagrad (c=0.5)', { aggregator: createAggregator('cagrad') }],
  ['nash-mtl', { aggregator: createAggregator('nash-mtl') }],
  ['imtl-g', { aggregator: createAggregator('imtl-g') }],
  ['aligned-mtl', { aggregator: createAggregator('aligned-mtl') }],
  ['upgrad', { aggregator: createAggregator('upgrad') }],
  ['dualproj', { aggregator: createAggregator('dualproj') }],
  ['fairgrad (α=1)', { aggregator: createAggregator('fairgrad') }],
  ['config', { aggregator: createAggregator('config') }],
  ['random', { aggregator: createAggregator('random') }],
  ['excess-mtl', { weighting: createWeighting('excess-mtl') }],
];
const front = toyParetoGrid({ n: 400, scale });
const results: [string, ToyRun[], number][] = [];
for (const [name, m] of methods) {
  const t0 = performance.now();
  results.push([name, TOY_STARTS.map((s) => runToy(m, s, { steps, scale })), (performance.now() - t0) / 1000]);
  process.stderr.write(`${name} done\n`);
}
const onFront = (r: ToyRun) => dominationGap(r.losses, front) <= 0.01;
console.log(`| method | ${TOY_STARTS.map((s) => `start (${s[0]}, ${s[1]})`).join(' | ')} | reached |`);
console.log(`|---|${TOY_STARTS.map(() => '---').join('|')}|---|`);
for (const [name, runs] of results) {
  const cells = runs.map((r) => `(${r.end[0].toFixed(2)}, ${r.end[1].toFixed(2)}) L=(${r.losses[0].toFixed(2)}, ${r.losses[1].toFixed(2)}) ${onFront(r) ? '**P**' : '✗'}`);
  console.log(`| ${name} | ${cells.join(' | ')} | ${runs.filter(onFront).length}/5 |`);
}

// Small multiples: one panel per method, x-plane [−10, 10]².
const W = 190;
const cols = 5;
const rows = Math.ceil(results.length / cols);
const colors = ['#d62728', '#1f77b4', '#2ca02c', '#9467bd', '#ff7f0e'];
const px = (v: number) => ((v + 10) / 20) * (W - 20) + 10;
const py = (v: number) => W - 10 - ((v + 10) / 20) * (W - 20);
let svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${cols * W}" height="${rows * (W + 18) + 24}" font-family="sans-serif" font-size="11">\n`;
svg += `<text x="6" y="15">Toy problem (scale ${scale}, ${steps} Adam steps, lr 1e-3): trajectories from 5 starts; grey = numerical Pareto set; ● end on the Pareto front, ✕ not</text>\n`;
results.forEach(([name, runs], k) => {
  const ox = (k % cols) * W;
  const oy = 24 + Math.floor(k / cols) * (W + 18);
  svg += `<g transform="translate(${ox},${oy})"><rect x="10" y="10" width="${W - 20}" height="${W - 20}" fill="none" stroke="#999"/>`;
  svg += `<text x="12" y="${W + 6}">${name}</text>`;
  for (const p of front.filter((_, i) => i % 3 === 0)) svg += `<circle cx="${px(p.x[0]).toFixed(1)}" cy="${py(p.x[1]).toFixed(1)}" r="0.8" fill="#bbb"/>`;
  runs.forEach((r, i) => {
    svg += `<polyline fill="none" stroke="${colors[i]}" stroke-width="1" points="${r.path.map(([a, b]) => `${px(a).toFixed(1)},${py(b).toFixed(1)}`).join(' ')}"/>`;
    svg += `<circle cx="${px(r.start[0]).toFixed(1)}" cy="${py(r.start[1]).toFixed(1)}" r="2.5" fill="none" stroke="${colors[i]}"/>`;
    const ex = px(r.end[0]);
    const ey = py(r.end[1]);
    svg += onFront(r)
      ? `<circle cx="${ex.toFixed(1)}" cy="${ey.toFixed(1)}" r="3" fill="${colors[i]}"/>`
      : `<path d="M${ex - 3},${ey - 3}L${ex + 3},${ey + 3}M${ex - 3},${ey + 3}L${ex + 3},${ey - 3}" stroke="${colors[i]}" stroke-width="1.5"/>`;
  });
  svg += `</g>\n`;
});
svg += '</svg>\n';
const out = `docs/balance-toy${scale === 0.1 ? '' : `-scale${scale}`}.svg`;
writeFileSync(out, svg);
console.log(`\nwrote ${out}; seconds per method (5 runs): ${results.map(([n, , s]) => `${n} ${s.toFixed(1)}`).join(', ')}`);

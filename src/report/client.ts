// The in-page renderer: a plain-JavaScript string inlined into the report after Chart.js and
// chartjs-chart-matrix. It reads the chart specifications (specs.ts) from the embedded JSON and
// builds one Chart.js chart per <canvas>. Kept as a string (not compiled TypeScript) so that what
// runs in the browser is exactly what is written here, with no bundler helpers.
// It sets window.__polytask = { rendered: [ids], errors: [messages] } for the browser test.

export const CLIENT_JS = String.raw`
(function () {
  'use strict';
  var state = { rendered: [], errors: [] };
  window.__polytask = state;
  var specs;
  try {
    specs = JSON.parse(document.getElementById('polytask-data').textContent).charts;
  } catch (e) {
    state.errors.push('cannot read the embedded data: ' + e.message);
    console.error(e);
    return;
  }
  if (typeof Chart === 'undefined') {
    state.errors.push('Chart.js did not load');
    console.error('Chart.js did not load');
    return;
  }

  function fmt(v) {
    if (v === null || v === undefined || !isFinite(v)) return '–';
    var a = Math.abs(v);
    if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(2);
    return String(Number(v.toPrecision(4)));
  }

  // Colour maps for heatmaps: diverging blue–white–red (negative–zero–positive), sequential white–blue.
  function lerp(a, b, t) { return Math.round(a + (b - a) * t); }
  function rgb(c) { return 'rgb(' + c[0] + ',' + c[1] + ',' + c[2] + ')'; }
  function mix(c0, c1, t) { return [lerp(c0[0], c1[0], t), lerp(c0[1], c1[1], t), lerp(c0[2], c1[2], t)]; }
  var BLUE = [33, 102, 172], WHITE = [255, 255, 255], RED = [178, 24, 43], NAVY = [8, 48, 107];
  function colour(scale, v, min, max) {
    if (v === null || v === undefined || !isFinite(v)) return 'rgb(200,200,200)';
    if (scale === 'diverging') {
      var m = Math.max(Math.abs(min), Math.abs(max)) || 1;
      var t = Math.max(-1, Math.min(1, v / m));
      return rgb(t < 0 ? mix(WHITE, BLUE, -t) : mix(WHITE, RED, t));
    }
    var u = max > min ? (v - min) / (max - min) : 0;
    u = Math.max(0, Math.min(1, u));
    return rgb(mix(WHITE, NAVY, Math.sqrt(u)));
  }

  function axisTitle(text) { return { display: true, text: text }; }
  // Log axes: label the powers of ten only (Chart.js labels 1, 2, 3, 5 of every decade otherwise).
  function logTicks() {
    return {
      callback: function (v) {
        var l = Math.log10(v);
        if (Math.abs(l - Math.round(l)) > 1e-9) return '';
        var k = Math.round(l);
        return k >= -3 && k <= 4 ? String(Math.pow(10, k)) : '1e' + k;
      }
    };
  }

  function barConfig(s) {
    return {
      type: 'bar',
      data: {
        labels: s.labels,
        datasets: s.datasets.map(function (d) {
          var ds = { label: d.label, data: d.data, backgroundColor: d.colors || d.color, borderWidth: 0 };
          if (d.stack) ds.stack = d.stack;
          return ds;
        })
      },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        plugins: { legend: { display: s.datasets.length > 1 || !s.datasets[0].colors }, title: { display: false } },
        scales: {
          x: { stacked: !!s.stacked, title: axisTitle(s.xLabel), ticks: { autoSkip: true, maxRotation: 90 } },
          y: { stacked: !!s.stacked, title: axisTitle(s.yLabel) }
        }
      }
    };
  }

  function lineConfig(s) {
    return {
      type: 'scatter',
      data: {
        datasets: s.datasets.map(function (d) {
          return {
            label: d.label, data: d.points, borderColor: d.color, backgroundColor: d.color,
            showLine: d.showLine !== false, borderDash: d.dashed ? [6, 4] : [], borderWidth: d.dashed ? 1 : 2,
            pointRadius: d.pointRadius === undefined ? 2 : d.pointRadius,
            pointStyle: d.pointStyle || 'circle'
          };
        })
      },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        plugins: { legend: { display: true } },
        scales: {
          x: s.xTicks
            ? { type: 'linear', min: -0.25, max: s.xTicks.length - 0.75, title: axisTitle(s.xLabel),
                ticks: { stepSize: 1, autoSkip: s.xTicks.length > 40, maxRotation: 90, callback: function (v) { return Number.isInteger(v) && s.xTicks[v] !== undefined ? s.xTicks[v] : ''; } } }
            : { type: s.logX ? 'logarithmic' : 'linear', title: axisTitle(s.xLabel), ticks: s.logX ? logTicks() : s.integerX ? { callback: function (v) { return Number.isInteger(v) ? String(v) : ''; } } : {} },
          y: { type: s.logY ? 'logarithmic' : 'linear', title: axisTitle(s.yLabel), ticks: s.logY ? logTicks() : {} }
        }
      }
    };
  }

  function everyKth(k, extra) {
    var t = { autoSkip: false, font: { size: 10 }, callback: function (v, i) { return i % k === 0 ? this.getLabelForValue(v) : ''; } };
    for (var key in extra) t[key] = extra[key];
    return t;
  }

  function heatmapConfig(s) {
    var cells = [];
    for (var i = 0; i < s.yLabels.length; i++) {
      for (var j = 0; j < s.xLabels.length; j++) cells.push({ x: s.xLabels[j], y: s.yLabels[i], v: s.values[i][j] });
    }
    var nx = s.xLabels.length, ny = s.yLabels.length;
    return {
      type: 'matrix',
      data: {
        datasets: [{
          label: s.title, data: cells, borderWidth: 0,
          backgroundColor: function (c) { var r = c.raw; return r ? colour(s.scale, r.v, s.min, s.max) : 'white'; },
          width: function (c) { var a = c.chart.chartArea; return a ? Math.max(1, a.width / nx) : 1; },
          height: function (c) { var a = c.chart.chartArea; return a ? Math.max(1, a.height / ny) : 1; }
        }]
      },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: { title: function () { return ''; }, label: function (c) { return c.raw.y + ' × ' + c.raw.x + ': ' + fmt(c.raw.v); } } }
        },
        scales: {
          // Every k-th label on each axis, k from the spec (the same rule on both axes), never Chart.js's own skipping.
          x: { type: 'category', labels: s.xLabels, offset: true, grid: { display: false }, title: axisTitle(s.xLabel), ticks: everyKth(s.labelEvery ? s.labelEvery.x : 1, { maxRotation: 90, minRotation: 90 }) },
          // The matrix plugin defaults y to reverse: true, which puts the first row at the bottom; a matrix is read top-down.
          y: { type: 'category', labels: s.yLabels, offset: true, reverse: false, grid: { display: false }, title: axisTitle(s.yLabel), ticks: everyKth(s.labelEvery ? s.labelEvery.y : 1, {}) }
        }
      }
    };
  }

  var builders = { bar: barConfig, line: lineConfig, heatmap: heatmapConfig };
  specs.forEach(function (s) {
    try {
      var canvas = document.getElementById(s.id);
      if (!canvas) throw new Error('no canvas with id ' + s.id);
      new Chart(canvas, builders[s.kind](s));
      state.rendered.push(s.id);
    } catch (e) {
      state.errors.push(s.id + ': ' + e.message);
      console.error('polytask report: chart ' + s.id + ' failed: ' + e.message);
    }
  });
})();
`;

// Switchboard reports page: fetches /api/v1/reports/NAME and draws the
// table and plain SVG charts. The render functions are pure (JSON in,
// markup out) so they can be checked without a browser.
"use strict";

var GROUP_LABELS = {
  interval15: "15-minute intervals", interval30: "30-minute intervals", interval60: "hours",
  day: "day", queue: "queue", agent: "agent", team: "team", ivr_node: "IVR node",
  trunk: "trunk", trunk_cause: "trunk and cause", disposition: "disposition"
};

function esc(s) {
  return String(s).replace(/[&<>"']/g, function (c) {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
  });
}

function fmt(v, unit) {
  if (v === null || v === undefined) return "";
  if (unit === "percent") return v.toFixed(2) + " %";
  if (unit === "score") return v.toFixed(2);
  return String(v);
}

function col(table, key) {
  for (var i = 0; i < table.columns.length; i++) if (table.columns[i].key === key) return i;
  return -1;
}

// renderTable is the report as an HTML table: one header per column (its
// definition in data-def, shown on click), one line per row, the total last.
function renderTable(table) {
  var h = ['<table><thead><tr><th>' + esc(table.group_label) + '</th>'];
  table.columns.forEach(function (c, i) {
    h.push('<th data-col="' + i + '" data-def="' + esc(c.label + ": " + c.definition) + '" title="' +
      esc(c.definition) + '">' + esc(c.label) + '</th>');
  });
  h.push('</tr></thead><tbody>');
  table.rows.concat([table.total]).forEach(function (r, n) {
    h.push('<tr' + (n === table.rows.length ? ' class="total"' : '') + '><td>' + esc(r.label) + '</td>');
    r.values.forEach(function (v, i) { h.push('<td>' + esc(fmt(v, table.columns[i].unit)) + '</td>'); });
    h.push('</tr>');
  });
  h.push('</tbody></table>');
  return h.join("");
}

var W = 640, H = 200, PAD = 30;
var COLORS = ["#4e79a7", "#59a14f", "#e15759", "#f28e2b", "#76b7b2", "#edc948", "#b07aa1", "#9c755f"];

function axis(max) {
  return '<line x1="' + PAD + '" y1="' + (H - PAD) + '" x2="' + W + '" y2="' + (H - PAD) + '" stroke="#999"/>' +
    '<text x="2" y="' + (PAD - 4) + '" font-size="10">' + esc(Math.round(max * 100) / 100) + '</text>';
}

function legend(names) {
  return names.map(function (n, i) {
    return '<rect x="' + (PAD + i * 150) + '" y="2" width="10" height="10" fill="' + COLORS[i % COLORS.length] + '"/>' +
      '<text x="' + (PAD + i * 150 + 14) + '" y="11" font-size="11">' + esc(n) + '</text>';
  }).join("");
}

function val(r, i) { return i < 0 || r.values[i] === null ? 0 : r.values[i]; }

// barChart draws grouped bars of the given columns per row.
function barChart(table, keys, stacked) {
  var idx = keys.map(function (k) { return col(table, k); }).filter(function (i) { return i >= 0; });
  if (!idx.length || !table.rows.length) return "";
  var max = 0;
  table.rows.forEach(function (r) {
    var s = 0;
    idx.forEach(function (i) { max = Math.max(max, val(r, i)); s += val(r, i); });
    if (stacked) max = Math.max(max, s);
  });
  max = max || 1;
  var slot = (W - PAD) / table.rows.length, out = [axis(max)];
  table.rows.forEach(function (r, n) {
    var y0 = H - PAD;
    idx.forEach(function (i, k) {
      var h = (H - 2 * PAD) * val(r, i) / max, bw = stacked ? slot * 0.8 : slot * 0.8 / idx.length;
      var x = PAD + n * slot + (stacked ? 0 : k * bw);
      var y = stacked ? y0 - h : H - PAD - h;
      if (stacked) y0 -= h;
      out.push('<rect x="' + x.toFixed(1) + '" y="' + y.toFixed(1) + '" width="' + Math.max(bw, 1).toFixed(1) +
        '" height="' + h.toFixed(1) + '" fill="' + COLORS[k % COLORS.length] + '"><title>' +
        esc(r.label + " · " + table.columns[i].label + ": " + fmt(r.values[i], table.columns[i].unit)) + '</title></rect>');
    });
  });
  out.push(legend(idx.map(function (i) { return table.columns[i].label; })));
  return '<svg width="' + W + '" height="' + H + '" role="img">' + out.join("") + '</svg>';
}

// slChart draws the service level per row as a line against the target.
function slChart(table) {
  var i = col(table, "sl_offered");
  if (i < 0 || !table.rows.length) return "";
  var slot = (W - PAD) / table.rows.length, pts = [];
  table.rows.forEach(function (r, n) {
    if (r.values[i] !== null) pts.push((PAD + n * slot + slot / 2).toFixed(1) + "," + (H - PAD - (H - 2 * PAD) * r.values[i] / 100).toFixed(1));
  });
  var ty = (H - PAD - (H - 2 * PAD) * table.sl_target / 100).toFixed(1);
  return '<svg width="' + W + '" height="' + H + '" role="img">' + axis(100) +
    '<line x1="' + PAD + '" x2="' + W + '" y1="' + ty + '" y2="' + ty + '" stroke="#e15759" stroke-dasharray="4"/>' +
    '<text x="' + (W - 90) + '" y="' + (ty - 3) + '" font-size="10">target ' + esc(table.sl_target) + ' %</text>' +
    '<polyline fill="none" stroke="#4e79a7" stroke-width="2" points="' + pts.join(" ") + '"/>' +
    legend([table.columns[i].label]) + '</svg>';
}

// waitChart draws the total's wait-time distribution.
function waitChart(table) {
  var bins = table.columns.map(function (c, i) { return [c, i]; }).filter(function (p) { return /^wait_(le|gt)_/.test(p[0].key); });
  if (!bins.length) return "";
  var fake = { columns: bins.map(function (p) { return p[0]; }), rows: bins.map(function (p) {
    var values = bins.map(function () { return null; });
    values[bins.indexOf(p)] = table.total.values[p[1]];
    return { label: p[0].label, values: values };
  }) };
  return barChart(fake, bins.map(function (p) { return p[0].key; }), true);
}

// renderCharts is every chart that applies to the table's grouping.
function renderCharts(table) {
  var charts = [
    ["Offered / answered / abandoned", barChart(table, ["offered", "answered", "abandoned_queue", "abandoned_ringing", "abandoned_ivr"], false)],
    ["Service level against target", slChart(table)],
    ["Agent time by state (s)", barChart(table, ["ready", "not_ready", "reserved", "ringing", "on_call", "wrap_up"], true)],
    ["Wait-time distribution", waitChart(table)],
    ["Survey scores", barChart(table, ["score_1", "score_2", "score_3", "score_4", "score_5"], true)]
  ];
  return charts.filter(function (c) { return c[1]; }).map(function (c) {
    return '<div class="chart"><h3>' + esc(c[0]) + '</h3>' + c[1] + '</div>';
  }).join("");
}

function query(form) {
  var p = new URLSearchParams();
  p.set("period", form.period.value);
  if (form.period.value === "custom") { p.set("from", form.from.value); p.set("to", form.to.value); }
  if (form.group.value) p.set("group", form.group.value);
  return p;
}

function init() {
  var form = document.getElementById("form"), catalog;
  function groups() {
    var r = catalog.reports.filter(function (d) { return d.name === form.report.value; })[0];
    form.group.innerHTML = r.groups.concat(catalog.unavailable_groups).map(function (g) {
      return '<option value="' + esc(g) + '"' + (g === r.default_group ? " selected" : "") + '>' + esc(GROUP_LABELS[g] || g) + '</option>';
    }).join("");
  }
  function show() {
    var p = query(form), base = "/api/v1/reports/" + encodeURIComponent(form.report.value) + "?";
    document.getElementById("csv").href = base + p + "&format=csv";
    document.getElementById("xlsx").href = base + p + "&format=xlsx";
    fetch(base + p).then(function (res) { return res.json(); }).then(function (body) {
      var err = document.getElementById("error");
      if (body.error) {
        err.textContent = (body.error.field ? body.error.field + ": " : "") + body.error.message;
        return;
      }
      err.textContent = "";
      document.getElementById("table").innerHTML = renderTable(body);
      document.getElementById("charts").innerHTML = renderCharts(body);
      document.getElementById("notes").innerHTML = body.notes.map(function (n) { return "<p>" + esc(n) + "</p>"; }).join("");
    });
  }
  document.getElementById("table").addEventListener("click", function (ev) {
    var th = ev.target.closest("th[data-def]"), box = document.getElementById("definition");
    if (!th) return;
    box.textContent = th.getAttribute("data-def");
    box.hidden = false;
  });
  form.report.addEventListener("change", groups);
  form.addEventListener("submit", function (ev) { ev.preventDefault(); show(); });
  var ready = window.SB ? SB.init({ page: "reports" }) : Promise.resolve();
  ready.then(function () { return fetch("/api/v1/reports"); }).then(function (r) { return r.json(); }).then(function (c) {
    catalog = c;
    form.report.innerHTML = c.reports.map(function (d) { return '<option value="' + esc(d.name) + '">' + esc(d.title) + '</option>'; }).join("");
    groups();
    show();
  });
}

if (typeof document !== "undefined") init();
if (typeof module !== "undefined") module.exports = { renderTable: renderTable, renderCharts: renderCharts };

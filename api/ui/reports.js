// Switchboard reports page: fetches /api/v1/reports/NAME and draws the
// table and plain SVG charts. The render functions are pure (JSON in,
// markup out) so they can be checked without a browser.
"use strict";

// Texts in both languages; the table's own headers come from the API in
// the user's language (lang=).
var TEXT = {
  zh: {
    "rp.title": "报表", "rp.report": "报表", "rp.period": "时间段", "rp.from": "从", "rp.to": "到", "rp.group": "分组", "rp.show": "查看",
    "rp.p_today": "今天", "rp.p_yesterday": "昨天", "rp.p_this_week": "本周", "rp.p_last_week": "上周",
    "rp.p_this_month": "本月", "rp.p_last_month": "上月", "rp.p_custom": "自定义",
    "rp.g_interval15": "15 分钟时段", "rp.g_interval30": "30 分钟时段", "rp.g_interval60": "小时", "rp.g_day": "日",
    "rp.g_queue": "队列", "rp.g_agent": "坐席", "rp.g_team": "班组", "rp.g_ivr_node": "IVR 节点",
    "rp.g_trunk": "中继", "rp.g_trunk_cause": "中继与原因", "rp.g_disposition": "处理结果",
    "rp.c_volume": "进线 / 接通 / 放弃", "rp.c_sl": "服务水平与目标", "rp.c_state": "坐席各状态时长",
    "rp.c_wait": "等待时长分布", "rp.c_survey": "满意度评分", "rp.target": "目标 {p} %", "rp.targets": "各队列目标",
    "rp.r_summary": "话务汇总", "rp.r_service": "服务质量（月报）", "rp.r_satisfaction": "通话后满意度"
  },
  en: {
    "rp.title": "Reports", "rp.report": "Report", "rp.period": "Period", "rp.from": "From", "rp.to": "To", "rp.group": "Group by", "rp.show": "Show",
    "rp.p_today": "today", "rp.p_yesterday": "yesterday", "rp.p_this_week": "this week", "rp.p_last_week": "last week",
    "rp.p_this_month": "this month", "rp.p_last_month": "last month", "rp.p_custom": "custom",
    "rp.g_interval15": "15-minute intervals", "rp.g_interval30": "30-minute intervals", "rp.g_interval60": "hours", "rp.g_day": "day",
    "rp.g_queue": "queue", "rp.g_agent": "agent", "rp.g_team": "team", "rp.g_ivr_node": "IVR node",
    "rp.g_trunk": "trunk", "rp.g_trunk_cause": "trunk and cause", "rp.g_disposition": "disposition",
    "rp.c_volume": "Offered / answered / abandoned", "rp.c_sl": "Service level against target", "rp.c_state": "Agent time by state",
    "rp.c_wait": "Wait-time distribution", "rp.c_survey": "Survey scores", "rp.target": "target {p} %", "rp.targets": "each queue's target",
    "rp.r_summary": "Call summary", "rp.r_service": "Service quality (monthly)", "rp.r_satisfaction": "Post-call satisfaction"
  }
};
if (typeof SB !== "undefined") SB.i18n(TEXT);

// tx is a text of the page in the user's language (English without the
// shell, as in the unit checks).
function tx(key, vars) {
  if (typeof SB !== "undefined") return SB.t(key, vars);
  var s = TEXT.en[key] || key;
  Object.keys(vars || {}).forEach(function (k) { s = s.replace("{" + k + "}", vars[k]); });
  return s;
}

function esc(s) {
  return String(s).replace(/[&<>"']/g, function (c) {
    return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
  });
}

// hms is a duration in seconds as h:mm:ss (what a supervisor reads; the
// CSV and XLSX keep seconds for sums).
function hms(sec) {
  var t = Math.round(sec), h = Math.floor(t / 3600), m = Math.floor(t % 3600 / 60), s = t % 60;
  return h + ":" + (m < 10 ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
}

function fmt(v, unit) {
  if (v === null || v === undefined) return "";
  if (unit === "percent") return v.toFixed(2) + " %";
  if (unit === "score") return v.toFixed(2);
  if (unit === "seconds") return hms(v);
  return String(v);
}

// names maps agent IDs to "Name (ID)" for the agent grouping's rows;
// filled from /api/v1/agents when the page starts.
var names = {};

function rowLabel(table, r) {
  if (table.group === "agent" && names[r.key]) return names[r.key];
  return r.label;
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
    h.push('<tr' + (n === table.rows.length ? ' class="total"' : '') + ' data-key="' + esc(r.key) + '"><td>' + esc(n === table.rows.length ? r.label : rowLabel(table, r)) + '</td>');
    r.values.forEach(function (v, i) { h.push('<td>' + esc(fmt(v, table.columns[i].unit)) + '</td>'); });
    h.push('</tr>');
  });
  h.push('</tbody></table>');
  return h.join("");
}

var W = 640, H = 200, PAD = 30, LEFT = 48;
var COLORS = ["#4e79a7", "#59a14f", "#e15759", "#f28e2b", "#76b7b2", "#edc948", "#b07aa1", "#9c755f"];

// axis is the y axis (0, half and max, in the chart's unit) and the x
// axis with the rows' labels under their slots (every k-th when many).
function axis(max, unit, labels) {
  var out = ['<line x1="' + LEFT + '" y1="' + (H - PAD) + '" x2="' + W + '" y2="' + (H - PAD) + '" stroke="#999"/>',
    '<line x1="' + LEFT + '" y1="' + PAD + '" x2="' + LEFT + '" y2="' + (H - PAD) + '" stroke="#999"/>'];
  [0, max / 2, max].forEach(function (v) {
    var y = H - PAD - (H - 2 * PAD) * v / max;
    out.push('<text class="y-tick" x="' + (LEFT - 4) + '" y="' + (y + 3).toFixed(1) + '" font-size="10" text-anchor="end">' +
      esc(unit === "percent" ? Math.round(v) + " %" : fmt(Math.round(v * 100) / 100, unit)) + '</text>');
  });
  var slot = (W - LEFT) / Math.max(labels.length, 1), every = Math.max(1, Math.ceil(labels.length * 60 / (W - LEFT)));
  labels.forEach(function (l, n) {
    if (n % every) return;
    var short = l.length > 10 ? l.slice(0, 9) + "…" : l;
    out.push('<text class="x-tick" x="' + (LEFT + n * slot + slot / 2).toFixed(1) + '" y="' + (H - PAD + 13) +
      '" font-size="10" text-anchor="middle"><title>' + esc(l) + '</title>' + esc(short) + '</text>');
  });
  return out.join("");
}

// legend is an HTML list under the chart: it wraps to the width there is,
// however many series and however long their names.
function legend(names) {
  return '<ul class="legend">' + names.map(function (n, i) {
    return '<li><span class="swatch" style="background:' + COLORS[i % COLORS.length] + '"></span>' + esc(n) + '</li>';
  }).join("") + '</ul>';
}

// unitOf is the unit the charted columns share ("" when they differ).
function unitOf(table, idx) {
  var u = idx.map(function (i) { return table.columns[i].unit; });
  return u.every(function (x) { return x === u[0]; }) ? u[0] : "";
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
  var slot = (W - LEFT) / table.rows.length;
  var out = [axis(max, unitOf(table, idx), table.rows.map(function (r) { return rowLabel(table, r); }))];
  table.rows.forEach(function (r, n) {
    var y0 = H - PAD;
    idx.forEach(function (i, k) {
      var h = (H - 2 * PAD) * val(r, i) / max, bw = stacked ? slot * 0.8 : slot * 0.8 / idx.length;
      var x = LEFT + n * slot + slot * 0.1 + (stacked ? 0 : k * bw);
      var y = stacked ? y0 - h : H - PAD - h;
      if (stacked) y0 -= h;
      out.push('<rect x="' + x.toFixed(1) + '" y="' + y.toFixed(1) + '" width="' + Math.max(bw, 1).toFixed(1) +
        '" height="' + h.toFixed(1) + '" fill="' + COLORS[k % COLORS.length] + '"><title>' +
        esc(rowLabel(table, r) + " · " + table.columns[i].label + ": " + fmt(r.values[i], table.columns[i].unit)) + '</title></rect>');
    });
  });
  return '<svg width="' + W + '" height="' + H + '" role="img">' + out.join("") + '</svg>' +
    legend(idx.map(function (i) { return table.columns[i].label; }));
}

// slChart draws the service level per row, a dot on each value (so one
// row is a dot, not nothing) joined by a line, against the target: each
// row's own (a queue's) as a dashed mark over its slot, else the table's
// as one line.
function slChart(table) {
  var i = col(table, "sl_offered");
  if (i < 0 || !table.rows.length) return "";
  var slot = (W - LEFT) / table.rows.length, pts = [], dots = [], marks = [];
  var yOf = function (p) { return (H - PAD - (H - 2 * PAD) * p / 100).toFixed(1); };
  var own = table.rows.some(function (r) { return r.sl_target != null; });
  table.rows.forEach(function (r, n) {
    var x = LEFT + n * slot + slot / 2;
    if (r.values[i] !== null) {
      pts.push(x.toFixed(1) + "," + yOf(r.values[i]));
      dots.push('<circle class="sl-point" cx="' + x.toFixed(1) + '" cy="' + yOf(r.values[i]) + '" r="4" fill="#4e79a7"><title>' +
        esc(rowLabel(table, r) + " · " + table.columns[i].label + ": " + fmt(r.values[i], "percent")) + '</title></circle>');
    }
    if (own) {
      var p = r.sl_target != null ? r.sl_target : table.sl_target, ty = yOf(p);
      marks.push('<line class="sl-target" data-row="' + esc(r.key) + '" data-target="' + esc(p) + '" x1="' + (x - slot * 0.4).toFixed(1) +
        '" x2="' + (x + slot * 0.4).toFixed(1) + '" y1="' + ty + '" y2="' + ty + '" stroke="#e15759" stroke-width="2" stroke-dasharray="4"><title>' +
        esc(rowLabel(table, r) + " · " + tx("rp.target", { p: p })) + '</title></line>');
    }
  });
  var target;
  if (own) {
    target = marks.join("") + '<text x="' + (W - 110) + '" y="' + (PAD - 4) + '" font-size="10">' + esc(tx("rp.targets")) + '</text>';
  } else {
    var ty = yOf(table.sl_target);
    target = '<line class="sl-target" data-target="' + esc(table.sl_target) + '" x1="' + LEFT + '" x2="' + W + '" y1="' + ty + '" y2="' + ty +
      '" stroke="#e15759" stroke-dasharray="4"/>' +
      '<text x="' + (W - 90) + '" y="' + (ty - 3) + '" font-size="10">' + esc(tx("rp.target", { p: table.sl_target })) + '</text>';
  }
  return '<svg width="' + W + '" height="' + H + '" role="img" aria-label="' + esc(tx("rp.c_sl")) + '">' +
    axis(100, "percent", table.rows.map(function (r) { return rowLabel(table, r); })) + target +
    (pts.length > 1 ? '<polyline fill="none" stroke="#4e79a7" stroke-width="2" points="' + pts.join(" ") + '"/>' : "") +
    dots.join("") + '</svg>' + legend([table.columns[i].label]);
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
    [tx("rp.c_volume"), barChart(table, ["offered", "answered", "abandoned_queue", "abandoned_ringing", "abandoned_ivr"], false)],
    [tx("rp.c_sl"), slChart(table)],
    [tx("rp.c_state"), barChart(table, ["ready", "not_ready", "reserved", "ringing", "on_call", "wrap_up"], true)],
    [tx("rp.c_wait"), waitChart(table)],
    [tx("rp.c_survey"), barChart(table, ["score_1", "score_2", "score_3", "score_4", "score_5"], true)]
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
  if (typeof SB !== "undefined") p.set("lang", SB.lang);
  return p;
}

function init() {
  var form = document.getElementById("form"), catalog;
  function groups() {
    var r = catalog.reports.filter(function (d) { return d.name === form.report.value; })[0];
    form.group.innerHTML = r.groups.concat(catalog.unavailable_groups).map(function (g) {
      return '<option value="' + esc(g) + '"' + (g === r.default_group ? " selected" : "") + '>' + esc(tx("rp.g_" + g) === "rp.g_" + g ? g : tx("rp.g_" + g)) + '</option>';
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
  ready.then(function () {
    // Agents' names for the agent grouping (a role that may not list
    // agents keeps the IDs).
    return fetch("/api/v1/agents").then(function (r) { return r.ok ? r.json() : { agents: [] }; }).then(function (b) {
      (b.agents || []).forEach(function (a) { if (a.name) names[a.id] = a.name + " (" + a.id + ")"; });
    }, function () {});
  }).then(function () { return fetch("/api/v1/reports"); }).then(function (r) { return r.json(); }).then(function (c) {
    catalog = c;
    form.report.innerHTML = c.reports.map(function (d) { return '<option value="' + esc(d.name) + '">' + esc(tx("rp.r_" + d.name) === "rp.r_" + d.name ? d.title : tx("rp.r_" + d.name)) + '</option>'; }).join("");
    groups();
    show();
  });
}

if (typeof document !== "undefined") init();
if (typeof module !== "undefined") module.exports = { renderTable: renderTable, renderCharts: renderCharts, hms: hms };

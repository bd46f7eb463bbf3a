// Counts by state now (tiles, from the report: the exact snapshot) and over time (charts, from
// the history the server keeps, about an hour).
import { fill, h } from "./dom.js";
import { colourOf, sparkline, timeSeriesChart } from "./charts.js";
import { count, stateKey, stateName } from "./format.js";
import { CLASS_LABELS, classLabel, NOT_STUCK_CLASSES, STATE_HINTS, STATE_ORDER, STUCK_STATES } from "./vocab.js";

// Always shown, even at zero: "no CLOSE_WAIT" is an answer people look for.
const ALWAYS = ["close_wait", "fin_wait2", "time_wait"];

const byOrder = (order) => (a, b) => rank(order, a) - rank(order, b) || a.localeCompare(b);
const rank = (order, key) => (order.includes(key) ? order.indexOf(key) : order.length);

export function renderStates(report, history) {
  const now = {};
  for (const ns of report?.namespaces ?? []) {
    for (const [name, n] of Object.entries(ns.summary.byState)) now[stateKey(name)] = (now[stateKey(name)] ?? 0) + n;
  }
  const samples = (history?.samples ?? []).map((sample) => ({ at: new Date(sample.at), states: sample.states ?? {}, classes: sample.classes ?? {} }));
  const keys = [...new Set([...ALWAYS, ...Object.keys(now)])].sort(byOrder(STATE_ORDER));

  fill("state-tiles", keys.map((key) => {
    const n = now[key] ?? 0;
    const trend = samples.map((sample) => sample.states[key] ?? 0);
    return h("li", { class: ["tile", STUCK_STATES.has(key) && n > 0 ? "stuck" : null], testid: `state-${key}` },
      h("span", { class: "tile-name" }, stateName(key)),
      h("span", { class: "tile-count", testid: `state-count-${key}` }, report ? count(n) : "—"),
      sparkline(trend, colourOf(key)),
      STATE_HINTS[key] ? h("span", { class: "tile-hint" }, STATE_HINTS[key]) : null);
  }));

  // Listening sockets are not connections and never change with a leak: left out of the chart.
  const stateKeys = seriesKeys(samples.map((sample) => sample.states), (k) => k !== "listen" && k !== "close").sort(byOrder(STATE_ORDER));
  const classKeys = seriesKeys(samples.map((sample) => sample.classes), (k) => !NOT_STUCK_CLASSES.has(k))
    .sort(byOrder(Object.keys(CLASS_LABELS)));
  fill("history-charts",
    timeSeriesChart({
      testid: "chart-states", caption: "Sockets by state over time",
      samples: samples.map((sample) => ({ at: sample.at, values: sample.states })),
      keys: stateKeys, label: stateName,
    }),
    timeSeriesChart({
      testid: "chart-classes", caption: "Stuck sockets by cause over time (stacked)",
      samples: samples.map((sample) => ({ at: sample.at, values: sample.classes })),
      keys: classKeys, label: classLabel, stacked: true,
    }));
}

/** Keys with a non-zero value in at least one sample: a series that is flat zero is noise. */
function seriesKeys(valueMaps, keep) {
  const keys = new Set();
  for (const values of valueMaps) for (const [k, v] of Object.entries(values)) if (v > 0 && keep(k)) keys.add(k);
  return [...keys];
}

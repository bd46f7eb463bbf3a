// Charts drawn as inline SVG by hand: no library can be fetched (no CDN, strict CSP), and the
// page only needs three shapes — time series, sparklines and proportion bars. Colours come from
// CSS classes (c0…c9) so that dark mode and the CSP (no inline styles) both work.
import { h, s } from "./dom.js";
import { clock, clockShort, count } from "./format.js";

// A series keeps its colour across polls and between the two charts: stuck CLOSE_WAIT causes
// share the CLOSE_WAIT hue family, FIN_WAIT2 ones the FIN_WAIT2 family, and so on.
const COLOURS = {
  close_wait: 0, fin_wait2: 1, time_wait: 2, established: 3, fin_wait1: 4, last_ack: 5,
  closing: 6, syn_sent: 7, syn_recv: 7, new_syn_recv: 7, listen: 8, close: 9,
  "close-wait-unread-eof": 0, "close-wait-read-not-closed": 6, "close-wait-unread-data": 9,
  "close-wait-never-accepted": 5, "fin-wait2-orphaned": 1, "fin-wait2-half-closed": 7,
  "fin-wait1-orphaned": 4, "last-ack-orphaned": 8, "closing-orphaned": 3, "time-wait": 2,
};

export function colourOf(key) {
  if (key in COLOURS) return `c${COLOURS[key]}`;
  let hash = 0;
  for (const ch of key) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return `c${hash % 10}`;
}

/** The y-axis top and step: round numbers (1, 2, 5 × 10ⁿ) people can read off. */
function niceScale(max, ticks = 4) {
  const raw = Math.max(max, 1) / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((m) => m >= raw);
  return { step, top: Math.ceil(Math.max(max, 1) / step) * step };
}

const M = { left: 52, right: 16, top: 12, bottom: 28 };

/**
 * A time series chart with axes, a legend that reads out values, and a data table for people who
 * cannot or would rather not read the picture.
 * samples: [{ at: Date, values: { key: number } }], oldest first. stacked: areas on top of each
 * other (parts of a whole) instead of lines (quantities compared).
 */
export function timeSeriesChart({ testid, caption, samples, keys, label = (k) => k, stacked = false }) {
  // The SVG scales to its box, text included: a narrower drawing on a phone keeps the axis
  // labels legible instead of shrinking a desktop-sized one. Redrawn at every poll.
  const narrow = window.matchMedia("(max-width: 640px)").matches;
  const W = narrow ? 420 : 720;
  const H = narrow ? 250 : 230;
  const figure = h("figure", { class: "chart", testid });
  figure.append(h("figcaption", {}, caption));
  if (samples.length === 0 || keys.length === 0) {
    figure.append(h("p", { class: "empty" }, "No history yet: samples arrive once per interval."));
    return figure;
  }

  const t0 = samples[0].at.getTime();
  const t1 = samples[samples.length - 1].at.getTime();
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  // One sample has no width in time: draw it at the right edge, where "now" is.
  const x = (t) => (t1 > t0 ? M.left + ((t - t0) / (t1 - t0)) * plotW : M.left + plotW);
  // For a stacked chart each key's band sits on the running total of the keys before it.
  const tops = samples.map((sample) => {
    let total = 0;
    return keys.map((k) => (stacked ? (total += sample.values[k] ?? 0) : sample.values[k] ?? 0));
  });
  const { step, top } = niceScale(Math.max(...tops.flat()));
  const y = (v) => M.top + plotH - (v / top) * plotH;

  const latest = samples[samples.length - 1];
  const summary = `${caption}, ${clockShort(samples[0].at)} to ${clockShort(latest.at)}. Latest: ` +
    keys.map((k) => `${label(k)} ${count(latest.values[k] ?? 0)}`).join(", ") + ".";
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, class: "plot", role: "img", "aria-label": summary });

  for (let v = 0; v <= top; v += step) {
    svg.append(s("line", { class: "grid", x1: M.left, x2: W - M.right, y1: y(v), y2: y(v) }));
    svg.append(s("text", { class: "tick", x: M.left - 6, y: y(v) + 4, "text-anchor": "end" }, count(v)));
  }
  const xTicks = t1 > t0 ? (narrow ? 3 : 5) : 1;
  for (let i = 0; i < xTicks; i++) {
    const t = xTicks === 1 ? t1 : t0 + ((t1 - t0) * i) / (xTicks - 1);
    const anchor = xTicks === 1 || i === xTicks - 1 ? "end" : i === 0 ? "start" : "middle";
    svg.append(s("text", { class: "tick", x: x(t), y: H - 8, "text-anchor": anchor }, clockShort(new Date(t))));
  }
  svg.append(s("line", { class: "axis", x1: M.left, x2: W - M.right, y1: y(0), y2: y(0) }));

  keys.forEach((k, i) => {
    const points = samples.map((sample, j) => [x(sample.at.getTime()), y(tops[j][i])]);
    const colour = colourOf(k);
    const line = points.map(([px, py], j) => `${j ? "L" : "M"}${px.toFixed(1)},${py.toFixed(1)}`).join("");
    if (stacked) {
      // Back along the top of the band below (or the axis) to close the area.
      const below = samples.map((sample, j) => [x(sample.at.getTime()), y(i ? tops[j][i - 1] : 0)]).reverse();
      const back = below.map(([px, py]) => `L${px.toFixed(1)},${py.toFixed(1)}`).join("");
      svg.append(s("path", { class: ["area", colour], d: `${line}${back}Z` }, s("title", {}, label(k))));
    }
    svg.append(s("path", { class: ["line", colour], d: line }, s("title", {}, label(k))));
    if (samples.length === 1) svg.append(s("circle", { class: ["dot", colour], cx: points[0][0], cy: points[0][1], r: 3 }));
  });

  const guide = s("line", { class: "guide", y1: M.top, y2: y(0), x1: 0, x2: 0, visibility: "hidden" });
  svg.append(guide);

  // The legend doubles as the read-out: each entry shows its value at the latest sample, or at
  // the sample under the pointer.
  const when = h("time", { class: "readout-time" });
  const values = new Map(keys.map((k) => [k, h("b", {})]));
  const legend = h("ul", { class: "legend", "aria-label": "Legend" },
    keys.map((k) => h("li", { testid: `legend-${k}` },
      h("span", { class: ["swatch", colourOf(k)], "aria-hidden": "true" }), `${label(k)} `, values.get(k))));
  const showAt = (sample) => {
    when.textContent = sample === latest ? `Latest, ${clock(sample.at)}` : `At ${clock(sample.at)}`;
    when.setAttribute("datetime", sample.at.toISOString());
    for (const k of keys) values.get(k).textContent = count(sample.values[k] ?? 0);
  };
  showAt(latest);

  // Hover: the nearest sample in time gets a guide line and its values in the legend.
  svg.addEventListener("pointermove", (event) => {
    const box = svg.getBoundingClientRect();
    const px = ((event.clientX - box.left) / box.width) * W;
    let nearest = samples[0];
    for (const sample of samples) if (Math.abs(x(sample.at.getTime()) - px) < Math.abs(x(nearest.at.getTime()) - px)) nearest = sample;
    const gx = x(nearest.at.getTime());
    guide.setAttribute("x1", gx);
    guide.setAttribute("x2", gx);
    guide.setAttribute("visibility", "visible");
    showAt(nearest);
  });
  svg.addEventListener("pointerleave", () => {
    guide.setAttribute("visibility", "hidden");
    showAt(latest);
  });

  figure.append(svg, h("p", { class: "readout", testid: `${testid}-readout` }, when), legend, dataTable(samples, keys, label));
  return figure;
}

/** The same numbers as a table, newest first, folded away by default. */
function dataTable(samples, keys, label) {
  const rows = [...samples].reverse().map((sample) =>
    h("tr", {}, h("th", { scope: "row" }, clock(sample.at)), keys.map((k) => h("td", {}, count(sample.values[k] ?? 0)))));
  return h("details", { class: "table-fallback" },
    h("summary", {}, "Show as a table"),
    h("div", { class: "scroll" },
      h("table", {},
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "time"), keys.map((k) => h("th", { scope: "col" }, label(k))))),
        h("tbody", {}, rows))));
}

/** A small line without axes, beside a number that already says the value: decoration only. */
export function sparkline(values, colour) {
  const svg = s("svg", { class: "spark", viewBox: "0 0 100 24", preserveAspectRatio: "none", "aria-hidden": "true" });
  if (values.length < 2) return svg;
  const max = Math.max(1, ...values);
  const d = values.map((v, i) => `${i ? "L" : "M"}${((i / (values.length - 1)) * 100).toFixed(2)},${(22 - (v / max) * 20).toFixed(2)}`).join("");
  svg.append(s("path", { class: ["line", colour], d, "vector-effect": "non-scaling-stroke" }));
  return svg;
}

/**
 * A proportion bar: parts of a total, left to right, on a track. parts: [{ value, class }].
 * label says the same thing in words for screen readers.
 */
export function meter({ total, parts, label, testid }) {
  const svg = s("svg", { class: "meter", viewBox: "0 0 100 10", preserveAspectRatio: "none", role: "img", "aria-label": label, testid });
  svg.append(s("rect", { class: "track", x: 0, y: 0, width: 100, height: 10 }));
  let at = 0;
  for (const part of parts) {
    const width = total > 0 ? Math.min(100 - at, (100 * Math.max(0, part.value)) / total) : 0;
    if (width > 0) svg.append(s("rect", { class: part.class, x: at, y: 0, width, height: 10 }));
    at += width;
  }
  return svg;
}

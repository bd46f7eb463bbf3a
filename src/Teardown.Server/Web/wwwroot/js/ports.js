// Ephemeral ports per destination: a client can open at most rangeSize connections to one
// address:port at a time, and TIME_WAIT sockets keep their ports for 60 s after closing.
import { fill, h } from "./dom.js";
import { meter } from "./charts.js";
import { count, percent } from "./format.js";

export function renderPorts(report) {
  if (!report) return;
  const rows = report.namespaces.flatMap((ns) => ns.portUsage)
    .sort((a, b) => b.inUse / (b.rangeSize || 1) - a.inUse / (a.rangeSize || 1));
  if (rows.length === 0) {
    fill("ports", h("p", { class: "empty" }, "No outgoing connections to report."));
    return;
  }
  fill("ports", h("div", { class: "scroll" },
    h("table", { class: "bars" },
      h("thead", {}, h("tr", {},
        h("th", { scope: "col" }, "destination"), h("th", { scope: "col" }, "ephemeral ports in use"),
        h("th", { scope: "col", class: "num" }, "in use / range"), h("th", { scope: "col", class: "num" }, "TIME_WAIT"))),
      h("tbody", {}, rows.map((p) => {
        const used = p.rangeSize > 0 ? p.inUse / p.rangeSize : 0;
        const level = used >= 0.9 ? "crit" : used >= 0.5 ? "warn" : "fine";
        return h("tr", { testid: "port", class: `headroom-${level}` },
          h("th", { scope: "row", class: "address", testid: "port-destination" }, p.destination),
          h("td", { class: "bar-cell" }, meter({
            total: p.rangeSize,
            // TIME_WAIT is part of inUse: drawn first, hatched, then the live connections.
            parts: [{ value: p.timeWait, class: "fill-timewait" }, { value: p.inUse - p.timeWait, class: `fill-${level}` }],
            label: `${p.destination}: ${count(p.inUse)} of ${count(p.rangeSize)} ports in use, ${count(p.timeWait)} in TIME_WAIT`,
          })),
          h("td", { class: "num" }, `${count(p.inUse)} / ${count(p.rangeSize)} (${percent(p.inUse, p.rangeSize)})`),
          h("td", { class: "num" }, count(p.timeWait)));
      })))));
}

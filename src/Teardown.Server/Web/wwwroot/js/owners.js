// Processes holding sockets: who holds the most stuck ones, and who is closest to running out
// of descriptors (a CLOSE_WAIT leak ends in EMFILE: "Too many open files").
import { fill, h } from "./dom.js";
import { meter } from "./charts.js";
import { count, percent } from "./format.js";

export function renderOwners(owners) {
  if (!owners) return;
  const list = owners.owners ?? [];
  if (list.length === 0) {
    fill("owners-stuck", h("p", { class: "empty" }, "No process holds a stuck socket."));
    fill("owners-fds", []);
    return;
  }
  const byStuck = [...list].sort((a, b) => b.stuckSockets - a.stuckSockets);
  const most = Math.max(1, ...list.map((o) => o.stuckSockets));
  fill("owners-stuck", table(["process", "stuck sockets", { num: "count" }], byStuck.map((o) =>
    h("tr", { testid: "owner" },
      h("th", { scope: "row" }, who(o)),
      h("td", { class: "bar-cell" }, meter({ total: most, parts: [{ value: o.stuckSockets, class: "fill-stuck" }], label: `${o.command}: ${count(o.stuckSockets)} stuck sockets` })),
      h("td", { class: "num" }, count(o.stuckSockets))))));

  // Unlimited processes cannot run out: they go last.
  const headroom = (o) => (o.fdLimit ? (o.fdLimit - o.openFds) / o.fdLimit : Infinity);
  const byHeadroom = [...list].sort((a, b) => headroom(a) - headroom(b) || b.openFds - a.openFds);
  fill("owners-fds", table(["process", "used of the limit", { num: "open / limit" }, { num: "headroom" }], byHeadroom.map((o) => {
    const left = headroom(o);
    const level = left < 0.05 ? "crit" : left < 0.2 ? "warn" : "fine";
    return h("tr", { testid: "owner-fds", class: `headroom-${level}` },
      h("th", { scope: "row" }, who(o)),
      h("td", { class: "bar-cell" }, o.fdLimit
        ? meter({ total: o.fdLimit, parts: [{ value: o.openFds, class: `fill-${level}` }], label: `${o.command}: ${count(o.openFds)} of ${count(o.fdLimit)} descriptors open` })
        : h("span", { class: "muted" }, "no limit")),
      h("td", { class: "num" }, `${count(o.openFds)} / ${o.fdLimit ? count(o.fdLimit) : "∞"}`),
      h("td", { class: ["num", `level-${level}`] }, o.fdLimit ? percent(o.fdLimit - o.openFds, o.fdLimit) : "unlimited"));
  })));
}

function who(o) {
  return [
    h("span", { class: "owner-command" }, o.command), h("span", { class: "muted" }, ` pid ${o.pid}`),
    o.pod ? h("span", { class: "tag" }, `pod ${o.pod}`) : null,
    o.container ? h("span", { class: "tag", title: o.container }, `container ${o.container.slice(0, 12)}`) : null,
  ];
}

/** columns: a heading, or { num: heading } for a right-aligned number column. */
function table(columns, rows) {
  return h("div", { class: "scroll" },
    h("table", { class: "bars" },
      h("thead", {}, h("tr", {}, columns.map((c) => (typeof c === "string"
        ? h("th", { scope: "col" }, c)
        : h("th", { scope: "col", class: "num" }, c.num))))),
      h("tbody", {}, rows)));
}

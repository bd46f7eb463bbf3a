// The header answers "is this host fine, and can I trust what I see?": health, the time of the
// snapshot, and every reason the picture may be old or incomplete.
import { fill, h } from "./dom.js";
import { ago, count, dateTime, clock } from "./format.js";
import { blindSpotLabel, SEVERITIES } from "./vocab.js";

/**
 * status: /api/status or null; report: /api/report or null; problems: messages of failed
 * requests in the last poll (the page keeps showing what it had).
 */
export function renderHeader({ status, report, problems }) {
  renderHealth(status, report);
  renderWarnings(status, report, problems);
  renderBlindSpots(report);
  renderFooter(status);
}

function renderHealth(status, report) {
  const node = document.getElementById("status");
  if (!report) {
    node.dataset.health = "unknown";
    fill("status", h("span", { class: "pill unknown" }, status && !status.ready ? "Waiting for the first snapshot…" : "Loading…"));
    return;
  }
  const findings = report.namespaces.flatMap((ns) => ns.findings);
  const healthy = report.namespaces.every((ns) => ns.healthy);
  const bySeverity = SEVERITIES.map((sev) => [sev, findings.filter((f) => f.severity === sev).length]).filter(([, n]) => n > 0);
  const actionable = findings.filter((f) => f.severity !== "info").length;
  const takenAt = latestTakenAt(report);
  node.dataset.health = healthy ? "healthy" : "unhealthy";

  fill("status",
    h("span", { class: ["pill", healthy ? "ok" : "bad"], testid: "health" },
      healthy ? "Healthy" : `${count(actionable)} ${actionable === 1 ? "finding needs" : "findings need"} attention`),
    h("span", { class: "severity-chips", "aria-label": "Findings by severity" },
      bySeverity.map(([sev, n]) => h("span", { class: ["badge", `sev-${sev}`] }, `${count(n)} ${sev}`))),
    actionsChip(status),
    heldChip(report),
    takenAt && h("span", { class: "taken-at", testid: "last-snapshot" },
      "Snapshot ",
      h("time", { datetime: takenAt.toISOString(), title: dateTime(takenAt) }, clock(takenAt)),
      ago(takenAt) ? ` (${ago(takenAt)})` : ""),
  );
}

// Sockets `teardown release` / `teardown kill` ended since boot (the action ledger, via /api/status).
function actionsChip(status) {
  const acts = status?.actions;
  if (!acts || acts.release.released + acts.kill.killed === 0) return null;
  return h("span", { class: "actions", testid: "actions", title: "Sockets teardown release and teardown kill ended since boot (action ledger)" },
    `Released ${count(acts.release.released)} · killed ${count(acts.kill.killed)} by teardown`);
}

// Descriptors applications still hold on connections teardown ended: only the application frees them.
function heldChip(report) {
  const held = report.namespaces.flatMap((ns) => ns.heldAfterAction ?? []);
  const fds = held.reduce((n, x) => n + x.count, 0);
  if (fds === 0) return null;
  return h("span", { class: ["badge", "sev-info"], testid: "held-after-release", title: held.map((x) => x.title).join("\n") },
    `${count(fds)} ${fds === 1 ? "descriptor" : "descriptors"} still held after release`);
}

function latestTakenAt(report) {
  const times = report.namespaces.map((ns) => new Date(ns.takenAt)).filter((d) => !Number.isNaN(d.getTime()));
  return times.length ? new Date(Math.max(...times)) : null;
}

function renderWarnings(status, report, problems) {
  const lines = [];
  if (problems.length) lines.push(`Cannot reach the server: ${problems.join("; ")}. Showing the last data received.`);
  if (status?.stale) {
    const since = status.lastSuccess ? new Date(status.lastSuccess) : null;
    lines.push(since ? `Stale: the last good snapshot is from ${dateTime(since)}.` : "Stale: no snapshot has succeeded yet.");
  }
  if (status?.lastError) lines.push(`Last snapshot failed: ${status.lastError}`);
  if (report?.namespaces.some((ns) => ns.source === "none")) lines.push("No socket source worked: the counts are empty, not zero.");
  const node = fill("stale", lines.map((line) => h("p", {}, line)));
  node.hidden = lines.length === 0;
}

function renderBlindSpots(report) {
  const spots = report ? report.namespaces.flatMap((ns) => ns.blindSpots) : [];
  const partial = report?.namespaces.some((ns) => ns.partial) ?? false;
  const node = fill("blind-spots", spots.length === 0 ? [] :
    h("details", {},
      h("summary", {}, partial ? `Partial view: ${count(spots.length)} blind ${spots.length === 1 ? "spot" : "spots"}`
        : `${count(spots.length)} blind ${spots.length === 1 ? "spot" : "spots"} (the view is still complete)`),
      h("ul", {}, spots.map((spot) =>
        h("li", { testid: "blind-spot" },
          h("strong", {}, blindSpotLabel(spot.kind)), ": ", spot.detail,
          spot.error ? h("span", { class: "muted" }, ` (${spot.error})`) : null)))));
  node.hidden = spots.length === 0;
  node.classList.toggle("partial", partial);
}

function renderFooter(status) {
  if (!status) return;
  fill("about",
    `teardown ${status.version} · a snapshot every ${count(status.intervalSeconds)} s · `,
    `${count(status.snapshots)} snapshots, ${count(status.failedSnapshots)} failed · `,
    h("a", { href: "metrics" }, "Prometheus metrics"), " · ",
    h("a", { href: "api/report" }, "JSON report"));
}

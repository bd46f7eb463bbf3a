// The page's loop: read /api/status for the interval, fetch the rest, draw. The server takes one
// snapshot per interval, so polling faster would only redraw the same data.
import { renderHeader } from "./header.js";
import { renderStates } from "./states.js";
import { renderFindings } from "./findings.js";
import { renderOwners } from "./owners.js";
import { renderPorts } from "./ports.js";

const MIN_INTERVAL_S = 1;
// Until the first snapshot exists the server has nothing to show: ask again soon.
const NOT_READY_RETRY_S = 2;

// The last good answer of each endpoint: a failed poll keeps the picture and says so.
const last = { status: null, report: null, history: null, owners: null };
let renders = 0;

// Relative URLs, so the page also works behind a reverse proxy under a path prefix.
async function getJson(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" }, cache: "no-store" });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

async function poll() {
  const problems = [];
  try {
    last.status = await getJson("api/status");
  } catch (error) {
    problems.push(error.message);
  }
  if (last.status?.ready) {
    const names = ["report", "history", "owners"];
    const results = await Promise.allSettled(names.map((name) => getJson(`api/${name}`)));
    results.forEach((result, i) => {
      if (result.status === "fulfilled") last[names[i]] = result.value;
      else problems.push(result.reason.message);
    });
  }
  draw(problems);

  const interval = last.status?.ready ? last.status.intervalSeconds : Math.min(NOT_READY_RETRY_S, last.status?.intervalSeconds ?? NOT_READY_RETRY_S);
  setTimeout(poll, Math.max(MIN_INTERVAL_S, Number(interval) || MIN_INTERVAL_S) * 1000);
}

function draw(problems) {
  // Each part draws on its own: a bug or an odd value in one section must not blank the others.
  const parts = [
    () => renderHeader({ status: last.status, report: last.report, problems }),
    () => renderStates(last.report, last.history),
    () => renderFindings(last.report),
    () => renderOwners(last.owners),
    () => renderPorts(last.report),
  ];
  for (const part of parts) {
    try {
      part();
    } catch (error) {
      console.error("teardown page: a section failed to draw", error);
    }
  }
  // For tests and for people debugging: how many polls have been drawn, and whether data came.
  document.documentElement.dataset.renders = String(++renders);
  document.documentElement.dataset.loaded = String(last.report !== null);
}

poll();

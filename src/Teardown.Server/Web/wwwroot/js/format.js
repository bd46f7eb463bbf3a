// Formatting for people. One place, so numbers and times read the same everywhere.

const integer = new Intl.NumberFormat("en", { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat("en", { maximumFractionDigits: 1 });

export const count = (n) => (n === null || n === undefined ? "—" : integer.format(n));
export const number = (n) => (n === null || n === undefined ? "—" : decimal.format(n));
export const percent = (part, whole) => (whole > 0 ? `${decimal.format((100 * part) / whole)} %` : "—");

/** "59.8 s", "4 min", "2.5 h", "3 days": reap times and ages. */
export function seconds(s) {
  if (s === null || s === undefined) return "—";
  if (s < 120) return `${decimal.format(s)} s`;
  if (s < 7200) return `${decimal.format(s / 60)} min`;
  if (s < 172800) return `${decimal.format(s / 3600)} h`;
  return `${decimal.format(s / 86400)} days`;
}

/** Wall-clock time in the viewer's zone: the chart axes and the header. */
export const clock = (date) => date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
export const clockShort = (date) => date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
export const dateTime = (date) => date.toLocaleString([], { dateStyle: "medium", timeStyle: "medium" });

/** "12 s ago"; null when the clock of the viewer is behind the server's (no negative ages). */
export function ago(date, now = new Date()) {
  const s = (now - date) / 1000;
  if (!(s >= 0)) return null;
  return `${seconds(Math.round(s))} ago`;
}

/** TCP state as the kernel spells it ("CLOSE_WAIT") from either spelling. */
export const stateName = (key) => key.toUpperCase();
/** The node_exporter spelling ("close_wait") used by /api/history and the test ids. */
export const stateKey = (name) => name.toLowerCase();

// Words for the doctor's ids. The ids stay visible where people grep for them (metrics use the
// same ids); these labels are what a chart legend or a heading says.

/** Display order of states: the stuck ones first, then the normal traffic. */
export const STATE_ORDER = [
  "close_wait", "fin_wait2", "time_wait", "fin_wait1", "last_ack", "closing",
  "established", "syn_sent", "syn_recv", "new_syn_recv", "listen", "close", "bound_inactive",
];

/** One line on what each state means for the person looking at a leak. */
export const STATE_HINTS = {
  close_wait: "peer closed; our application has not",
  fin_wait2: "we closed; waiting for the peer's FIN",
  time_wait: "closed; kept 60 s by the kernel",
  fin_wait1: "our FIN sent, not yet acknowledged",
  last_ack: "both closed; our FIN unacknowledged",
  closing: "both sides closed at once",
  established: "open connections",
  listen: "listening sockets",
};

/** States that mean something is stuck when not zero (the tiles are highlighted). */
export const STUCK_STATES = new Set(["close_wait", "fin_wait2", "fin_wait1", "last_ack", "closing"]);

export const CLASS_LABELS = {
  "close-wait-unread-eof": "CLOSE_WAIT · end of stream unread",
  "close-wait-read-not-closed": "CLOSE_WAIT · read, never closed",
  "close-wait-unread-data": "CLOSE_WAIT · request unread",
  "close-wait-never-accepted": "CLOSE_WAIT · never accepted",
  "fin-wait2-orphaned": "FIN_WAIT2 · orphaned (kernel reaps)",
  "fin-wait2-half-closed": "FIN_WAIT2 · half-closed, never reaped",
  "fin-wait1-orphaned": "FIN_WAIT1 · orphaned, retransmitting",
  "last-ack-orphaned": "LAST_ACK · orphaned, retransmitting",
  "closing-orphaned": "CLOSING · orphaned",
  "closing-attached": "CLOSING · held by a process",
  "time-wait": "TIME_WAIT",
  established: "ESTABLISHED",
  opening: "opening (handshake)",
  other: "other",
};

/** Classes that are normal traffic rather than a cause of stuck sockets: left out of that chart. */
export const NOT_STUCK_CLASSES = new Set(["established", "opening", "time-wait"]);

export const classLabel = (id) => CLASS_LABELS[id] ?? id;

/** Blind spots in words (the doctor's rule: never show a bare enum name to people). */
export const BLIND_SPOT_LABELS = {
  "not-root": "Not running as root: other users' descriptors are unreadable",
  "proc-partly-unreadable": "Part of /proc could not be read",
  "sock-diag-unavailable": "sock_diag unavailable: sockets read from /proc/net/tcp",
  "reduced-socket-detail": "Reduced socket detail (no tcp_info, coarse timers)",
  "sockets-unavailable": "Sockets could not be read",
  "dump-inconsistent": "The socket table changed during the dump",
  "namespace-unavailable": "A network namespace could not be entered",
  "owners-unavailable": "Owners unknown: the process scan failed",
  "owners-not-scanned": "Owners not scanned: no owner means unknown, not orphaned",
  "settings-unreadable": "Some kernel settings could not be read",
  "counters-unreadable": "Kernel counters could not be read",
  unexpected: "Something unexpected failed",
};

export const blindSpotLabel = (kind) => BLIND_SPOT_LABELS[kind] ?? "Something could not be seen";

export const SEVERITIES = ["critical", "high", "medium", "low", "info"];

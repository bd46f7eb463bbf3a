// The findings: one line each (severity, count, title) that opens onto the explanation —
// whose side is at fault, what happened in the kernel, the fix, and when the kernel reaps them.
import { fill, h } from "./dom.js";
import { count, number, percent, seconds } from "./format.js";

// Which findings the reader opened: polls redraw the list and must not fold them again.
const opened = new Set();
const identity = (f, netns) => [netns, f.kind, f.side, f.service, f.owner?.pid ?? ""].join("|");

export function renderFindings(report) {
  if (!report) return;
  const many = report.namespaces.length > 1;
  const items = report.namespaces.flatMap((ns) => ns.findings.map((f) => ({ f, netns: ns.netns })));
  fill("findings-count", items.length ? `(${count(items.length)})` : "");
  fill("findings", items.length === 0
    ? h("p", { class: "empty", testid: "no-findings" }, "Nothing stuck: no socket is in a state the doctor worries about.")
    : items.map(({ f, netns }) => finding(f, identity(f, netns), many ? netns : null)));
}

function finding(f, id, netns) {
  const details = h("details", { open: opened.has(id) },
    h("summary", {},
      h("span", { class: ["badge", `sev-${f.severity}`], testid: "finding-severity" }, f.severity),
      h("span", { class: "finding-count", "aria-label": `${count(f.count)} sockets` }, count(f.count)),
      h("span", { class: "finding-title", testid: "finding-title" }, f.title),
      h("span", { class: "finding-tags" },
        h("span", { class: "tag" }, `our ${f.side}`),
        h("span", { class: ["tag", f.reap.never ? "never" : "reaped"] }, f.reap.never ? "never reaped" : `reaped ≤ ${seconds(f.reap.latestSeconds)}`),
        netns !== null ? h("span", { class: "tag" }, `netns ${netns}`) : null)),
    h("div", { class: "finding-body" },
      h("dl", {},
        h("dt", {}, "Whose side"), h("dd", { testid: "finding-fault" }, f.fault),
        h("dt", {}, "Held by"), h("dd", {}, holder(f.owner)),
        h("dt", {}, "Service"), h("dd", {}, f.service),
        h("dt", {}, "What happened"), h("dd", { testid: "finding-mechanism" }, f.mechanism),
        h("dt", {}, "When the kernel frees them"), h("dd", { testid: "finding-reap" }, reap(f.reap)),
        f.pairedOnHost > 0 ? [h("dt", {}, "Other end"), h("dd", {}, otherEnd(f))] : null),
      h("h4", {}, "Fix"),
      h("ul", { class: "fix", testid: "finding-fix" }, f.fix.map((line) => h("li", {}, line))),
      figures(f.figures),
      examples(f.examples)));
  details.addEventListener("toggle", () => (details.open ? opened.add(id) : opened.delete(id)));
  return h("article", { class: ["finding", `sev-${f.severity}`], testid: "finding", "data-kind": f.kind }, details);
}

function holder(owner) {
  if (!owner) return "no process (kernel-owned, or not yet accepted)";
  const limit = owner.fdLimit ? ` of ${count(owner.fdLimit)} (${percent(owner.fds, owner.fdLimit)} used)` : " (no limit)";
  return [
    h("strong", {}, owner.comm), ` (pid ${owner.pid})`,
    owner.executable && owner.executable !== owner.comm ? h("span", { class: "muted" }, ` ${owner.executable}`) : null,
    ` · ${count(owner.fds)} descriptors${limit}`,
    owner.cgroup && owner.cgroup !== "/" ? [" · cgroup ", h("code", {}, owner.cgroup)] : null,
  ];
}

function reap(r) {
  const when = r.never
    ? h("strong", { class: "never" }, "Never by time alone: the application must act.")
    : r.latestSeconds === null
      ? h("strong", {}, "By the kernel, at an unknown time.")
      : h("strong", {}, r.earliestSeconds !== null && Math.abs(r.latestSeconds - r.earliestSeconds) >= 1
        ? `Within ${seconds(r.earliestSeconds)} to ${seconds(r.latestSeconds)} of the snapshot.`
        : `Within ${seconds(r.latestSeconds)} of the snapshot.`);
  return [when, " ", r.explanation];
}

function otherEnd(f) {
  return `${count(f.pairedOnHost)} of the ${count(f.count)} have their other end on this host` +
    (f.peerClass ? `, mostly ${f.peerClass}` : "") + (f.peerPid !== null ? ` in pid ${f.peerPid}` : "") + ".";
}

function figures(list) {
  if (!list?.length) return null;
  return h("details", { class: "sub" },
    h("summary", {}, "Figures"),
    h("div", { class: "scroll" },
      h("table", {},
        h("thead", {}, h("tr", {}, ["figure", "value", "source", "from"].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, list.map((fig) => h("tr", {},
          h("th", { scope: "row" }, fig.name),
          h("td", { class: "num" }, `${number(fig.value)} ${fig.unit}`),
          h("td", {}, fig.source),
          h("td", { class: "muted" }, fig.origin)))))));
}

function examples(list) {
  if (!list?.length) return null;
  return h("details", { class: "sub" },
    h("summary", {}, `Example sockets (${count(list.length)})`),
    h("div", { class: "scroll" },
      h("table", {},
        h("thead", {}, h("tr", {}, ["local", "remote", "state", "Recv-Q", "Send-Q", "fd", "quiet", "timer"].map((c) => h("th", { scope: "col" }, c)))),
        h("tbody", {}, list.map((e) => h("tr", {},
          h("td", {}, e.local), h("td", {}, e.remote), h("td", {}, e.state),
          h("td", { class: "num" }, count(e.recvQ)), h("td", { class: "num" }, count(e.sendQ)),
          h("td", { class: "num" }, e.fd === null ? "—" : count(e.fd)),
          h("td", { class: "num" }, e.quietMs === null ? "—" : seconds(e.quietMs / 1000)),
          h("td", {}, e.timer ? `${e.timer} ${seconds(e.timerMs / 1000)}` : "—")))))));
}

// The only way the page builds elements. Every string from the API is attacker-influenced
// (process names, cgroup paths, socket addresses), so text always goes in through textContent
// or setAttribute — never innerHTML — and data never chooses an attribute name.

const SVG_NS = "http://www.w3.org/2000/svg";

function apply(node, props, children) {
  for (const [name, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    // Attribute names are always written in this code; refuse event handlers anyway, so a
    // mistake cannot turn into script (the CSP would block it too).
    if (/^on/i.test(name)) throw new Error(`refusing event attribute ${name}`);
    if (name === "text") node.textContent = String(value);
    else if (name === "class") node.setAttribute("class", Array.isArray(value) ? value.filter(Boolean).join(" ") : value);
    else if (name === "testid") node.setAttribute("data-testid", value);
    else if (value === true) node.setAttribute(name, "");
    else node.setAttribute(name, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** An HTML element: h("p", { class: "x", testid: "y" }, "text", childNode). */
export function h(tag, props, ...children) {
  return apply(document.createElement(tag), props, children);
}

/** An SVG element, same rules. */
export function s(tag, props, ...children) {
  return apply(document.createElementNS(SVG_NS, tag), props, children);
}

/** Replaces the content of the element with id `id`. */
export function fill(id, ...children) {
  const node = document.getElementById(id);
  node.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  return node;
}

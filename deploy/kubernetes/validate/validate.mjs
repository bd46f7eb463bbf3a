#!/usr/bin/env node
// Validates Kubernetes manifests offline against the API's OpenAPI schemas, as the API server would
// (types, required fields, enums, formats), and rejects fields the schema does not know (the API
// server's strict field validation, which `kubectl apply` uses by default).
//
// The schemas come from npm packages, pinned by package-lock.json (install with `npm ci` here):
//   kubernetes-models                        the built-in kinds (core, apps, networking, rbac, ...)
//   @kubernetes-models/prometheus-operator   the Prometheus Operator's CRDs (ServiceMonitor, PrometheusRule, ...)
//
// Usage: node validate.mjs TARGET...
//   TARGET is a YAML file (one or more documents), a kustomization folder (each file its
//   kustomization.yaml lists under resources:, recursively; a YAML file of the folder that it does not
//   list is an error), or - for standard input (e.g. `kubectl kustomize DIR | node validate.mjs -`).
// Prints one line per document; exits 0 when every document is valid, 1 when any is not, 2 on misuse.

import { readFileSync, readdirSync, statSync, existsSync } from "node:fs";
import path from "node:path";
import { parseAllDocuments, parse as parseYaml, LineCounter } from "yaml";

const args = process.argv.slice(2);
if (args.length === 0 || args.includes("-h") || args.includes("--help")) {
  console.error("usage: node validate.mjs FILE|KUSTOMIZATION_DIR|- ...");
  process.exit(2);
}

let failures = 0;
let documents = 0;

function fail(where, message) {
  failures++;
  console.log(`error ${where}: ${message}`);
}

/** The files a kustomization folder builds on, in order; orphan YAML files are errors. */
function kustomizationFiles(dir, seen = new Set()) {
  const real = path.resolve(dir);
  if (seen.has(real)) {
    fail(dir, "kustomization cycle");
    return [];
  }
  seen.add(real);
  const kfile = ["kustomization.yaml", "kustomization.yml", "Kustomization"].map((f) => path.join(dir, f)).find((f) => existsSync(f));
  if (!kfile) {
    fail(dir, "a folder given to the validator must hold a kustomization.yaml");
    return [];
  }
  let k;
  try {
    k = parseYaml(readFileSync(kfile, "utf8"));
  } catch (e) {
    fail(kfile, `not YAML: ${e.message}`);
    return [];
  }
  if (k?.kind !== "Kustomization") fail(kfile, `kind must be Kustomization, not ${JSON.stringify(k?.kind)}`);
  const resources = Array.isArray(k?.resources) ? k.resources : [];
  if (resources.length === 0) fail(kfile, "lists no resources");
  const files = [];
  const listed = new Set();
  for (const r of resources) {
    const p = path.join(dir, String(r));
    if (!existsSync(p)) {
      fail(kfile, `resource ${r} does not exist`);
      continue;
    }
    listed.add(path.resolve(p));
    if (statSync(p).isDirectory()) files.push(...kustomizationFiles(p, seen));
    else files.push(p);
  }
  // A manifest beside the kustomization that it does not list would never be applied.
  for (const f of readdirSync(dir)) {
    const p = path.join(dir, f);
    if (/\.ya?ml$/.test(f) && !/^kustomization\.ya?ml$/.test(f) && !listed.has(path.resolve(p))) {
      fail(kfile, `${f} is in the folder but not listed under resources`);
    }
  }
  return files;
}

/** The model class of apiVersion/kind, from the packages' module layout; null if none. */
async function modelOf(apiVersion, kind) {
  if (typeof apiVersion !== "string" || typeof kind !== "string") return null;
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(kind)) return null;
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/", 2) : ["", apiVersion];
  if (!/^[a-z0-9.-]*$/.test(group) || !/^v[0-9a-z]+$/.test(version)) return null;
  const candidates =
    group === "monitoring.coreos.com"
      ? [`@kubernetes-models/prometheus-operator/${group}/${version}/${kind}`]
      : [group === "" ? `kubernetes-models/${version}/${kind}` : `kubernetes-models/${group}/${version}/${kind}`];
  for (const spec of candidates) {
    try {
      const mod = await import(spec);
      if (typeof mod[kind] === "function") return mod[kind];
    } catch (e) {
      if (e?.code !== "ERR_MODULE_NOT_FOUND" && e?.code !== "ERR_PACKAGE_PATH_NOT_EXPORTED") throw e;
    }
  }
  return null;
}

/**
 * Runs the schema validator on a proxy that records which properties it reads. The generated
 * validators read every property their schema declares (and every entry of a map), so a property
 * never read is one the schema does not have: an unknown field.
 */
function validateTracked(Model, doc) {
  const read = new WeakMap();
  const proxies = new WeakMap();
  const wrap = (value) => {
    if (value === null || typeof value !== "object") return value;
    if (proxies.has(value)) return proxies.get(value);
    read.set(value, new Set());
    const proxy = new Proxy(value, {
      get(target, key, receiver) {
        if (typeof key === "string") read.get(target).add(key);
        return wrap(Reflect.get(target, key, receiver));
      },
      has(target, key) {
        if (typeof key === "string") read.get(target).add(key);
        return Reflect.has(target, key);
      },
    });
    proxies.set(value, proxy);
    return proxy;
  };
  let error = null;
  try {
    Model.prototype.validate.call(wrap(doc));
  } catch (e) {
    error = e;
  }
  const unknown = [];
  const walk = (value, where) => {
    if (value === null || typeof value !== "object") return;
    const seen = read.get(value) ?? new Set();
    for (const key of Object.keys(value)) {
      const at = `${where}.${key}`;
      if (!seen.has(key)) unknown.push(at.replace(/^\./, ""));
      else walk(value[key], at);
    }
  };
  if (!error) walk(doc, "");
  return { error, unknown };
}

const dns1123Subdomain = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

async function validateText(text, source) {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: true });
  const list = Array.isArray(docs) ? docs : [docs];
  for (const d of list) {
    const line = d.contents?.range ? lineCounter.linePos(d.contents.range[0]).line : 1;
    const where = `${source}:${line}`;
    if (d.errors.length > 0) {
      for (const e of d.errors) fail(where, `YAML: ${e.message.split("\n")[0]}`);
      continue;
    }
    const obj = d.toJS({ maxAliasCount: 0 });
    if (obj === null || obj === undefined) continue;
    documents++;
    if (typeof obj !== "object" || Array.isArray(obj)) {
      fail(where, "a manifest must be a mapping");
      continue;
    }
    const name = obj.metadata?.name;
    const id = `${obj.kind ?? "?"}/${name ?? "?"}`;
    const Model = await modelOf(obj.apiVersion, obj.kind);
    if (!Model) {
      fail(`${where}: ${id}`, `no schema for apiVersion ${JSON.stringify(obj.apiVersion)} kind ${JSON.stringify(obj.kind)}`);
      continue;
    }
    let bad = false;
    if (typeof name !== "string" || name.length > 253 || !dns1123Subdomain.test(name)) {
      fail(`${where}: ${id}`, `metadata.name must be a DNS-1123 name, not ${JSON.stringify(name)}`);
      bad = true;
    }
    const { error, unknown } = validateTracked(Model, obj);
    if (error) {
      const errors = Array.isArray(error.errors) ? error.errors : [];
      if (errors.length === 0) fail(`${where}: ${id}`, error.message);
      for (const e of errors) {
        const at = (e.instancePath || "/").replace(/^\//, "").replace(/\//g, ".") || "(document)";
        const detail = e.keyword === "required" ? `missing required field ${e.params.missingProperty}`
          : e.keyword === "enum" ? `must be one of ${e.params.allowedValues.join(", ")}`
          : e.keyword === "type" ? `must be ${e.params.type}`
          : e.message ?? e.keyword;
        fail(`${where}: ${id}`, `${at}: ${detail}`);
      }
      bad = true;
    }
    for (const u of unknown) {
      fail(`${where}: ${id}`, `${u}: unknown field (not in the ${obj.apiVersion} ${obj.kind} schema)`);
      bad = true;
    }
    if (!bad) console.log(`ok    ${where}: ${id}`);
  }
}

for (const target of args) {
  if (target === "-") {
    await validateText(readFileSync(0, "utf8"), "<stdin>");
  } else if (!existsSync(target)) {
    fail(target, "no such file or folder");
  } else if (statSync(target).isDirectory()) {
    for (const f of kustomizationFiles(target)) await validateText(readFileSync(f, "utf8"), f);
  } else {
    await validateText(readFileSync(target, "utf8"), target);
  }
}

if (documents === 0) fail(args.join(" "), "no Kubernetes document found");
console.log(failures === 0 ? `${documents} documents valid` : `${failures} errors in ${documents} documents`);
process.exit(failures === 0 ? 0 : 1);

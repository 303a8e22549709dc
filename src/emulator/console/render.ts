// The console's HTML: the page shell, the view (the model drawn as cards, re-sent whole over
// server-sent events when it changes) and the sign-in page. Every value is escaped; nothing here
// ever holds the emulator's token.
import type {
  ConsoleModel,
  FlowView,
  MapView,
  PolicyView,
  ProviderView,
  RecordView,
  StepView,
  WriteView,
} from "./model.js";

export function escape(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (ch) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[ch] as string,
  );
}

/** Tagged template that escapes every interpolated string; arrays of already-rendered Html join. */
class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

type Part = Html | string | number | null | undefined | readonly Html[];

function html(strings: TemplateStringsArray, ...parts: Part[]): Html {
  let out = strings[0] ?? "";
  parts.forEach((part, i) => {
    if (part instanceof Html) out += part.text;
    else if (Array.isArray(part)) out += (part as readonly Html[]).map((p) => p.text).join("");
    else if (part !== null && part !== undefined) out += escape(String(part));
    out += strings[i + 1] ?? "";
  });
  return new Html(out);
}

/** A status as a coloured badge; the colour follows what the status means, not its exact label. */
function badge(status: string | null): Html {
  if (status === null) return html`<span class="badge">no status</span>`;
  const on = /^(activated|active|published|running)$/i.test(status);
  const off = /^(stopped|inactive|unpublished|paused|notrunning)$/i.test(status);
  return html`<span class="badge ${on ? "on" : off ? "off" : "other"}">${status}</span>`;
}

function section(
  id: string,
  title: string,
  count: number,
  body: Html | readonly Html[],
  empty: string,
): Html {
  const content = Array.isArray(body) ? body : [body as Html];
  return html`<section id="${id}">
    <h2>${title} <span class="count">${count}</span></h2>
    ${count === 0 ? html`<p class="empty">${empty}</p>` : html`<div class="cards">${content}</div>`}
  </section>`;
}

function provider(p: ProviderView): Html {
  const connections = p.connections.map(
    (c) =>
      html`<li class="connection">
        <div class="row"><span class="name">${c.name}</span>${badge(c.status)}</div>
        ${c.connectionUrl ? html`<div class="url">${c.connectionUrl}</div>` : null}
      </li>`,
  );
  return html`<article class="card provider">
    <h3><span class="name">${p.name}</span>${badge(p.status)}</h3>
    ${p.definition ? html`<p class="meta">installed from ${p.definition}</p>` : null}
    <h4>Connections</h4>
    ${
      connections.length > 0
        ? html`<ul class="connections">
            ${connections}
          </ul>`
        : html`<p class="empty">No connection saved.</p>`
    }
  </article>`;
}

function clauses(title: string, lines: readonly string[]): Html | null {
  if (lines.length === 0) return null;
  return html`<h4>${title}</h4>
    <ol class="clauses">
      ${lines.map((l) => html`<li><code>${l}</code></li>`)}
    </ol>`;
}

function map(m: MapView): Html {
  return html`<article class="card map">
    <h3><span class="name">${m.name}</span>${badge(m.state)}</h3>
    <p class="meta">Dataverse ${m.dataverseTable} · F&amp;O ${m.financeEntity}</p>
    ${
      clauses("Dataverse filter", m.dataverseFilter) ??
      html`<p class="empty">No Dataverse filter: every row syncs.</p>`
    }${clauses("F&O filter", m.financeFilter)}${
      m.transformedFields.length > 0
        ? html`<h4>Fields with a transform</h4>
            <ul class="fields">
              ${m.transformedFields.map(
                (f) => html`<li><code>${f.field}</code> ${f.direction}: ${f.transforms.join(", ")}</li>`,
              )}
            </ul>`
        : null
    }
  </article>`;
}

function policy(p: PolicyView): Html {
  const meta = [p.type, p.entity, p.criticality, p.version === null ? null : `version ${p.version}`].filter(
    (x): x is string => x !== null,
  );
  return html`<article class="card policy">
    <h3><span class="name">${p.name}</span>${badge(p.status)}</h3>
    <p class="meta">${meta.join(" · ")}</p>
    ${
      p.rules.length > 0
        ? html`<ol class="rules">
            ${p.rules.map(
              (r) =>
                html`<li>
                  <div class="rule-name">${r.name}</div>
                  <p class="words">${r.words}</p>
                </li>`,
            )}
          </ol>`
        : html`<p class="empty">No rules.</p>`
    }
  </article>`;
}

function step(s: StepView): Html {
  return html`<li class="step">
    <div class="step-name">${s.name}</div>
    ${
      s.tile ? html`<div class="tile">${s.tile}</div>` : null
    }${s.policies.length > 0 ? html`<div class="policies">policies: ${s.policies.join(", ")}</div>` : null}${
      s.action
        ? html`<div class="action">
            <span class="provider">${s.action.provider}</span> →
            <span class="provider-action">${s.action.action}</span>
          </div>`
        : null
    }
  </li>`;
}

function flow(f: FlowView): Html {
  return html`<article class="card flow wide">
    <h3><span class="name">${f.name}</span>${badge(f.status)}</h3>
    ${
      f.steps === null
        ? html`<p class="problem">The emulator cannot read its definition: ${f.problem ?? ""}</p>`
        : f.steps.length === 0
          ? html`<p class="empty">No steps.</p>`
          : html`<ol class="steps">
              ${f.steps.map(step)}
            </ol>`
    }
  </article>`;
}

/** A Web API path without its service root; a gateway path as "dual-write gateway: <route>". */
function shortPath(path: string): string {
  return path
    .replace(/^\/api\/data\/v9\.2\//, "")
    .replace(/^\/api\/DualWriteManagement\/1\.0\//, "dual-write gateway: ");
}

function writes(list: readonly WriteView[]): Html {
  if (list.length === 0)
    return html`<p class="empty">
      No writes since this emulator started (its request log is kept in memory).
    </p>`;
  return html`<table>
    <thead>
      <tr>
        <th>#</th>
        <th>request</th>
        <th>record</th>
      </tr>
    </thead>
    <tbody>
      ${list.map(
        (w) =>
          html`<tr>
            <td>${w.seq}</td>
            <td><code>${w.method} ${shortPath(w.path)}</code></td>
            <td>${w.record ?? ""}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function records(list: readonly RecordView[]): Html {
  return html`<table>
    <thead>
      <tr>
        <th>version</th>
        <th>table</th>
        <th>record</th>
        <th>modified</th>
      </tr>
    </thead>
    <tbody>
      ${list.map(
        (r) =>
          html`<tr>
            <td>${r.version}</td>
            <td>${r.table}</td>
            <td>${r.name}</td>
            <td>${r.modifiedOn ?? ""}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** The part of the page that changes: re-rendered and pushed whole when the data changes. */
export function renderView(model: ConsoleModel): string {
  return html`${section(
      "providers",
      "Providers",
      model.providers.length,
      model.providers.map(provider),
      "No provider installed.",
    )}${section("maps", "Dual-write maps", model.maps.length, model.maps.map(map), "No table map.")}${section(
      "policies",
      "Policies",
      model.policies.length,
      model.policies.map(policy),
      "No policy.",
    )}${section(
      "flows",
      "Orchestration flows",
      model.flows.length,
      model.flows.map(flow),
      "No orchestration flow.",
    )}
    <section id="writes">
      <h2>Latest writes</h2>
      <div class="cards">
        <article class="card wide">
          <h4>Requests since the emulator started, newest first</h4>
          ${writes(model.writes)}
          <h4>Records by their last change (kept in the data directory)</h4>
          ${records(model.records)}
        </article>
      </div>
    </section>`.text;
}

const HTMX_CONFIG = JSON.stringify({
  // No inline styles or scripts and no eval, so the page runs under a strict Content-Security-Policy.
  includeIndicatorStyles: false,
  allowEval: false,
  allowScriptTags: false,
  selfRequestsOnly: true,
});

function shell(title: string, body: Html, head: Html = html``): string {
  return `<!doctype html>${
    html`<html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title}</title>
        <link rel="icon" href="/_console/static/icon.svg" />
        <link rel="stylesheet" href="/_console/static/console.css" />
        ${head}
      </head>
      <body>
        ${body}
      </body>
    </html>`.text
  }\n`;
}

/** The console page: the view as it is now, then kept current by the SSE extension of htmx. */
export function renderPage(model: ConsoleModel, origin: string): string {
  const head = html`<meta name="htmx-config" content="${HTMX_CONFIG}" />
    <script src="/_console/static/htmx.min.js"></script>
    <script src="/_console/static/sse.js"></script>`;
  const body = html`<header>
      <h1>IOM emulator console</h1>
      <p class="meta">Read-only view of the emulator at ${origin}. It updates when the data changes.</p>
    </header>
    <div hx-ext="sse" sse-connect="/_console/events">
      <main id="view" sse-swap="view">${new Html(renderView(model))}</main>
    </div>`;
  return shell("IOM emulator console", body, head);
}

/** The page that asks for the token; `refused` when one was given and did not match (never echoed). */
export function renderSignIn(refused: boolean): string {
  const body = html`<main class="sign-in">
    <h1>IOM emulator console</h1>
    ${refused ? html`<p class="problem">That token was not accepted.</p>` : null}
    <p>
      Sign in with the emulator's token: the one it was started with (<code>iom emulator --token</code>,
      docs/emulator.md).
    </p>
    <form method="post" action="/">
      <label>Token <input type="password" name="token" autocomplete="off" autofocus required /></label>
      <button type="submit">Open the console</button>
    </form>
  </main>`;
  return shell("IOM emulator console: sign in", body);
}

// The CanaryPilot dashboard: the rollouts, and one rollout's stages, weights, metrics and decisions, live.
// Everything it shows comes from /api/v1 with the token a person gives it, kept for this tab only. Text is
// always set as text, never parsed as markup: names, reasons and messages are user input.
"use strict";

(() => {
  const tokenKey = "canarypilot-token";
  const main = document.getElementById("main");
  const who = document.getElementById("who");
  const forget = document.getElementById("forget");
  let role = null;
  let view = null; // { stop() } of the page on screen

  // ---- small helpers ----

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes ?? {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "class") node.className = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function age(since, until) {
    if (!since) return "";
    const seconds = Math.max(0, Math.round(((until ? Date.parse(until) : Date.now()) - Date.parse(since)) / 1000));
    if (seconds < 60) return `${seconds}s`;
    if (seconds < 3600) return `${Math.floor(seconds / 60)}m${seconds % 60 ? ` ${seconds % 60}s` : ""}`;
    if (seconds < 86400) return `${Math.floor(seconds / 3600)}h ${Math.floor((seconds % 3600) / 60)}m`;
    return `${Math.floor(seconds / 86400)}d`;
  }

  /** Replaces a node's children, leaving out the ones not there (null): replaceChildren would write them as "null". */
  function fill(node, ...children) {
    node.replaceChildren(...children.flat().filter(child => child !== null && child !== undefined && child !== false));
  }

  function clock(time) {
    return time ? new Date(time).toLocaleTimeString() : "";
  }

  function number(value) {
    return value === null || value === undefined ? "–" : Number(value).toLocaleString(undefined, { maximumFractionDigits: 3 });
  }

  const terminal = new Set(["Succeeded", "RolledBack", "Aborted"]);

  // ---- the API ----

  function token() {
    return sessionStorage.getItem(tokenKey);
  }

  async function api(path, options = {}) {
    const response = await fetch(path, { ...options, headers: { Authorization: `Bearer ${token()}`, Accept: "application/json", ...(options.headers ?? {}) } });
    const text = await response.text();
    let body = null;
    try { body = text ? JSON.parse(text) : null; } catch { body = { detail: text }; }
    if (response.status === 401) {
      signOut("The token was refused; give another.");
      throw new Error("unauthorized");
    }
    return { status: response.status, body };
  }

  /** Follows a server-sent events stream (fetch, so the token goes in a header), handing each event on; reconnects when it ends. */
  function follow(path, handle) {
    const stop = new AbortController();
    (async () => {
      while (!stop.signal.aborted) {
        try {
          const response = await fetch(path, { headers: { Authorization: `Bearer ${token()}`, Accept: "text/event-stream" }, signal: stop.signal });
          if (response.status === 401) { signOut("The token was refused; give another."); return; }
          const reader = response.body.getReader();
          const decoder = new TextDecoder();
          let buffer = "";
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer += decoder.decode(value, { stream: true });
            let end;
            while ((end = buffer.indexOf("\n\n")) >= 0) {
              const block = buffer.slice(0, end);
              buffer = buffer.slice(end + 2);
              let event = "message";
              const data = [];
              for (const line of block.split("\n")) {
                if (line.startsWith("event: ")) event = line.slice(7);
                else if (line.startsWith("data: ")) data.push(line.slice(6));
              }
              if (data.length > 0) handle(event, JSON.parse(data.join("\n")));
            }
          }
        } catch (error) {
          if (stop.signal.aborted) return;
        }
        // The stream ended (a restart, a failover): follow it again shortly.
        await new Promise(resolve => setTimeout(resolve, 2000));
      }
    })();
    return () => stop.abort();
  }

  // ---- signing in ----

  function signOut(reason) {
    sessionStorage.removeItem(tokenKey);
    role = null;
    signIn(reason);
  }

  function signIn(reason) {
    show(null);
    who.textContent = "";
    forget.hidden = true;
    const input = el("input", { type: "password", id: "token", placeholder: "bearer token", autocomplete: "off", required: true });
    const problem = el("p", { class: "error", id: "signin-error" }, reason ?? "");
    main.replaceChildren(
      el("h1", {}, "Sign in"),
      el("p", { class: "muted" }, "The API's bearer token (a viewer's or an operator's). It is kept for this tab only."),
      el("form", {
        class: "signin",
        onsubmit: async event => {
          event.preventDefault();
          sessionStorage.setItem(tokenKey, input.value.trim());
          if (await whoAmI()) route();
          else { sessionStorage.removeItem(tokenKey); problem.textContent = "The token was refused."; }
        },
      }, input, el("button", { type: "submit", id: "signin" }, "Sign in")),
      problem);
    input.focus();
  }

  async function whoAmI() {
    const response = await fetch("/api/v1/me", { headers: { Authorization: `Bearer ${token()}` } });
    if (!response.ok) return false;
    role = (await response.json()).role;
    who.textContent = `signed in as ${role}`;
    forget.hidden = false;
    return true;
  }

  forget.addEventListener("click", () => signOut("Signed out."));

  // ---- pages ----

  function show(next) {
    view?.stop();
    view = next;
  }

  async function route() {
    if (location.hash.startsWith("#token=")) {
      // A link that signs in (the demo prints one): the token moves to this tab's storage and out of the address.
      sessionStorage.setItem(tokenKey, decodeURIComponent(location.hash.slice("#token=".length)));
      role = null;
      history.replaceState(null, "", `${location.pathname}#/`);
    }
    if (!token()) { signIn(); return; }
    if (!role && !(await whoAmI())) { signOut("The token was refused; give another."); return; }
    const match = location.hash.match(/^#\/([^/]+)\/([^/]+)$/);
    if (match) await rollout(decodeURIComponent(match[1]), decodeURIComponent(match[2]));
    else await list();
  }

  window.addEventListener("hashchange", () => route());

  async function list() {
    const filter = el("input", { type: "search", id: "filter", placeholder: "filter by namespace, name or phase", oninput: () => apply() });
    const body = el("tbody");
    const rows = new Map();
    main.replaceChildren(el("h1", {}, "Rollouts"), el("p", {}, filter), el("table", { id: "rollouts" },
      el("thead", {}, el("tr", {}, ["Namespace", "Name", "Phase", "Stage", "Weight", "Last verdict", "Age"].map(h => el("th", {}, h)))),
      body));

    function apply() {
      const words = filter.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      for (const row of rows.values()) {
        const text = row.dataset.search;
        row.hidden = !words.every(word => text.includes(word));
      }
    }

    function put(rollout) {
      const key = `${rollout.namespace}/${rollout.name}`;
      const row = el("tr", { class: "rollout", "data-key": key, onclick: () => { location.hash = `#/${encodeURIComponent(rollout.namespace)}/${encodeURIComponent(rollout.name)}`; } },
        el("td", {}, rollout.namespace),
        el("td", {}, el("a", { href: `#/${encodeURIComponent(rollout.namespace)}/${encodeURIComponent(rollout.name)}` }, rollout.name)),
        el("td", { class: `phase ${rollout.phase}` }, rollout.valid === false ? "Invalid" : rollout.phase),
        el("td", { class: "stage" }, rollout.stage ?? ""),
        el("td", { class: "weight" }, `${rollout.canaryWeight}%`),
        el("td", { class: `verdict ${rollout.lastAnalysis ?? ""}` }, rollout.lastAnalysis ?? ""),
        el("td", {}, age(rollout.startedAt, rollout.finishedAt)));
      row.dataset.search = `${key} ${rollout.phase}`.toLowerCase();
      const old = rows.get(key);
      if (old) old.replaceWith(row); else body.append(row);
      rows.set(key, row);
      apply();
    }

    const { status, body: rollouts } = await api("/api/v1/rollouts/");
    if (status !== 200) { main.append(el("p", { class: "error" }, rollouts?.detail ?? `HTTP ${status}`)); return; }
    rollouts.forEach(put);
    show({ stop: follow("/api/v1/rollouts/events", (event, data) => { if (event === "rollout") put(data); }) });
  }

  async function rollout(ns, name) {
    const path = `/api/v1/rollouts/${encodeURIComponent(ns)}/${encodeURIComponent(name)}`;
    const { status, body: described } = await api(path);
    if (status !== 200) {
      main.replaceChildren(el("p", {}, el("a", { href: "#/" }, "← all rollouts")), el("p", { class: "error" }, described?.detail ?? `HTTP ${status}`));
      show(null);
      return;
    }

    const summary = el("div", { class: "card", id: "summary" });
    const timeline = el("ol", { class: "timeline", id: "timeline" });
    const weights = el("div", { class: "chart", id: "weights" }, el("h3", {}, "Weights"));
    const charts = el("div", { class: "charts", id: "metrics" });
    const decisions = el("tbody");
    const feedback = el("p", { class: "error", id: "feedback", role: "alert" });
    main.replaceChildren(
      el("p", {}, el("a", { href: "#/" }, "← all rollouts")),
      el("h1", {}, `${ns}/${name}`),
      summary, feedback,
      el("h2", {}, "Stages"), timeline,
      el("h2", {}, "Weights and metrics over time"), el("div", { class: "charts" }, weights), charts,
      el("h2", {}, "Decisions"),
      el("table", { class: "decisions", id: "decisions" },
        el("thead", {}, el("tr", {}, ["Time", "Stage", "Weight", "Verdict", "What happened"].map(h => el("th", {}, h)))),
        decisions));

    const plots = new Map(); // chart name → uPlot
    const stages = described.stages ?? [];
    const limits = new Map((described.metrics ?? []).map(m => [m.name, m]));

    function render(current) {
      renderSummary(current);
      timeline.replaceChildren(...stages.map((stage, i) => el("li", {
        class: current.stage === i && !terminal.has(current.phase) ? "current" : (current.stage > i || current.phase === "Succeeded" ? "done" : null),
        "data-stage": i,
      }, stage)));
      const history = current.history ?? [];
      draw("weights", weights, history.map(p => [Date.parse(p.time) / 1000, p.canaryWeight, 100 - p.canaryWeight]),
        [{ label: "canary %", stroke: "#e07b00", width: 2 }, { label: "stable %", stroke: "#0969da", width: 2 }], { min: 0, max: 100 });
      const names = [...new Set([...limits.keys(), ...history.flatMap(p => (p.metrics ?? []).map(m => m.name))])];
      for (const metric of names) {
        let box = charts.querySelector(`[data-metric="${CSS.escape(metric)}"]`);
        const limit = limits.get(metric) ?? {};
        if (!box) {
          const bounds = [limit.min !== null && limit.min !== undefined ? `min ${limit.min}` : null, limit.max !== null && limit.max !== undefined ? `max ${limit.max}` : null, limit.compareToStable].filter(Boolean).join(", ");
          box = el("div", { class: "chart", "data-metric": metric }, el("h3", {}, metric, bounds ? el("span", { class: "muted" }, ` (${bounds})`) : null));
          charts.append(box);
        }
        const checks = history.filter(p => p.kind === "check").map(p => [p, (p.metrics ?? []).find(m => m.name === metric)]).filter(([, m]) => m);
        const rows = checks.map(([p, m]) => [Date.parse(p.time) / 1000, m.value ?? null, m.stableValue ?? null, limit.min ?? null, limit.max ?? null]);
        draw(`metric:${metric}`, box, rows, [
          { label: "canary", stroke: "#e07b00", width: 2 },
          { label: "stable", stroke: "#0969da", width: 2 },
          { label: "min", stroke: "#cf222e", dash: [6, 4] },
          { label: "max", stroke: "#cf222e", dash: [6, 4] },
        ]);
      }
      decisions.replaceChildren(...[...history].reverse().map(p => el("tr", { "data-kind": p.kind },
        el("td", {}, clock(p.time)),
        el("td", {}, p.stage === null || p.stage === undefined ? "" : stages[p.stage] ?? `stage ${p.stage + 1}`),
        el("td", {}, `${p.canaryWeight}%`),
        el("td", { class: `verdict ${p.verdict ?? ""}` }, p.verdict ?? p.phase),
        el("td", {}, p.message ?? "",
          (p.metrics ?? []).length ? el("div", { class: "muted" }, p.metrics.map(describeMetric).join("; ")) : null,
          (p.gates ?? []).length ? el("div", { class: "muted gates" }, p.gates.join("; ")) : null,
          (p.announced ?? []).length ? el("div", { class: "muted announced" }, `announced: ${p.announced.join(", ")}`) : null))));
    }

    function describeMetric(m) {
      const stable = m.stableValue !== null && m.stableValue !== undefined ? ` (stable ${number(m.stableValue)})` : "";
      const bounds = m.lower !== null && m.lower !== undefined
        ? `, ratio ${number(m.ratio)} in [${number(m.lower)}, ${m.upper === null || m.upper === undefined ? "∞" : number(m.upper)}] against ${number(m.tolerance)}`
        : "";
      return `${m.name} ${number(m.value)}${stable} ${m.verdict}${bounds}`;
    }

    function draw(key, box, rows, series, scale) {
      const data = [rows.map(r => r[0]), ...series.map((_, i) => rows.map(r => r[i + 1]))];
      box.dataset.points = String(rows.length);
      let plot = plots.get(key);
      if (!plot) {
        const width = Math.max(320, box.clientWidth || 520);
        plot = new uPlot({
          width, height: 220,
          series: [{}, ...series.map(s => ({ ...s, spanGaps: true }))],
          scales: scale ? { y: { range: [scale.min, scale.max] } } : {},
          axes: [{}, {}],
        }, data, box);
        plots.set(key, plot);
      } else {
        plot.setData(data);
      }
    }

    function renderSummary(current) {
      const actions = role === "operator" ? actionsFor(current.phase) : [];
      fill(summary,
        el("div", {},
          el("span", { class: `phase ${current.phase}`, id: "phase" }, current.phase), " · ",
          el("span", { id: "stage" }, current.stageName ?? "no stage yet"), " · canary ",
          el("span", { id: "weight" }, `${current.canaryWeight}%`), ", stable ", `${current.stableWeight}%`,
          current.lastAnalysis ? [" · last check ", el("span", { class: `verdict ${current.lastAnalysis.verdict}` }, current.lastAnalysis.verdict), ` ${clock(current.lastAnalysis.time)}`] : null,
          current.startedAt ? ` · started ${age(current.startedAt, current.finishedAt)} ago` : null),
        el("p", { class: "message", id: "message" }, current.message ?? ""),
        current.trafficHold ? el("p", { class: "error" }, `traffic held: ${current.trafficHold}`) : null,
        current.workloadHold ? el("p", { class: "error" }, `workload held: ${current.workloadHold}`) : null,
        actions.length ? el("div", { class: "actions", id: "actions" }, actions.map(command => el("button", {
          type: "button",
          class: command === "abort" ? "danger" : null,
          "data-command": command,
          onclick: () => act(command),
        }, command))) : null);
    }

    function actionsFor(phase) {
      const commands = [];
      if (phase === "AwaitingApproval") commands.push("approve");
      if (["Progressing", "AwaitingApproval"].includes(phase)) commands.push("pause");
      if (phase === "Paused") commands.push("resume");
      if (["Initializing", "Progressing", "AwaitingApproval", "Paused"].includes(phase)) commands.push("promote");
      if (!terminal.has(phase) && !["Promoting", "RollingBack"].includes(phase)) commands.push("abort");
      if (["RolledBack", "Aborted"].includes(phase)) commands.push("retry");
      return commands;
    }

    async function act(command) {
      feedback.textContent = "";
      if ((command === "abort" || command === "promote") && !(await confirmed(command === "abort"
        ? `Abort ${ns}/${name}? All traffic goes back to stable.`
        : `Promote ${ns}/${name} now? All traffic goes to the canary, skipping the stages left.`))) {
        return;
      }
      const { status, body } = await api(`${path}/${command}`, { method: "POST" });
      if (status !== 200) feedback.textContent = `${command} refused (HTTP ${status}): ${body?.detail ?? body?.title ?? ""}`;
      else if (body?.status) render(body.status);
    }

    render(described.status);
    show({ stop: follow(`${path}/events`, (event, current) => { if (event === "status") render(current); }) });
  }

  function confirmed(question) {
    const dialog = document.getElementById("confirm");
    document.getElementById("confirm-text").textContent = question;
    return new Promise(resolve => {
      dialog.addEventListener("close", () => resolve(dialog.returnValue === "ok"), { once: true });
      dialog.returnValue = "";
      dialog.showModal();
    });
  }

  route();
})();

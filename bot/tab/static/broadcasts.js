/* The broadcasts page: compose with a live preview of the exact member card (Microsoft's renderer, Teams' host config),
   save a draft, send or schedule, then the delivery report per chat and its CSV export. */
"use strict";
(function () {
  const { tr, api, el, announce, download } = window.Tab;
  const form = document.getElementById("composer");
  const state = { draftId: null, hostConfig: null, timer: null, reportId: null };
  const md = window.markdownit({ html: false, linkify: false, breaks: false });
  window.AdaptiveCards.AdaptiveCard.onProcessMarkdown = function (text, result) {
    result.outputHtml = md.render(text);
    result.didProcess = true;
  };

  function values() {
    const data = {};
    for (const name of ["title", "message", "link", "image", "send_date", "send_time"]) data[name] = form.elements[name].value;
    data.mode = form.elements.mode.value;
    data.faggrupper = Array.from(form.elements.faggrupper.selectedOptions).map(function (o) { return o.value; }).join(",");
    data.project = form.elements.project.value;
    data.ack = form.elements.ack.checked ? "true" : "false";
    if (state.draftId) data.broadcast_id = String(state.draftId);
    return data;
  }

  function clearErrors() {
    for (const node of form.querySelectorAll(".field-error")) node.textContent = "";
    for (const node of form.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
  }

  function showErrors(fields) {
    clearErrors();
    for (const [name, message] of Object.entries(fields)) {
      const slot = document.getElementById("e-" + name);
      if (slot) slot.textContent = message;
      const control = form.elements[name === "send_at" ? "send_date" : name];
      if (control && control.setAttribute) control.setAttribute("aria-invalid", "true");
    }
  }

  function render(cardJson) {
    const card = new window.AdaptiveCards.AdaptiveCard();
    card.hostConfig = new window.AdaptiveCards.HostConfig(state.hostConfig);
    card.parse(cardJson);
    document.getElementById("preview").replaceChildren(card.render());
  }

  async function preview() {
    try {
      const result = await api("/api/tab/broadcasts/preview", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify(values()) });
      clearErrors();
      render(result.card);
      document.getElementById("preview-note").textContent = tr("tab.broadcast.preview_note",
        { chats: result.chats, groups: result.groups, when: result.when });
      return true;
    } catch (err) {
      if (err.status === 422) showErrors(err.body.fields || {});
      else announce(err.message, true);
      return false;
    }
  }

  async function save() {
    const result = await api("/api/tab/broadcasts", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify(values()) });
    state.draftId = result.id;
    render(result.card);
    return result;
  }

  async function guarded(action) {
    try { await action(); } catch (err) {
      if (err.status === 422) showErrors(err.body.fields || {});
      else announce(err.message, true);
    }
  }

  function row(item) {
    const open = el("button", { type: "button", text: tr("tab.broadcast.open"), "aria-label": tr("tab.broadcast.open") + ": " + item.title });
    open.addEventListener("click", function () { guarded(function () { return showReport(item.id); }); });
    return el("tr", { "data-id": item.id }, [el("th", { scope: "row", text: item.title }), el("td", { text: item.state_label }),
      el("td", { text: item.sent }), el("td", { text: item.failed }), el("td", { text: item.waiting }),
      el("td", { text: item.ack ? item.read : "–" }), el("td", {}, [open])]);
  }

  async function showReport(id) {
    const data = await api("/api/tab/broadcasts/" + id);
    state.reportId = id;
    document.getElementById("report-area").hidden = false;
    document.getElementById("report-h").textContent = tr("tab.broadcast.report") + ": " + data.title;
    document.getElementById("report-state").textContent = data.state_label;
    const rows = [];
    for (const line of data.lines) {
      rows.push(el("tr", {}, [el("th", { scope: "row", text: line.faggruppe }), el("td", { text: line.sent }),
        el("td", { text: line.failed }), el("td", { text: line.waiting }), el("td", { text: data.ack ? line.read : "–" }),
        el("td", {})]));
      for (const p of line.problems) {
        rows.push(el("tr", {}, [el("td", { text: p.chat }), el("td", {}), el("td", {}), el("td", {}), el("td", {}),
          el("td", { text: p.reason })]));
      }
    }
    document.querySelector("#report tbody").replaceChildren(...rows);
    document.getElementById("report-cancel").hidden = data.state !== "scheduled";
  }

  async function loadList() {
    const data = await api("/api/tab/broadcasts");
    const tbody = document.querySelector("#recent tbody");
    tbody.replaceChildren(...data.items.map(row));
    if (!data.items.length) tbody.append(el("tr", {}, [el("td", { colspan: 7, text: tr("tab.broadcast.none") })]));
    return data;
  }

  async function load(me) {
    if (!me.is_leader) { document.getElementById("leaders-only").hidden = false; return; }
    document.getElementById("composer-area").hidden = false;
    document.getElementById("recent-area").hidden = false;
    const resp = await fetch("/tab/static/vendor/adaptivecards/teams-hostconfig.json", { credentials: "omit" });
    state.hostConfig = await resp.json();
    const data = await loadList();
    for (const f of data.faggrupper) form.elements.faggrupper.append(el("option", { value: f, text: f }));
    for (const [id, name] of data.projects) form.elements.project.append(el("option", { value: id, text: name }));
  }

  form.addEventListener("input", function () {
    clearTimeout(state.timer);
    state.timer = setTimeout(preview, 400);
  });
  document.getElementById("b-save").addEventListener("click", function () {
    guarded(async function () { const r = await save(); announce(r.message); await loadList(); });
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    guarded(async function () {
      await save();
      const result = await api("/api/tab/broadcasts/" + state.draftId + "/send", { method: "POST" });
      const id = state.draftId;
      state.draftId = null;
      form.reset();
      document.getElementById("preview").replaceChildren();
      await loadList();
      await showReport(id);
      announce(result.message);
    });
  });
  document.getElementById("report-export").addEventListener("click", function () {
    guarded(function () { return download("/api/tab/broadcasts/" + state.reportId + "/export", "report.csv"); });
  });
  document.getElementById("report-cancel").addEventListener("click", function () {
    guarded(async function () {
      const result = await api("/api/tab/broadcasts/" + state.reportId + "/cancel", { method: "POST" });
      await loadList();
      await showReport(state.reportId);
      announce(result.message);
    });
  });
  window.Tab.start(load);
})();

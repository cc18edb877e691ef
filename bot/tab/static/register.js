/* The register page: filters, sort and pages from the server, inline editing in a dialog, charts, export. */
"use strict";
(function () {
  const { tr, api, el, announce, download } = window.Tab;
  const form = document.getElementById("filters");
  const state = { page: 1, pages: 1, charts: {}, me: null, editing: null, optionsFilled: false, initial: true };
  const nok = new Intl.NumberFormat(document.documentElement.lang === "en" ? "en-GB" : "nb-NO", { maximumFractionDigits: 0 });

  function fill(select, choices) {
    for (const choice of choices) {
      const [value, label] = Array.isArray(choice) ? choice : [choice, choice];
      select.append(el("option", { value: value, text: label }));
    }
  }

  function query() {
    const params = new URLSearchParams();
    for (const name of ["project", "faggruppe", "municipality", "kind", "status", "q", "sort"]) {
      const value = form.elements[name].value;
      if (value) params.set(name, value);
    }
    params.set("desc", form.elements.desc.checked ? "1" : "0");
    params.set("page", String(state.page));
    return params.toString();
  }

  function row(item) {
    const actions = el("td");
    if (item.can_edit) {
      const button = el("button", { type: "button", text: tr("tab.edit"), "aria-label": tr("tab.edit") + ": " + item.title });
      button.addEventListener("click", function () { openEditor(item.id); });
      actions.append(button);
    }
    const estimate = item.estimate_nok === null || item.estimate_nok === 0 ? "" : nok.format(item.estimate_nok);
    return el("tr", { "data-id": item.id }, [
      el("td", { text: item.kind_label }), el("th", { scope: "row", text: item.title }), el("td", { text: item.project }),
      el("td", { text: item.faggruppe }), el("td", { text: item.municipalities.join(", ") }),
      el("td", { text: item.status_label }), el("td", { class: "num", text: estimate }),
      el("td", { text: item.submitter }), el("td", { text: item.updated }), actions,
    ]);
  }

  function chart(key, data) {
    if (state.charts[key]) state.charts[key].destroy();
    const canvas = document.getElementById("chart-" + key);
    const styles = getComputedStyle(document.documentElement);
    const text = styles.getPropertyValue("--text").trim();
    const grid = styles.getPropertyValue("--border").trim();
    canvas.textContent = Object.entries(data).map(function (kv) { return kv[0] + ": " + kv[1]; }).join(", ");
    state.charts[key] = new window.Chart(canvas, {
      type: "bar",
      data: { labels: Object.keys(data), datasets: [{ label: tr("tab.chart.count"), data: Object.values(data),
        backgroundColor: styles.getPropertyValue("--brand").trim() }] },
      options: { animation: false, indexAxis: key === "by_kind" ? "x" : "y", plugins: { legend: { display: false } },
        scales: { x: { ticks: { color: text, precision: 0 }, grid: { color: grid } },
                  y: { ticks: { color: text, precision: 0 }, grid: { color: grid } } } },
    });
  }

  async function load() {
    const data = await api("/api/tab/register?" + query());
    if (!state.optionsFilled) {
      const o = data.options;
      fill(form.elements.project, o.projects); fill(form.elements.faggruppe, o.faggrupper);
      fill(form.elements.municipality, o.municipalities); fill(form.elements.kind, o.kinds);
      fill(form.elements.status, o.statuses);
      state.optionsFilled = true;
    }
    if (state.initial) {  // a configurable tab's part (?faggruppe=, ?project=): shown from the start
      state.initial = false;
      const wanted = new URLSearchParams(location.search);
      let changed = false;
      for (const name of ["project", "faggruppe"]) {
        if (wanted.get(name) && Array.from(form.elements[name].options).some(function (o) { return o.value === wanted.get(name); })) {
          form.elements[name].value = wanted.get(name);
          changed = true;
        }
      }
      if (changed) return load();
    }
    state.page = data.page; state.pages = data.pages;
    const tbody = document.querySelector("#entries tbody");
    tbody.replaceChildren(...data.items.map(row));
    if (!data.items.length) tbody.append(el("tr", {}, [el("td", { colspan: 10, text: tr("tab.empty") })]));
    document.getElementById("count").textContent = tr("tab.count", { total: data.total, page: data.page, pages: data.pages });
    document.getElementById("prev").disabled = data.page <= 1;
    document.getElementById("next").disabled = data.page >= data.pages;
    document.getElementById("note").hidden = data.sees_all;
    document.getElementById("export").hidden = !data.can_export;
    const project = form.elements.project.value;
    document.getElementById("export-hint").hidden = !!project;
    document.getElementById("export-xlsx").disabled = !project;
    document.getElementById("export-csv").disabled = !project;
    document.getElementById("totals").textContent = data.charts.total_nok ? nok.format(data.charts.total_nok) + " kr" : "";
    for (const key of ["by_kind", "by_faggruppe", "by_municipality"]) chart(key, data.charts[key]);
  }

  function input(field, value) {
    const id = "f-" + field.name;
    const attrs = { id: id, name: field.name, required: field.required, "aria-describedby": "e-" + field.name };
    let control;
    if (field.type === "textarea") control = el("textarea", Object.assign(attrs, { maxlength: field.max, text: value }));
    else if (field.type === "choice" || field.type === "multi") {
      control = el("select", Object.assign(attrs, { multiple: field.type === "multi" }));
      const chosen = field.type === "multi" ? value.split(",") : [value];
      if (field.type === "choice" && !field.required) control.append(el("option", { value: "", text: "" }));
      for (const [v, label] of field.choices) control.append(el("option", { value: v, text: label, selected: chosen.includes(v) }));
    } else if (field.type === "flag") {
      control = el("input", Object.assign(attrs, { type: "checkbox", value: "true", checked: value === "true" }));
    } else {
      const type = field.type === "date" ? "date" : "text";
      control = el("input", Object.assign(attrs, { type: type, maxlength: field.max, value: value,
        inputmode: field.type === "number" ? "decimal" : null }));
    }
    const label = el("label", { for: id, class: field.type === "flag" ? "check" : null },
      field.type === "flag" ? [control, field.label] : [field.label + (field.required ? " " + tr("tab.required") : ""), control]);
    return el("div", { class: "field" }, [label, el("span", { id: "e-" + field.name, class: "field-error" })]);
  }

  function values() {
    const out = {};
    for (const node of document.getElementById("edit-fields").querySelectorAll("input, select, textarea")) {
      if (node.type === "checkbox") out[node.name] = node.checked ? "true" : "false";
      else if (node.multiple) out[node.name] = Array.from(node.selectedOptions).map(function (o) { return o.value; });
      else out[node.name] = node.value;
    }
    return out;
  }

  async function openEditor(id) {
    const entry = await api("/api/tab/register/" + id);
    state.editing = entry;
    document.getElementById("editor-h").textContent = tr("tab.edit_title", { title: entry.title });
    document.getElementById("edit-error").hidden = true;
    document.getElementById("edit-fields").replaceChildren(
      ...entry.fields.map(function (f) { return input(f, entry.values[f.name] || ""); }));
    document.getElementById("editor").showModal();
    document.getElementById("f-title").focus();
  }

  function showErrors(fields) {
    for (const node of document.querySelectorAll("#edit-fields .field-error")) node.textContent = "";
    for (const node of document.querySelectorAll("#edit-fields [aria-invalid]")) node.removeAttribute("aria-invalid");
    let first = null;
    for (const [name, message] of Object.entries(fields)) {
      const control = document.getElementById("f-" + name);
      const slot = document.getElementById("e-" + name);
      if (slot) slot.textContent = message;
      if (control) { control.setAttribute("aria-invalid", "true"); first = first || control; }
    }
    document.getElementById("edit-error").hidden = false;
    if (first) first.focus();
  }

  async function save(event) {
    event.preventDefault();
    try {
      const result = await api("/api/tab/register/" + state.editing.id, { method: "PATCH",
        headers: { "Content-Type": "application/json" }, body: JSON.stringify(values()) });
      document.getElementById("editor").close();
      await load();
      announce(result.message);
    } catch (err) {
      if (err.status === 422) showErrors(err.body.fields || {});
      else announce(err.message, true);
    }
  }

  async function withdraw() {
    if (!window.confirm(tr("tab.withdraw_confirm", { title: state.editing.title }))) return;
    try {
      const result = await api("/api/tab/register/" + state.editing.id + "/withdraw", { method: "POST" });
      document.getElementById("editor").close();
      await load();
      announce(result.message);
    } catch (err) { announce(err.message, true); }
  }

  async function guarded(action) {
    try { await action(); } catch (err) { announce(err.message, true); }
  }

  form.addEventListener("submit", function (e) { e.preventDefault(); state.page = 1; guarded(load); });
  form.addEventListener("reset", function () { setTimeout(function () { state.page = 1; guarded(load); }, 0); });
  document.getElementById("prev").addEventListener("click", function () { state.page -= 1; guarded(load); });
  document.getElementById("next").addEventListener("click", function () { state.page += 1; guarded(load); });
  document.getElementById("edit-form").addEventListener("submit", save);
  document.getElementById("edit-cancel").addEventListener("click", function () { document.getElementById("editor").close(); });
  document.getElementById("edit-withdraw").addEventListener("click", withdraw);
  for (const format of ["xlsx", "csv"]) {
    document.getElementById("export-" + format).addEventListener("click", function () {
      guarded(function () {
        return download("/api/tab/register/export?format=" + format + "&project=" + form.elements.project.value, "export." + format);
      });
    });
  }
  window.Tab.start(async function (me) { state.me = me; await load(); });
})();

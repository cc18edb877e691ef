/* The portfolio page: projects with their phases and BP1–BP5, deadlines (overdue marked), readiness from the register;
   leaders set or remove deadlines, which reschedules reminders and updates the calendar event as in chat. */
"use strict";
(function () {
  const { tr, api, el, announce } = window.Tab;
  let canEdit = false;

  function left(gate) {
    if (gate.days_left === null) return "";
    if (gate.days_left === 0) return tr("tab.portfolio.today");
    return gate.days_left > 0 ? tr("tab.portfolio.days_left", { days: gate.days_left })
      : tr("tab.portfolio.days_over", { days: -gate.days_left });
  }

  function editor(project, gate) {
    const id = "d-" + project.id + "-" + gate.bp;
    const date = el("input", { type: "date", id: id, name: "deadline", value: gate.deadline, required: true });
    const time = el("input", { type: "time", id: id + "-t", name: "deadline_time", value: gate.deadline_time });
    const error = el("span", { class: "field-error", id: id + "-e" });
    date.setAttribute("aria-describedby", id + "-e");
    const form = el("form", { "aria-label": tr("tab.portfolio.edit_label", { bp: gate.label, project: project.name }) }, [
      el("label", { for: id }, [tr("tab.portfolio.deadline"), date]),
      el("label", { for: id + "-t" }, [tr("tab.portfolio.time"), time]),
      el("button", { type: "submit", class: "primary", text: tr("tab.portfolio.save") }), error,
    ]);
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      error.textContent = "";
      date.removeAttribute("aria-invalid");
      try {
        const result = await api("/api/tab/portfolio/" + project.id + "/" + gate.bp, { method: "PUT",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ deadline: date.value, deadline_time: time.value }) });
        await load();
        announce(result.message);
      } catch (err) {
        if (err.status === 422) {
          const fields = err.body.fields || {};
          error.textContent = Object.values(fields).join(" ");
          date.setAttribute("aria-invalid", "true");
          date.focus();
        } else announce(err.message, true);
      }
    });
    if (gate.deadline) {
      const remove = el("button", { type: "button", text: tr("tab.portfolio.remove") });
      remove.addEventListener("click", async function () {
        try {
          const result = await api("/api/tab/portfolio/" + project.id + "/" + gate.bp, { method: "DELETE" });
          await load();
          announce(result.message);
        } catch (err) { announce(err.message, true); }
      });
      form.append(remove);
    }
    return form;
  }

  function gateItem(project, gate) {
    const item = el("li", { class: "gate" + (gate.overdue ? " overdue" : "") }, [
      el("strong", { text: gate.label + " – " + gate.title }),
      el("div", { class: "state", text: gate.status_label + (gate.deadline ? ": " + gate.deadline + " " + gate.deadline_time : "") }),
      el("div", { class: "subtle", text: left(gate) }),
      el("div", { text: tr("tab.portfolio.documents") }),
      el("ul", {}, gate.documents.map(function (d) { return el("li", { text: d }); })),
    ]);
    if (canEdit && gate.status !== "approved") item.append(editor(project, gate));
    return item;
  }

  function projectBlock(project, phases) {
    const input = project.input;
    return el("section", { class: "project", "aria-labelledby": "p-" + project.id }, [
      el("h2", { id: "p-" + project.id, text: project.name }),
      el("ol", { class: "phases", "aria-label": tr("tab.portfolio.phase") }, phases.map(function (p) {
        return el("li", { "aria-current": p[0] === project.phase ? "step" : null, text: p[1] });
      })),
      el("p", { text: tr("tab.portfolio.next") + ": " + (project.next || "–") }),
      el("p", { text: tr("tab.portfolio.input", input) }),
      el("p", { class: "subtle", text: input.missing.length ? tr("tab.portfolio.missing", { names: input.missing.join(", ") })
        : tr("tab.portfolio.all_sent") }),
      el("ul", { class: "gates" }, project.gates.map(function (g) { return gateItem(project, g); })),
    ]);
  }

  async function load() {
    const data = await api("/api/tab/portfolio");
    canEdit = data.can_edit;
    const root = document.getElementById("projects");
    if (!data.projects.length) root.replaceChildren(el("p", { text: tr("tab.portfolio.none") }));
    else root.replaceChildren(...data.projects.map(function (p) { return projectBlock(p, data.phases); }));
  }

  window.Tab.start(load);
})();

/* The polls page: open and closed polls with the response rate and who has not answered; the creator or a leader
   closes a poll on a slot (or the best one) and the meeting is booked as in chat. */
"use strict";
(function () {
  const { tr, api, el, announce } = window.Tab;

  function slotsTable(poll) {
    if (!poll.slots.length) return el("p", { class: "subtle", text: tr("tab.poll.results_hidden") });
    const head = el("tr", {}, ["tab.poll.slot", "polls.answer.yes", "polls.answer.maybe", "polls.answer.no", "tab.col.actions"].map(
      function (k) { return el("th", { scope: "col", text: tr(k) }); }));
    const rows = poll.slots.map(function (s) {
      const actions = el("td");
      if (poll.can_close) {
        const button = el("button", { type: "button", text: tr("tab.poll.close_on"),
          "aria-label": tr("tab.poll.close_on") + ": " + s.start });
        button.addEventListener("click", function () { closePoll(poll.id, s.id); });
        actions.append(button);
      }
      return el("tr", {}, [el("th", { scope: "row", text: s.start }), el("td", { text: s.yes }), el("td", { text: s.maybe }),
        el("td", { text: s.no }), actions]);
    });
    return el("div", { class: "table-wrap" }, [el("table", {}, [
      el("caption", { class: "visually-hidden", text: poll.title }), el("thead", {}, [head]), el("tbody", {}, rows)])]);
  }

  function block(poll) {
    const rate = poll.members === null ? tr("tab.poll.answered", { answered: poll.answered })
      : tr("tab.poll.rate", { answered: poll.answered, members: poll.members });
    const parts = [
      el("h2", { id: "poll-" + poll.id, text: poll.title + " – " + poll.state_label }),
      el("p", { text: tr("tab.poll.chat", { chat: poll.chat }) + (poll.deadline ? " · " + tr("tab.poll.deadline", { deadline: poll.deadline }) : "") }),
      el("p", { class: "rate", text: rate }),
    ];
    if (poll.state === "open") {
      parts.push(el("p", { class: "missing", text: poll.missing.length ? tr("tab.poll.missing", { names: poll.missing.join(", ") })
        : tr("tab.poll.all_answered") }));
    }
    if (poll.chosen) parts.push(el("p", { text: tr("tab.poll.chosen", { start: poll.chosen }) }));
    parts.push(slotsTable(poll));
    return el("section", { class: "project", "aria-labelledby": "poll-" + poll.id, "data-poll": poll.id }, parts);
  }

  async function closePoll(id, slotId) {
    try {
      const result = await api("/api/tab/polls/" + id + "/close", { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ slot_id: slotId }) });
      await load();
      announce(result.message);
    } catch (err) { announce(err.message, true); }
  }

  async function load() {
    const data = await api("/api/tab/polls");
    const root = document.getElementById("polls");
    if (!data.items.length) root.replaceChildren(el("p", { text: tr("tab.poll.none") }));
    else root.replaceChildren(...data.items.map(block));
  }

  window.Tab.start(load);
})();

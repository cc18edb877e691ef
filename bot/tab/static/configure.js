/* The configurable tab's settings page: which page and which faggruppe's or project's part a channel or chat shows. */
"use strict";
(function () {
  const { tr, api, el, dev } = window.Tab;
  const form = document.getElementById("configure");

  function contentUrl() {
    const params = new URLSearchParams();
    for (const name of ["faggruppe", "project"]) if (form.elements[name].value) params.set(name, form.elements[name].value);
    const query = params.toString();
    return location.origin + "/tab/" + form.elements.page.value + "?" + (query ? query + "&" : "") + "lang={locale}&theme={theme}";
  }

  function name() {
    const parts = [tr("tab.nav." + form.elements.page.value)];
    for (const select of [form.elements.faggruppe, form.elements.project]) {
      if (select.value) parts.push(select.selectedOptions[0].textContent);
    }
    return parts.join(": ").slice(0, 100);
  }

  async function load() {
    const data = await api("/api/tab/register?size=1");
    for (const f of data.options.faggrupper) form.elements.faggruppe.append(el("option", { value: f, text: f }));
    for (const [id, label] of data.options.projects) form.elements.project.append(el("option", { value: id, text: label }));
    if (dev) return;  // outside Teams there is nothing to save to
    const config = window.microsoftTeams.pages.config;
    config.registerOnSaveHandler(function (saveEvent) {
      config.setConfig({ entityId: "faggruppe-bot:" + form.elements.page.value, contentUrl: contentUrl(),
        suggestedDisplayName: name() }).then(function () { saveEvent.notifySuccess(); },
        function (err) { saveEvent.notifyFailure(String(err)); });
    });
    config.setValidityState(true);
  }

  window.Tab.start(load);
})();

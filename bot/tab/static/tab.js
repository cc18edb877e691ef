/* The tab's common script: Teams SSO (or development mode), the JSON API with the token in a header, theme, texts. */
"use strict";
(function () {
  const texts = JSON.parse(document.getElementById("tab-texts").textContent);
  const body = document.body;
  const dev = body.dataset.dev === "1";
  const locale = body.dataset.locale;
  let teamsReady = null;

  function tr(key, params) {
    let text = texts[key] || key;
    for (const [k, v] of Object.entries(params || {})) text = text.split("{" + k + "}").join(String(v));
    return text;
  }

  function setTheme(theme) {
    const known = { dark: "dark", contrast: "contrast" };
    document.documentElement.dataset.theme = known[theme] || "default";
  }

  function initTeams() {
    if (!teamsReady) {
      teamsReady = (async function () {
        await window.microsoftTeams.app.initialize();
        const context = await window.microsoftTeams.app.getContext();
        setTheme(context.app && context.app.theme);
        window.microsoftTeams.app.registerOnThemeChangeHandler(setTheme);
      })();
    }
    return teamsReady;
  }

  async function token() {
    if (dev) return "";
    await initTeams();
    return window.microsoftTeams.authentication.getAuthToken();
  }

  async function api(path, options) {
    const opts = options || {};
    const headers = Object.assign({ "X-Tab-Locale": locale }, opts.headers || {});
    const bearer = await token();
    if (bearer) headers.Authorization = "Bearer " + bearer;
    const resp = await fetch(path, Object.assign({}, opts, { headers: headers, credentials: "omit" }));
    if (opts.raw && resp.ok) return resp;
    const data = await resp.json().catch(function () { return {}; });
    if (!resp.ok) {
      const err = new Error(data.message || tr("tab.error.generic"));
      err.status = resp.status;
      err.body = data;
      throw err;
    }
    return data;
  }

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "text") node.textContent = String(v);
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const child of children || []) node.append(child);
    return node;
  }

  function announce(message, bad) {
    const status = document.getElementById("status");
    status.textContent = message || "";
    status.classList.toggle("bad", !!bad);
  }

  async function download(path, fallbackName) {
    const resp = await api(path, { raw: true });
    const blob = await resp.blob();
    const match = /filename="([^"]+)"/.exec(resp.headers.get("Content-Disposition") || "");
    const link = el("a", { href: URL.createObjectURL(blob), download: match ? match[1] : fallbackName });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 10000);
  }

  async function start(load) {
    if (document.documentElement.dataset.themeAuto === "1" && dev && window.matchMedia("(prefers-color-scheme: dark)").matches) {
      setTheme("dark");
    }
    try {
      const me = await api("/api/tab/me");
      document.getElementById("whoami").textContent = tr("tab.signed_in_as", { name: me.name, role: me.role_label });
      await load(me);
      body.dataset.ready = "1";
    } catch (err) {
      document.getElementById("whoami").textContent = "";
      announce(err.status === 401 ? tr("tab.signin_failed") : err.message, true);
      body.dataset.ready = "error";
    }
  }

  window.Tab = { tr: tr, api: api, el: el, announce: announce, download: download, start: start, dev: dev, locale: locale };
})();

// Drive the leaders' tab in headless Chromium, in light and dark: load, filter, edit with a validation error and a fix,
// then axe-core over each page state. Usage: node tab_e2e.js BASE_URL OUT_DIR
// Prints {"themes": {"default": {...}, "dark": {...}}} as JSON; exits 1 on the first failed step (with a screenshot).
const fs = require("fs");
const path = require("path");
const { chromium } = require("playwright-core");

const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"];
const TIMEOUT = 20000;
const AXE = require.resolve("axe-core/axe.min.js");

async function axe(page) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(async function () {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map(function (v) { return { id: v.id, impact: v.impact, nodes: v.nodes.map(function (n) { return n.target.join(" "); }) }; });
  });
  return result.filter(function (v) { return v.impact === "serious" || v.impact === "critical"; });
}

async function ready(page) {
  await page.waitForFunction(function () { return document.body.dataset.ready; }, null, { timeout: TIMEOUT });
  const state = await page.evaluate(function () { return document.body.dataset.ready; });
  if (state !== "1") throw new Error("page did not load: " + (await page.textContent("#status")));
}

async function register(page, base, theme, out, log) {
  const result = { screenshots: [], violations: {} };
  await page.goto(base + "/tab/register?theme=" + theme, { waitUntil: "load" });
  await ready(page);
  result.banner = await page.textContent(".dev-banner");
  result.rowsBefore = await page.locator("#entries tbody tr").count();
  result.violations.loaded = await axe(page);
  const shot = path.join(out, "tab-register-" + theme + ".png");
  await page.screenshot({ path: shot, fullPage: true });
  result.screenshots.push(shot);
  log.push(theme + ": loaded");

  await page.selectOption("#filters select[name=kind]", "benefit");
  await page.getByRole("button", { name: "Vis", exact: true }).click();
  await page.waitForFunction(function () { return document.querySelectorAll("#entries tbody tr").length === 1; }, null,
    { timeout: TIMEOUT });
  result.filteredTitle = await page.textContent("#entries tbody th");
  log.push(theme + ": filtered");

  // By keyboard: the row's Edit button, Enter opens the dialog with focus on the first field.
  await page.locator("#entries tbody button").first().focus();
  await page.keyboard.press("Enter");
  await page.waitForSelector("dialog[open]", { timeout: TIMEOUT });
  result.focusOnOpen = await page.evaluate(function () { return document.activeElement.id; });
  await page.fill("#f-estimate_nok", "mange");
  await page.getByRole("button", { name: "Lagre", exact: true }).click();
  await page.waitForFunction(function () { return document.getElementById("e-estimate_nok").textContent.length > 0; }, null,
    { timeout: TIMEOUT });
  result.fieldError = await page.textContent("#e-estimate_nok");
  result.focusOnError = await page.evaluate(function () { return document.activeElement.id; });
  result.violations.error = await axe(page);
  const errorShot = path.join(out, "tab-register-edit-error-" + theme + ".png");
  await page.screenshot({ path: errorShot });
  result.screenshots.push(errorShot);
  log.push(theme + ": validation error shown");

  const fixed = theme === "dark" ? "420000" : "310 000";
  await page.fill("#f-estimate_nok", fixed);
  await page.getByRole("button", { name: "Lagre", exact: true }).click();
  await page.waitForSelector("dialog[open]", { state: "detached", timeout: TIMEOUT }).catch(function () { return null; });
  await page.waitForFunction(function () { return !document.querySelector("dialog[open]") && document.getElementById("status").textContent; },
    null, { timeout: TIMEOUT });
  result.saved = await page.textContent("#status");
  result.estimateShown = await page.textContent("#entries tbody td.num");
  log.push(theme + ": saved");
  return result;
}

async function portfolio(page, base, theme, out, log) {
  const result = { screenshots: [], violations: {} };
  await page.goto(base + "/tab/portfolio?theme=" + theme, { waitUntil: "load" });
  await ready(page);
  result.projects = await page.locator("section.project h2").allTextContents();
  result.violations.loaded = await axe(page);
  log.push(theme + ": portfolio loaded");
  const form = page.locator("li.gate").nth(1).locator("form");
  await form.locator("input[type=date]").fill(process.env.TAB_PAST_DATE);
  await form.locator("button[type=submit]").click();
  await page.waitForFunction(function () { return document.querySelector("li.gate:nth-child(2) .field-error").textContent; },
    null, { timeout: TIMEOUT });
  result.fieldError = await page.locator("li.gate").nth(1).locator(".field-error").textContent();
  result.violations.error = await axe(page);
  await form.locator("input[type=date]").fill(process.env.TAB_FUTURE_DATE);
  await form.locator("button[type=submit]").click();
  await page.waitForFunction(function () { return document.getElementById("status").textContent; }, null, { timeout: TIMEOUT });
  result.saved = await page.textContent("#status");
  result.gateState = await page.locator("li.gate").nth(1).locator(".state").textContent();
  const shot = path.join(out, "tab-portfolio-" + theme + ".png");
  await page.screenshot({ path: shot, fullPage: true });
  result.screenshots.push(shot);
  log.push(theme + ": deadline saved");
  return result;
}

async function broadcasts(page, base, theme, out, log) {
  const result = { screenshots: [], violations: {} };
  await page.goto(base + "/tab/broadcasts?theme=" + theme, { waitUntil: "load" });
  await ready(page);
  await page.fill("#b-title", "Frist " + theme);
  await page.fill("#b-message", "Husk å levere **behovene** innen fredag.");
  await page.waitForSelector("#preview .ac-adaptiveCard", { timeout: TIMEOUT });
  result.previewText = await page.textContent("#preview");
  result.violations.preview = await axe(page);
  await page.fill("#b-send_date", process.env.TAB_FUTURE_DATE);
  await page.fill("#b-send_time", "10:00");
  const shot = path.join(out, "tab-broadcasts-" + theme + ".png");
  await page.waitForFunction(function () { return document.getElementById("preview-note").textContent.indexOf("10") >= 0; },
    null, { timeout: TIMEOUT });
  await page.screenshot({ path: shot, fullPage: true });
  result.screenshots.push(shot);
  await page.click("#b-send");
  await page.waitForFunction(function () { return !document.getElementById("report-area").hidden && document.getElementById("status").textContent; },
    null, { timeout: TIMEOUT });
  result.sent = await page.textContent("#status");
  result.reportState = await page.textContent("#report-state");
  result.reportRows = await page.locator("#report tbody tr").allTextContents();
  result.violations.report = await axe(page);
  const reportShot = path.join(out, "tab-broadcasts-report-" + theme + ".png");
  await page.screenshot({ path: reportShot, fullPage: true });
  result.screenshots.push(reportShot);
  log.push(theme + ": broadcast scheduled");
  return result;
}

async function polls(page, base, theme, out, log) {
  const result = { screenshots: [], violations: {} };
  await page.goto(base + "/tab/polls?theme=" + theme, { waitUntil: "load" });
  await ready(page);
  result.rates = await page.locator("p.rate").allTextContents();
  result.missing = await page.locator("p.missing").allTextContents();
  result.violations.loaded = await axe(page);
  const shot = path.join(out, "tab-polls-" + theme + ".png");
  await page.screenshot({ path: shot, fullPage: true });
  result.screenshots.push(shot);
  const open = page.locator("section[data-poll] button").first();
  if (await open.count()) {
    await open.click();
    await page.waitForFunction(function () { return document.getElementById("status").textContent; }, null, { timeout: TIMEOUT });
    result.closed = await page.textContent("#status");
  }
  log.push(theme + ": polls");
  return result;
}

async function main() {
  const [base, out] = process.argv.slice(2);
  fs.mkdirSync(out, { recursive: true });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium", args: ARGS });
  const log = [];
  const themes = {};
  let page = null;
  try {
    for (const theme of ["default", "dark"]) {
      // bypassCSP lets the test inject axe-core; the page's own CSP is checked by the API tests.
      const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 }, locale: "nb-NO",
        colorScheme: theme === "dark" ? "dark" : "light" });
      page = await context.newPage();
      page.on("pageerror", function (err) { log.push("pageerror: " + err.message); });
      page.on("console", function (msg) {
        // A 422 answer is the expected validation error; Chromium logs every non-2xx fetch.
        if (msg.type() === "error" && !/status of 422/.test(msg.text())) log.push("console: " + msg.text());
      });
      page.on("requestfailed", function (req) { log.push("requestfailed: " + req.url()); });
      themes[theme] = await register(page, base, theme, out, log);
      themes[theme].portfolio = await portfolio(page, base, theme, out, log);
      themes[theme].broadcasts = await broadcasts(page, base, theme, out, log);
      themes[theme].polls = await polls(page, base, theme, out, log);
      await context.close();
    }
    // High contrast: the register loads and axe-core finds no serious or critical violation.
    const context = await browser.newContext({ bypassCSP: true, viewport: { width: 1280, height: 900 }, forcedColors: "none" });
    page = await context.newPage();
    await page.goto(base + "/tab/register?theme=contrast", { waitUntil: "load" });
    await ready(page);
    themes.contrast = { violations: await axe(page), theme: await page.evaluate(function () { return document.documentElement.dataset.theme; }) };
    await page.screenshot({ path: path.join(out, "tab-register-contrast.png"), fullPage: true });
    await context.close();
  } catch (err) {
    if (page) await page.screenshot({ path: path.join(out, "failed.png"), fullPage: true }).catch(function () { return null; });
    await browser.close();
    process.stderr.write(String(err.stack || err) + "\n" + log.join("\n") + "\n");
    process.exit(1);
  }
  await browser.close();
  process.stdout.write(JSON.stringify({ themes: themes, log: log }));
}

main();

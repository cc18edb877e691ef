// Drive Microsoft 365 Agents Playground's own UI in headless Chromium, step by step, and take screenshots.
// Usage: node playground_e2e.js PLAYGROUND_URL SCENARIO.json OUT_DIR
// SCENARIO.json: [{"chat": "Personal Chat" | "Group Chat" | "General", "send": "hjelp", "mention": false,
//                  "press": "button title", "pressIndex": 0 (default: the last such button), "fill": {"label": "value"},
//                  "fillCss": {"playwright selector": "value"}, "choose": {"label": "option"},
//                  "expect": "text that must appear (once more than before the step)", "see": "text that must be on the page",
//                  "screenshot": "name"}, ...]
// Every key is optional; a step runs chat -> fill -> choose -> send/press -> expect -> screenshot.
// Prints {"steps": [{"index": i, "ok": true, "screenshot": path}], "log": [...]} as JSON; exits 1 on the first failure
// (with a screenshot "failed-step-N.png").
const fs = require("fs");
const path = require("path");
const { chromium } = require("playwright-core");

const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"];
const TIMEOUT = Number(process.env.PLAYGROUND_STEP_TIMEOUT_MS || 30000);

// The message box is a Lexical editor (contenteditable, role=textbox), not an <input> with a placeholder.
function composer(page) {
  return page.locator('[data-lexical-editor="true"]').first();
}

async function countText(page, text) {
  return page.getByText(text, { exact: false }).count();
}

async function waitForMore(page, text, before) {
  const deadline = Date.now() + TIMEOUT;
  while (Date.now() < deadline) {
    if ((await countText(page, text)) > before) return;
    await page.waitForTimeout(100);
  }
  throw new Error(`"${text}" did not appear (count stayed ${before})`);
}

async function openChat(page, chat) {
  await page.getByText(chat, { exact: true }).first().click();
  await composer(page).waitFor({ timeout: TIMEOUT });
}

async function send(page, text, mention) {
  const box = composer(page);
  await box.click();
  if (mention) {
    // Typing "@" opens the mention picker, a menu with one menuitem per member; the bot is "Test Bot" by default.
    await box.pressSequentially("@");
    await page.getByRole("menuitem", { name: process.env.PLAYGROUND_BOT_NAME || "Test Bot" }).first().click();
    await box.pressSequentially(" ");
  }
  await box.pressSequentially(text);
  await box.press("Enter");
}

async function field(page, label) {
  const exact = page.getByLabel(label, { exact: true });
  if (await exact.count()) return exact.last();
  const byLabel = page.getByLabel(label, { exact: false });
  if (await byLabel.count()) return byLabel.last();
  return page.getByPlaceholder(label, { exact: false }).last();
}

async function main() {
  const [url, scenarioFile, outDir] = process.argv.slice(2);
  const steps = JSON.parse(fs.readFileSync(scenarioFile, "utf8"));
  fs.mkdirSync(outDir, { recursive: true });
  for (const f of fs.readdirSync(outDir)) if (/^failed-step-\d+\.png$/.test(f)) fs.rmSync(path.join(outDir, f));
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium", args: ARGS });
  const log = [];
  const done = [];
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(TIMEOUT);
  page.on("pageerror", (e) => log.push(`pageerror: ${String(e).slice(0, 300)}`));
  let index = 0;
  try {
    await page.goto(url);
    await composer(page).waitFor({ timeout: 30000 });
    for (const step of steps) {
      if (step.chat) await openChat(page, step.chat);
      for (const [label, value] of Object.entries(step.fill || {})) await (await field(page, label)).fill(value);
      for (const [selector, value] of Object.entries(step.fillCss || {})) {
        // Date and time inputs are Fluent pickers (text inputs): type the value, then Tab to commit it.
        const input = page.locator(selector);
        await input.fill(value);
        await input.press("Tab");
      }
      for (const [label, option] of Object.entries(step.choose || {})) {
        // Input.ChoiceSet (compact) is a Fluent dropdown here: open it, then pick the option by its title.
        const box = await field(page, label);
        if ((await box.evaluate((e) => e.tagName)) === "SELECT") { await box.selectOption({ label: option }); continue; }
        await box.click();
        await page.getByRole("option", { name: option, exact: true }).first().click();
      }
      const before = step.expect ? await countText(page, step.expect) : 0;
      if (step.send) await send(page, step.send, step.mention);
      if (step.press) {
        const buttons = page.getByRole("button", { name: step.press, exact: true });
        await (step.pressIndex === undefined ? buttons.last() : buttons.nth(step.pressIndex)).click();
      }
      if (step.expect) await waitForMore(page, step.expect, before);
      if (step.see) await page.getByText(step.see, { exact: false }).first().waitFor();
      const result = { index, ok: true };
      if (step.screenshot) {
        await page.waitForTimeout(300); // let the card finish layout
        result.screenshot = path.join(outDir, `${step.screenshot}.png`);
        await page.screenshot({ path: result.screenshot });
      }
      done.push(result);
      index += 1;
    }
  } catch (e) {
    const shot = path.join(outDir, `failed-step-${index}.png`);
    await page.screenshot({ path: shot }).catch(() => {});
    // What the page offers, to write the next step against.
    const inputs = await page.evaluate(() => [...document.querySelectorAll("input, textarea, select, [role=combobox]")]
      .map((e) => `${e.tagName.toLowerCase()} type=${e.type || ""} aria-label=${e.getAttribute("aria-label") || ""} `
        + `placeholder=${e.placeholder || ""} labelledby=${e.getAttribute("aria-labelledby") || ""}`)).catch(() => []);
    log.push(...inputs.map((i) => `input: ${i}`));
    process.stdout.write(JSON.stringify({ steps: done, log, failed: { index, error: String(e), screenshot: shot } }));
    await browser.close();
    process.exit(1);
  }
  await browser.close();
  process.stdout.write(JSON.stringify({ steps: done, log }));
}

main().catch((e) => { console.error(e); process.exit(1); });

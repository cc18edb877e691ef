// Render Adaptive Cards with Microsoft's `adaptivecards` JS renderer in headless Chromium, with Teams' host config.
// Usage: node render_cards.js CARDS.json OUT_DIR  (CARDS.json: {"name": card, ...})
// Prints {"chromium": version, "results": {name: {"events": [...], "png": path, "height": px}}} as JSON.
// One browser, one page, every card: fast enough to run on each test run.
const fs = require("fs");
const path = require("path");
const { chromium } = require("playwright-core");

const CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-dev-shm-usage", "--font-render-hinting=none"];

function pageHtml() {
  // teams-hostconfig.json is Microsoft's Teams (light) host config, taken from adaptivecards-designer 2.4.4
  // (lib/hostConfigs/microsoft-teams-light.json); the designer itself cannot be installed beside adaptivecards 3.
  const teamsCss = fs.readFileSync(path.join(__dirname, "teams-container-light.css"), "utf8");
  return `<!doctype html><html><head><meta charset="utf-8">
<style>${teamsCss}</style>
<style>
  body { margin: 0; background: #f5f5f5; font-family: "Segoe UI", "Noto Sans", "DejaVu Sans", sans-serif; }
  #frame { width: 560px; padding: 16px; }
  #card { background: #fff; overflow: hidden; }
  .teams-chart { font-family: inherit; font-size: 12px; color: #242424; padding: 4px 0; }
  .teams-chart .bars { margin-top: 20px; }
  .teams-chart .title { font-weight: 600; margin-bottom: 6px; }
  .teams-chart .bars { display: flex; align-items: flex-end; gap: 6px; height: 120px; border-bottom: 1px solid #bbb; }
  .teams-chart .bar { flex: 1; background: #5b5fc7; min-height: 1px; position: relative; }
  .teams-chart .bar span { position: absolute; top: -16px; width: 100%; text-align: center; font-size: 11px; }
  .teams-chart .labels { display: flex; gap: 6px; } .teams-chart .labels div { flex: 1; text-align: center; font-size: 11px;
    overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .teams-chart .hbar { display: flex; align-items: center; gap: 6px; margin: 2px 0; }
  .teams-chart .hbar .label { width: 35%; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
  .teams-chart .hbar .fill { height: 14px; background: #5b5fc7; }
  .teams-chart .pie { width: 120px; height: 120px; border-radius: 50%; display: inline-block; vertical-align: middle; }
  .teams-chart .legend { display: inline-block; vertical-align: middle; margin-left: 12px; }
  .teams-chart .legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
</style></head><body><div id="frame"><div id="card" class="teams-card"></div></div></body></html>`;
}

// Runs inside the page: register the Teams-only chart elements, then parse, validate and render one card.
function setupPage(hostConfig) {
  const AC = window.AdaptiveCards;
  const md = window.markdownit({ html: false, linkify: false, breaks: false });
  AC.AdaptiveCard.onProcessMarkdown = (text, result) => { result.outputHtml = md.render(text); result.didProcess = true; };
  const palette = ["#5b5fc7", "#00a2ad", "#e3008c", "#ffb900", "#8764b8", "#c4314b", "#4f6bed", "#13a10e"];

  // Teams renders Chart.* elements natively; Microsoft's JS renderer does not know them and would report
  // UnknownElementType. A minimal element class per chart type keeps every other check intact and draws a simple chart.
  class TeamsChart extends AC.CardElement {
    constructor(typeName) { super(); this.typeName = typeName; this.source = {}; }
    getJsonTypeName() { return this.typeName; }
    internalParse(source, context) { super.internalParse(source, context); this.source = source; }
    internalToJSON(target, context) { super.internalToJSON(target, context); Object.assign(target, this.source); }
    internalRender() {
      const el = document.createElement("div");
      el.className = "teams-chart";
      const s = this.source;
      if (s.title) { const t = document.createElement("div"); t.className = "title"; t.textContent = s.title; el.appendChild(t); }
      const data = Array.isArray(s.data) ? s.data : [];
      if (/Pie|Donut|Gauge/.test(this.typeName)) {
        const values = data.map((d) => Number(d.value ?? d.y ?? 0));
        const total = values.reduce((a, b) => a + b, 0) || 1;
        let acc = 0;
        const stops = values.map((v, i) => { const a = acc; acc += (v / total) * 360;
          return `${data[i].color && data[i].color.startsWith("#") ? data[i].color : palette[i % palette.length]} ${a}deg ${acc}deg`; });
        const pie = document.createElement("div"); pie.className = "pie";
        pie.style.background = `conic-gradient(${stops.join(",") || "#ddd 0deg 360deg"})`;
        if (this.typeName.includes("Donut")) { pie.style.mask = "radial-gradient(circle, transparent 38%, #000 39%)"; }
        const legend = document.createElement("div"); legend.className = "legend";
        data.forEach((d, i) => { const row = document.createElement("div");
          row.innerHTML = `<i style="background:${palette[i % palette.length]}"></i>`;
          row.appendChild(document.createTextNode(`${d.legend ?? d.x ?? ""}: ${values[i]}`)); legend.appendChild(row); });
        el.appendChild(pie); el.appendChild(legend);
      } else if (/HorizontalBar/.test(this.typeName)) {
        const rows = data.map((d) => ({ label: d.x ?? d.legend ?? "", value: Number(d.y ?? d.value ?? 0) }));
        const max = Math.max(1, ...rows.map((r) => r.value));
        rows.forEach((r) => { const row = document.createElement("div"); row.className = "hbar";
          const l = document.createElement("div"); l.className = "label"; l.textContent = r.label;
          const f = document.createElement("div"); f.className = "fill"; f.style.width = `${(r.value / max) * 55}%`;
          const v = document.createElement("span"); v.textContent = String(r.value);
          row.append(l, f, v); el.appendChild(row); });
      } else {
        const series = data.length && Array.isArray(data[0].values) ? data[0].values : data;
        const rows = series.map((d) => ({ label: d.x ?? d.legend ?? "", value: Number(d.y ?? d.value ?? 0) }));
        const max = Math.max(1, ...rows.map((r) => r.value));
        const bars = document.createElement("div"); bars.className = "bars";
        const labels = document.createElement("div"); labels.className = "labels";
        rows.forEach((r) => { const b = document.createElement("div"); b.className = "bar";
          b.style.height = `${(r.value / max) * 100}%`; b.innerHTML = `<span>${r.value}</span>`; bars.appendChild(b);
          const l = document.createElement("div"); l.textContent = r.label; labels.appendChild(l); });
        el.append(bars, labels);
      }
      return el;
    }
  }
  const chartTypes = ["Chart.VerticalBar", "Chart.VerticalBar.Grouped", "Chart.HorizontalBar", "Chart.HorizontalBar.Stacked",
    "Chart.Line", "Chart.Pie", "Chart.Donut", "Chart.Gauge"];
  for (const type of chartTypes) {
    AC.GlobalRegistry.elements.register(type, class extends TeamsChart { constructor() { super(type); } }, AC.Versions.v1_5);
  }
  window.renderCard = (json) => {
    const events = [];
    const phases = ["Parse", "ToJSON", "Validation"];
    const card = new AC.AdaptiveCard();
    card.hostConfig = new AC.HostConfig(hostConfig);
    const context = new AC.SerializationContext(AC.Versions.v1_5);
    card.parse(json, context);
    for (let i = 0; i < context.eventCount; i++) {
      const e = context.getEventAt(i);
      events.push({ phase: phases[e.phase] ?? e.phase, event: AC.ValidationEvent[e.event], message: e.message });
    }
    for (const e of card.validateProperties().validationEvents) {
      events.push({ phase: phases[e.phase] ?? e.phase, event: AC.ValidationEvent[e.event], message: e.message });
    }
    const host = document.getElementById("card");
    host.innerHTML = "";
    const rendered = card.render();
    if (!rendered) { events.push({ phase: "Render", event: "Other", message: "render() returned nothing" }); }
    else { host.appendChild(rendered); }
    return { events, height: host.getBoundingClientRect().height };
  };
}

async function main() {
  const [cardsFile, outDir] = process.argv.slice(2);
  const cards = JSON.parse(fs.readFileSync(cardsFile, "utf8"));
  const hostConfig = JSON.parse(fs.readFileSync(path.join(__dirname, "teams-hostconfig.json"), "utf8"));
  fs.mkdirSync(outDir, { recursive: true });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium", args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 600, height: 800 }, deviceScaleFactor: 1.5 });
    const pageErrors = [];
    page.on("pageerror", (e) => pageErrors.push(String(e)));
    await page.setContent(pageHtml());
    await page.addScriptTag({ path: require.resolve("markdown-it/dist/markdown-it.min.js") });
    await page.addScriptTag({ path: require.resolve("adaptivecards/dist/adaptivecards.min.js") });
    await page.evaluate(setupPage, hostConfig);
    const results = {};
    for (const [name, json] of Object.entries(cards)) {
      const r = await page.evaluate((j) => window.renderCard(j), json);
      const png = path.join(outDir, `${name}.png`);
      await page.locator("#frame").screenshot({ path: png });
      results[name] = { ...r, png, pageErrors: pageErrors.splice(0) };
    }
    process.stdout.write(JSON.stringify({ chromium: browser.version(), results }));
  } finally {
    await browser.close();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });

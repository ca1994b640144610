// 领导驾驶舱: a Telegram Mini App. Every call carries Telegram's signed initData; every text from the server is
// set as text (never as HTML), so nothing a person typed can run here.
"use strict";

const tg = window.Telegram && window.Telegram.WebApp;
const initData = (tg && tg.initData) || new URLSearchParams(location.hash.slice(1)).get("tgWebAppData") || "";
let words = {};
const view = document.getElementById("view");

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (key === "class") node.className = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (value !== undefined && value !== null && value !== false) node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) {
      node.append(child instanceof Node ? child : String(child));
    }
  }
  return node;
}

function say(key, values) {
  let text = words[key] || key;
  for (const [name, value] of Object.entries(values || {})) text = text.replace("{" + name + "}", value);
  return text;
}

async function api(path, body) {
  const options = { headers: { Authorization: "tma " + initData }, cache: "no-store" };
  if (body) {
    options.method = "POST";
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const answer = await fetch("api/" + path, options);
  if (path === "photo" || path.startsWith("photo?")) {
    if (!answer.ok) throw new Error(String(answer.status));
    return answer.blob();
  }
  const data = await answer.json().catch(() => ({}));
  if (!answer.ok) throw new Error(data.error || say("failed"));
  return data;
}

function toast(text) {
  const box = document.getElementById("toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 3000);
}

function show(...nodes) { view.replaceChildren(...nodes.flat().filter((n) => n)); window.scrollTo(0, 0); }

function figure(name, label, value, sub) {
  return el("div", { class: "figure", "data-figure": name },
    el("div", { class: "label" }, label), el("div", { class: "value" }, value), sub ? el("div", { class: "sub" }, sub) : null);
}

function flagDot(colour) { return el("span", { class: "dot " + colour, title: colour }); }

function chart(options) {
  const box = el("div", { class: "chart" });
  requestAnimationFrame(() => {
    if (window.echarts) echarts.init(box).setOption(options);
  });
  return box;
}

const wan = (yuan) => Math.round(yuan / 100) / 100;

// -- 总览 ---------------------------------------------------------------------------------------------
async function overview() {
  const o = await api("overview");
  const flags = el("div", { class: "chips", "data-figure": "flags" }, Object.entries(o.flag_names).map(([colour, name]) =>
    el("span", { class: "chip", "data-flag": colour }, flagDot(colour), name + " ", el("b", {}, o.flags[colour] || 0))));
  const key = (colour, name) => el("span", { class: "chip" }, el("span", { class: "swatch", style: "background:" + colour }), name);
  const trend = o.trend.length ? el("div", { class: "card" }, el("h2", {}, words.trend),
    el("div", { class: "chips" }, key("#2f5d8a", words.trend_done), key("#9aa5b1", words.trend_due)), chart({
    animation: false, grid: { left: 8, right: 12, top: 16, bottom: 8, containLabel: true }, tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: o.trend.map((m) => Number(m.month.slice(5)) + (words.locale === "zh" ? "月" : "")) },
    yAxis: { type: "value" },
    series: [
      { name: words.trend_done, type: "bar", data: o.trend.map((m) => wan(m.ytd)), itemStyle: { color: "#2f5d8a" } },
      { name: words.trend_due, type: "line", data: o.trend.map((m) => wan(m.due)), itemStyle: { color: "#9aa5b1" } },
    ],
  })) : null;
  show(
    el("p", { class: "judged", "data-figure": "judged" }, words.judged + "：" + o.judged_text),
    el("div", { class: "figures" },
      figure("projects", words.projects, o.projects),
      figure("plan", words.plan, o.plan_text),
      figure("ytd", words.ytd, o.ytd_text),
      figure("rate", words.rate, o.rate_text, words.time_share + " " + o.time_share_text),
      figure("start_rate", words.start_rate, o.start_rate_text, o.starts_made + " / " + o.starts_due),
      figure("problems", words.problems_open, o.problems.open, words.problems_overdue + " " + o.problems.overdue)),
    el("div", { class: "card" }, el("h2", {}, words.flags), flags),
    trend);
}

// -- 排名 ---------------------------------------------------------------------------------------------
function table(head, rows, numeric) {
  return el("table", {}, el("thead", {}, el("tr", {}, head.map((h, i) => el("th", { class: numeric.includes(i) ? "num" : "" }, h)))),
    el("tbody", {}, rows.map((row) => el("tr", {}, row.map((cell, i) => el("td", { class: numeric.includes(i) ? "num" : "" }, cell))))));
}

async function ranking() {
  const r = await api("ranking");
  const cards = r.rankings.map((ranking) => el("div", { class: "card", "data-ranking": ranking.by },
    el("h2", {}, ranking.title + "（" + r.judged_text + "）"),
    ranking.units.length ? table([words.rank_no, words.rank_unit, words.rank_projects, words.rank_rate],
      ranking.units.map((u) => [u.rank === null ? "—" : u.rank, u.unit, u.projects, u.rate_text]), [0, 2, 3])
      : el("p", { class: "note" }, words.none)));
  if (r.scores.length) {
    cards.push(el("div", { class: "card wide", "data-ranking": "scorecard" }, el("h2", {}, words.scorecard),
      table([words.rank_unit, words.score_reports, words.score_issues, words.score_overdue, words.score_nodes],
        r.scores.map((s) => [s.unit, s.reports, s.issues, s.overdue, s.nodes]), [1, 2, 3, 4])));
  }
  show(...(cards.length ? cards : [el("p", { class: "note" }, words.none)]));
}

// -- 项目 ---------------------------------------------------------------------------------------------
const filters = { q: "", flag: "", unit: "", tier: "", stage: "" };

function select(name, label, choices) {
  return el("select", { name, "aria-label": label, onchange: (e) => { filters[name] = e.target.value; projects(); } },
    el("option", { value: "" }, label + "：" + words.all),
    Object.entries(choices).map(([value, text]) => el("option", { value, selected: filters[name] === value }, text)));
}

async function projects() {
  const query = new URLSearchParams(Object.entries(filters).filter(([, v]) => v)).toString();
  const p = await api("projects" + (query ? "?" + query : ""));
  const flagNames = (await cached("overview")).flag_names;
  const search = el("input", { type: "search", placeholder: words.search, value: filters.q, name: "q",
    onchange: (e) => { filters.q = e.target.value; projects(); } });
  show(
    el("div", { class: "filters" }, search,
      select("flag", words.filter_flag, flagNames),
      select("unit", words.filter_unit, Object.fromEntries(p.units.map((u) => [u, u]))),
      select("tier", words.filter_tier, p.tiers),
      select("stage", words.filter_stage, p.stages)),
    el("p", { class: "note", "data-figure": "shown" }, say("shown", { shown: p.projects.length, total: p.total })),
    p.projects.map((line) => el("div", { class: "item", "data-project": line.code },
      el("button", { class: "link", onclick: () => dossier(line.code) },
        el("div", { class: "head" }, flagDot(line.flag), el("span", { class: "name" }, line.code + " " + line.name)),
        el("div", { class: "meta" }, [line.lead_unit, line.tier_name, line.stage_name].join(" · ")),
        el("div", { class: "meta" }, words.ytd + " " + line.ytd_text + " / " + line.plan_text + " · " + line.rate_text)))));
}

const cache = {};
async function cached(path) { return cache[path] || (cache[path] = await api(path)); }

// -- 档案 ---------------------------------------------------------------------------------------------
function photoImage(code, period, n) {
  const img = el("img", { alt: words.photo, "data-photo": period + "#" + n });
  api("photo?" + new URLSearchParams({ project: code, period, n })).then((blob) => {
    img.src = URL.createObjectURL(blob);
  }).catch(() => img.setAttribute("data-failed", "1"));
  return img;
}

async function dossier(code) {
  const d = await api("project?" + new URLSearchParams({ code }));
  const back = el("button", { class: "back", onclick: () => open("projects") }, words.back);
  show(back,
    el("div", { class: "card", "data-dossier": d.code },
      el("div", { class: "head" }, flagDot(d.flag), el("span", { class: "name" }, d.code + " " + d.name)),
      el("div", { class: "meta" }, [d.lead_unit, d.tier_name, d.stage_name].join(" · ")),
      el("div", { class: "meta", "data-figure": "dossier-rate" }, words.ytd + " " + d.ytd_text + " / " + d.plan_text + " · " + d.rate_text),
      d.reasons.length ? el("ul", { class: "history" }, d.reasons.map((r) => el("li", {}, r))) : null),
    el("div", { class: "card" }, el("h2", {}, words.basics), table(["", ""], d.fields.map((f) => [f.label, f.value]), [])),
    d.month_plans.length ? el("div", { class: "card" }, el("h2", {}, words.month_plans),
      table(["", ""], d.month_plans.map((m) => [m.month, m.amount_text]), [1])) : null,
    el("div", { class: "card" }, el("h2", {}, words.reports), d.reports.length ? d.reports.map((r) => el("div", { class: "item", "data-report": r.period },
      el("div", { class: "name" }, r.period_text, r.late ? el("span", { class: "tag alert" }, words.late_report) : null),
      el("div", { class: "meta" }, words.ytd + " " + r.ytd_text + " · " + r.stage_name + " · " + r.submitted_text),
      el("div", {}, words.progress + "：" + r.progress),
      el("div", { class: "meta" }, words.next_plan + "：" + r.next_plan),
      r.photos ? el("div", { class: "photos" }, Array.from({ length: r.photos }, (_, n) => photoImage(d.code, r.period, n))) : null))
      : el("p", { class: "note" }, words.none)),
    el("div", { class: "card" }, el("h2", {}, words.nodes), d.nodes.length ? table(["", words.node_due, words.node_owner],
      d.nodes.map((n) => [n.name, n.reached ? words.node_reached + " " + n.reached_text : (n.late ? words.node_late + " " : "") + n.due_text,
        n.owner + (n.replans ? "（" + say("node_replans", { n: n.replans }) + "）" : "")]), []) : el("p", { class: "note" }, words.none)),
    el("div", { class: "card" }, el("h2", {}, words.problems), d.problems.length ? d.problems.map(problemItem) : el("p", { class: "note" }, words.none)));
}

// -- 问题 ---------------------------------------------------------------------------------------------
function problemItem(p) {
  const box = el("div", { class: "item", "data-problem": p.number });
  const draw = (line) => {
    const tags = [line.overdue ? el("span", { class: "tag alert" }, words.overdue) : null,
      line.flagged ? el("span", { class: "tag alert" }, words.flagged) : null,
      line.major ? el("span", { class: "tag" }, words.major) : null];
    const actions = el("div", { class: "actions" }, Object.entries(line.actions).map(([action, label]) =>
      el("button", { type: "button", "data-action": action, onclick: () => actionForm(line, action, label, box, draw) }, label)));
    box.replaceChildren(...[
      el("div", { class: "head" }, el("span", { class: "name" }, line.number + " " + line.category), tags),
      el("div", { class: "meta" }, line.project + " " + line.project_name),
      el("div", {}, line.description),
      el("div", { class: "meta" }, line.level_name + " · " + line.status_name + " · " + words.deadline + " " + line.deadline_text),
      line.history ? el("ul", { class: "history" }, line.history.map((h) => el("li", {}, h.when + " " + h.who + " " + h.what + (h.text ? "：" + h.text : "")))) : null,
      actions].filter((n) => n));
  };
  draw(p);
  return box;
}

async function actionForm(line, action, label, box, draw) {
  const fields = {
    instruct: () => [el("label", {}, words.field_text, el("textarea", { name: "text", rows: 3, maxlength: 1000, required: true }))],
    extend: () => [el("label", {}, words.field_until, el("input", { type: "date", name: "until", required: true })),
      el("label", {}, words.field_reason, el("textarea", { name: "reason", rows: 2, maxlength: 1000, required: true }))],
    flag: () => [], unflag: () => [],
  };
  const form = el("form", {});
  let inputs = fields[action] ? fields[action]() : await assignFields(line.number);
  const submit = async (event) => {
    event.preventDefault();
    const body = Object.fromEntries(new FormData(form).entries());
    try {
      const updated = await api("problems/" + encodeURIComponent(line.number) + "/" + action, body);
      draw(Object.assign({}, updated, { history: line.history }));
      toast(say("saved", { what: label }));
    } catch (error) {
      toast(error.message);
    }
  };
  form.addEventListener("submit", submit);
  form.append(...inputs, el("div", { class: "row" }, el("button", { type: "submit" }, words.submit + " " + label),
    el("button", { type: "button", onclick: () => form.remove() }, words.cancel)));
  box.querySelector("form")?.remove();
  box.append(form);
}

async function assignFields(number, unit) {
  const c = await api("problems/" + encodeURIComponent(number) + "/assign" + (unit ? "?unit=" + unit : ""));
  const options = (list, chosen) => list.map((x) => el("option", { value: x.id, selected: x.id === chosen }, x.name));
  const units = el("select", { name: "unit" }, options(c.units, c.unit));
  const wrap = el("div", { style: "display:contents" });
  const fill = (choices) => wrap.replaceChildren(
    el("label", {}, words.field_assignee, el("select", { name: "assignee" }, options(choices.people))),
    el("label", {}, words.field_leader, el("select", { name: "leader" }, options(choices.leaders, choices.leader))),
    el("label", {}, words.field_plan, el("textarea", { name: "plan", rows: 2, maxlength: 1000, required: true })),
    el("label", {}, el("span", {}, el("input", { type: "checkbox", name: "major", value: "1" }), " " + words.field_major)),
    el("label", {}, words.field_deadline, el("input", { type: "date", name: "deadline", value: choices.deadline, required: true })));
  units.addEventListener("change", async () => fill(await api("problems/" + encodeURIComponent(number) + "/assign?unit=" + units.value)));
  fill(c);
  return [el("label", {}, words.field_unit, units), wrap];
}

async function problems() {
  const list = await api("problems");
  show(...(list.length ? list.map(problemItem) : [el("p", { class: "note" }, words.none)]));
}

// -- 地图 ---------------------------------------------------------------------------------------------
function outlineRings(geo) {
  if (!geo) return [];
  if (geo.type === "FeatureCollection") return geo.features.flatMap((f) => outlineRings(f.geometry));
  if (geo.type === "Feature") return outlineRings(geo.geometry);
  if (geo.type === "Polygon" || geo.type === "MultiLineString") return geo.coordinates;
  if (geo.type === "MultiPolygon") return geo.coordinates.flat();
  if (geo.type === "LineString") return [geo.coordinates];
  return [];
}

async function map() {
  const m = await api("map");
  if (!m.points.length) return show(el("p", { class: "note" }, words.map_none));
  const rings = outlineRings(m.outline);
  const all = rings.flat().concat(m.points.map((p) => [p.lon, p.lat]));
  const lons = all.map((c) => c[0]), lats = all.map((c) => c[1]);
  const [west, east, south, north] = [Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats)];
  const squeeze = Math.cos(((north + south) / 2) * Math.PI / 180);
  const width = 360, pad = 16;
  const scale = (width - 2 * pad) / Math.max((east - west) * squeeze, (north - south), 1e-6);
  const height = Math.max(200, (north - south) * scale + 2 * pad);
  const x = (lon) => pad + (lon - west) * squeeze * scale, y = (lat) => height - pad - (lat - south) * scale;
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  svg.setAttribute("class", "map");
  for (const ring of rings) {
    const path = document.createElementNS(ns, "polyline");
    path.setAttribute("points", ring.map((c) => `${x(c[0])},${y(c[1])}`).join(" "));
    path.setAttribute("fill", "#eef1f5");
    path.setAttribute("stroke", "#9aa5b1");
    svg.append(path);
  }
  const colours = { red: "#d14343", yellow: "#e0a100", green: "#2e9d57", blue: "#3b73c4" };
  for (const p of m.points) {
    const dot = document.createElementNS(ns, "circle");
    Object.entries({ cx: x(p.lon), cy: y(p.lat), r: 7, fill: colours[p.flag] || "#666", stroke: "#fff", "data-point": p.code })
      .forEach(([k, v]) => dot.setAttribute(k, v));
    const title = document.createElementNS(ns, "title");
    title.textContent = p.code + " " + p.name;
    dot.append(title);
    dot.addEventListener("click", () => dossier(p.code));
    svg.append(dot);
  }
  show(el("div", { class: "card" }, svg), m.points.map((p) => el("div", { class: "item" },
    el("button", { class: "link", onclick: () => dossier(p.code) },
      el("div", { class: "head" }, flagDot(p.flag), el("span", { class: "name" }, p.code + " " + p.name))))));
}

// -- tabs ---------------------------------------------------------------------------------------------
const pages = { overview, ranking, projects, problems, map };

async function open(tab) {
  for (const button of document.querySelectorAll("#tabs button")) button.classList.toggle("on", button.dataset.tab === tab);
  try {
    await pages[tab]();
  } catch (error) {
    show(el("p", { class: "note error" }, error.message));
  }
}

async function start() {
  if (tg) { tg.ready(); tg.expand(); }
  if (!initData) {
    document.getElementById("status").textContent = "请从机器人的菜单打开驾驶舱。Open the dashboard from the bot's menu.";
    return;
  }
  try {
    words = await api("words");
  } catch (error) {
    document.getElementById("status").textContent = error.message;
    document.getElementById("status").classList.add("error");
    return;
  }
  document.documentElement.lang = words.locale === "zh" ? "zh-CN" : "en";
  document.title = words.title;
  document.getElementById("title").textContent = words.title;
  document.getElementById("who").textContent = words.person;
  for (const button of document.querySelectorAll("#tabs button")) {
    button.textContent = words["tab_" + button.dataset.tab];
    button.addEventListener("click", () => open(button.dataset.tab));
  }
  document.getElementById("tabs").hidden = false;
  await open("overview");
  document.body.dataset.ready = "1";
}

start();

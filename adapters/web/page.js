// The local chat page's script, served at /page.js (a file, so the page's CSP needs no 'unsafe-inline' for scripts).
'use strict';
// One random id per browser: medbill keeps one conversation per id. It identifies this browser, not a person.
const user = localStorage.getItem('medbill-user') || (() => {
  const id = 'web-' + Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('');
  localStorage.setItem('medbill-user', id);
  return id;
})();
const log = document.getElementById('log');

// The conversation on this page, kept in this tab (sessionStorage) so a reload shows it again: medbill's
// replies, and the person's words only as medbill read them (identifiers left out; the server keeps no
// transcript). The last MAX_KEPT messages and replies; gone when the tab is closed or "New conversation".
const KEPT = 'medbill-turns:' + user;
const MAX_KEPT = 50;
let kept = [];
try {
  const stored = JSON.parse(sessionStorage.getItem(KEPT) || '[]');
  if (Array.isArray(stored)) kept = stored.filter((t) => t && typeof t.id === 'number' && (typeof t.me === 'string' || (t.reply && Array.isArray(t.reply.parts))));
} catch {
  kept = []; // unreadable: start afresh
}
let nextId = kept.reduce((n, t) => Math.max(n, t.id), 0) + 1;

function saveKept() {
  kept = kept.slice(-MAX_KEPT);
  for (;;) {
    try {
      sessionStorage.setItem(KEPT, JSON.stringify(kept));
      return;
    } catch {
      // Over the browser's quota (a letter's file, a chart): the oldest go first.
      if (!kept.length) return;
      kept.shift();
    }
  }
}

/** Keeps a message or a reply; its id names the box it is drawn in (a checklist redrawn in place replaces it). */
function keep(turn) {
  const id = nextId++;
  kept.push({ id, ...turn });
  saveKept();
  return id;
}
// Two views: the chat (with its message bar) and "Today", the claims due now (fetched each time it is shown).
const views = { chat: [log, document.getElementById('bar')], today: [document.getElementById('today')] };
const tabs = { chat: document.getElementById('tab-chat'), today: document.getElementById('tab-today') };
let currentView = 'chat';

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

// `said`: what the person did, shown at once; `fromRead(read)`: the same words as medbill read them (without
// identifiers), which replace them on screen and are all that is kept. `inPlace`: the message whose checklist
// was ticked; the redrawn checklist replaces it rather than being added.
async function send(body, said, inPlace, fromRead) {
  // A button pressed in the Today view is a turn in the chat: the answer (a form, a question) is shown there.
  if (currentView !== 'chat') showView('chat');
  const mine = said && !inPlace ? el('div', { class: 'msg me' }, said) : null;
  if (mine) log.append(mine);
  let data;
  let ok = false;
  try {
    const res = await fetch('/api/turn', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, ...body }) });
    data = await res.json();
    ok = res.ok;
    if (!ok) data = { replies: [{ text: 'medbill could not take that: ' + data.error, parts: [] }] };
  } catch (err) {
    data = { replies: [{ text: 'medbill is not reachable (' + err.message + '). Is the server still running?', parts: [] }] };
  }
  if (mine && ok) {
    const read = fromRead ? (data.read ? fromRead(data.read) : '(a message medbill did not read)') : said;
    mine.textContent = read;
    keep({ me: read });
  }
  let answer = null;
  for (const r of data.replies) {
    const box = renderReply(r);
    if (inPlace && r.parts.some((p) => p.kind === 'checklist')) {
      const id = Number(inPlace.dataset.turn);
      const turn = kept.find((t) => t.id === id);
      if (turn) {
        turn.reply = r;
        saveKept();
        box.dataset.turn = String(id);
      }
      inPlace.replaceWith(box);
      inPlace = null;
      continue;
    }
    // Only medbill's answers are kept: a "not reachable" line drawn here is not shown again after a reload.
    if (ok) box.dataset.turn = String(keep({ reply: r }));
    log.append(box);
    if (!answer && r.parts.some((p) => p.kind === 'triage')) answer = box;
  }
  // An answer is read from its top (the lane, then prior authorization and codes); anything else from the end.
  if (answer) answer.scrollIntoView({ block: 'start' });
  else if (!inPlace) window.scrollTo(0, document.body.scrollHeight);
}

// The lane of an answer as a badge: its name in words (the colour only repeats it).
const LANES = { medical: 'Medical', 'medical-first': 'Medical first', dental: 'Dental', 'patient-pay': 'Patient pays', 'needs-info': 'Needs info' };

function laneBadge(lane) {
  return el('div', {}, el('span', { class: 'lane ' + lane }, el('span', { class: 'sr' }, 'Lane: '), LANES[lane] || lane));
}

function renderReply(r) {
  const data = r.parts.find((p) => p.kind === 'triage');
  const box = el('div', { class: 'msg bot' + (data ? ' answer' : ''), 'data-privacy': r.privacy || 'any', ...(data ? { 'data-lane': data.result.lane } : {}) }, data ? laneBadge(data.result.lane) : null, el('div', { class: 'text' }, r.text));
  for (const p of r.parts) {
    const part = renderPart(p);
    if (part) box.append(part);
  }
  return box;
}

function renderPart(p) {
  switch (p.kind) {
    case 'choices':
      return el('div', { class: 'choices' }, ...p.choices.map((c) => el('button', { type: 'button', onclick: () => send({ button: c.value }, c.label) }, c.label)));
    case 'item':
      return el('div', { class: 'item' }, el('div', { class: 'text' }, p.text), el('div', { class: 'choices' }, ...p.choices.map((c) => el('button', { type: 'button', onclick: () => send({ button: c.value }, c.label) }, c.label))));
    case 'checklist':
      return el('div', { class: 'checklist' }, el('h4', {}, p.title), ...p.items.map((i) => {
        const box = el('input', { type: 'checkbox', onchange: () => send({ button: i.toggle }, (box.checked ? 'have: ' : 'need: ') + i.label, box.closest('.msg')) });
        box.checked = i.checked;
        return el('div', {}, el('label', {}, box, ' ', i.label), i.detail ? el('div', { class: 'detail' }, i.detail) : null);
      }));
    case 'facts':
      return el('div', {}, p.title ? el('h4', {}, p.title) : null, el('table', {}, ...p.rows.map((row) => el('tr', {}, el('th', {}, row.label), el('td', {}, row.value)))));
    case 'form': {
      const inputs = p.fields.map((f) => el('input', { name: f.name, type: f.type === 'number' ? 'number' : 'text', step: 'any', placeholder: f.placeholder || '', ...(f.initial ? { value: f.initial } : {}), ...(f.required ? { required: '' } : {}) }));
      const form = el('form', { class: 'form', onsubmit: (e) => {
        e.preventDefault();
        const values = Object.fromEntries(inputs.map((i) => [i.name, i.value]));
        // What the person sees echoed: the fields filled in, by their labels ("Billed amount ($): 650"), as
        // medbill read them (identifiers left out) once the server answers.
        const said = (v) => p.title + ': ' + p.fields.map((f) => [f.label, String(v[f.name] ?? '').trim()]).filter(([, x]) => x).map(([l, x]) => l + ': ' + x).join(', ');
        send({ form: { id: p.id, values } }, said(values), null, (read) => said(read.values || {}));
      } }, el('h4', {}, p.title), ...p.fields.map((f, n) => el('div', {}, el('label', {}, f.label + ' ', inputs[n]))), el('button', { type: 'submit' }, p.submitLabel));
      return form;
    }
    case 'document': {
      const url = URL.createObjectURL(new Blob([p.body], { type: 'text/plain' }));
      return el('div', {}, el('h4', {}, p.title), el('pre', { class: 'doc' }, p.body), el('a', { href: url, download: p.filename }, 'Download ' + p.filename));
    }
    case 'table':
      return el('div', { class: 'table' }, el('h4', {}, p.title), el('table', {}, el('tr', {}, ...p.columns.map((c) => el('th', {}, c))), ...p.rows.map((r) => el('tr', {}, ...r.map((c) => el('td', {}, c))))));
    case 'file': {
      const bytes = Uint8Array.from(atob(p.base64), (c) => c.charCodeAt(0));
      const url = URL.createObjectURL(new Blob([bytes], { type: p.mediaType }));
      // A chart is shown as a picture (an <img> runs no script, even for SVG); anything else is a download.
      const picture = /^image\/(png|svg\+xml)$/.test(p.mediaType) ? el('img', { src: url, alt: p.name, class: 'chart' }) : null;
      return el('div', { class: 'file' }, picture, el('a', { href: url, download: p.name }, 'Download ' + p.name));
    }
    case 'chart': {
      // Drawn from the SVG as an <img>: an image runs no script, whatever the SVG holds.
      const url = URL.createObjectURL(new Blob([p.svg], { type: 'image/svg+xml' }));
      return el('figure', { class: 'chart' }, el('img', { src: url, alt: p.title }), el('figcaption', {}, p.title));
    }
    case 'list': {
      const items = el('ul', {}, ...p.items.map((i) => el('li', {}, /^https?:\/\//.test(i.link || '') ? el('a', { href: i.link, target: '_blank', rel: 'noopener noreferrer' }, i.text) : i.text)));
      return p.folded ? el('details', { class: 'folded' }, el('summary', {}, p.title + ' (' + p.items.length + ')'), items) : el('div', { class: 'list' }, el('h4', {}, p.title), items);
    }
    case 'triage': return null; // the answer's data; its generic parts are beside it
    default: return el('div', { class: 'muted' }, '(a part this page cannot show: ' + p.kind + ')');
  }
}

function showView(name) {
  currentView = name;
  for (const [view, parts] of Object.entries(views)) for (const part of parts) part.hidden = view !== name;
  for (const [view, tab] of Object.entries(tabs)) tab.setAttribute('aria-selected', String(view === name));
  if (name === 'today') loadToday();
}

// Each showing asks again, so a claim recorded in the chat meanwhile is gone from (or moved in) the list.
let todayLoads = 0;
async function loadToday() {
  const load = ++todayLoads;
  const asOf = document.getElementById('asof');
  const list = document.getElementById('today-list');
  asOf.textContent = "Loading today's claims…";
  list.replaceChildren();
  let replies;
  let zone;
  let ok = false;
  try {
    const res = await fetch('/api/today?user=' + encodeURIComponent(user), { headers: { accept: 'application/json' } });
    const data = await res.json();
    ok = res.ok;
    replies = ok ? data.replies : [{ text: 'medbill could not show today: ' + data.error, parts: [] }];
    zone = ok ? data.zone : undefined;
  } catch (err) {
    replies = [{ text: 'medbill is not reachable (' + err.message + '). Is the server still running?', parts: [] }];
  }
  if (load !== todayLoads) return; // shown again meanwhile: the newer answer draws the list
  // On the practice's clock (the server's MEDBILL_TIME_ZONE), like every date in the list, not this browser's.
  const when = new Date().toLocaleString('en-US', { weekday: 'short', month: 'short', day: 'numeric', year: 'numeric', hour: 'numeric', minute: '2-digit', ...(zone ? { timeZone: zone, timeZoneName: 'short' } : {}) });
  asOf.textContent = ok ? 'As of ' + when : 'Not loaded (' + when + ')';
  list.replaceChildren(...replies.map(renderReply));
}

tabs.chat.addEventListener('click', () => showView('chat'));
tabs.today.addEventListener('click', () => showView('today'));

document.getElementById('send').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = document.getElementById('say');
  const text = input.value;
  input.value = '';
  if (text.trim()) send({ text }, text, null, (read) => read.text ?? '');
});

// A new conversation: the open question (if any) is cancelled, and this page forgets what it kept. Cases,
// claims and letters stay with medbill, by case ID.
document.getElementById('new-conversation').addEventListener('click', async () => {
  kept = [];
  saveKept();
  log.replaceChildren();
  await send({ text: 'cancel' });
  await send({ text: 'help' });
});

// A reload shows the conversation kept in this tab; a new tab starts with help.
if (kept.length) {
  log.replaceChildren(...kept.map((t) => {
    if (typeof t.me === 'string') return el('div', { class: 'msg me' }, t.me);
    const box = renderReply(t.reply);
    box.dataset.turn = String(t.id);
    return box;
  }));
  window.scrollTo(0, document.body.scrollHeight);
} else {
  send({ text: 'help' });
}

// The local chat page's script, served at /page.js (a file, so the page's CSP needs no 'unsafe-inline' for scripts).
'use strict';
// One random id per browser: medbill keeps one conversation per id. It identifies this browser, not a person.
const user = localStorage.getItem('medbill-user') || (() => {
  const id = 'web-' + Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(16).padStart(2, '0')).join('');
  localStorage.setItem('medbill-user', id);
  return id;
})();
const log = document.getElementById('log');

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
}

async function send(body, shown) {
  if (shown) log.append(el('div', { class: 'msg me' }, shown));
  let data;
  try {
    const res = await fetch('/api/turn', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, ...body }) });
    data = await res.json();
    if (!res.ok) data = { replies: [{ text: 'medbill could not take that: ' + data.error, parts: [] }] };
  } catch (err) {
    data = { replies: [{ text: 'medbill is not reachable (' + err.message + '). Is the server still running?', parts: [] }] };
  }
  for (const r of data.replies) log.append(renderReply(r));
  window.scrollTo(0, document.body.scrollHeight);
}

function renderReply(r) {
  const box = el('div', { class: 'msg bot', 'data-privacy': r.privacy || 'any' }, el('div', { class: 'text' }, r.text));
  for (const p of r.parts) box.append(renderPart(p));
  return box;
}

function renderPart(p) {
  switch (p.kind) {
    case 'choices':
      return el('div', { class: 'choices' }, ...p.choices.map((c) => el('button', { type: 'button', onclick: () => send({ button: c.value }, c.label) }, c.label)));
    case 'checklist':
      return el('div', { class: 'checklist' }, el('h4', {}, p.title), ...p.items.map((i) => {
        const box = el('input', { type: 'checkbox', onchange: () => send({ button: i.toggle }, (box.checked ? 'have: ' : 'need: ') + i.label) });
        box.checked = i.checked;
        return el('div', {}, el('label', {}, box, ' ', i.label), i.detail ? el('div', { class: 'detail' }, i.detail) : null);
      }));
    case 'facts':
      return el('div', {}, p.title ? el('h4', {}, p.title) : null, el('table', {}, ...p.rows.map((row) => el('tr', {}, el('th', {}, row.label), el('td', {}, row.value)))));
    case 'form': {
      const inputs = p.fields.map((f) => el('input', { name: f.name, type: f.type === 'number' ? 'number' : 'text', step: 'any', placeholder: f.placeholder || '', ...(f.required ? { required: '' } : {}) }));
      const form = el('form', { class: 'form', onsubmit: (e) => {
        e.preventDefault();
        const values = Object.fromEntries(inputs.map((i) => [i.name, i.value]));
        send({ form: { id: p.id, values } }, p.title + ': ' + inputs.map((i) => i.name + ' ' + i.value).join(', '));
      } }, el('h4', {}, p.title), ...p.fields.map((f, n) => el('div', {}, el('label', {}, f.label + ' ', inputs[n]))), el('button', { type: 'submit' }, p.submitLabel));
      return form;
    }
    case 'document': {
      const url = URL.createObjectURL(new Blob([p.body], { type: 'text/plain' }));
      return el('div', {}, el('h4', {}, p.title), el('pre', { class: 'doc' }, p.body), el('a', { href: url, download: p.filename }, 'Download ' + p.filename));
    }
    case 'triage': return renderTriage(p);
    default: return el('div', { class: 'muted' }, '(a part this page cannot show: ' + p.kind + ')');
  }
}

function renderTriage({ caseId, result: r }) {
  const codes = [...r.procedureCodes.cdt.map((c) => ['CDT', c]), ...r.procedureCodes.cpt.map((c) => ['CPT', c]), ...r.procedureCodes.hcpcs.map((c) => ['HCPCS', c]), ...r.diagnosisCodes.map((c) => ['ICD-10-CM', c])];
  return el('div', { class: 'triage', 'data-lane': r.lane },
    el('div', {}, el('span', { class: 'lane ' + r.lane, title: 'case ' + caseId }, r.lane), '  prior authorization: ', el('strong', { class: 'preauth' }, r.preauth)),
    r.rules.length ? el('div', {}, el('h4', {}, 'Why'), ...r.rules.map((x) => el('div', {}, '• ' + x.summary))) : null,
    codes.length ? el('div', {}, el('h4', {}, 'Codes'), el('table', {}, ...codes.map(([set, c]) => el('tr', {}, el('td', {}, set), el('td', {}, el('strong', {}, c.code)), el('td', {}, c.description))))) : null,
    r.documents.length ? el('div', {}, el('h4', {}, 'Documents'), ...r.documents.map((d) => el('div', {}, (d.onHand ? '☑ ' : '☐ ') + d.label))) : null,
    r.warnings.length ? el('div', {}, el('h4', {}, 'Warnings'), ...r.warnings.map((w) => el('div', { class: 'warn' }, '⚠ ' + w.message))) : null,
    r.questions.length ? el('div', {}, el('h4', {}, 'Questions that would change or firm up the answer'), ...r.questions.map((q) => el('div', {}, '? ' + q.question))) : null,
    el('details', {}, el('summary', {}, 'Rules and their sources (' + r.rules.length + ')'), ...r.rules.map((x) => el('div', { class: 'muted' }, x.id + ' [' + x.source + ']'))),
  );
}

document.getElementById('send').addEventListener('submit', (e) => {
  e.preventDefault();
  const input = document.getElementById('say');
  const text = input.value;
  input.value = '';
  if (text.trim()) send({ text }, text);
});
send({ text: 'help' });

"""The mock's journal page (`GET /__mock`): the calls it answered, live, in a browser.

One self-contained document with inline CSS and JavaScript and no external resources, so it works on
machines without network access. The script reads the mock's JSON endpoints and builds every node with
`textContent`, because the payloads it shows come from anyone who can call the mock. The page is a fixed
text with one placeholder for the script's CSP nonce, so serving it costs one string join.
"""

from __future__ import annotations

import re

from .._errors import InvalidArgument

__all__ = ["journal_page"]

_NONCE = "__CSP_NONCE__"
# A CSP nonce is base64 (either alphabet); anything else could break out of the attribute.
_NONCE_SYNTAX = re.compile(r"[A-Za-z0-9+/_-]+=*")

_CSS = """
*{box-sizing:border-box}[hidden]{display:none!important}
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{background:#1d2330;color:#fff;padding:12px 24px}header h1{margin:0;font-size:18px;font-weight:600}
#meta{margin-top:2px;color:#c3cad5;font-size:13px}#meta b{color:#fff;font-weight:600}
main{padding:16px 24px;max-width:1400px}
.alert{background:#ffebe9;border:1px solid #ff8182;color:#82071e;border-radius:6px;padding:8px 12px;margin:0 0 12px;
white-space:pre-wrap}
.toolbar{display:flex;flex-wrap:wrap;align-items:center;gap:8px 16px;background:#fff;border:1px solid #d8dde4;
border-radius:6px;padding:8px 12px;margin:0 0 12px}
.toolbar label{display:flex;align-items:center;gap:4px}.counts{margin-left:auto;color:#57606a}
.counts span{color:#1d2330;font-weight:600}
button,select{font:inherit;padding:2px 10px;border:1px solid #c3cad5;border-radius:4px;background:#f6f8fa;
color:inherit;cursor:pointer}button:hover{background:#eef1f4}
.card{background:#fff;border:1px solid #d8dde4;border-radius:6px;overflow:hidden}
table{border-collapse:collapse;width:100%}
th,td{padding:5px 10px;text-align:left;vertical-align:top;border-bottom:1px solid #eef1f4}
th{background:#eef1f4;font-weight:600;font-size:13px;white-space:nowrap}
tr.call{cursor:pointer}tr.call:hover{background:#f6f8fa}tr.call.open{background:#eef4ff}
tr.call:focus-visible{outline:2px solid #0969da;outline-offset:-2px}
td.time,td.latency{white-space:nowrap;font-variant-numeric:tabular-nums}td.latency{text-align:right}
.muted{color:#57606a}td.action .muted{margin-left:8px;font-size:12px}
.status{display:inline-block;min-width:3.2em;text-align:center;border-radius:10px;padding:0 8px;font-weight:600;
font-size:12px}.s2xx{background:#dafbe1;color:#1a7f37}.s4xx{background:#fff8c5;color:#9a6700}
.s5xx{background:#ffebe9;color:#cf222e}.s1xx,.s3xx{background:#eef1f4;color:#57606a}
tr.detail>td{background:#fafbfc;padding:8px 10px 12px}
.panes{display:grid;grid-template-columns:repeat(auto-fit,minmax(280px,1fr));gap:10px}
.panes h3{font-size:12px;margin:0 0 4px;color:#57606a;text-transform:uppercase;letter-spacing:.04em}
pre{background:#f6f8fa;border:1px solid #d8dde4;border-radius:4px;padding:8px;margin:0;overflow:auto;
max-height:360px;white-space:pre-wrap;word-break:break-word;font-size:12px}
#empty{background:#fff;border:1px dashed #c3cad5;border-radius:6px;padding:16px;margin:12px 0 0;color:#57606a}
#empty code{display:block;margin-top:8px;padding:8px;background:#f6f8fa;border-radius:4px;color:#1d2330;
white-space:pre-wrap;word-break:break-all;font-size:12px}
"""

_JS = r"""
'use strict';
(() => {
  const HEALTH = '/__mock/health';
  const REQUESTS = '/__mock/requests';
  const POLL_MS = 1000;
  const TIMEOUT_MS = 5000;
  const byId = (id) => document.getElementById(id);
  const live = byId('live');
  const filter = byId('action-filter');
  const clearAll = byId('clear');
  const clearAction = byId('clear-action');
  const rows = byId('calls').tBodies[0];
  const offline = byId('offline');
  const empty = byId('empty');
  const opened = new Set();  // ids of expanded calls: they stay expanded across refreshes
  const names = new Set();  // action names seen in the journal, for the filter
  let shown = new Map();  // id -> call, as last rendered
  let lastKey = null;
  let latest = 0;  // number of the newest refresh: older answers arrive late and are dropped
  let timer = null;
  let healthLoaded = false;
  let polls = 0;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  async function call(path, method) {
    const verb = method || 'GET';
    const abort = new AbortController();
    const stop = setTimeout(() => abort.abort(), TIMEOUT_MS);
    try {
      const response = await fetch(path, {
        method: verb, cache: 'no-store', headers: {accept: 'application/json'}, signal: abort.signal,
      });
      if (!response.ok) throw new Error(verb + ' ' + path + ' answered ' + response.status);
      return await response.json();
    } catch (error) {
      throw error.name === 'AbortError' ? new Error('no answer in ' + TIMEOUT_MS / 1000 + ' s') : error;
    } finally {
      clearTimeout(stop);
    }
  }

  async function loadHealth() {
    try {
      const health = await call(HEALTH);
      healthLoaded = true;
      byId('source').textContent = health.source;
      byId('actions').textContent = health.actions;
      byId('seed').textContent = health.seed;
      byId('generation').textContent = health.generation;
      const problem = byId('health-error');
      problem.hidden = health.status === 'ok';
      const what = health.status === 'reload-failed' ? 'Reload failed; still serving the previous version' :
        'Mock status ' + health.status;
      problem.textContent = health.status === 'ok' ? '' : what + (health.error ? ':\n' + health.error : '');
    } catch (error) {
      // Shown by the next failing poll; retried after the next successful one.
    }
  }

  function selected() {
    return filter.value || null;
  }

  function requestsPath(action) {
    return action ? REQUESTS + '?action=' + encodeURIComponent(action) : REQUESTS;
  }

  function pad(number, width) {
    return String(number).padStart(width, '0');
  }

  function localTime(iso) {
    const at = new Date(iso);
    if (isNaN(at.getTime())) return String(iso);
    return pad(at.getHours(), 2) + ':' + pad(at.getMinutes(), 2) + ':' + pad(at.getSeconds(), 2) + '.' +
      pad(at.getMilliseconds(), 3);
  }

  function pretty(value) {
    if (value === undefined) return '';
    return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  }

  function statusClass(status) {
    return 's' + Math.floor(Number(status) / 100) + 'xx';
  }

  function row(entry) {
    const tr = el('tr', 'call');
    tr.dataset.id = entry.id;
    tr.dataset.action = entry.action || '';
    tr.tabIndex = 0;
    tr.setAttribute('aria-expanded', opened.has(entry.id) ? 'true' : 'false');
    if (opened.has(entry.id)) tr.classList.add('open');
    const time = el('td', 'time', localTime(entry.time));
    time.title = entry.time;
    const action = el('td', 'action');
    action.appendChild(el('span', entry.action ? 'name' : 'name muted', entry.action || '\u2014'));
    action.appendChild(el('span', 'muted', entry.method + ' ' + entry.path));
    const scenario = el('td', entry.scenario ? 'scenario' : 'scenario muted', entry.scenario || 'rejected');
    const status = el('td');
    status.appendChild(el('span', 'status ' + statusClass(entry.status), entry.status));
    const latency = el('td', 'latency', Number(entry.duration_ms).toFixed(1) + ' ms');
    [time, action, scenario, status, latency].forEach((td) => tr.appendChild(td));
    return tr;
  }

  function pane(title, text) {
    const section = el('section');
    section.appendChild(el('h3', null, title));
    section.appendChild(el('pre', null, text));
    return section;
  }

  function detail(entry) {
    const tr = el('tr', 'detail');
    tr.dataset.id = entry.id;
    const td = el('td');
    td.colSpan = 5;
    const panes = el('div', 'panes');
    const request = entry.request || {};
    const headers = Object.entries(request.headers || {}).map(([name, value]) => name + ': ' + value).join('\n');
    const reply = entry.reply || {};
    panes.appendChild(pane('Request headers', headers));
    panes.appendChild(pane('Payload', pretty(request.body)));
    panes.appendChild(pane('Reply', reply.status + ' ' + (reply.content_type || '') + '\n\n' + pretty(reply.body)));
    td.appendChild(panes);
    tr.appendChild(td);
    return tr;
  }

  function toggle(tr) {
    const id = Number(tr.dataset.id);
    const next = tr.nextElementSibling;
    if (opened.has(id)) {
      opened.delete(id);
      if (next && next.classList.contains('detail')) next.remove();
    } else {
      const entry = shown.get(id);
      if (!entry) return;
      opened.add(id);
      tr.after(detail(entry));
    }
    tr.classList.toggle('open', opened.has(id));
    tr.setAttribute('aria-expanded', opened.has(id) ? 'true' : 'false');
  }

  function updateFilter(entries) {
    const before = names.size;
    entries.forEach((entry) => { if (entry.action) names.add(entry.action); });
    const current = selected();
    if (current) names.add(current);
    if (names.size === before) return;
    while (filter.options.length > 1) filter.remove(1);
    Array.from(names).sort().forEach((name) => filter.appendChild(el('option', null, name)));
    filter.value = current || '';
  }

  function updateButtons() {
    const action = selected();
    clearAction.hidden = !action;
    clearAction.textContent = action ? 'Clear ' + action : 'Clear';
  }

  function updateEmpty(count, action) {
    empty.hidden = count > 0;
    if (count > 0) return;
    const name = action || 'yourAction';
    const body = JSON.stringify({action: {name: name}, input: {}, session_variables: {'x-hasura-role': 'admin'}});
    empty.textContent = (action ? 'No calls to ' + action + ' yet.' : 'No calls yet.') +
      ' POST a Hasura action payload to this server, e.g.';
    empty.appendChild(el('code', null,
      'curl -X POST ' + location.origin + '/ -H \'content-type: application/json\' -d \'' + body + '\''));
  }

  function render(data, action) {
    const entries = (data.requests || []).slice().reverse();  // the journal lists oldest first
    byId('shown').textContent = entries.length;
    byId('total').textContent = data.total;
    byId('size').textContent = data.size;
    updateFilter(entries);
    const key = [action, data.total, entries.length, entries.length ? entries[0].id : 0,
      entries.length ? entries[entries.length - 1].id : 0].join('|');
    // Unchanged data leaves the rows alone, so text selected in an expanded call survives the poll.
    if (key === lastKey) return;
    lastKey = key;
    shown = new Map(entries.map((entry) => [entry.id, entry]));
    const fragment = document.createDocumentFragment();
    entries.forEach((entry) => {
      fragment.appendChild(row(entry));
      if (opened.has(entry.id)) fragment.appendChild(detail(entry));
    });
    rows.textContent = '';
    rows.appendChild(fragment);
    updateEmpty(entries.length, action);
  }

  function showOffline(error) {
    offline.hidden = false;
    offline.textContent = 'Cannot reach the mock: ' + (error && error.message ? error.message : error) +
      '; retrying';
  }

  async function refresh() {
    const mine = ++latest;
    const action = selected();
    try {
      const data = await call(requestsPath(action));
      if (mine !== latest) return;
      offline.hidden = true;
      render(data, action);
      // Every fifth poll re-reads health: a reload (or a failed one) shows without reopening the page.
      if (!healthLoaded || ++polls % 5 === 0) loadHealth();
    } catch (error) {
      if (mine === latest) showOffline(error);
    }
  }

  function schedule() {
    clearTimeout(timer);
    timer = live.checked ? setTimeout(tick, POLL_MS) : null;
  }

  async function tick() {
    await refresh();
    schedule();
  }

  async function clear(action) {
    try {
      await call(requestsPath(action), 'DELETE');
    } catch (error) {
      showOffline(error);
    }
    lastKey = null;
    await refresh();
  }

  rows.addEventListener('click', (event) => {
    const tr = event.target.closest('tr.call');
    // A drag that selects text is not a click on the row.
    if (tr && !String(window.getSelection() || '')) toggle(tr);
  });
  rows.addEventListener('keydown', (event) => {
    const tr = event.target.closest('tr.call');
    if (tr && (event.key === 'Enter' || event.key === ' ')) {
      event.preventDefault();
      toggle(tr);
    }
  });
  live.addEventListener('change', () => {
    if (live.checked) tick();
    else schedule();
  });
  filter.addEventListener('change', () => {
    updateButtons();
    lastKey = null;
    refresh();
  });
  clearAll.addEventListener('click', () => clear(null));
  clearAction.addEventListener('click', () => { if (selected()) clear(selected()); });

  updateButtons();
  updateEmpty(0, null);
  loadHealth();
  tick();
})();
"""

_PAGE = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>action-contract mock: journal</title>
<link rel="icon" href="data:,">
<style>{_CSS}</style></head><body>
<header><h1>action-contract mock: journal</h1>
<div id="meta"><b id="source">…</b> · <b id="actions">?</b> actions · seed <b id="seed">?</b> ·
generation <b id="generation">?</b></div></header>
<main>
<p id="health-error" class="alert" role="alert" hidden></p>
<p id="offline" class="alert" role="status" hidden></p>
<div class="toolbar">
<label><input type="checkbox" id="live" checked> Live</label>
<label>Action <select id="action-filter"><option value="">All actions</option></select></label>
<button type="button" id="clear">Clear journal</button>
<button type="button" id="clear-action" hidden>Clear</button>
<div class="counts"><span id="shown">0</span> shown · <span id="total">0</span> calls since start ·
keeps the last <span id="size">?</span> calls</div>
</div>
<div class="card"><table id="calls">
<thead><tr><th>Time</th><th>Action</th><th>Scenario</th><th>Status</th><th>Latency</th></tr></thead>
<tbody></tbody></table></div>
<p id="empty">No calls yet.</p>
</main>
<script nonce="{_NONCE}">{_JS}</script>
</body></html>
"""

_BEFORE, _AFTER = _PAGE.split(_NONCE)


def journal_page(nonce: str) -> str:
    """The journal page as one HTML document whose script carries `nonce` (the response's CSP nonce)."""
    if not _NONCE_SYNTAX.fullmatch(nonce):
        raise InvalidArgument(f"expected a base64 CSP nonce, found {nonce!r}")
    return _BEFORE + nonce + _AFTER

// The mailsync status page: polls api/status about once a second and renders it.
// Every string from the server goes into the page through textContent or an attribute,
// never as markup: account names and failure reasons are not trusted.
'use strict';
(function () {
  const POLL_MS = 1000;
  const SVG = 'http://www.w3.org/2000/svg';
  const $ = (id) => document.getElementById(id);
  const last = { states: null, running: null, failures: null, throughput: null };

  // A page opened as ?token=...: the server has set the session cookie; drop the token from
  // the address bar and the history.
  if (location.search) {
    history.replaceState(null, '', location.pathname);
  }

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }

  function bytes(n) {
    if (n < 0) return '?';
    const units = ['B', 'KB', 'MB', 'GB', 'TB'];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(1)) + ' ' + units[i];
  }

  function count(n) { return n < 0 ? '?' : n.toLocaleString('en-US'); }

  function time(iso) {
    const d = new Date(iso);
    return isNaN(d) ? String(iso) : d.toLocaleTimeString('en-GB');
  }

  function elapsed(iso, now) {
    const s = Math.max(0, Math.round((now - new Date(iso)) / 1000));
    if (s < 60) return s + ' s ago';
    if (s < 3600) return Math.floor(s / 60) + ' min ago';
    return Math.floor(s / 3600) + ' h ' + Math.floor((s % 3600) / 60) + ' min ago';
  }

  function changed(key, value) {
    const text = JSON.stringify(value);
    if (last[key] === text) return false;
    last[key] = text;
    return true;
  }

  function notice(text) {
    const n = $('notice');
    n.textContent = text;
    n.hidden = !text;
  }

  function more(id, shown, total, what) {
    const p = $(id);
    const rest = total - shown;
    p.hidden = rest <= 0;
    p.textContent = rest > 0 ? '… and ' + count(rest) + ' more ' + what + ' not shown' : '';
  }

  function renderStates(s) {
    if (!changed('states', [s.states, s.otherStatesCount])) return;
    const box = $('states');
    const cards = s.states.map((st) => {
      const d = el('div', null, 'state');
      d.dataset.state = st.state;
      d.append(el('span', count(st.count), 'n'), el('span', st.state, 'name'));
      return d;
    });
    if (s.otherStatesCount > 0) {
      const d = el('div', null, 'state');
      d.append(el('span', count(s.otherStatesCount), 'n'), el('span', 'other states', 'name'));
      cards.push(d);
    }
    box.replaceChildren(...cards);
  }

  function renderRunning(s, now) {
    $('running-count').textContent = '(' + count(s.runningTotal) + ')';
    more('running-more', s.running.length, s.runningTotal, 'running mailboxes');
    if (!changed('running', [s.running, Math.floor(now / 1000)])) return;
    const rows = s.running.map((r) => {
      const tr = el('tr');
      tr.dataset.account = r.account;
      const bar = el('progress');
      bar.setAttribute('aria-label', 'messages copied for ' + r.account);
      const known = r.messagesTotal > 0;
      if (known) {
        bar.max = r.messagesTotal;
        bar.value = Math.min(r.messagesDone, r.messagesTotal);
      } else if (r.messagesTotal === 0) {
        bar.max = 1;
        bar.value = 1;
      }
      const pct = known ? Math.floor((100 * Math.min(r.messagesDone, r.messagesTotal)) / r.messagesTotal) + ' %'
                        : (r.messagesTotal === 0 ? '100 %' : 'listing…');
      const cell = el('td');
      cell.append(bar, el('span', pct, 'pct'));
      tr.append(
        el('td', r.account, 'account'),
        el('td', r.worker),
        cell,
        el('td', count(r.messagesDone) + ' / ' + count(r.messagesTotal), 'messages'),
        el('td', bytes(r.bytesDone) + ' / ' + bytes(r.bytesTotal)),
        el('td', time(r.started) + ' (' + elapsed(r.started, now) + ')'));
      return tr;
    });
    if (rows.length === 0) {
      const td = el('td', 'nothing running', 'more');
      td.colSpan = 6;
      const tr = el('tr');
      tr.append(td);
      rows.push(tr);
    }
    $('running').tBodies[0].replaceChildren(...rows);
  }

  function renderThroughput(s) {
    const pts = s.throughput;
    $('throughput-now').textContent = pts.length
      ? '(' + pts[pts.length - 1].messagesPerMinute.toFixed(0) + ' messages/min now)' : '';
    if (!changed('throughput', pts)) return;
    const svg = $('chart');
    const W = 640, H = 190, L = 48, R = 10, T = 24, B = 24;
    const parts = [];
    const add = (tag, attrs, text) => {
      const e = document.createElementNS(SVG, tag);
      for (const k in attrs) e.setAttribute(k, attrs[k]);
      if (text !== undefined) e.textContent = text;
      parts.push(e);
      return e;
    };
    const max = Math.max(1, ...pts.map((p) => p.messagesPerMinute));
    const top = niceCeiling(max);
    for (const f of [0, 0.5, 1]) {
      const y = T + (H - T - B) * (1 - f);
      add('line', { x1: L, x2: W - R, y1: y, y2: y, class: f === 0 ? 'axis' : 'grid' });
      add('text', { x: L - 6, y: y + 4, 'text-anchor': 'end' }, (top * f).toLocaleString('en-US'));
    }
    add('text', { x: 4, y: 11 }, 'messages / min');
    if (pts.length === 0) {
      add('text', { x: (L + W - R) / 2, y: H / 2, 'text-anchor': 'middle' }, 'no throughput yet');
    } else {
      const t0 = new Date(pts[0].time).getTime();
      const t1 = new Date(pts[pts.length - 1].time).getTime();
      const span = Math.max(1, t1 - t0);
      const xy = pts.map((p) => [
        L + (W - L - R) * (pts.length === 1 ? 1 : (new Date(p.time).getTime() - t0) / span),
        T + (H - T - B) * (1 - p.messagesPerMinute / top)]);
      const line = xy.map((p) => p[0].toFixed(1) + ',' + p[1].toFixed(1)).join(' ');
      const base = (T + (H - T - B)).toFixed(1);
      add('polygon', { points: xy[0][0].toFixed(1) + ',' + base + ' ' + line + ' '
                               + xy[xy.length - 1][0].toFixed(1) + ',' + base, class: 'area' });
      add('polyline', { points: line, class: 'line' });
      add('text', { x: L, y: H - 6 }, time(pts[0].time));
      add('text', { x: W - R, y: H - 6, 'text-anchor': 'end' }, time(pts[pts.length - 1].time));
    }
    svg.replaceChildren(...parts);
  }

  function niceCeiling(v) {
    const p = Math.pow(10, Math.floor(Math.log10(v)));
    for (const m of [1, 2, 5, 10]) if (v <= m * p) return m * p;
    return 10 * p;
  }

  function renderFailures(s) {
    $('failures-count').textContent = '(' + count(s.failuresTotal) + ')';
    more('failures-more', s.failures.length, s.failuresTotal, 'failures');
    if (!changed('failures', s.failures)) return;
    const rows = s.failures.map((f) => {
      const tr = el('tr');
      tr.dataset.account = f.account;
      const button = el('button', 'Retry', 'retry');
      button.type = 'button';
      button.setAttribute('aria-label', 'retry ' + f.account);
      button.addEventListener('click', () => retry(f.account, button));
      const cell = el('td');
      cell.append(button);
      tr.append(el('td', f.account, 'account'), el('td', f.reason, 'reason'),
                el('td', count(f.attempts), 'attempts'), el('td', time(f.time)), cell);
      return tr;
    });
    if (rows.length === 0) {
      const td = el('td', 'no failures', 'more');
      td.colSpan = 5;
      const tr = el('tr');
      tr.append(td);
      rows.push(tr);
    }
    $('failures').tBodies[0].replaceChildren(...rows);
  }

  async function retry(account, button) {
    button.disabled = true;
    try {
      const response = await fetch('api/retry', {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-Mailsync-Csrf': '1' },
        body: new URLSearchParams({ account: account }),
      });
      if (!response.ok) {
        notice('Retry of ' + account + ' failed: HTTP ' + response.status);
        button.disabled = false;
        return;
      }
      const answer = await response.json();
      notice(answer.requeued ? account + ' re-queued' : account + ' was not re-queued (not failed any more?)');
    } catch (e) {
      notice('Retry of ' + account + ' failed: ' + e);
      button.disabled = false;
    }
    last.failures = null;
    poll();
  }

  let timer = null;
  async function poll() {
    clearTimeout(timer);
    const updated = $('updated');
    try {
      const response = await fetch('api/status', { credentials: 'same-origin', cache: 'no-store' });
      if (response.status === 401) {
        updated.textContent = 'not authorised: open this page with its token (?token=…)';
        updated.className = 'stale';
      } else if (!response.ok) {
        updated.textContent = 'status unavailable (HTTP ' + response.status + '), retrying';
        updated.className = 'stale';
      } else {
        const s = await response.json();
        const now = Date.now();
        renderStates(s);
        renderRunning(s, now);
        renderThroughput(s);
        renderFailures(s);
        updated.textContent = 'updated ' + time(s.time);
        updated.className = '';
        document.body.dataset.snapshot = s.time;
      }
    } catch (e) {
      updated.textContent = 'status unavailable (' + e + '), retrying';
      updated.className = 'stale';
    }
    timer = setTimeout(poll, POLL_MS);
  }
  poll();
})();

// browser.js URL OUTPREFIX: load a page in headless Chromium through the DevTools protocol, at
// 1280x800 and 390x844, and print one JSON object: console messages, uncaught exceptions, every network
// request the page made, what the DOM holds (figures, tables, svgs, overflow) and the tooltip text after
// hovering the first line chart. Screenshots (full page) go to OUTPREFIX-WIDTH.png, the dark theme's
// first screen to OUTPREFIX-1280-dark.png, the printed page to OUTPREFIX.pdf.
// Run with: node --experimental-websocket browser.js URL OUT (Node 20's WebSocket is behind the flag).
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const [url, outPrefix] = process.argv.slice(2);
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'dash-chromium-'));
const chrome = spawn('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
	'--disable-component-update', '--disable-sync', '--no-first-run', '--user-data-dir=' + profile,
	// Any request that escapes the page goes to a dead proxy (and is recorded below anyway).
	'--proxy-server=127.0.0.1:9', '--remote-debugging-port=0', 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'] });
const timer = setTimeout(() => finish(new Error('timed out')), 60000);
let ws, nextId = 1, pending = new Map(), handlers = [], done = false;

function finish(err, result) {
	if (done) return;
	done = true;
	clearTimeout(timer);
	try { ws && ws.close(); } catch (e) { /* closing anyway */ }
	chrome.kill('SIGKILL');
	chrome.on('exit', () => {
		try { fs.rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }); }
		catch (e) { /* a helper process may still be writing: leave it to the tmp cleaner */ }
	});
	if (err) { console.error('browser.js: ' + err.message); process.exitCode = 1; }
	else process.stdout.write(JSON.stringify(result, null, 1) + '\n');
}

function send(method, params, sessionId) {
	const id = nextId++;
	ws.send(JSON.stringify({ id, method, params: params || {}, sessionId }));
	return new Promise((resolve, reject) => pending.set(id, { resolve, reject, method }));
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function waitFor(pred) { return new Promise((resolve) => handlers.push({ pred, resolve })); }

let stderr = '';
chrome.stderr.on('data', (d) => {
	stderr += d;
	const m = stderr.match(/DevTools listening on (ws:\/\/\S+)/);
	if (m && !ws) { ws = new WebSocket(m[1]); ws.onopen = () => run().then((r) => finish(null, r), finish); ws.onmessage = onMessage; }
});
chrome.on('exit', (code) => { if (!done) finish(new Error('chromium exited (' + code + '): ' + stderr.slice(-500))); });

function onMessage(ev) {
	const msg = JSON.parse(ev.data);
	if (msg.id && pending.has(msg.id)) {
		const p = pending.get(msg.id);
		pending.delete(msg.id);
		if (msg.error) p.reject(new Error(p.method + ': ' + msg.error.message)); else p.resolve(msg.result);
		return;
	}
	record(msg);
	handlers = handlers.filter((h) => { if (h.pred(msg)) { h.resolve(msg); return false; } return true; });
}

const result = { console: [], exceptions: [], log: [], requests: [], views: {} };
function record(msg) {
	const p = msg.params || {};
	if (msg.method === 'Runtime.consoleAPICalled')
		result.console.push({ type: p.type, text: (p.args || []).map((a) => a.value !== undefined ? String(a.value) : a.description).join(' ') });
	else if (msg.method === 'Runtime.exceptionThrown')
		result.exceptions.push(p.exceptionDetails.exception ? p.exceptionDetails.exception.description : p.exceptionDetails.text);
	else if (msg.method === 'Log.entryAdded')
		result.log.push({ level: p.entry.level, text: p.entry.text, url: p.entry.url });
	else if (msg.method === 'Network.requestWillBeSent')
		result.requests.push(p.request.url);
}

const domProbe = `(() => {
	const ids = (sel) => Array.from(document.querySelectorAll(sel)).map((e) => e.id);
	return JSON.stringify({
		title: document.title,
		figures: ids('figure.chart'), tables: ids('table'), sections: ids('section'),
		svgs: document.querySelectorAll('svg.ch').length,
		paths: document.querySelectorAll('svg.ch path.ln').length,
		notes: Array.from(document.querySelectorAll('.note.warn')).map((e) => e.textContent),
		scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth,
		// Charts and tables wider than the screen or than their card (a card scrolling sideways hides them).
		wideCharts: Array.from(document.querySelectorAll('svg.ch')).filter((e) => {
			const r = e.getBoundingClientRect(), box = e.parentNode;
			return r.left < -0.5 || r.right > document.documentElement.clientWidth + 0.5 || box.scrollWidth > box.clientWidth + 1;
		}).map((e) => e.closest('figure').id),
		wideTables: Array.from(document.querySelectorAll('.tw > table')).filter((t) => t.scrollWidth > t.parentNode.clientWidth + 1
			|| t.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5).map((t) => t.id),
		height: document.documentElement.scrollHeight,
		dark: matchMedia('(prefers-color-scheme: dark)').matches,
	});
})()`;

// The parameter explorer, when the page has one: the point shown first (the production configuration), then
// every point chosen through its selects as a reader would (a change event per select): the grid values, the
// Sharpe ratio, PSR and DSR shown, and the width of each explorer chart.
const explorerProbe = `(() => {
	const data = document.getElementById('explorer-data'); if (!data) return 'null';
	const D = JSON.parse(data.textContent), sels = Array.from(document.querySelectorAll('#explorer select'));
	const read = () => ({ g: sels.map((s) => s.value), sharpe: document.getElementById('ex-sharpe').textContent,
		psr: document.getElementById('ex-psr').textContent, dsr: document.getElementById('ex-dsr').textContent,
		status: document.getElementById('ex-status').textContent,
		curve: (document.getElementById('ex-curve').getAttribute('d') || '').length,
		cells: Array.from(document.querySelectorAll('#chart-sweep rect.ex-cur')).map((r) => r.getAttribute('data-v')) });
	const out = { first: read(), prod: D.prod, picks: [], clientWidth: document.documentElement.clientWidth,
		widths: Array.from(document.querySelectorAll('svg.ex-chart')).map((e) => e.getBoundingClientRect().right) };
	D.pts.forEach((p) => {
		sels.forEach((s, c) => { s.value = p.g[c]; s.dispatchEvent(new Event('change')); });
		out.picks.push(read());
	});
	// a click on the sweep heatmap's last cell chooses that point
	const cell = Array.from(document.querySelectorAll('#chart-sweep rect[data-v]')).pop();
	if (cell) { cell.dispatchEvent(new MouseEvent('click', { bubbles: true })); out.click = { v: cell.getAttribute('data-v'), ...read() }; }
	const lg = document.getElementById('sweep-legend');
	out.legend = lg ? { lo: lg.getAttribute('data-lo'), hi: lg.getAttribute('data-hi'), steps: lg.querySelectorAll('rect').length } : null;
	return JSON.stringify(out); })()`;

async function run() {
	const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
	const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
	const s = (m, p) => send(m, p, sessionId);
	await Promise.all(['Runtime.enable', 'Log.enable', 'Network.enable', 'Page.enable'].map((m) => s(m)));
	for (const [w, h] of [[1280, 800], [390, 844]]) {
		await s('Emulation.setDeviceMetricsOverride', { width: w, height: h, deviceScaleFactor: 1, mobile: w < 600 });
		const loaded = waitFor((m) => m.method === 'Page.loadEventFired');
		await s('Page.navigate', { url });
		await loaded;
		await sleep(200);
		const dom = JSON.parse((await s('Runtime.evaluate', { expression: domProbe, returnByValue: true })).result.value);
		dom.explorer = JSON.parse((await s('Runtime.evaluate', { expression: explorerProbe, returnByValue: true })).result.value);
		// Hover the middle of the first line chart: the tooltip must show a date and values.
		const box = (await s('Runtime.evaluate', { returnByValue: true, expression: `(() => {
			const g = document.querySelector('svg.ch .pts'); if (!g) return null;
			const svg = g.ownerSVGElement; svg.scrollIntoView({block: 'center'});
			const r = svg.getBoundingClientRect(); return {x: r.left + r.width * 0.6, y: r.top + r.height / 2}; })()` })).result.value;
		if (box) {
			await s('Input.dispatchMouseEvent', { type: 'mouseMoved', x: box.x, y: box.y });
			await sleep(100);
			dom.tooltip = (await s('Runtime.evaluate', { returnByValue: true,
				expression: `(() => { const t = document.querySelector('.tip:not([hidden])'); return t ? t.textContent : null; })()` })).result.value;
			await s('Input.dispatchMouseEvent', { type: 'mouseMoved', x: 1, y: 1 });
			await s('Runtime.evaluate', { expression: 'window.scrollTo(0, 0)' });
		}
		if (w < 600) {
			// A tap (touch events, as a phone sends them) on the first line chart and on the first bar chart.
			await s('Emulation.setTouchEmulationEnabled', { enabled: true, maxTouchPoints: 1 });
			dom.taps = {};
			for (const sel of ['svg.ch .pts', 'svg.ch rect[data-v]']) {
				const p = (await s('Runtime.evaluate', { returnByValue: true, expression: `(() => {
					const e = document.querySelector(${JSON.stringify(sel)}); if (!e) return null;
					const svg = e.ownerSVGElement || e; svg.scrollIntoView({block: 'center'});
					const r = (e.tagName == 'rect' ? e : svg).getBoundingClientRect();
					return {x: r.left + Math.min(r.width * 0.6, r.width - 1), y: r.top + r.height / 2,
						fig: svg.closest('figure').id}; })()` })).result.value;
				if (!p) continue;
				await s('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: p.x, y: p.y }] });
				await s('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
				await sleep(100);
				dom.taps[sel] = (await s('Runtime.evaluate', { returnByValue: true,
					expression: `(() => { const t = document.querySelectorAll('.tip:not([hidden])');
						return t.length == 1 && t[0].closest('figure').id == ${JSON.stringify(p.fig)} ? t[0].textContent
							: t.length + ' tooltips shown'; })()` })).result.value;
			}
			await s('Emulation.setTouchEmulationEnabled', { enabled: false });
			await s('Runtime.evaluate', { expression: 'window.scrollTo(0, 0)' });
		}
		if (w >= 600) {
			// The controls: a range button shows its view only; a header click sorts; the CSV built in the page.
			dom.controls = JSON.parse((await s('Runtime.evaluate', { returnByValue: true, expression: `(() => {
				const out = {};
				const r = document.querySelector('.rng');
				if (r) {
					const b = r.querySelectorAll('button'), last = b[b.length - 1];
					last.click();
					const shown = Array.from(r.parentNode.querySelectorAll('div[data-range]')).filter((v) => !v.hidden);
					out.range = {key: last.getAttribute('data-r'), shown: shown.map((v) => v.getAttribute('data-range')),
						figure: shown.length ? shown[0].querySelector('figure').id : null,
						width: shown.length ? shown[0].querySelector('svg').getBoundingClientRect().width : 0};
					b[0].click();
				}
				const t = document.querySelector('.tw > table');
				if (t && t.tBodies[0] && t.tBodies[0].rows.length > 1) {
					const th = t.querySelectorAll('thead th');
					let col = Array.from(th).findIndex((h) => h.classList.contains('n'));
					if (col < 0) col = 0;
					th[col].click();
					const vals = Array.from(t.tBodies[0].rows).map((row) => row.cells[col] && row.cells[col].getAttribute('data-v'))
						.filter((v) => v !== null && v !== '').map(Number);
					out.sort = {table: t.id, col, sorted: vals.every((v, i) => i == 0 || vals[i - 1] <= v), n: vals.length,
						aria: th[col].getAttribute('aria-sort')};
					th[col].click();
				}
				out.csv = {};
				document.querySelectorAll('.tw > table, figure.chart').forEach((e) => { out.csv[e.id] = window.dashCSV(e.id); });
				out.buttons = document.querySelectorAll('button.csv').length;
				return JSON.stringify(out); })()` })).result.value);
		}
		const full = dom.height;
		await s('Emulation.setDeviceMetricsOverride', { width: w, height: Math.min(full, 16000), deviceScaleFactor: 1, mobile: w < 600 });
		await sleep(150);
		const shot = await s('Page.captureScreenshot', { format: 'png' });
		fs.writeFileSync(`${outPrefix}-${w}.png`, Buffer.from(shot.data, 'base64'));
		result.views[w] = dom;
	}
	// The dark theme (prefers-color-scheme) and the printed page.
	await s('Emulation.setDeviceMetricsOverride', { width: 1280, height: 800, deviceScaleFactor: 1, mobile: false });
	await s('Emulation.setEmulatedMedia', { features: [{ name: 'prefers-color-scheme', value: 'dark' }] });
	await sleep(150);
	const dark = JSON.parse((await s('Runtime.evaluate', { returnByValue: true, expression:
		`JSON.stringify({dark: matchMedia('(prefers-color-scheme: dark)').matches,
			bg: getComputedStyle(document.body).backgroundColor})` })).result.value);
	const shot = await s('Page.captureScreenshot', { format: 'png' });
	fs.writeFileSync(`${outPrefix}-1280-dark.png`, Buffer.from(shot.data, 'base64'));
	await s('Emulation.setEmulatedMedia', { media: 'print', features: [] });
	const print = JSON.parse((await s('Runtime.evaluate', { returnByValue: true, expression:
		`JSON.stringify({bg: getComputedStyle(document.body).backgroundColor,
			nav: getComputedStyle(document.querySelector('nav') || document.body).display})` })).result.value);
	const pdf = await s('Page.printToPDF', { printBackground: false, preferCSSPageSize: false });
	fs.writeFileSync(`${outPrefix}.pdf`, Buffer.from(pdf.data, 'base64'));
	result.dark = dark;
	result.print = print;
	return result;
}

// render.js URL [RUNS]: the first render of a page in headless Chromium, through the DevTools protocol: for
// each of RUNS loads (default 5) at 1280x800, the first contentful paint and the load event, in ms from
// navigation start (the page's own performance entries). Prints one JSON object with every run.
// Run with: node --experimental-websocket render.js URL [RUNS]
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const [url, runsArg] = process.argv.slice(2);
const runs = Math.max(1, parseInt(runsArg || '5', 10));
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'dash-render-'));
const chrome = spawn('chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
	'--disable-component-update', '--disable-sync', '--no-first-run', '--user-data-dir=' + profile,
	'--proxy-server=127.0.0.1:9', '--remote-debugging-port=0', 'about:blank'], { stdio: ['ignore', 'ignore', 'pipe'] });
let ws, nextId = 1, done = false;
const pending = new Map(), handlers = [];
const timer = setTimeout(() => finish(new Error('timed out')), 120000);

function finish(err, result) {
	if (done) return;
	done = true;
	clearTimeout(timer);
	try { ws && ws.close(); } catch (e) { /* closing anyway */ }
	chrome.kill('SIGKILL');
	chrome.on('exit', () => { try { fs.rmSync(profile, { recursive: true, force: true }); } catch (e) { /* tmp */ } });
	if (err) { console.error('render.js: ' + err.message); process.exitCode = 1; }
	else process.stdout.write(JSON.stringify(result) + '\n');
}
function send(method, params, sessionId) {
	const id = nextId++;
	ws.send(JSON.stringify({ id, method, params: params || {}, sessionId }));
	return new Promise((resolve, reject) => pending.set(id, { resolve, reject, method }));
}
const waitFor = (pred) => new Promise((resolve) => handlers.push({ pred, resolve }));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
let stderr = '';
chrome.stderr.on('data', (d) => {
	stderr += d;
	const m = stderr.match(/DevTools listening on (ws:\/\/\S+)/);
	if (m && !ws) {
		ws = new WebSocket(m[1]);
		ws.onopen = () => run().then((r) => finish(null, r), finish);
		ws.onmessage = (ev) => {
			const msg = JSON.parse(ev.data);
			if (msg.id && pending.has(msg.id)) {
				const p = pending.get(msg.id);
				pending.delete(msg.id);
				if (msg.error) p.reject(new Error(p.method + ': ' + msg.error.message)); else p.resolve(msg.result);
				return;
			}
			handlers.splice(0, handlers.length, ...handlers.filter((h) => { if (h.pred(msg)) { h.resolve(msg); return false; } return true; }));
		};
	}
});
chrome.on('exit', (code) => { if (!done) finish(new Error('chromium exited (' + code + ')')); });

async function run() {
	const { targetId } = await send('Target.createTarget', { url: 'about:blank' });
	const { sessionId } = await send('Target.attachToTarget', { targetId, flatten: true });
	const s = (m, p) => send(m, p, sessionId);
	await s('Page.enable');
	await s('Emulation.setDeviceMetricsOverride', { width: 1280, height: 800, deviceScaleFactor: 1, mobile: false });
	const out = { url, runs: [] };
	for (let i = 0; i < runs; i++) {
		const loaded = waitFor((m) => m.method === 'Page.loadEventFired');
		await s('Page.navigate', { url });
		await loaded;
		await sleep(300);
		const r = JSON.parse((await s('Runtime.evaluate', { returnByValue: true, expression: `JSON.stringify({
			fcp: (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime,
			load: performance.getEntriesByType('navigation')[0].loadEventEnd })` })).result.value);
		out.runs.push(r);
	}
	return out;
}

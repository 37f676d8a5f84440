// provoice-live: the browser side of the live demo.
//
// One click opens one WebRTC peer connection to the server: the microphone track goes up, the
// agent's spoken replies come down on the same audio transceiver, and the session's events arrive
// on the "events" data channel as JSON ({type: speech|transcript|interjection|response|error|end}).
// The token, when the server needs one, comes from this page's URL (?token=...) and goes in the
// X-Provoice-Token header. When the server is on loopback, the offer keeps only loopback
// candidates, so nothing is sent off 127.0.0.1.
"use strict";

const $ = (id) => document.getElementById(id);
const token = new URLSearchParams(location.search).get("token") || "";
const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])$/.test(location.hostname);

const state = {
  pc: null, channel: null, stream: null, audioCtx: null, analyser: null,
  t0: null, speech: [], inters: [], speaking: false, count: 0, ended: null,
};
window.provoice = state; // for tests and the curious

function api(path, options = {}) {
  const headers = Object.assign({"Content-Type": "application/json"}, options.headers || {});
  if (token) headers["X-Provoice-Token"] = token;
  return fetch(path, Object.assign({}, options, {headers}));
}

function setState(name, label) {
  const el = $("state");
  el.className = "pill " + name;
  el.textContent = label || name;
}

function fmt(t) { return t == null ? "" : t.toFixed(2) + " s"; }
function now() { return state.t0 == null ? 0 : (performance.now() - state.t0) / 1000; }

// ---- the event list ---------------------------------------------------------------------------

function addEvent(cls, html, data) {
  $("empty").hidden = true;
  const li = document.createElement("li");
  li.className = "event " + cls;
  for (const [k, v] of Object.entries(data || {})) if (v != null) li.dataset[k] = v;
  li.innerHTML = html;
  const list = $("events");
  list.prepend(li);
  return li;
}

function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
}

function toolList(calls) {
  if (!calls || !calls.length) return "";
  return '<ul class="tools">' + calls.map((c) =>
    `<li><code>${esc(c.name)}(${esc(JSON.stringify(c.arguments || {}))})</code></li>`).join("") + "</ul>";
}

const handlers = {
  session(e) {
    $("session").textContent = e.session_id;
    $("session").title = "run directory: " + e.run_dir;
  },
  speech(e) {
    state.speaking = e.state === "start";
    $("speaking").textContent = state.speaking ? "speaking" : "silent";
    $("speaking").className = state.speaking ? "on" : "";
    if (state.speaking) state.speech.push([e.at_s, null]);
    else if (state.speech.length) state.speech[state.speech.length - 1][1] = e.at_s;
    addEvent("speech speech-" + e.state, `<span class="t">${fmt(e.at_s)}</span> speech ${state.speaking ? "started" : "ended"}`, {t: e.at_s});
  },
  transcript(e) {
    addEvent("transcript", `<span class="t">${fmt(e.t)}</span><span class="who">heard</span> <q>${esc(e.text)}</q>`, {t: e.t});
  },
  interjection(e) {
    state.count += 1;
    $("count").textContent = state.count;
    state.inters.push(e.t);
    const lat = e.latency_s == null ? "" : `<span class="latency" title="from the end of your last speech">+${e.latency_s.toFixed(2)} s</span>`;
    const li = addEvent("interjection",
      `<div class="head"><span class="t">${fmt(e.t)}</span><span class="who">agent speaks up</span>${lat}</div>` +
      `<p class="text">${esc(e.text || "(a tool call)")}</p>${toolList(e.tool_calls)}`,
      {t: e.t, latency: e.latency_s, responseId: e.response_id});
    li.id = "r-" + (e.response_id || state.count);
  },
  response(e) {
    const li = document.getElementById("r-" + e.response_id);
    if (!li) return;
    if (e.text) li.querySelector(".text").textContent = e.text;
    if (e.tool_calls && e.tool_calls.length && !li.querySelector(".tools")) li.insertAdjacentHTML("beforeend", toolList(e.tool_calls));
  },
  error(e) {
    addEvent("error", `<span class="t">${fmt(e.t)}</span> ${esc(e.message)}`, {t: e.t});
  },
  end(e) {
    state.ended = e;
    addEvent("end", `Session ended: <b>${esc(e.status)}</b>${e.reason ? " (" + esc(e.reason) + ")" : ""}, ` +
      `${e.interjections} interjection${e.interjections === 1 ? "" : "s"}.`, {status: e.status});
    teardown(e.status === "ok" ? "ended" : "error");
  },
};

function onMessage(msg) {
  let e;
  try { e = JSON.parse(msg.data); } catch (_) { return; }
  (handlers[e.type] || (() => {}))(e);
}

// ---- the strip: the last 30 s of speech and interjections --------------------------------------

function drawStrip() {
  const c = $("strip"), g = c.getContext("2d");
  const w = c.width = c.clientWidth * devicePixelRatio, h = c.height = 70 * devicePixelRatio;
  const span = 30, end = Math.max(now(), span), start = end - span;
  const x = (t) => (t - start) / span * w;
  g.clearRect(0, 0, w, h);
  g.fillStyle = "rgba(148,163,184,0.15)";
  g.fillRect(0, h * 0.35, w, h * 0.3);
  g.fillStyle = "#38bdf8";
  for (const [a, b] of state.speech) {
    const bb = b == null ? now() : b;
    if (bb < start) continue;
    g.fillRect(x(a), h * 0.3, Math.max(2, x(bb) - x(a)), h * 0.4);
  }
  g.fillStyle = "#f59e0b";
  for (const t of state.inters) {
    if (t < start) continue;
    g.beginPath(); g.moveTo(x(t), h * 0.05); g.lineTo(x(t) + 7 * devicePixelRatio, h * 0.05);
    g.lineTo(x(t), h * 0.3); g.fill();
    g.fillRect(x(t) - devicePixelRatio, h * 0.05, 2 * devicePixelRatio, h * 0.9);
  }
  g.fillStyle = "rgba(226,232,240,0.55)";
  g.font = `${11 * devicePixelRatio}px system-ui, sans-serif`;
  for (let s = Math.ceil(start / 5) * 5; s <= end; s += 5) g.fillText(s + " s", x(s) + 3, h - 4);
  if (state.analyser) {
    const buf = new Float32Array(state.analyser.fftSize);
    state.analyser.getFloatTimeDomainData(buf);
    let sum = 0; for (const v of buf) sum += v * v;
    const db = 10 * Math.log10(sum / buf.length + 1e-10);
    $("level").style.width = Math.max(0, Math.min(100, (db + 60) / 60 * 100)) + "%";
  }
  $("clock").textContent = now().toFixed(1) + " s";
  if (state.pc) requestAnimationFrame(drawStrip);
}

// ---- connecting -------------------------------------------------------------------------------

function loopbackOnly(sdp) {
  // Keep only candidates on loopback addresses (the server is on loopback too).
  return sdp.split("\r\n").filter((line) => {
    if (!line.startsWith("a=candidate:")) return true;
    const addr = line.split(" ")[4] || "";
    return /^127\./.test(addr) || addr === "::1";
  }).join("\r\n");
}

function gathered(pc, ms) {
  if (pc.iceGatheringState === "complete") return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => { if (pc.iceGatheringState === "complete") resolve(); };
    pc.addEventListener("icegatheringstatechange", done);
    setTimeout(resolve, ms);
  });
}

async function start() {
  $("context-error").hidden = true;
  const context = $("context").value.trim();
  if (context) {
    try { JSON.parse(context); } catch (err) {
      $("context-error").textContent = "The digital context is not valid JSON: " + err.message;
      $("context-error").hidden = false;
      return;
    }
  }
  $("start").disabled = true;
  setState("connecting");
  try {
    state.stream = await navigator.mediaDevices.getUserMedia({
      audio: {echoCancellation: true, noiseSuppression: false, autoGainControl: false, channelCount: 1},
    });
    const pc = state.pc = new RTCPeerConnection({iceServers: []});
    state.channel = pc.createDataChannel("events", {ordered: true});
    state.channel.onmessage = onMessage;
    for (const track of state.stream.getAudioTracks()) pc.addTrack(track, state.stream);
    pc.ontrack = (ev) => { $("reply").srcObject = ev.streams[0] || new MediaStream([ev.track]); };
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === "connected") { setState("live", "listening"); if (state.t0 == null) state.t0 = performance.now(); }
      if (pc.connectionState === "failed") teardown("error");
    };
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc, 2000);
    let sdp = pc.localDescription.sdp;
    if (LOOPBACK) sdp = loopbackOnly(sdp);
    const res = await api("/api/offer", {method: "POST", body: JSON.stringify({
      sdp, type: "offer", instruction: $("instruction").value, context, speak: $("speak").checked,
    })});
    const answer = await res.json();
    if (!res.ok) throw new Error(answer.error || res.statusText);
    await pc.setRemoteDescription(answer);
    const ctx = state.audioCtx = new AudioContext();
    state.analyser = ctx.createAnalyser();
    ctx.createMediaStreamSource(state.stream).connect(state.analyser);
    $("stop").disabled = false;
    requestAnimationFrame(drawStrip);
  } catch (err) {
    addEvent("error", esc("Could not start: " + err.message));
    teardown("error");
  }
}

function stop() {
  $("stop").disabled = true;
  setState("stopping");
  if (state.channel && state.channel.readyState === "open") {
    state.channel.send(JSON.stringify({type: "stop"}));
    setTimeout(() => { if (!state.ended) teardown("ended"); }, 8000); // the server's end event closes us
  } else {
    teardown("ended");
  }
}

function teardown(how) {
  if (state.stream) state.stream.getTracks().forEach((t) => t.stop());
  if (state.pc) state.pc.close();
  if (state.audioCtx) state.audioCtx.close();
  state.pc = state.channel = state.stream = state.audioCtx = state.analyser = null;
  $("start").disabled = false;
  $("stop").disabled = true;
  setState(how === "error" ? "error" : "idle", how === "error" ? "error" : "ended");
}

async function init() {
  $("start").onclick = start;
  $("stop").onclick = stop;
  window.addEventListener("pagehide", () => {
    if (state.channel && state.channel.readyState === "open") state.channel.send(JSON.stringify({type: "stop"}));
  });
  try {
    const res = await api("/api/config");
    if (res.status === 403) { setState("error", "token needed"); addEvent("error", "This server needs a token: open the URL it printed (…/?token=…)."); return; }
    const cfg = await res.json();
    $("agent").textContent = "agent: " + cfg.agent;
    if (cfg.instruction && !$("instruction").value) $("instruction").value = cfg.instruction;
    if (cfg.context && !$("context").value) $("context").value = cfg.context;
  } catch (err) {
    setState("error", "server unreachable");
  }
}

init();

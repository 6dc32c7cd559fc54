// The demo page: chat over a WebSocket, server stats over an EventSource. Every piece of text from
// the network is put on the page with textContent, never as HTML.
const $ = (id) => document.getElementById(id);
const MAX_SHOWN = 200;

const nameInput = $('name-input');
nameInput.value = localStorage.getItem('wasmlane-name') || `guest-${Math.floor(1000 + Math.random() * 9000)}`;
nameInput.addEventListener('change', () => localStorage.setItem('wasmlane-name', nameInput.value.trim()));

function setStatus(element, state, text) {
  element.dataset.state = state;
  element.textContent = text;
}

function show(parts, className) {
  const list = $('messages');
  const item = document.createElement('li');
  if (className) item.className = className;
  item.append(...parts);
  list.append(item);
  while (list.children.length > MAX_SHOWN) list.firstElementChild.remove();
  list.scrollTop = list.scrollHeight;
}

function span(className, text) {
  const element = document.createElement('span');
  element.className = className;
  element.textContent = text;
  return element;
}

function showChat(message) {
  const time = document.createElement('time');
  time.dateTime = message.time;
  time.textContent = new Date(message.time).toLocaleTimeString();
  show([time, span('name', message.name), span('text', message.text)]);
}

// --- WebSocket chat, reconnecting with backoff ---------------------------------------------------
let socket;
let retryMs = 500;
function connectChat() {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  socket = new WebSocket(`${scheme}://${location.host}/chat`);
  socket.addEventListener('open', () => {
    retryMs = 500;
    setStatus($('ws-status'), 'open', 'connected');
  });
  socket.addEventListener('message', (event) => {
    let message;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    if (message.type === 'chat') showChat(message);
    else if (message.type === 'error') show([span('text', message.text)], 'system');
  });
  socket.addEventListener('close', () => {
    setStatus($('ws-status'), 'closed', 'reconnecting…');
    setTimeout(connectChat, retryMs);
    retryMs = Math.min(retryMs * 2, 10_000);
  });
}
connectChat();

$('chat-form').addEventListener('submit', (event) => {
  event.preventDefault();
  const input = $('message-input');
  const text = input.value.trim();
  if (text === '' || socket.readyState !== WebSocket.OPEN) return;
  socket.send(JSON.stringify({ name: nameInput.value.trim(), text }));
  input.value = '';
  input.focus();
});

// --- SSE stats -----------------------------------------------------------------------------------
function formatBytes(bytes) {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

function formatUptime(seconds) {
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}h ${m}m ${s % 60}s` : m > 0 ? `${m}m ${s % 60}s` : `${s}s`;
}

let received = 0;
const stats = new EventSource('/stats');
stats.addEventListener('open', () => setStatus($('sse-status'), 'open', 'live'));
stats.addEventListener('error', () => setStatus($('sse-status'), 'closed', 'reconnecting…'));
stats.addEventListener('stats', (event) => {
  const s = JSON.parse(event.data);
  $('stat-connections').textContent = String(s.connections);
  $('stat-requests').textContent = String(s.requests);
  $('stat-ws').textContent = String(s.wsClients);
  $('stat-rss').textContent = formatBytes(s.rss);
  $('stat-uptime').textContent = formatUptime(s.uptime);
  $('stat-engine').textContent = s.engine;
  $('stats').dataset.events = String(++received);
});

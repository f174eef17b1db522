// The page of the Spring chat example: two EventSource streams.
// - /events?topic=announcements: named 'announcement' events, broadcast to every open page.
// - /api/send?reply=<id>&message=...: one reply, token by token. The reply's id and the last event
//   id shown are kept in localStorage, so a reload reopens the reply after that id (lastEventID)
//   and shows the rest: nothing lost, nothing repeated.
(function () {
  'use strict';
  var KEY = 'herald.spring-chat';
  var $ = function (id) { return document.getElementById(id); };
  var turns = load();
  var reply = null; // the EventSource of the reply being streamed

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY)) || []; } catch (e) { return []; }
  }
  function save() { localStorage.setItem(KEY, JSON.stringify(turns)); }
  function state(id, name, text) { $(id).className = 'state ' + name; $(id).textContent = text; }

  // crypto.randomUUID needs a secure context; getRandomValues works on plain http too.
  function uuid() {
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  function render() {
    var box = $('turns');
    box.textContent = '';
    turns.forEach(function (t) {
      var user = document.createElement('div');
      user.className = 'bubble user';
      user.textContent = t.message;
      var assistant = document.createElement('div');
      assistant.className = 'bubble assistant' + (t.done ? '' : ' streaming');
      assistant.id = 'reply-' + t.reply;
      assistant.dataset.done = String(t.done);
      assistant.textContent = t.text;
      box.appendChild(user);
      box.appendChild(assistant);
    });
  }

  // Announcements: a named event, so a named listener (onmessage sees only unnamed events).
  var announcements = new EventSource('/events?topic=announcements');
  announcements.onopen = function () { state('announce-state', 'open', 'live'); };
  announcements.addEventListener('announcement', function (e) {
    var li = document.createElement('li');
    li.textContent = JSON.parse(e.data).text;
    li.dataset.id = e.lastEventId;
    $('announcements').appendChild(li);
  });
  announcements.onerror = function () {
    // CONNECTING: the browser reconnects by itself and sends Last-Event-ID; CLOSED: it gave up.
    if (announcements.readyState === EventSource.CONNECTING) state('announce-state', 'reconnecting', 'reconnecting');
    else state('announce-state', 'closed', 'closed');
  };

  // One reply. Fresh: send the message and read from the reply's first event ('earliest'), so no
  // token published before the stream opened is missed. Resumed: no message, after the last id.
  function stream(t, fresh) {
    if (reply) reply.close();
    var q = 'reply=' + encodeURIComponent(t.reply) + '&lastEventID=' + encodeURIComponent(t.lastId || 'earliest');
    if (fresh) q += '&message=' + encodeURIComponent(t.message);
    var es = reply = new EventSource('/api/send?' + q);
    state('reply-state', 'open', fresh ? 'sending' : 'resuming');
    $('reply-detail').textContent = t.lastId ? 'after event ' + t.lastId : '';
    es.onopen = function () { state('reply-state', 'open', 'streaming'); };
    es.onmessage = function (e) {
      t.text += JSON.parse(e.data).token;
      t.lastId = e.lastEventId;          // where a reload resumes
      t.ids.push(e.lastEventId);
      save();
      $('reply-' + t.reply).textContent = t.text;
      $('reply-detail').textContent = 'event ' + t.lastId;
    };
    es.addEventListener('done', function (e) {
      t.done = true;
      t.lastId = e.lastEventId;
      save();
      es.close();                        // the reply is complete: do not reconnect
      reply = null;
      render();
      state('reply-state', '', 'done');
    });
    es.onerror = function () {
      if (es.readyState === EventSource.CONNECTING) {
        state('reply-state', 'reconnecting', 'reconnecting');
        $('reply-detail').textContent = 'will resume after event ' + (t.lastId || 'none');
      } else {
        state('reply-state', 'closed', 'refused: reload to try again');
      }
    };
  }

  $('composer').onsubmit = function (e) {
    e.preventDefault();
    var message = $('message').value.trim();
    if (!message) return;
    var t = { reply: uuid(), message: message, text: '', lastId: '', ids: [], done: false };
    turns.push(t);
    save();
    $('message').value = '';
    render();
    stream(t, true);
  };

  $('announcer').onsubmit = function (e) {
    e.preventDefault();
    var body = new URLSearchParams({ text: $('announcement').value });
    fetch('/api/announce', { method: 'POST', body: body }).then(function () { $('announcement').value = ''; });
  };

  // Leaving the page closes the streams first, so the browser never reports them as failed.
  window.addEventListener('pagehide', function () { if (reply) reply.close(); announcements.close(); });

  render();
  var unfinished = turns.filter(function (t) { return !t.done; })[0];
  if (unfinished) stream(unfinished, false);
})();

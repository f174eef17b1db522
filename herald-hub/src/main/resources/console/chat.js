// Herald chat demo: each reply is a topic with history, so a reload resumes it from the last id.
(function () {
  'use strict';
  var KEY = 'herald.chat';
  var $ = function (id) { return document.getElementById(id); };
  var turns = load();
  var source = null;
  var leaving = false;
  // Leaving the page closes the stream, and Chromium reports that as an error on a closed
  // EventSource: close it first, so a reload never marks the reply as failed.
  function leave() {
    leaving = true;
    if (source) source.close();
  }
  window.addEventListener('beforeunload', leave);
  window.addEventListener('pagehide', leave);

  function load() {
    try { return JSON.parse(localStorage.getItem(KEY)) || []; } catch (e) { return []; }
  }
  function save() {
    try { localStorage.setItem(KEY, JSON.stringify(turns)); } catch (e) { /* private mode */ }
  }

  // crypto.randomUUID needs a secure context; getRandomValues works on plain http too.
  function uuid() {
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  function setState(name, text, detail) {
    $('state').className = 'state ' + name;
    $('state').textContent = text;
    if (detail !== undefined) $('detail').textContent = detail;
  }

  function render() {
    var box = $('turns');
    box.textContent = '';
    $('welcome').hidden = turns.length > 0;
    turns.forEach(function (t) {
      var user = document.createElement('div');
      user.className = 'bubble user';
      user.textContent = t.message;
      box.appendChild(user);
      var a = document.createElement('div');
      a.className = 'bubble assistant' + (t.done || t.error ? '' : ' streaming') + (t.error ? ' failed' : '');
      a.id = 'reply-' + t.reply;
      a.dataset.reply = t.reply;
      a.dataset.done = t.done ? 'true' : 'false';
      var text = document.createElement('span');
      text.className = 'text';
      text.textContent = t.text;
      a.appendChild(text);
      if (t.error) {
        var note = document.createElement('span');
        note.className = 'note';
        note.textContent = t.error;
        a.appendChild(note);
      }
      box.appendChild(a);
    });
    window.scrollTo(0, document.body.scrollHeight);
  }

  function bubble(t) { return $('reply-' + t.reply); }

  // Opens (or reopens) the stream of reply t. A fresh reply sends the message and reads from the
  // earliest event; a resumed one sends no message and reads after the last id it kept.
  function stream(t, fresh) {
    if (source) source.close();
    var q = 'reply=' + encodeURIComponent(t.reply);
    if (fresh) q += '&message=' + encodeURIComponent(t.message);
    q += '&lastEventID=' + encodeURIComponent(t.lastId || 'earliest');
    var resumedFrom = fresh ? '' : (t.lastId || 'the start');
    setState('connecting', fresh ? 'Sending' : 'Resuming', resumedFrom ? 'resuming after event #' + resumedFrom : '');
    $('send').disabled = true;
    var s = source = new EventSource('/api/send?' + q);
    s.onopen = function () {
      setState('open', 'Streaming', resumedFrom ? 'resumed after event #' + resumedFrom : 'reply ' + t.reply.slice(0, 8) + '…');
    };
    s.onmessage = function (e) {
      var token = JSON.parse(e.data).token;
      t.text += token;
      t.lastId = e.lastEventId;
      save();
      var b = bubble(t);
      if (b) b.querySelector('.text').textContent = t.text;
      $('detail').textContent = (resumedFrom ? 'resumed after #' + resumedFrom + ' · ' : '') + 'event #' + t.lastId;
      window.scrollTo(0, document.body.scrollHeight);
    };
    s.addEventListener('done', function (e) {
      var d = JSON.parse(e.data);
      t.done = true;
      t.lastId = e.lastEventId;
      if (d.finish === 'error') t.error = d.error;
      save();
      s.close();
      source = null;
      var b = bubble(t);
      if (b) {
        b.classList.remove('streaming');
        b.dataset.done = 'true';
        if (t.error) render();
      }
      setState(t.error ? 'closed' : 'open', t.error ? 'Failed' : 'Done', 'last event #' + t.lastId);
      $('send').disabled = false;
    });
    s.onerror = function () {
      if (s !== source || leaving) return;
      if (s.readyState === EventSource.CONNECTING) {
        setState('reconnecting', 'Reconnecting', 'will resume after event #' + (t.lastId || 'none'));
        return;
      }
      // Shown, not stored: the reply stays resumable, and a reload tries again.
      t.error = 'The hub refused the stream; reload to try again.';
      render();
      delete t.error;
      setState('closed', 'Failed', '');
      $('send').disabled = false;
    };
  }

  $('composer').onsubmit = function (e) {
    e.preventDefault();
    var message = $('message').value.trim();
    if (!message) return;
    var t = { reply: uuid(), message: message, text: '', lastId: '', done: false };
    turns.push(t);
    save();
    $('message').value = '';
    render();
    stream(t, true);
  };
  $('message').onkeydown = function (e) {
    if (e.key === 'Enter' && !e.shiftKey) { e.preventDefault(); $('composer').requestSubmit(); }
  };
  $('new-chat').onclick = function () {
    if (source) source.close();
    source = null;
    turns = [];
    save();
    render();
    setState('', 'Idle', '');
    $('send').disabled = false;
  };

  render();
  var pending = turns.filter(function (t) { return !t.done; })[0];
  if (pending) stream(pending, false);
})();

// Herald console: one EventSource for the chosen topics, one for the hub's figures, a publish form.
(function () {
  'use strict';
  var HUB = '/.well-known/mercure';
  var MAX_EVENTS = 200;
  var store = {
    get: function (k, d) { try { var v = localStorage.getItem('herald.' + k); return v === null ? d : JSON.parse(v); } catch (e) { return d; } },
    set: function (k, v) { try { localStorage.setItem('herald.' + k, JSON.stringify(v)); } catch (e) { /* private mode */ } }
  };
  var $ = function (id) { return document.getElementById(id); };

  var selectors = store.get('selectors', ['news']);
  var types = store.get('types', ['message', 'price', 'prompt', 'done', 'history-cut']);
  var source = null;
  var lastId = '';
  var ownTopics = {}; // id -> topics, for events this page published
  var listening = {};

  // ---- subscription ----
  function streamUrl() {
    var q = selectors.map(function (s) { return 'topic=' + encodeURIComponent(s); });
    var token = $('sub-token').value.trim();
    if (lastId) q.push('lastEventID=' + encodeURIComponent(lastId));
    if (token) q.push('authorization=' + encodeURIComponent(token));
    return HUB + '?' + q.join('&');
  }

  function setState(name, text) {
    var el = $('state');
    el.className = 'state ' + name;
    el.textContent = text;
  }

  function connect() {
    if (source) source.close();
    listening = {};
    renderSelectors();
    if (selectors.length === 0) {
      source = null;
      setState('closed', 'No topics');
      $('stream-url').textContent = '–';
      return;
    }
    var url = streamUrl();
    $('stream-url').textContent = url.replace(/authorization=[^&]*/, 'authorization=…');
    setState('connecting', 'Connecting');
    source = new EventSource(url);
    var s = source;
    s.onopen = function () { if (s === source) setState('open', 'Open'); };
    s.onerror = function () {
      if (s !== source) return;
      if (s.readyState === EventSource.CONNECTING) setState('reconnecting', 'Reconnecting');
      else setState('closed', 'Closed by the hub');
    };
    types.forEach(listen);
  }

  function listen(type) {
    if (!source || listening[type]) return;
    listening[type] = true;
    var s = source;
    s.addEventListener(type, function (e) { if (s === source) received(type, e); });
  }

  function received(type, e) {
    if (e.lastEventId) {
      lastId = e.lastEventId;
      $('last-id').textContent = lastId;
    }
    var li = document.createElement('li');
    var meta = document.createElement('div');
    meta.className = 'meta';
    meta.appendChild(span(type === 'history-cut' ? 'type cut' : 'type', type));
    meta.appendChild(span('topic', topicOf(e.lastEventId)));
    meta.appendChild(span('id', e.lastEventId || 'no id'));
    meta.appendChild(span('time', new Date().toLocaleTimeString([], { hour12: false }) + '.' + String(Date.now() % 1000).padStart(3, '0')));
    var pre = document.createElement('pre');
    pre.textContent = pretty(e.data);
    li.appendChild(meta);
    li.appendChild(pre);
    li.dataset.id = e.lastEventId;
    li.dataset.type = type;
    var list = $('events');
    list.insertBefore(li, list.firstChild);
    while (list.children.length > MAX_EVENTS) list.removeChild(list.lastChild);
    $('no-events').hidden = true;
  }

  // SSE frames do not carry their topic: name it when this page published the event or only one
  // exact topic is followed, and show the selectors otherwise.
  function topicOf(id) {
    if (ownTopics[id]) return ownTopics[id].join(' ');
    if (selectors.length === 1 && selectors[0] !== '*' && selectors[0].indexOf('{') < 0) return selectors[0];
    return 'matches ' + selectors.join(' | ');
  }

  function span(cls, text) {
    var el = document.createElement('span');
    el.className = cls;
    el.textContent = text;
    return el;
  }

  function pretty(data) {
    try { return JSON.stringify(JSON.parse(data), null, 2); } catch (e) { return data; }
  }

  function renderSelectors() {
    var box = $('selectors');
    box.textContent = '';
    selectors.forEach(function (s) {
      var chip = span('chip', s);
      var x = document.createElement('button');
      x.type = 'button';
      x.setAttribute('aria-label', 'Remove ' + s);
      x.textContent = '×';
      x.onclick = function () { selectors = selectors.filter(function (o) { return o !== s; }); saveAndConnect(); };
      chip.appendChild(x);
      box.appendChild(chip);
    });
    var sug = $('suggestions');
    sug.textContent = '';
    ['*'].forEach(function (s) {
      if (selectors.indexOf(s) >= 0) return;
      var b = document.createElement('button');
      b.type = 'button';
      b.className = 'chip suggest';
      b.textContent = '+ ' + s;
      b.onclick = function () { addSelector(s); };
      sug.appendChild(b);
    });
    $('types').textContent = types.join(', ');
  }

  function addSelector(s) {
    s = s.trim();
    if (!s || selectors.indexOf(s) >= 0) return;
    selectors.push(s);
    saveAndConnect();
  }

  function saveAndConnect() {
    store.set('selectors', selectors);
    connect();
  }

  function addType(t) {
    t = t.trim();
    if (!t || types.indexOf(t) >= 0) return;
    types.push(t);
    store.set('types', types);
    listen(t);
    $('types').textContent = types.join(', ');
  }

  $('add-selector').onsubmit = function (e) {
    e.preventDefault();
    addSelector($('selector').value);
    $('selector').value = '';
  };
  $('add-type').onsubmit = function (e) {
    e.preventDefault();
    addType($('type-input').value);
    $('type-input').value = '';
  };
  $('sub-token').onchange = function () { connect(); };
  $('clear').onclick = function () { $('events').textContent = ''; $('no-events').hidden = false; };

  // ---- publishing ----
  $('pub-token').value = store.get('publisherToken', '');
  $('pub-token').onchange = function () { store.set('publisherToken', $('pub-token').value.trim()); };

  $('publish').onsubmit = function (e) {
    e.preventDefault();
    var topics = $('pub-topic').value.trim().split(/\s+/).filter(Boolean);
    var body = new URLSearchParams();
    topics.forEach(function (t) { body.append('topic', t); });
    body.append('data', $('pub-data').value);
    var type = $('pub-type').value.trim();
    var id = $('pub-id').value.trim();
    if (type) { body.append('type', type); addType(type); }
    if (id) body.append('id', id);
    if ($('pub-private').checked) body.append('private', 'on');
    var token = $('pub-token').value.trim();
    store.set('publisherToken', token);
    var headers = { 'Content-Type': 'application/x-www-form-urlencoded' };
    if (token) headers.Authorization = 'Bearer ' + token;
    var result = $('pub-result');
    $('pub-send').disabled = true;
    result.className = 'result';
    result.textContent = 'Publishing…';
    fetch(HUB, { method: 'POST', headers: headers, body: body }).then(function (r) {
      return r.text().then(function (text) {
        text = text.trim();
        if (r.ok) {
          ownTopics[text] = topics;
          result.className = 'result ok';
          result.textContent = 'Published as #' + text;
          $('pub-id').value = '';
        } else {
          result.className = 'result bad';
          result.textContent = r.status + ': ' + text;
        }
      });
    }).catch(function (err) {
      result.className = 'result bad';
      result.textContent = 'Could not reach the hub: ' + err.message;
    }).then(function () { $('pub-send').disabled = false; });
  };

  // ---- figures ----
  function figures() {
    var s = new EventSource('/console/stats');
    s.addEventListener('figures', function (e) {
      var f = JSON.parse(e.data);
      $('fig-connections').textContent = f.connections.toLocaleString();
      $('fig-subscribers').textContent = f.subscribers.toLocaleString();
      $('fig-published-rate').textContent = f.publishedPerSecond.toLocaleString();
      $('fig-delivered-rate').textContent = f.deliveredPerSecond.toLocaleString();
      $('fig-published').textContent = f.published.toLocaleString();
      $('fig-delivered').textContent = f.delivered.toLocaleString();
      // Only a node of a cluster (--redis) sends the cluster's sums, and only while Redis answers.
      $('cluster').hidden = !f.cluster;
      if (f.cluster) {
        $('fig-cluster-nodes').textContent = f.cluster.nodes.toLocaleString();
        $('fig-cluster-connections').textContent = f.cluster.connections.toLocaleString();
        $('fig-cluster-subscriptions').textContent = f.cluster.subscriptions.toLocaleString();
      }
    });
  }

  connect();
  figures();
})();

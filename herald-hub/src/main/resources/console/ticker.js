// Herald ticker demo: one EventSource, one card per symbol, a sparkline of recent prices.
(function () {
  'use strict';
  var HISTORY = 40;
  var SVG = 'http://www.w3.org/2000/svg';
  var $ = function (id) { return document.getElementById(id); };
  var cards = {};
  var arrivals = [];

  function card(symbol) {
    if (cards[symbol]) return cards[symbol];
    var el = document.createElement('article');
    el.className = 'card quote';
    el.dataset.symbol = symbol;
    el.innerHTML = '<div class="sym"><span></span><small></small></div><div class="price"></div>' +
      '<div class="change"></div><svg viewBox="0 0 100 40" preserveAspectRatio="none" aria-hidden="true">' +
      '<polyline fill="none" stroke-width="1.6" vector-effect="non-scaling-stroke"></polyline></svg>';
    el.querySelector('.sym span').textContent = symbol;
    var c = { el: el, prices: [], last: null };
    cards[symbol] = c;
    var board = $('board');
    var after = Array.prototype.find.call(board.children, function (o) { return o.dataset.symbol > symbol; });
    board.insertBefore(el, after || null);
    return c;
  }

  function update(q) {
    var c = card(q.symbol);
    c.prices.push(q.price);
    if (c.prices.length > HISTORY) c.prices.shift();
    var dir = c.last === null || q.price === c.last ? '' : q.price > c.last ? 'up' : 'down';
    c.last = q.price;
    c.el.querySelector('.price').textContent = q.price.toFixed(2);
    var ch = c.el.querySelector('.change');
    var sign = q.change > 0 ? '+' : '';
    ch.textContent = (q.change >= 0 ? '▲ ' : '▼ ') + sign + q.change.toFixed(2) + ' (' + sign + q.changePercent.toFixed(2) + '%)';
    ch.className = 'change ' + (q.change >= 0 ? 'up' : 'down');
    c.el.querySelector('.sym small').textContent = new Date(q.time).toLocaleTimeString([], { hour12: false });
    c.el.dataset.updates = String((Number(c.el.dataset.updates) || 0) + 1);
    if (dir) {
      c.el.classList.remove('flash-up', 'flash-down');
      void c.el.offsetWidth; // restart the animation
      c.el.classList.add('flash-' + dir);
    }
    spark(c);
  }

  function spark(c) {
    var p = c.prices;
    var min = Math.min.apply(null, p), max = Math.max.apply(null, p);
    var span = max - min || 1;
    var pts = p.map(function (v, i) {
      var x = p.length === 1 ? 100 : i * 100 / (p.length - 1);
      return x.toFixed(1) + ',' + (36 - (v - min) / span * 32).toFixed(1);
    }).join(' ');
    var line = c.el.querySelector('polyline');
    line.setAttribute('points', pts);
    line.setAttribute('stroke', p[p.length - 1] >= p[0] ? '#12805c' : '#c01048');
  }

  function setState(name, text) {
    $('state').className = 'state ' + name;
    $('state').textContent = text;
  }

  var source = new EventSource('/demo/ticker/events');
  source.onopen = function () { setState('open', 'Live'); $('refused').hidden = true; };
  source.onerror = function () {
    if (source.readyState === EventSource.CONNECTING) { setState('reconnecting', 'Reconnecting'); return; }
    setState('closed', 'Refused');
    $('refused').hidden = false;
  };
  source.addEventListener('price', function (e) {
    arrivals.push(Date.now());
    update(JSON.parse(e.data));
  });
  setInterval(function () {
    var cutoff = Date.now() - 5000;
    arrivals = arrivals.filter(function (t) { return t > cutoff; });
    $('rate').textContent = (arrivals.length / 5).toFixed(1);
  }, 1000);
})();

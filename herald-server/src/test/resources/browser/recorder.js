// Injected into a test page by EventSourcePage: opens EventSource objects by name and records
// every callback they get, so the Java test can read them back and assert on them.
if (!window.herald) {
  window.herald = (function () {
    const sources = {};
    const stateNames = ['CONNECTING', 'OPEN', 'CLOSED'];
    return {
      open(name, url, types, withCredentials) {
        const es = new EventSource(url, {withCredentials: !!withCredentials});
        const rec = {received: [], callbacks: []};
        sources[name] = {es, rec};
        const push = (e) => rec.received.push({type: e.type, data: e.data, lastEventId: e.lastEventId});
        es.onmessage = push;
        for (const t of types) es.addEventListener(t, push);
        es.onopen = () => rec.callbacks.push('open ' + stateNames[es.readyState]);
        es.onerror = () => rec.callbacks.push('error ' + stateNames[es.readyState]);
      },
      received(name) { return sources[name].rec.received; },
      receivedAll() {
        const all = {};
        for (const n in sources) all[n] = sources[n].rec.received;
        return all;
      },
      callbacks(name) { return sources[name].rec.callbacks; },
      readyState(name) { return stateNames[sources[name].es.readyState]; },
      close(name) { sources[name].es.close(); },
      closeAll() { for (const n in sources) sources[n].es.close(); },
    };
  })();
}
